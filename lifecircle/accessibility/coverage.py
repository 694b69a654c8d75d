"""Coverage per grid and category against the standard, the gap list, and the plan check.

Reads the stored results (see compute.py) and judges them with the geo engine's coverage
function, weighting by all residents, by those aged 60+ and by children aged 0–3.

Barrier-free: where the latest run computed the barrier-free walking profile, every row also
says how many of each group are covered walking barrier-free and how many that loses against
the standard walk (``*_lost_barrier_free``); the report carries the ranked barriers to fix first
and what the map data leaves unknown. Where it did not (a network saved before walking profiles),
those figures are ``None``, never zero. Beside them, :func:`data_unknown` gives the shares of the
network with no known surface or kerb as figures (:func:`unknown_lines`: the same in words, in the
active language), so a barrier-free figure never passes the best case off as known.

At an hour (``at``): coverage counts only facilities open when the walker arrives (leaving at
``at``, walking at the planning speed, 60 m/min; weekly hours and dated exceptions), computed on
the spot from the network rather than read from the stored results. A facility with no hours
recorded does not count, and the report says how many such facilities there are.
"""
import datetime
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility, StandardRow
from lifecircle.geo.coverage import coverage

from .models import BarrierFix, CompoundAccess, ComputeRun

#: Who is counted: every resident, and the two groups the standard singles out.
WEIGHTS = {"population": "population", "aged_60_plus": "aged_60_plus", "aged_0_3": "aged_0_3"}
#: Each grid must offer these within it (the sub-district's plan for its four grids).
PLAN_REQUIREMENTS = ("senior_day_care", "senior_meals")
WHOLE = "__all__"
#: The ``grid`` of the rows for compounds in no grid: not a grid code (codes are never empty), and not
#: None, which is the whole sub-district's. A report shows them apart, never as a second "whole".
NO_GRID = ""


def grid_label(group, names):
    """``(grid, grid_name)`` of a coverage row for ``group`` (a grid code, NO_GRID or WHOLE)."""
    if group == WHOLE:
        return None, ""
    if group == NO_GRID:
        return NO_GRID, gettext("Outside every grid")
    return group, names.get(group, "")


@dataclass
class Report:
    rows: list  # one dict per (grid, category), plus the whole sub-district as grid None
    gaps: list  # one dict per compound lacking a category within its threshold
    plan: list  # per grid: which required services it has inside it
    computed: bool  # whether any results are stored yet
    barrier_free: bool = False  # whether the stored results include the barrier-free profile
    barrier_fixes: list = None  # the ranked barriers (dicts), when barrier_free
    profile_notes: list = None  # what the map data leaves unknown to the profiles (English sentences)
    at: object = None  # the departure time the figures are for; None: any hour (the stored results)
    hour_notes: list = None  # at an hour: what counts, and the facilities with no hours (English sentences)
    data_unknown: dict = None  # shares of the network with no known surface or kerb, when barrier_free
    nearest_by_compound: dict = None  # at an hour: {compound code: {category: metres or None}}


def standard_rows():
    return list(StandardRow.objects.filter(standard__active=True).select_related("category").order_by(
        "tier_minutes", "category__slug"))


