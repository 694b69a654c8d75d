"""What residents and staff do: book, approve, reject and cancel rooms; register, cancel and check
in at events; reminders. Pages, the API and commands all call these, so every rule lives here.

Each function checks everything it can before it writes, and does its writing in one transaction,
so a refused request changes nothing. Places are counted, and slots checked, while the parent row
(the event, the room) is locked with SELECT … FOR UPDATE: concurrent requests queue there and each
sees what the one before it wrote. On PostgreSQL an exclusion constraint also makes overlapping
bookings of a room impossible (migration 0002); on SQLite writes are serialised anyway.
"""
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.access import NOT_YOURS
from lifecircle.accounts.models import Child, Resident
from lifecircle.accounts.permissions import (
    check_can_act_for, log_access, people_for, require_facility_staff, resident_of, staff_facility_ids,
)
from lifecircle.directory import hours
from lifecircle.directory.models import Room
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify_in_languages

from .models import (
    Booking, CalendarToken, Event, Registration, new_check_in_code, normalize_code, room_clash,
)
from .times import day_text, local, span_text, when

Kind = Notification.Kind


def max_booking_hours():
    """The longest a resident may book a room for (``BOOKINGS_MAX_HOURS``, 4 by default)."""
    return getattr(settings, "BOOKINGS_MAX_HOURS", 4)


# ---- opening hours -----------------------------------------------------------------------------

def opening_intervals(facility, day):
    """The facility's open periods on ``day`` as aware local datetimes, its HoursException that day
    (if any) replacing the weekly hours."""
    exception = facility.exception_on(day)
    spans = exception.spans() if exception is not None else hours.spans_on(facility.weekly_hours, day)
    midnight = datetime.datetime.combine(day, datetime.time.min)
    tz = timezone.get_current_timezone()
    return [
        (timezone.make_aware(midnight + datetime.timedelta(minutes=s.start), tz),
         timezone.make_aware(midnight + datetime.timedelta(minutes=s.end), tz))
        for s in sorted(spans, key=lambda s: s.start)
    ]


