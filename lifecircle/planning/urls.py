"""Pages of the planning workbench, included under /planning/ beside the accessibility app's coverage page."""
from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("scenarios/", views.scenarios_page, name="scenarios"),
    path("scenarios/<int:scenario_id>/", views.scenario_page, name="scenario"),
    path("siting/", views.siting_page, name="siting"),
    path("compare/", views.compare_page, name="compare"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("report/", views.report_download, name="report"),
]
