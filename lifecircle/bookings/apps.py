from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "lifecircle.bookings"
    verbose_name = _("场地预约与活动 Room bookings and events")
    role_permissions = {
        "administrator": ["*"],
        "centre_manager": [
            "view_booking", "change_booking",
            "view_event", "add_event", "change_event",
            "view_registration", "change_registration",
        ],
    }
    #: Listed by the lead's resident and staff home pages: (url name, label).
    resident_links = [
        ("bookings:rooms", _("Book a room")),
        ("bookings:events", _("Events and lectures")),
        ("bookings:mine", _("My bookings and registrations")),
    ]
    staff_links = [
        ("bookings:staff", _("Bookings to approve and event check-in")),
    ]

    def resident_attention(self, resident, user):
        """This app's items for the resident home's "needs attention" list (accounts.attention)."""
        from .attention import items

        return items(resident, user)

    def resident_attention_probe(self, resident, user):
        """Rows that exist whenever ``resident_attention`` has items (accounts.attention)."""
        from .attention import shown

        return shown(resident, user)

    def ready(self):
        # The Happy 18 discussion bar's monthly meetings are events here; participation lists them
        # by the events' codes through this source (lifecircle/participation/meetings.py).
        from lifecircle.participation import meetings

        from .meetings import meetings as events_as_meetings
        meetings.register(events_as_meetings)
