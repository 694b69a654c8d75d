"""The planners' coverage page: the plan check, coverage per grid and category, the gap list.

Everything a planner reads is rendered here on the server, so the page works without JavaScript
(the category, weight and gap filters are a plain GET form); coverage.js adds the shaded map and
the charts, and redraws in place when a filter changes.
"""
import math
import re
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecircle.community.models import Compound
from lifecircle.community.scope import api_url, subdistrict_page
from lifecircle.directory.models import ServiceCategory
from lifecircle.geo.profiles import TagAudit
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN

from . import coverage
from .isochrones import parse_departure
from .models import CompoundAccess

#: Whom a share counts, as in coverage.WEIGHTS, with the label the page shows.
WEIGHT_CHOICES = [
    ("population", gettext_lazy("All residents")),
    ("aged_60_plus", gettext_lazy("Aged 60+")),
    ("aged_0_3", gettext_lazy("Aged 0–3")),
]
#: Shading of a share, from red (low) to green (high), in five steps of 20 percentage points.
SHADE_STEPS = 5


def percent(share):
    """A share (0–1) as the whole percentage the page shows, rounding halves up; None stays None.

    coverage.js rounds the same way (Math.floor(x * 100 + 0.5)), so both give the same figure.
    """
    if share is None:
        return None
    return int(math.floor(share * 100 + 0.5))


