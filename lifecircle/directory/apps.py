from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "lifecircle.directory"
    verbose_name = _("服务目录 Directory")
