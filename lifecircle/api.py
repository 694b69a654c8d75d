"""The JSON API: one NinjaAPI, one router per domain app. OpenAPI schema at /api/openapi.json."""
from lifecircle.accessibility.api import router as accessibility_router
from lifecircle.api_docs import DocumentedAPI
from lifecircle.community.api import router as community_router
from lifecircle.dates import BadDate
from lifecircle.directory.api import router as directory_router
from lifecircle.directory.hsds_api import router as hsds_router

api = DocumentedAPI(
    title="lifecircle API",
    version="1",
    description=(
        "15-minute community life circle: the service directory, the community model and map layers. "
        "Geometry is GeoJSON, [longitude, latitude] in WGS84. Map data derived from OpenStreetMap is "
        "© OpenStreetMap contributors, ODbL 1.0."
    ),
    urls_namespace="api",
)


@api.exception_handler(BadDate)
def bad_date(request, exc):
    """A date parameter that is not a date: 400 with the message (lifecircle.dates)."""
    return api.create_response(request, {"detail": exc.message}, status=400)


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
