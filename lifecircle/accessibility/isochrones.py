"""Isochrones from any point, and what each can reach, for the map; and which sub-district's network
a point on the map belongs to (when the request names none).

What is open: given a departure time (default now), every facility in reach says whether it is
open when the walker arrives (its weekly hours and dated exceptions, at departure plus the walk's
minutes); a facility with no hours recorded says ``null`` (unknown), never open.
"""
import datetime
import math

import numpy as np
import shapely
from django.utils import timezone
from shapely.geometry import Point

from lifecircle.caching import cached_value, from_nearest_node, in_this_process
from lifecircle.community import networks
from lifecircle.community.models import SubDistrict
from lifecircle.community.scope import topics
from lifecircle.directory import hours
from lifecircle.directory.models import Facility, Standard
from lifecircle.geo.accessibility import nearest_facilities
from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.isochrones import isochrones
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M, snap_points
from lifecircle.geo.walking import LIFE_CIRCLE_MINUTES, SPEED_PROFILES_M_PER_MIN, metres_to_minutes, minutes_to_metres
from lifecircle.geography import polygon_from_geojson

from .compute import tier_distances


#: Walking profiles of the network (lifecircle.geo.profiles) beyond the standard walk, with the
#: isochrone distances each uses: the standard's own, or minutes at its speed.
NETWORK_PROFILES = {"elderly": "elderly", "barrier-free": "standard"}
#: Every value the map and the API take for ``profile``.
PROFILE_CHOICES = ("standard", *SPEED_PROFILES_M_PER_MIN,
                   *[p for p in NETWORK_PROFILES if p not in SPEED_PROFILES_M_PER_MIN])


def tier_metres(profile):
    """Distances for the 5/10/15-minute isochrones: the standard's own (300/500/1000 m) when
    ``profile`` is "standard" or "barrier-free", else minutes at that walking speed (elderly walkers
    cover less)."""
    profile = NETWORK_PROFILES.get(profile, profile)
    if profile == "standard":
        return tier_distances(Standard.objects.get(active=True))
    return [float(d) for d in minutes_to_metres(LIFE_CIRCLE_MINUTES, profile)]


def profile_distances(profile):
    """``tier_metres(profile)``, kept in this worker until the directory (the standard) changes."""
    return in_this_process(["directory"], f"accessibility.tier-metres:{profile}", lambda: tier_metres(profile))


def subdistrict_at(lon, lat):
    """The sub-district whose walking network a click at (lon, lat) joins, or None when no
    network has a street within snapping distance (300 m).

    Inside a sub-district's boundary its own network wins when the click reaches it; elsewhere
    (outside every boundary, or beyond its own streets) the network with the nearest street does.
    Networks whose extent, widened by the snapping distance, misses the click are not searched.
    """
    return snapped_subdistrict_at(lon, lat)[0]


def snapped_subdistrict_at(lon, lat):
    """``subdistrict_at(lon, lat)`` and the click snapped to its network as loaded (the standard
    walk), or (None, None): what a click's facilities in reach are walked from with that walk, so
    that they need not snap it again (``isochrones_with_reach``)."""
    margin_lat = DEFAULT_MAX_SNAP_M / METRES_PER_DEGREE
    margin_lon = margin_lat / math.cos(math.radians(lat))
    # Kept parsed in this worker (a click reads only the topic's version): unpickling every
    # sub-district and its boundary from the shared cache, and reading a city's 200 extents one
    # by one, were most of a click's time.
    networked, extents = in_this_process(["directory"], "accessibility.networked-subdistricts",
                                         _networked_subdistricts)
    near = np.flatnonzero((extents[:, 0] - margin_lon <= lon) & (lon <= extents[:, 2] + margin_lon)
                          & (extents[:, 1] - margin_lat <= lat) & (lat <= extents[:, 3] + margin_lat))
    point = Point(lon, lat)
    inside, outside = [], []
    for subdistrict, boundary in (networked[i] for i in near):
        (inside if boundary is not None and boundary.covers(point) else outside).append(subdistrict)
    # A network whose boundary holds the click wins over every other one that reaches it, so the
    # others are snapped to only when none of those reaches it: neighbouring sub-districts' extents
    # (boxes around irregular shapes) overlap, and each snap is about 0.2 ms.
    for group in (inside, outside):
        reached = []
        for subdistrict in group:
            snapped = snap_points(networks.load_graph(subdistrict.network), [lon], [lat])
            if snapped.ok[0]:
                reached.append((float(snapped.offset_m[0]), subdistrict.code, subdistrict, snapped))
        if reached:
            return min(reached, key=lambda r: r[:2])[2:]
    return None, None


def _networked_subdistricts():
    """Each sub-district with a network (and its network) and its boundary polygon, or None; and
    the networks' extents, one row (min_lon, min_lat, max_lon, max_lat) each, in the same order.
    A rebuilt network is saved anew, which makes this stale (the "directory" topic)."""
    networked = [(subdistrict, polygon_from_geojson(subdistrict.boundary) if subdistrict.boundary else None)
                 for subdistrict in SubDistrict.objects.exclude(network=None).select_related("network").order_by("code")]
    shapely.prepare([boundary for _, boundary in networked if boundary is not None])  # each click asks covers()
    extents = np.array([networks.graph_bounds(subdistrict.network) for subdistrict, _ in networked],
                       dtype=float).reshape(-1, 4)
    return networked, extents


