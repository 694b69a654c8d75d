"""Scenarios: copies of the live facilities, incremental results, comparison, siting into a scenario."""
import json

import numpy as np
import pytest
from django.utils import translation

from lifecircle.accessibility.compute import compute
from lifecircle.accessibility.models import CompoundAccess
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.planning import coverage, scenarios, siting
from lifecircle.planning.compute import recompute
from lifecircle.planning.models import Scenario, ScenarioAccess, ScenarioChange, ScenarioFacility

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the site's default language is zh-hans)."""
    with translation.override("en"):
        yield

NEAR_B = (121.4482, 31.2338)  # on the street beside compound b (east grid)


@pytest.fixture
def mini():
    subdistrict = load_pack(MINI)
    compute(subdistrict)  # the live results (in tests on_commit never fires inside the test transaction)
    return subdistrict


@pytest.fixture
def scenario(mini):
    return scenarios.create_scenario(mini, "Plan A")


def nearest(scenario, compound, category):
    return ScenarioAccess.objects.get(scenario=scenario, compound__code=compound, category__slug=category).nearest_m


def live_snapshot():
    return (sorted(Facility.objects.values_list("code", "lon", "lat", "active", "capacity")),
            sorted(CompoundAccess.objects.values_list("compound_id", "category_id", "nearest_m")))


def scenario_snapshot():
    return (sorted(ScenarioFacility.objects.values_list("scenario_id", "code", "lon", "lat", "active", "capacity")),
            ScenarioChange.objects.count(), Scenario.objects.count(),
            sorted(ScenarioAccess.objects.values_list("scenario_id", "compound_id", "category_id", "nearest_m")))


def test_a_new_scenario_copies_every_facility_and_matches_the_live_results(mini, scenario):
    copies = {f.code: f for f in scenario.facilities.all()}
    assert set(copies) == {"canteen", "babycare", "center"}
    canteen = copies["canteen"]
    live = Facility.objects.get(code="canteen")
    assert (canteen.lon, canteen.lat, canteen.capacity, canteen.grid_id, canteen.source_id, canteen.origin) == (
        live.lon, live.lat, 300, live.grid_id, live.pk, "copied")
    assert [c.slug for c in canteen.all_categories()] == ["senior_meals", "senior_day_care"]
    live_rows = {(r.compound_id, r.category_id): r.nearest_m for r in CompoundAccess.objects.all()}
    mine = {(r.compound_id, r.category_id): r.nearest_m for r in ScenarioAccess.objects.filter(scenario=scenario)}
    assert mine.keys() == live_rows.keys()
    for key, metres in live_rows.items():
        assert mine[key] == pytest.approx(metres) if metres is not None else mine[key] is None
    assert scenario.changes.get().action == "create"


def test_adding_a_facility_recomputes_only_its_categories_and_never_touches_live_data(mini, scenario):
    before_live = live_snapshot()
    untouched = {r.pk: r.nearest_m for r in ScenarioAccess.objects.filter(scenario=scenario)
                 .exclude(category__slug="senior_meals")}
    far = nearest(scenario, "b", "senior_meals")
    change = scenarios.add_facility(scenario, None, category="senior_meals", lon=NEAR_B[0], lat=NEAR_B[1],
                                    name="新食堂", capacity=80)
    assert change.action == "add" and change.categories == ["senior_meals"] and change.seconds < 1.0
    assert nearest(scenario, "b", "senior_meals") < 300 < far
    # Other categories' rows were not rewritten (same primary keys, same values).
    assert {r.pk: r.nearest_m for r in ScenarioAccess.objects.filter(scenario=scenario)
            .exclude(category__slug="senior_meals")} == untouched
    added = scenario.facilities.get(code=change.facility_code)
    assert added.grid.code == "east" and added.origin == "added" and added.capacity == 80
    assert live_snapshot() == before_live


def test_move_close_reopen_and_resize(mini, scenario):
    scenarios.change_facility(scenario, None, "babycare", lon=121.4420, lat=31.2322)
    # Beside compound a: 111.2 m + 89.0 m of off-street legs (as the accessibility app measures it).
    assert nearest(scenario, "a", "infant_care") == pytest.approx(200.2, abs=0.5)
    assert scenario.facilities.get(code="babycare").grid.code == "west"
    close = scenarios.change_facility(scenario, None, "babycare", active=False)
    assert close.action == "close" and close.categories == ["infant_care"]
    assert nearest(scenario, "a", "infant_care") is None
    scenarios.change_facility(scenario, None, "babycare", active=True)
    assert nearest(scenario, "a", "infant_care") == pytest.approx(200.2, abs=0.5)
    resize = scenarios.change_facility(scenario, None, "babycare", capacity=45)
    assert resize.action == "resize" and resize.categories == [] and resize.detail == {"from": 20, "to": 45}
    assert scenario.facilities.get(code="babycare").capacity == 45
    assert Facility.objects.get(code="babycare").capacity == 20  # the live facility is untouched


