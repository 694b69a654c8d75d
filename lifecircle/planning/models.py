"""What-if planning: named scenarios holding a copy of the sub-district's facilities, the
changes a planner makes to them, and what every compound can reach in each scenario.

A scenario never touches the live directory: its facilities are copies (``ScenarioFacility``),
and its walking results (``ScenarioAccess``) sit beside the live ones (``CompoundAccess``).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecircle.community.models import Compound, Grid, SubDistrict
from lifecircle.directory.models import Facility, ServiceCategory


class Scenario(models.Model):
    """A named copy of the sub-district's facilities that a planner may change freely."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("planning scenario")
        verbose_name_plural = _("planning scenarios")
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="unique_scenario_name")]

    def __str__(self):
        return self.name


class ScenarioFacility(models.Model):
    """One facility as it is in a scenario: copied from the directory, added, or sited by a model."""

    class Origin(models.TextChoices):
        COPIED = "copied", _("copied from the directory")
        ADDED = "added", _("added by a planner")
        SITED = "sited", _("proposed by a siting model")

    scenario = models.ForeignKey(Scenario, models.CASCADE, related_name="facilities")
    source = models.ForeignKey(Facility, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("copied from"))
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category = models.ForeignKey(ServiceCategory, models.PROTECT, related_name="+", verbose_name=_("category"))
    services = models.ManyToManyField(ServiceCategory, blank=True, related_name="+", verbose_name=_("further services"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    grid = models.ForeignKey(Grid, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("grid"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("open for service"), default=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.ADDED)

    class Meta:
        verbose_name = _("scenario facility")
        verbose_name_plural = _("scenario facilities")
        ordering = ["scenario", "category__slug", "code"]
        constraints = [models.UniqueConstraint(fields=["scenario", "code"], name="unique_scenario_facility_code")]

    def __str__(self):
        return f"{self.scenario}: {self.name}"

    @property
    def display_name(self):
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def all_categories(self):
        """The main category and every further service, each once."""
        extra = [c for c in self.services.all() if c.pk != self.category_id]
        return [self.category, *extra]


class ScenarioChange(models.Model):
    """One change a planner made to a scenario, what it touched and how long the update took."""

    class Action(models.TextChoices):
        CREATE = "create", _("created from the directory")
        ADD = "add", _("added a facility")
        MOVE = "move", _("moved a facility")
        CLOSE = "close", _("closed a facility")
        REOPEN = "reopen", _("reopened a facility")
        RESIZE = "resize", _("changed a capacity")
        SITE = "site", _("added sites from a siting model")

    scenario = models.ForeignKey(Scenario, models.CASCADE, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    facility_code = models.CharField(_("facility"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    categories = models.JSONField(_("categories recomputed"), default=list, blank=True)
    seconds = models.FloatField(_("seconds to update"), default=0)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scenario change")
        verbose_name_plural = _("scenario changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.scenario}: {self.get_action_display()} {self.facility_code}"


class ScenarioAccess(models.Model):
    """How far one compound is from one category's nearest facility in one scenario."""

    scenario = models.ForeignKey(Scenario, models.CASCADE, related_name="access")
    compound = models.ForeignKey(Compound, models.CASCADE, related_name="+")
    category = models.ForeignKey(ServiceCategory, models.CASCADE, related_name="+")
    nearest_m = models.FloatField(_("nearest (m)"), null=True, help_text=_("Empty when none can be reached."))

    class Meta:
        verbose_name = _("scenario accessibility")
        verbose_name_plural = _("scenario accessibility")
        constraints = [models.UniqueConstraint(fields=["scenario", "compound", "category"],
                                               name="one_scenario_result_per_pair")]
