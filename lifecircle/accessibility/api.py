"""JSON API of walking accessibility: per-compound results, coverage, gaps and isochrones."""
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from lifecircle.community.api import one_subdistrict
from lifecircle.community.models import Compound
from lifecircle.geo.errors import GeoError
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN, metres_to_minutes
from lifecircle.geography import check_lon_lat
from lifecircle.json_encoding import json_response

from . import coverage
from .isochrones import PROFILE_CHOICES, isochrones_with_reach, parse_departure, snapped_subdistrict_at
from .models import CompoundAccess, OffNetworkPoint

router = Router(tags=["accessibility"])


class CategoryAccessOut(Schema):
    category: str
    tier_minutes: int
    threshold_m: int
    nearest_m: float | None
    minutes: dict[str, float | None]
    covered: bool
    nearest_elderly_m: float | None = Field(None, description="walking metres with waits at crossings counted")
    nearest_barrier_free_m: float | None = Field(None, description="without steps, raised kerbs, steep or rough ways")
    covered_barrier_free: bool | None = Field(None, description="null when the results have no barrier-free profile")
    count_5: int
    count_10: int
    count_15: int
    capacity_5: float
    capacity_10: float
    capacity_15: float


class DataUnknownOut(Schema):
    """What the map data leaves unknown to the barrier-free walk: counted as passable, so its figures
    may be too hopeful there."""

    length_m: float = Field(description="metres of walkable way")
    surface_unknown_m: float = Field(description="metres of it with no surface tag (or one the table does not know)")
    surface_unknown_share: float = Field(description="surface_unknown_m / length_m")
    crossings: int
    crossings_kerb_unknown: int = Field(description="crossings with no kerb mapped")
    kerb_unknown_share: float = Field(description="crossings_kerb_unknown / crossings")
    incline_unreadable: int = Field(description="ways whose incline gives no number (up, down)")
    unknown_tag_values: int = Field(description="tags whose value the walking-profile table does not know")


class CompoundAccessOut(Schema):
    compound: str
    name: str
    grid: str | None
    results: list[CategoryAccessOut]
    data_unknown: DataUnknownOut | None = Field(
        None, description="what the map data leaves unknown to the barrier-free figures; null without them")


class CoverageRowOut(Schema):
    grid: str | None = Field(description='grid code; "" for compounds in no grid; null for the whole sub-district')
    grid_name: str
    category: str
    category_name: str
    color: str
    tier_minutes: int
    threshold_m: int
    population: int
    population_covered: int
    population_share: float | None
    aged_60_plus: int
    aged_60_plus_covered: int
    aged_60_plus_share: float | None
    aged_0_3: int
    aged_0_3_covered: int
    aged_0_3_share: float | None
    population_covered_barrier_free: int | None = Field(
        None, description="covered walking barrier-free (no steps, raised kerbs, steep or rough ways); "
                          "null when the results have no barrier-free profile")
    population_lost_barrier_free: int | None = Field(None, description="covered on foot but not barrier-free")
    aged_60_plus_covered_barrier_free: int | None = None
    aged_60_plus_lost_barrier_free: int | None = None
    aged_0_3_covered_barrier_free: int | None = None
    aged_0_3_lost_barrier_free: int | None = None


class BarrierFixOut(Schema):
    """A barrier whose ramping alone would give back the most barrier-free coverage, best first."""

    rank: int
    kind: str = Field(description='"way" (steps, a rough or steep path) or "node" (a raised kerb, a gate)')
    osm_id: int
    highway: str
    lon: float
    lat: float
    compounds: list[str]
    categories: list[str]
    pairs: int
    population: int
    aged_60_plus: int
    aged_0_3: int


class GapOut(Schema):
    compound: str
    compound_name: str
    grid: str | None
    category: str
    category_name: str
    tier_minutes: int
    threshold_m: int
    distance_m: int | None
    shortfall_m: int | None
    population: int | None
    aged_60_plus: int | None
    aged_0_3: int | None
    lon: float
    lat: float


