"""Care at home: care plans from an assessment, the visits they generate, the carers who make them,
the day's rounds and what was recorded at the door.

A ``CarePlan`` belongs to one verified resident who has consented to health records (the consent
row is kept on the plan, as health checks keep theirs, until the resident's data is erased) and is
served by one provider (a care home, a service centre, a health centre) and, where named, only by
the plan's carers. Each ``CareNeed``
says what is needed, on which weekdays, in which time window and for how long; visits are generated
from the needs and can be moved or cancelled one by one. A ``DayPlan`` holds one provider's rounds
for a day, solved on the street network; re-planning replaces it whole.
"""
import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import Resident
from lifecircle.directory.models import Facility
from lifecircle.eldercare.models import HealthConsent
from lifecircle.meals.models import Meal, MealOrder

#: Facilities offering one of these (as main category or further service) may provide care at home.
PROVIDER_CATEGORIES = ("senior_care_home", "senior_service_center", "senior_day_care", "health_center",
                       "health_station")


def providers():
    return (Facility.objects.filter(active=True)
            .filter(Q(category__slug__in=PROVIDER_CATEGORIES) | Q(services__slug__in=PROVIDER_CATEGORIES))
            .distinct().order_by("subdistrict", "code"))


class Kind(models.TextChoices):
    PERSONAL_CARE = "personal_care", _("personal care")
    NURSING = "nursing", _("nursing")
    REHABILITATION = "rehabilitation", _("rehabilitation")
    COGNITIVE = "cognitive_support", _("cognitive support")
    MEAL_DELIVERY = "meal_delivery", _("meal delivery")
    CHECK_VISIT = "check_visit", _("check visit")


#: The kinds a carer must be trained for; anyone may deliver a meal or look in.
SKILLED = {Kind.PERSONAL_CARE, Kind.NURSING, Kind.REHABILITATION, Kind.COGNITIVE}


def skill_for(kind):
    return {kind} if kind in SKILLED else set()


def skill_labels(skills):
    labels = dict(Kind.choices)
    return [str(labels.get(s, s)) for s in skills]


#: When a delivered meal may reach the door, and how long handing it over takes.
MEAL_WINDOWS = {Meal.BREAKFAST: (datetime.time(7, 0), datetime.time(8, 30)),
                Meal.LUNCH: (datetime.time(11, 0), datetime.time(12, 0)),
                Meal.DINNER: (datetime.time(17, 0), datetime.time(18, 0))}
MEAL_MINUTES = 5


