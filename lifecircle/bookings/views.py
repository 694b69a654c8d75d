"""Pages: rooms and their free time, a room's booking form, events and lectures, my bookings and
registrations (with check-in QR codes and the calendar link), and the staff page (approvals and
check-in). Calendar feeds for calendar apps are here too.

Every change goes through services.py; a refusal is shown with its reason and changes nothing.
"""
import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecircle import errors
from lifecircle.accounts.access import own_rows
from lifecircle.accounts.permissions import log_access, mask_name, resident_of, staff_facility_ids
from lifecircle.dates import parse_day
from lifecircle.directory.models import Facility, Room

from . import ical, services
from .forms import BookingForm, CheckInForm, RejectForm
from .models import Booking, CalendarToken, Event, Registration
from .services import person_choices, resolve_person

# ---- helpers -----------------------------------------------------------------------------------

def _render(request, template, context, status=200):
    """render() with what every bookings page shows: the sub-navigation (staff see their page too)."""
    context.setdefault("show_staff_link", services.is_staff_somewhere(request.user))
    return render(request, template, context, status=status)


def _day(request):
    return parse_day(request.GET.get("day"), "day", timezone.localdate())


def _resident_or_none(request):
    """The verified resident behind the request and, when there is none, the reason."""
    try:
        return resident_of(request.user), ""
    except PermissionDenied as exc:
        return None, str(exc)


def qr_svg(text):
    """A QR code of ``text`` as inline SVG, drawn on the server (no script, no external service)."""
    svg = segno.make(text, error="m", micro=False).svg_inline(
        scale=5, border=2, title=text, dark="#1f2328", light="#ffffff", svgclass="qr-code", omitsize=True)
    return mark_safe(svg)  # segno writes the markup; the code itself is letters and digits only


def _upcoming_events():
    return (Event.objects.filter(end__gt=timezone.now())
            .select_related("facility", "room")
            .annotate(confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
                      waitlist_count=Count("registrations", filter=Q(registrations__status="waitlisted")))
            .order_by("start"))


def _decorate_event(event, now):
    event.places = services.places_left(event)
    event.registration = services.registration_state(event, now)
    return event


# ---- rooms and bookings ------------------------------------------------------------------------

def rooms(request):
    """Bookable rooms with their free and taken time on one day, and a booking form each."""
    day = _day(request)
    queryset = (Room.objects.filter(bookable=True, facility__active=True)
                .select_related("facility").prefetch_related("facility__hours_exceptions")
                .order_by("facility__name", "code"))
    if request.GET.get("facility", "").isdigit():
        queryset = queryset.filter(facility_id=int(request.GET["facility"]))
    cards = [{"room": room, "availability": services.day_availability(room, day),
              "form": BookingForm(initial={"day": day}, auto_id=f"room{room.pk}-%s")} for room in queryset]
    resident, why_not = _resident_or_none(request)
    return _render(request, "bookings/rooms.html", {
        "day": day, "cards": cards, "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1), "today": timezone.localdate(),
        "resident": resident, "why_not": why_not, "max_hours": services.max_booking_hours(),
    })


