"""Public pages of the service directory: the map of happiness (幸福地图)."""
import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lifecircle.community.models import SubDistrict
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN
from lifecircle.participation.models import Proposal
from lifecircle.requests311.models import ServiceRequest

from .hours import WEEKDAYS
from .models import Facility, PointOfInterest, Room, ServiceCategory

# Points of interest are not services, so they have no category colour; each kind gets one here,
# chosen to stay apart from the usual category colours and readable on the pale map.
POI_KIND_COLORS = {
    PointOfInterest.Kind.HERITAGE: "#7b3f98",
    PointOfInterest.Kind.CREATIVE_PARK: "#c2571a",
    PointOfInterest.Kind.PARK: "#2e8540",
    PointOfInterest.Kind.BOOK_STATION: "#1f6fa8",
    PointOfInterest.Kind.SHOP: "#6b6f76",
    PointOfInterest.Kind.MARKET: "#a07d00",
    PointOfInterest.Kind.LANDMARK: "#2f4858",
}


def _legend_categories():
    """Categories that have active facilities, grouped as the model's groups are ordered."""
    categories = (
        ServiceCategory.objects.annotate(count=Count("facilities", filter=Q(facilities__active=True)))
        .filter(count__gt=0)
        .order_by("group", "slug")
    )
    groups = {value: {"value": value, "label": label, "categories": []} for value, label in ServiceCategory.Group.choices}
    for category in categories:
        groups.setdefault(category.group, {"value": category.group, "label": category.group, "categories": []})
        groups[category.group]["categories"].append(category)
    return [group for group in groups.values() if group["categories"]]


