"""Pages of the planning workbench: scenarios, one scenario on a map, siting, comparison, the grid
dashboard and report downloads. Planners only.

Every page works without JavaScript (plain forms, server-rendered tables); planning.js adds the
map, where a click adds or moves a facility and the coverage redraws from the API at once.
"""
import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from lifecircle.accessibility.compute import NotComputable
from lifecircle.accessibility.coverage import PLAN_REQUIREMENTS, standard_rows
from lifecircle.community.scope import api_url, named

from . import coverage, district, reports, scenarios, siting
from .models import Scenario, ScenarioFacility
from .permissions import require_planner

WEIGHT_CHOICES = [
    ("population", gettext_lazy("All residents")),
    ("aged_60_plus", gettext_lazy("Aged 60+")),
    ("aged_0_3", gettext_lazy("Aged 0–3")),
]
MODEL_NAMES = {
    "mclp": gettext_lazy("maximal covering"),
    "lscp": gettext_lazy("set covering"),
    "pmedian": gettext_lazy("p-median"),
}
MODEL_CHOICES = [
    ("mclp", gettext_lazy("Maximal covering: k sites that cover the most people not yet covered")),
    ("lscp", gettext_lazy("Set covering: the fewest sites that cover everyone who can be covered")),
    ("pmedian", gettext_lazy("p-median: k sites that make the total walk shortest")),
]


