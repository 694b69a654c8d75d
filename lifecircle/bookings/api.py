"""JSON API of room bookings and events (mounted at /api/bookings/).

Public: bookable rooms and their free/busy time on a day; upcoming events with the places left.
Residents (session login): book and cancel rooms, register and cancel, their own bookings and
registrations. Staff: bookings to approve, approve and reject, check-in. A refusal is an HTTP
error whose ``detail`` says why; nothing is changed then.
"""
import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accounts.access import log_reads_of_others, own_rows
from lifecircle.accounts.permissions import mask_name, resident_of
from lifecircle.dates import parse_day
from lifecircle.directory.models import Room

from . import services
from .models import Booking, Event, Registration

router = Router(tags=["bookings"])


class BookingsErrorOut(Schema):
    detail: str


ERRORS = {400: BookingsErrorOut, 403: BookingsErrorOut, 404: BookingsErrorOut, 409: BookingsErrorOut}


def local(moment):
    """Times go out in the site's local time (Asia/Shanghai), with their offset."""
    return timezone.localtime(moment) if moment is not None else None


def aware(moment):
    """A datetime from the request; one without an offset is read as the site's local time."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# ---- schemas -----------------------------------------------------------------------------------

class BookableRoomOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    facility_id: int
    facility: str
    facility_en: str
    capacity: int | None
    requires_approval: bool
    opening_hours: str
    page_url: str
    calendar_url: str


def room_out(room):
    return {
        "id": room.pk, "code": room.code, "name": room.name, "name_en": room.name_en, "kind": room.kind,
        "facility_id": room.facility_id, "facility": room.facility.name, "facility_en": room.facility.name_en,
        "capacity": room.capacity, "requires_approval": room.requires_approval,
        "opening_hours": room.facility.opening_hours, "page_url": reverse("bookings:room", args=[room.pk]),
        "calendar_url": reverse("bookings:room_feed", args=[room.pk]),
    }


class RoomPeriodOut(Schema):
    start: datetime.datetime
    end: datetime.datetime


class RoomBusyOut(RoomPeriodOut):
    kind: str
    status: str
    title: str


class RoomAvailabilityOut(Schema):
    room: BookableRoomOut
    day: datetime.date
    open: list[RoomPeriodOut]
    busy: list[RoomBusyOut]
    free: list[RoomPeriodOut]
    max_booking_hours: float


class EventWithPlacesOut(Schema):
    id: int
    kind: str
    title: str
    title_en: str
    description: str
    description_en: str
    facility_id: int
    facility: str
    room_id: int | None
    room: str | None
    start: datetime.datetime
    end: datetime.datetime
    capacity: int
    places_left: int
    waitlisted: int
    registration: str
    registration_opens: datetime.datetime | None
    registration_closes: datetime.datetime
    cancelled: bool
    page_url: str


def event_out(event, now=None):
    return {
        "id": event.pk, "kind": event.kind, "title": event.title, "title_en": event.title_en,
        "description": event.description, "description_en": event.description_en,
        "facility_id": event.facility_id, "facility": event.facility.name, "room_id": event.room_id,
        "room": event.room.name if event.room_id else None, "start": local(event.start), "end": local(event.end),
        "capacity": event.capacity, "places_left": services.places_left(event),
        "waitlisted": getattr(event, "waitlist_count", None)
        if getattr(event, "waitlist_count", None) is not None
        else event.registrations.filter(status=Registration.Status.WAITLISTED).count(),
        "registration": services.registration_state(event, now), "registration_opens": local(event.registration_opens),
        "registration_closes": local(event.closes_at), "cancelled": event.is_cancelled,
        "page_url": event.get_absolute_url(),
    }


def events_with_counts():
    return Event.objects.select_related("facility", "room").annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
        waitlist_count=Count("registrations", filter=Q(registrations__status="waitlisted")),
    )


class BookingIn(Schema):
    room_id: int
    start: datetime.datetime
    end: datetime.datetime
    attendees: int
    purpose: str
    group_name: str = ""


class BookingOut(Schema):
    id: int
    room_id: int
    room: str
    facility: str
    start: datetime.datetime
    end: datetime.datetime
    status: str
    attendees: int
    purpose: str
    group_name: str
    rejection_reason: str
    page_url: str


def booking_out(booking):
    return {
        "id": booking.pk, "room_id": booking.room_id, "room": booking.room.name,
        "facility": booking.room.facility.name, "start": local(booking.start), "end": local(booking.end),
        "status": booking.status, "attendees": booking.attendees, "purpose": booking.purpose,
        "group_name": booking.group_name, "rejection_reason": booking.rejection_reason,
        "page_url": booking.get_absolute_url(),
    }


class PendingBookingOut(BookingOut):
    booker: str


class BookingRejectIn(Schema):
    reason: str


class EventRegistrationIn(Schema):
    """Whom to register: nobody named means yourself."""

    resident_id: int | None = None
    child_id: int | None = None


class EventRegistrationOut(Schema):
    id: int
    event_id: int
    event: str
    start: datetime.datetime
    participant: str
    status: str
    code: str
    waitlist_position: int | None
    checked_in_at: datetime.datetime | None
    page_url: str


def registration_out(registration):
    position = None
    if registration.status == Registration.Status.WAITLISTED:
        position = Registration.objects.filter(
            event_id=registration.event_id, status=Registration.Status.WAITLISTED
        ).filter(Q(created_at__lt=registration.created_at)
                 | Q(created_at=registration.created_at, pk__lt=registration.pk)).count() + 1
    return {
        "id": registration.pk, "event_id": registration.event_id, "event": registration.event.title,
        "start": local(registration.event.start), "participant": registration.participant_name,
        "status": registration.status, "code": registration.display_code, "waitlist_position": position,
        "checked_in_at": local(registration.checked_in_at), "page_url": registration.get_absolute_url(),
    }


class EventCheckInIn(Schema):
    code: str
    event_id: int | None = None


class EventCheckInOut(Schema):
    registration_id: int
    event_id: int
    event: str
    participant: str
    checked_in_at: datetime.datetime


# ---- public ------------------------------------------------------------------------------------

@router.get("/rooms", response=list[BookableRoomOut], summary="Bookable rooms")
def list_rooms(request, facility_id: int | None = None):
    """Rooms residents can book, with their facility's opening hours and whether staff approve bookings."""
    rooms = Room.objects.filter(bookable=True, facility__active=True).select_related("facility")
    if facility_id is not None:
        rooms = rooms.filter(facility_id=facility_id)
    return [room_out(r) for r in rooms.order_by("facility__name", "code")]


