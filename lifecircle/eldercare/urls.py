from django.urls import path

from . import views

app_name = "eldercare"

urlpatterns = [
    path("", views.activities, name="activities"),
    path("mine/", views.mine, name="mine"),
    path("staff/", views.staff, name="staff"),
]
