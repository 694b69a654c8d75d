"""The per-grid dashboard figures, and the same figures as reports: CSV, GeoJSON and PDF.

The PDF embeds (a subset of) a freely licensed Chinese font, so it prints and reads the same on
any viewer: WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``, Apache-2.0 or GPL-3 with the font
exception; TrueType outlines, which reportlab can embed — the CFF-based Noto CJK OTFs it cannot).
``PDF_FONT_FILES`` lists where it is looked for; without any, the report falls back to the viewer's
own Adobe CID font (STSong-Light, not embedded) and says so on its first page.
"""
import csv
import io
import json
import logging
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accessibility.coverage import NO_GRID, WEIGHTS, standard_rows
from lifecircle.accounts.access import spreadsheet_safe
from lifecircle.community.templatetags.words import list_words
from lifecircle.directory.models import Facility
from lifecircle.geography import feature_collection, point_feature

from . import usage as usage_data
from .compute import compounds_of
from .coverage import LIVE, barrier_free_summary, coverage_rows, has_barrier_free, nearest_matrix, plan_check
from .models import ScenarioFacility

log = logging.getLogger(__name__)
PDF_FONT_FILES = [  # (path, index of the face in a TrueType collection)
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
EMBEDDED_FONT = "WenQuanYiMicroHei"

#: Facility use and requests of the row's grid (the same on every category row of one grid).
USAGE_FIELDS = [
    "use_babycare_places", "use_babycare_held", "use_babycare_enrolled", "use_babycare_waiting",
    "use_meals_today", "use_meals_mean_per_day", "use_meals_capacity",
    "use_room_bookings", "use_room_booked_hours", "use_room_open_hours", "use_event_registrations",
    "use_event_places", "use_day_care_taken", "use_day_care_capacity", "use_day_care_present",
    "requests_opened", "requests_closed", "requests_still_open", "requests_closed_in_period",
    "requests_acknowledge_median_hours", "requests_acknowledge_mean_hours", "requests_close_median_hours",
    "requests_close_mean_hours", "use_from", "use_to",
]
#: Barrier-free (no steps without a ramp, no raised kerbs, steep or rough ways): covered, and lost against the
#: standard walk, per weight; and, repeated on every row, the shares of the network whose surface or kerbs the
#: map does not give (counted as passable). Empty where the results hold no barrier-free walk (a scenario).
BARRIER_FREE_FIELDS = [f"{key}{suffix}" for key in WEIGHTS for suffix in ("_covered_barrier_free",
                                                                          "_lost_barrier_free")] + [
    "barrier_free_surface_unknown_share", "barrier_free_kerb_unknown_share"]
CSV_FIELDS = ["grid", "grid_name", "category", "category_name", "tier_minutes", "threshold_m"] + [
    f"{key}{suffix}" for key in WEIGHTS for suffix in ("", "_covered", "_share", "_not_covered")] + \
    BARRIER_FREE_FIELDS + USAGE_FIELDS


def state_name(state):
    return _("Live directory") if state == LIVE else state.name


def facilities_of(subdistrict, state):
    if state == LIVE:
        rows = Facility.objects.filter(subdistrict=subdistrict)
    else:
        rows = ScenarioFacility.objects.filter(scenario=state)
    return list(rows.select_related("category", "grid").prefetch_related("services").order_by("category__slug", "code"))


def dashboard(subdistrict, state=LIVE, today=None):
    """Per grid (and the whole sub-district last): coverage by tier and category, people not
    covered in each group, the plan check, the facilities inside the grid, and (of the live
    services, whatever the state) facility use and requests (``planning.usage``) up to ``today``."""
    rows, computed = coverage_rows(subdistrict, state)
    use = usage_data.usage(subdistrict, today)
    use_by_grid = {g["grid"]: g for g in use["grids"]}
    plan = {p["grid"]: p for p in plan_check(subdistrict, state)}
    facilities = facilities_of(subdistrict, state)
    grids = [(g.code, g.display_name) for g in subdistrict.grids.order_by("code")]
    if any(r["grid"] == NO_GRID for r in rows):
        grids.append((NO_GRID, _("Outside every grid")))
    grids.append((None, _("Whole sub-district")))
    cards = []
    for code, name in grids:
        mine = sorted((r for r in rows if r["grid"] == code), key=lambda r: (r["tier_minutes"], r["category"]))
        for r in mine:
            for key in WEIGHTS:
                r[f"{key}_not_covered"] = r[key] - r[f"{key}_covered"]
        tiers = []
        for r in mine:
            if not tiers or tiers[-1]["minutes"] != r["tier_minutes"]:
                tiers.append({"minutes": r["tier_minutes"], "rows": []})
            tiers[-1]["rows"].append(r)
        first = mine[0] if mine else {}
        inside = [f for f in facilities if code is None or (f.grid_id is None if code == NO_GRID
                                                            else f.grid_id is not None and f.grid.code == code)]
        cards.append({
            "grid": code, "grid_name": name, "tiers": tiers,
            "population": first.get("population", 0), "aged_60_plus": first.get("aged_60_plus", 0),
            "aged_0_3": first.get("aged_0_3", 0), "plan": plan.get(code),
            "facilities": [{"code": f.code, "name": f.display_name, "category": f.category.display_name,
                            "capacity": f.capacity, "active": f.active} for f in inside],
            "capacity_by_category": _capacity_by_category(inside),
            "usage": use_by_grid.get(code), "usage_lines": usage_lines(use_by_grid.get(code), use),
        })
    return {"cards": cards, "computed": computed, "rows": rows, "usage": use}


def _of(taken, capacity, share):
    if not capacity:
        return str(taken)
    return f"{taken} / {capacity} ({_percent(share)})"


def _hours_pair(median, mean):
    return "—" if median is None else f"{median} / {mean}"


def usage_lines(grid, data):
    """The grid's facility use and requests as (label, value) lines of text, for the page and the PDF."""
    if grid is None:
        return []
    baby, meals, rooms, day, req = grid["babycare"], grid["meals"], grid["bookings"], grid["day_care"], grid["requests"]
    return [
        (_("Baby care: places held (offered or taken) / places"), _of(baby["held"], baby["places"], baby["share"])),
        (_("Baby care: children with a place today · offers open · waiting"),
         f"{baby['enrolled']} · {baby['offered']} · {baby['waiting']}"),
        (_("Meals ordered today / meals a day"), _of(meals["today"], meals["capacity"], meals["share"])),
        (_("Meals a day, mean of the %(n)d days before") % {"n": data["meal_days"]}, str(meals["average"])),
        (_("Room bookings: confirmed · hours booked / hours open"),
         f"{rooms['bookings']} · {_of(rooms['booked_hours'], rooms['open_hours'], rooms['share'])}"),
        (_("Events: registrations / places"),
         _of(rooms["registrations"], rooms["event_places"], rooms["event_share"])),
        (_("Day care today: places taken / places · present"),
         f"{_of(day['taken'], day['capacity'], day['share'])} · {day['present']}"),
        (_("Requests opened · closed · still open"), f"{req['requests']} · {req['closed']} · {req['open']}"),
        (_("Requests closed in the period (whenever opened)"), str(req["closed_in_period"])),
        (_("Hours to acknowledge (median / mean)"),
         _hours_pair(req["acknowledge_median_hours"], req["acknowledge_mean_hours"])),
        (_("Hours to close (median / mean)"), _hours_pair(req["close_median_hours"], req["close_mean_hours"])),
    ]


def usage_period(data):
    return _("Facility use and requests: %(start)s – %(end)s (live services)") % {
        "start": data["start"].isoformat(), "end": data["end"].isoformat()}


def facility_tables(data):
    """The per-facility figures as tables of text: ``[{"key", "title", "header", "rows"}]``."""
    f = data["facilities"]
    return [
        {"key": "babycare", "title": _("Baby care centres"),
         "header": [_("Centre"), _("Grid"), _("Held / places"), _("With a place today"), _("Offers open"),
                    _("Waiting")],
         "rows": [[r["name"], r["grid"] or "—", _of(r["held"], r["places"], r["share"]), r["enrolled"], r["offered"],
                   r["waiting"]] for r in f["babycare"]]},
        {"key": "meals", "title": _("Meal points"),
         "header": [_("Facility"), _("Grid"), _("Today / meals a day"),
                    _("Mean of the %(n)d days before") % {"n": data["meal_days"]}],
         "rows": [[r["name"], r["grid"] or "—", _of(r["today"], r["capacity"], r["share"]), r["average"]]
                  for r in f["meals"]]},
        {"key": "bookings", "title": _("Rooms and events"),
         "header": [_("Facility"), _("Grid"), _("Bookable rooms"), _("Bookings"), _("Hours booked / open"),
                    _("Events"), _("Registrations / places")],
         "rows": [[r["name"], r["grid"] or "—", r["rooms"], r["bookings"],
                   _of(r["booked_hours"], r["open_hours"], r["share"]), r["events"],
                   _of(r["registrations"], r["event_places"], r["event_share"])] for r in f["bookings"]]},
        {"key": "care", "title": _("Senior care places today"),
         "header": [_("Facility"), _("Grid"), _("Places"), _("Taken / places"), _("Present")],
         "rows": [[r["name"], r["grid"] or "—", r["label"], _of(r["taken"], r["capacity"], r["share"]), r["present"]]
                  for r in f["care"]]},
        {"key": "requests", "title": _("Requests"),
         "header": [_("Grid"), _("Opened"), _("Closed"), _("Still open"), _("Closed in the period"),
                    _("Hours to acknowledge (median / mean)"), _("Hours to close (median / mean)")],
         "rows": [[r["name"], r["requests"], r["closed"], r["open"], r["closed_in_period"],
                   _hours_pair(r["acknowledge_median_hours"], r["acknowledge_mean_hours"]),
                   _hours_pair(r["close_median_hours"], r["close_mean_hours"])] for r in data["requests"]]},
    ]


def usage_columns(grid, data):
    """The USAGE_FIELDS of one grid's (or the whole sub-district's) figures."""
    baby, meals, rooms, day, req = grid["babycare"], grid["meals"], grid["bookings"], grid["day_care"], grid["requests"]
    return {
        "use_babycare_places": baby["places"], "use_babycare_held": baby["held"],
        "use_babycare_enrolled": baby["enrolled"], "use_babycare_waiting": baby["waiting"],
        "use_meals_today": meals["today"], "use_meals_mean_per_day": meals["average"],
        "use_meals_capacity": meals["capacity"], "use_room_bookings": rooms["bookings"],
        "use_room_booked_hours": rooms["booked_hours"], "use_room_open_hours": rooms["open_hours"],
        "use_event_registrations": rooms["registrations"], "use_event_places": rooms["event_places"],
        "use_day_care_taken": day["taken"], "use_day_care_capacity": day["capacity"],
        "use_day_care_present": day["present"], "requests_opened": req["requests"], "requests_closed": req["closed"],
        "requests_still_open": req["open"], "requests_closed_in_period": req["closed_in_period"],
        "requests_acknowledge_median_hours": req["acknowledge_median_hours"],
        "requests_acknowledge_mean_hours": req["acknowledge_mean_hours"],
        "requests_close_median_hours": req["close_median_hours"],
        "requests_close_mean_hours": req["close_mean_hours"],
        "use_from": data["start"].isoformat(), "use_to": data["end"].isoformat(),
    }


def _capacity_by_category(facilities):
    totals = {}
    for f in facilities:
        if f.active and f.capacity:
            name = f.category.display_name
            totals[name] = totals.get(name, 0) + f.capacity
    return sorted(totals.items())


def to_csv(subdistrict, state=LIVE, today=None):
    """One row per grid and category (compounds in no grid as grid "NO_GRID", the whole
    sub-district as grid "ALL"), with the grid's facility use and requests repeated on each of its
    rows."""
    data = dashboard(subdistrict, state, today)
    use = data["usage"]
    by_grid = {g["grid"]: usage_columns(g, use) for g in use["grids"]}
    unknown = barrier_free_summary(subdistrict, state)["unknown"] or {}
    network = {"barrier_free_surface_unknown_share": unknown.get("surface_unknown_share"),
               # No crossings at all: nothing is unknown about their kerbs, and no share to give.
               "barrier_free_kerb_unknown_share": unknown.get("kerb_unknown_share") if unknown.get("crossings")
               else None}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in data["rows"]:
        cells = {**row, **by_grid.get(row["grid"], {}), **network,
                 "grid": "ALL" if row["grid"] is None else row["grid"] or "NO_GRID"}
        writer.writerow({key: spreadsheet_safe(value) for key, value in cells.items()})
    return out.getvalue()


def _json_usage(use):
    return {"start": use["start"].isoformat(), "end": use["end"].isoformat(), "window_days": use["window_days"],
            "meal_days": use["meal_days"], "grids": use["grids"], "requests": use["requests"]}


def to_geojson(subdistrict, state=LIVE, today=None):
    """Compounds (with each category's nearest distance and coverage) and facilities as points; the
    live facilities carry their use (``usage``), and the collection the per-grid use and requests."""
    use = usage_data.usage(subdistrict, today)
    by_code = usage_data.facility_index(use) if state == LIVE else {}
    std = standard_rows()
    slugs = [r.category.slug for r in std]
    compounds = compounds_of(subdistrict)
    nearest, _computed = nearest_matrix(state, compounds, slugs)
    # Barrier-free beside the standard walk (null throughout where the results do not hold it).
    free = nearest_matrix(state, compounds, slugs, "nearest_barrier_free_m")[0] if has_barrier_free(
        subdistrict, state) else None
    features = []
    for i, c in enumerate(compounds):
        props = {"kind": "compound", "code": c.code, "name": c.name, "name_en": c.name_en,
                 "grid": c.grid.code if c.grid else None, "population": c.population, "aged_60_plus": c.aged_60_plus,
                 "aged_0_3": c.aged_0_3}
        for j, row in enumerate(std):
            metres = nearest[i, j]
            props[f"nearest_m:{row.category.slug}"] = None if not np.isfinite(metres) else round(float(metres), 1)
            props[f"covered:{row.category.slug}"] = bool(np.isfinite(metres) and metres <= row.threshold_m)
            walked = np.nan if free is None else free[i, j]
            props[f"nearest_barrier_free_m:{row.category.slug}"] = (
                None if not np.isfinite(walked) else round(float(walked), 1))
            props[f"covered_barrier_free:{row.category.slug}"] = (
                None if free is None or np.isnan(walked) else bool(np.isfinite(walked) and walked <= row.threshold_m))
        features.append(point_feature(c.lon, c.lat, props))
    for f in facilities_of(subdistrict, state):
        features.append(point_feature(f.lon, f.lat, {
            "kind": "facility", "code": f.code, "name": f.name, "category": f.category.slug,
            "services": [s.slug for s in f.services.all() if s.pk != f.category_id],
            "grid": f.grid.code if f.grid else None, "capacity": f.capacity, "active": f.active,
            **({"usage": by_code[f.code]} if f.code in by_code else {})}))
    summary = barrier_free_summary(subdistrict, state)
    barrier_free = {"available": summary["available"], "data_unknown": summary["unknown"],
                    "fixes": summary["fixes"]}
    return json.dumps(feature_collection(features, state=state if state == LIVE else state.pk,
                                         state_name=state_name(state), subdistrict=subdistrict.code,
                                         usage=_json_usage(use), barrier_free=barrier_free),
                      ensure_ascii=False, default=str)


def to_pdf(subdistrict, state=LIVE, today=None):
    """A printable report: per grid, coverage by tier and category, people not covered, plan check,
    facility use and requests; then the use of each facility."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, embedded = pdf_font()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = font
    def text(value, style="Normal"):
        # A Paragraph reads its text as markup: escaped, so a name such as '<img src="/etc/passwd">'
        # is printed as written instead of pulling a file into the report (or failing it).
        # The built-in CJK font has no middle dot; a full-width semicolon reads the same in a line.
        return Paragraph(escape(str(value).replace(" · ", "；").replace("·", "；")), styles[style])

    data = dashboard(subdistrict, state, today)
    category_names = {r.category.slug: r.category.display_name for r in standard_rows()}
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=_("Planning report"))
    story = [
        text(_("Planning report: %(place)s") % {"place": subdistrict.display_name}, "Title"),
        text(_("State: %(state)s · produced %(when)s") % {
            "state": state_name(state), "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
    ]
    if not embedded:
        story.append(text(_("The Chinese font is not embedded in this file (install the Debian package "
                            "fonts-wqy-microhei on the server); some viewers may show blank characters.")))
    if subdistrict.illustrative:
        story.append(text(_("Illustrative data: positions and figures are approximations, not survey data.")))
    if not data["computed"]:
        story.append(text(_("No walking results have been computed yet.")))
    header = [text(h, "BodyText") for h in (_("Tier"), _("Service"), _("Threshold"), _("Residents covered"),
                                            _("Aged 60+ covered"), _("Aged 0–3 covered"), _("Not covered (60+ / 0–3)"))]
    for card in data["cards"]:
        story += [Spacer(1, 6 * mm), text(card["grid_name"], "Heading2"),
                  text(_("Residents %(p)s · aged 60+ %(o)s · aged 0–3 %(c)s") % {
                      "p": card["population"], "o": card["aged_60_plus"], "c": card["aged_0_3"]})]
        if card["plan"]:
            missing = [category_names.get(slug, slug) for slug, names in card["plan"]["services"].items() if not names]
            story.append(text(_("Plan check: met") if card["plan"]["met"] else
                              _("Plan check: missing %(what)s") % {"what": list_words(missing)}))
        table = [header]
        for tier in card["tiers"]:
            for r in tier["rows"]:
                table.append([
                    _("%(n)d min") % {"n": r["tier_minutes"]}, text(r["category_name"], "BodyText"),
                    f"{r['threshold_m']} m", _percent(r["population_share"]), _percent(r["aged_60_plus_share"]),
                    _percent(r["aged_0_3_share"]),
                    f"{r['population_not_covered']} ({r['aged_60_plus_not_covered']} / {r['aged_0_3_not_covered']})"])
        grid_table = Table(table, repeatRows=1, colWidths=[14 * mm, 50 * mm, 20 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm])
        grid_table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e6e4")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(grid_table)
        if card["usage_lines"]:
            story += [Spacer(1, 3 * mm), text(usage_period(data["usage"]), "Heading4")]
            use_table = Table([[text(label, "BodyText"), text(value, "BodyText")] for label, value in card["usage_lines"]],
                              colWidths=[100 * mm, 80 * mm])
            use_table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8),
                                           ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
            story.append(use_table)
    gaps = gap_list(subdistrict, state)
    story += [Spacer(1, 6 * mm), text(_("Gaps: residential compounds beyond the walking distance"), "Heading2")]
    if gaps:
        cells = [[text(h, "BodyText") for h in (_("Grid"), _("Compound"), _("Service"), _("Nearest walk"),
                                                 _("Beyond the distance by"), _("Residents"))]]
        cells += [[text(g["grid_name"], "BodyText"), text(g["compound_name"], "BodyText"),
                   text(g["category_name"], "BodyText"),
                   _("none reachable") if g["distance_m"] is None else f"{g['distance_m']} m",
                   "—" if g["shortfall_m"] is None else f"{g['shortfall_m']} m", g["population"]] for g in gaps]
        gap_table = Table(cells, repeatRows=1, colWidths=[26 * mm, 40 * mm, 44 * mm, 24 * mm, 26 * mm, 20 * mm])
        gap_table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e6e4")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(gap_table)
    else:
        story.append(text(_("None: every compound has every service within its walking distance.") if data["computed"]
                          else _("No walking results have been computed yet.")))
    story += _pdf_barrier_free(subdistrict, state, text, font, data["rows"])
    story += [Spacer(1, 6 * mm), text(usage_period(data["usage"]), "Heading2")]
    for table in facility_tables(data["usage"]):
        story += [Spacer(1, 3 * mm), text(table["title"], "Heading3")]
        if not table["rows"]:
            story.append(text(_("None.")))
            continue
        cells = [[text(h, "BodyText") for h in table["header"]]] + [
            [text(value, "BodyText") for value in row] for row in table["rows"]]
        facility_table = Table(cells, repeatRows=1)
        facility_table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), font, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e6e4")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(facility_table)
    doc.build(story)
    return buffer.getvalue()


def _pdf_barrier_free(subdistrict, state, text, font, rows):
    """The PDF's barrier-free section: per service, how many residents (aged 60+, 0–3) lose it within
    distance when steps and kerbs count; the compounds, both walks side by side; the barriers to fix
    first; and what the map data does not say. ``rows``: the coverage rows of :func:`dashboard`."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    summary = barrier_free_summary(subdistrict, state)
    story = [Spacer(1, 6 * mm), text(_("Barrier-free: coverage lost to steps and kerbs"), "Heading2")]
    if not summary["available"]:
        story.append(text(_("No barrier-free figures: a scenario is walked on the standard network only.")
                          if state != LIVE else
                          _("No barrier-free figures: the results were computed on a network saved before "
                            "walking profiles existed.")))
        return story
    style = TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e6e4")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    story.append(text(_("Walking with a wheelchair or a pram: no steps without a ramp, no raised kerbs, no steep "
                        "slopes or rough surfaces. Residents covered on foot but not barrier-free, for the whole "
                        "sub-district:")))
    losing = [r for r in rows if r["grid"] is None and r["population_lost_barrier_free"] is not None
              and (r["population_lost_barrier_free"] or r["aged_60_plus_lost_barrier_free"]
                   or r["aged_0_3_lost_barrier_free"])]
    if losing:
        cells = [[text(h, "BodyText") for h in (_("Service"), _("Threshold"), _("Residents who lose it"),
                                                 _("Aged 60+"), _("Aged 0–3"))]]
        cells += [[text(r["category_name"], "BodyText"), f"{r['threshold_m']} m", r["population_lost_barrier_free"],
                   r["aged_60_plus_lost_barrier_free"], r["aged_0_3_lost_barrier_free"]] for r in losing]
        table = Table(cells, repeatRows=1, colWidths=[60 * mm, 24 * mm, 36 * mm, 30 * mm, 30 * mm])
        table.setStyle(style)
        story += [table, Spacer(1, 3 * mm)]
    if summary["losses"]:
        story.append(text(_("Compounds that have a service within its distance on foot, but not barrier-free:")))
        cells = [[text(h, "BodyText") for h in (_("Compound"), _("Service"), _("Threshold"), _("Walk"),
                                                 _("Barrier-free walk"), _("Aged 60+"), _("Aged 0–3"))]]
        cells += [[text(g["compound_name"], "BodyText"), text(g["category_name"], "BodyText"),
                   f"{g['threshold_m']} m", f"{g['nearest_m']} m",
                   _("none reachable") if g["nearest_barrier_free_m"] is None else f"{g['nearest_barrier_free_m']} m",
                   g["aged_60_plus"], g["aged_0_3"]] for g in summary["losses"]]
        table = Table(cells, repeatRows=1, colWidths=[30 * mm, 38 * mm, 22 * mm, 20 * mm, 30 * mm, 20 * mm, 20 * mm])
        table.setStyle(style)
        story.append(table)
    else:
        story.append(text(_("Nobody loses a service within its distance when steps and kerbs count.")))
    if summary["fixes"]:
        story += [Spacer(1, 3 * mm), text(_("Fix this first"), "Heading3"),
                  text(_("Each barrier alone, ramped or lowered: the residents aged 60+ and 0–3 who would have "
                         "their services back within distance."))]
        cells = [[text(h, "BodyText") for h in (_("Rank"), _("Barrier"), _("Where"), _("Compounds"),
                                                 _("Aged 60+"), _("Aged 0–3"))]]
        for fix in summary["fixes"]:
            what = (_("Way %(id)s (%(hw)s)") % {"id": fix["osm_id"], "hw": fix["highway"]} if fix["kind"] == "way"
                    else _("Kerb or barrier at node %(id)s") % {"id": fix["osm_id"]})
            cells.append([fix["rank"], text(what, "BodyText"), f"{fix['lat']:.5f}, {fix['lon']:.5f}",
                          text(", ".join(fix["compounds"]), "BodyText"), fix["aged_60_plus"], fix["aged_0_3"]])
        table = Table(cells, repeatRows=1, colWidths=[14 * mm, 48 * mm, 34 * mm, 44 * mm, 20 * mm, 20 * mm])
        table.setStyle(style)
        story.append(table)
    if summary["unknown_lines"]:
        story += [Spacer(1, 3 * mm), text(_("What the map data does not say"), "Heading3")]
        story += [text(line) for line in summary["unknown_lines"]]
    return story