@require_http_methods(["GET", "POST"])
def room(request, pk):
    """One room: its day, and the booking form (POST books)."""
    room = get_object_or_404(Room.objects.select_related("facility"), pk=pk, bookable=True)
    day = _day(request)
    resident, why_not = _resident_or_none(request)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            day = data["day"]
            try:
                booking = services.book_room(request.user, room, data["start"], data["end"], data["purpose"],
                                             data["attendees"], data["group_name"])
            except (errors.Refused, PermissionDenied) as exc:
                form.add_error(None, errors.reason(exc))
                status = errors.status_of(exc)
            else:
                if booking.status == Booking.Status.PENDING:
                    messages.info(request, _("Booking received. Staff will approve it; we will tell you."))
                else:
                    messages.success(request, _("Booked. See you there."))
                return redirect(booking)
        else:
            status = 400
    else:
        form = BookingForm(initial={"day": day})
    english = (get_language() or "").startswith("en")
    return _render(request, "bookings/room.html", {
        "room": room, "description": room.description_en if english and room.description_en else room.description,
        "day": day, "availability": services.day_availability(room, day), "form": form,
        "previous_day": day - datetime.timedelta(days=1), "next_day": day + datetime.timedelta(days=1),
        "resident": resident, "why_not": why_not, "max_hours": services.max_booking_hours(),
        "feed_url": request.build_absolute_uri(reverse("bookings:room_feed", args=[room.pk])),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def booking(request, pk):
    """A booking's own page, for the booker (who may cancel) and the facility's staff."""
    booking = get_object_or_404(Booking.objects.select_related("room__facility", "booker__household"), pk=pk)
    is_booker = getattr(request.user, "resident", None) is not None and request.user.resident.pk == booking.booker_id
    staff_view = False
    if not is_booker:
        ids = staff_facility_ids(request.user)
        if not (ids is None or booking.room.facility_id in ids):
            raise Http404
        staff_view = True
        log_access(request.user, "view", f"bookings: booking page {booking.pk}", resident=booking.booker)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.cancel_booking(request.user, booking)
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
            status = errors.status_of(exc)
        else:
            messages.success(request, _("The booking is cancelled."))
            return redirect(booking)
    return _render(request, "bookings/booking.html", {
        "booking": booking, "is_booker": is_booker, "staff_view": staff_view,
        "can_cancel": is_booker and booking.holds_slot and booking.start > timezone.now(),
        "reject_form": RejectForm(),
    }, status)


# ---- events ------------------------------------------------------------------------------------

def events(request):
    """Upcoming events and lectures with the places left."""
    now = timezone.now()
    queryset = _upcoming_events()
    if request.GET.get("facility", "").isdigit():
        queryset = queryset.filter(facility_id=int(request.GET["facility"]))
    resident, why_not = _resident_or_none(request)
    event_list = [_decorate_event(e, now) for e in queryset]
    mine = {}
    if resident is not None:
        for registration in own_rows(request.user, Registration).filter(
                status__in=Registration.ACTIVE, event__in=[e.pk for e in event_list]
        ).select_related("resident", "child"):
            mine.setdefault(registration.event_id, []).append(registration)
    for event in event_list:
        event.my_registrations = mine.get(event.pk, [])
    facilities = Facility.objects.filter(events__end__gt=now).distinct()
    return _render(request, "bookings/events.html", {
        "events": event_list, "resident": resident, "why_not": why_not,
        "people": person_choices(resident) if resident else [], "facilities": facilities,
    })


@require_http_methods(["GET", "POST"])
def event(request, pk):
    """An event's page: details, places, registering (for oneself or one's family), one's own
    registrations with their check-in QR codes."""
    event = get_object_or_404(_upcoming_events_or_all(), pk=pk)
    resident, why_not = _resident_or_none(request)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            if request.POST.get("action") == "cancel":
                registration = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
                services.cancel_registration(request.user, registration)
                messages.success(request, _("The registration is cancelled."))
            else:
                actor = resident_of(request.user)
                person = resolve_person(actor, request.POST.get("person", ""))
                registration = services.register(request.user, event, person)
                if registration.status == Registration.Status.WAITLISTED:
                    messages.info(request, _("The event is full: %(name)s is on the waitlist. If a place becomes "
                                             "free it is given to the first in line, and we will tell you.")
                                  % {"name": person.name})
                else:
                    messages.success(request, _("Registered: %(name)s has a place.") % {"name": person.name})
            return redirect(event)
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
            status = errors.status_of(exc)
    event = _decorate_event(get_object_or_404(_upcoming_events_or_all(), pk=pk), timezone.now())
    registrations = []
    if resident is not None:
        registrations = _tickets(own_rows(request.user, Registration).filter(event=event)
                                 .select_related("event", "resident", "child").order_by("-created_at"))
    return _render(request, "bookings/event.html", {
        "event": event, "resident": resident, "why_not": why_not, "registrations": registrations,
        "people": person_choices(resident) if resident else [],
        "now": timezone.now(),
        "feed_url": request.build_absolute_uri(reverse("bookings:facility_feed", args=[event.facility_id])),
    }, status)


def _upcoming_events_or_all():
    return (Event.objects.select_related("facility", "room")
            .annotate(confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
                      waitlist_count=Count("registrations", filter=Q(registrations__status="waitlisted"))))


def _tickets(registrations):
    """Registrations ready to show their owner: a QR code for each live one, the place in line for
    each on a waitlist."""
    registrations = list(registrations)
    for registration in registrations:
        if registration.is_active and not registration.event.is_cancelled:
            registration.qr = qr_svg(registration.display_code)
        if registration.status == Registration.Status.WAITLISTED:
            registration.position = Registration.objects.filter(
                event_id=registration.event_id, status=Registration.Status.WAITLISTED,
            ).filter(Q(created_at__lt=registration.created_at)
                     | Q(created_at=registration.created_at, pk__lt=registration.pk)).count() + 1
    return registrations


# ---- my bookings and registrations ------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """My bookings and registrations, check-in QR codes, and my calendar subscription link."""
    resident, why_not = _resident_or_none(request)
    if resident is None:
        return _render(request, "bookings/mine.html", {"why_not": why_not}, 403)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew_calendar":
            services.renew_calendar_token(resident)
            messages.success(request, _("A new calendar link was made; the old one no longer works."))
        elif action == "revoke_calendar":
            services.revoke_calendar_tokens(resident)
            messages.success(request, _("The calendar link no longer works."))
        elif action == "create_calendar":
            services.calendar_token(resident)
        return redirect("bookings:mine")
    since = timezone.now() - datetime.timedelta(days=7)
    bookings = Booking.objects.filter(booker=resident, end__gte=since).select_related("room__facility").order_by("start")
    registrations = _tickets(
        own_rows(request.user, Registration).filter(event__end__gte=since)
        .select_related("event__facility", "event__room", "resident", "child").order_by("event__start", "pk"))
    token = services.calendar_token(resident, create=False)
    feed_url = request.build_absolute_uri(reverse("bookings:calendar_feed", args=[token.token])) if token else ""
    return _render(request, "bookings/mine.html", {
        "resident": resident, "bookings": bookings, "registrations": registrations,
        "now": timezone.now(), "feed_url": feed_url,
        "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
    })


# ---- staff -------------------------------------------------------------------------------------

def _require_staff(request):
    if not services.is_staff_somewhere(request.user):
        raise PermissionDenied(_("This page is for the service centre's staff."))


def _my_events_today(user):
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min), tz)
    queryset = (Event.objects.filter(start__gte=first, start__lt=first + datetime.timedelta(days=1))
                .select_related("facility", "room")
                .annotate(confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
                          checked_in_count=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)))
                .order_by("start"))
    ids = staff_facility_ids(user)
    return queryset if ids is None else queryset.filter(facility_id__in=ids)


