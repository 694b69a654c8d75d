from django.urls import path

from . import views

app_name = "homecare"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("staff/", views.staff, name="staff"),
    path("rounds/<int:round_id>/", views.round_page, name="round"),
    path("planning/", views.planning, name="planning"),
    path("plans/new/", views.new_plan, name="new_plan"),
]
