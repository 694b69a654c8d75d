"""Public pages of the service directory: the map of happiness (幸福地图)."""
import time
import uuid
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lifecircle.caching import cached_value
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.community.scope import api_url, sole_subdistrict, subdistrict_page, topics
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN
from lifecircle.geography import polygon_from_geojson

from . import finder, layers
from .hours import weekday_names
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


def marker_symbols(names):
    """One character per name to print on its map markers and legend swatch, so a category is told
    by more than its colour: the first character of the name no other name has (食 for 社区食堂
    beside 社区卫生服务站), else the first not yet taken, else a number."""
    counts = {}
    for name in names:
        for char in set(name.upper()):
            counts[char] = counts.get(char, 0) + 1
    taken, symbols = set(), []
    for i, name in enumerate(names):
        chars = [c for c in name.upper() if c.isalnum() and c not in taken]
        symbol = next((c for c in chars if counts[c] == 1), chars[0] if chars else str(i + 1))
        taken.add(symbol)
        symbols.append(symbol)
    return symbols


def _legend_categories(subdistrict):
    """Categories that have active facilities in the sub-district, grouped as the model's groups are ordered."""
    here = Q(facilities__active=True, facilities__subdistrict=subdistrict)
    categories = (
        ServiceCategory.objects.annotate(count=Count("facilities", filter=here))
        .filter(count__gt=0)
        .order_by("group", "slug")
    )
    categories = list(categories)
    symbols = marker_symbols([c.display_name for c in categories])
    # Plain values in the reader's language, not model instances and lazy labels: the legend is
    # kept in the cache, and unpickling lazy strings rebuilds their proxy class each time (3 ms a page).
    groups = {value: {"value": value, "label": str(label), "categories": []}
              for value, label in ServiceCategory.Group.choices}
    for category, symbol in zip(categories, symbols):
        groups.setdefault(category.group, {"value": category.group, "label": category.group, "categories": []})
        groups[category.group]["categories"].append(SimpleNamespace(
            slug=category.slug, color=category.color, symbol=symbol, display_name=category.display_name,
            count=category.count))
    return [group for group in groups.values() if group["categories"]]


def _legend_poi_kinds(subdistrict):
    counts = dict(PointOfInterest.objects.filter(subdistrict=subdistrict).values_list("kind")
                  .annotate(n=Count("pk")).order_by())
    return [
        {"value": value, "label": str(label), "color": POI_KIND_COLORS.get(value, "#555555"), "count": counts[value]}
        for value, label in PointOfInterest.Kind.choices
        if counts.get(value)
    ]


def _layer_legend(subdistrict):
    """The optional layers other apps registered (:mod:`.layers`), with how many features each holds
    in the sub-district, for the legend's "Community" group."""
    legend = []
    for layer in layers.registered():
        n = layer.count(subdistrict)
        legend.append({"key": layer.key, "label": str(layer.label), "swatch": layer.swatch, "count": n,
                       "count_label": str(layer.count_label % {"n": n})})
    return legend


def map_centre(subdistrict):
    """[lat, lon] where the map opens before its layers arrive: the middle of the sub-district's
    boundary, else of its facilities; None when neither is known (the script then waits for data)."""
    if subdistrict.boundary:
        middle = polygon_from_geojson(subdistrict.boundary).representative_point()
        return [round(middle.y, 6), round(middle.x, 6)]
    places = Facility.objects.filter(subdistrict=subdistrict)
    if not places.exists():
        return None
    lons, lats = zip(*places.values_list("lon", "lat"))
    return [round((min(lats) + max(lats)) / 2, 6), round((min(lons) + max(lons)) / 2, 6)]


