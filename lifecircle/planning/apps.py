from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "lifecircle.planning"
    verbose_name = _("规划工作台 Planning workbench")
    # Planners are sub-district administrators, or staff given the permission planning.change_scenario
    # (StaffRole has no "planner" role; see permissions.py).
    role_permissions = {"administrator": ["*"]}
    staff_links = [
        ("anywhere:scenarios", _("Planning: what-if scenarios")),
        ("anywhere:siting", _("Planning: where to put new facilities")),
        ("anywhere:dashboard", _("Planning: grid dashboard and reports")),
    ]
