from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "lifecircle.planning"
    verbose_name = _("规划工作台 Planning workbench")
    # Planners are sub-district administrators, or staff given the permission planning.change_scenario
    # (StaffRole has no "planner" role; see permissions.py).
    role_permissions = {"administrator": ["*"]}

    def home_sections(self, user):
        """The planning pages of each sub-district ``user`` plans, for their staff home."""
        from django.urls import reverse

        from lifecircle.community.models import SubDistrict

        from .permissions import planned_subdistrict_ids

        allowed = planned_subdistrict_ids(user)
        places = SubDistrict.objects.order_by("code")
        if allowed is not None:
            places = places.filter(pk__in=allowed)
        pages = [("coverage", _("Service coverage")), ("planning:scenarios", _("What-if scenarios")),
                 ("planning:siting", _("Where to put new facilities")), ("planning:compare", _("Compare two states")),
                 ("planning:dashboard", _("Grid dashboard and reports"))]
        return [(_("Planning: %(place)s") % {"place": place.display_name},
                 [(reverse(name, args=[place.code]), label) for name, label in pages]) for place in places]
