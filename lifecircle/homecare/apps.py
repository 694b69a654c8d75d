from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomecareConfig(AppConfig):
    name = "lifecircle.homecare"
    verbose_name = _("居家照护 Care at home")
    role_permissions = {
        "administrator": ["*"],
        "centre_manager": ["view_carer", "add_carer", "change_carer", "view_careplan", "view_visit",
                           "view_carerabsence"],
        "day_care_staff": ["view_carer", "view_careplan", "view_visit", "view_carerabsence"],
    }
    #: Listed on the resident and staff home pages: (url name, label).
    resident_links = [("homecare:schedule", _("My home care visits"))]
    staff_links = [("homecare:staff", _("Care at home: rounds and visits"))]
