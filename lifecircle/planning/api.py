"""JSON API of the planning workbench: scenarios and their changes, coverage per scenario,
side-by-side comparison, and optimal siting.

Planners only: every endpoint needs a signed-in session (401 otherwise; CSRF-checked for
changes) of a sub-district administrator or of staff holding ``planning.change_scenario``
(403 otherwise). Nothing here writes the live directory.
"""
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accessibility.api import CoverageRowOut, PlanCheckOut
from lifecircle.accessibility.compute import NotComputable
from lifecircle.community.api import one_subdistrict

from . import coverage, scenarios, siting
from .models import Scenario, ScenarioChange, ScenarioFacility
from .permissions import require_planner

router = Router(tags=["planning"], auth=django_auth)


class ScenarioIn(Schema):
    name: str
    description: str = ""
    subdistrict: str | None = None


class ScenarioOut(Schema):
    id: int
    name: str
    description: str
    subdistrict: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    facilities: int
    changes: int


class ScenarioFacilityOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    services: list[str]
    lon: float
    lat: float
    grid: str | None
    capacity: int | None
    active: bool
    origin: str


class ScenarioDetailOut(ScenarioOut):
    facility_list: list[ScenarioFacilityOut]


class ScenarioFacilityIn(Schema):
    category: str
    lon: float
    lat: float
    name: str = ""
    name_en: str = ""
    services: list[str] = []
    capacity: int | None = None
    code: str | None = None


class ScenarioFacilityPatch(Schema):
    """One change at a time: ``lon`` + ``lat`` (move), ``capacity`` (resize; null = unknown),
    or ``active`` (false closes, true reopens)."""

    lon: float | None = None
    lat: float | None = None
    capacity: int | None = None
    active: bool | None = None


class ScenarioChangeOut(Schema):
    id: int
    action: str
    facility_code: str
    categories: list[str]
    seconds: float
    at: datetime
    detail: dict


class ScenarioChangeResultOut(Schema):
    """The change, how long the update took, and the new coverage of the categories it touched."""

    change: ScenarioChangeOut
    coverage: list[CoverageRowOut]
    facility: ScenarioFacilityOut | None


class ScenarioCoverageOut(Schema):
    scenario: int | None
    computed: bool
    rows: list[CoverageRowOut]
    plan: list[PlanCheckOut]


class ScenarioCompoundOut(Schema):
    compound: str
    name: str
    grid: str | None
    lon: float
    lat: float
    population: int
    aged_60_plus: int
    aged_0_3: int
    nearest_m: float | None
    covered: bool


class PlanningCompareOut(Schema):
    """Rows per (grid, category): ``<weight>_covered_a/_b``, ``<weight>_share_a/_b``,
    ``<weight>_gained`` (b − a people) and ``<weight>_share_change``, for the weights
    population, aged_60_plus and aged_0_3; ``changed`` lists compounds that gained or lost
    coverage of a category."""

    a: str
    b: str
    computed: bool
    rows: list[dict]
    changed: list[dict]


class PlanningPointIn(Schema):
    lon: float
    lat: float


class SitingIn(Schema):
    """``model``: mclp (maximal covering: k sites covering the most people not yet covered),
    lscp (set covering: fewest sites covering everyone coverable) or pmedian (k sites minimising
    the total walk; ``capacity`` per new site makes it capacitated). ``points``: candidate sites;
    leave empty to let every network node inside the sub-district be a candidate. ``scenario``:
    take the existing facilities from that scenario instead of the live directory."""

    category: str
    model: str
    k: int | None = None
    points: list[PlanningPointIn] | None = None
    time_limit_s: float = 30.0
    weight: str = "population"
    scenario: int | None = None
    capacity: float | None = None
    subdistrict: str | None = None


class SitingSiteOut(Schema):
    index: int
    lon: float
    lat: float
    load: float | None = None