def shade(pct):
    """The shading step (0 = red … 4 = green) for a displayed percentage, or "none"."""
    if pct is None:
        return "none"
    return str(min(SHADE_STEPS - 1, max(0, pct) * SHADE_STEPS // 100))


def short_grid_name(name):
    """ "第一网格（北京西路–新闸路片区）" -> "第一网格"; "Grid 1 (Beijing West Road …)" -> "Grid 1"."""
    short = re.split(r"\s*[（(]", name, maxsplit=1)[0].strip()
    return short or name


def grouped(number):
    return "" if number is None else f"{number:,}"


def _table(report, grids, std_rows, weight):
    """Rows of the coverage table: one per category of the active standard, grouped by tier."""
    by_key = {}
    for row in report.rows:  # compounds in no grid have grid "", the whole sub-district None
        by_key[(row["grid"], row["category"])] = row
    columns = [grid.code for grid in grids] + [None]
    tiers = []
    for std in std_rows:
        if not tiers or tiers[-1]["minutes"] != std.tier_minutes:
            tiers.append({"minutes": std.tier_minutes, "threshold_m": std.threshold_m, "rows": []})
        cells = []
        for column in columns:
            record = by_key.get((column, std.category.slug))
            cell = {"grid": column or "", "values": []}
            for key, _label in WEIGHT_CHOICES:
                share = record and record[f"{key}_share"]
                pct = percent(share)
                cell["values"].append({
                    "key": key, "pct": pct, "shade": shade(pct),
                    "text": "—" if pct is None else f"{pct}%",
                    "covered": grouped(record[f"{key}_covered"]) if record else "",
                    "total": grouped(record[key]) if record else "",
                })
            cell["current"] = next(v for v in cell["values"] if v["key"] == weight)
            cells.append(cell)
        tiers[-1]["rows"].append({"std": std, "category": std.category, "cells": cells})
    return tiers


def _footnotes(std_rows):
    """The standard's source for each row, numbered once per distinct text."""
    notes, number = [], {}
    for std in std_rows:
        text = std.source + (f" ({std.note})" if std.note else "")
        if text not in number:
            notes.append(text)
            number[text] = len(notes)
        std.footnote = number[text]
        std.footnote_text = text
    return notes


def _gaps(report, category, scope):
    gaps = report.gaps if scope == "all" else [g for g in report.gaps if g["category"] == category]
    # Worst first: nothing reachable at all, then the longest shortfall (as the API orders one category).
    gaps = sorted(gaps, key=lambda g: (g["shortfall_m"] is not None, -(g["shortfall_m"] or 0)))
    return [{**g, "population_text": grouped(g["population"]), "aged_60_plus_text": grouped(g["aged_60_plus"]),
             "aged_0_3_text": grouped(g["aged_0_3"])} for g in gaps]


def _gap_totals(gaps):
    """People living in the compounds listed, each compound counted once."""
    compounds = {g["compound"]: g for g in gaps}
    return {
        "gaps": len(gaps), "compounds": len(compounds),
        **{key: grouped(sum(g[key] or 0 for g in compounds.values())) for key in ("population", "aged_60_plus", "aged_0_3")},
    }


def _nearest(subdistrict):
    """Metres from every compound to each category's nearest facility (None: none reachable)."""
    result = {}
    rows = CompoundAccess.objects.filter(compound__subdistrict=subdistrict).values_list(
        "compound__code", "category__slug", "nearest_m")
    for compound, slug, metres in rows:
        result.setdefault(compound, {})[slug] = None if metres is None else round(metres)
    return result


def _page_config(subdistrict, computed, category, weight, scope, std_rows, grids, at="", report=None):
    # At an hour, the map and charts read the same hour's figures as the tables.
    hour = f"&{urlencode({'at': at})}" if at else ""
    return {
        "lang": get_language() or "zh-hans",
        "computed": computed,
        "category": category,
        "weight": weight,
        "gaps": scope,
        "at": at,
        "api": {
            "coverage": api_url("accessibility/coverage", subdistrict) + hour,
            "gaps": api_url("accessibility/gaps", subdistrict) + hour,
            "grids": api_url("geo/grids.geojson", subdistrict),
            "compounds": api_url("geo/compounds.geojson", subdistrict),
            "network": api_url("geo/network.geojson", subdistrict),
            "boundary": api_url("geo/boundary.geojson", subdistrict),
        },
        "categories": [
            {"slug": s.category.slug, "name": s.category.display_name, "color": s.category.color,
             "tier": s.tier_minutes, "threshold": s.threshold_m}
            for s in std_rows
        ],
        "grids": [{"code": g.code, "name": g.display_name, "short": short_grid_name(g.display_name)} for g in grids],
        "weights": {key: str(label) for key, label in WEIGHT_CHOICES},
        "nearest": (report.nearest_by_compound if at and report is not None and report.nearest_by_compound is not None
                    else _nearest(subdistrict) if subdistrict and computed else {}),
        "strings": {
            "whole": _("Whole sub-district"),
            "share": _("{pct}%"),
            "noResidents": _("no residents counted"),
            "coveredOf": _("{covered} of {total} people"),
            "compound": _("Compound"),
            "service": _("Service"),
            "nearestShort": _("Nearest"),
            "tooFarBy": _("Too far by"),
            "population": _("Residents"),
            "aged60": _("Aged 60+"),
            "aged03": _("Aged 0–3"),
            "nearest": _("Nearest {category}"),
            "metres": _("{m} m"),
            "threshold": _("standard: within {m} m"),
            # {m} is a distance with its unit, such as "120 m".
            "shortBy": _("{m} too far"),
            "underOneMetre": _("under 1 m"),
            "within": _("Within the standard"),
            "unreachable": _("None reachable on foot"),
            "covered": _("Covered"),
            "notCovered": _("Not covered"),
            "chartGrids": _("{category}: share covered in each grid ({weight})"),
            "chartGridsLabel": _("Bar chart. {category}: share covered in each grid ({weight}). {values}. The same figures are in the coverage table."),
            "chartTier": _("{n}-minute tier: share covered in the whole sub-district ({weight})"),
            "chartTierLabel": _("Bar chart. {n}-minute tier: share covered in the whole sub-district ({weight}). {values}. The same figures are in the coverage table."),
            "selectedHint": _("Grids are shaded by the share of people living within {m} m of this service; each dot is a residential compound."),
            "noneReachable": _("none reachable"),
            "gridValue": _("{name}: {value}"),
            "noGaps": _("Every compound has {category} within {m} m."),
            "noGapsAll": _("Every compound has every service within its threshold."),
            "gapSummary": _("{n} compounds lack {category} within {m} m. They are home to {people} people, {aged60} of them aged 60+ and {aged03} aged 0–3."),
            "gapSummaryAll": _("{n} gaps in {compounds} compounds."),
            "loadError": _("The map or charts could not be loaded. The tables on this page are still correct."),
        },
    }


@subdistrict_page
def coverage_page(request, subdistrict):
    """Coverage of the active standard per grid, the plan check, and the gap list, for planners
    (/s/<code>/planning/coverage/)."""
    std_rows = coverage.standard_rows()
    slugs = [s.category.slug for s in std_rows]
    weight = request.GET.get("weight")
    if weight not in coverage.WEIGHTS:
        weight = "population"
    category = request.GET.get("category")
    if category not in slugs:
        category = next((s for s in coverage.PLAN_REQUIREMENTS if s in slugs), slugs[0] if slugs else "")
    scope = "all" if request.GET.get("gaps") == "all" else "category"
    at, departure, at_error = _hour(request.GET.get("at"))

    grids = list(subdistrict.grids.order_by("code")) if subdistrict else []
    report = coverage.report(subdistrict, at=departure) if subdistrict else None
    computed = bool(report and report.computed)
    footnotes = _footnotes(std_rows)
    selected = next((s for s in std_rows if s.category.slug == category), None)
    gaps = _gaps(report, category, scope) if computed else []

    required = {c.slug: c for c in ServiceCategory.objects.filter(slug__in=coverage.PLAN_REQUIREMENTS)}
    plan = []
    for check in (report.plan if report else []):
        plan.append({
            **check, "short_name": short_grid_name(check["grid_name"]),
            "services": [
                {"slug": slug, "name": required[slug].display_name if slug in required else slug, "facilities": names}
                for slug, names in check["services"].items()
            ],
            "missing": [required[s].display_name if s in required else s for s, names in check["services"].items() if not names],
        })

    network = getattr(subdistrict, "network", None) if subdistrict else None
    return render(request, "accessibility/coverage.html", {
        "subdistrict": subdistrict,
        "illustrative": bool(subdistrict and subdistrict.illustrative),
        "data_notice": subdistrict.data_notice if subdistrict else "",
        "network_attribution": network.attribution if network else "",
        "standard": std_rows[0].standard if std_rows else None,
        "computed": computed,
        "has_compounds": bool(subdistrict and Compound.objects.filter(subdistrict=subdistrict).exists()),
        "weight": weight,
        "weights": WEIGHT_CHOICES,
        "category": category,
        "selected": selected,
        "scope": scope,
        "std_rows": std_rows,
        "grids": [{"code": g.code, "name": g.display_name, "short": short_grid_name(g.display_name)} for g in grids],
        "tiers": _table(report, grids, std_rows, weight) if computed else [],
        "footnotes": footnotes,
        "plan": plan,
        "plan_failing": [p for p in plan if not p["met"]],
        "gaps": gaps,
        "gap_totals": _gap_totals(gaps),
        "speeds": {key: int(value) for key, value in SPEED_PROFILES_M_PER_MIN.items()},
        "page_config": _page_config(subdistrict, computed, category, weight, scope, std_rows, grids, at, report),
        "barrier_free": _barrier_free(report) if computed else None,
        "at": at,
        "departure": departure,
        "at_error": at_error,
        # The first note (which hour, only what is open counts) is the page's own translated sentence.
        "hour_notes": (report.hour_notes or [])[1:] if report else [],
    }, status=400 if at_error else 200)


def _hour(text):
    """``(at, departure, error)`` from the page's ``at`` field: the text kept for the form, the
    departure time (None: any hour), and a message when the text is not a time (then any hour)."""
    at = (text or "").strip()
    if not at:
        return "", None, ""
    try:
        return at, parse_departure(at), ""
    except ValueError:
        return "", None, _("Cannot read the time “%(at)s”: give HH:MM (today) or a date and time, "
                           "YYYY-MM-DDTHH:MM. Coverage is shown for any hour.") % {"at": at}


def _barrier_free(report):
    """The barrier-free section: who loses coverage when steps and kerbs count, and what to fix first."""
    if report.at is not None:
        return {"available": False, "at_hour": True}
    if not report.barrier_free:
        return {"available": False}
    losing = [row for row in report.rows if row["grid"] is None
              and (row["aged_60_plus_lost_barrier_free"] or row["aged_0_3_lost_barrier_free"]
                   or row["population_lost_barrier_free"])]
    notes = report.profile_notes or []
    if report.data_unknown:
        # The surface and kerb sentences are shown translated (unknown); the engine's English ones would repeat them.
        said = set(TagAudit.from_dict({**report.data_unknown, "incline_unreadable": 0}).warnings)
        notes = [note for note in notes if note not in said]
    return {"available": True, "rows": losing, "fixes": report.barrier_fixes or [],
            "notes": notes, "unknown": coverage.unknown_lines(report.data_unknown)}