def _merged(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def is_open_throughout(facility, start, end):
    """Whether the facility is open for the whole of [start, end), days and exceptions included."""
    first, last = local(start).date(), local(end - datetime.timedelta(microseconds=1)).date()
    intervals = []
    day = first
    while day <= last:
        intervals.extend(opening_intervals(facility, day))
        day += datetime.timedelta(days=1)
    return any(a <= start and end <= b for a, b in _merged(intervals))


def hours_text(facility, day):
    intervals = opening_intervals(facility, day)
    return ", ".join(f"{local(a):%H:%M}–{'24:00' if local(b).date() > day else f'{local(b):%H:%M}'}"
                     for a, b in intervals)


def _outside_hours_message(facility, start):
    day = local(start).date()
    exception = facility.exception_on(day)
    text = hours_text(facility, day)
    if not text:
        reason = f" ({exception.reason})" if exception is not None and exception.reason else ""
        return _("%(facility)s is closed on %(day)s%(reason)s.") % {
            "facility": facility.display_name, "day": day_text(day), "reason": reason}
    return _("%(facility)s is open %(hours)s on %(day)s; a booking must lie within those hours.") % {
        "facility": facility.display_name, "hours": text, "day": day_text(day)}


# ---- room slots --------------------------------------------------------------------------------

def busy_slots(room, day_start, day_end):
    """Holding bookings and events of ``room`` overlapping the period, with no personal data."""
    slots = [
        {"start": b.start, "end": b.end, "kind": "booking", "status": b.status, "title": ""}
        for b in Booking.objects.filter(room=room, status__in=Booking.HOLDING, start__lt=day_end, end__gt=day_start)
    ] + [
        {"start": e.start, "end": e.end, "kind": "event", "status": "confirmed", "title": e.display_title,
         "event": e}
        for e in Event.objects.filter(room=room, cancelled_at__isnull=True, start__lt=day_end, end__gt=day_start)
    ]
    return sorted(slots, key=lambda s: s["start"])


def day_availability(room, day):
    """Opening hours, busy slots and free slots of ``room`` on ``day``; time already past is not free."""
    tz = timezone.get_current_timezone()
    day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
    day_end = day_start + datetime.timedelta(days=1)
    opening = opening_intervals(room.facility, day)
    busy = busy_slots(room, day_start, day_end)
    now = timezone.now()
    free = []
    for a, b in opening:
        if b <= now:
            continue
        cursor = max(a, now)
        for slot in busy:
            if slot["end"] <= cursor or slot["start"] >= b:
                continue
            if slot["start"] > cursor:
                free.append((cursor, slot["start"]))
            cursor = max(cursor, slot["end"])
        if cursor < b:
            free.append((cursor, b))
    return {"day": day, "opening": opening, "busy": busy, "free": free}


# ---- bookings ----------------------------------------------------------------------------------

def _check_booking(room, start, end, attendees, purpose, now):
    facility = room.facility
    if not room.bookable or not facility.active:
        raise Refused(_("%(room)s cannot be booked by residents.") % {"room": room.display_name})
    if start is None or end is None:
        raise Refused(_("Give the start and the end of the booking."))
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("book_room needs aware datetimes")
    if end <= start:
        raise Refused(_("The end must be after the start."))
    if start < now:
        raise Refused(_("The time asked for (%(span)s) has already begun or passed.") % {"span": span_text(start, end)})
    limit = max_booking_hours()
    if end - start > datetime.timedelta(hours=limit):
        raise Refused(_("A booking may last at most %(limit)s hours; this one lasts %(asked)s.") % {
            "limit": limit, "asked": _duration_text(end - start)})
    if not (purpose or "").strip():
        raise Refused(_("Say what the room is for."))
    if attendees is None or attendees < 1:
        raise Refused(_("At least one person must attend."))
    if room.capacity is not None and attendees > room.capacity:
        raise Refused(_("%(room)s holds %(capacity)s people; the booking is for %(attendees)s.") % {
            "room": room.display_name, "capacity": room.capacity, "attendees": attendees})
    if not is_open_throughout(facility, start, end):
        raise Refused(_outside_hours_message(facility, start))


def _duration_text(delta):
    minutes = int(delta.total_seconds() // 60)
    return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}


def book_room(user, room, start, end, purpose, attendees, group_name=""):
    """Book ``room`` for [start, end) for the verified resident behind ``user``.

    Rooms that need approval get a *pending* booking staff decide on; others are confirmed at once.
    Raises PermissionDenied (not a verified resident), Refused (bad request) or Conflict (the slot
    is taken); then nothing is written.
    """
    booker = resident_of(user)
    room = Room.objects.select_related("facility").get(pk=room.pk)
    _check_booking(room, start, end, attendees, purpose, timezone.now())
    with transaction.atomic():
        # Bookings of one room queue here; each sees the bookings committed before it.
        Room.objects.select_for_update(of=("self",)).filter(pk=room.pk).first()
        clash = room_clash(room, start, end)
        if clash is not None:
            raise Conflict(clash.message())
        status = Booking.Status.PENDING if room.requires_approval else Booking.Status.CONFIRMED
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    room=room, booker=booker, group_name=(group_name or "").strip()[:100],
                    purpose=purpose.strip()[:300], attendees=attendees, start=start, end=end, status=status,
                )
        except IntegrityError:  # PostgreSQL's exclusion constraint: another booking got there first
            clash = room_clash(room, start, end)
            if clash is None:
                raise
            raise Conflict(clash.message()) from None
        _notify_booking(booking, "booked")
    return booking


def _booking_texts(what):
    """(kind, subject, body) of a booking's notice, in the active language."""
    return {
        "booked": (Kind.CONFIRMATION, _("Booking confirmed: %(room)s, %(span)s"),
                   _("Your booking of %(room)s for %(span)s is confirmed.")),
        "pending": (Kind.INFORMATION, _("Booking received: %(room)s, %(span)s"),
                    _("Your booking of %(room)s for %(span)s waits for staff approval. We will tell you "
                      "when it is decided; the slot is held for you meanwhile.")),
        "approved": (Kind.CONFIRMATION, _("Booking approved: %(room)s, %(span)s"),
                     _("Staff approved your booking of %(room)s for %(span)s.")),
        "rejected": (Kind.INFORMATION, _("Booking not approved: %(room)s, %(span)s"),
                     _("Staff could not approve your booking of %(room)s for %(span)s. Reason: %(reason)s")),
        "cancelled": (Kind.CANCELLATION, _("Booking cancelled: %(room)s, %(span)s"),
                      _("Your booking of %(room)s for %(span)s is cancelled.")),
        "reminder": (Kind.REMINDER, _("Reminder: %(room)s, %(span)s"),
                     _("A reminder of your booking of %(room)s for %(span)s.")),
    }[what]


def _notify_booking(booking, what):
    if what == "booked" and booking.status == Booking.Status.PENDING:
        what = "pending"

    def render():  # once per language: room names are bilingual
        values = {"room": booking.room.display_name, "span": span_text(booking.start, booking.end),
                  "reason": booking.rejection_reason}
        _kind, subject, body = _booking_texts(what)
        return subject % values, body % values

    notify_in_languages(booking.booker.user, _booking_texts(what)[0], render, booking.get_absolute_url())