class SitingOut(Schema):
    """``status``: optimal (proven), time_limit (best found in time; see ``gap``) or infeasible.
    ``objective``: people newly covered (mclp), sites opened (lscp) or person-metres walked
    (pmedian); ``bound``: the solver's proven bound; ``gap``: relative gap (0 = optimal)."""

    model: str
    model_name: str
    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    matrix_seconds: float
    k: int | None
    category: str
    category_name: str
    tier_minutes: int
    threshold_m: float
    weight: str
    total_population: float
    covered_before: float | None
    covered_after: float | None
    mean_distance_m: float | None
    uncoverable_population: float
    uncoverable_compounds: list[str]
    off_network_compounds: list[str]
    existing: list[str]
    candidates: int
    scenario: int | None
    sites: list[SitingSiteOut]


class SitesIn(Schema):
    category: str
    sites: list[PlanningPointIn]
    capacity: int | None = None
    name: str = ""


def _planner(request, subdistrict=None):
    """403 unless the user plans ``subdistrict`` (or, before it is known, any sub-district)."""
    try:
        require_planner(request.user, subdistrict)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return subdistrict


def _scenario(request, scenario_id):
    _planner(request)
    scenario = get_object_or_404(Scenario.objects.select_related("subdistrict", "created_by"), pk=scenario_id)
    _planner(request, scenario.subdistrict)
    return scenario


def _scenario_out(s):
    return {"id": s.pk, "name": s.name, "description": s.description, "subdistrict": s.subdistrict.code,
            "created_by": s.created_by.get_username() if s.created_by else None, "created_at": s.created_at,
            "updated_at": s.updated_at, "facilities": s.facilities.count(), "changes": s.changes.count()}


def _facility_out(f):
    return {"code": f.code, "name": f.name, "name_en": f.name_en, "category": f.category.slug,
            "services": [c.slug for c in f.services.all() if c.pk != f.category_id], "lon": f.lon, "lat": f.lat,
            "grid": f.grid.code if f.grid else None, "capacity": f.capacity, "active": f.active, "origin": f.origin}


def _change_out(scenario, change):
    rows = []
    for slug in change.categories:
        rows += coverage.coverage_rows(scenario.subdistrict, scenario, category=slug)[0]
    facility = ScenarioFacility.objects.filter(scenario=scenario, code=change.facility_code).select_related(
        "category", "grid").first()
    return {"change": change, "coverage": rows, "facility": _facility_out(facility) if facility else None}


def _errors(call):
    try:
        return call()
    except scenarios.PlanningError as exc:
        raise HttpError(400, str(exc)) from None
    except NotComputable as exc:
        raise HttpError(409, str(exc)) from None


@router.get("/planning/scenarios", response=list[ScenarioOut], summary="Planning scenarios, latest first")
def list_scenarios(request, subdistrict: str | None = None):
    _planner(request)
    target = _planner(request, one_subdistrict(subdistrict))
    return [_scenario_out(s) for s in Scenario.objects.filter(subdistrict=target).select_related("subdistrict", "created_by")]


@router.post("/planning/scenarios", response={201: ScenarioDetailOut}, summary="Copy the live facilities into a new scenario")
def create_scenario(request, payload: ScenarioIn):
    _planner(request)
    target = _planner(request, one_subdistrict(payload.subdistrict))
    scenario = _errors(lambda: scenarios.create_scenario(target, payload.name, request.user, payload.description))
    return Status(201, _detail(scenario))


def _detail(scenario):
    facilities = scenario.facilities.select_related("category", "grid").prefetch_related("services")
    return {**_scenario_out(scenario), "facility_list": [_facility_out(f) for f in facilities]}


@router.get("/planning/scenarios/{scenario_id}", response=ScenarioDetailOut, summary="One scenario with its facilities")
def get_scenario(request, scenario_id: int):
    return _detail(_scenario(request, scenario_id))


@router.delete("/planning/scenarios/{scenario_id}", response={204: None}, summary="Delete a scenario")
def delete_scenario(request, scenario_id: int):
    _scenario(request, scenario_id).delete()
    return Status(204, None)


@router.post("/planning/scenarios/{scenario_id}/facilities", response={201: ScenarioChangeResultOut},
             summary="Add a facility to a scenario; returns the new coverage of its categories")
def add_facility(request, scenario_id: int, payload: ScenarioFacilityIn):
    scenario = _scenario(request, scenario_id)
    change = _errors(lambda: scenarios.add_facility(
        scenario, request.user, category=payload.category, lon=payload.lon, lat=payload.lat, name=payload.name,
        name_en=payload.name_en, services=payload.services, capacity=payload.capacity, code=payload.code))
    return Status(201, _change_out(scenario, change))


