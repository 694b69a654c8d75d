from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("activities/", views.activities, name="activities"),
    path("shifts/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("sign-ups/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("certificates/new/", views.issue_certificate, name="issue_certificate"),
    path("certificates/<str:code>.pdf", views.certificate_download, name="certificate_pdf"),
    path("verify/", views.verify, name="verify"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/shifts/<int:pk>/", views.shift_roster, name="shift"),
    path("staff/shifts/<int:pk>/hours/", views.record_shift, name="record_shift"),
    path("staff/volunteers/<int:pk>/", views.staff_volunteer, name="staff_volunteer"),
]