def test_moving_a_closed_facility_recomputes_nothing(mini, scenario):
    scenarios.change_facility(scenario, None, "babycare", active=False)
    move = scenarios.change_facility(scenario, None, "babycare", lon=121.4420, lat=31.2322)
    assert move.categories == [] and nearest(scenario, "a", "infant_care") is None


def test_incremental_results_equal_a_full_recompute(mini, scenario):
    scenarios.add_facility(scenario, None, category="senior_meals", services=["infant_care"], lon=NEAR_B[0], lat=NEAR_B[1])
    scenarios.change_facility(scenario, None, "canteen", lon=121.4470, lat=31.2312)
    scenarios.change_facility(scenario, None, "center", active=False)
    scenarios.change_facility(scenario, None, "babycare", lon=121.4425, lat=31.2326)
    incremental = sorted(ScenarioAccess.objects.filter(scenario=scenario).values_list("compound_id", "category_id", "nearest_m"))
    recompute(scenario)
    full = sorted(ScenarioAccess.objects.filter(scenario=scenario).values_list("compound_id", "category_id", "nearest_m"))
    assert len(incremental) == len(full)
    for (c1, k1, m1), (c2, k2, m2) in zip(incremental, full):
        assert (c1, k1) == (c2, k2) and (m1 == m2 or m1 == pytest.approx(m2))


@pytest.mark.parametrize("call, message", [
    (lambda s: scenarios.add_facility(s, None, category="spa", lon=121.445, lat=31.233), "no service category 'spa'"),
    (lambda s: scenarios.add_facility(s, None, category="senior_meals", lon=121.46, lat=31.233), "from the nearest walkable street"),
    (lambda s: scenarios.add_facility(s, None, category="senior_meals", lon=200, lat=31.233), "longitude 200.0 is out of range"),
    (lambda s: scenarios.add_facility(s, None, category="senior_meals", lon=121.445, lat=31.233, code="canteen"), "already has a facility with code 'canteen'"),
    (lambda s: scenarios.add_facility(s, None, category="senior_meals", lon=121.445, lat=31.233, capacity=-3), "cannot be negative"),
    (lambda s: scenarios.change_facility(s, None, "nope", active=False), "no facility with code 'nope'"),
    (lambda s: scenarios.change_facility(s, None, "canteen", active=False, capacity=3), "one change at a time"),
    (lambda s: scenarios.change_facility(s, None, "canteen", lon=121.445), "both a longitude and a latitude"),
    (lambda s: scenarios.change_facility(s, None, "canteen", active=True), "already open"),
    (lambda s: scenarios.add_sites(s, None, "infant_care", []), "no sites to add"),
    (lambda s: scenarios.add_sites(s, None, "infant_care", [(121.445, 31.233), (121.47, 31.233)]), "from the nearest walkable street"),
])
def test_bad_changes_are_refused_with_a_reason_and_change_nothing(mini, scenario, call, message):
    before = scenario_snapshot()
    with pytest.raises(scenarios.PlanningError, match=message):
        call(scenario)
    assert scenario_snapshot() == before


def test_scenario_names_must_be_given_and_unique(mini, scenario):
    with pytest.raises(scenarios.PlanningError, match="already exists"):
        scenarios.create_scenario(mini, "Plan A")
    with pytest.raises(scenarios.PlanningError, match="Give the scenario a name"):
        scenarios.create_scenario(mini, "  ")
    assert Scenario.objects.count() == 1


def test_compare_live_with_a_scenario_shows_the_difference(mini, scenario):
    scenarios.add_facility(scenario, None, category="senior_meals", lon=NEAR_B[0], lat=NEAR_B[1])
    result = coverage.compare(mini, coverage.LIVE, scenario, category="senior_meals")
    rows = {r["grid"]: r for r in result["rows"]}
    assert rows["east"]["population_share_a"] == 0.0 and rows["east"]["population_share_b"] > 0
    assert rows["east"]["population_gained"] == rows["east"]["population_covered_b"] > 0
    assert rows["west"]["population_gained"] == 0
    gained = {c["compound"] for c in result["changed"] if c["gained"]}
    assert "b" in gained and not any(not c["gained"] for c in result["changed"])
    # Same state on both sides: no difference at all.
    same = coverage.compare(mini, scenario, scenario)
    assert same["changed"] == [] and all(r["population_gained"] == 0 for r in same["rows"])


def test_plan_check_follows_the_scenario(mini, scenario):
    assert {p["grid"]: p["met"] for p in coverage.plan_check(mini, scenario)} == {"west": True, "east": False}
    scenarios.add_facility(scenario, None, category="senior_meals", services=["senior_day_care"],
                           lon=NEAR_B[0], lat=NEAR_B[1], name="东区长者之家")
    assert {p["grid"]: p["met"] for p in coverage.plan_check(mini, scenario)} == {"west": True, "east": True}
    scenarios.change_facility(scenario, None, "canteen", active=False)
    assert {p["grid"]: p["met"] for p in coverage.plan_check(mini, scenario)} == {"west": False, "east": True}
    assert {p["grid"]: p["met"] for p in coverage.plan_check(mini)} == {"west": True, "east": False}  # live