@router.patch("/planning/scenarios/{scenario_id}/facilities/{code}", response=ScenarioChangeResultOut,
              summary="Move, resize, close or reopen a facility of a scenario")
def change_facility(request, scenario_id: int, code: str, payload: ScenarioFacilityPatch):
    scenario = _scenario(request, scenario_id)
    given = payload.model_fields_set
    kwargs = {}
    if "lon" in given or "lat" in given:
        kwargs.update(lon=payload.lon, lat=payload.lat)
    if "capacity" in given:
        kwargs["capacity"] = payload.capacity
    if "active" in given and payload.active is not None:
        kwargs["active"] = payload.active
    change = _errors(lambda: scenarios.change_facility(scenario, request.user, code, **kwargs))
    return _change_out(scenario, change)


@router.post("/planning/scenarios/{scenario_id}/sites", response={201: ScenarioChangeResultOut},
             summary="Add sites chosen by a siting model to a scenario as new facilities")
def add_sites(request, scenario_id: int, payload: SitesIn):
    scenario = _scenario(request, scenario_id)
    change = _errors(lambda: scenarios.add_sites(scenario, request.user, payload.category,
                                                 [(p.lon, p.lat) for p in payload.sites], payload.capacity,
                                                 payload.name))
    return Status(201, _change_out(scenario, change))


@router.get("/planning/scenarios/{scenario_id}/changes", response=list[ScenarioChangeOut], summary="What was changed, newest first")
def list_changes(request, scenario_id: int):
    return list(_scenario(request, scenario_id).changes.all())


@router.get("/planning/scenarios/{scenario_id}/coverage", response=ScenarioCoverageOut,
            summary="Coverage per grid and category in a scenario, and its plan check")
def scenario_coverage(request, scenario_id: int, grid: str | None = None, category: str | None = None):
    scenario = _scenario(request, scenario_id)
    rows, computed = coverage.coverage_rows(scenario.subdistrict, scenario, grid, category)
    return {"scenario": scenario.pk, "computed": computed, "rows": rows,
            "plan": coverage.plan_check(scenario.subdistrict, scenario)}


@router.get("/planning/scenarios/{scenario_id}/compounds", response=list[ScenarioCompoundOut],
            summary="Each compound's walk to the nearest facility of a category in a scenario")
def scenario_compounds(request, scenario_id: int, category: str):
    scenario = _scenario(request, scenario_id)
    return coverage.compound_status(scenario.subdistrict, scenario, category)


def _state(value, subdistrict):
    if value in (None, "", coverage.LIVE):
        return coverage.LIVE
    try:
        return Scenario.objects.get(pk=int(value), subdistrict=subdistrict)
    except (ValueError, Scenario.DoesNotExist):
        raise HttpError(404, f"no scenario '{value}'; give a scenario id or 'live'") from None


@router.get("/planning/compare", response=PlanningCompareOut,
            summary="Two scenarios (or a scenario and the live state) side by side, with differences")
def compare(request, a: str = "live", b: str = "live", subdistrict: str | None = None, grid: str | None = None,
            category: str | None = None):
    _planner(request)
    target = _planner(request, one_subdistrict(subdistrict))
    state_a, state_b = _state(a, target), _state(b, target)
    result = coverage.compare(target, state_a, state_b, grid, category)
    return {"a": a or "live", "b": b or "live", **result}


@router.post("/planning/siting", response=SitingOut,
             summary="Choose new sites for a category: maximal covering, set covering or p-median (HiGHS)")
def run_siting(request, payload: SitingIn):
    _planner(request)
    target = _planner(request, one_subdistrict(payload.subdistrict))
    scenario = None
    if payload.scenario is not None:
        scenario = get_object_or_404(Scenario, pk=payload.scenario, subdistrict=target)
    points = None if not payload.points else [(p.lon, p.lat) for p in payload.points]
    return _errors(lambda: siting.run(
        target, category=payload.category, model=payload.model, k=payload.k, candidates=points,
        time_limit_s=payload.time_limit_s, weight=payload.weight, scenario=scenario, capacity=payload.capacity))