def planner_page(view):
    """A page of one sub-district's workbench (``/s/<code>/planning/…``): signed in (else the login
    page), the sub-district known (else 404), and a planner of it (else 403 with the reason)."""
    @login_required
    def wrapped(request, subdistrict, *args, **kwargs):
        request.subdistrict = named(subdistrict)
        require_planner(request.user, request.subdistrict)
        return view(request, request.subdistrict, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _percent(share):
    return None if share is None else int(share * 100 + 0.5)


def _categories():
    return [{"slug": r.category.slug, "name": r.category.display_name, "tier": r.tier_minutes,
             "threshold": r.threshold_m, "color": r.category.color} for r in standard_rows()]


def _state(value, subdistrict):
    if value in (None, "", coverage.LIVE):
        return coverage.LIVE
    try:
        return Scenario.objects.get(pk=int(value), subdistrict=subdistrict)
    except (ValueError, Scenario.DoesNotExist):
        raise Http404(_("There is no such scenario.")) from None


def _common_config(subdistrict):
    return {
        "lang": get_language() or "zh-hans",
        "api": {"network": api_url("geo/network.geojson", subdistrict), "grids": api_url("geo/grids.geojson", subdistrict),
                "boundary": api_url("geo/boundary.geojson", subdistrict), "planning": api_url("planning/")},
    }


# ---------------------------------------------------------------------------------------------- scenarios
@planner_page
@require_http_methods(["GET", "POST"])
def scenarios_page(request, subdistrict):
    """The planner's scenarios, and a form to start a new one from the live directory."""
    form = {"name": "", "description": ""}
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            scenario = _state(request.POST.get("scenario") or "none", subdistrict)
            scenario.delete()
            messages.success(request, _("Scenario “%(name)s” deleted.") % {"name": scenario.name})
            return redirect("planning:scenarios", subdistrict=subdistrict.code)
        form = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        try:
            scenario = scenarios.create_scenario(subdistrict, form["name"], request.user, form["description"])
        except (scenarios.PlanningError, NotComputable) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Scenario “%(name)s” created from the live directory.") % {"name": scenario.name})
            return redirect("planning:scenario", subdistrict=subdistrict.code, scenario_id=scenario.pk)
    items = Scenario.objects.filter(subdistrict=subdistrict).select_related("created_by")
    return render(request, "planning/scenarios.html", {"subdistrict": subdistrict, "scenarios": items, "form": form})


def _coverage_table(subdistrict, scenario, category):
    """Rows per grid for one category: the scenario's shares beside the live ones."""
    result = coverage.compare(subdistrict, coverage.LIVE, scenario, category=category)
    rows = []
    for row in result["rows"]:
        rows.append({**row, "values": [
            {"key": key, "label": label, "live": _percent(row[f"{key}_share_a"]), "now": _percent(row[f"{key}_share_b"]),
             "covered": row[f"{key}_covered_b"], "total": row[key], "gained": row[f"{key}_gained"]}
            for key, label in WEIGHT_CHOICES]})
    return rows, result["changed"]


@planner_page
@require_http_methods(["GET", "POST"])
def scenario_page(request, subdistrict, scenario_id):
    """One scenario: its map, coverage of a category per grid beside the live state, its facilities."""
    scenario = get_object_or_404(Scenario, pk=scenario_id, subdistrict=subdistrict)
    cats = _categories()
    slugs = [c["slug"] for c in cats]
    category = request.GET.get("category") or request.POST.get("category_view")
    if category not in slugs:
        category = next((s for s in PLAN_REQUIREMENTS if s in slugs), slugs[0] if slugs else "")
    if request.method == "POST":
        _scenario_action(request, scenario)
        return redirect(reverse("planning:scenario", args=[subdistrict.code, scenario.pk]) + f"?category={category}")
    facilities = list(scenario.facilities.select_related("category", "grid").prefetch_related("services"))
    rows, changed = _coverage_table(subdistrict, scenario, category) if category else ([], [])
    selected = next((c for c in cats if c["slug"] == category), None)
    config = {
        **_common_config(subdistrict), "scenario": scenario.pk, "category": category, "categories": cats,
        "compounds": coverage.compound_status(subdistrict, scenario, category) if category else [],
        "facilities": [{"code": f.code, "name": f.display_name, "category": f.category.slug, "lon": f.lon, "lat": f.lat,
                        "active": f.active, "capacity": f.capacity, "origin": f.origin,
                        "categories": [c.slug for c in f.all_categories()]} for f in facilities],
        "strings": {
            "addHere": _("Add a facility here"), "moveHere": _("Move it here"), "cancel": _("Cancel"),
            "close": _("Close"), "reopen": _("Reopen"), "move": _("Move"), "resize": _("Set capacity"),
            "name": _("Name"), "capacity": _("Capacity"), "add": _("Add"), "closed": _("closed"),
            "pickNewPlace": _("Now tap the new place on the map."),
            "updated": _("Coverage updated in {ms} ms ({categories})."), "failed": _("The change was not made: {reason}"),
            "covered": _("covered"), "notCovered": _("not covered"), "nearest": _("nearest {m} m"),
            "noneReachable": _("none reachable"), "working": _("Updating…"),
            "listSeparator": pgettext("list separator", ", "),
        },
    }
    return render(request, "planning/scenario.html", {
        "subdistrict": subdistrict, "scenario": scenario, "categories": cats, "category": category,
        "selected": selected, "rows": rows, "changed": changed,
        "facilities": [f for f in facilities if category in {c.slug for c in f.all_categories()}],
        "other_facilities": len(facilities), "plan": coverage.plan_check(subdistrict, scenario),
        "changes": scenario.changes.select_related("user")[:20], "weights": WEIGHT_CHOICES,
        "page_config": config,
    })


def _scenario_action(request, scenario):
    """The no-JavaScript forms of the scenario page: add, move, close, reopen, resize."""
    post = request.POST
    action = post.get("action")
    try:
        if action == "add":
            change = scenarios.add_facility(scenario, request.user, category=post.get("category", ""),
                                            lon=post.get("lon"), lat=post.get("lat"), name=post.get("name", ""),
                                            capacity=post.get("capacity") or None)
        elif action == "move":
            change = scenarios.change_facility(scenario, request.user, post.get("code", ""), lon=post.get("lon"),
                                               lat=post.get("lat"))
        elif action in ("close", "reopen"):
            change = scenarios.change_facility(scenario, request.user, post.get("code", ""), active=action == "reopen")
        elif action == "resize":
            change = scenarios.change_facility(scenario, request.user, post.get("code", ""),
                                               capacity=post.get("capacity") or None)
        else:
            messages.error(request, _("Unknown action."))
            return
    except (scenarios.PlanningError, NotComputable) as exc:
        messages.error(request, str(exc))
        return
    messages.success(request, _("%(action)s: coverage updated in %(ms)d ms.") % {
        "action": change.get_action_display(), "ms": round(change.seconds * 1000)})


# ---------------------------------------------------------------------------------------------- siting
@planner_page
@require_http_methods(["GET", "POST"])
def siting_page(request, subdistrict):
    """The siting form and its result: chosen sites on a map, objective, bound and gap."""
    cats = _categories()
    slugs = [c["slug"] for c in cats]
    items = list(Scenario.objects.filter(subdistrict=subdistrict))
    data = request.POST if request.method == "POST" else request.GET
    form = {
        "category": data.get("category") if data.get("category") in slugs else next(
            (s for s in PLAN_REQUIREMENTS if s in slugs), slugs[0] if slugs else ""),
        "model": data.get("model") if data.get("model") in siting.MODELS else "mclp",
        "k": data.get("k", "2"), "candidates": "points" if data.get("candidates") == "points" else "nodes",
        "points": data.get("points", ""), "time_limit": data.get("time_limit", "20"),
        "weight": data.get("weight") if data.get("weight") in dict(WEIGHT_CHOICES) else "population",
        "scenario": data.get("scenario", ""), "capacity": data.get("capacity", ""),
    }
    result = None
    if request.method == "POST" and data.get("action") == "add_to_scenario":
        scenario = _state(data.get("target") or "none", subdistrict)
        try:
            sites = [(float(s["lon"]), float(s["lat"])) for s in json.loads(data.get("sites", "[]"))]
            change = scenarios.add_sites(scenario, request.user, form["category"], sites,
                                         capacity=form["capacity"] or None)
        except (ValueError, KeyError, TypeError, scenarios.PlanningError, NotComputable) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(n)d sites added to “%(name)s”; coverage updated in %(ms)d ms.") % {
                "n": len(sites), "name": scenario.name, "ms": round(change.seconds * 1000)})
            return redirect(reverse("planning:scenario", args=[subdistrict.code, scenario.pk]) + f"?category={form['category']}")
    elif request.method == "POST":
        try:
            source = None
            if form["scenario"]:
                source = _state(form["scenario"], subdistrict)
            points = siting.parse_points(form["points"]) if form["candidates"] == "points" else None
            k = None
            if form["model"] != "lscp":
                try:
                    k = int(form["k"])
                except ValueError:
                    raise scenarios.PlanningError(_("k must be a whole number.")) from None
            result = siting.run(subdistrict, category=form["category"], model=form["model"], k=k, candidates=points,
                                time_limit_s=form["time_limit"], weight=form["weight"], scenario=source,
                                capacity=form["capacity"] if form["model"] == "pmedian" else None)
        except (scenarios.PlanningError, NotComputable) as exc:
            messages.error(request, str(exc))
    if result is not None:
        result["gap_percent"] = None if result["gap"] is None else round(result["gap"] * 100, 4)
        result["model_label"] = MODEL_NAMES[result["model"]]
        result["sites_json"] = json.dumps(result["sites"])
    config = {**_common_config(subdistrict), "sites": result["sites"] if result else [], "category": form["category"],
              "strings": {"site": _("Site {n}"), "tapToAdd": _("Tap the map to add a candidate point.")}}
    return render(request, "planning/siting.html", {
        "subdistrict": subdistrict, "categories": cats, "models": MODEL_CHOICES, "weights": WEIGHT_CHOICES,
        "scenarios": items, "form": form, "result": result, "page_config": config,
    })


