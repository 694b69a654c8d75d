"""Optimal siting for the sub-district: the engine's models (lifecircle.geo.siting) fed with the
compounds as demand, the facilities already offering the category (live, or a scenario's) as
existing, and the standard's walking threshold."""
import numpy as np
import shapely
from django.utils.translation import get_language

from lifecircle.accessibility.coverage import WEIGHTS
from lifecircle.directory.models import Facility, StandardRow
from lifecircle.geo import siting as engine
from lifecircle.geo.errors import GeoError
from lifecircle.geo.snapping import snap_points, street_names
from lifecircle.geography import check_lon_lat, polygon_from_geojson

from .compute import compounds_of, graph_of, snapped
from .models import ScenarioFacility
from .scenarios import PlanningError

MODELS = engine.MODELS
MAX_TIME_LIMIT_S = 120.0
MAX_POINTS = 5000


def parse_points(text):
    """Candidate points from text, one "lon, lat" (or "lon lat") a line; PlanningError on a bad line."""
    points = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in line.replace(",", " ").replace("，", " ").split() if p]
        try:
            if len(parts) != 2:
                raise ValueError("expected two numbers: longitude, latitude")
            points.append(check_lon_lat(parts[0], parts[1]))
        except ValueError as exc:
            raise PlanningError(f"line {number} ({line!r}): {exc}") from None
    return points


def candidate_nodes_inside(subdistrict, graph):
    """Network nodes inside the sub-district boundary (all nodes when it has none)."""
    nodes = np.arange(graph.n_nodes)
    if subdistrict.boundary:
        polygon = polygon_from_geojson(subdistrict.boundary)
        nodes = nodes[shapely.contains_xy(polygon, graph.node_lon, graph.node_lat)]
    return nodes


def run(subdistrict, *, category, model, k=None, candidates=None, time_limit_s=30.0, weight="population",
        scenario=None, capacity=None):
    """Solve one siting problem; returns a JSON-ready dict with the chosen sites and the solver's report.

    ``candidates``: None for every network node inside the sub-district, or a list of (lon, lat).
    ``scenario``: take existing facilities from this scenario instead of the live directory.
    """
    if model not in MODELS:
        raise PlanningError(f"unknown model '{model}'; choose one of {', '.join(MODELS)}")
    if weight not in WEIGHTS:
        raise PlanningError(f"unknown weight '{weight}'; choose one of {', '.join(WEIGHTS)}")
    row = StandardRow.objects.filter(standard__active=True, category__slug=category).select_related("category").first()
    if row is None:
        raise PlanningError(f"the active standard has no walking threshold for '{category}'")
    try:
        time_limit_s = float(time_limit_s)
    except (TypeError, ValueError):
        raise PlanningError("the time limit must be a number of seconds") from None
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise PlanningError(f"the time limit must be more than 0 and at most {MAX_TIME_LIMIT_S:g} seconds")
    if model != "lscp" and k is None:
        raise PlanningError("say how many sites to open (k)")
    if candidates is not None:
        if not candidates:
            raise PlanningError("no candidate sites were given")
        if len(candidates) > MAX_POINTS:
            raise PlanningError(f"at most {MAX_POINTS} candidate points, got {len(candidates)}")
        try:
            candidates = [check_lon_lat(lon, lat) for lon, lat in candidates]
        except ValueError as exc:
            raise PlanningError(f"candidate site: {exc}") from None
    try:
        capacity = None if capacity in (None, "") else float(capacity)
    except (TypeError, ValueError):
        raise PlanningError("the capacity of a new site must be a number") from None

    graph = graph_of(subdistrict)
    compounds = compounds_of(subdistrict)
    demand = snapped(graph, [(c.lon, c.lat) for c in compounds])
    population = [getattr(c, WEIGHTS[weight]) or 0 for c in compounds]
    if scenario is not None:
        existing_rows = ScenarioFacility.objects.filter(scenario=scenario, active=True)
    else:
        existing_rows = Facility.objects.filter(subdistrict=subdistrict, active=True)
    existing_rows = [f for f in existing_rows.select_related("category").prefetch_related("services")
                     if category in {c.slug for c in f.all_categories()}]
    existing = snap_points(graph, [f.lon for f in existing_rows], [f.lat for f in existing_rows])
    if candidates is None:
        nodes = candidate_nodes_inside(subdistrict, graph)
        cand = engine.candidate_nodes(graph, nodes)
        cand_lon, cand_lat = graph.node_lon[nodes], graph.node_lat[nodes]
    else:
        cand_lon = np.array([p[0] for p in candidates], dtype=float)
        cand_lat = np.array([p[1] for p in candidates], dtype=float)
        cand = snap_points(graph, cand_lon, cand_lat)
    try:
        k = None if k is None else int(k)
    except (TypeError, ValueError):
        raise PlanningError("k must be a whole number") from None
    try:
        if model == "mclp":
            result = engine.maximal_covering(graph, demand, population, k, row.threshold_m, cand, existing,
                                             time_limit_s=time_limit_s)
        elif model == "lscp":
            result = engine.set_covering(graph, demand, population, row.threshold_m, cand, existing,
                                         time_limit_s=time_limit_s)
        else:
            cap = capacity
            existing_cap = None if cap is None else [np.inf if f.capacity is None else f.capacity
                                                     for f in existing_rows]
            result = engine.p_median(graph, demand, population, k, cand, existing, capacity=cap,
                                     existing_capacity=existing_cap, time_limit_s=time_limit_s)
    except GeoError as exc:
        raise PlanningError(str(exc)) from None

    out = result.to_dict()
    out.update({
        "category": category, "category_name": row.category.display_name, "tier_minutes": row.tier_minutes,
        "threshold_m": row.threshold_m, "weight": weight, "existing": [f.code for f in existing_rows],
        "candidates": len(cand), "scenario": scenario.pk if scenario is not None else None,
        "sites": [{"index": int(j), "lon": round(float(cand_lon[j]), 7), "lat": round(float(cand_lat[j]), 7)}
                  for j in result.chosen],
        "uncoverable_compounds": [compounds[i].code for i in result.uncoverable],
        "off_network_compounds": [compounds[i].code for i in result.off_network],
    })
    if result.load is not None:
        for site, load in zip(out["sites"], result.load):
            site["load"] = round(float(load), 1)
    streets = street_names(graph, [s["lon"] for s in out["sites"]], [s["lat"] for s in out["sites"]], get_language())
    for site, street in zip(out["sites"], streets):
        site["street"] = street
    return out