def test_siting_then_adding_the_sites_to_a_scenario(mini, scenario):
    result = siting.run(mini, category="senior_meals", model="mclp", k=1, time_limit_s=10)
    assert result["status"] == "optimal" and result["existing"] == ["canteen"]
    # Compound a (1000) is covered by the canteen already; one new site can cover b and c (1300).
    assert result["covered_before"] == 1000 and result["objective"] == 1300 and result["covered_after"] == 2300
    assert len(result["sites"]) == 1
    site = result["sites"][0]
    change = scenarios.add_sites(scenario, None, "senior_meals", [(site["lon"], site["lat"])], capacity=60)
    assert change.action == "site" and change.categories == ["senior_meals"]
    rows = {r["grid"]: r for r in coverage.coverage_rows(mini, scenario, category="senior_meals")[0]}
    assert rows[None]["population_share"] == 1.0
    assert scenario.facilities.get(origin="sited").capacity == 60


def test_siting_uses_the_scenario_facilities_as_existing(mini, scenario):
    scenarios.change_facility(scenario, None, "canteen", active=False)
    result = siting.run(mini, category="senior_meals", model="lscp", scenario=scenario, time_limit_s=10)
    assert result["existing"] == [] and result["covered_before"] == 0
    assert result["status"] == "optimal" and result["covered_after"] == 2300 and result["objective"] == len(result["sites"])


def test_siting_with_given_points_and_p_median(mini):
    points = [(121.4425, 31.2326), (121.4482, 31.2338), (121.4470, 31.2312)]
    result = siting.run(mini, category="infant_care", model="pmedian", k=1, candidates=points, time_limit_s=10,
                        weight="population")
    assert result["status"] == "optimal" and result["candidates"] == 3
    assert result["sites"][0]["index"] in (0, 1, 2) and result["mean_distance_m"] > 0
    capped = siting.run(mini, category="infant_care", model="pmedian", k=1, candidates=points, time_limit_s=10,
                        weight="aged_0_3", capacity=30)
    assert capped["status"] == "optimal" and capped["sites"][0]["load"] <= 30


@pytest.mark.parametrize("kwargs, message", [
    ({"model": "annealing", "k": 1}, "unknown model"),
    ({"model": "mclp", "k": 1, "weight": "cats"}, "unknown weight"),
    ({"model": "mclp"}, r"how many sites to open \(k\)"),
    ({"model": "mclp", "k": 1, "category": "no_such"}, "no walking threshold"),
    ({"model": "mclp", "k": 1, "time_limit_s": 0}, "time limit"),
    ({"model": "mclp", "k": 5, "candidates": [(121.4425, 31.2326)]}, "k = 5 sites cannot be chosen from 1 candidate"),
    ({"model": "mclp", "k": 1, "candidates": []}, "no candidate sites"),
    ({"model": "mclp", "k": 1, "candidates": [(121.4425, 95)]}, "latitude 95.0 is out of range"),
    ({"model": "pmedian", "k": 1, "capacity": 10}, "infeasible: 2300 people must be served"),
])
def test_siting_bad_input(mini, kwargs, message):
    kwargs = {"category": "senior_meals", "time_limit_s": 10, **kwargs}
    with pytest.raises(scenarios.PlanningError, match=message):
        siting.run(mini, **kwargs)


def test_parse_points():
    assert siting.parse_points("121.1, 31.2\n# a note\n\n121.3 31.4\n121.5，31.6") == [(121.1, 31.2), (121.3, 31.4), (121.5, 31.6)]
    with pytest.raises(scenarios.PlanningError, match=r"line 2 \('121.3'\): expected two numbers"):
        siting.parse_points("121.1, 31.2\n121.3")


def test_a_scenario_survives_deleting_its_live_facility(mini, scenario):
    Facility.objects.get(code="center").delete()
    copy = scenario.facilities.get(code="center")
    assert copy.source is None and copy.active  # the scenario keeps its own copy
    json.dumps(coverage.coverage_rows(mini, scenario)[0])  # and still reports
    assert np.isfinite(nearest(scenario, "a", "community_center"))
    assert ServiceCategory.objects.filter(slug="community_center").exists()


def test_siting_candidates_are_the_network_nodes_inside_the_subdistrict(mini):
    # Shrink the boundary to the western half: only the six nodes at lon 121.4405 and 121.4435 are inside.
    mini.boundary = {"type": "Polygon", "coordinates": [[[121.440, 31.230], [121.445, 31.230], [121.445, 31.236],
                                                         [121.440, 31.236], [121.440, 31.230]]]}
    mini.save()
    result = siting.run(mini, category="infant_care", model="lscp", time_limit_s=10)
    assert result["candidates"] == 6 and result["sites"]
    assert all(site["lon"] < 121.445 for site in result["sites"])