class Carer(models.Model):
    """A member of a provider's staff who makes home visits, with their skills and usual shift."""

    class Profile(models.TextChoices):
        WALK = "walk", _("on foot")
        EBIKE = "ebike", _("e-bike")

    provider = models.ForeignKey(Facility, models.PROTECT, related_name="carers", verbose_name=_("provider"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="carers",
                             verbose_name=_("account"))
    name = models.CharField(_("name"), max_length=100)
    skills = models.JSONField(_("skills"), default=list, blank=True,
                              help_text=_("personal_care, nursing, rehabilitation, cognitive_support"))
    shift_start = models.TimeField(_("shift starts"), default=datetime.time(7, 0))
    shift_end = models.TimeField(_("shift ends"), default=datetime.time(15, 0))
    profile = models.CharField(_("travels"), max_length=10, choices=Profile.choices, default=Profile.WALK)
    active = models.BooleanField(_("active"), default=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("carer")
        verbose_name_plural = _("carers")
        ordering = ["provider", "name"]

    def __str__(self):
        return f"{self.name}（{self.provider}）"


class CarerAbsence(models.Model):
    """A day a carer cannot work (off sick, leave): their visits are planned to others."""

    carer = models.ForeignKey(Carer, models.CASCADE, related_name="absences", verbose_name=_("carer"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("carer absence")
        verbose_name_plural = _("carer absences")
        constraints = [models.UniqueConstraint(fields=["carer", "date"], name="one_absence_per_carer_day")]


class CarePlan(models.Model):
    """A resident's home care plan, from an assessment."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="care_plans", verbose_name=_("resident"))
    provider = models.ForeignKey(Facility, models.PROTECT, related_name="care_plans", verbose_name=_("provider"))
    # Cleared only when the resident's data is erased (PIPL): the consent goes, the plan's record stays.
    consent = models.ForeignKey(HealthConsent, models.SET_NULL, null=True, blank=True, related_name="care_plans",
                                verbose_name=_("consent"))
    care_level = models.PositiveSmallIntegerField(
        _("assessed care level"), validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("1 (least) to 6 (most), as in the long-term care insurance assessment."))
    assessed_on = models.DateField(_("assessed on"))
    assessment = models.TextField(_("assessment notes"), blank=True)
    carers = models.ManyToManyField(Carer, blank=True, related_name="plans", verbose_name=_("carers who may serve"),
                                    help_text=_("Empty: any of the provider's carers with the skill."))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("home care plan")
        verbose_name_plural = _("home care plans")
        ordering = ["provider", "resident"]

    def __str__(self):
        return f"{self.resident} · {self.provider}"


class CareNeed(models.Model):
    """One line of a plan: what, on which weekdays, in which window, for how long."""

    plan = models.ForeignKey(CarePlan, models.CASCADE, related_name="needs", verbose_name=_("plan"))
    kind = models.CharField(_("what is needed"), max_length=20, choices=Kind.choices)
    weekdays = models.JSONField(_("weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday"))
    window_start = models.TimeField(_("not before"))
    window_end = models.TimeField(_("start by"))
    minutes = models.PositiveSmallIntegerField(_("minutes at the door"),
                                               validators=[MinValueValidator(1), MaxValueValidator(480)])
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. insulin before breakfast"))

    class Meta:
        verbose_name = _("care need")
        verbose_name_plural = _("care needs")
        ordering = ["plan", "window_start"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.window_start:%H:%M}–{self.window_end:%H:%M}"


class DayPlan(models.Model):
    """One provider's rounds for one day, as the solver last made them."""

    provider = models.ForeignKey(Facility, models.CASCADE, related_name="home_care_days", verbose_name=_("provider"))
    date = models.DateField(_("date"))
    solved_at = models.DateTimeField(_("planned"), auto_now=True)
    solve_seconds = models.FloatField(_("solver seconds"), default=0)
    unassigned = models.JSONField(_("not assigned"), default=list, blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("day's rounds")
        verbose_name_plural = _("days' rounds")
        constraints = [models.UniqueConstraint(fields=["provider", "date"], name="one_day_plan_per_provider")]


class CareRound(models.Model):
    """One carer's ordered round of one day."""

    day = models.ForeignKey(DayPlan, models.CASCADE, related_name="rounds", verbose_name=_("day"))
    carer = models.ForeignKey(Carer, models.PROTECT, related_name="rounds", verbose_name=_("carer"))
    leaves = models.TimeField(_("leaves the provider"))
    returns = models.TimeField(_("back at the provider"))
    walk_seconds = models.PositiveIntegerField(_("travel (seconds)"))
    walk_metres = models.FloatField(_("travel (metres)"))

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["day", "carer__name"]


class Visit(models.Model):
    """One visit of a plan on one day, and what was recorded at the door."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CANCELLED = "cancelled", _("cancelled")
        DONE = "done", _("done")

    class FollowUp(models.TextChoices):
        NONE = "", _("none")
        GRID = "grid", _("grid worker")
        FAMILY = "family", _("family")
        BOTH = "both", _("grid worker and family")

    plan = models.ForeignKey(CarePlan, models.CASCADE, related_name="visits", verbose_name=_("plan"))
    need = models.ForeignKey(CareNeed, models.CASCADE, related_name="visits", verbose_name=_("need"))
    date = models.DateField(_("date"))
    window_start = models.TimeField(_("not before"))
    window_end = models.TimeField(_("start by"))
    minutes = models.PositiveSmallIntegerField(_("minutes at the door"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    change_reason = models.CharField(_("why moved or cancelled"), max_length=200, blank=True)
    round = models.ForeignKey(CareRound, models.SET_NULL, null=True, blank=True, related_name="visits",
                              verbose_name=_("round"))
    sequence = models.PositiveSmallIntegerField(_("order in the round"), null=True, blank=True)
    expected_at = models.TimeField(_("expected"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    done = models.TextField(_("what was done"), blank=True)
    observations = models.TextField(_("observations"), blank=True)
    follow_up = models.CharField(_("follow-up asked of"), max_length=10, choices=FollowUp.choices, blank=True,
                                 default=FollowUp.NONE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["date", "window_start", "pk"]
        constraints = [models.UniqueConstraint(fields=["need", "date"], name="one_visit_per_need_and_day")]

    def __str__(self):
        return f"{self.plan.resident} {self.date} {self.need.get_kind_display()}"


class MealDrop(models.Model):
    """A meal ordered for home delivery (meals app) that a carer takes along on a round."""

    round = models.ForeignKey(CareRound, models.CASCADE, related_name="meal_drops", verbose_name=_("round"))
    order = models.ForeignKey(MealOrder, models.CASCADE, related_name="home_care_drops", verbose_name=_("meal order"))
    sequence = models.PositiveSmallIntegerField(_("order in the round"))
    expected_at = models.TimeField(_("expected"))

    class Meta:
        verbose_name = _("meal delivery on a round")
        verbose_name_plural = _("meal deliveries on rounds")
        ordering = ["round", "sequence"]
