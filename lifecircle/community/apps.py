from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "lifecircle.community"
    verbose_name = _("社区 Community")
