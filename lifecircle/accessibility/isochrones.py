"""Isochrones from any point, and what each can reach, for the map; and which sub-district's network
a point on the map belongs to (when the request names none)."""
import math

import numpy as np
from shapely.geometry import Point

from lifecircle.community import networks
from lifecircle.community.models import SubDistrict
from lifecircle.directory.models import Facility, Standard
from lifecircle.geo.accessibility import nearest_facilities
from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.isochrones import isochrones
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M, snap_points
from lifecircle.geo.walking import LIFE_CIRCLE_MINUTES, metres_to_minutes, minutes_to_metres
from lifecircle.geography import polygon_from_geojson

from .compute import tier_distances


def tier_metres(profile):
    """Distances for the 5/10/15-minute isochrones: the standard's own (300/500/1000 m) when
    ``profile`` is "standard", else minutes at that walking speed (elderly walkers cover less)."""
    if profile == "standard":
        return tier_distances(Standard.objects.get(active=True))
    return [float(d) for d in minutes_to_metres(LIFE_CIRCLE_MINUTES, profile)]


def subdistrict_at(lon, lat):
    """The sub-district whose walking network a click at (lon, lat) joins, or None when no
    network has a street within snapping distance (300 m).

    Inside a sub-district's boundary its own network wins when the click reaches it; elsewhere
    (outside every boundary, or beyond its own streets) the network with the nearest street does.
    Networks whose extent, widened by the snapping distance, misses the click are not searched.
    """
    margin_lat = DEFAULT_MAX_SNAP_M / METRES_PER_DEGREE
    margin_lon = margin_lat / math.cos(math.radians(lat))
    point = Point(lon, lat)
    candidates = []
    for subdistrict in SubDistrict.objects.exclude(network=None).select_related("network").order_by("code"):
        graph = networks.load_graph(subdistrict.network)
        min_lon, min_lat, max_lon, max_lat = graph.bounds
        if not (min_lon - margin_lon <= lon <= max_lon + margin_lon and min_lat - margin_lat <= lat <= max_lat + margin_lat):
            continue
        snapped = snap_points(graph, [lon], [lat])
        if not snapped.ok[0]:
            continue
        inside = bool(subdistrict.boundary) and polygon_from_geojson(subdistrict.boundary).covers(point)
        candidates.append((not inside, float(snapped.offset_m[0]), subdistrict.code, subdistrict))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def isochrones_with_reach(subdistrict, lon, lat, profile="standard"):
    """GeoJSON isochrone polygons around (lon, lat), plus every facility within the largest,
    with its exact walking distance. Raises GeoError for a point away from every street."""
    graph = networks.load_graph(subdistrict.network)
    distances = tier_metres(profile)
    speed_profile = "planning" if profile == "standard" else profile
    collection = isochrones(graph, lon, lat, distances_m=distances, profile=speed_profile)
    for feature, minutes in zip(collection["features"], reversed(LIFE_CIRCLE_MINUTES)):
        feature["properties"]["tier_minutes"] = minutes

    # A walk is never shorter than the straight line, so facilities outside this box cannot be
    # reached; leaving them out keeps a click cheap in a city with thousands of facilities.
    reach = max(distances)
    dlat = reach / METRES_PER_DEGREE
    dlon = reach / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    facilities = list(
        Facility.objects.filter(subdistrict=subdistrict, active=True, lon__range=(lon - dlon, lon + dlon),
                                lat__range=(lat - dlat, lat + dlat))
        .select_related("category").prefetch_related("services")
    )
    places = snap_points(graph, [f.lon for f in facilities], [f.lat for f in facilities])
    point = snap_points(graph, [lon], [lat])
    # The walk is undirected, so one search from the point gives its distance to every facility.
    metres = nearest_facilities(graph, places, point, categories=["point"], max_distance_m=max(distances))[:, 0]
    reachable = []
    for facility, distance in zip(facilities, metres):
        if not np.isfinite(distance):
            continue
        reachable.append({
            "code": facility.code, "name": facility.name, "name_en": facility.name_en,
            "category": facility.category.slug, "categories": [c.slug for c in facility.all_categories()],
            "distance_m": round(float(distance), 1), "minutes": round(float(metres_to_minutes(distance, speed_profile)), 1),
            "tier_minutes": next(m for m, d in zip(LIFE_CIRCLE_MINUTES, distances) if distance <= d),
        })
    reachable.sort(key=lambda r: r["distance_m"])
    collection["reachable"] = reachable
    collection["distances_m"] = distances
    collection["profile"] = profile
    collection["attribution"] = subdistrict.network.attribution
    return collection
