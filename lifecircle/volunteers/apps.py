from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "lifecircle.volunteers"
    verbose_name = _("志愿服务 Volunteers")
    role_permissions = {
        "administrator": ["*"],
        # Centre managers run activities at their facility: they set up roles and shifts in the
        # console; sign-ups and hours are handled on the staff pages, which keep the rules.
        "centre_manager": ["view_skill", "view_volunteer", "view_activity", "add_activity", "change_activity",
                           "view_role", "add_role", "change_role", "delete_role", "view_shift", "add_shift",
                           "change_shift", "delete_shift", "view_signup", "view_hoursrecord", "view_certificate"],
    }
    resident_links = [("volunteers:home", _("Volunteering"))]
    staff_links = [("volunteers:staff", _("Volunteers and hours"))]
