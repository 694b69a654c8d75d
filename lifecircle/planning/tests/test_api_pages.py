"""The planning API and pages: planners only, every change reflected at once, reports."""
import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from lifecircle.accessibility.compute import compute
from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff, make_user
from lifecircle.community.models import Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.planning import scenarios
from lifecircle.planning.models import Scenario, ScenarioChange, ScenarioFacility

pytestmark = pytest.mark.django_db
NEAR_B = (121.4482, 31.2338)


@pytest.fixture
def mini():
    subdistrict = load_pack(MINI)
    compute(subdistrict)
    return subdistrict


@pytest.fixture
def planner(mini):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # messages are checked in English
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, mini))
    return client


@pytest.fixture
def scenario(mini):
    return scenarios.create_scenario(mini, "Plan A")


def test_only_planners_may_use_the_api(mini, scenario):
    anonymous = Client()
    assert anonymous.get("/api/planning/scenarios").status_code == 401
    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(make_staff(StaffRole.Role.GRID_WORKER, mini, grid=Grid.objects.get(code="east")))
    response = worker.get("/api/planning/scenarios")
    assert response.status_code == 403 and "Only planners" in response.json()["detail"]
    assert worker.patch(f"/api/planning/scenarios/{scenario.pk}/facilities/canteen", {"active": False},
                        content_type="application/json").status_code == 403
    assert ScenarioFacility.objects.get(scenario=scenario, code="canteen").active
    # Staff given the planning permission are planners too.
    user = make_user(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_scenario", content_type__app_label="planning"))
    granted = Client()
    granted.force_login(user)
    assert granted.get("/api/planning/scenarios").status_code == 200
    # ... but not without staff status.
    plain = make_user()
    plain.user_permissions.add(Permission.objects.get(codename="change_scenario", content_type__app_label="planning"))
    other = Client()
    other.force_login(plain)
    assert other.get("/api/planning/scenarios").status_code == 403


def test_api_changes_need_a_csrf_token(mini, scenario):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, mini))
    response = client.post("/api/planning/scenarios", {"name": "B"}, content_type="application/json")
    assert response.status_code == 403 and not Scenario.objects.filter(name="B").exists()