#: The years a departure time may be in (opening hours need a real date, with room for the walk).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_departure(text, now=None):
    """A departure time from ``HH:MM`` (today, local time) or an ISO date and time (local time
    unless it says its offset); ``None`` means now. ValueError with the reason otherwise."""
    now = timezone.localtime(now or timezone.now())
    if text is None or text == "":
        return now
    try:
        if len(text) <= 5 and ":" in text:
            clock = datetime.time.fromisoformat(text.zfill(5))
            return now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"cannot read the time {text!r}: give HH:MM (today) or YYYY-MM-DDTHH:MM") from None
    # A walk from the calendar's last minute ends past it (OverflowError): such years are refused.
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"cannot read the time {text!r} as a departure: give a date between the years "
                         f"{FIRST_YEAR} and {LAST_YEAR}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def isochrones_with_reach(subdistrict, lon, lat, profile="standard", departure=None, snapped=None):
    """GeoJSON isochrone polygons around (lon, lat), plus every facility within the largest, with
    its exact walking distance from the point itself, walked with the network profile of the same
    name where there is one (elderly: waits at crossings; barrier-free: no steps or raised kerbs),
    and whether it is open on arrival when leaving at ``departure`` (default now).

    The polygons are drawn from the nearest street junction and cached per junction (``origin``
    says where, and how far that is). Raises GeoError for a point away from every street, and
    ProfileError (a GeoError) for barrier-free on a network saved before walking profiles.
    ``snapped``: the point snapped to the sub-district's network as loaded, where the caller has
    it (``snapped_subdistrict_at``): the junction it starts from and the facilities' walks take it
    as it is, rather than snapping it again (about 0.1 ms each).
    """
    departure = parse_departure(None) if departure is None else departure
    distances = profile_distances(profile)
    collection = from_nearest_node(isochrone_shapes)(subdistrict, lon, lat, profile, distances, snapped=snapped)
    reachable = reachable_facilities(subdistrict, lon, lat, distances, profile, departure, snapped)
    collection["reachable"] = reachable
    collection["departure"] = departure.isoformat(timespec="minutes")
    collection["open_on_arrival"] = sum(1 for r in reachable if r["open_on_arrival"])
    return collection


def walking_graph(subdistrict, profile):
    """The sub-district's network walked with ``profile`` (the same CSR graph, the profile's edge
    costs), and notes on what that walk cannot know."""
    graph = networks.load_graph(subdistrict.network)
    notes = []
    if profile in NETWORK_PROFILES:
        if profile == "elderly" and profile not in graph.profile_names:
            notes.append("this network was saved before walking profiles: the elderly isochrones use the elderly "
                         "speed but not the waits at crossings; reload the network to include them")
        else:
            graph = graph.for_profile(profile)
    if graph.profile != "standard":
        from lifecircle.geo.profiles import TagAudit

        notes += TagAudit.from_dict(graph.tag_audit).warnings
    return graph, notes


def _speed_profile(profile):
    return "planning" if profile in ("standard", "barrier-free") else profile


def isochrone_shapes(subdistrict, lon, lat, profile="standard", distances=None):
    """The 5/10/15-minute polygons around (lon, lat) for ``distances`` (the profile's own by
    default), with the distances, the walk's notes and the network's attribution."""
    graph, notes = walking_graph(subdistrict, profile)
    distances = tier_metres(profile) if distances is None else distances
    collection = isochrones(graph, lon, lat, distances_m=distances, profile=_speed_profile(profile))
    for feature, minutes in zip(collection["features"], reversed(LIFE_CIRCLE_MINUTES)):
        feature["properties"]["tier_minutes"] = minutes
    collection["distances_m"] = distances
    collection["profile"] = profile
    collection["network_profile"] = graph.profile
    collection["notes"] = notes
    collection["attribution"] = subdistrict.network.attribution
    return collection


def warm_isochrone_shapes(subdistrict, profiles, progress=None):
    """Compute and cache the shapes from every junction of ``subdistrict``'s network for each of
    ``profiles``, so that no map click waits for one; returns how many were computed."""
    graph = networks.load_graph(subdistrict.network)
    shapes = from_nearest_node(isochrone_shapes)
    count = 0
    for profile in profiles:
        distances = profile_distances(profile)
        for node in range(graph.n_nodes):
            shapes(subdistrict, float(graph.node_lon[node]), float(graph.node_lat[node]), profile, distances)
            count += 1
            if progress:
                progress(count)
    return count


