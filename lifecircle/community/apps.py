from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "lifecircle.community"
    verbose_name = _("社区 Community")
    role_permissions = {"administrator": ["*"], "grid_worker": ["view_compound", "view_grid"]}
