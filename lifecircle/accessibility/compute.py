"""Run the geo engine over a sub-district and store what every compound can reach.

Results are written in one short transaction at the end of a run, so readers always see a
complete set (the previous one until the new one is committed), and a long recompute never
holds a lock while it computes.

Walking profiles: beside the standard walk, every profile the network was built with (elderly,
barrier-free) gets each compound's nearest facility per category, and the run records which
profiles it computed (a network saved before profiles existed has the standard one only: its
profile columns stay empty and the run says so). A full run also ranks the barriers whose
ramping would give back the most barrier-free coverage to residents aged 60+ and children
aged 0–3 (``BarrierFix``).
"""
import time

import numpy as np
from django.db import transaction

from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility, ServiceCategory, Standard
from lifecircle.geo.accessibility import accessibility, nearest_facilities
from lifecircle.geo.barriers import profile_losses, rank_barrier_fixes
from lifecircle.geo.profiles import TagAudit
from lifecircle.geo.errors import InputError
from lifecircle.geo.snapping import snap_points
from lifecircle.geo.standard import tier_distances as standard_tiers

from .models import TIERS, BarrierFix, CompoundAccess, ComputeRun, OffNetworkPoint

#: Profile columns of CompoundAccess, by profile name.
PROFILE_FIELDS = {"elderly": "nearest_elderly_m", "barrier-free": "nearest_barrier_free_m"}
#: The profile whose barriers are ranked, and how many are kept.
BARRIER_PROFILE, BARRIER_FIXES_KEPT = "barrier-free", 20


class NotComputable(Exception):
    """The sub-district lacks what a computation needs (a network, a standard)."""


def tier_distances(standard):
    """Metres per life-circle tier, read from the standard (5 min ≈ 300 m, ...): each tier's largest
    threshold, the same rule as the command line's (``lifecircle.geo.standard``)."""
    try:
        distances = standard_tiers(standard.rows.values_list("tier_minutes", "threshold_m"))
    except InputError as exc:
        raise NotComputable(f"'{standard}': {exc}") from None
    return [distances[tier] for tier in TIERS]


def compute(subdistrict, categories=None, compounds=None, reason="", progress=False):
    """Compute and store accessibility for ``subdistrict``.

    ``categories`` (slugs) and ``compounds`` (codes) narrow the run to what changed; by default
    everything is computed. Returns the ComputeRun.
    """
    started = time.perf_counter()
    network = getattr(subdistrict, "network", None)
    if network is None:
        raise NotComputable(f"{subdistrict} has no pedestrian network; load one with load_pack")
    standard = Standard.objects.filter(active=True).first()
    if standard is None:
        raise NotComputable("no walking standard is active")
    thresholds = tier_distances(standard)
    graph = networks.load_graph(network)

    all_categories = list(ServiceCategory.objects.order_by("slug"))
    if categories is not None:
        all_categories = [c for c in all_categories if c.slug in set(categories)]
    slugs = [c.slug for c in all_categories]
    origin_rows = Compound.objects.filter(subdistrict=subdistrict).order_by("code")
    if compounds is not None:
        origin_rows = origin_rows.filter(code__in=compounds)
    origin_rows = list(origin_rows)
    facility_rows = list(
        Facility.objects.filter(subdistrict=subdistrict, active=True).select_related("category").prefetch_related("services")
    )

    origins = snap_points(graph, [o.lon for o in origin_rows], [o.lat for o in origin_rows])
    places = snap_points(graph, [f.lon for f in facility_rows], [f.lat for f in facility_rows])
    # A facility counts once for every category it offers (tiers do not nest).
    pairs = [(i, c.slug) for i, f in enumerate(facility_rows) for c in f.all_categories() if c.slug in slugs]
    index = np.array([i for i, _ in pairs], dtype=np.int64)
    result = accessibility(
        graph, origins, places.take(index), [slug for _, slug in pairs],
        thresholds_m=thresholds, capacity=[facility_rows[i].capacity or 0 for i, _ in pairs],
        category_names=slugs, progress=progress,
    )

    profiles = [name for name in graph.profile_names if name in PROFILE_FIELDS]
    by_profile = {}
    labels = [slug for _, slug in pairs]
    notes = TagAudit.from_dict(graph.tag_audit).warnings if profiles else []
    for name in profiles:
        view = graph.for_profile(name)
        moved = [int((snap.ok & ~np.isfinite(view.edge_cost[np.maximum(snap.edge, 0)])).sum())
                 for snap in (origins, places)]
        if any(moved):
            notes.append(f"{name}: {moved[0]} compound(s) and {moved[1]} facility(ies) stand by a street this profile "
                         "cannot use; they were placed on the nearest street it can, their walk to it counted")
        walked_origins = snap_points(view, [o.lon for o in origin_rows], [o.lat for o in origin_rows])
        walked_places = snap_points(view, [f.lon for f in facility_rows], [f.lat for f in facility_rows])
        by_profile[name] = nearest_facilities(view, walked_origins, walked_places.take(index), labels) \
            if pairs else np.full((len(origin_rows), 0), np.inf)
    fixes = []
    if BARRIER_PROFILE in profiles and categories is None and compounds is None:
        fixes = _barrier_fixes(graph, standard, origin_rows, facility_rows, pairs, index)

    off_network = [
        (OffNetworkPoint.Kind.COMPOUND, origin_rows[i], d) for i, d in zip(origins.far_index, origins.far_distance_m)
    ] + [(OffNetworkPoint.Kind.FACILITY, facility_rows[i], d) for i, d in zip(places.far_index, places.far_distance_m)]

    with transaction.atomic():
        run = ComputeRun.objects.create(
            subdistrict=subdistrict, standard=standard,
            kind=ComputeRun.Kind.FULL if categories is None and compounds is None else ComputeRun.Kind.INCREMENTAL,
            reason=reason, categories=slugs, origins=len(origin_rows), facilities=len(facility_rows),
            profiles=["standard", *profiles], tag_notes=notes,
        )
        CompoundAccess.objects.filter(compound__in=origin_rows, category__in=all_categories).delete()
        rows = []
        column_of = {slug: j for j, slug in enumerate(sorted(set(labels)))}  # nearest_facilities' column order
        for o, compound in enumerate(origin_rows):
            if not result.origin_ok[o]:
                continue
            for c, category in enumerate(all_categories):
                nearest = result.nearest_m[o, c]
                counts = result.count[o, c]
                capacity = result.capacity[o, c] if result.capacity is not None else np.zeros(len(TIERS))
                walked = {}
                for name, field in PROFILE_FIELDS.items():
                    column = column_of.get(category.slug)
                    metres = by_profile[name][o, column] if name in by_profile and column is not None else np.nan
                    walked[field] = float(metres) if np.isfinite(metres) else None
                rows.append(CompoundAccess(
                    compound=compound, category=category, run=run, **walked,
                    nearest_m=float(nearest) if np.isfinite(nearest) else None,
                    count_5=int(counts[0]), count_10=int(counts[1]), count_15=int(counts[2]),
                    capacity_5=float(capacity[0]), capacity_10=float(capacity[1]), capacity_15=float(capacity[2]),
                ))
        CompoundAccess.objects.bulk_create(rows, batch_size=2000)
        # Every facility was snapped again, but only the chosen compounds.
        OffNetworkPoint.objects.filter(subdistrict=subdistrict, kind=OffNetworkPoint.Kind.FACILITY).delete()
        OffNetworkPoint.objects.filter(
            subdistrict=subdistrict, kind=OffNetworkPoint.Kind.COMPOUND, code__in=[o.code for o in origin_rows]
        ).delete()
        for kind, place, distance in off_network:
            OffNetworkPoint.objects.update_or_create(
                subdistrict=subdistrict, kind=kind, code=place.code,
                defaults={"name": place.name, "distance_m": float(distance)},
            )
        if categories is None and compounds is None:
            BarrierFix.objects.filter(subdistrict=subdistrict).delete()
            BarrierFix.objects.bulk_create([BarrierFix(subdistrict=subdistrict, run=run, rank=rank, **fix)
                                            for rank, fix in enumerate(fixes, start=1)])
        run.seconds = time.perf_counter() - started
        run.save(update_fields=["seconds"])
    return run


