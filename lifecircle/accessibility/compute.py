"""Run the geo engine over a sub-district and store what every compound can reach.

Results are written in one short transaction at the end of a run, so readers always see a
complete set (the previous one until the new one is committed), and a long recompute never
holds a lock while it computes.

A run has three steps: :func:`prepare` reads the database into a
:class:`~lifecircle.geo.city.NetworkJob` (plain arrays, no Django), the geo engine measures it
(here, or on a Dask worker: :func:`compute_all`), and :func:`store` writes the result.

Walking profiles: beside the standard walk, every profile the network was built with (elderly,
barrier-free) gets each compound's nearest facility per category (:func:`measure_profiles`, run
where the results are stored), and the run records which profiles it computed (a network saved
before profiles existed has the standard one only: its profile columns stay empty and the run says
so). A full run also ranks the barriers whose ramping would give back the most barrier-free
coverage to residents aged 60+ and children aged 0–3 (``BarrierFix``).
"""
import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility, ServiceCategory, Standard
from lifecircle.geo.accessibility import nearest_facilities
from lifecircle.geo.barriers import profile_losses, rank_barrier_fixes
from lifecircle.geo.errors import InputError
from lifecircle.geo.profiles import TagAudit
from lifecircle.geo.snapping import snap_points
from lifecircle.geo.standard import tier_distances as standard_tiers
from lifecircle.geo.city import NetworkJob, measure_network

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


@dataclass(eq=False)
class Prepared:
    """What one sub-district's computation read from the database, and the engine's job."""

    subdistrict: object
    standard: object
    full: bool
    all_categories: list
    origin_rows: list
    facility_rows: list
    job: NetworkJob


def compute(subdistrict, categories=None, compounds=None, reason="", progress=False):
    """Compute and store accessibility for ``subdistrict``.

    ``categories`` (slugs) and ``compounds`` (codes) narrow the run to what changed; by default
    everything is computed. Returns the ComputeRun.
    """
    started = time.perf_counter()
    prepared = prepare(subdistrict, categories, compounds)
    return store(prepared, measure_network(prepared.job, progress=progress), reason, started)


def prepare(subdistrict, categories=None, compounds=None):
    """Read what :func:`compute` needs; raises NotComputable when something is missing."""
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
    # A facility counts once for every category it offers (tiers do not nest).
    pairs = [(i, c.slug) for i, f in enumerate(facility_rows) for c in f.all_categories() if c.slug in slugs]
    job = NetworkJob(
        subdistrict.code, graph, np.array([o.lon for o in origin_rows], dtype=float),
        np.array([o.lat for o in origin_rows], dtype=float), np.array([f.lon for f in facility_rows], dtype=float),
        np.array([f.lat for f in facility_rows], dtype=float), np.array([i for i, _ in pairs], dtype=np.int64),
        [slug for _, slug in pairs], [facility_rows[i].capacity or 0 for i, _ in pairs], thresholds, slugs,
    )
    return Prepared(subdistrict, standard, categories is None and compounds is None, all_categories, origin_rows,
                    facility_rows, job)


@dataclass(eq=False)
class ProfileResult:
    """The walking profiles' side of a run: per profile, each origin's nearest facility per label."""

    nearest: dict  # profile name -> array (origins × sorted distinct category labels), metres
    column_of: dict  # category slug -> column of those arrays
    names: list  # profiles computed, "standard" first
    notes: list  # what the tags leave unknown, and points moved to a street the profile can use
    fixes: list  # BarrierFix fields, ranked (full runs only)


def measure_profiles(prepared):
    """Each compound's nearest facility per category for every profile the network was built with,
    the tag notes, and (full runs) the ranked barrier fixes."""
    job, origin_rows, facility_rows = prepared.job, prepared.origin_rows, prepared.facility_rows
    graph = job.graph
    profiles = [name for name in graph.profile_names if name in PROFILE_FIELDS]
    labels = list(job.pair_category)
    index = np.asarray(job.pair_facility, dtype=np.int64)
    notes = TagAudit.from_dict(graph.tag_audit).warnings if profiles else []
    by_profile = {}
    if profiles:
        origins = snap_points(graph, job.origin_lon, job.origin_lat)
        places = snap_points(graph, job.facility_lon, job.facility_lat)
    for name in profiles:
        view = graph.for_profile(name)
        moved = [int((snap.ok & ~np.isfinite(view.edge_cost[np.maximum(snap.edge, 0)])).sum())
                 for snap in (origins, places)]
        if any(moved):
            notes.append(f"{name}: {moved[0]} compound(s) and {moved[1]} facility(ies) stand by a street this profile "
                         "cannot use; they were placed on the nearest street it can, their walk to it counted")
        walked_origins = snap_points(view, job.origin_lon, job.origin_lat)
        walked_places = snap_points(view, job.facility_lon, job.facility_lat)
        by_profile[name] = nearest_facilities(view, walked_origins, walked_places.take(index), labels) \
            if labels else np.full((len(origin_rows), 0), np.inf)
    fixes = []
    if BARRIER_PROFILE in profiles and prepared.full:
        fixes = _barrier_fixes(graph, prepared.standard, origin_rows, facility_rows, list(zip(index.tolist(), labels)),
                               index)
    return ProfileResult(by_profile, {slug: j for j, slug in enumerate(sorted(set(labels)))},
                         ["standard", *profiles], notes, fixes)