def _legend_poi_kinds():
    counts = dict(PointOfInterest.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    return [
        {"value": value, "label": label, "color": POI_KIND_COLORS.get(value, "#555555"), "count": counts[value]}
        for value, label in PointOfInterest.Kind.choices
        if counts.get(value)
    ]


def _community_counts():
    """How many features the two optional community layers hold, for the legend. The same filters as
    the endpoints that draw them (requests311.api.requests_geojson with its default 30 days, and
    participation.api.proposals_geojson); the browser test checks that the two agree."""
    since = timezone.now() - datetime.timedelta(days=30)
    closed = ServiceRequest.State.CLOSED
    requests = ServiceRequest.objects.filter(service__private=False, lat__isnull=False, lon__isnull=False) \
        .filter(~Q(state=closed) | Q(closed_at__gte=since)).count()
    proposals = Proposal.objects.filter(hidden_at__isnull=True, lon__isnull=False, lat__isnull=False).count()
    return {"requests": requests, "proposals": proposals}


def _map_config():
    """Everything the map script needs, passed with json_script so no text is hard-coded in JS."""
    api = get_script_prefix() + "api/"
    return {
        "lang": get_language() or "zh-hans",
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "api": {
            "categories": api + "categories",
            "facilities": api + "geo/facilities.geojson",
            "pois": api + "geo/pois.geojson",
            "grids": api + "geo/grids.geojson",
            "network": api + "geo/network.geojson",
            "boundary": api + "geo/boundary.geojson",
            "isochrones": api + "accessibility/isochrones",
            "requests": api + "requests311/requests.geojson",
            "proposals": api + "geo/proposals.geojson",
        },
        "poiKindColors": {str(k): v for k, v in POI_KIND_COLORS.items()},
        "poiKinds": {str(k): str(v) for k, v in PointOfInterest.Kind.choices},
        "roomKinds": {str(k): str(v) for k, v in Room.Kind.choices},
        "capacityUnits": {str(k): str(v) for k, v in Facility.CapacityUnit.choices},
        "requestStates": {str(k): capfirst(str(v)) for k, v in ServiceRequest.State.choices},
        "proposalStatuses": {str(k): capfirst(str(v)) for k, v in Proposal.Status.choices},
        "timeZone": settings.TIME_ZONE,
        "weekdays": dict(zip(WEEKDAYS, [
            pgettext("weekday", "Mon"), pgettext("weekday", "Tue"), pgettext("weekday", "Wed"),
            pgettext("weekday", "Thu"), pgettext("weekday", "Fri"), pgettext("weekday", "Sat"),
            pgettext("weekday", "Sun"),
        ])),
        "strings": {
            "openNow": _("Open now"),
            "closedNow": _("Closed now"),
            "hoursUnknown": _("Hours not listed"),
            "hours": _("Opening hours"),
            "allDay": _("Open 24 hours, every day"),
            "closed": _("closed"),
            # {first} and {last} are weekday names, as in "Mon–Fri".
            "dayRange": _("{first}–{last}"),
            "category": _("Category"),
            "services": _("Services"),
            "rooms": _("Rooms"),
            "capacity": _("Capacity"),
            "roomCapacity": _("up to {n} people"),
            "floor": _("floor {floor}"),
            "bookable": _("can be booked"),
            "address": _("Address"),
            "phone": _("Phone"),
            "operator": _("Run by"),
            "website": _("Website"),
            "kind": _("Kind"),
            "heritage": _("Heritage designation"),
            "illustrative": _("Illustrative"),
            "illustrativeHint": _("Position or figures are approximate, not surveyed."),
            "loadError": _("The map data could not be loaded. Please try again later."),
            "facilityLabel": _("{name}, {category}"),
            "shownCount": _("{n} places shown"),
            # The walking areas drawn where the map is clicked.
            "reachTitle": _("Within walking distance"),
            "reachPoint": _("The chosen spot. Press Enter to show what is within walking distance."),
            "tierLabel": _("{n} min"),
            "withinTier": _("within {n} min"),
            "metres": _("{m} m"),
            "walkMinutes": _("{n} min walk"),
            "elderlySpeed": _("Elderly walking speed"),
            "barrierFree": _("Wheelchair or pram: no steps or raised kerbs"),
            "dataGap": _("Map data gap:"),
            "departAt": _("Leaving at"),
            # {n} facilities in reach are open when the walker gets there, leaving at {time}.
            "openOnArrival": _("Leaving at {time}: {n} of them open when you arrive"),
            # {speed} is metres per minute.
            "speedStandard": _("Distances from the standard: {distances}; minutes at {speed} m a minute"),
            # {speed} is metres per minute.
            "speedElderly": _("At {speed} m a minute: {distances}"),
            "reachLoading": _("Working out how far you can walk from here…"),
            "reachTooFar": _("This spot is too far from any street or path to walk from. Tap closer to a street."),
            "reachFailed": _("Walking distances could not be worked out here. Please try again."),
            "reachNone": _("No services are within a 15-minute walk of this spot."),
            "reachTotal": _("{n} services within a 15-minute walk"),
            "clear": _("Clear"),
            "backToReach": _("Back to what is within walking distance"),
            "walkingTime": _("Walking time"),
            "openDetails": _("Show details of {name}"),
            # The optional community layers: residents' requests and participatory proposals.
            "request": _("Resident request"),
            # {service} is the kind of request, as in "Street light out"; {status} is open or closed.
            "requestLabel": _("Resident request: {service}, {status}"),
            "requestOpen": pgettext("request status", "Open"),
            "requestClosed": pgettext("request status", "Closed"),
            "requestState": _("Progress"),
            "requested": _("Reported on"),
            "updated": _("Last updated"),
            "handledBy": _("Handled by"),
            "requestPrivacy": _("The report itself and who made it are not published."),
            "proposal": _("Proposal"),
            "topic": _("Topic for discussion"),
            # {title} is the proposal's title; {status} is open, adopted or not adopted.
            "proposalLabel": _("Proposal: {title}, {status}"),
            "process": _("Process"),
            "proposalStatus": _("Status"),
            "supports": _("Supports"),
            "comments": _("Comments"),
            "proposalLink": _("Read it and take part"),
        },
        "elderlySpeed": int(SPEED_PROFILES_M_PER_MIN["elderly"]),
        "planningSpeed": int(SPEED_PROFILES_M_PER_MIN["planning"]),
    }


def map_of_happiness(request):
    """The map of happiness: every facility and point of interest, with filters and details."""
    subdistrict = SubDistrict.objects.order_by("pk").first()
    return render(request, "directory/map.html", {
        "subdistrict": subdistrict,
        "illustrative": bool(subdistrict and subdistrict.illustrative),
        "data_notice": subdistrict.data_notice if subdistrict else "",  # the pack's Chinese and English lines
        "legend_groups": _legend_categories(),
        "poi_kinds": _legend_poi_kinds(),
        "community_counts": _community_counts(),
        "map_config": _map_config(),
    })
