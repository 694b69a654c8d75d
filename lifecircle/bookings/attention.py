"""Bookings' items for the resident home (accounts.attention): room bookings waiting for staff, and
those staff decided in the last days."""
import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.attention import ANSWERED, WAITING, Item

from .models import Booking

#: How long a decision stays on the home page.
RECENT = datetime.timedelta(days=7)


def shown(resident, user):
    """The resident's bookings still to come that wait for staff or were decided lately."""
    now = timezone.now()
    decided = Q(decided_at__gte=now - RECENT, status__in=[Booking.Status.CONFIRMED, Booking.Status.REJECTED])
    return Booking.objects.filter(Q(status=Booking.Status.PENDING) | decided, booker=resident, end__gt=now)


def items(resident, user):
    found = []
    bookings = shown(resident, user).select_related("room").order_by("start")
    for booking in bookings:
        text = _("%(room)s, %(start)s: %(purpose)s") % {
            "room": booking.room.display_name, "start": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M"),
            "purpose": booking.purpose}
        kind = WAITING if booking.status == Booking.Status.PENDING else ANSWERED
        found.append(Item(text=text, url=booking.get_absolute_url(), badge=booking.get_status_display(), kind=kind,
                          due=booking.start))
    return found
