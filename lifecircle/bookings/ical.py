"""iCalendar (RFC 5545) feeds, written with the ``icalendar`` library.

Three feeds: a resident's own (bookings and registrations, behind a secret token), a room's busy
slots (public, so nothing personal: no names, no purposes), and a facility's events (public).
Every VEVENT carries UID, DTSTAMP, DTSTART/DTEND in the site's time zone (Asia/Shanghai, with its
VTIMEZONE), SUMMARY, LOCATION, STATUS and an absolute URL back to its page.
"""
import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Booking, Event, Registration

PRODID = "-//lifecircle//life circle bookings//ZH"

BOOKING_STATUS = {
    Booking.Status.PENDING: "TENTATIVE",
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.REJECTED: "CANCELLED",
    Booking.Status.CANCELLED: "CANCELLED",
}
REGISTRATION_STATUS = {
    Registration.Status.CONFIRMED: "CONFIRMED",
    Registration.Status.WAITLISTED: "TENTATIVE",
    Registration.Status.CANCELLED: "CANCELLED",
}
#: How far back a feed reaches; calendar apps keep what they already fetched.
HISTORY = datetime.timedelta(days=90)


def new_calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    return calendar


def _vevent(request, uid, start, end, summary, location, status, path, changed, description=""):
    host = request.get_host().split(":")[0] or "lifecircle"
    vevent = VEvent()
    vevent.add("uid", f"{uid}@{host}")
    vevent.add("dtstamp", changed.astimezone(datetime.UTC))
    vevent.add("dtstart", timezone.localtime(start))
    vevent.add("dtend", timezone.localtime(end))
    vevent.add("summary", summary)
    vevent.add("location", location)
    vevent.add("status", status)
    vevent.add("url", request.build_absolute_uri(path))
    if description:
        vevent.add("description", description)
    return vevent


def _location(facility, room=None):
    parts = [facility.display_name]
    if room is not None:
        parts.append(room.display_name)
    english = (get_language() or "").startswith("en")
    address = facility.address_en if facility.address_en and english else facility.address
    if address:
        parts.append(address)
    return ", ".join(parts)


def _event_vevent(request, event, status=None, uid=None, summary=None, changed=None):
    status = "CANCELLED" if event.is_cancelled else (status or "CONFIRMED")
    return _vevent(
        request, uid or f"event-{event.pk}", event.start, event.end, summary or event.display_title,
        _location(event.facility, event.room), status, event.get_absolute_url(), changed or event.updated_at,
        description=event.display_description,
    )


def finish(calendar):
    calendar.add_missing_timezones()
    return calendar.to_ical()


def resident_feed(request, resident):
    """The resident's bookings and the registrations they made or that are for them."""
    since = timezone.now() - HISTORY
    calendar = new_calendar(_("My bookings and events"))
    bookings = Booking.objects.filter(booker=resident, end__gte=since).select_related("room__facility")
    for booking in bookings:
        summary = _("Booking: %(room)s") % {"room": booking.room.display_name}
        calendar.add_component(_vevent(
            request, f"booking-{booking.pk}", booking.start, booking.end, summary,
            _location(booking.room.facility, booking.room), BOOKING_STATUS[booking.status],
            booking.get_absolute_url(), booking.updated_at, description=booking.purpose,
        ))
    registrations = (Registration.objects.filter(event__end__gte=since)
                     .filter(Q(registered_by=resident) | Q(resident=resident))
                     .select_related("event__facility", "event__room", "resident", "child"))
    for registration in registrations:
        event = registration.event
        summary = event.display_title
        if registration.resident_id != resident.pk:
            summary = f"{summary} ({registration.participant_name})"
        if registration.status == Registration.Status.WAITLISTED:
            summary = f"{summary} [{_('waitlist')}]"
        calendar.add_component(_event_vevent(
            request, event, REGISTRATION_STATUS[registration.status], uid=f"registration-{registration.pk}",
            summary=summary, changed=max(registration.updated_at, event.updated_at),
        ))
    return finish(calendar)


def room_feed(request, room):
    """When the room is taken: bookings as anonymous busy slots, events by their public title."""
    since = timezone.now() - HISTORY
    calendar = new_calendar(f"{room.facility.display_name} · {room.display_name}")
    for booking in Booking.objects.filter(room=room, status__in=Booking.HOLDING, end__gte=since):
        calendar.add_component(_vevent(
            request, f"room-{room.pk}-booking-{booking.pk}", booking.start, booking.end,
            _("Booked: %(room)s") % {"room": room.display_name}, _location(room.facility, room),
            BOOKING_STATUS[booking.status],
            f"{reverse('bookings:room', args=[room.pk])}?day={timezone.localtime(booking.start):%Y-%m-%d}",
            booking.updated_at,
        ))
    for event in Event.objects.filter(room=room, end__gte=since).select_related("facility", "room"):
        calendar.add_component(_event_vevent(request, event))
    return finish(calendar)


def facility_feed(request, facility):
    since = timezone.now() - HISTORY
    calendar = new_calendar(_("Events at %(facility)s") % {"facility": facility.display_name})
    for event in Event.objects.filter(facility=facility, end__gte=since).select_related("facility", "room"):
        calendar.add_component(_event_vevent(request, event))
    return finish(calendar)