class PlanCheckOut(Schema):
    grid: str
    grid_name: str
    services: dict[str, list[str]]
    met: bool


class CoverageOut(Schema):
    subdistrict: str
    computed: bool
    rows: list[CoverageRowOut]
    plan: list[PlanCheckOut]
    barrier_free: bool = Field(False, description="whether the rows carry barrier-free figures")
    barrier_fixes: list[BarrierFixOut] = []
    profile_notes: list[str] = Field([], description="what the map data leaves unknown (surface, kerbs, tag values)")
    data_unknown: DataUnknownOut | None = Field(
        None, description="the same as figures, when the rows carry barrier-free figures")
    at: str | None = Field(None, description="the departure time the figures are for (local time); null: any hour")


class OffNetworkOut(Schema):
    kind: str
    code: str
    name: str
    distance_m: float


def minutes(metres):
    """Walking minutes for every speed profile (planning, adult, elderly)."""
    if metres is None:
        return {profile: None for profile in SPEED_PROFILES_M_PER_MIN}
    return {profile: round(float(metres_to_minutes(metres, profile)), 1) for profile in SPEED_PROFILES_M_PER_MIN}


@router.get("/accessibility/compounds/{code}", response=CompoundAccessOut,
            summary="What one compound can reach, per category")
def compound_access(request, code: str, subdistrict: str | None = None):
    compound = get_object_or_404(Compound, code=code, subdistrict=one_subdistrict(subdistrict))
    standard = {row.category_id: row for row in coverage.standard_rows()}
    results, barrier_free = [], False
    stored = CompoundAccess.objects.filter(compound=compound).select_related("category", "run")
    for access in stored.order_by("category__slug"):
        row = standard.get(access.category_id)
        if row is None:
            continue
        results.append({
            "category": access.category.slug, "tier_minutes": row.tier_minutes, "threshold_m": row.threshold_m,
            "nearest_m": None if access.nearest_m is None else round(access.nearest_m, 1),
            "minutes": minutes(access.nearest_m),
            "covered": access.nearest_m is not None and access.nearest_m <= row.threshold_m,
            "nearest_elderly_m": None if access.nearest_elderly_m is None else round(access.nearest_elderly_m, 1),
            "nearest_barrier_free_m": (None if access.nearest_barrier_free_m is None
                                       else round(access.nearest_barrier_free_m, 1)),
            "covered_barrier_free": (None if access.run is None or "barrier-free" not in access.run.profiles
                                     else access.nearest_barrier_free_m is not None
                                     and access.nearest_barrier_free_m <= row.threshold_m),
            **{f: getattr(access, f) for f in ("count_5", "count_10", "count_15", "capacity_5", "capacity_10", "capacity_15")},
        })
        barrier_free = barrier_free or results[-1]["covered_barrier_free"] is not None
    return {"compound": compound.code, "name": compound.name, "grid": compound.grid and compound.grid.code,
            "results": results,
            "data_unknown": coverage.data_unknown(compound.subdistrict) if barrier_free else None}


@router.get("/accessibility/coverage", response=CoverageOut,
            summary="Population-weighted coverage per grid and category against the standard")
def coverage_view(request, subdistrict: str | None = None, grid: str | None = None, category: str | None = None,
                  at: str | None = None):
    """``at``: count only facilities open on arrival, leaving at ``HH:MM`` today or ``YYYY-MM-DDTHH:MM``
    (e.g. breakfast at 07:00, day care at 09:00); computed on the spot."""
    target = one_subdistrict(subdistrict)
    departure = hour(at)
    report = coverage.report(target, grid, category, at=departure)
    return {"subdistrict": target.code, "computed": report.computed, "rows": report.rows, "plan": report.plan,
            "barrier_free": report.barrier_free, "barrier_fixes": report.barrier_fixes or [],
            "profile_notes": report.profile_notes or [], "data_unknown": report.data_unknown,
            "at": None if departure is None else departure.isoformat(timespec="minutes")}