@router.get("/rooms/{room_id}/availability", response={200: RoomAvailabilityOut, 404: BookingsErrorOut},
            summary="A room's free and busy time on a day")
def room_availability(request, room_id: int, day: str | None = Query(None, description="YYYY-MM-DD")):
    """Opening periods, busy slots (bookings show no names or purposes; events show their title) and
    free periods of a bookable room on ``day`` (default today), in local time (Asia/Shanghai)."""
    room = get_object_or_404(Room.objects.select_related("facility"), pk=room_id, bookable=True)
    data = services.day_availability(room, parse_day(day, "day", timezone.localdate()))
    return {
        "room": room_out(room), "day": data["day"],
        "open": [{"start": local(a), "end": local(b)} for a, b in data["opening"]],
        "busy": [{"start": local(s["start"]), "end": local(s["end"]), "kind": s["kind"], "status": s["status"],
                  "title": s["title"]} for s in data["busy"]],
        "free": [{"start": local(a), "end": local(b)} for a, b in data["free"]],
        "max_booking_hours": services.max_booking_hours(),
    }


class EventListFilters(Schema):
    facility_id: int | None = None
    include_past: bool = False


@router.get("/events", response=list[EventWithPlacesOut], summary="Events and lectures with places left")
def list_events(request, filters: Query[EventListFilters]):
    """Upcoming events (or all, with include_past), soonest first, with the places left, the waitlist
    length and whether registration is open, not yet open, closed or the event cancelled."""
    events = events_with_counts()
    if not filters.include_past:
        events = events.filter(end__gt=timezone.now())
    if filters.facility_id is not None:
        events = events.filter(facility_id=filters.facility_id)
    now = timezone.now()
    return [event_out(e, now) for e in events.order_by("start")]


@router.get("/events/{event_id}", response={200: EventWithPlacesOut, 404: BookingsErrorOut}, summary="One event")
def get_event(request, event_id: int):
    """One event with its places left."""
    return event_out(get_object_or_404(events_with_counts(), pk=event_id))


# ---- residents ---------------------------------------------------------------------------------

@router.post("/bookings", auth=django_auth, response={201: BookingOut, **ERRORS}, summary="Book a room")
def create_booking(request, payload: BookingIn):
    """Book a room as the logged-in verified resident. Confirmed at once, or pending when the room
    needs staff approval. Refused (400) outside opening hours, in the past, longer than the maximum,
    for more people than the room holds; 409 when the slot overlaps another booking or event."""
    room = get_object_or_404(Room, pk=payload.room_id)
    booking = services.book_room(request.auth, room, aware(payload.start), aware(payload.end), payload.purpose,
                                 payload.attendees, payload.group_name)
    return Status(201, booking_out(booking))


@router.post("/bookings/{booking_id}/cancel", auth=django_auth, response={200: BookingOut, **ERRORS},
             summary="Cancel my booking")
