"""Volunteers (志愿者): a registry of residents with skills and availability, activities with roles
and shifts, sign-ups with a capacity per shift, hours recorded by staff (the time bank, 时间银行),
and certificates of hours that anyone can verify by their code."""
import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import Resident
from lifecircle.community.models import SubDistrict
from lifecircle.directory import hours as opening_hours
from lifecircle.directory.models import Facility


def _local(obj, field):
    english = getattr(obj, field + "_en", "")
    return english if english and (get_language() or "").startswith("en") else getattr(obj, field)


class Skill(models.Model):
    """Something a volunteer can do: first aid, IT help, sign language, haircuts, …"""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return _local(self, "name")


class Volunteer(models.Model):
    """A resident who volunteers."""

    resident = models.OneToOneField(Resident, models.PROTECT, related_name="volunteer", verbose_name=_("resident"))
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers", verbose_name=_("skills"))
    availability = models.CharField(
        _("usually available"), max_length=200, blank=True,
        help_text=_('Weekdays and times, e.g. "Sa,Su 09:00-12:00; We 14:00-17:00".'))
    availability_note = models.CharField(_("note on availability"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["resident__name"]

    def __str__(self):
        return str(self.resident)

    def clean(self):
        try:
            opening_hours.parse(self.availability)
        except opening_hours.HoursError as exc:
            raise ValidationError({"availability": str(exc)}) from None

    def is_available(self, starts_at, ends_at):
        """Whether the usual availability covers the whole shift (None when none is given)."""
        if not self.availability.strip():
            return None
        spans = opening_hours.parse(self.availability)
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if start.date() != end.date() and not (end.time() == datetime.time() and end.date() == start.date() + datetime.timedelta(days=1)):
            return False
        first = start.hour * 60 + start.minute
        last = end.hour * 60 + end.minute or 1440
        return any(s.weekday == start.weekday() and s.start <= first and last <= s.end for s in spans)


class Activity(models.Model):
    """A volunteering activity: a community clean-up, meal delivery to elderly people, a fair."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+", verbose_name=_("sub-district"))
    facility = models.ForeignKey(
        Facility, models.SET_NULL, null=True, blank=True, related_name="volunteer_activities",
        verbose_name=_("facility"), help_text=_("Its staff run the activity; leave empty for the sub-district office."))
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    place = models.CharField(_("venue"), max_length=200, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("organiser"))
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def display_title(self):
        return _local(self, "title")

    @property
    def display_description(self):
        return _local(self, "description")


class Role(models.Model):
    """A job within an activity (e.g. 引导员 guide, 送餐员 meal courier), optionally needing a skill."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="roles", verbose_name=_("activity"))
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(_("what it involves"), max_length=300, blank=True)
    required_skill = models.ForeignKey(
        Skill, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("required skill"),
        help_text=_("Only volunteers with this skill may sign up."))

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["activity", "pk"]

    def __str__(self):
        return f"{self.activity} · {self.name}"

    @property
    def display_name(self):
        return _local(self, "name")


class Shift(models.Model):
    """A time slot of a role, for up to ``capacity`` volunteers."""

    MAX_HOURS = 12

    role = models.ForeignKey(Role, models.CASCADE, related_name="shifts", verbose_name=_("role"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("volunteers needed"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.role} {start:%Y-%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("A shift ends after it starts.")})
            if self.ends_at - self.starts_at > datetime.timedelta(hours=self.MAX_HOURS):
                raise ValidationError({"ends_at": _("A shift lasts at most %(hours)d hours.") % {"hours": self.MAX_HOURS}})
        if self.capacity is not None and self.capacity < 1:
            raise ValidationError({"capacity": _("At least one volunteer.")})

    @property
    def hours(self):
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


class SignUp(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CANCELLED = "cancelled", _("cancelled")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="signups", verbose_name=_("shift"))
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="signups", verbose_name=_("volunteer"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SIGNED_UP)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "created_at"]
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], condition=Q(status="signed_up"),
                                               name="one_active_signup_per_shift")]

    def __str__(self):
        return f"{self.volunteer} · {self.shift}"


class HoursRecord(models.Model):
    """Hours a volunteer gave, recorded by staff (the time bank)."""

    MAX_HOURS = Decimal("24")

    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="hours_records", verbose_name=_("volunteer"))
    activity = models.ForeignKey(Activity, models.PROTECT, related_name="hours_records", verbose_name=_("activity"))
    shift = models.ForeignKey(Shift, models.PROTECT, null=True, blank=True, related_name="hours_records",
                              verbose_name=_("shift"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("hours record")
        verbose_name_plural = _("hours records")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "shift"], condition=Q(shift__isnull=False),
                                    name="hours_once_per_shift"),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_between_0_and_24"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.date} {self.hours}h"


def new_certificate_code():
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


class Certificate(models.Model):
    """A certificate of hours as issued: what it said, so its code can be checked later."""

    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="certificates", verbose_name=_("volunteer"))
    code = models.CharField(_("verification code"), max_length=20, unique=True, default=new_certificate_code)
    name = models.CharField(_("name on the certificate"), max_length=100)
    total_hours = models.DecimalField(_("total hours"), max_digits=8, decimal_places=2)
    breakdown = models.JSONField(_("hours by activity"), default=list)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("issued by"))

    class Meta:
        verbose_name = _("certificate of hours")
        verbose_name_plural = _("certificates of hours")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.code
