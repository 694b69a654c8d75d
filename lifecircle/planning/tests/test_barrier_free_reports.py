"""The planning reports (CSV, GeoJSON, PDF) carry the barrier-free walk beside the standard one: who
loses a service within distance when steps and kerbs count, the barriers to fix first, and the
shares of the network whose surface or kerbs the map does not give. A scenario, walked on the
standard network only, says it has no barrier-free figures rather than showing zeros."""
import csv
import io
import json

import pytest
from django.utils import translation
from pypdf import PdfReader

from lifecircle.accessibility.tests.test_walking_profiles import stepped  # noqa: F401  (fixture)
from lifecircle.planning import reports, scenarios

pytestmark = pytest.mark.django_db(transaction=True)


def whole(rows, category):
    return next(r for r in rows if r["grid"] == "ALL" and r["category"] == category)


def test_csv_gives_who_loses_coverage_barrier_free(stepped):  # noqa: F811
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(stepped))))
    meals = whole(rows, "senior_meals")
    # Compound a (380 aged 60+, 20 aged 0-3) has the canteen beside it, but up the steps.
    assert meals["aged_60_plus_lost_barrier_free"] == "380" and meals["aged_0_3_lost_barrier_free"] == "20"
    assert int(meals["aged_60_plus_covered_barrier_free"]) == int(meals["aged_60_plus_covered"]) - 380
    assert whole(rows, "library")["aged_60_plus_lost_barrier_free"] == "0"
    # The mini pack maps no surface: said on every row, not assumed smooth.
    assert {r["barrier_free_surface_unknown_share"] for r in rows} == {"1.0"}


def test_geojson_gives_both_walks_per_compound(stepped):  # noqa: F811
    collection = json.loads(reports.to_geojson(stepped))
    a = next(f["properties"] for f in collection["features"] if f["properties"].get("code") == "a")
    assert a["covered:senior_meals"] is True and a["covered_barrier_free:senior_meals"] is False
    assert a["nearest_m:senior_meals"] < 300 < a["nearest_barrier_free_m:senior_meals"]
    free = collection["barrier_free"]
    assert free["available"] is True and free["fixes"][0]["osm_id"] == 2
    assert free["data_unknown"]["surface_unknown_share"] == 1.0


def test_pdf_lists_losses_fixes_and_unknowns(stepped):  # noqa: F811
    with translation.override("en"):
        reader = PdfReader(io.BytesIO(reports.to_pdf(stepped)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # Per service, for the whole sub-district: residents, aged 60+ and aged 0-3 who lose it.
    assert "Meal assistance for seniors 300 m 1000 380 20" in text
    assert "Compound A Meal assistance for seniors 300 m 214 m 912 m 380 20" in text  # both walks side by side
    assert "Barrier-free: coverage lost to steps and kerbs" in text and "Barrier-free walk" in text
    assert "Fix this first" in text and "Way 2 (steps)" in text
    assert "has no known surface" in text


def test_a_scenario_says_it_has_no_barrier_free_figures(stepped):  # noqa: F811
    scenario = scenarios.create_scenario(stepped, "Plan A")
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(stepped, scenario))))
    assert rows and all(r["aged_60_plus_lost_barrier_free"] == "" for r in rows)
    collection = json.loads(reports.to_geojson(stepped, scenario))
    a = next(f["properties"] for f in collection["features"] if f["properties"].get("code") == "a")
    assert a["covered_barrier_free:senior_meals"] is None and collection["barrier_free"]["available"] is False
    with translation.override("en"):
        reader = PdfReader(io.BytesIO(reports.to_pdf(stepped, scenario)))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "a scenario is walked on the standard network only" in text
