"""Isochrones from any point, and what each can reach, for the map."""
import math

import numpy as np

from lifecircle.caching import cached_value, from_nearest_node
from lifecircle.community import networks
from lifecircle.directory.models import Facility, Standard
from lifecircle.geo.accessibility import nearest_facilities
from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.isochrones import isochrones
from lifecircle.geo.snapping import snap_points
from lifecircle.geo.walking import LIFE_CIRCLE_MINUTES, metres_to_minutes, minutes_to_metres

from .compute import tier_distances


def tier_metres(profile):
    """Distances for the 5/10/15-minute isochrones: the standard's own (300/500/1000 m) when
    ``profile`` is "standard", else minutes at that walking speed (elderly walkers cover less)."""
    if profile == "standard":
        return tier_distances(Standard.objects.get(active=True))
    return [float(d) for d in minutes_to_metres(LIFE_CIRCLE_MINUTES, profile)]


def isochrones_with_reach(subdistrict, lon, lat, profile="standard"):
    """GeoJSON isochrone polygons around (lon, lat), plus every facility within the largest,
    with its exact walking distance from the point itself. The polygons are drawn from the
    nearest street junction and cached per junction (``origin`` says where, and how far that is);
    raises GeoError for a point away from every street."""
    distances = cached_value(["directory"], ["tier-metres", profile], lambda: tier_metres(profile))
    collection = from_nearest_node(isochrone_shapes)(subdistrict, lon, lat, profile, distances)
    collection["reachable"] = reachable_facilities(subdistrict, lon, lat, distances, profile)
    return collection


def isochrone_shapes(subdistrict, lon, lat, profile="standard", distances=None):
    """The 5/10/15-minute polygons around (lon, lat) for ``distances`` (the profile's own by
    default), with the distances and the network's attribution."""
    graph = networks.load_graph(subdistrict.network)
    distances = tier_metres(profile) if distances is None else distances
    speed_profile = "planning" if profile == "standard" else profile
    collection = isochrones(graph, lon, lat, distances_m=distances, profile=speed_profile)
    for feature, minutes in zip(collection["features"], reversed(LIFE_CIRCLE_MINUTES)):
        feature["properties"]["tier_minutes"] = minutes
    collection["distances_m"] = distances
    collection["profile"] = profile
    collection["attribution"] = subdistrict.network.attribution
    return collection


def warm_isochrone_shapes(subdistrict, profiles, progress=None):
    """Compute and cache the shapes from every junction of ``subdistrict``'s network for each of
    ``profiles``, so that no map click waits for one; returns how many were computed."""
    graph = networks.load_graph(subdistrict.network)
    shapes = from_nearest_node(isochrone_shapes)
    count = 0
    for profile in profiles:
        distances = cached_value(["directory"], ["tier-metres", profile], lambda: tier_metres(profile))
        for node in range(graph.n_nodes):
            shapes(subdistrict, float(graph.node_lon[node]), float(graph.node_lat[node]), profile, distances)
            count += 1
            if progress:
                progress(count)
    return count


def _snapped_facilities(subdistrict):
    """Every active facility of ``subdistrict`` (code, names, categories, position) and where it
    joins the network; kept in the cache until the directory or the network changes."""
    graph = networks.load_graph(subdistrict.network)
    facilities = list(Facility.objects.filter(subdistrict=subdistrict, active=True)
                      .select_related("category").prefetch_related("services").order_by("pk"))
    rows = [{"code": f.code, "name": f.name, "name_en": f.name_en, "category": f.category.slug,
             "categories": [c.slug for c in f.all_categories()]} for f in facilities]
    lons, lats = np.array([f.lon for f in facilities]), np.array([f.lat for f in facilities])
    return rows, lons, lats, snap_points(graph, lons, lats)


def reachable_facilities(subdistrict, lon, lat, distances, profile="standard"):
    """Every facility within the largest of ``distances`` walking from (lon, lat), nearest first,
    with its exact walking distance, minutes and tier."""
    graph = networks.load_graph(subdistrict.network)
    speed_profile = "planning" if profile == "standard" else profile
    rows, lons, lats, places = cached_value(
        ["directory"], ["snapped-facilities", subdistrict.pk, networks.graph_path(subdistrict.network).stat().st_mtime_ns],
        lambda: _snapped_facilities(subdistrict))
    # A walk is never shorter than the straight line, so facilities outside this box cannot be
    # reached; leaving them out keeps a click cheap in a city with thousands of facilities.
    reach = max(distances)
    dlat = reach / METRES_PER_DEGREE
    dlon = reach / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    near = np.flatnonzero((np.abs(lons - lon) <= dlon) & (np.abs(lats - lat) <= dlat))
    point = snap_points(graph, [lon], [lat])
    # The walk is undirected, so one search from the point gives its distance to every facility.
    metres = nearest_facilities(graph, places.take(near), point, categories=["point"], max_distance_m=reach)[:, 0]
    reachable = []
    for index, distance in zip(near, metres):
        if not np.isfinite(distance):
            continue
        reachable.append({
            **rows[index], "distance_m": round(float(distance), 1),
            "minutes": round(float(metres_to_minutes(distance, speed_profile)), 1),
            "tier_minutes": next(m for m, d in zip(LIFE_CIRCLE_MINUTES, distances) if distance <= d),
        })
    reachable.sort(key=lambda r: r["distance_m"])
    return reachable
