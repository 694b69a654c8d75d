"""Coverage of a scenario (or of the live directory) per grid and category, side-by-side comparison,
and the plan check of a scenario.

The live figures come from the accessibility app's stored results (``CompoundAccess``), a
scenario's from ``ScenarioAccess``; both are judged the same way, with the geo engine's coverage
function against the active standard, weighting by all residents, by those aged 60+ and by
children aged 0–3.

Barrier-free (no steps without a ramp, no raised kerbs, steep or rough ways): the live rows also
carry ``*_covered_barrier_free`` and ``*_lost_barrier_free`` where the latest run computed that
walking profile; a scenario's results are walked on the standard network only, so its rows carry
``None`` there, never zero (:func:`barrier_free_summary` says which).
"""
import numpy as np

from lifecircle.accessibility.coverage import (
    NO_GRID, PLAN_REQUIREMENTS, WEIGHTS, WHOLE, grid_label, standard_rows,
)
from lifecircle.accessibility.coverage import data_unknown, unknown_lines
from lifecircle.accessibility.models import BarrierFix, CompoundAccess, ComputeRun
from lifecircle.directory.models import Facility
from lifecircle.geo.coverage import coverage

from .compute import compounds_of
from .models import ScenarioAccess, ScenarioFacility

LIVE = "live"


def nearest_matrix(state, compounds, slugs, field="nearest_m"):
    """``(compounds, slugs)`` metres from stored results (NaN: no result, inf: none reachable).

    ``field``: ``nearest_barrier_free_m`` for the barrier-free walk (live results only; see
    :func:`has_barrier_free` for whether they hold it)."""
    nearest = np.full((len(compounds), len(slugs)), np.nan)
    position = {c.pk: i for i, c in enumerate(compounds)}
    column = {slug: j for j, slug in enumerate(slugs)}
    if state == LIVE:
        stored = CompoundAccess.objects.filter(compound__in=compounds, category__slug__in=slugs)
    else:
        stored = ScenarioAccess.objects.filter(scenario=state, compound__in=compounds, category__slug__in=slugs)
    found = False
    for compound_id, slug, metres in stored.values_list("compound_id", "category__slug", field):
        found = True
        nearest[position[compound_id], column[slug]] = np.inf if metres is None else metres
    return nearest, found


def coverage_rows(subdistrict, state=LIVE, grid=None, category=None):
    """One dict per (grid, category) -- compounds in no grid as grid NO_GRID (""), the whole
    sub-district as grid None, last -- with the population, covered and share for each weight, plus
    whether results exist."""
    rows_std = standard_rows()
    if category:
        rows_std = [r for r in rows_std if r.category.slug == category]
    compounds = compounds_of(subdistrict)
    if grid:
        compounds = [c for c in compounds if c.grid and c.grid.code == grid]
    slugs = [r.category.slug for r in rows_std]
    nearest, computed = nearest_matrix(state, compounds, slugs)
    free = nearest_matrix(state, compounds, slugs, "nearest_barrier_free_m")[0] if has_barrier_free(
        subdistrict, state) else None
    thresholds = [r.threshold_m for r in rows_std]
    groups = [c.grid.code if c.grid else NO_GRID for c in compounds]
    shares = {}
    for key, field in WEIGHTS.items():
        weight = [getattr(c, field) or 0 for c in compounds]
        for labels in (groups, [WHOLE] * len(compounds)):
            if not compounds or not slugs:
                continue
            for record in coverage(nearest, slugs, weight, labels, thresholds).share_records():
                shares.setdefault((record["group"], record["category"]), {})[key] = record
            if free is not None:
                for record in coverage(free, slugs, weight, labels, thresholds).share_records():
                    shares[(record["group"], record["category"])][f"{key}_barrier_free"] = record
    grid_names = {c.grid.code: c.grid.display_name for c in compounds if c.grid}
    by_slug = {r.category.slug: r for r in rows_std}
    rows = []
    for (group, slug), parts in sorted(shares.items(), key=lambda item: (item[0][0] == WHOLE, item[0])):
        std = by_slug[slug]
        grid, grid_name = grid_label(group, grid_names)
        record = {"grid": grid, "grid_name": grid_name, "category": slug, "category_name": std.category.display_name, "color": std.category.color,
                  "tier_minutes": std.tier_minutes, "threshold_m": std.threshold_m}
        for key in WEIGHTS:
            part = parts[key]
            record[key] = int(part["population"])
            record[f"{key}_covered"] = int(round(part["covered_population"]))
            record[f"{key}_share"] = part["share"]
            walked = parts.get(f"{key}_barrier_free")
            record[f"{key}_covered_barrier_free"] = None if walked is None else int(round(walked["covered_population"]))
            record[f"{key}_lost_barrier_free"] = None if walked is None else max(
                record[f"{key}_covered"] - record[f"{key}_covered_barrier_free"], 0)
        rows.append(record)
    return rows, computed