def store(prepared, measured, reason, started):
    """Write one sub-district's measured accessibility in one transaction; returns the ComputeRun."""
    subdistrict, standard, result = prepared.subdistrict, prepared.standard, measured.result
    walked = measure_profiles(prepared)
    all_categories, origin_rows, facility_rows = prepared.all_categories, prepared.origin_rows, prepared.facility_rows
    slugs = prepared.job.category_names

    off_network = [
        (OffNetworkPoint.Kind.COMPOUND, origin_rows[i], d) for i, d in zip(measured.origin_far_index, measured.origin_far_m)
    ] + [(OffNetworkPoint.Kind.FACILITY, facility_rows[i], d)
         for i, d in zip(measured.facility_far_index, measured.facility_far_m)]

    with transaction.atomic():
        run = ComputeRun.objects.create(
            subdistrict=subdistrict, standard=standard,
            kind=ComputeRun.Kind.FULL if prepared.full else ComputeRun.Kind.INCREMENTAL,
            reason=reason, categories=slugs, origins=len(origin_rows), facilities=len(facility_rows),
            profiles=walked.names, tag_notes=walked.notes,
        )
        CompoundAccess.objects.filter(compound__in=origin_rows, category__in=all_categories).delete()
        rows = []
        for o, compound in enumerate(origin_rows):
            if not result.origin_ok[o]:
                continue
            for c, category in enumerate(all_categories):
                nearest = result.nearest_m[o, c]
                counts = result.count[o, c]
                capacity = result.capacity[o, c] if result.capacity is not None else np.zeros(len(TIERS))
                column = walked.column_of.get(category.slug)
                by_profile = {field: walked.nearest[name][o, column] if name in walked.nearest and column is not None
                              else np.nan for name, field in PROFILE_FIELDS.items()}
                rows.append(CompoundAccess(
                    compound=compound, category=category, run=run,
                    **{field: float(m) if np.isfinite(m) else None for field, m in by_profile.items()},
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
        if prepared.full:
            BarrierFix.objects.filter(subdistrict=subdistrict).delete()
            BarrierFix.objects.bulk_create([BarrierFix(subdistrict=subdistrict, run=run, rank=rank, **fix)
                                            for rank, fix in enumerate(walked.fixes, start=1)])
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


@dataclass(eq=False)
class Outcome:
    """One sub-district of :func:`compute_all`: its run, or why it has none."""

    subdistrict: object
    run: object = None
    prepared: Prepared | None = None
    measured: object = None
    error: str = ""


def compute_all(subdistricts, scheduler=None, workers=None, reason="", progress=False):
    """Compute every sub-district on a Dask cluster, storing each as soon as it is measured.

    ``scheduler`` is the address of a running Dask scheduler; without it a local cluster of
    ``workers`` processes (default one per core) runs. Each task carries one sub-district's network
    and points, never the database. A sub-district that cannot be computed or whose task fails is
    reported in its :class:`Outcome`; the others are stored all the same. Raises
    :class:`lifecircle.geo.city.ClusterError` when Dask is missing or the scheduler cannot be reached.
    """
    from lifecircle.geo.city import close, connect, progress_bar, stream

    subdistricts = list(subdistricts)
    outcomes, pending = {}, {}

    def jobs():
        for subdistrict in subdistricts:
            try:
                prepared = prepare(subdistrict)
            except NotComputable as exc:
                outcomes[subdistrict.pk] = Outcome(subdistrict, error=str(exc))
                continue
            pending[subdistrict.pk] = (prepared, time.perf_counter())
            yield subdistrict.pk, prepared.job

    client, cluster = connect(scheduler, workers)
    bar = progress_bar(len(subdistricts), "sub-districts") if progress else None
    try:
        for key, measured, error in stream(client, measure_network, jobs(), bar=bar):
            prepared, started = pending.pop(key)
            if error is not None:
                outcomes[key] = Outcome(prepared.subdistrict, prepared=prepared, error=f"{type(error).__name__}: {error}")
            else:
                run = store(prepared, measured, reason, started)
                outcomes[key] = Outcome(prepared.subdistrict, run, prepared, measured)
    finally:
        if bar is not None:
            bar.close()
        close(client, cluster)
    return [outcomes[s.pk] for s in subdistricts]


def standard_shares(outcome):
    """Per category, the share within the category's standard distance, from an :class:`Outcome`.

    Returns ``(shares, weighted_by)``: shares of the population when every compound has one,
    otherwise of the compounds (``weighted_by`` says which).
    """
    prepared, result = outcome.prepared, outcome.measured.result
    threshold = {row.category.slug: row.threshold_m for row in prepared.standard.rows.select_related("category")}
    by_population = all(o.population for o in prepared.origin_rows)
    weight = np.array([o.population if by_population else 1 for o in prepared.origin_rows], dtype=float)
    shares = {}
    for c, slug in enumerate(result.categories):
        if slug in threshold and weight.sum() > 0:
            within = result.origin_ok & (result.nearest_m[:, c] <= threshold[slug])
            shares[slug] = float(weight[within].sum() / weight.sum())
    return shares, "population" if by_population else "compounds"