def hour(at):
    """The departure time of an ``at`` parameter (None when not given); 400 when it is not a time."""
    if at is None or not at.strip():
        return None
    try:
        return parse_departure(at.strip())
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/accessibility/gaps", response=list[GapOut],
            summary="Compounds lacking a category within its threshold, worst first")
def gaps_view(request, subdistrict: str | None = None, grid: str | None = None, category: str | None = None,
              at: str | None = None):
    """``at``: only facilities open on arrival count, leaving at ``HH:MM`` today or
    ``YYYY-MM-DDTHH:MM`` (as the coverage); 400 when it is not a time."""
    return coverage.report(one_subdistrict(subdistrict), grid, category, at=hour(at)).gaps


@router.get("/accessibility/off-network", response=list[OffNetworkOut],
            summary="Compounds and facilities too far from any walkable street")
def off_network(request, subdistrict: str | None = None):
    return list(OffNetworkPoint.objects.filter(subdistrict=one_subdistrict(subdistrict)).order_by("kind", "code"))


class ReachableOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    categories: list[str]
    distance_m: float
    minutes: float
    tier_minutes: int
    arrival: str = Field(description="departure plus the walk, local time")
    open_on_arrival: bool | None = Field(description="open when the walker arrives; null when no hours are recorded")


class IsochronesOut(Schema):
    """GeoJSON polygons, largest first, with every facility inside the largest one."""

    type: str
    features: list[dict]
    reachable: list[ReachableOut]
    distances_m: list[float]
    profile: str
    departure: str = Field(description="the departure time used (local time; default now)")
    open_on_arrival: int = Field(description="how many facilities in reach are open when the walker arrives")
    network_profile: str = Field(description="the network's walking profile walked: standard, elderly or barrier-free")
    notes: list[str] = Field([], description="what the map data leaves unknown to this profile")
    attribution: str
    origin: dict | None = Field(None, description="where the polygons start: the street junction nearest the point "
                                                   "(lon, lat, node, moved_m: metres from the point); the distances "
                                                   "in reachable are walked from the point itself")


@router.get("/accessibility/isochrones", response=IsochronesOut,
            summary="5/10/15-minute walking isochrones from a point, and what they reach")
def isochrones_view(request, lon: float, lat: float, profile: str = "standard", subdistrict: str | None = None,
                    at: str | None = None):
    """``profile``: ``standard`` (the standard's 300/500/1000 m), a walking speed profile
    (``planning`` 60 m/min, ``adult`` 72 m/min, ``elderly`` 54 m/min, which also counts waits at
    signalised and unmarked crossings), or ``barrier-free`` (the standard's distances, no steps
    without a ramp, no raised kerbs, steep slopes or rough surfaces). ``at``: the departure time,
    ``HH:MM`` today or ``YYYY-MM-DDTHH:MM`` (default now); each facility in reach says whether it
    is open on arrival. ``subdistrict``: whose network to walk; without it, the sub-district whose
    network the point joins (422 if none)."""
    try:
        check_lon_lat(lon, lat)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    if profile not in PROFILE_CHOICES:
        raise HttpError(400, f"unknown profile '{profile}'; use {', '.join(PROFILE_CHOICES)}")
    try:
        departure = parse_departure(at)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    snapped = None
    if subdistrict:
        target = one_subdistrict(subdistrict)
        if not hasattr(target, "network"):
            raise HttpError(404, f"{target.code} has no pedestrian network")
    else:
        target, snapped = snapped_subdistrict_at(lon, lat)
        if target is None:
            raise HttpError(422, f"({lon}, {lat}) is more than {DEFAULT_MAX_SNAP_M:.0f} m from the nearest "
                                 "walkable street of every sub-district")
    try:
        # built in IsochronesOut's form: not validated and copied again (a shape's coordinates)
        return json_response(isochrones_with_reach(target, lon, lat, profile, departure, snapped))
    except GeoError as exc:
        raise HttpError(422, str(exc)) from None
