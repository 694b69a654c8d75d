"""JSON API of the service directory: categories, facilities, rooms, points of interest."""
import bisect

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from lifecircle.caching import cached_response, each_minute, in_this_process
from lifecircle.community.api import FeatureCollectionOut, filter_subdistrict, named_subdistrict, not_named
from lifecircle.community.scope import by_code, request_topics, topics
from lifecircle.geography import check_lon_lat, feature_collection, point_feature
from lifecircle.json_encoding import json_response

from . import hours
from .models import Facility, PointOfInterest, Room, ServiceCategory, StandardRow

router = Router(tags=["directory"])


class CategoryOut(Schema):
    slug: str
    name: str
    name_en: str
    group: str
    color: str
    tier_minutes: int | None
    threshold_m: int | None
    source: str | None


class RoomOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    capacity: int | None
    floor: str
    bookable: bool
    requires_approval: bool


ROOM_FIELDS = tuple(RoomOut.model_fields)


class PlaceOut(Schema):
    code: str
    name: str
    name_en: str
    lon: float
    lat: float
    grid: str | None
    address: str
    address_en: str
    description: str
    description_en: str
    opening_hours: str
    open_now: bool
    opens_next: str | None = Field(None, description="when it is closed: the local date and time it next opens "
                                   "(YYYY-MM-DDTHH:MM, within a week), else null")
    website: str
    illustrative: bool


class FacilityOut(PlaceOut):
    category: str
    categories: list[str]
    operator: str
    phone: str
    capacity: int | None
    capacity_unit: str
    rooms: list[RoomOut]


class PointOfInterestOut(PlaceOut):
    kind: str
    heritage_designation: str


BBOX_PATTERN = r"^\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*){3}$"


class PlaceFilters(Schema):
    subdistrict: str | None = None
    grid: str | None = None
    open_now: bool | None = None
    # The pattern is declared for clients, not enforced by the schema: parse_bbox answers a clearer 400.
    bbox: str | None = Field(None, json_schema_extra={"pattern": BBOX_PATTERN}, description=(
        "minlon,minlat,maxlon,maxlat in WGS84 degrees, south-west corner first (longitudes -180 to 180, "
        "latitudes -90 to 90)"), examples=["121.43,31.22,121.46,31.24"])


class FacilityFilters(PlaceFilters):
    category: str | None = None


def parse_bbox(text):
    """``minlon,minlat,maxlon,maxlat`` → four floats, or a 400 saying what is wrong."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in text.split(","))
        check_lon_lat(min_lon, min_lat)
        check_lon_lat(max_lon, max_lat)
    except ValueError as exc:
        raise HttpError(400, f"bbox must be minlon,minlat,maxlon,maxlat in WGS84 ({exc})") from None
    if min_lon > max_lon or min_lat > max_lat:
        raise HttpError(400, "bbox must list the south-west corner before the north-east one")
    return min_lon, min_lat, max_lon, max_lat


def filter_places(places, filters):
    """``places`` (a list kept in this worker: facilities or points of interest) in ``filters``'
    grid and bbox, open or closed now as asked."""
    if filters.grid:
        places = [p for p in places if p.grid is not None and p.grid.code == filters.grid]
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = parse_bbox(filters.bbox)
        places = [p for p in places if min_lon <= p.lon <= max_lon and min_lat <= p.lat <= max_lat]
    return open_or_closed(places, filters.open_now)


def open_or_closed(places, open_now):
    """``places`` open now (``open_now`` true), closed now (false), or all of them (None)."""
    if open_now is None:
        return places
    now = timezone.now()
    return [p for p in places if p.is_open_at(now) == open_now]


def facilities(filters):
    """Active facilities matching ``filters``; a category matches a facility's main one or its services.

    A sub-district's active facilities are kept in this worker until its directory changes and
    filtered here: in a city every list (200 sub-districts, each category, each minute) was a new
    set of queries and model objects, 10–15 ms of CPU each.
    """
    if filters.category and filters.category not in category_slugs():
        raise HttpError(400, f"unknown category '{filters.category}'; GET /api/categories lists them")
    found = kept_places("facilities", named_subdistrict(filters.subdistrict, filters.grid))
    if filters.category:
        found = [f for f in found if filters.category in kept_fields(f, facility_fields)["categories"]]
    return filter_places(found, filters)


def points_of_interest(filters, kind=None):
    """Points of interest matching ``filters`` (and of ``kind``), from what this worker keeps of
    their sub-district until its directory changes, as facilities are."""
    found = kept_places("points-of-interest", named_subdistrict(filters.subdistrict, filters.grid))
    if kind:
        found = [p for p in found if p.kind == kind]
    return filter_places(found, filters)


def category_slugs():
    """Every category's slug, kept in this worker until the directory changes (a list of one
    category asked whether it exists, a query on every list it built)."""
    return in_this_process(["directory"], "directory.category-slugs",
                           lambda: frozenset(ServiceCategory.objects.values_list("slug", flat=True)))


def _active_facilities():
    """Active facilities with what their answers show, in the model's order (by sub-district first)."""
    return Facility.objects.filter(active=True).select_related("category", "grid").prefetch_related(
        "services", "hours_exceptions", Prefetch("rooms", queryset=Room.objects.order_by("code")))


