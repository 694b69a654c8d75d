"""The per-grid dashboard figures, and the same figures as reports: CSV, GeoJSON and PDF."""
import csv
import io
import json

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accessibility.coverage import WEIGHTS, standard_rows
from lifecircle.directory.models import Facility
from lifecircle.geography import feature_collection, point_feature

from .compute import compounds_of
from .coverage import LIVE, coverage_rows, nearest_matrix, plan_check
from .models import ScenarioFacility

CSV_FIELDS = ["grid", "grid_name", "category", "category_name", "tier_minutes", "threshold_m"] + [
    f"{key}{suffix}" for key in WEIGHTS for suffix in ("", "_covered", "_share", "_not_covered")]


def state_name(state):
    return _("Live directory") if state == LIVE else state.name


def facilities_of(subdistrict, state):
    if state == LIVE:
        rows = Facility.objects.filter(subdistrict=subdistrict)
    else:
        rows = ScenarioFacility.objects.filter(scenario=state)
    return list(rows.select_related("category", "grid").prefetch_related("services").order_by("category__slug", "code"))


def dashboard(subdistrict, state=LIVE):
    """Per grid (and the whole sub-district last): coverage by tier and category, people not
    covered in each group, the plan check and the facilities inside the grid."""
    rows, computed = coverage_rows(subdistrict, state)
    plan = {p["grid"]: p for p in plan_check(subdistrict, state)}
    facilities = facilities_of(subdistrict, state)
    grids = [(g.code, g.display_name) for g in subdistrict.grids.order_by("code")] + [(None, _("Whole sub-district"))]
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
        inside = [f for f in facilities if code is None or f.grid_id is not None and f.grid.code == code]
        cards.append({
            "grid": code, "grid_name": name, "tiers": tiers,
            "population": first.get("population", 0), "aged_60_plus": first.get("aged_60_plus", 0),
            "aged_0_3": first.get("aged_0_3", 0), "plan": plan.get(code),
            "facilities": [{"code": f.code, "name": f.display_name, "category": f.category.display_name,
                            "capacity": f.capacity, "active": f.active} for f in inside],
            "capacity_by_category": _capacity_by_category(inside),
        })
    return {"cards": cards, "computed": computed, "rows": rows}


def _capacity_by_category(facilities):
    totals = {}
    for f in facilities:
        if f.active and f.capacity:
            name = f.category.display_name
            totals[name] = totals.get(name, 0) + f.capacity
    return sorted(totals.items())


def to_csv(subdistrict, state=LIVE):
    data = dashboard(subdistrict, state)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in data["rows"]:
        writer.writerow({**row, "grid": row["grid"] or "ALL"})
    return out.getvalue()


def to_geojson(subdistrict, state=LIVE):
    """Compounds (with each category's nearest distance and coverage) and facilities as points."""
    std = standard_rows()
    slugs = [r.category.slug for r in std]
    compounds = compounds_of(subdistrict)
    nearest, _computed = nearest_matrix(state, compounds, slugs)
    features = []
    for i, c in enumerate(compounds):
        props = {"kind": "compound", "code": c.code, "name": c.name, "name_en": c.name_en,
                 "grid": c.grid.code if c.grid else None, "population": c.population, "aged_60_plus": c.aged_60_plus,
                 "aged_0_3": c.aged_0_3}
        for j, row in enumerate(std):
            metres = nearest[i, j]
            props[f"nearest_m:{row.category.slug}"] = None if not np.isfinite(metres) else round(float(metres), 1)
            props[f"covered:{row.category.slug}"] = bool(np.isfinite(metres) and metres <= row.threshold_m)
        features.append(point_feature(c.lon, c.lat, props))
    for f in facilities_of(subdistrict, state):
        features.append(point_feature(f.lon, f.lat, {
            "kind": "facility", "code": f.code, "name": f.name, "category": f.category.slug,
            "services": [s.slug for s in f.services.all() if s.pk != f.category_id],
            "grid": f.grid.code if f.grid else None, "capacity": f.capacity, "active": f.active}))
    return json.dumps(feature_collection(features, state=state if state == LIVE else state.pk,
                                         state_name=state_name(state), subdistrict=subdistrict.code),
                      ensure_ascii=False)


def to_pdf(subdistrict, state=LIVE):
    """A printable report: per grid, coverage by tier and category, people not covered, plan check."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"  # a CID font every PDF reader has: Chinese without embedding a file
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = font
    def text(value, style="Normal"):
        # The built-in CJK font has no middle dot; a full-width semicolon reads the same in a line.
        return Paragraph(str(value).replace(" · ", "；").replace("·", "；"), styles[style])

    data = dashboard(subdistrict, state)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=_("Planning report"))
    story = [
        text(_("Planning report: %(place)s") % {"place": subdistrict.display_name}, "Title"),
        text(_("State: %(state)s · produced %(when)s") % {
            "state": state_name(state), "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
    ]
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
            missing = [slug for slug, names in card["plan"]["services"].items() if not names]
            story.append(text(_("Plan check: met") if card["plan"]["met"] else
                              _("Plan check: missing %(what)s") % {"what": ", ".join(missing)}))
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
    doc.build(story)
    return buffer.getvalue()


def _percent(share):
    return "—" if share is None else f"{share * 100:.0f}%"