def _map_config(subdistrict):
    """Everything the map script needs, passed with json_script so no text is hard-coded in JS.
    Every layer names the sub-district; the walking areas do not, so a click is answered by the
    sub-district whose streets it lands on. The layers other apps registered add their own
    entries and strings."""
    registered = layers.registered()
    config = {
        "lang": get_language() or "zh-hans",
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "subdistrict": subdistrict.code,
        "center": map_centre(subdistrict),
        "api": {
            "categories": api_url("categories"),
            "facilities": api_url("geo/facilities.geojson", subdistrict),
            "pois": api_url("geo/pois.geojson", subdistrict),
            "grids": api_url("geo/grids.geojson", subdistrict),
            "network": api_url("geo/network.geojson", subdistrict),
            "boundary": api_url("geo/boundary.geojson", subdistrict),
            "isochrones": api_url("accessibility/isochrones"),
            **{layer.key: api_url(layer.api_path, subdistrict) for layer in registered},
        },
        "poiKindColors": {str(k): v for k, v in POI_KIND_COLORS.items()},
        "poiKinds": {str(k): str(v) for k, v in PointOfInterest.Kind.choices},
        "roomKinds": {str(k): str(v) for k, v in Room.Kind.choices},
        "capacityUnits": {str(k): str(v) for k, v in Facility.CapacityUnit.choices},
        "timeZone": settings.TIME_ZONE,
        "weekdays": weekday_names(),
        "strings": {
            "openNow": _("Open now"),
            "closedNow": _("Closed now"),
            # {when} is "today 14:00", "tomorrow 08:00" or "Mon 08:00".
            "opensNext": _("opens {when}"), "todayAt": _("today {time}"), "tomorrowAt": _("tomorrow {time}"),
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
            # The tier of the standard and its distance, as in "15-min circle · ≤800 m".
            "tierBand": _("{n}-min circle · ≤{m} m"),
            "tierHeading": _("Life-circle tiers (the standard's distances)"),
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
        },
        "elderlySpeed": int(SPEED_PROFILES_M_PER_MIN["elderly"]),
        "planningSpeed": int(SPEED_PROFILES_M_PER_MIN["planning"]),
    }
    for layer in registered:
        extra = layer.script_config()
        config["strings"].update(extra.pop("strings", {}))
        config.update(extra)
    return config


def home_on_map(request, subdistrict):
    """Where the signed-in resident lives, for their map only: their compound's position and name
    (never the flat), or None for visitors, staff and residents of other sub-districts."""
    if not request.user.is_authenticated:
        return None
    compound = Compound.objects.filter(homes__members__user=request.user, subdistrict=subdistrict).first()
    if compound is None or compound.lon is None or compound.lat is None:
        return None
    return {"lat": compound.lat, "lon": compound.lon, "name": compound.display_name}


def _public_map_parts(subdistrict):
    """What the map page shows the same to every reader of the language from the directory: the
    legend's categories and kinds of place, and the map script's configuration, without the
    reader's home."""
    config = _map_config(subdistrict)
    # {compound} is the resident's compound: the map marks the compound, never the flat.
    config["strings"]["myHome"] = _("My home ({compound})")
    return {"legend_groups": _legend_categories(subdistrict), "poi_kinds": _legend_poi_kinds(subdistrict),
            "map_config": config,
            # New whenever these parts are worked out again: the legend rendered from them is
            # kept under it (the template's cache tag), so it is rendered once, not per page.
            "legend_key": uuid.uuid4().hex}