def report(subdistrict, grid_code=None, category=None, at=None):
    rows_std = standard_rows()
    if category:
        rows_std = [r for r in rows_std if r.category.slug == category]
    compounds = list(Compound.objects.filter(subdistrict=subdistrict).select_related("grid").order_by("code"))
    if grid_code:
        compounds = [c for c in compounds if c.grid and c.grid.code == grid_code]
    slugs = [r.category.slug for r in rows_std]
    nearest = np.full((len(compounds), len(slugs)), np.nan)
    barrier_free = np.full((len(compounds), len(slugs)), np.nan)
    position = {c.pk: i for i, c in enumerate(compounds)}
    column = {slug: j for j, slug in enumerate(slugs)}
    stored = CompoundAccess.objects.filter(compound__in=compounds, category__slug__in=slugs).values_list(
        "compound_id", "category__slug", "nearest_m", "nearest_barrier_free_m")
    computed = False
    for compound_id, slug, metres, free_metres in stored:
        computed = True
        nearest[position[compound_id], column[slug]] = np.inf if metres is None else metres
        barrier_free[position[compound_id], column[slug]] = np.inf if free_metres is None else free_metres
    run = ComputeRun.objects.filter(subdistrict=subdistrict).first()
    has_barrier_free = run is not None and "barrier-free" in run.profiles
    hour_notes, by_compound = [], None
    if at is not None and computed:
        nearest, hour_notes = nearest_open(subdistrict, compounds, slugs, [r.threshold_m for r in rows_std], at)
        has_barrier_free = False  # the barrier-free figures are for any hour
        by_compound = {c.code: {slug: None if not np.isfinite(nearest[i, j]) else round(float(nearest[i, j]))
                                for j, slug in enumerate(slugs)} for i, c in enumerate(compounds)}
    thresholds = [r.threshold_m for r in rows_std]
    grids = [c.grid.code if c.grid else NO_GRID for c in compounds]

    shares = {}
    gaps = None
    for key, field in WEIGHTS.items():
        weight = [getattr(c, field) or 0 for c in compounds]
        by_grid = coverage(nearest, slugs, weight, grids, thresholds)
        whole = coverage(nearest, slugs, weight, [WHOLE] * len(compounds), thresholds)
        for result in (by_grid, whole):
            for record in result.share_records():
                shares.setdefault((record["group"], record["category"]), {})[key] = record
        if has_barrier_free:
            for group in (grids, [WHOLE] * len(compounds)):
                for record in coverage(barrier_free, slugs, weight, group, thresholds).share_records():
                    shares[(record["group"], record["category"])][f"{key}_barrier_free"] = record
        if key == "population":
            gaps = by_grid

    grid_names = {c.grid.code: c.grid.display_name for c in compounds if c.grid}
    rows = []
    for (group, slug), by_weight in sorted(shares.items(), key=lambda item: (item[0][0] == WHOLE, item[0])):
        std = rows_std[column[slug]]
        grid, grid_name = grid_label(group, grid_names)
        record = {
            "grid": grid, "grid_name": grid_name,
            "category": slug, "category_name": std.category.display_name, "color": std.category.color,
            "tier_minutes": std.tier_minutes, "threshold_m": std.threshold_m,
        }
        for key in WEIGHTS:
            part = by_weight[key]
            record[key] = int(part["population"])
            record[f"{key}_covered"] = int(round(part["covered_population"]))
            record[f"{key}_share"] = part["share"]
            free = by_weight.get(f"{key}_barrier_free")
            record[f"{key}_covered_barrier_free"] = None if free is None else int(round(free["covered_population"]))
            record[f"{key}_lost_barrier_free"] = (
                None if free is None else max(record[f"{key}_covered"] - record[f"{key}_covered_barrier_free"], 0))
        rows.append(record)

    gap_list = []
    for gap in gaps.gap_records() if gaps is not None and computed else []:
        compound = compounds[gap["origin"]]
        std = rows_std[column[gap["category"]]]
        gap_list.append({
            "compound": compound.code, "compound_name": compound.display_name,
            "grid": compound.grid.code if compound.grid else None, "category": gap["category"],
            "category_name": std.category.display_name, "tier_minutes": std.tier_minutes,
            "threshold_m": std.threshold_m,
            "distance_m": None if gap["distance_m"] in (None, float("inf")) else round(gap["distance_m"]),
            "shortfall_m": None if gap["shortfall_m"] in (None, float("inf")) else round(gap["shortfall_m"]),
            "population": compound.population, "aged_60_plus": compound.aged_60_plus, "aged_0_3": compound.aged_0_3,
            "lon": compound.lon, "lat": compound.lat,
        })
    fixes = []
    if has_barrier_free:
        fixes = list(BarrierFix.objects.filter(subdistrict=subdistrict).values(
            "rank", "kind", "osm_id", "highway", "lon", "lat", "compounds", "categories", "pairs", "population",
            "aged_60_plus", "aged_0_3"))
    return Report(rows=rows, gaps=gap_list, plan=plan_check(subdistrict, grid_code), computed=computed,
                  barrier_free=has_barrier_free, barrier_fixes=fixes,
                  profile_notes=(list(run.tag_notes) if run is not None else []) + hour_notes,
                  at=at, hour_notes=hour_notes, nearest_by_compound=by_compound,
                  data_unknown=data_unknown(subdistrict) if has_barrier_free else None)


