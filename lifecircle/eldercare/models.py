"""Senior care: day-care and short/medium-term places, admissions and attendance, health checks
recorded with the resident's consent, and activities at the senior activity centres.

Capacity is per place type (a facility's daily places, its short-term places, the places reserved
for cognitive-impairment care, ...) and is never exceeded on any day of a stay: admissions lock the
place type's row and count the stays overlapping each day.
"""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import Resident
from lifecircle.directory.models import Facility

#: Facilities offering one of these (as main category or further service) have care places.
CARE_CATEGORIES = ("senior_day_care", "senior_care_home")
#: Facilities offering one of these may hold activities for seniors.
SENIOR_CATEGORIES = ("senior_activity", "senior_service_center", "senior_day_care", "senior_meals",
                     "senior_care_home")


def facilities_offering(slugs):
    return (Facility.objects.filter(active=True)
            .filter(Q(category__slug__in=slugs) | Q(services__slug__in=slugs)).distinct()
            .order_by("subdistrict", "code"))


def offers(facility, slugs):
    return facilities_offering(slugs).filter(pk=facility.pk).exists()


class PlaceType(models.Model):
    """A kind of place at one facility, with how many there are."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("day care")
        SHORT_TERM = "short_term", _("short-term stay")
        MEDIUM_TERM = "medium_term", _("medium-term stay")

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="place_types", verbose_name=_("facility"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cognitive_care = models.BooleanField(
        _("reserved for cognitive-impairment care"), default=False,
        help_text=_("Only residents assessed with cognitive impairment may take these places."))
    capacity = models.PositiveIntegerField(_("number of places"), validators=[MaxValueValidator(1000)])
    max_days = models.PositiveIntegerField(_("longest stay (days)"), null=True, blank=True,
                                           help_text=_("Empty: no limit."))
    active = models.BooleanField(_("taking admissions"), default=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("place type")
        verbose_name_plural = _("place types")
        ordering = ["facility", "kind", "cognitive_care"]
        constraints = [models.UniqueConstraint(fields=["facility", "kind", "cognitive_care"],
                                               name="one_place_type_per_kind")]

    def __str__(self):
        return f"{self.facility} · {self.label}"

    @property
    def label(self):
        text = str(self.get_kind_display())
        return f"{text}（{_('cognitive care')}）" if self.cognitive_care else text

    def clean(self):
        if self.facility_id and not offers(self.facility, CARE_CATEGORIES):
            raise ValidationError({"facility": _("This facility offers neither day care nor a care home.")})
        if self.pk and self.capacity is not None:
            busiest, day = peak_from(self, timezone.localdate())
            if busiest > self.capacity:
                raise ValidationError({"capacity": _("%(n)s places are taken on %(day)s; there cannot be fewer.")
                                       % {"n": busiest, "day": day}})


class Admission(models.Model):
    """A resident's stay in places of one type, from the first day to the last (inclusive)."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("admitted")
        CANCELLED = "cancelled", _("cancelled")

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="care_admissions",
                                 verbose_name=_("resident"))
    place_type = models.ForeignKey(PlaceType, models.PROTECT, related_name="admissions",
                                   verbose_name=_("place type"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    cognitive_impairment = models.BooleanField(_("assessed with cognitive impairment"), default=False)
    notes = models.TextField(_("care notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ADMITTED)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("admitted by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["-start", "pk"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="stay_ends_after_start")]

    def __str__(self):
        return f"{self.resident} {self.place_type} {self.start}–{self.end}"

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def covers(self, day):
        return self.start <= day <= self.end


# ---- places taken (the counting rule the admission rules and PlaceType.clean share) ----------

def _stays(place_type, start, end, exclude=None):
    stays = Admission.objects.filter(place_type=place_type, status=Admission.Status.ADMITTED,
                                     start__lte=end, end__gte=start)
    if exclude is not None:
        stays = stays.exclude(pk=exclude)
    return list(stays.values_list("start", "end"))


def peak(place_type, start, end, exclude=None):
    """(most places taken on any day from ``start`` to ``end``, the first such day)."""
    stays = _stays(place_type, start, end, exclude)
    best, best_day = 0, start
    changes = {}
    for first, last in stays:
        first = max(first, start)
        changes[first] = changes.get(first, 0) + 1
        after = last + datetime.timedelta(days=1)
        if after <= end:
            changes[after] = changes.get(after, 0) - 1
    taken = 0
    for day in sorted(changes):
        taken += changes[day]
        if taken > best:
            best, best_day = taken, day
    return best, best_day


def peak_from(place_type, day):
    """``peak`` from ``day`` to the last day of any admitted stay; (0, day) when none is left."""
    last = Admission.objects.filter(place_type=place_type, status=Admission.Status.ADMITTED, end__gte=day) \
        .order_by("-end").values_list("end", flat=True).first()
    return peak(place_type, day, last) if last else (0, day)


class Attendance(models.Model):
    """A day a resident with a place was actually there."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="attendance",
                                  verbose_name=_("admission"))
    date = models.DateField(_("date"))
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["admission", "date"], name="one_attendance_per_day")]


class HealthConsent(models.Model):
    """A resident's consent, recorded by staff, to having health checks recorded and kept."""

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="health_consents",
                                 verbose_name=_("resident"))
    evidence = models.CharField(_("how consent was given"), max_length=200,
                                help_text=_("e.g. signed form no. 2026-031"))
    # Where it was given: only that facility's staff (and administrators) may revoke it. Empty on
    # consents recorded before this was kept; those only their recorder or an administrator revokes.
    facility = models.ForeignKey(Facility, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("health-record consent")
        verbose_name_plural = _("health-record consents")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.resident} ({self.recorded_at:%Y-%m-%d})"

    @property
    def active(self):
        return self.revoked_at is None

    @classmethod
    def current(cls, resident):
        return cls.objects.filter(resident=resident, revoked_at__isnull=True).order_by("-recorded_at").first()


class HealthCheck(models.Model):
    """One visit's readings. Readings outside what a living person can have are refused."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="health_checks", verbose_name=_("resident"))
    facility = models.ForeignKey(Facility, models.PROTECT, related_name="health_checks", verbose_name=_("facility"))
    consent = models.ForeignKey(HealthConsent, models.PROTECT, related_name="checks", verbose_name=_("consent"))
    measured_at = models.DateTimeField(_("measured"), default=timezone.now)
    systolic = models.PositiveSmallIntegerField(
        _("blood pressure, systolic (mmHg)"), null=True, blank=True,
        validators=[MinValueValidator(60), MaxValueValidator(260)])
    diastolic = models.PositiveSmallIntegerField(
        _("blood pressure, diastolic (mmHg)"), null=True, blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(160)])
    pulse = models.PositiveSmallIntegerField(
        _("pulse (beats a minute)"), null=True, blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(220)])
    glucose = models.DecimalField(
        _("blood glucose (mmol/L)"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("35.0"))])
    weight = models.DecimalField(
        _("weight (kg)"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("20.0")), MaxValueValidator(Decimal("250.0"))])
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    READINGS = ("systolic", "diastolic", "pulse", "glucose", "weight")

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["-measured_at", "-pk"]

    def __str__(self):
        return f"{self.resident} {timezone.localtime(self.measured_at):%Y-%m-%d %H:%M}"

    def clean(self):
        if all(getattr(self, name) is None for name in self.READINGS):
            raise ValidationError(_("Record at least one reading."))
        if (self.systolic is None) != (self.diastolic is None):
            raise ValidationError({"diastolic": _("Record blood pressure as both systolic and diastolic.")})
        if self.systolic is not None and self.diastolic is not None and self.diastolic >= self.systolic:
            raise ValidationError({"diastolic": _("The diastolic pressure must be below the systolic.")})
        if self.measured_at and self.measured_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"measured_at": _("A check cannot be recorded for a time still to come.")})

    @property
    def blood_pressure(self):
        return f"{self.systolic}/{self.diastolic}" if self.systolic is not None else ""


class Activity(models.Model):
    """An activity for seniors at an activity centre: a class, a talk, a social afternoon."""

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="senior_activities",
                                 verbose_name=_("facility"))
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    start = models.DateTimeField(_("start time"))
    end = models.DateTimeField(_("end time"))
    capacity = models.PositiveIntegerField(_("number of places"),
                                           validators=[MinValueValidator(1), MaxValueValidator(1000)])
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "pk"]

    def __str__(self):
        return f"{self.title} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

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

    def clean(self):
        errors = {}
        if self.facility_id and not offers(self.facility, SENIOR_CATEGORIES):
            errors["facility"] = _("Activities are held at facilities for seniors.")
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("An activity must end after it starts.")
        if self.pk and self.capacity is not None:
            taken = self.signups.filter(status=ActivitySignup.Status.SIGNED_UP).count()
            if self.capacity < taken:
                errors["capacity"] = _("%(n)s people have signed up; there cannot be fewer places.") % {"n": taken}
        if errors:
            raise ValidationError(errors)

    def taken(self):
        return self.signups.filter(status=ActivitySignup.Status.SIGNED_UP).count()


class ActivitySignup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="signups", verbose_name=_("activity"))
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="activity_signups",
                                 verbose_name=_("resident"))
    signed_up_by = models.ForeignKey(Resident, models.PROTECT, related_name="+", verbose_name=_("signed up by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SIGNED_UP)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        ordering = ["activity", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "resident"], condition=Q(status="signed_up"),
                                               name="one_signup_per_activity")]

    def __str__(self):
        return f"{self.resident} → {self.activity}"
