from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_STAFF_READS = ["view_careprogramme", "view_agegroup", "view_priorityrule", "view_application", "view_offer",
                "view_placement", "view_attendance"]


class BabycareConfig(AppConfig):
    name = "lifecircle.babycare"
    verbose_name = _("婴幼儿照护 Baby care")
    # Applications, offers, placements and attendance change only through the flow (the pages and
    # the API), which keeps the capacity and waiting-list rules; the console shows them. A centre
    # manager edits their centre's age groups, places and priority rules there.
    role_permissions = {
        "administrator": ["*"],
        "baby_care_staff": _STAFF_READS,
        "centre_manager": [*_STAFF_READS, "change_careprogramme", "add_agegroup", "change_agegroup",
                           "delete_agegroup", "add_priorityrule", "change_priorityrule", "delete_priorityrule"],
    }
    resident_links = [("babycare:centres", _("Baby-care centres")), ("babycare:mine", _("My children's baby care"))]
    staff_links = [("babycare:staff", _("Baby-care centre: attendance and waiting lists"))]

    def resident_attention(self, resident, user):
        """This app's items for the resident home's "needs attention" list (accounts.attention)."""
        from .attention import items

        return items(resident, user)

    def resident_attention_probe(self, resident, user):
        """Rows that exist whenever ``resident_attention`` has items (accounts.attention)."""
        from .attention import open_offers

        return open_offers(resident, user)