def has_barrier_free(subdistrict, state=LIVE):
    """Whether the stored results of ``state`` hold the barrier-free walk: the live results when the
    latest run computed it; a scenario's never (they are walked on the standard network)."""
    if state != LIVE:
        return False
    run = ComputeRun.objects.filter(subdistrict=subdistrict).first()
    return run is not None and "barrier-free" in run.profiles


def barrier_free_summary(subdistrict, state=LIVE):
    """What the reports say about the barrier-free walk.

    ``available`` (False for a scenario, or results computed before walking profiles); when it is:
    ``losses``, each compound and service covered on foot but not barrier-free, with both walks
    (metres; ``None`` none reachable) and who lives there; ``fixes``, the ranked barriers to fix
    first; ``unknown``, the shares of the network with no known surface or kerb
    (:func:`lifecircle.accessibility.coverage.data_unknown`) and ``unknown_lines``, the same as
    sentences, so a report never passes the best case off as known.
    """
    if not has_barrier_free(subdistrict, state):
        return {"available": False, "losses": [], "fixes": [], "unknown": None, "unknown_lines": []}
    rows_std = standard_rows()
    slugs = [r.category.slug for r in rows_std]
    compounds = compounds_of(subdistrict)
    nearest, _found = nearest_matrix(state, compounds, slugs)
    free, _found = nearest_matrix(state, compounds, slugs, "nearest_barrier_free_m")
    losses = []
    for i, compound in enumerate(compounds):
        for j, std in enumerate(rows_std):
            if nearest[i, j] <= std.threshold_m and not free[i, j] <= std.threshold_m:
                losses.append({
                    "compound": compound.code, "compound_name": compound.display_name,
                    "grid": compound.grid.code if compound.grid else None, "category": std.category.slug,
                    "category_name": std.category.display_name, "threshold_m": std.threshold_m,
                    "nearest_m": round(float(nearest[i, j])),
                    "nearest_barrier_free_m": round(float(free[i, j])) if np.isfinite(free[i, j]) else None,
                    "population": compound.population or 0, "aged_60_plus": compound.aged_60_plus or 0,
                    "aged_0_3": compound.aged_0_3 or 0,
                })
    losses.sort(key=lambda g: (-(g["aged_60_plus"] + g["aged_0_3"]), g["compound"], g["category"]))
    fixes = list(BarrierFix.objects.filter(subdistrict=subdistrict).values(
        "rank", "kind", "osm_id", "highway", "lon", "lat", "compounds", "categories", "pairs", "population",
        "aged_60_plus", "aged_0_3"))
    unknown = data_unknown(subdistrict)
    return {"available": True, "losses": losses, "fixes": fixes, "unknown": unknown,
            "unknown_lines": unknown_lines(unknown)}