# ---------------------------------------------------------------------------------------------- compare
@planner_page
def compare_page(request, subdistrict):
    """Two states (scenarios or the live directory) side by side: coverage per grid and category."""
    items = list(Scenario.objects.filter(subdistrict=subdistrict))
    a = _state(request.GET.get("a"), subdistrict)
    b = _state(request.GET.get("b") or (items[0].pk if items else None), subdistrict)
    weight = request.GET.get("weight") if request.GET.get("weight") in dict(WEIGHT_CHOICES) else "population"
    result = coverage.compare(subdistrict, a, b)
    by_tier = {}  # one table per tier, whatever order the rows come in
    for row in result["rows"]:
        row["share_a"], row["share_b"] = _percent(row[f"{weight}_share_a"]), _percent(row[f"{weight}_share_b"])
        row["change"] = None if row[f"{weight}_share_change"] is None else round(row[f"{weight}_share_change"] * 100, 1)
        row["gained"] = row[f"{weight}_gained"]
    for row in result["rows"]:
        if row["grid"] is None:  # the whole sub-district leads; grids are in the details
            by_tier.setdefault(row["tier_minutes"], []).append({**row, "grids": [
                r for r in result["rows"] if r["grid"] is not None and r["category"] == row["category"]]})
    tiers = [{"minutes": minutes, "rows": rows} for minutes, rows in sorted(by_tier.items())]
    return render(request, "planning/compare.html", {
        "subdistrict": subdistrict, "scenarios": items, "a": a, "b": b,
        "a_value": "live" if a == coverage.LIVE else a.pk, "b_value": "live" if b == coverage.LIVE else b.pk,
        "a_name": reports.state_name(a), "b_name": reports.state_name(b), "weight": weight,
        "weights": WEIGHT_CHOICES, "tiers": tiers, "changed": result["changed"], "computed": result["computed"],
    })


