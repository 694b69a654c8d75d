"""Open311 GeoReport v2, included at /open311/v2/ (see open311.py)."""
from django.urls import path, re_path

from . import open311

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="open311-discovery"),
    path("services.<str:fmt>", open311.services, name="open311-services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="open311-service"),
    path("requests.<str:fmt>", open311.requests, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", open311.request_detail, name="open311-request"),
    path("tokens/<str:token>.<str:fmt>", open311.token, name="open311-token"),
    path("servicerequestupdates.<str:fmt>", open311.updates, name="open311-updates"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