#: What each kind of kept place reads (every sub-district's, or filtered to one).
PLACES = {"facilities": _active_facilities,
          "points-of-interest": lambda: PointOfInterest.objects.select_related("grid")}


def kept_places(kind, subdistrict, read=None):
    """The places of ``kind`` (``PLACES``) in ``subdistrict`` (every sub-district's, for None), or
    ``read()``, the same list read otherwise; kept in this worker until that sub-district's
    directory changes (for None: any sub-district's; ``community.scope.topics``)."""
    def read_them():
        queryset = PLACES[kind]()
        return list(queryset.filter(subdistrict=subdistrict) if subdistrict else queryset)
    return in_this_process(topics(subdistrict), f"directory.{kind}:{subdistrict.pk if subdistrict else ''}",
                           read or read_them)


def opening_clock(kind):
    """A ``cached_response`` clock for answers saying whether places of ``kind`` are open now and
    when they next open: the day, and the last minute at which one of the sub-district's places
    (every sub-district's, when the request names none) could have opened or closed
    (``hours.change_minutes``). Kept a minute each, a city's lists were each built again every
    minute (200 sub-districts, a list per category): now they are built again when something opens
    or closes, and the answer and its ETag stay the same in between."""
    def clock(request):
        code = request.GET.get("subdistrict") or ""
        subdistrict = by_code().get(code) if code else None
        if code and subdistrict is None:
            return ""  # no such sub-district: the answer is an error, never kept
        minutes = in_this_process(topics(subdistrict), f"directory.change-minutes:{kind}:{code}", lambda: (
            hours.change_minutes(span for place in kept_places(kind, subdistrict) for span in place.spans_on_record())))
        local = timezone.localtime()
        minute = local.hour * 60 + local.minute
        return f"{local.date().isoformat()} {minutes[bisect.bisect_right(minutes, minute) - 1]}"
    return clock


def prepare_worker():
    """Read each sub-district's active facilities and points of interest into this worker before
    its first request (lifecircle.startup): the first list of each otherwise costs about 15 ms more,
    and what is read at start-up is frozen out of the garbage collector's passes. One read of each
    kind for all sub-districts (a city's 200 facility lists, each with its prefetches, were 800
    queries), which is also the list that names no sub-district; each place's answer fields
    (``kept_fields``); and the category slugs. Returns how many places of each kind."""
    counts = {}
    subdistricts = by_code().values()
    for kind in PLACES:
        everything = kept_places(kind, None)
        by_subdistrict = {}
        for place in everything:
            by_subdistrict.setdefault(place.subdistrict_id, []).append(place)
            kept_fields(place, ANSWER_FIELDS[kind])
        for subdistrict in subdistricts:
            kept_places(kind, subdistrict, read=lambda pk=subdistrict.pk: by_subdistrict.get(pk, []))
        counts[kind] = len(everything)
    category_slugs()
    return counts


def _opens_next(place, now, open_now):
    if open_now or not place.opening_hours.strip():
        return None
    moment = place.opens_next(now)
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else None


def place_fields(place):
    """What a place's answer shows that does not change with the clock, in the answer's order:
    ``open_now`` and ``opens_next`` hold their places (``answer`` fills them in)."""
    return {
        "code": place.code, "name": place.name, "name_en": place.name_en, "lon": place.lon, "lat": place.lat,
        "grid": place.grid.code if place.grid else None, "address": place.address, "address_en": place.address_en,
        "description": place.description, "description_en": place.description_en,
        "opening_hours": place.opening_hours, "open_now": None, "website": place.website,
        "opens_next": None, "illustrative": place.illustrative,
    }


def facility_fields(facility):
    return {
        **place_fields(facility),
        "category": facility.category.slug,
        "categories": [c.slug for c in facility.all_categories()],
        "operator": facility.operator, "phone": facility.phone,
        "capacity": facility.capacity, "capacity_unit": facility.capacity_unit,
        # RoomOut's fields read straight off the room (its model fields have RoomOut's types):
        # validating each room through the schema was a fifth of a list's time
        "rooms": [{name: getattr(room, name) for name in ROOM_FIELDS} for room in facility.rooms.all()],
    }