def cancel_booking(user, booking):
    """The booker cancels their own booking (pending or confirmed) before it begins."""
    booker = resident_of(user)
    if booking.booker_id != booker.pk:
        raise PermissionDenied(_("Only the person who made a booking can cancel it."))
    with transaction.atomic():
        booking = (Booking.objects.select_for_update(of=("self",)).select_related("room", "booker__user")
                   .get(pk=booking.pk))
        if not booking.holds_slot:
            raise Refused(_("This booking is already %(status)s.") % {"status": booking.get_status_display()})
        if booking.start <= timezone.now():
            raise Refused(_("This booking has already begun and can no longer be cancelled."))
        booking.status, booking.cancelled_at = Booking.Status.CANCELLED, timezone.now()
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        _notify_booking(booking, "cancelled")
    return booking


def _decide(user, booking, approve, reason=""):
    with transaction.atomic():
        booking = (Booking.objects.select_for_update(of=("self",)).select_related("room__facility", "booker__user")
                   .get(pk=booking.pk))
        require_facility_staff(user, booking.room.facility)
        if booking.status != Booking.Status.PENDING:
            raise Refused(_("This booking is not waiting for approval (it is %(status)s).") % {
                "status": booking.get_status_display()})
        if approve and booking.start <= timezone.now():
            raise Refused(_("This booking's time has already begun; it can only be rejected."))
        booking.status = Booking.Status.CONFIRMED if approve else Booking.Status.REJECTED
        booking.decided_by, booking.decided_at, booking.rejection_reason = user, timezone.now(), reason
        booking.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"])
        log_access(user, "decide", f"bookings: {'approve' if approve else 'reject'} booking {booking.pk}",
                   resident=booking.booker)
        _notify_booking(booking, "approved" if approve else "rejected")
    return booking


def approve_booking(user, booking):
    """Centre staff confirm a pending booking of their facility."""
    return _decide(user, booking, True)


def reject_booking(user, booking, reason):
    """Centre staff reject a pending booking, saying why; the slot becomes free."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the reason for the rejection; the resident will read it."))
    return _decide(user, booking, False, reason[:1000])


def bookings_to_approve(user):
    """Pending bookings at the facilities ``user`` works at, soonest first."""
    queryset = Booking.objects.filter(status=Booking.Status.PENDING, end__gt=timezone.now()).select_related(
        "room__facility", "booker")
    ids = staff_facility_ids(user)
    if ids is not None:
        queryset = queryset.filter(room__facility_id__in=ids)
    return queryset.order_by("start")


# ---- events ------------------------------------------------------------------------------------

def places_left(event):
    taken = getattr(event, "confirmed_count", None)
    if taken is None:
        taken = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    return max(0, event.capacity - taken)


def registration_state(event, now=None):
    """ "open", "not_yet", "closed" or "cancelled"."""
    now = now or timezone.now()
    if event.is_cancelled:
        return "cancelled"
    if event.registration_opens and now < event.registration_opens:
        return "not_yet"
    if now >= event.closes_at or now >= event.start:
        return "closed"
    return "open"


def is_staff_somewhere(user):
    """Whether ``user`` works at any facility (or is an administrator)."""
    if not user.is_authenticated:
        return False
    ids = staff_facility_ids(user)
    return ids is None or bool(ids)


def person_choices(actor):
    """Whom ``actor`` may register: ("r<id>" | "c<id>", name) for themself, consenting adults and
    their household's children."""
    adults, children = people_for(actor)
    return [(f"r{p.pk}", p.name) for p in adults] + [(f"c{c.pk}", c.name) for c in children]


def resolve_person(actor, value):
    """A choice from person_choices → the Resident or Child (``actor`` when empty). Anyone else is
    refused without saying who they are."""
    if not value:
        return actor
    adults, children = people_for(actor)
    people = {f"r{p.pk}": p for p in adults} | {f"c{c.pk}": c for c in children}
    if value not in people:
        raise PermissionDenied(str(NOT_YOURS))
    return people[value]


def _participant_filter(person):
    return Q(child=person) if isinstance(person, Child) else Q(resident=person)


