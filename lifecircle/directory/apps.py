from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "lifecircle.directory"
    verbose_name = _("服务目录 Directory")
    role_permissions = {
        "administrator": ["*"],
        "centre_manager": ["view_facility", "change_facility", "view_room", "change_room", "add_hoursexception",
                           "change_hoursexception", "delete_hoursexception", "view_hoursexception"],
    }

    def ready(self):
        from lifecircle import caching

        # The public directory answers (facilities, places, map layers) are cached whole; any change
        # to the directory or the community model makes them stale at once.
        caching.invalidate_on_changes("directory", "directory", "community")
