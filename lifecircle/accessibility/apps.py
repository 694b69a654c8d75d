from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessibilityConfig(AppConfig):
    name = "lifecircle.accessibility"
    verbose_name = _("步行可达性 Walking accessibility")

    def ready(self):
        from . import signals  # noqa: F401  (keeps stored results current when facilities change)
