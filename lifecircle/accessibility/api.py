"""JSON API of walking accessibility: per-compound results, coverage, gaps and isochrones."""
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from lifecircle.community.models import Compound, SubDistrict
from lifecircle.geo.errors import GeoError
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN, metres_to_minutes
from lifecircle.geography import check_lon_lat

from . import coverage
from .isochrones import isochrones_with_reach
from .models import CompoundAccess, OffNetworkPoint

router = Router(tags=["accessibility"])


class CategoryAccessOut(Schema):
    category: str
    tier_minutes: int
    threshold_m: int
    nearest_m: float | None
    minutes: dict[str, float | None]
    covered: bool
    count_5: int
    count_10: int
    count_15: int
    capacity_5: float
    capacity_10: float
    capacity_15: float


class CompoundAccessOut(Schema):
    compound: str
    name: str
    grid: str | None
    results: list[CategoryAccessOut]


class CoverageRowOut(Schema):
    grid: str | None
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


class OffNetworkOut(Schema):
    kind: str
    code: str
    name: str
    distance_m: float


def subdistrict_or_404(code):
    queryset = SubDistrict.objects.all()
    found = queryset.filter(code=code).first() if code else queryset.order_by("pk").first()
    if found is None:
        raise HttpError(404, f"no sub-district '{code}'" if code else "no sub-district is loaded")
    return found


def minutes(metres):
    """Walking minutes for every speed profile (planning, adult, elderly)."""
    if metres is None:
        return {profile: None for profile in SPEED_PROFILES_M_PER_MIN}
    return {profile: round(float(metres_to_minutes(metres, profile)), 1) for profile in SPEED_PROFILES_M_PER_MIN}


@router.get("/accessibility/compounds/{code}", response=CompoundAccessOut,
            summary="What one compound can reach, per category")
def compound_access(request, code: str, subdistrict: str | None = None):
    compound = get_object_or_404(Compound, code=code, subdistrict=subdistrict_or_404(subdistrict))
    standard = {row.category_id: row for row in coverage.standard_rows()}
    results = []
    for access in CompoundAccess.objects.filter(compound=compound).select_related("category").order_by("category__slug"):
        row = standard.get(access.category_id)
        if row is None:
            continue
        results.append({
            "category": access.category.slug, "tier_minutes": row.tier_minutes, "threshold_m": row.threshold_m,
            "nearest_m": None if access.nearest_m is None else round(access.nearest_m, 1),
            "minutes": minutes(access.nearest_m),
            "covered": access.nearest_m is not None and access.nearest_m <= row.threshold_m,
            **{f: getattr(access, f) for f in ("count_5", "count_10", "count_15", "capacity_5", "capacity_10", "capacity_15")},
        })
    return {"compound": compound.code, "name": compound.name, "grid": compound.grid and compound.grid.code,
            "results": results}


@router.get("/accessibility/coverage", response=CoverageOut,
            summary="Population-weighted coverage per grid and category against the standard")
def coverage_view(request, subdistrict: str | None = None, grid: str | None = None, category: str | None = None):
    target = subdistrict_or_404(subdistrict)
    report = coverage.report(target, grid, category)
    return {"subdistrict": target.code, "computed": report.computed, "rows": report.rows, "plan": report.plan}


@router.get("/accessibility/gaps", response=list[GapOut],
            summary="Compounds lacking a category within its threshold, worst first")
def gaps_view(request, subdistrict: str | None = None, grid: str | None = None, category: str | None = None):
    return coverage.report(subdistrict_or_404(subdistrict), grid, category).gaps


@router.get("/accessibility/off-network", response=list[OffNetworkOut],
            summary="Compounds and facilities too far from any walkable street")
def off_network(request, subdistrict: str | None = None):
    return list(OffNetworkPoint.objects.filter(subdistrict=subdistrict_or_404(subdistrict)).order_by("kind", "code"))


class ReachableOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    categories: list[str]
    distance_m: float
    minutes: float
    tier_minutes: int


class IsochronesOut(Schema):
    """GeoJSON polygons, largest first, with every facility inside the largest one."""

    type: str
    features: list[dict]
    reachable: list[ReachableOut]
    distances_m: list[float]
    profile: str
    attribution: str
    origin: dict | None = Field(None, description="where the polygons start: the street junction nearest the point "
                                                   "(lon, lat, node, moved_m: metres from the point); the distances "
                                                   "in reachable are walked from the point itself")


@router.get("/accessibility/isochrones", response=IsochronesOut,
            summary="5/10/15-minute walking isochrones from a point, and what they reach")
def isochrones_view(request, lon: float, lat: float, profile: str = "standard", subdistrict: str | None = None):
    """``profile``: ``standard`` (the standard's 300/500/1000 m), or a walking speed profile
    (``planning`` 60 m/min, ``adult`` 72 m/min, ``elderly`` 54 m/min)."""
    try:
        check_lon_lat(lon, lat)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    if profile != "standard" and profile not in SPEED_PROFILES_M_PER_MIN:
        raise HttpError(400, f"unknown profile '{profile}'; use standard, {', '.join(SPEED_PROFILES_M_PER_MIN)}")
    target = subdistrict_or_404(subdistrict)
    if not hasattr(target, "network"):
        raise HttpError(404, f"{target.code} has no pedestrian network")
    try:
        return isochrones_with_reach(target, lon, lat, profile)
    except GeoError as exc:
        raise HttpError(422, str(exc)) from None
