"""JSON API of residents' requests (beside the Open311 endpoints at /open311/v2/): a GeoJSON map
layer with public fields only, the open reports near a place (to avoid duplicates), "notify me of
updates" for signed-in residents, and the response and closing times per grid for staff."""
import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.community.api import FeatureCollectionOut, filter_subdistrict
from lifecircle.dates import parse_day
from lifecircle.geography import feature_collection, point_feature

from . import lifecycle, nearby
from .models import Service, ServiceRequest
from .stats import response_times
from .wire import Open311Error, w3c

router = Router(tags=["requests311"])


@router.get(
    "/requests.geojson", response=FeatureCollectionOut, summary="Residents' requests as a map layer",
    description=(
        "Requests with a location, as GeoJSON points ([longitude, latitude], WGS84): those still open, "
        "and those closed within the last `days` days (default 30). Public fields only: no reporter, no "
        "description, and nothing from private services (help for an elderly person, childcare); `url` is "
        "the request's public page, where its description, photo and progress are published. "
        "`status` (open or closed), `service_code` and `subdistrict` (through the request's grid) filter."
    ),
)
def requests_geojson(request, status: Literal["open", "closed"] | None = None, service_code: str | None = None,
                     days: int = Query(30, ge=1, le=366, description="closed requests of the last days"),
                     subdistrict: str | None = None):
    queryset = ServiceRequest.objects.filter(service__private=False, lat__isnull=False, lon__isnull=False) \
        .select_related("service", "grid")
    since = timezone.now() - datetime.timedelta(days=days)
    closed = ServiceRequest.State.CLOSED
    queryset = queryset.filter(~Q(state=closed) | Q(closed_at__gte=since))
    # A request belongs to a sub-district through the grid it was routed to.
    queryset = filter_subdistrict(queryset, subdistrict, field="grid__subdistrict")
    if status == "open":
        queryset = queryset.exclude(state=closed)
    elif status == "closed":
        queryset = queryset.filter(state=closed)
    if service_code:
        if not Service.objects.filter(service_code=service_code).exists():
            raise HttpError(400, f"unknown service_code '{service_code[:64]}'; GET /open311/v2/services.json lists them")
        queryset = queryset.filter(service__service_code=service_code)
    features = [
        point_feature(r.lon, r.lat, {
            "service_request_id": str(r.pk), "service_code": r.service.service_code,
            "service_name": r.service.display_name, "group": r.service.group, "status": r.status,
            "detailed_status": r.state, "requested_datetime": w3c(r.requested_at),
            "updated_datetime": w3c(r.updated_at), "agency_responsible": r.agency_responsible or None,
            "grid": r.grid.code if r.grid_id else None, "url": lifecycle.public_url(r),
        })
        for r in queryset
    ]
    return feature_collection(features)


class NearbyReportOut(Schema):
    service_request_id: str
    service_code: str
    service_name: str
    same_service: bool
    status: str
    detailed_status: str
    distance: float
    requested_datetime: str
    address: str | None
    url: str


@router.get(
    "/nearby", response=list[NearbyReportOut], summary="Open reports near a place",
    description=(
        "The open public reports within `radius` metres (straight-line; default 200, at most 5000) of "
        "`lat`/`long` (WGS84), those of `service_code` first, each group nearest first; at most 20. "
        "Shown before a report is sent, so a resident can follow an existing one instead of repeating it. "
        "Private services are never found."
    ),
)
def nearby_reports(request, lat: str, long: str, radius: str | None = None, service_code: str | None = None):
    try:
        lat_value, lon_value, metres = nearby.check_point({"lat": lat, "long": long, "radius": radius})
    except Open311Error as exc:
        raise HttpError(400, str(exc)) from None
    service = None
    if service_code:
        service = Service.objects.filter(service_code=service_code).first()
        if service is None:
            raise HttpError(400, f"unknown service_code '{service_code[:64]}'; GET /open311/v2/services.json lists them")
    return [{
        "service_request_id": str(r.pk), "service_code": r.service.service_code,
        "service_name": r.service.display_name, "same_service": service is not None and r.service_id == service.pk,
        "status": r.status, "detailed_status": r.state, "distance": round(m, 1),
        "requested_datetime": w3c(r.requested_at), "address": r.address_string or None,
        "url": lifecycle.public_url(r),
    } for r, m in nearby.open_near(lat_value, lon_value, metres, service)]


class FollowingOut(Schema):
    service_request_id: str
    following: bool


def _followable(request_id):
    """A public request (a private one is not found: not even that it exists)."""
    found = ServiceRequest.objects.select_related("service").filter(pk=request_id).first()
    if found is None or found.service.private:
        raise HttpError(404, f"service request {request_id} was not found")
    return found


def _following(found, user):
    return {"service_request_id": str(found.pk), "following": lifecycle.is_following(user, found)}


@router.get("/requests/{request_id}/following", response=FollowingOut, auth=django_auth,
            summary="Whether I am notified of a report's updates")
def get_following(request, request_id: int):
    return _following(_followable(request_id), request.auth)


@router.post("/requests/{request_id}/following", response=FollowingOut, auth=django_auth,
             summary="Notify me of a report's updates")
def follow(request, request_id: int):
    """From now on, every public update of the report (a new state, a note, reopening) is sent to the
    signed-in resident, in the language they read in. Following again changes nothing. Refused (400) for
    one's own report (its reporter is told anyway); residents only (403)."""
    found = _followable(request_id)
    try:
        lifecycle.follow(found, request.auth)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except lifecycle.LifecycleError as exc:
        raise HttpError(400, str(exc)) from None
    return _following(found, request.auth)


@router.delete("/requests/{request_id}/following", response=FollowingOut, auth=django_auth,
               summary="Stop notifying me of a report's updates")
def unfollow(request, request_id: int):
    found = _followable(request_id)
    lifecycle.unfollow(found, request.auth)
    return _following(found, request.auth)


class GridResponseTimesOut(Schema):
    grid: str | None
    name: str
    requests: int
    open: int
    acknowledged: int
    closed: int
    acknowledge_median_hours: float | None
    acknowledge_mean_hours: float | None
    close_median_hours: float | None
    close_mean_hours: float | None


def _day(value, name, default):
    """A date parameter: already a date (the schema typed it), or YYYY-MM-DD text (lifecircle.dates)."""
    return value if isinstance(value, datetime.date) else parse_day(value, name, default)


def parse_period(start, end):
    """[start, end) as aware datetimes from dates or YYYY-MM-DD text (end inclusive); the last 90 days by default."""
    today = timezone.localdate()
    first = _day(start, "start", today - datetime.timedelta(days=89))
    last = _day(end, "end", today)
    if last < first:
        raise HttpError(400, "end is before start")
    midnight = datetime.time()
    return (timezone.make_aware(datetime.datetime.combine(first, midnight)),
            timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), midnight)), first, last)


@router.get(
    "/response-times", response=list[GridResponseTimesOut], summary="Response and closing times per grid (staff)",
    description=(
        "For requests made from `start` to `end` (dates, both included; the last 90 days by default): per grid, "
        "how many, and the median and mean hours to acknowledge (first response) and to close. Staff who "
        "handle requests only (grid workers, administrators); log in first."
    ),
)
def get_response_times(request, start: str | None = None, end: str | None = None):
    if not request.user.is_authenticated:
        raise HttpError(401, "log in as staff to see response times")
    if lifecycle.handled_grid_ids(request.user) == set():
        raise HttpError(403, "only grid workers and administrators see response times")
    since, until, _, _ = parse_period(start, end)
    return response_times(since, until)
