from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    name = "lifecircle.eldercare"
    verbose_name = _("养老服务 Senior care")
    role_permissions = {
        "administrator": ["*"],
        "centre_manager": ["view_placetype", "add_placetype", "change_placetype", "view_admission", "add_admission",
                           "change_admission", "view_attendance", "view_healthconsent", "add_healthconsent",
                           "view_healthcheck", "add_healthcheck", "view_activity", "add_activity", "change_activity",
                           "delete_activity", "view_activitysignup"],
        "day_care_staff": ["view_placetype", "view_admission", "add_admission", "change_admission",
                           "view_attendance", "view_healthconsent", "add_healthconsent", "view_healthcheck",
                           "add_healthcheck", "view_activity", "add_activity", "change_activity",
                           "view_activitysignup"],
    }
    #: Listed on the resident and staff home pages: (url name, label).
    resident_links = [("eldercare:activities", _("Activities for seniors")),
                      ("eldercare:mine", _("My day care, health checks and activities"))]
    staff_links = [("eldercare:staff", _("Senior care: places, activities, health checks"))]