def compound_status(subdistrict, state, category):
    """Per compound: metres to the nearest facility of ``category`` and whether it is covered."""
    row = next((r for r in standard_rows() if r.category.slug == category), None)
    compounds = compounds_of(subdistrict)
    nearest, _ = nearest_matrix(state, compounds, [category])
    out = []
    for compound, metres in zip(compounds, nearest[:, 0] if len(compounds) else []):
        out.append({
            "compound": compound.code, "name": compound.display_name, "grid": compound.grid.code if compound.grid else None,
            "lon": compound.lon, "lat": compound.lat, "population": compound.population or 0,
            "aged_60_plus": compound.aged_60_plus or 0, "aged_0_3": compound.aged_0_3 or 0,
            "nearest_m": None if not np.isfinite(metres) else round(float(metres), 1),
            "covered": bool(row is not None and np.isfinite(metres) and metres <= row.threshold_m),
        })
    return out


def compare(subdistrict, a, b, grid=None, category=None):
    """Coverage of states ``a`` and ``b`` side by side, with b − a differences, and the compounds
    whose coverage changed."""
    rows_a, computed_a = coverage_rows(subdistrict, a, grid, category)
    rows_b, computed_b = coverage_rows(subdistrict, b, grid, category)
    index_b = {(r["grid"], r["category"]): r for r in rows_b}
    rows = []
    for ra in rows_a:
        rb = index_b.get((ra["grid"], ra["category"]))
        if rb is None:
            continue
        row = {k: ra[k] for k in ("grid", "grid_name", "category", "category_name", "color", "tier_minutes",
                                  "threshold_m")}
        for key in WEIGHTS:
            row[key] = ra[key]
            row[f"{key}_covered_a"], row[f"{key}_covered_b"] = ra[f"{key}_covered"], rb[f"{key}_covered"]
            row[f"{key}_share_a"], row[f"{key}_share_b"] = ra[f"{key}_share"], rb[f"{key}_share"]
            row[f"{key}_gained"] = rb[f"{key}_covered"] - ra[f"{key}_covered"]
            sa, sb = ra[f"{key}_share"], rb[f"{key}_share"]
            row[f"{key}_share_change"] = None if sa is None or sb is None else sb - sa
        rows.append(row)

    std = standard_rows()
    if category:
        std = [r for r in std if r.category.slug == category]
    compounds = compounds_of(subdistrict)
    if grid:
        compounds = [c for c in compounds if c.grid and c.grid.code == grid]
    slugs = [r.category.slug for r in std]
    na, _ = nearest_matrix(a, compounds, slugs)
    nb, _ = nearest_matrix(b, compounds, slugs)
    changed = []
    for j, row in enumerate(std):
        ca, cb = na[:, j] <= row.threshold_m, nb[:, j] <= row.threshold_m
        for i in np.flatnonzero(ca != cb):
            c = compounds[i]
            changed.append({
                "compound": c.code, "name": c.display_name, "grid": c.grid.code if c.grid else None,
                "category": row.category.slug, "category_name": row.category.display_name,
                "gained": bool(cb[i]), "population": c.population or 0, "aged_60_plus": c.aged_60_plus or 0,
                "aged_0_3": c.aged_0_3 or 0,
                "nearest_a_m": None if not np.isfinite(na[i, j]) else round(float(na[i, j]), 1),
                "nearest_b_m": None if not np.isfinite(nb[i, j]) else round(float(nb[i, j]), 1),
            })
    return {"rows": rows, "changed": changed, "computed": computed_a and computed_b}


def plan_check(subdistrict, state=LIVE):
    """For each grid: the (open) facilities inside it offering each required service."""
    if state == LIVE:
        facilities = Facility.objects.filter(subdistrict=subdistrict, active=True)
    else:
        facilities = ScenarioFacility.objects.filter(scenario=state, active=True)
    facilities = list(facilities.select_related("category").prefetch_related("services"))
    result = []
    for grid in subdistrict.grids.order_by("code"):
        inside = [f for f in facilities if f.grid_id == grid.pk]
        services = {slug: [f.display_name for f in inside if slug in {c.slug for c in f.all_categories()}]
                    for slug in PLAN_REQUIREMENTS}
        result.append({"grid": grid.code, "grid_name": grid.display_name, "services": services,
                       "met": all(services.values())})
    return result
