"""Walking results for a scenario: the geo engine run on the scenario's facilities, with the live
network and compounds.

Only the categories a change touches are recomputed: one bounded-free Dijkstra per category from
a virtual source joined to that category's facilities (``nearest_facilities``), so a change costs
the same whether the scenario holds ten facilities or ten thousand.
"""
import functools
import time

import numpy as np
from django.db import connection, models, transaction

from lifecircle.accessibility.compute import NotComputable
from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.directory.models import ServiceCategory
from lifecircle.geo.accessibility import nearest_facilities
from lifecircle.geo.snapping import snap_points

from .models import ScenarioAccess, ScenarioFacility


def graph_of(subdistrict):
    network = getattr(subdistrict, "network", None)
    if network is None:
        raise NotComputable(f"{subdistrict} has no pedestrian network; load one with load_pack")
    return networks.load_graph(network)


def compounds_of(subdistrict):
    return list(Compound.objects.filter(subdistrict=subdistrict).select_related("grid").order_by("code"))


def snapped(graph, points):
    """Snap (lon, lat) pairs, remembering the last few answers (compounds rarely move)."""
    return _snap_cached(graph, tuple((float(lon), float(lat)) for lon, lat in points))


@functools.lru_cache(maxsize=16)
def _snap_cached(graph, points):
    # WalkGraph compares by identity, so a rebuilt network (a new object) is snapped afresh.
    if not points:
        return snap_points(graph, [], [])
    lon, lat = zip(*points)
    return snap_points(graph, lon, lat)


def compound_points(subdistrict):
    """``(ids, [(lon, lat), ...])`` of the sub-district's compounds, in code order (plain values: a
    city has thousands, and model instances would cost more than the walk itself)."""
    rows = list(Compound.objects.filter(subdistrict=subdistrict).order_by("code").values_list("pk", "lon", "lat"))
    return [r[0] for r in rows], [(r[1], r[2]) for r in rows]


def facility_points(scenario, slugs):
    """``[(lon, lat, slug), ...]``: every open facility of ``scenario`` once per wanted category it offers."""
    wanted = set(slugs)
    facilities = ScenarioFacility.objects.filter(scenario=scenario, active=True)
    points = [(lon, lat, slug) for lon, lat, slug in facilities.filter(category__slug__in=wanted)
              .values_list("lon", "lat", "category__slug")]
    through = ScenarioFacility.services.through
    extra = (through.objects.filter(scenariofacility__scenario=scenario, scenariofacility__active=True,
                                    servicecategory__slug__in=wanted)
             .exclude(servicecategory_id=models.F("scenariofacility__category_id"))
             .values_list("scenariofacility__lon", "scenariofacility__lat", "servicecategory__slug"))
    return points + list(extra)


def nearest_by_category(subdistrict, points, facilities, slugs):
    """``{slug: metres per compound}`` (inf: none reachable, nan: compound off the network).

    ``points``: the compounds' (lon, lat); ``facilities``: (lon, lat, slug) per facility and category.
    """
    graph = graph_of(subdistrict)
    origins = snapped(graph, points)
    result = {slug: np.where(origins.ok, np.inf, np.nan) for slug in slugs}
    if facilities and points:
        places = snap_points(graph, [f[0] for f in facilities], [f[1] for f in facilities])
        labels = [f[2] for f in facilities]
        metres = nearest_facilities(graph, origins, places, categories=labels)
        for column, slug in enumerate(sorted(set(labels))):
            result[slug] = metres[:, column]
    return result


def recompute(scenario, slugs=None):
    """Bring the stored results of ``scenario`` up to date for ``slugs`` (default: every category).

    Returns the seconds it took. Call inside the transaction that made the change, so readers
    never see the change without its results.
    """
    started = time.perf_counter()
    categories = dict(ServiceCategory.objects.values_list("slug", "pk"))
    slugs = sorted(categories) if slugs is None else sorted(set(slugs) & set(categories))
    if not slugs:
        return time.perf_counter() - started
    ids, points = compound_points(scenario.subdistrict)
    nearest = nearest_by_category(scenario.subdistrict, points, facility_points(scenario, slugs), slugs)
    rows = []
    for slug in slugs:
        for compound_id, metres in zip(ids, nearest[slug].tolist()):
            if metres != metres:  # NaN: off the network, no result (counted as not covered)
                continue
            rows.append((scenario.pk, compound_id, categories[slug], metres if metres != float("inf") else None))
    table = ScenarioAccess._meta.db_table
    quote = connection.ops.quote_name
    insert = (f"INSERT INTO {quote(table)} ({quote('scenario_id')}, {quote('compound_id')}, {quote('category_id')}, "
              f"{quote('nearest_m')}) VALUES (%s, %s, %s, %s)")
    with transaction.atomic():
        ScenarioAccess.objects.filter(scenario=scenario, category_id__in=[categories[s] for s in slugs]).delete()
        with connection.cursor() as cursor:  # plain rows: thousands of model instances would dominate
            for start in range(0, len(rows), 5000):
                cursor.executemany(insert, rows[start:start + 5000])
    return time.perf_counter() - started