def test_scenario_lifecycle_through_the_api(planner, mini):
    created = planner.post("/api/planning/scenarios", {"name": "东区补食堂", "description": "try"},
                           content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    sid = body["id"]
    assert {f["code"] for f in body["facility_list"]} == {"canteen", "babycare", "center"}
    assert planner.post("/api/planning/scenarios", {"name": "东区补食堂"},
                        content_type="application/json").json()["detail"].endswith("already exists.")

    added = planner.post(f"/api/planning/scenarios/{sid}/facilities",
                         {"category": "senior_meals", "lon": NEAR_B[0], "lat": NEAR_B[1], "name": "新食堂", "capacity": 50},
                         content_type="application/json")
    assert added.status_code == 201
    result = added.json()
    assert result["change"]["categories"] == ["senior_meals"] and result["change"]["seconds"] < 1
    east = next(r for r in result["coverage"] if r["grid"] == "east")
    assert east["category"] == "senior_meals" and east["population_share"] > 0
    assert result["facility"]["grid"] == "east" and result["facility"]["origin"] == "added"

    moved = planner.patch(f"/api/planning/scenarios/{sid}/facilities/babycare", {"lon": 121.4420, "lat": 31.2322},
                          content_type="application/json").json()
    assert moved["change"]["action"] == "move" and moved["facility"]["grid"] == "west"
    closed = planner.patch(f"/api/planning/scenarios/{sid}/facilities/babycare", {"active": False},
                           content_type="application/json").json()
    assert closed["change"]["action"] == "close"
    assert all(r["population_share"] in (0.0, None) for r in closed["coverage"])
    resized = planner.patch(f"/api/planning/scenarios/{sid}/facilities/babycare", {"capacity": None},
                            content_type="application/json").json()
    assert resized["change"]["action"] == "resize" and resized["facility"]["capacity"] is None
    bad = planner.patch(f"/api/planning/scenarios/{sid}/facilities/babycare", {"lon": 121.46, "lat": 31.233},
                        content_type="application/json")
    assert bad.status_code == 400 and "walkable street" in bad.json()["detail"]

    cov = planner.get(f"/api/planning/scenarios/{sid}/coverage?category=senior_meals").json()
    assert cov["computed"] and {r["grid"] for r in cov["rows"]} == {"west", "east", None}
    compounds = planner.get(f"/api/planning/scenarios/{sid}/compounds?category=senior_meals").json()
    assert {c["compound"]: c["covered"] for c in compounds}["b"] is True
    compare = planner.get(f"/api/planning/compare?a=live&b={sid}&category=senior_meals").json()
    assert any(c["compound"] == "b" and c["gained"] for c in compare["changed"])
    assert planner.get("/api/planning/compare?a=live&b=999").status_code == 404
    changes = planner.get(f"/api/planning/scenarios/{sid}/changes").json()
    assert [c["action"] for c in changes] == ["resize", "close", "move", "add", "create"]
    assert Facility.objects.get(code="babycare").active  # live untouched

    assert planner.delete(f"/api/planning/scenarios/{sid}").status_code == 204
    assert not Scenario.objects.filter(pk=sid).exists()


def test_siting_api(planner, mini, scenario):
    response = planner.post("/api/planning/siting", {"category": "senior_meals", "model": "mclp", "k": 1,
                                                      "time_limit_s": 10}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "optimal" and body["gap"] == 0 and body["objective"] == 1300
    assert len(body["sites"]) == 1 and body["bound"] == pytest.approx(1300)
    added = planner.post(f"/api/planning/scenarios/{scenario.pk}/sites",
                         {"category": "senior_meals", "sites": [{"lon": body["sites"][0]["lon"], "lat": body["sites"][0]["lat"]}]},
                         content_type="application/json")
    assert added.status_code == 201 and added.json()["change"]["action"] == "site"
    too_many = planner.post("/api/planning/siting", {"category": "senior_meals", "model": "pmedian", "k": 2,
                                                      "points": [{"lon": 121.4425, "lat": 31.2326}]},
                            content_type="application/json")
    assert too_many.status_code == 400 and "cannot be chosen from 1 candidate" in too_many.json()["detail"]


def test_openapi_lists_the_planning_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    # Planning's schemas have names of their own: none replaces another app's (FacilityOut, CoverageOut).
    components = schema["components"]["schemas"]
    assert "open_now" in components["FacilityOut"]["properties"]
    assert "plan" in components["CoverageOut"]["properties"] and "subdistrict" in components["CoverageOut"]["properties"]
    assert "origin" in components["ScenarioFacilityOut"]["properties"]
    for path in ("/api/planning/scenarios", "/api/planning/scenarios/{scenario_id}/facilities",
                 "/api/planning/scenarios/{scenario_id}/facilities/{code}", "/api/planning/compare",
                 "/api/planning/siting", "/api/planning/scenarios/{scenario_id}/coverage"):
        assert path in paths


PAGES = ["/s/mini/planning/scenarios/", "/s/mini/planning/siting/", "/s/mini/planning/compare/", "/s/mini/planning/dashboard/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_for_planners_only(client, mini, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    client.force_login(make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=Facility.objects.get(code="canteen")))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_planners(planner, scenario, url):
    response = planner.get(url)
    assert response.status_code == 200
    assert b'data-testid="planning-nav"' in response.content


def test_pages_in_chinese_and_english(planner, scenario):
    zh = planner.get("/s/mini/planning/scenarios/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "情景" in zh
    planner.cookies["django_language"] = "en"
    en = planner.get("/s/mini/planning/scenarios/").content.decode()
    assert "What-if scenarios" in en


def test_scenario_page_forms_add_close_and_report_errors(planner, scenario):
    url = f"/s/mini/planning/scenarios/{scenario.pk}/"
    page = planner.get(url + "?category=senior_meals")
    assert page.status_code == 200
    config = json.loads(page.content.decode().split('id="planning-config" type="application/json">')[1].split("</script>")[0])
    assert config["category"] == "senior_meals" and {c["compound"] for c in config["compounds"]} == {"a", "b", "c"}
    response = planner.post(url, {"action": "add", "category": "senior_meals", "lon": NEAR_B[0], "lat": NEAR_B[1],
                                  "name": "新食堂", "category_view": "senior_meals"}, follow=True)
    assert "coverage updated in" in response.content.decode() or "覆盖" in response.content.decode()
    assert ScenarioFacility.objects.filter(scenario=scenario, name="新食堂").exists()
    planner.post(url, {"action": "close", "code": "canteen", "category_view": "senior_meals"})
    assert not ScenarioFacility.objects.get(scenario=scenario, code="canteen").active
    count = ScenarioChange.objects.count()
    bad = planner.post(url, {"action": "add", "category": "senior_meals", "lon": "x", "lat": "31.2"}, follow=True)
    assert bad.status_code == 200 and ScenarioChange.objects.count() == count
    assert b'class="ui-message ui-error"' in bad.content


def test_siting_page_runs_and_adds_sites_to_a_scenario(planner, scenario):
    page = planner.post("/s/mini/planning/siting/", {"category": "senior_meals", "model": "mclp", "k": "1",
                                              "candidates": "nodes", "time_limit": "10", "weight": "population"})
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-status="optimal"' in content and 'data-testid="sites"' in content
    sites = page.context["result"]["sites"]
    added = planner.post("/s/mini/planning/siting/", {"action": "add_to_scenario", "target": scenario.pk, "category": "senior_meals",
                                               "sites": json.dumps(sites), "capacity": ""})
    assert added.status_code == 302 and ScenarioFacility.objects.filter(scenario=scenario, origin="sited").count() == 1
    bad = planner.post("/s/mini/planning/siting/", {"category": "senior_meals", "model": "mclp", "k": "1",
                                             "candidates": "points", "points": "121.44 31.23\nnonsense", "time_limit": "10"})
    assert "line 2" in bad.content.decode()


def test_compare_and_dashboard_pages(planner, scenario):
    scenarios.add_facility(scenario, None, category="senior_meals", lon=NEAR_B[0], lat=NEAR_B[1])
    page = planner.get(f"/s/mini/planning/compare/?a=live&b={scenario.pk}")
    content = page.content.decode()
    assert page.status_code == 200 and 'data-category="senior_meals"' in content
    meals = next(r for t in page.context["tiers"] for r in t["rows"] if r["category"] == "senior_meals")
    assert meals["share_a"] == 43 and meals["share_b"] > 43 and meals["gained"] > 0
    dash = planner.get(f"/s/mini/planning/dashboard/?state={scenario.pk}")
    cards = {c["grid"]: c for c in dash.context["cards"]}
    assert set(cards) == {"west", "east", None}
    east_meals = next(r for t in cards["east"]["tiers"] for r in t["rows"] if r["category"] == "senior_meals")
    assert east_meals["population_not_covered"] == east_meals["population"] - east_meals["population_covered"]
    assert planner.get("/s/mini/planning/dashboard/?state=12345").status_code == 404


def test_reports_download_and_command(planner, scenario, tmp_path):
    pdf = planner.get(f"/s/mini/planning/report/?state={scenario.pk}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    csv_response = planner.get("/s/mini/planning/report/?state=live&format=csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    meals = {r["grid"]: r for r in rows if r["category"] == "senior_meals"}
    assert meals["ALL"]["population"] == "2300" and meals["ALL"]["population_covered"] == "1000"
    assert meals["east"]["population_not_covered"] == "1300"
    geo = json.loads(planner.get(f"/s/mini/planning/report/?state={scenario.pk}&format=geojson").content)
    kinds = [f["properties"]["kind"] for f in geo["features"]]
    assert kinds.count("compound") == 3 and kinds.count("facility") == 3
    a = next(f for f in geo["features"] if f["properties"].get("code") == "a")
    assert a["properties"]["covered:senior_meals"] is True
    assert planner.get("/s/mini/planning/report/?format=xls").status_code == 404

    out = tmp_path / "report.pdf"
    call_command("planning_report", str(out), "--scenario", "Plan A")
    assert out.read_bytes().startswith(b"%PDF")
    call_command("planning_report", str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").read_text().startswith("grid,grid_name,category")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no scenario 'nope'"):
        call_command("planning_report", str(tmp_path / "x.csv"), "--scenario", "nope")


def test_deleting_a_scenario_from_the_page(planner, scenario):
    assert planner.post("/s/mini/planning/scenarios/", {"action": "delete", "scenario": "abc"}).status_code == 404
    response = planner.post("/s/mini/planning/scenarios/", {"action": "delete", "scenario": scenario.pk})
    assert response.status_code == 302 and not Scenario.objects.exists()


def test_the_staff_console_shows_scenarios_but_cannot_bypass_the_recompute(mini, scenario):
    admin = Client()
    admin.force_login(make_user(is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/planning/scenario/{scenario.pk}/change/")
    assert page.status_code == 200 and "canteen" in page.content.decode()
    assert 'name="facilities-0-lon"' not in page.content.decode()  # the facilities are read-only there
    assert admin.get("/admin/planning/scenariochange/add/").status_code == 403


def test_compounds_in_no_grid_never_make_a_second_whole_row(planner, mini, scenario):
    from lifecircle.community.models import Compound

    Compound.objects.filter(code="c").update(grid=None)  # kept with load_pack --keep-outside, say
    compute(mini)
    rows = list(csv.DictReader(io.StringIO(planner.get("/s/mini/planning/report/?state=live&format=csv")
                                           .content.decode("utf-8-sig"))))
    meals = [r for r in rows if r["category"] == "senior_meals"]
    assert [r["grid"] for r in meals].count("ALL") == 1
    by_grid = {r["grid"]: r for r in meals}
    assert set(by_grid) == {"west", "east", "NO_GRID", "ALL"}
    c_population = Compound.objects.get(code="c").population
    assert by_grid["NO_GRID"]["population"] == str(c_population)
    assert by_grid["NO_GRID"]["grid_name"] == "Outside every grid"
    assert by_grid["ALL"]["population"] == "2300"  # everyone, whatever their grid
    dash = planner.get("/s/mini/planning/dashboard/?state=live")
    cards = {c["grid"]: c for c in dash.context["cards"]}
    assert set(cards) == {"west", "east", "", None}
    assert cards[""]["population"] == c_population and cards[None]["population"] == 2300
    content = dash.content.decode()
    assert content.count('data-grid="all"') == 1 and 'data-grid="none"' in content
    page = planner.get(f"/s/mini/planning/scenarios/{scenario.pk}/").content.decode()
    assert page.count('class="pl-total"') == 1 and page.count('data-grid="all"') == 1
    assert 'data-grid="none"' in page and "Outside every grid" in page
