from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "lifecircle.participation"
    verbose_name = _("居民参与 Participation")
    role_permissions = {
        "administrator": ["*"],
        # The community centre's manager runs the Happy 18 discussion bar and the participatory processes.
        "centre_manager": [
            "moderate", "view_process", "add_process", "change_process", "view_phase", "add_phase", "change_phase",
            "delete_phase", "view_proposal", "view_comment", "view_support", "view_moderationaction",
            "view_followup", "add_followup", "change_followup", "view_followupphoto", "add_followupphoto",
            "view_representative", "view_thread",
        ],
    }
    resident_links = [
        ("participation:index", _("Take part: Happy 18 and community proposals")),
        ("participation:representatives", _("Write to a People's Congress representative")),
        ("participation:mine", _("My proposals and letters")),
    ]
    staff_links = [
        ("participation:moderation", _("Moderate community participation")),
        ("participation:log", _("Moderation log")),
    ]

    def ready(self):
        from lifecircle.directory import layers

        from .map_layer import LAYER

        layers.register(LAYER)  # the directory draws it on the map of happiness without knowing this app

        from lifecircle import caching

        # The map's legend counts proposals: kept until anything of this app changes.
        caching.invalidate_on_changes("participation", "participation")
