"""Pages of the accessibility app, included under /s/<code>/planning/ (URL names stay global: "coverage")."""
from django.urls import path

from . import views

urlpatterns = [
    path("coverage/", views.coverage_page, name="coverage"),
]