def _map_page(request, subdistrict):
    # Two cache reads: the directory's parts, kept until the directory changes, and the other apps'
    # layers with their counts, kept until one of their topics changes (a new street report must
    # not redraw the directory's legend) and a minute at most, as a layer may count by the clock
    # (requests closed in the last 30 days).
    language = get_language()
    parts = cached_value(topics(subdistrict), ["map-page", subdistrict.pk, language],
                         lambda: _public_map_parts(subdistrict))
    layer_topics = [topic for layer in layers.registered() for topic in layer.topics]
    map_layers = cached_value(layer_topics, ["map-layers", subdistrict.pk, language, int(time.time() // 60)],
                              lambda: {"map_layers": _layer_legend(subdistrict), "layers_key": uuid.uuid4().hex},
                              timeout=60)
    parts["map_config"]["home"] = home_on_map(request, subdistrict)  # the reader's own: never cached
    return render(request, "directory/map.html", {
        "subdistrict": subdistrict,
        "illustrative": subdistrict.illustrative,
        "data_notice": subdistrict.data_notice,  # the pack's Chinese and English lines
        **parts, **map_layers,
    })


@subdistrict_page
def map_of_happiness(request, subdistrict):
    """The map of happiness of one sub-district (/s/<code>/): its facilities and places, filters, details."""
    return _map_page(request, subdistrict)


@subdistrict_page
def find(request, subdistrict):
    """The service finder of one sub-district (/s/<code>/find/): services by need or keyword, nearest
    walk from "my home" first, with filters. A parameter that names nothing answers 400 with the
    reason, and the form stays filled in so it can be corrected."""
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    error, query, result = "", None, None
    try:
        query = finder.parse(subdistrict, request.GET, resident)
    except finder.FinderError as exc:
        error = str(exc)
    else:
        result = finder.search(subdistrict, query)
    choices = []
    if query is not None and query.address is not None:
        # Each choice keeps the rest of the search and replaces the typed text by what selects it.
        for place in query.address.choices:
            params = request.GET.copy()
            for name in ("home", "address"):
                params.pop(name, None)
            params.update(place.link)
            choices.append({"place": place, "query": params.urlencode()})
    return render(request, "directory/find.html", {
        "address_choices": choices, "address_example": finder.address_example(subdistrict),
        "subdistrict": subdistrict, "illustrative": subdistrict.illustrative, "error": error,
        "query": query, "result": result, "params": request.GET,
        "needs": finder.needs(), "compounds": Compound.objects.filter(subdistrict=subdistrict).order_by("code"),
        "serves_choices": [(value, label) for value, label in Facility.Eligibility.choices],
        "cost_choices": [("free", _("Free only")), ("subsidised", _("Free or subsidised"))],
        "language_choices": [(code, str(label)) for code, label in Facility.LANGUAGES.items()],
        "speed": int(SPEED_PROFILES_M_PER_MIN["planning"]),
    }, status=400 if error else 200)


def home(request):
    """The front page: the map itself when the installation runs one sub-district, the chooser when
    it runs several (or none yet)."""
    only = sole_subdistrict(request)
    if only is not None:
        request.subdistrict = only
        return _map_page(request, only)
    return chooser(request)


def _section(text):
    """A page path inside a sub-district ("planning/coverage/"), or "" for anything else."""
    text = (text or "").lstrip("/")
    return text if text.startswith("planning/") and ".." not in text and "//" not in text else ""


def chooser(request):
    """Every sub-district with its counts and a link to its map (or to ``?next=`` page inside it)."""
    section = _section(request.GET.get("next"))
    # A city's 200 rows took 25 ms to count and render on every visit; they are the same for every
    # reader of a language until the directory changes.
    chooser_list, links = cached_value(topics(), ["directory.chooser", get_language() or "", section],
                                       lambda: _chooser_list(section))
    return render(request, "directory/chooser.html", {
        "chooser_list": chooser_list, "section": section,
        "chooser_config": {"boundaries": api_url("geo/boundary.geojson"), "lang": get_language() or "zh-hans",
                           "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
                           "links": links},
    })


def _chooser_list(section):
    """The chooser's list, rendered (empty when there is no sub-district), and each one's link."""
    people = dict(Compound.objects.values_list("subdistrict").annotate(n=Sum("population")).order_by())
    compounds = dict(Compound.objects.values_list("subdistrict").annotate(n=Count("pk")).order_by())
    facilities = dict(Facility.objects.filter(active=True).values_list("subdistrict").annotate(n=Count("pk")).order_by())
    rows = [{
        "subdistrict": s, "url": reverse("subdistrict_map", args=[s.code]) + section,
        "facilities": facilities.get(s.pk, 0), "compounds": compounds.get(s.pk, 0), "population": people.get(s.pk) or 0,
    } for s in SubDistrict.objects.order_by("code")]
    rendered = render_to_string("directory/_chooser_list.html", {"rows": rows}) if rows else ""
    return mark_safe(rendered), {r["subdistrict"].code: r["url"] for r in rows}  # noqa: S308 (our own template)


def page_anywhere(request, rest):
    """An address from before sub-districts had their own (``/planning/coverage/``): the same page of
    the only sub-district, or the chooser (which links to that page in each) when there are several.
    A form sent to the old address is re-sent as it was (307)."""
    only = sole_subdistrict()
    if only is None:
        return HttpResponseRedirect(reverse("map") + "?" + urlencode({"next": "planning/" + rest}))
    target = reverse("subdistrict_map", args=[only.code]) + "planning/" + rest
    query = request.META.get("QUERY_STRING")
    response = HttpResponseRedirect(target + ("?" + query if query else ""))
    if request.method != "GET":
        response.status_code = 307
    return response