def register(user, event, person=None):
    """Register ``person`` (the user's own resident by default; a child of their household or an
    adult who consented) for ``event``: a place while there are places, else the waitlist."""
    actor = resident_of(user)
    person = person or actor
    check_can_act_for(actor, person)
    if isinstance(person, Resident) and not person.is_verified:
        raise PermissionDenied(_("Staff have not yet verified that %(name)s lives in the sub-district.") % {
            "name": person.name})
    with transaction.atomic():
        # Registrations for one event queue on its row, so places are counted one request at a time.
        event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        state = registration_state(event)
        if state == "cancelled":
            raise Refused(_("This event has been cancelled."))
        if state == "not_yet":
            raise Refused(_("Registration opens at %(time)s.") % {"time": when(event.registration_opens)})
        if state == "closed":
            raise Refused(_("Registration for this event has closed."))
        existing = event.registrations.active().filter(_participant_filter(person)).first()
        if existing is not None:
            raise Conflict(_("%(name)s is already registered for this event (%(status)s).") % {
                "name": person.name, "status": existing.get_status_display()})
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        if confirmed < event.capacity:
            status = Registration.Status.CONFIRMED
        else:
            waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).count()
            if event.waitlist_limit is not None and waiting >= event.waitlist_limit:
                raise Conflict(_("The event is full and so is its waitlist."))
            status = Registration.Status.WAITLISTED
        code = new_check_in_code()
        while Registration.objects.filter(code=code).exists():
            code = new_check_in_code()
        registration = Registration.objects.create(
            event=event, registered_by=actor, status=status, code=code,
            resident=person if isinstance(person, Resident) else None,
            child=person if isinstance(person, Child) else None,
        )
        _notify_registration(registration, "registered")
    return registration


def _recipients(registration):
    users = []
    for resident in (registration.resident, registration.registered_by):
        if resident is not None and resident.user_id and resident.user not in users:
            users.append(resident.user)
    return users


def _registration_texts(what):
    """(kind, subject, body) of a registration's notice, in the active language."""
    return {
        "registered": (Kind.CONFIRMATION, _("Registered: %(event)s"),
                       _("%(name)s has a place at %(event)s, %(span)s, %(place)s. Check-in code: %(code)s.")),
        "waitlisted": (Kind.INFORMATION, _("On the waitlist: %(event)s"),
                       _("%(event)s (%(span)s) is full; %(name)s is on the waitlist. If a place becomes free it "
                         "goes to the first in line automatically, and we will tell you.")),
        "promoted": (Kind.OFFER, _("A place is yours: %(event)s"),
                     _("A place became free at %(event)s, %(span)s, %(place)s, and it is now %(name)s's. "
                       "Check-in code: %(code)s. If you cannot come, please cancel so the next person gets it.")),
        "cancelled": (Kind.CANCELLATION, _("Registration cancelled: %(event)s"),
                      _("The registration of %(name)s for %(event)s (%(span)s) is cancelled.")),
        "event_cancelled": (Kind.CANCELLATION, _("Cancelled: %(event)s"),
                            _("%(event)s (%(span)s) will not take place. %(reason)s")),
        "reminder": (Kind.REMINDER, _("Reminder: %(event)s"),
                     _("A reminder: %(name)s is registered for %(event)s, %(span)s, %(place)s. "
                       "Check-in code: %(code)s.")),
    }[what]


def _notify_registration(registration, what):
    event = registration.event
    if what == "registered" and registration.status == Registration.Status.WAITLISTED:
        what = "waitlisted"

    def render():  # once per language: event and place names are bilingual
        values = {"event": event.display_title, "span": span_text(event.start, event.end),
                  "name": registration.participant_name, "code": registration.display_code,
                  "place": event.room.display_name if event.room_id else event.facility.display_name,
                  "reason": event.cancel_reason}
        _kind, subject, body = _registration_texts(what)
        return subject % values, (body % values).strip()

    for user in _recipients(registration):
        notify_in_languages(user, _registration_texts(what)[0], render, registration.get_absolute_url())


def promote_waitlist(event):
    """Give free places to the first in line, confirming and telling each. The caller holds the
    event's row lock."""
    if event.is_cancelled or event.start <= timezone.now():
        return []
    promoted = []
    free = places_left(event)
    queue = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")
    for registration in queue[:free]:
        registration.status, registration.promoted_at = Registration.Status.CONFIRMED, timezone.now()
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        _notify_registration(registration, "promoted")
        promoted.append(registration)
    return promoted


def fill_from_waitlist(event):
    """After staff add places to an event: promote as many as now fit."""
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        return promote_waitlist(event)


def may_manage(actor, registration):
    if registration.registered_by_id == actor.pk:
        return True
    try:
        check_can_act_for(actor, registration.participant)
    except PermissionDenied:
        return False
    return True