# ---------------------------------------------------------------------------------------------- dashboard
@planner_page
def dashboard_page(request, subdistrict):
    """Per grid: coverage by tier and category, people not covered, the plan check, facilities, and
    the live services' facility use and requests (planning.usage); then the use of each facility."""
    items = list(Scenario.objects.filter(subdistrict=subdistrict))
    state = _state(request.GET.get("state"), subdistrict)
    data = reports.dashboard(subdistrict, state)
    for card in data["cards"]:
        for tier in card["tiers"]:
            for row in tier["rows"]:
                row["pct"] = {key: _percent(row[f"{key}_share"]) for key, _label in WEIGHT_CHOICES}
    state_value = "live" if state == coverage.LIVE else state.pk
    return render(request, "planning/dashboard.html", {
        "subdistrict": subdistrict, "scenarios": items, "state": state, "state_value": state_value,
        "state_name": reports.state_name(state), "cards": data["cards"], "computed": data["computed"],
        "formats": [("pdf", "PDF"), ("csv", "CSV"), ("geojson", "GeoJSON")],
        "usage": data["usage"], "usage_period": reports.usage_period(data["usage"]),
        "facility_tables": reports.facility_tables(data["usage"]),
    })


@planner_page
def report_download(request, subdistrict):
    """The dashboard as a file: ?state=live|<scenario id>&format=pdf|csv|geojson."""
    state = _state(request.GET.get("state"), subdistrict)
    fmt = request.GET.get("format", "pdf")
    stem = f"lifecircle-{subdistrict.code}-{'live' if state == coverage.LIVE else slugify(state.name) or state.pk}"
    if fmt == "csv":
        response = HttpResponse("\ufeff" + reports.to_csv(subdistrict, state), content_type="text/csv; charset=utf-8")
    elif fmt == "geojson":
        response = HttpResponse(reports.to_geojson(subdistrict, state), content_type="application/geo+json")
    elif fmt == "pdf":
        response = HttpResponse(reports.to_pdf(subdistrict, state), content_type="application/pdf")
    else:
        raise Http404(_("Unknown report format."))
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


# ---------------------------------------------------------------------------------------------- district
#: How far back the district overview counts residents' requests.
DISTRICT_REQUEST_DAYS = 90


def district_page(request):
    """Every sub-district side by side: coverage by tier and category, residents not covered, and
    requests with their response times (district.overview). Public, like each coverage page: only
    counts and shares, no one's personal data."""
    last = timezone.localdate()
    first = last - datetime.timedelta(days=DISTRICT_REQUEST_DAYS - 1)
    midnight = datetime.time()
    start = timezone.make_aware(datetime.datetime.combine(first, midnight))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), midnight))
    return render(request, "planning/district.html", {**district.overview(start, end), "first": first, "last": last})
