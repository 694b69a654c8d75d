"""Room bookings at the service centre, events and lectures with registration, waitlist and
check-in, and the secret tokens that let calendar apps subscribe to a resident's calendar.

The rules (who may book, when, capacity) live in services.py; the one overlap rule, ``room_clash``,
lives here because ``Event.clean`` applies it too. The models hold state and the constraints the
database itself enforces as a last line of defence.
"""
import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext, gettext_lazy as _

from lifecircle.accounts.masking import mask_name
from lifecircle.accounts.models import Child, Resident
from lifecircle.directory.models import Facility, Room

from .times import span_text

#: Letters and digits that cannot be mistaken for one another when read aloud or typed
#: (no 0/O, 1/I/L): 31 symbols, so an 8-symbol code holds almost 40 random bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_check_in_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """What staff typed or a scanner sent ("abcd-efgh ", "ABCDEFGH") → the stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_code(code):
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


class Booking(models.Model):
    """A resident's booking of a room for a time slot."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    #: Bookings in these states hold their slot; no other booking may overlap them.
    HOLDING = (Status.PENDING, Status.CONFIRMED)

    room = models.ForeignKey(Room, models.PROTECT, related_name="bookings", verbose_name=_("room"))
    booker = models.ForeignKey(Resident, models.PROTECT, related_name="room_bookings", verbose_name=_("booked by"))
    group_name = models.CharField(
        _("on behalf of"), max_length=100, blank=True, help_text=_("The group or club the booker organises, if any.")
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    attendees = models.PositiveIntegerField(_("expected attendees"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative (demo)"), default=False)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["room", "start"], name="booking_room_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(attendees__gte=1), name="booking_has_attendees"),
            # On PostgreSQL migration 0002 adds an exclusion constraint: no two holding bookings of a
            # room overlap (services.book_room also locks the room row and checks first).
        ]

    def __str__(self):
        return f"{self.room} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("bookings:booking", args=[self.pk])

    @property
    def holds_slot(self):
        return self.status in self.HOLDING

    @property
    def is_over(self):
        return self.end <= timezone.now()


class Event(models.Model):
    """An event or lecture at a facility that residents register for."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")
        CLASS = "class", _("class")
        ACTIVITY = "activity", _("activity")
        PERFORMANCE = "performance", _("performance")

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="events", verbose_name=_("facility"))
    room = models.ForeignKey(
        Room, models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("room"),
        help_text=_("The room it takes place in, if any; the room cannot be booked while the event runs."),
    )
    code = models.SlugField(
        _("code"), max_length=64, blank=True, help_text=_("Optional stable identifier, for data loaded from files.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.LECTURE)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("places"))
    waitlist_limit = models.PositiveIntegerField(
        _("waitlist length"), null=True, blank=True, help_text=_("Empty: anyone may join the waitlist.")
    )
    registration_opens = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: open as soon as the event is published.")
    )
    registration_closes = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: open until the event begins.")
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrative (demo)"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("event or lecture")
        verbose_name_plural = _("events and lectures")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_has_places"),
            models.UniqueConstraint(fields=["facility", "code"], condition=~Q(code=""), name="unique_event_code"),
        ]

    def __str__(self):
        return f"{self.title} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("bookings:event", args=[self.pk])

    @property
    def display_title(self):
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title

    @property
    def display_description(self):
        if self.description_en and (get_language() or "").startswith("en"):
            return self.description_en
        return self.description

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def closes_at(self):
        return self.registration_closes or self.start

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if self.room_id and self.facility_id and self.room.facility_id != self.facility_id:
            errors["room"] = _("This room is in another facility.")
        if self.registration_opens and self.registration_closes and self.registration_closes <= self.registration_opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        if self.registration_closes and self.end and self.registration_closes > self.end:
            errors["registration_closes"] = _("Registration must close before the event ends.")
        if not errors and self.room_id and self.start and self.end and not self.is_cancelled:
            clash = room_clash(self.room, self.start, self.end, exclude_event=self.pk)
            if clash is not None:
                errors["room"] = clash.message()
        if errors:
            raise ValidationError(errors)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Registration.ACTIVE)


class Registration(models.Model):
    """A place (or a place on the waitlist) at an event, for a resident or a child of their household."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("place confirmed")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, models.CASCADE, related_name="registrations", verbose_name=_("event"))
    resident = models.ForeignKey(
        Resident, models.CASCADE, null=True, blank=True, related_name="event_registrations", verbose_name=_("resident")
    )
    child = models.ForeignKey(
        Child, models.CASCADE, null=True, blank=True, related_name="event_registrations", verbose_name=_("child")
    )
    registered_by = models.ForeignKey(Resident, models.CASCADE, related_name="+", verbose_name=_("registered by"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    code = models.CharField(_("check-in code"), max_length=CODE_LENGTH, unique=True, default=new_check_in_code)
    promoted_at = models.DateTimeField(_("moved up from the waitlist"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("checked in by"),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resident__isnull=False) & Q(child__isnull=True))
                | (Q(resident__isnull=True) & Q(child__isnull=False)),
                name="registration_for_one_person",
            ),
            models.UniqueConstraint(
                fields=["event", "resident"],
                condition=Q(status__in=["confirmed", "waitlisted"], resident__isnull=False),
                name="one_active_registration_per_resident",
            ),
            models.UniqueConstraint(
                fields=["event", "child"], condition=Q(status__in=["confirmed", "waitlisted"], child__isnull=False),
                name="one_active_registration_per_child",
            ),
        ]

    def __str__(self):
        return f"{self.event} – {mask_name(self.participant_name)}"

    @property
    def participant(self):
        return self.resident if self.resident_id else self.child

    @property
    def participant_name(self):
        return self.participant.name

    @property
    def display_code(self):
        return format_code(self.code)

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    def get_absolute_url(self):
        return reverse("bookings:event", args=[self.event_id])


class CalendarToken(models.Model):
    """A secret in a calendar feed's URL: calendar apps fetch without a session. Revocable."""

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="calendar_tokens")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self):
        return f"{self.resident} ({'revoked' if self.revoked_at else 'active'})"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)


# ---- room clashes (the rule models and services share) ----------------------------------------

@dataclass
class Clash:
    """What already occupies a room at the time asked for."""

    start: datetime.datetime
    end: datetime.datetime
    booking: Booking | None = None
    event: Event | None = None

    def message(self):
        return gettext("The room is already booked from %(span)s.") % {"span": span_text(self.start, self.end)}


def room_clash(room, start, end, exclude_event=None):
    """The first holding booking or running event of ``room`` overlapping [start, end), or None: the
    one overlap rule of residents' bookings (``services.book_room``) and of staff's events (``Event.clean``)."""
    booking = (Booking.objects.filter(room=room, status__in=Booking.HOLDING, start__lt=end, end__gt=start)
               .order_by("start").first())
    events = Event.objects.filter(room=room, cancelled_at__isnull=True, start__lt=end, end__gt=start)
    if exclude_event:
        events = events.exclude(pk=exclude_event)
    event = events.order_by("start").first()
    candidates = [c for c in (booking and Clash(booking.start, booking.end, booking=booking),
                              event and Clash(event.start, event.end, event=event)) if c]
    return min(candidates, key=lambda c: c.start) if candidates else None