def data_unknown(subdistrict):
    """What the network's map data leaves unknown to the barrier-free walk, as figures: metres of
    walkable way (``length_m``) and of it with no known surface (``surface_unknown_m``, share
    ``surface_unknown_share``), crossings and those with no kerb mapped (``crossings``,
    ``crossings_kerb_unknown``, ``kerb_unknown_share``), ways whose incline gives no number, and
    how many tags carry values the profile table does not know. ``None`` when the network was saved
    before walking profiles (nothing was counted, and nothing is assumed)."""
    from lifecircle.community import networks
    from lifecircle.geo.profiles import TagAudit

    network = getattr(subdistrict, "network", None)
    if network is None:
        return None
    try:
        graph = networks.load_graph(network)
    except OSError:
        return None
    if not graph.tag_audit:
        return None
    audit = TagAudit.from_dict(graph.tag_audit)
    return {**{key: value for key, value in audit.to_dict().items() if key != "unknown_values"},
            "unknown_tag_values": sum(sum(counts.values()) for counts in audit.unknown_values.values())}


def unknown_lines(unknown):
    """What the map data leaves unknown to the barrier-free walk (:func:`data_unknown`), one
    sentence each in the active language; nothing for ``None``."""
    if not unknown:
        return []
    lines = []
    if unknown.get("length_m"):
        lines.append(gettext("%(pct)s of the walkable network (%(unknown).1f of %(total).1f km) has no known surface; "
                             "it is counted as passable for wheels, which may be too hopeful.") % {
            "pct": f"{int(np.floor(unknown['surface_unknown_share'] * 100 + 0.5))}%",
            "unknown": unknown["surface_unknown_m"] / 1000, "total": unknown["length_m"] / 1000})
    if unknown.get("crossings"):
        lines.append(gettext("%(n)s of %(total)s crossings (%(pct)s) have no kerb mapped; they are counted as "
                             "passable, which may be too hopeful.") % {
            "n": unknown["crossings_kerb_unknown"], "total": unknown["crossings"],
            "pct": f"{int(np.floor(unknown['kerb_unknown_share'] * 100 + 0.5))}%"})
    return lines


def nearest_open(subdistrict, compounds, slugs, thresholds, at):
    """``(nearest, notes)``: per compound and category, walking metres to the nearest facility open
    on arrival when leaving at ``at`` (``inf`` when none within the largest threshold is open)."""
    from lifecircle.community import networks
    from lifecircle.geo.odmatrix import distance_pairs
    from lifecircle.geo.snapping import snap_points
    from lifecircle.geo.walking import metres_to_minutes

    graph = networks.load_graph(subdistrict.network)
    facilities = list(Facility.objects.filter(subdistrict=subdistrict, active=True)
                      .select_related("category").prefetch_related("services", "hours_exceptions"))
    pairs = [(f, c.slug) for f in facilities for c in f.all_categories() if c.slug in slugs]
    nearest = np.full((len(compounds), len(slugs)), np.inf)
    places = snap_points(graph, [f.lon for f, _ in pairs], [f.lat for f, _ in pairs])
    homes = snap_points(graph, [c.lon for c in compounds], [c.lat for c in compounds])
    nearest[~homes.ok] = np.nan
    if pairs and len(compounds):
        found = distance_pairs(graph, places, homes, max_distance_m=max(thresholds))
        column = {slug: j for j, slug in enumerate(slugs)}
        for k, i, metres in zip(found.source.tolist(), found.target.tolist(), found.metres.tolist()):
            facility, slug = pairs[k]
            arrival = at + datetime.timedelta(minutes=float(metres_to_minutes(metres, "planning")))
            if facility.opening_hours.strip() and facility.is_open_at(arrival):
                nearest[i, column[slug]] = min(nearest[i, column[slug]], metres)
    unknown = sorted({f.code for f, _ in pairs if not f.opening_hours.strip()})
    notes = [f"at {at:%Y-%m-%d %H:%M}: only facilities open on arrival count"]
    if unknown:
        notes.append(f"{len(unknown)} facilities have no opening hours recorded and do not count at any hour: "
                     + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
    return nearest, notes


def plan_check(subdistrict, grid_code=None):
    """For each grid: the facilities inside it offering each required service."""
    grids = subdistrict.grids.all()
    if grid_code:
        grids = grids.filter(code=grid_code)
    facilities = Facility.objects.filter(subdistrict=subdistrict, active=True).select_related(
        "category", "grid").prefetch_related("services")
    result = []
    for grid in grids:
        inside = [f for f in facilities if f.grid_id == grid.pk]
        services = {}
        for slug in PLAN_REQUIREMENTS:
            services[slug] = [f.display_name for f in inside if slug in {c.slug for c in f.all_categories()}]
        result.append({
            "grid": grid.code, "grid_name": grid.display_name, "services": services,
            "met": all(services.values()),
        })
    return result
