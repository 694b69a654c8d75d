from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "lifecircle.community"
    verbose_name = _("社区 Community")
    role_permissions = {"administrator": ["*"], "grid_worker": ["view_compound", "view_grid"]}

    def ready(self):
        from django.db.models.signals import post_delete

        from . import networks

        # A deleted network's ready-to-serve map layer would otherwise stay in var/networks/.
        post_delete.connect(networks.network_deleted, sender="community.PedestrianNetwork",
                            dispatch_uid="lifecircle.community.network-deleted")