def _barrier_fixes(graph, standard, origin_rows, facility_rows, pairs, index):
    """The ranked barriers (as BarrierFix fields): those whose ramping gives back the most
    barrier-free coverage, weighted by residents aged 60+ and children aged 0–3."""
    thresholds = {row.category.slug: float(row.threshold_m) for row in
                  standard.rows.select_related("category")}
    labels = [slug for _, slug in pairs]
    kept = [k for k, slug in enumerate(labels) if slug in thresholds]
    if not kept:
        return []
    places = [facility_rows[index[k]] for k in kept]
    losses = profile_losses(graph, BARRIER_PROFILE, [o.lon for o in origin_rows], [o.lat for o in origin_rows],
                            [f.lon for f in places], [f.lat for f in places], [labels[k] for k in kept], thresholds)
    weight = [(o.aged_60_plus or 0) + (o.aged_0_3 or 0) for o in origin_rows]
    fixes = rank_barrier_fixes(graph, BARRIER_PROFILE, losses, weight=weight, top=BARRIER_FIXES_KEPT)
    out = []
    for fix in fixes:
        who = sorted({o for o, _ in fix.regained})
        out.append({
            "kind": fix.kind, "osm_id": fix.osm_id, "highway": fix.highway, "lon": fix.lon, "lat": fix.lat,
            "compounds": [origin_rows[o].code for o in who],
            "categories": sorted({losses.categories[c] for _, c in fix.regained}), "pairs": len(fix.regained),
            "population": sum(origin_rows[o].population or 0 for o in who),
            "aged_60_plus": sum(origin_rows[o].aged_60_plus or 0 for o in who),
            "aged_0_3": sum(origin_rows[o].aged_0_3 or 0 for o in who),
        })
    return out


def unreached(subdistrict):
    """Who the stored results leave out: ``{"off_network": [compounds], "reach_nothing": [compounds],
    "facilities_off_network": [codes], "compounds": total}``.

    Off the network: farther than the snapping distance from any walkable street, so not placed at
    all. Reach nothing: placed, but no facility of any category can be walked to (an island, or a
    network that does not join the facilities).
    """
    compounds = list(Compound.objects.filter(subdistrict=subdistrict).order_by("code"))
    off = OffNetworkPoint.objects.filter(subdistrict=subdistrict)
    off_codes = set(off.filter(kind=OffNetworkPoint.Kind.COMPOUND).values_list("code", flat=True))
    reaching = set(CompoundAccess.objects.filter(compound__subdistrict=subdistrict, nearest_m__isnull=False)
                   .values_list("compound_id", flat=True))
    return {
        "compounds": len(compounds),
        "off_network": [c for c in compounds if c.code in off_codes],
        "reach_nothing": [c for c in compounds if c.code not in off_codes and c.pk not in reaching],
        "facilities_off_network": sorted(off.filter(kind=OffNetworkPoint.Kind.FACILITY).values_list("code", flat=True)),
    }