def pdf_font():
    """(registered font name, whether it is embedded): the first TrueType CJK font of
    ``PDF_FONT_FILES`` that exists, embedded as a subset; else the viewer's STSong-Light."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if EMBEDDED_FONT in pdfmetrics.getRegisteredFontNames():
        return EMBEDDED_FONT, True
    for path, index in PDF_FONT_FILES:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=index))
            return EMBEDDED_FONT, True
    log.warning("no CJK TrueType font found (%s): the PDF report does not embed its Chinese font",
                ", ".join(path for path, _index in PDF_FONT_FILES))
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", False


def gap_list(subdistrict, state=LIVE):
    """Each (compound, service) whose nearest facility is beyond the standard's walking distance,
    by grid, the largest shortfall first (none reachable counts as the largest)."""
    rows_std = standard_rows()
    compounds = compounds_of(subdistrict)
    nearest, _found = nearest_matrix(state, compounds, [r.category.slug for r in rows_std])
    gaps = []
    for i, compound in enumerate(compounds):
        for j, std in enumerate(rows_std):
            metres = nearest[i, j]
            if np.isnan(metres) or metres <= std.threshold_m:
                continue
            reachable = bool(np.isfinite(metres))
            gaps.append({
                "grid_name": compound.grid.display_name if compound.grid else _("Outside every grid"),
                "compound_name": compound.display_name, "category_name": std.category.display_name,
                "distance_m": round(float(metres)) if reachable else None,
                "shortfall_m": round(float(metres) - std.threshold_m) if reachable else None,
                "population": compound.population or 0,
            })
    gaps.sort(key=lambda g: (g["grid_name"], g["shortfall_m"] is not None, -(g["shortfall_m"] or 0)))
    return gaps


def _percent(share):
    return "—" if share is None else f"{share * 100:.0f}%"
