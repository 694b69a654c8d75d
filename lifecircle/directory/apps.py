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
        # to the directory or the community model makes them stale at once. A row of one
        # sub-district (a facility, its rooms and dated hours, a point of interest, a grid, a
        # compound) makes only that sub-district's answers stale, and those about every one
        # (lifecircle.community.scope.topics): a city's staff edit all day.
        caching.invalidate_on_changes("directory", "directory", "community", parts={
            "directory.Facility": "subdistrict__code", "directory.PointOfInterest": "subdistrict__code",
            "directory.Room": "facility__subdistrict__code", "directory.HoursException": "facility__subdistrict__code",
            "community.Grid": "subdistrict__code", "community.Compound": "subdistrict__code",
            "community.Building": "compound__subdistrict__code"})

        from django.db.models.signals import post_delete, post_save

        from . import hsds
        from .models import HoursException, Room

        for model in (Room, HoursException):  # HSDS last_modified covers a facility's rooms and dated hours
            post_save.connect(hsds.touch_facility, sender=model, dispatch_uid=f"hsds-touch-{model.__name__}")
            post_delete.connect(hsds.touch_facility, sender=model, dispatch_uid=f"hsds-touch-del-{model.__name__}")
