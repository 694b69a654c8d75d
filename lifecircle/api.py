"""The JSON API: one NinjaAPI, one router per domain app. OpenAPI schema at /api/openapi.json.

The apps' views raise and do not format: the exception handlers below turn the domain's refusals
(lifecircle.errors) and Django's PermissionDenied and ValidationError into ``{"detail": reason}``
with their status, for every router at once.
"""
from django.core.exceptions import PermissionDenied, ValidationError

from lifecircle.accessibility.api import router as accessibility_router
from lifecircle.api_docs import DocumentedAPI
from lifecircle.community.api import router as community_router
from lifecircle.dates import BadDate
from lifecircle.directory.api import router as directory_router
from lifecircle.directory.hsds_api import router as hsds_router
from lifecircle.errors import Refused
from lifecircle.json_encoding import APIRenderer
from lifecircle.ratelimit import RateLimited

api = DocumentedAPI(
    title="lifecircle API",
    version="1",
    description=(
        "15-minute community life circle: the service directory, the community model and map layers. "
        "Geometry is GeoJSON, [longitude, latitude] in WGS84. Map data derived from OpenStreetMap is "
        "© OpenStreetMap contributors, ODbL 1.0."
    ),
    urls_namespace="api",
    renderer=APIRenderer(),
)


@api.exception_handler(BadDate)
def bad_date(request, exc):
    """A date parameter that is not a date: 400 with the message (lifecircle.dates)."""
    return api.create_response(request, {"detail": exc.message}, status=400)


@api.exception_handler(Refused)
def refused(request, exc):
    """A service's refusal: its status (400; Conflict 409, NotFound 404) with its reason."""
    return api.create_response(request, {"detail": str(exc.message)}, status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    """Not allowed: 403 with the reason, as JSON (Django would answer its HTML 403 page)."""
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    """Too many attempts in the window (lifecircle.ratelimit): 429 with how long to wait."""
    return api.create_response(request, {"detail": str(exc)}, status=429)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """Input the rules cannot use (a model's or a service's ValidationError): 400 -- or the error's own
    ``status``, as participation's AlreadySupported (409) -- with every message, by field."""
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    else:
        text = " ".join(exc.messages)
    return api.create_response(request, {"detail": text}, status=getattr(exc, "status", 400))


api.add_router("/", community_router)
api.add_router("/", directory_router)
api.add_router("/hsds/", hsds_router)
api.add_router("/", accessibility_router)
api.add_router("/", "lifecircle.babycare.api.router")
api.add_router("/bookings/", "lifecircle.bookings.api.router")
api.add_router("/", "lifecircle.meals.api.router")
api.add_router("/", "lifecircle.participation.api.router")
api.add_router("/requests311/", "lifecircle.requests311.api.router")
api.add_router("/", "lifecircle.planning.api.router")
api.add_router("/", "lifecircle.eldercare.api.router")
api.add_router("/homecare/", "lifecircle.homecare.api.router")
api.add_router("/volunteers/", "lifecircle.volunteers.api.router")
