from django.urls import path

from . import views

app_name = "requests311"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("new/", views.new_request, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/action/", views.reporter_action, name="reporter_action"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("updates/<int:pk>/photo/", views.update_photo, name="update_photo"),
    path("nearby/", views.nearby_reports, name="nearby"),
    path("reports/<int:pk>/", views.public_report, name="report"),
    path("reports/<int:pk>/follow/", views.follow, name="follow"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/times/", views.response_times_page, name="times"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/action/", views.staff_action, name="staff_action"),
]
