"""Pages of baby care, included at /babycare/."""
from django.urls import path

from . import views

app_name = "babycare"

urlpatterns = [
    path("", views.centres, name="centres"),
    path("centres/<slug:code>/apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("applications/<int:application_id>/accept/", views.accept, name="accept"),
    path("applications/<int:application_id>/decline/", views.decline, name="decline"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("placements/<int:placement_id>/absence/", views.report_absence, name="report_absence"),
    path("staff/", views.staff, name="staff"),
    path("staff/placements/<int:placement_id>/attendance/", views.mark, name="mark"),
]
