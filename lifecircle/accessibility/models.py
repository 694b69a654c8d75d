"""Stored walking-accessibility results: what every compound can reach, per service category."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecircle.community.models import Compound, SubDistrict
from lifecircle.directory.models import ServiceCategory, Standard

#: The life-circle tiers the counts are kept for, in minutes of walking.
TIERS = (5, 10, 15)


class ComputeRun(models.Model):
    """One computation: what triggered it, what it covered, how long it took."""

    class Kind(models.TextChoices):
        FULL = "full", _("full recompute")
        INCREMENTAL = "incremental", _("incremental update")

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="compute_runs")
    standard = models.ForeignKey(Standard, models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    categories = models.JSONField(_("categories computed"), default=list)
    origins = models.PositiveIntegerField(_("origins"), default=0)
    facilities = models.PositiveIntegerField(_("facilities"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    finished_at = models.DateTimeField(_("finished"), auto_now_add=True)

    class Meta:
        verbose_name = _("computation")
        verbose_name_plural = _("computations")
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self):
        return f"{self.get_kind_display()} {self.finished_at:%Y-%m-%d %H:%M}"


class CompoundAccess(models.Model):
    """How far one compound is from one category's nearest facility, and how many lie near."""

    compound = models.ForeignKey(Compound, models.CASCADE, related_name="access")
    category = models.ForeignKey(ServiceCategory, models.CASCADE, related_name="+")
    nearest_m = models.FloatField(_("nearest (m)"), null=True, help_text=_("Empty when none can be reached."))
    count_5 = models.PositiveIntegerField(_("within 5 min"), default=0)
    count_10 = models.PositiveIntegerField(_("within 10 min"), default=0)
    count_15 = models.PositiveIntegerField(_("within 15 min"), default=0)
    capacity_5 = models.FloatField(_("capacity within 5 min"), default=0)
    capacity_10 = models.FloatField(_("capacity within 10 min"), default=0)
    capacity_15 = models.FloatField(_("capacity within 15 min"), default=0)
    run = models.ForeignKey(ComputeRun, models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("compound accessibility")
        verbose_name_plural = _("compound accessibility")
        constraints = [models.UniqueConstraint(fields=["compound", "category"], name="one_result_per_pair")]

    def __str__(self):
        return f"{self.compound} → {self.category}: {self.nearest_m} m"


class OffNetworkPoint(models.Model):
    """A compound or facility too far from any walkable street to be placed on the network."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("compound")
        FACILITY = "facility", _("facility")

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    distance_m = models.FloatField(_("distance to the nearest street (m)"))

    class Meta:
        verbose_name = _("point off the network")
        verbose_name_plural = _("points off the network")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "kind", "code"], name="one_report_per_point")]