def snapped_facilities(subdistrict, profile, graph=None):
    """``_snapped_facilities``, kept in this worker (read-only: not unpickled from the shared cache
    on every click) until the directory or the network changes; a worker that has not met this
    sub-district yet takes what another one put in the shared cache rather than asking the
    database. Profiles that walk the same network (standard, planning, child…) share one entry.
    ``graph``: ``walking_graph(subdistrict, profile)``'s, when the caller has it."""
    graph = walking_graph(subdistrict, profile)[0] if graph is None else graph
    key = ["snapped-facilities-with-hours", subdistrict.pk, graph.profile,
           networks.graph_path(subdistrict.network).stat().st_mtime_ns]
    shown = topics(subdistrict)
    return in_this_process(shown, "accessibility." + ":".join(map(str, key)),
                           lambda: cached_value(shown, key, lambda: _snapped_facilities(subdistrict, profile)))


def prepare_worker(profiles=("standard", "elderly")):
    """Load what a map click needs into this worker, for every sub-district with a network and
    each of ``profiles``: the network and its spatial indexes, the tier distances and the snapped
    facilities. Done once at start-up (lifecircle.startup) rather than by the first clicks: a city's
    200 networks cost about 20 ms each to load in every worker, which the first minute of clicks
    would otherwise wait for. Returns how many sub-districts were prepared."""
    networked, _ = in_this_process(["directory"], "accessibility.networked-subdistricts", _networked_subdistricts)
    for profile in profiles if networked else ():  # (a site with no network may have no standard yet)
        profile_distances(profile)
    for subdistrict, _ in networked:
        for profile in profiles:
            walking_graph(subdistrict, profile)[0].prepare()
            snapped_facilities(subdistrict, profile)
    return len(networked)


def _snapped_facilities(subdistrict, profile):
    """Every active facility of ``subdistrict`` (code, names, categories), its opening hours
    (weekly spans, or None when none are recorded, and the spans of its dated exceptions), its
    position and where it joins the network walked with ``profile``; kept in each worker until the
    directory or the network changes (the hours and their exceptions are directory models)."""
    graph, _ = walking_graph(subdistrict, profile)
    facilities = list(Facility.objects.filter(subdistrict=subdistrict, active=True)
                      .select_related("category").prefetch_related("services", "hours_exceptions").order_by("pk"))
    rows = [{"code": f.code, "name": f.name, "name_en": f.name_en, "category": f.category.slug,
             "categories": [c.slug for c in f.all_categories()]} for f in facilities]
    schedules = [(f.weekly_hours if f.opening_hours.strip() else None,
                  {e.date: e.spans() for e in f.hours_exceptions.all()}) for f in facilities]
    lons, lats = np.array([f.lon for f in facilities]), np.array([f.lat for f in facilities])
    return rows, schedules, lons, lats, snap_points(graph, lons, lats)


def reachable_facilities(subdistrict, lon, lat, distances, profile="standard", departure=None, snapped=None):
    """Every facility within the largest of ``distances`` walking from (lon, lat), nearest first,
    with its exact walking distance, minutes, tier, arrival time and whether it is open then
    (``None`` when it has no hours on record). ``snapped``: the point snapped to the sub-district's
    network as loaded, used when ``profile`` walks that network (a profile of the network's own
    snaps the point to the streets it can pass, with its walking metres)."""
    graph, _ = walking_graph(subdistrict, profile)
    speed_profile = _speed_profile(profile)
    departure = parse_departure(None) if departure is None else departure
    rows, schedules, lons, lats, places = snapped_facilities(subdistrict, profile, graph)
    # A walk is never shorter than the straight line, so facilities outside this box cannot be
    # reached; leaving them out keeps a click cheap in a city with thousands of facilities.
    reach = max(distances)
    dlat = reach / METRES_PER_DEGREE
    dlon = reach / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    near = np.flatnonzero((np.abs(lons - lon) <= dlon) & (np.abs(lats - lat) <= dlat))
    # As the view snapped it, where this walk is the network's as loaded: one snap (0.1 ms) less.
    point = snapped if snapped is not None and graph.profile == "standard" else snap_points(graph, [lon], [lat])
    # The walk is undirected, so one search from the point gives its distance to every facility.
    metres = nearest_facilities(graph, places.take(near), point, categories=["point"], max_distance_m=reach)[:, 0]
    reached = np.isfinite(metres)
    # The minutes as one array and the time zone read once, not per facility (Django's current
    # time zone is a thread-local lookup): about 0.1 ms of a city click's 14 facilities.
    zone = timezone.get_current_timezone()
    reachable = []
    for index, distance, minutes in zip(near[reached].tolist(), metres[reached].tolist(),
                                        metres_to_minutes(metres[reached], speed_profile).tolist()):
        weekly, exceptions = schedules[index]
        arrival = timezone.localtime(departure + datetime.timedelta(minutes=minutes), zone)
        reachable.append({
            **rows[index], "arrival": arrival.isoformat(timespec="minutes"),
            # the day's exception when there is one, else the weekly hours (as Place.is_open_at)
            "open_on_arrival": None if weekly is None else hours.is_open(exceptions.get(arrival.date(), weekly), arrival),
            "distance_m": round(distance, 1), "minutes": round(minutes, 1),
            "tier_minutes": next(m for m, d in zip(LIFE_CIRCLE_MINUTES, distances) if distance <= d),
        })
    reachable.sort(key=lambda r: r["distance_m"])
    return reachable