def poi_fields(poi):
    return {**place_fields(poi), "kind": poi.kind, "heritage_designation": poi.heritage_designation}


#: What each kind of kept place (``PLACES``) shows in its answer.
ANSWER_FIELDS = {"facilities": facility_fields, "points-of-interest": poi_fields}


def kept_fields(place, fields):
    """``fields(place)``, made once per place object and kept on it.

    The places a worker keeps (``kept_places``) live until their sub-district's directory changes,
    so their fields stay right as long as they do; making each facility's again (its grid,
    categories and rooms, through the ORM's related managers) was about half of each first list of
    a city's sub-districts. The lists in them are shared by every answer and must not be changed."""
    lasting = place.__dict__.get("_answer_fields")
    if lasting is None:
        lasting = place._answer_fields = fields(place)
    return lasting


def answer(place, now, fields):
    """``place``'s answer at ``now``: its ``fields`` (``kept_fields``), whether it is open and when
    it next opens."""
    made = kept_fields(place, fields).copy()
    made["open_now"] = open_now = place.is_open_at(now)
    made["opens_next"] = _opens_next(place, now, open_now)
    return made


@router.get("/categories", response=list[CategoryOut], summary="Service categories with their walking standard")
@decorate_view(cached_response("directory"))
def list_categories(request):
    rows = {row.category_id: row for row in StandardRow.objects.filter(standard__active=True)}
    result = []
    for category in ServiceCategory.objects.all():
        row = rows.get(category.pk)
        result.append({
            "slug": category.slug, "name": category.name, "name_en": category.name_en, "group": category.group,
            "color": category.color, "tier_minutes": row and row.tier_minutes, "threshold_m": row and row.threshold_m,
            "source": row and row.source,
        })
    return result


@router.get("/facilities", response=list[FacilityOut], summary="Facilities, filtered")
@decorate_view(cached_response(request_topics, clock=opening_clock("facilities")))
def list_facilities(request, filters: Query[FacilityFilters]):
    now = timezone.now()
    return json_response([answer(f, now, facility_fields) for f in facilities(filters)])  # built in FacilityOut's form


def one_facility(code, subdistrict):
    """A facility by its code; codes repeat between sub-districts, so when two share it the
    sub-district must be named (400), never picked."""
    found = list(filter_subdistrict(Facility.objects.filter(code=code), subdistrict)[:2])
    if not found:
        raise HttpError(404, f"no facility '{code[:64]}'")
    if len(found) > 1:
        raise not_named()
    return found[0]


@router.get("/facilities/{code}", response=FacilityOut, summary="One facility")
@decorate_view(cached_response(request_topics, clock=each_minute, timeout=60))
def get_facility(request, code: str, subdistrict: str | None = None):
    return answer(one_facility(code, subdistrict), timezone.now(), facility_fields)


@router.get("/facilities/{code}/rooms", response=list[RoomOut], summary="The rooms of one facility")
def list_facility_rooms(request, code: str, subdistrict: str | None = None):
    return list(one_facility(code, subdistrict).rooms.order_by("code"))


@router.get("/rooms", response=list[RoomOut], summary="Rooms, optionally only bookable ones")
def list_rooms(request, bookable: bool | None = None, kind: str | None = None):
    queryset = Room.objects.order_by("facility__code", "code")
    if bookable is not None:
        queryset = queryset.filter(bookable=bookable)
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset)


@router.get("/pois", response=list[PointOfInterestOut], summary="Points of interest on the map of happiness")
@decorate_view(cached_response(request_topics, clock=opening_clock("points-of-interest")))
def list_pois(request, filters: Query[PlaceFilters], kind: str | None = None):
    now = timezone.now()
    return [answer(p, now, poi_fields) for p in points_of_interest(filters, kind)]


@router.get("/geo/facilities.geojson", response=FeatureCollectionOut, summary="Facilities as GeoJSON")
@decorate_view(cached_response(request_topics, clock=opening_clock("facilities")))
def facilities_geojson(request, filters: Query[FacilityFilters]):
    now = timezone.now()
    return json_response(feature_collection(_point(answer(f, now, facility_fields)) for f in facilities(filters)))


@router.get("/geo/pois.geojson", response=FeatureCollectionOut, summary="Points of interest as GeoJSON")
@decorate_view(cached_response(request_topics, clock=opening_clock("points-of-interest")))
def pois_geojson(request, filters: Query[PlaceFilters], kind: str | None = None):
    now = timezone.now()
    return json_response(feature_collection(_point(answer(p, now, poi_fields)) for p in points_of_interest(filters, kind)))


def _point(record):
    properties = {k: v for k, v in record.items() if k not in ("lon", "lat")}
    return point_feature(record["lon"], record["lat"], properties)
