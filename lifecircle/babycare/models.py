"""Baby care for children aged 1–3: the centres' programmes, their age groups and places, the
priority rules of their waiting lists, applications, offers, placements and daily attendance.

Age rule (decided here, shown to parents): a centre takes a child who is at least 12 and at most
36 whole months old on the requested start date, i.e. from the first birthday until the month
after the third (children start kindergarten at three, in the September after their birthday,
so a child who turned three shortly before the start date still gets a place). The age group is
chosen by the age in months on the start date.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import Child, Resident
from lifecircle.community.models import Compound
from lifecircle.directory import hours
from lifecircle.directory.models import Facility

#: The youngest and oldest age, in whole months on the start date, that baby care takes.
MIN_MONTHS = 12
MAX_MONTHS = 36
INFANT_CARE = "infant_care"


class CareProgramme(models.Model):
    """What one baby-care centre (a Facility of category infant_care) offers and how it admits.

    Session days and hours are the facility's opening hours (and its hours exceptions).
    """

    class CentreType(models.TextChoices):
        INTERGENERATIONAL = "intergenerational", _("intergenerational care")
        LANGUAGE = "language", _("infant language development")
        FAMILY_SUPPORT = "family_support", _("family care and support")
        EARLY_LEARNING = "early_learning", _("parent–child early learning")
        HOURLY = "hourly", _("hourly and temporary care")

    facility = models.OneToOneField(
        Facility, models.CASCADE, related_name="care_programme", verbose_name=_("centre"),
        limit_choices_to={"category__slug": INFANT_CARE},
    )
    centre_type = models.CharField(_("centre type"), max_length=20, choices=CentreType.choices)
    offer_days = models.PositiveSmallIntegerField(
        _("days to answer an offer"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("An offered place goes to the next child in line if the family has not accepted it by then."),
    )
    accepting_applications = models.BooleanField(_("accepting applications"), default=True)
    notes = models.TextField(_("notes for families"), blank=True)
    notes_en = models.TextField(_("notes for families (English)"), blank=True)
    illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Places and rules are examples, not the centre's real ones.")
    )

    class Meta:
        verbose_name = _("baby-care centre programme")
        verbose_name_plural = _("baby-care centre programmes")
        ordering = ["facility__code"]

    def __str__(self):
        return self.facility.name

    def clean(self):
        if self.facility_id and self.facility.category.slug != INFANT_CARE:
            raise ValidationError({"facility": _("Only a facility of the category infant care can run a baby-care programme.")})

    @property
    def code(self):
        return self.facility.code

    @property
    def display_name(self):
        return self.facility.display_name

    def is_session_day(self, day: datetime.date):
        """Whether the centre is open on ``day``: its weekly hours, unless an hours exception says otherwise."""
        exception = self.facility.exception_on(day)
        spans = exception.spans() if exception is not None else hours.spans_on(self.facility.weekly_hours, day)
        return bool(spans)


class AgeGroup(models.Model):
    """Children of ``min_months``–``max_months`` (whole months on the start date, both included)
    and the number of places the centre has for them."""

    programme = models.ForeignKey(CareProgramme, models.CASCADE, related_name="age_groups", verbose_name=_("centre"))
    min_months = models.PositiveSmallIntegerField(_("from (months)"))
    max_months = models.PositiveSmallIntegerField(_("to (months, included)"))
    places = models.PositiveSmallIntegerField(_("places"))

    class Meta:
        verbose_name = _("age group")
        verbose_name_plural = _("age groups")
        ordering = ["programme", "min_months"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_months__lte=models.F("max_months")), name="babycare_age_group_range"),
            models.UniqueConstraint(fields=["programme", "min_months"], name="babycare_one_group_per_start_age"),
        ]

    def __str__(self):
        return f"{self.programme} {self.label}"

    @property
    def label(self):
        return _("%(min)s–%(max)s months") % {"min": self.min_months, "max": self.max_months}

    def covers(self, months):
        return self.min_months <= months <= self.max_months

    def taken(self):
        """Places held by an open offer or a placement."""
        return self.applications.filter(status__in=Application.HOLDING).count()

    def clean(self):
        if self.min_months is None or self.max_months is None:
            return
        if not MIN_MONTHS <= self.min_months <= self.max_months <= MAX_MONTHS:
            raise ValidationError(
                _("An age group must lie within %(min)s–%(max)s months, the youngest first.")
                % {"min": MIN_MONTHS, "max": MAX_MONTHS}
            )
        if self.programme_id:
            others = AgeGroup.objects.filter(programme_id=self.programme_id).exclude(pk=self.pk)
            overlap = others.filter(min_months__lte=self.max_months, max_months__gte=self.min_months).first()
            if overlap:
                raise ValidationError(_("This age group overlaps %(other)s.") % {"other": overlap.label})
        if self.pk and self.places is not None:
            taken = self.taken()
            if self.places < taken:
                raise ValidationError({"places": _(
                    "%(taken)s places of this group are offered or taken; end placements before lowering it below that."
                ) % {"taken": taken}})


class PriorityRule(models.Model):
    """One rule of a centre's waiting list: a child it applies to gets ``weight`` points.

    The waiting list is ordered by the sum of points, then by when the family applied.
    """

    class Kind(models.TextChoices):
        NEAR_HOME = "near_home", _("lives in a compound near the centre")
        SIBLING_PLACED = "sibling_placed", _("a brother or sister already has a place here")
        BOTH_PARENTS_WORKING = "both_parents_working", _("both parents work")
        HARDSHIP = "hardship", _("family registered for hardship support")

    programme = models.ForeignKey(CareProgramme, models.CASCADE, related_name="priority_rules", verbose_name=_("centre"))
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("rule"), max_length=30, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(_("points"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    compounds = models.ManyToManyField(
        Compound, blank=True, related_name="+", verbose_name=_("compounds near the centre"),
        help_text=_("Only for the rule 'lives in a compound near the centre'."),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority rules")
        ordering = ["programme", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "kind"], name="babycare_one_rule_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} (+{self.weight})"


class Application(models.Model):
    """A family asks for a place for one child at one centre, from a start date."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("place offered")
        PLACED = "placed", _("has a place")
        DECLINED = "declined", _("offer declined")
        EXPIRED = "expired", _("offer expired")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ACTIVE = (Status.WAITING, Status.OFFERED, Status.PLACED)
    HOLDING = (Status.OFFERED, Status.PLACED)  # these hold one of the group's places

    programme = models.ForeignKey(CareProgramme, models.PROTECT, related_name="applications", verbose_name=_("centre"))
    age_group = models.ForeignKey(AgeGroup, models.PROTECT, related_name="applications", verbose_name=_("age group"))
    child = models.ForeignKey(Child, models.CASCADE, related_name="babycare_applications", verbose_name=_("child"))
    applicant = models.ForeignKey(Resident, models.PROTECT, related_name="babycare_applications", verbose_name=_("applicant"))
    start_date = models.DateField(_("wished start date"))
    age_months_at_start = models.PositiveSmallIntegerField(_("age on the start date (months)"))
    both_parents_working = models.BooleanField(_("both parents work (declared)"), default=False)
    registered_hardship = models.BooleanField(_("registered for hardship support (declared)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("applied"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("baby-care application")
        verbose_name_plural = _("baby-care applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "programme"], condition=models.Q(status__in=["waiting", "offered", "placed"]),
                name="babycare_one_active_application",
            ),
        ]
        indexes = [models.Index(fields=["age_group", "status"], name="babycare_app_group_status")]

    def __str__(self):
        return f"{self.child} → {self.programme}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    def open_offer(self):
        return self.offers.filter(status=Offer.Status.OPEN).first()

    def last_offer(self):
        return self.offers.order_by("-made_at", "-pk").first()


class Offer(models.Model):
    """A place offered to an application, held for it until the family answers or it expires."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn")

    application = models.ForeignKey(Application, models.CASCADE, related_name="offers", verbose_name=_("application"))
    made_at = models.DateTimeField(_("offered"))
    expires_at = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer of a place")
        verbose_name_plural = _("offers of a place")
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(status="open"), name="babycare_one_open_offer"),
        ]

    def __str__(self):
        return f"{self.application} ({self.get_status_display()})"


class Placement(models.Model):
    """A child's place at a centre, from an accepted offer until the family withdraws."""

    application = models.OneToOneField(Application, models.CASCADE, related_name="placement", verbose_name=_("application"))
    starts_on = models.DateField(_("starts"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    placed_at = models.DateTimeField(_("accepted"))

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return str(self.application)

    @property
    def child(self):
        return self.application.child

    @property
    def programme(self):
        return self.application.programme

    def is_on(self, day):
        """Whether the child has this place on ``day``."""
        return self.starts_on <= day and (self.ended_on is None or day < self.ended_on)


class Attendance(models.Model):
    """Whether a placed child came on one day; an absence has a reason."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")

    class Reason(models.TextChoices):
        SICK = "sick", _("sick")
        MEDICAL = "medical", _("doctor or vaccination")
        FAMILY = "family", _("family reasons")
        TRAVEL = "travel", _("away from home")
        OTHER = "other", _("other")

    placement = models.ForeignKey(Placement, models.CASCADE, related_name="attendance", verbose_name=_("placement"))
    date = models.DateField(_("date"))
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by_parent = models.BooleanField(_("reported by the family"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-date", "placement"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "date"], name="babycare_one_attendance_per_day"),
            models.CheckConstraint(
                condition=models.Q(status="present", reason="") | models.Q(status="absent") & ~models.Q(reason=""),
                name="babycare_absence_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.placement} {self.date}: {self.get_status_display()}"