def cancel_booking(request, booking_id: int):
    """Cancel one of your own bookings before it begins."""
    booking = get_object_or_404(Booking.objects.select_related("room__facility"), pk=booking_id)
    booking = services.cancel_booking(request.auth, booking)
    return booking_out(booking)


@router.get("/me/bookings", auth=django_auth, response={200: list[BookingOut], 403: BookingsErrorOut},
            summary="My bookings")
def my_bookings(request):
    """Your bookings, newest first."""
    resident = resident_of(request.auth)
    bookings = Booking.objects.filter(booker=resident).select_related("room__facility").order_by("-start")
    return [booking_out(b) for b in bookings]


@router.post("/events/{event_id}/registrations", auth=django_auth, response={201: EventRegistrationOut, **ERRORS},
             summary="Register for an event")
def register(request, event_id: int, payload: EventRegistrationIn):
    """Register yourself, a child of your household (child_id) or an adult who consented to you
    acting for them (resident_id). ``status`` says "confirmed" (a place) or "waitlisted" (the event
    is full; the first in line gets a freed place automatically). 409 when already registered or the
    waitlist is full too."""
    event = get_object_or_404(Event, pk=event_id)
    actor = resident_of(request.auth)
    if payload.resident_id and payload.child_id:
        raise services.Refused("Name one person: resident_id or child_id.")
    value = f"r{payload.resident_id}" if payload.resident_id else f"c{payload.child_id}" if payload.child_id else ""
    registration = services.register(request.auth, event, services.resolve_person(actor, value))
    return Status(201, registration_out(registration))


@router.post("/registrations/{registration_id}/cancel", auth=django_auth, response={200: EventRegistrationOut, **ERRORS},
             summary="Cancel a registration")
def cancel_registration(request, registration_id: int):
    """Cancel a registration you made (or one for you). A freed place goes to the first on the waitlist."""
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=registration_id)
    registration = services.cancel_registration(request.auth, registration)
    return registration_out(registration)


@router.get("/me/registrations", auth=django_auth, response={200: list[EventRegistrationOut], 403: BookingsErrorOut},
            summary="My registrations")
def my_registrations(request):
    """Registrations you made or that are for you, with check-in codes and waitlist positions."""
    resident_of(request.auth)  # registered and verified, or refused
    # Theirs, their children's and those of whom they act for now: not, after a consent is revoked,
    # the registrations they once made for that person.
    registrations = list(own_rows(request.auth, Registration)
                         .select_related("event", "resident", "child").order_by("-event__start"))
    log_reads_of_others(request.auth, [r.resident for r in registrations], "api bookings registrations")
    return [registration_out(r) for r in registrations]


# ---- staff -------------------------------------------------------------------------------------

def require_staff(user):
    if not services.is_staff_somewhere(user):
        raise HttpError(403, "Only the service centre's staff can do this.")


@router.get("/staff/bookings/pending", auth=django_auth, response={200: list[PendingBookingOut], 403: BookingsErrorOut},
            summary="Bookings to approve")
def pending_bookings(request):
    """Pending bookings at your facilities, soonest first (bookers' names masked)."""
    require_staff(request.auth)
    return [{**booking_out(b), "booker": mask_name(b.booker.name)} for b in services.bookings_to_approve(request.auth)]


@router.post("/bookings/{booking_id}/approve", auth=django_auth, response={200: BookingOut, **ERRORS},
             summary="Approve a booking")
def approve_booking(request, booking_id: int):
    """Confirm a pending booking at a facility you work at; the resident is told."""
    require_staff(request.auth)
    booking = get_object_or_404(Booking, pk=booking_id)
    booking = services.approve_booking(request.auth, booking)
    return booking_out(booking)


@router.post("/bookings/{booking_id}/reject", auth=django_auth, response={200: BookingOut, **ERRORS},
             summary="Reject a booking")
def reject_booking(request, booking_id: int, payload: BookingRejectIn):
    """Reject a pending booking with a reason the resident reads; the slot becomes free."""
    require_staff(request.auth)
    booking = get_object_or_404(Booking, pk=booking_id)
    booking = services.reject_booking(request.auth, booking, payload.reason)
    return booking_out(booking)


@router.post("/check-in", auth=django_auth, response={200: EventCheckInOut, **ERRORS}, summary="Check a participant in")
def check_in(request, payload: EventCheckInIn):
    """Check in by the code on the participant's registration (typed, or scanned from its QR code).
    Refused for an unknown code (404), a code already used (409), a cancelled or waitlisted
    registration, another event than ``event_id``, or a day other than the event's."""
    require_staff(request.auth)
    event = get_object_or_404(Event, pk=payload.event_id) if payload.event_id else None
    registration = services.check_in(request.auth, payload.code, event)
    return {"registration_id": registration.pk, "event_id": registration.event_id,
            "event": registration.event.title, "participant": registration.participant_name,
            "checked_in_at": local(registration.checked_in_at)}
