"""Open reports near a place, so that a resident sees, before sending, whether the problem is
already reported (and can follow that report instead), as FixMyStreet shows "already reported
nearby". The same search answers Open311's ``lat``/``long``/``radius`` extension.

Distances are straight-line metres on the sphere (haversine), not walking metres: a duplicate
is the same lamp post or the same pothole, which is "close" whatever the streets between.

Only public reports are found: a private service's location is never published, so it must not
be found by searching around a point either.

Why it is cheap: a bounding box of the radius is filtered in the database (on ``lat`` and
``lon``), and only the few rows inside it are measured exactly.
"""
import math

from django.utils.translation import gettext as _

from lifecircle.geo.distance import EARTH_RADIUS_M, haversine_m

from .intake import read_lat_long
from .models import ServiceRequest
from .wire import ErrorList

RADIUS_DEFAULT = 200  # metres: a few houses either way, FixMyStreet's "nearby"
RADIUS_MAX = 5000
LIMIT = 20


def distance_m(lat1, lon1, lat2, lon2):
    """Straight-line (great-circle) distance in metres between two WGS84 points in degrees, latitude
    first as Open311 gives them (the engine's ``haversine_m`` takes longitude first)."""
    return float(haversine_m(lon1, lat1, lon2, lat2))


def read_point(params, errors, lat_name="lat", lon_name="long"):
    """(lat, lon, radius) from query parameters: WGS84 degrees and metres (``radius`` from 1 to
    RADIUS_MAX, RADIUS_DEFAULT when not sent). Problems go to ``errors``; the values are then None."""
    lat_text, lon_text = (params.get(lat_name) or "").strip(), (params.get(lon_name) or "").strip()
    radius_text = (params.get("radius") or "").strip()
    lat = lon = None
    if not (lat_text and lon_text):
        errors.add(400, _("%(lat)s and %(long)s are both required.") % {"lat": lat_name, "long": lon_name})
    else:
        lat, lon = read_lat_long(lat_text, lon_text, errors)
    radius = RADIUS_DEFAULT
    if radius_text:
        try:
            radius = float(radius_text)
            if not (math.isfinite(radius) and 0 < radius <= RADIUS_MAX):
                raise ValueError(radius_text)
        except ValueError:
            errors.add(400, _("radius must be a number of metres from 1 to %(max)d.") % {"max": RADIUS_MAX})
            radius = None
    return lat, lon, radius


def within(queryset, lat, lon, radius):
    """[(pk, metres)] of the public requests of ``queryset`` within ``radius`` metres of (lat, lon),
    nearest first (then newest)."""
    dlat = math.degrees(radius / EARTH_RADIUS_M)
    shrink = math.cos(math.radians(min(abs(lat) + dlat, 89.9)))  # the box's widest point in longitude
    dlon = min(180.0, math.degrees(radius / (EARTH_RADIUS_M * shrink)))
    box = queryset.filter(service__private=False, lat__gte=lat - dlat, lat__lte=lat + dlat,
                          lon__gte=lon - dlon, lon__lte=lon + dlon)
    found = [(pk, distance_m(lat, lon, y, x), requested) for pk, y, x, requested in
             box.values_list("pk", "lat", "lon", "requested_at")]
    found = [row for row in found if row[1] <= radius]
    found.sort(key=lambda row: (row[1], -row[2].timestamp()))
    return [(pk, metres) for pk, metres, _requested in found]


def open_near(lat, lon, radius=RADIUS_DEFAULT, service=None, limit=LIMIT):
    """The open public reports within ``radius`` metres of (lat, lon), as [(request, metres)]: those of
    ``service`` first (the likeliest duplicates), each group nearest first; at most ``limit``."""
    candidates = ServiceRequest.objects.exclude(state=ServiceRequest.State.CLOSED)
    near = within(candidates, lat, lon, radius)
    if service is not None:
        same = set(candidates.filter(pk__in=[pk for pk, _m in near], service=service).values_list("pk", flat=True))
        near.sort(key=lambda row: row[0] not in same)  # stable: each group keeps its distance order
    near = near[:limit]
    rows = ServiceRequest.objects.select_related("service").in_bulk([pk for pk, _m in near])
    return [(rows[pk], metres) for pk, metres in near if pk in rows]


def check_point(params):
    """(lat, lon, radius) read by ``read_point``, or Open311Error listing every problem."""
    errors = ErrorList()
    point = read_point(params, errors)
    errors.raise_if_any()
    return point