@login_required
@require_http_methods(["GET", "POST"])
def staff(request):
    """Bookings to approve, today's events, and the check-in field."""
    _require_staff(request)
    status = 200
    if request.method == "POST":
        booking = get_object_or_404(Booking, pk=request.POST.get("booking"))
        try:
            if request.POST.get("action") == "approve":
                services.approve_booking(request.user, booking)
                messages.success(request, _("Approved; the resident has been told."))
            elif request.POST.get("action") == "reject":
                services.reject_booking(request.user, booking, request.POST.get("reason", ""))
                messages.success(request, _("Rejected; the resident has been told why."))
            return redirect("bookings:staff")
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
            status = errors.status_of(exc)
    pending = list(services.bookings_to_approve(request.user))
    for item in pending:
        item.masked_booker = mask_name(item.booker.name)
    return _render(request, "bookings/staff.html", {
        "pending": pending, "events_today": _my_events_today(request.user), "check_in_form": CheckInForm(),
        "reject_form": RejectForm(),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_event(request, pk):
    """One event for staff: who registered (names masked), who came, and the check-in field."""
    _require_staff(request)
    event = get_object_or_404(Event.objects.select_related("facility", "room"), pk=pk)
    ids = staff_facility_ids(request.user)
    if ids is not None and event.facility_id not in ids:
        raise Http404
    result, status = _handle_check_in(request, event)
    registrations = list(event.registrations.select_related("resident", "child").order_by("status", "created_at"))
    for registration in registrations:
        registration.masked_name = mask_name(registration.participant_name)
    counts = {s: sum(r.status == s for r in registrations) for s in Registration.Status.values}
    return _render(request, "bookings/staff_event.html", {
        "event": event, "registrations": registrations, "result": result, "counts": counts,
        "checked_in": sum(r.checked_in_at is not None for r in registrations),
        "check_in_form": CheckInForm(), "places": max(0, event.capacity - counts["confirmed"]),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request):
    """The check-in field on its own page (the staff page posts here too)."""
    _require_staff(request)
    result, status = _handle_check_in(request, None)
    return _render(request, "bookings/check_in.html", {
        "result": result, "check_in_form": CheckInForm(), "events_today": _my_events_today(request.user),
    }, status)


def _handle_check_in(request, event):
    if request.method != "POST":
        return None, 200
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return {"ok": False, "message": _("Type or scan a check-in code.")}, 400
    try:
        registration = services.check_in(request.user, form.cleaned_data["code"], event)
    except (errors.Refused, PermissionDenied) as exc:
        return {"ok": False, "message": errors.reason(exc), "code": form.cleaned_data["code"]}, errors.status_of(exc)
    # Staff see the whole name here to recognise the person; check_in wrote the access log.
    return {"ok": True, "registration": registration, "name": registration.participant_name,
            "event": registration.event,
            "message": _("Checked in: %(name)s.") % {"name": registration.participant_name}}, 200


# ---- calendar feeds ----------------------------------------------------------------------------

def _calendar_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = format_html('inline; filename="{}"', filename)
    response["Cache-Control"] = "private, max-age=300"
    return response


def calendar_feed(request, token):
    """A resident's own calendar, for calendar apps that subscribe without logging in."""
    found = get_object_or_404(CalendarToken.objects.select_related("resident"), token=token, revoked_at__isnull=True)
    CalendarToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return _calendar_response(ical.resident_feed(request, found.resident), "lifecircle.ics")


def room_feed(request, pk):
    room = get_object_or_404(Room.objects.select_related("facility"), pk=pk, bookable=True)
    return _calendar_response(ical.room_feed(request, room), f"room-{room.pk}.ics")


def facility_feed(request, pk):
    facility = get_object_or_404(Facility, pk=pk)
    return _calendar_response(ical.facility_feed(request, facility), f"facility-{facility.pk}-events.ics")