def cancel_registration(user, registration):
    """Cancel a registration (by whoever made it or may act for the participant); a freed place
    goes to the first on the waitlist."""
    actor = resident_of(user)
    if not may_manage(actor, registration):
        raise PermissionDenied(_("You may not cancel this registration."))
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).get(pk=registration.event_id)
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            raise Refused(_("This registration is already cancelled."))
        if event.start <= timezone.now():
            raise Refused(_("The event has already begun."))
        had_place = registration.status == Registration.Status.CONFIRMED
        registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        _notify_registration(registration, "cancelled")
        if had_place:
            promote_waitlist(event)
    return registration


def cancel_event(user, event, reason=""):
    """Staff call an event off; everyone registered is told."""
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("facility").get(pk=event.pk)
        require_facility_staff(user, event.facility)
        if event.is_cancelled:
            raise Refused(_("This event has been cancelled."))
        event.cancelled_at, event.cancel_reason = timezone.now(), (reason or "").strip()[:300]
        event.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        for registration in event.registrations.active().select_related("resident__user", "registered_by__user"):
            _notify_registration(registration, "event_cancelled")
    return event


def check_in(user, code, event=None):
    """Staff check a participant in by the code they show (typed, or scanned from the QR code)."""
    normalized = normalize_code(code)
    if not normalized:
        raise Refused(_("Type or scan a check-in code."))
    with transaction.atomic():
        registration = (Registration.objects.select_for_update(of=("self",))
                        .filter(code=normalized).select_related("event__facility").first())
        if registration is None:
            raise NotFound(_("No registration has the code %(code)s.") % {"code": (code or "").strip()[:20]})
        found = registration.event
        require_facility_staff(user, found.facility)
        if event is not None and found.pk != event.pk:
            raise Refused(_("This code is for another event: %(event)s, %(time)s.") % {
                "event": found.display_title, "time": when(found.start)})
        if found.is_cancelled:
            raise Refused(_("This event has been cancelled."))
        if registration.status == Registration.Status.CANCELLED:
            raise Refused(_("This registration was cancelled."))
        if registration.status == Registration.Status.WAITLISTED:
            raise Refused(_("This person is on the waitlist and has no place."))
        if registration.checked_in_at is not None:
            raise Conflict(_("This code was already used: checked in at %(time)s.") % {
                "time": when(registration.checked_in_at)})
        today = timezone.localdate()
        if local(found.start).date() != today:
            raise Refused(_("Check-in for this event is on %(day)s.") % {"day": day_text(local(found.start).date())})
        registration.checked_in_at, registration.checked_in_by = timezone.now(), user
        registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        log_access(user, "check_in", f"bookings: check-in at event {found.pk}",
                   resident=registration.resident, child=registration.child)
    return registration


# ---- reminders ---------------------------------------------------------------------------------

def send_reminders(now=None):
    """Remind of tomorrow's confirmed bookings and registrations, each once. Returns the counts."""
    now = now or timezone.now()
    tomorrow = local(now).date() + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min), tz)
    last = first + datetime.timedelta(days=1)
    counts = {"bookings": 0, "registrations": 0}
    bookings = Booking.objects.filter(status=Booking.Status.CONFIRMED, start__gte=first, start__lt=last,
                                      reminder_sent_at__isnull=True)
    for pk in bookings.values_list("pk", flat=True):
        with transaction.atomic():
            # Marking and sending together: a second run (or a concurrent one) finds it marked.
            if Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                _notify_booking(Booking.objects.select_related("room", "booker__user").get(pk=pk), "reminder")
                counts["bookings"] += 1
    registrations = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, event__cancelled_at__isnull=True, event__start__gte=first,
        event__start__lt=last, reminder_sent_at__isnull=True)
    for pk in registrations.values_list("pk", flat=True):
        with transaction.atomic():
            if Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                _notify_registration(Registration.objects.select_related("event").get(pk=pk), "reminder")
                counts["registrations"] += 1
    return counts


# ---- calendar subscriptions --------------------------------------------------------------------

def calendar_token(resident, create=True):
    """The resident's active calendar token (made on first use when ``create``)."""
    token = resident.calendar_tokens.filter(revoked_at__isnull=True).order_by("-created_at").first()
    if token is None and create:
        token = CalendarToken.objects.create(resident=resident, token=CalendarToken.new_token())
    return token


def revoke_calendar_tokens(resident):
    """Stop every existing subscription link working."""
    return resident.calendar_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def renew_calendar_token(resident):
    """A new secret link; the old one stops working."""
    with transaction.atomic():
        revoke_calendar_tokens(resident)
        return CalendarToken.objects.create(resident=resident, token=CalendarToken.new_token())
