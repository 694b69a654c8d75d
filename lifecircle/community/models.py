"""Where people live: the sub-district, its grids (网格) and its residential compounds (小区).

Geometry is kept as GeoJSON (lon, lat in WGS84) so the embedded SQLite demo needs no spatial
extension; the geo engine and shapely do the spatial work.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifecircle.geography import check_lon_lat, polygon_from_geojson


class BilingualName(models.Model):
    """A name in Chinese (the official one) and in English, shown by the active language."""

    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self):
        return self.name


class Located(models.Model):
    """A point in WGS84."""

    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        try:
            check_lon_lat(self.lon, self.lat)
        except ValueError as exc:
            raise ValidationError({"lon": str(exc)}) from None


class SubDistrict(BilingualName):
    """A sub-district (街道) or town (镇): the unit that runs a life circle."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    city = models.CharField(_("city"), max_length=100)
    district = models.CharField(_("district"), max_length=100)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative data"), default=False,
        help_text=_("Set when positions or figures are approximations, not survey data."),
    )
    data_notice = models.TextField(_("data notice"), blank=True)

    class Meta:
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")

    def clean(self):
        if self.boundary:
            try:
                polygon_from_geojson(self.boundary)
            except ValueError as exc:
                raise ValidationError({"boundary": str(exc)}) from None


class Grid(BilingualName):
    """A grid (网格): the unit of grid management, with its own grid workers."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="grids")
    code = models.SlugField(_("code"), max_length=64)
    boundary = models.JSONField(_("boundary (GeoJSON)"))

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["subdistrict", "code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="unique_grid_code")]

    def clean(self):
        try:
            polygon_from_geojson(self.boundary)
        except ValueError as exc:
            raise ValidationError({"boundary": str(exc)}) from None

    @property
    def polygon(self):
        return polygon_from_geojson(self.boundary)


class Compound(BilingualName, Located):
    """A residential compound (小区) or lane neighbourhood (里弄), with its population where known."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="compounds")
    grid = models.ForeignKey(Grid, models.SET_NULL, null=True, blank=True, related_name="compounds")
    code = models.SlugField(_("code"), max_length=64)
    address = models.CharField(_("address"), max_length=300, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    aged_60_plus = models.PositiveIntegerField(_("aged 60+"), null=True, blank=True)
    aged_0_3 = models.PositiveIntegerField(_("aged 0–3"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("residential compound")
        verbose_name_plural = _("residential compounds")
        ordering = ["subdistrict", "code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="unique_compound_code")]

    def clean(self):
        super().clean()
        if self.population is not None:
            for field in ("aged_60_plus", "aged_0_3"):
                part = getattr(self, field)
                if part is not None and part > self.population:
                    raise ValidationError({field: _("cannot exceed the total population")})


class Building(Located):
    """A residential building inside a compound, for finer accessibility where known."""

    compound = models.ForeignKey(Compound, models.CASCADE, related_name="buildings")
    label = models.CharField(_("label"), max_length=100)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["compound", "label"], name="unique_building_label")]

    def __str__(self):
        return f"{self.compound} {self.label}"


class PedestrianNetwork(models.Model):
    """The walkable street network of a sub-district, built by the geo engine from OSM data.

    The graph itself lives in a compact file under ``var/networks/`` (it can hold a city); the
    row records where it came from and what the map must credit.
    """

    subdistrict = models.OneToOneField(SubDistrict, models.CASCADE, related_name="network")
    source = models.CharField(_("source file"), max_length=300)
    attribution = models.CharField(_("attribution"), max_length=300)
    graph_file = models.CharField(_("graph file"), max_length=300)
    node_count = models.PositiveIntegerField(_("nodes"))
    edge_count = models.PositiveIntegerField(_("edges"))
    built_at = models.DateTimeField(_("built"), default=timezone.now)

    class Meta:
        verbose_name = _("pedestrian network")
        verbose_name_plural = _("pedestrian networks")

    def __str__(self):
        return f"{self.subdistrict}: {self.node_count} nodes"
