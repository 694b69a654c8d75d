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
    profiles = models.JSONField(_("walking profiles computed"), default=list, help_text=_(
        "Empty for runs made before walking profiles; a network saved before them has the standard one only."))
    tag_notes = models.JSONField(_("what the map data leaves unknown"), default=list, help_text=_(
        "Shares of the network with no known surface or kerb, and tag values the profile table does not know."))
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
    nearest_elderly_m = models.FloatField(
        _("nearest, elderly profile (walking metres)"), null=True,
        help_text=_("Waits at signals and unmarked crossings of wide roads counted as metres. Empty when none "
                    "can be reached, or when the run did not compute this profile (see its profiles)."))
    nearest_barrier_free_m = models.FloatField(
        _("nearest, barrier-free (m)"), null=True,
        help_text=_("Without steps, raised kerbs, steep slopes or rough surfaces. Empty when none can be reached, "
                    "or when the run did not compute this profile (see its profiles)."))
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


class BarrierFix(models.Model):
    """A step or kerb that, if ramped, gives back barrier-free coverage: the planners' "fix this first" list."""

    class Kind(models.TextChoices):
        WAY = "way", _("way (steps, a rough or steep path)")
        NODE = "node", _("node (a raised kerb, a gate)")

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+")
    run = models.ForeignKey(ComputeRun, models.CASCADE, related_name="barrier_fixes")
    rank = models.PositiveIntegerField(_("rank"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    osm_id = models.BigIntegerField(_("OpenStreetMap id"))
    highway = models.CharField(_("highway"), max_length=64, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    compounds = models.JSONField(_("compounds regaining coverage"), default=list)
    categories = models.JSONField(_("categories regained"), default=list)
    pairs = models.PositiveIntegerField(_("compound-category pairs regained"), default=0)
    population = models.PositiveIntegerField(_("residents"), default=0)
    aged_60_plus = models.PositiveIntegerField(_("residents aged 60+"), default=0)
    aged_0_3 = models.PositiveIntegerField(_("children aged 0–3"), default=0)

    class Meta:
        verbose_name = _("barrier to fix")
        verbose_name_plural = _("barriers to fix")
        ordering = ["rank"]

    def __str__(self):
        return f"{self.rank}. {self.kind} {self.osm_id}"
