"""One installation, two sub-districts: every page and API call is about the sub-district it names,
nothing falls back to the first one loaded, and planners stay in their own sub-district.

The second sub-district (tests/packs/second, about 3.5 km east of the mini pack) reuses the mini
pack's codes on purpose: its grid is "west", a compound is "a" and a facility "canteen".
"""
import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from lifecircle.accessibility.compute import compute
from lifecircle.accessibility.coverage import report
from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.community.models import Grid, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.planning import scenarios
from lifecircle.requests311 import defaults
from lifecircle.requests311.models import Service, ServiceRequest

pytestmark = pytest.mark.django_db
SECOND = Path(MINI).parent / "second"
IN_MINI = (121.4450, 31.2330)  # on the mini pack's middle street
IN_SECOND = (121.4830, 31.2330)  # between two streets of the second pack, 150 m from each


@pytest.fixture
def two():
    mini, second = load_pack(MINI), load_pack(SECOND)
    compute(mini)
    compute(second)
    return mini, second


@pytest.fixture
def english():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def codes(features):
    return sorted(f["properties"]["code"] for f in features)


# ------------------------------------------------------------------------------------------------ pages
def test_the_front_page_is_the_map_with_one_sub_district_and_the_chooser_with_two(
        english, django_capture_on_commit_callbacks):
    mini = load_pack(MINI)
    page = english.get("/")
    assert page.status_code == 200 and 'id="map-config"' in page.content.decode()
    assert "Mini Sub-district 15-minute life circle" in page.content.decode()
    assert page.context["map_config"]["subdistrict"] == mini.code
    with django_capture_on_commit_callbacks(execute=True):  # committed, as manage.py load_pack's is:
        load_pack(SECOND)  # what the workers keep of the sub-districts follows the commit
    page = english.get("/").content.decode()
    assert 'data-testid="chooser"' in page and 'id="map-config"' not in page
    assert page.count('data-testid="chooser-item"') == 2
    assert 'href="/s/mini/"' in page and 'href="/s/second/"' in page
    # Counts: the second pack has 2 facilities, 2 compounds and 1,000 residents.
    second = page[page.index('data-code="second"'):]
    assert "2 facilities" in second and "2 residential compounds" in second and "1000 residents counted" in second
    # Several sub-districts of one district: the site is named after the district, not a sub-district.
    assert "静安区 15-minute life circle" in page and "Mini" not in page.split("<main")[0]


def test_the_chooser_is_kept_whole_until_the_directory_changes(two, english, django_capture_on_commit_callbacks):
    """A city's chooser (200 rows) is rendered once per language and kept until a change."""
    from lifecircle.directory.models import Facility

    first = english.get("/").content.decode()
    assert "2 facilities" in first[first.index('data-code="second"'):]
    assert 'href="/s/second/planning/coverage/"' in english.get("/?next=planning/coverage/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Facility.objects.filter(subdistrict__code="second").first().delete()
    again = english.get("/").content.decode()
    assert "1 facility<" in again[again.index('data-code="second"'):]
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/").content.decode()
    assert 'data-testid="chooser-item"' in chinese and "1 facilities" not in chinese


def test_each_map_page_is_about_its_own_sub_district(two, english):
    mini, second = two
    for subdistrict in two:
        page = english.get(f"/s/{subdistrict.code}/")
        assert page.status_code == 200
        config = page.context["map_config"]
        assert config["subdistrict"] == subdistrict.code
        assert config["api"]["facilities"].endswith(f"?subdistrict={subdistrict.code}")
        assert config["api"]["network"].endswith(f"?subdistrict={subdistrict.code}")
        html = page.content.decode()
        assert f"{subdistrict.name_en} 15-minute life circle" in html
        assert f'href="/s/{subdistrict.code}/planning/coverage/" data-testid="nav-planning"' in html
        assert 'data-testid="nav-district"' in html
    # Centres come from the data: the middle of each boundary.
    assert english.get("/s/mini/").context["map_config"]["center"] == pytest.approx([31.233, 121.445], abs=1e-3)
    assert english.get("/s/second/").context["map_config"]["center"] == pytest.approx([31.233, 121.484], abs=1e-3)
    # The legend counts only the sub-district's own facilities (mini has 3, second 2).
    legend = english.get("/s/second/").context["legend_groups"]
    assert sum(c.count for g in legend for c in g["categories"]) == 2


def test_an_unknown_sub_district_is_a_404_on_every_page(two, english):
    assert english.get("/s/nowhere/").status_code == 404
    assert english.get("/s/nowhere/planning/coverage/").status_code == 404


def test_the_coverage_page_is_about_the_sub_district_in_its_address(two, english):
    mini, second = two
    page = english.get("/s/second/planning/coverage/")
    assert page.status_code == 200
    assert [g["code"] for g in page.context["grids"]] == ["west"]
    assert page.context["subdistrict"] == second
    assert page.context["page_config"]["api"]["coverage"].endswith("?subdistrict=second")
    assert {g["compound"] for g in page.context["gaps"]} <= {"a", "far"}
    assert english.get("/s/mini/planning/coverage/").context["subdistrict"] == mini


def test_a_pages_header_reads_no_sub_district_once_the_worker_keeps_them(english, django_capture_on_commit_callbacks):
    """The header's questions (one sub-district or several? all in one district?) are answered
    from what the worker keeps until the directory or the community model changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        load_pack(MINI)
        load_pack(SECOND)
    assert "静安区 15-minute life circle" in english.get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = english.get("/").content.decode()
    assert "静安区 15-minute life circle" in page and 'data-testid="nav-district"' in page
    assert not [q for q in queries if "community_subdistrict" in q["sql"]]
    second = SubDistrict.objects.get(code="second")
    second.district = "黄浦区"
    with django_capture_on_commit_callbacks(execute=True):
        second.save()
    page = english.get("/").content.decode()
    assert "静安区 15-minute life circle" not in page and "15-minute community life circle" in page


def test_old_addresses_redirect_when_there_is_one_sub_district_and_go_to_the_chooser_otherwise(
        english, django_capture_on_commit_callbacks):
    load_pack(MINI)
    response = english.get("/planning/coverage/?category=senior_meals")
    assert response.status_code == 302 and response["Location"] == "/s/mini/planning/coverage/?category=senior_meals"
    posted = english.post("/planning/scenarios/", {"name": "x"})
    assert posted.status_code == 307 and posted["Location"] == "/s/mini/planning/scenarios/"
    with django_capture_on_commit_callbacks(execute=True):  # committed, as manage.py load_pack's is
        load_pack(SECOND)
    response = english.get("/planning/coverage/")
    assert response.status_code == 302 and response["Location"] == "/?next=planning%2Fcoverage%2F"
    chooser = english.get(response["Location"]).content.decode()
    assert 'href="/s/mini/planning/coverage/"' in chooser and 'href="/s/second/planning/coverage/"' in chooser
    # Only pages inside a sub-district may follow the chooser.
    links = re.findall(r'data-testid="chooser-link"[^>]*|href="([^"]*)" data-testid="chooser-link"',
                       english.get("/?next=//example.org/").content.decode())
    assert sorted(filter(None, links)) == ["/s/mini/", "/s/second/"]


# ------------------------------------------------------------------------------------------------ API
def test_api_lists_narrow_to_the_named_sub_district(two, english):
    assert codes(english.get("/api/geo/facilities.geojson?subdistrict=second").json()["features"]) == \
        ["canteen", "second-center"]
    assert codes(english.get("/api/geo/facilities.geojson?subdistrict=mini").json()["features"]) == \
        ["babycare", "canteen", "center"]
    assert len(english.get("/api/geo/facilities.geojson").json()["features"]) == 5  # the whole district
    assert [g["subdistrict"] for g in english.get("/api/grids?subdistrict=second").json()] == ["second"]
    assert sorted(c["code"] for c in english.get("/api/compounds?subdistrict=second").json()) == ["a", "far"]
    assert codes(english.get("/api/geo/boundary.geojson?subdistrict=second").json()["features"]) == ["second"]
    assert codes(english.get("/api/geo/boundary.geojson").json()["features"]) == ["mini", "second"]
    network = english.get("/api/geo/network.geojson?subdistrict=second").json()
    assert network["attribution"].startswith("Second test network")
    assert english.get("/api/accessibility/coverage?subdistrict=second").json()["subdistrict"] == "second"


def test_api_answers_that_depend_on_one_sub_district_need_it_named(two, english):
    for url in ("/api/geo/network.geojson", "/api/accessibility/coverage", "/api/accessibility/gaps",
                "/api/facilities/canteen", "/api/compounds?grid=west", "/api/geo/facilities.geojson?grid=west",
                "/api/pois?grid=west"):
        response = english.get(url)
        assert response.status_code == 400, url
        assert "?subdistrict=CODE" in response.json()["detail"]
    for url in ("/api/geo/network.geojson?subdistrict=nowhere", "/api/accessibility/coverage?subdistrict=nowhere",
                "/api/geo/facilities.geojson?subdistrict=nowhere", "/api/grids?subdistrict=nowhere",
                "/api/geo/pois.geojson?subdistrict=nowhere",
                "/api/geo/proposals.geojson?subdistrict=nowhere", "/api/requests311/requests.geojson?subdistrict=nowhere",
                "/api/accessibility/isochrones?lon=121.483&lat=31.233&subdistrict=nowhere"):
        response = english.get(url)
        assert response.status_code == 404, url
        assert "nowhere" in response.json()["detail"]
    # Named, the shared codes are no longer ambiguous.
    assert english.get("/api/facilities/canteen?subdistrict=second").json()["name_en"] == "Second canteen"
    assert english.get("/api/facilities/second-center").status_code == 200  # a code only one has


def test_a_click_in_the_second_sub_district_gets_its_walking_areas(two, english):
    response = english.get(f"/api/accessibility/isochrones?lon={IN_SECOND[0]}&lat={IN_SECOND[1]}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["attribution"].startswith("Second test network")
    assert {r["code"] for r in body["reachable"]} == {"canteen", "second-center"}
    assert {r["name_en"] for r in body["reachable"]} == {"Second canteen", "Second community centre"}
    first = english.get(f"/api/accessibility/isochrones?lon={IN_MINI[0]}&lat={IN_MINI[1]}").json()
    assert first["attribution"].startswith("Test network")
    assert {r["code"] for r in first["reachable"]} == {"babycare", "canteen", "center"}
    # Between the two (1.5 km from both networks) no street is near: a clear 422, not a guess.
    between = english.get("/api/accessibility/isochrones?lon=121.465&lat=31.233")
    assert between.status_code == 422 and "every sub-district" in between.json()["detail"]
    # Naming the sub-district walks its network; a click far from it says so.
    named = english.get(f"/api/accessibility/isochrones?lon={IN_MINI[0]}&lat={IN_MINI[1]}&subdistrict=second")
    assert named.status_code == 422


def test_a_click_loads_only_the_networks_near_it(two, english, monkeypatch):
    """A city has more networks (about 200) than a worker may keep: finding whose network a click
    joins must read the networks' extents, not load every network from disk on every click."""
    from lifecircle.community import networks

    url = f"/api/accessibility/isochrones?lon={IN_SECOND[0]}&lat={IN_SECOND[1]}"
    assert english.get(url).status_code == 200  # the extents are known from now on
    networks._load_graph.cache_clear()  # as if the city's other networks had pushed these out
    loaded, load = [], networks._load_graph
    monkeypatch.setattr(networks, "_load_graph",
                        lambda path, mtime: loaded.append(Path(path).name) or load(path, mtime))
    response = english.get(url)
    assert response.status_code == 200 and response.json()["attribution"].startswith("Second test network")
    assert loaded and all(name.startswith("second-") for name in loaded), loaded


def test_a_click_inside_a_boundary_is_snapped_to_that_network_alone(two, monkeypatch):
    """The network whose boundary holds a click wins over every other network that reaches it, so
    the others are not snapped to at all (a city's click is near several networks' extents); a
    click outside every boundary still goes to the nearest street of any network near it."""
    from lifecircle.accessibility import isochrones
    from lifecircle.community import networks

    mini, second = two
    bounds, wide = networks.graph_bounds, second.network.pk  # the second network's extent as wide as a city
    monkeypatch.setattr(networks, "graph_bounds",
                        lambda network: (120.0, 30.0, 123.0, 33.0) if network.pk == wide else bounds(network))
    snapped, snap = [], isochrones.snap_points
    monkeypatch.setattr(isochrones, "snap_points", lambda graph, *rest: snapped.append(graph) or snap(graph, *rest))
    mini_graph = networks.load_graph(mini.network)

    assert isochrones.subdistrict_at(*IN_MINI) == mini
    assert snapped == [mini_graph]
    snapped.clear()
    beside_mini = (121.4510, 31.2330)  # outside every boundary, 145 m east of mini's last street
    assert isochrones.subdistrict_at(*beside_mini) == mini
    assert len(snapped) == 2 and mini_graph in snapped  # every network near it was asked


def test_a_click_is_snapped_to_its_network_once(two, english, monkeypatch):
    """Finding whose network a click joins snaps it; the junction its shapes start from and the
    walks to the facilities take that snap, rather than snapping the click again (about 0.1 ms
    each, on every click). The shapes' own walk from the junction is drawn once per junction."""
    from lifecircle.accessibility import isochrones
    from lifecircle.geo import snapping

    url = f"/api/accessibility/isochrones?lon={IN_SECOND[0]}&lat={IN_SECOND[1]}"
    first = english.get(url)
    assert first.status_code == 200  # the junction's shapes are drawn and cached from now on
    clicks = []

    def counting(snap):
        def snap_points(graph, lon, lat, *rest, **options):
            if (list(lon), list(lat)) == ([IN_SECOND[0]], [IN_SECOND[1]]):
                clicks.append(graph)
            return snap(graph, lon, lat, *rest, **options)
        return snap_points

    monkeypatch.setattr(isochrones, "snap_points", counting(isochrones.snap_points))
    monkeypatch.setattr(snapping, "snap_points", counting(snapping.snap_points))
    again = english.get(url)
    assert again.status_code == 200 and again.json() == first.json()
    assert len(clicks) == 1, clicks


def test_a_worker_keeps_a_citys_networks():
    """A city's 200 networks take about 150 MB in use; evicting them cost two in three of its
    clicks a read of the file and a new spatial index."""
    from lifecircle.community import networks

    assert networks._load_graph.cache_parameters()["maxsize"] >= 200


def test_a_click_reads_no_extent_once_they_are_known(two, english, monkeypatch):
    """The extents are kept with the sub-districts in each worker until the directory changes: a
    city's clicks read none of its 200 (each one a path and a file's time) again."""
    from lifecircle.community import networks

    url = f"/api/accessibility/isochrones?lon={IN_SECOND[0]}&lat={IN_SECOND[1]}"
    assert english.get(url).status_code == 200
    read, bounds = [], networks.graph_bounds
    monkeypatch.setattr(networks, "graph_bounds", lambda network: read.append(network.pk) or bounds(network))
    assert english.get(url).status_code == 200 and read == []


def test_a_prepared_worker_answers_a_click_without_a_network_file_or_the_facilities(two, english, monkeypatch):
    """A worker prepares every sub-district's network at start-up (lifecircle.wsgi): a city's first
    clicks then read no network file and ask the database for no facilities (each was about 20 ms
    a sub-district, in every worker)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.accessibility.isochrones import prepare_worker
    from lifecircle.community import networks
    from lifecircle.geo.graph import WalkGraph

    networks._load_graph.cache_clear()
    assert prepare_worker() == 2
    loaded, load = [], WalkGraph.load
    monkeypatch.setattr(WalkGraph, "load", classmethod(lambda cls, path: loaded.append(path) or load(path)))
    with CaptureQueriesContext(connection) as queries:
        answer = english.get(f"/api/accessibility/isochrones?lon={IN_SECOND[0]}&lat={IN_SECOND[1]}&profile=elderly")
    assert answer.status_code == 200 and answer.json()["reachable"]
    assert loaded == [] and not [q for q in queries if "directory_facility" in q["sql"]]


def test_a_prepared_worker_reads_every_sub_districts_facilities_at_once(two, english):
    """The directory's start-up reads all sub-districts' facilities in one go (a city's 200 were
    800 queries, four for each), and their points of interest in another; each sub-district's
    list then comes from what it kept, its own places only; so does the list that names no
    sub-district (all of them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.caching import bump
    from lifecircle.directory.api import prepare_worker
    from lifecircle.directory.models import Facility, PointOfInterest

    active = Facility.objects.filter(active=True).count()
    bump("directory")  # nothing kept from before
    with CaptureQueriesContext(connection) as start_up:
        assert prepare_worker() == {"facilities": active, "points-of-interest": PointOfInterest.objects.count()}
    assert len([q for q in start_up if 'FROM "directory_facility" ' in q["sql"]]) == 1
    assert len([q for q in start_up if 'FROM "directory_pointofinterest" ' in q["sql"]]) == 1
    for code in ("mini", "second", None):
        where = f"subdistrict={code}&" if code else ""
        with CaptureQueriesContext(connection) as queries:
            listed = english.get(f"/api/facilities?{where}").json()  # open or not: the time of day must not matter
            points = english.get(f"/api/pois?{where}").json()
            one_category = english.get(f"/api/facilities?{where}category={listed[0]['category']}").json()
        assert not [q for q in queries if "directory_" in q["sql"]]  # places, categories: all kept
        assert one_category and {f["category"] for f in one_category} <= {f["category"] for f in listed}
        named = Facility.objects.filter(active=True, **({"subdistrict__code": code} if code else {}))
        assert sorted(f["code"] for f in listed) == sorted(named.values_list("code", flat=True))
        named = PointOfInterest.objects.filter(**({"subdistrict__code": code} if code else {}))
        assert sorted(p["code"] for p in points) == sorted(named.values_list("code", flat=True))


# ------------------------------------------------------------------------------------------------ planners
def test_planners_of_one_sub_district_are_refused_the_other(two):
    mini, second = two
    planner = Client(HTTP_ACCEPT_LANGUAGE="en")
    planner.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, mini))
    theirs = scenarios.create_scenario(second, "Second plan")
    for page in ("scenarios", "siting", "compare", "dashboard"):
        assert planner.get(f"/s/mini/planning/{page}/").status_code == 200, page
        refused = planner.get(f"/s/second/planning/{page}/")
        assert refused.status_code == 403, page
    assert planner.get(f"/s/second/planning/scenarios/{theirs.pk}/").status_code == 403
    assert planner.get("/s/second/planning/report/?format=csv").status_code == 403
    # A scenario of the other sub-district cannot be reached through one's own address either.
    assert planner.get(f"/s/mini/planning/scenarios/{theirs.pk}/").status_code == 404
    # The API: listing, creating, reading and changing the other's scenarios are refused.
    assert planner.get("/api/planning/scenarios?subdistrict=second").status_code == 403
    assert planner.get("/api/planning/scenarios?subdistrict=mini").status_code == 200
    assert planner.post("/api/planning/scenarios", {"name": "x", "subdistrict": "second"},
                        content_type="application/json").status_code == 403
    assert planner.get(f"/api/planning/scenarios/{theirs.pk}").status_code == 403
    assert planner.delete(f"/api/planning/scenarios/{theirs.pk}").status_code == 403
    assert theirs.__class__.objects.filter(pk=theirs.pk).exists()
    # A superuser plans both.
    from lifecircle.accounts.testing import make_user
    boss = Client()
    boss.force_login(make_user(is_staff=True, is_superuser=True))
    assert boss.get("/s/second/planning/scenarios/").status_code == 200


def test_the_planner_pages_show_only_their_sub_districts_scenarios(two):
    mini, second = two
    scenarios.create_scenario(mini, "Mini plan")
    scenarios.create_scenario(second, "Second plan")
    planner = Client(HTTP_ACCEPT_LANGUAGE="en")
    planner.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, second))
    html = planner.get("/s/second/planning/scenarios/").content.decode()
    assert "Second plan" in html and "Mini plan" not in html
    assert 'href="/s/second/planning/coverage/"' in html


# ------------------------------------------------------------------------------------------------ overview
def test_the_district_overview_compares_the_sub_districts(two, english):
    mini, second = two
    defaults.install()
    service = Service.objects.filter(private=False).first() or Service.objects.first()
    now = timezone.now()
    east = Grid.objects.get(subdistrict=mini, code="east")
    for hours in (2, 4, 9):  # three requests in the mini pack, acknowledged after 2, 4 and 9 hours
        ServiceRequest.objects.create(service=service, grid=east, routing="grid", requested_at=now - datetime.timedelta(days=1),
                                      acknowledged_at=now - datetime.timedelta(days=1) + datetime.timedelta(hours=hours),
                                      state=ServiceRequest.State.ACKNOWLEDGED)
    ServiceRequest.objects.create(service=service, grid=Grid.objects.get(subdistrict=second), routing="grid",
                                  requested_at=now - datetime.timedelta(days=2), closed_at=now - datetime.timedelta(days=1),
                                  acknowledged_at=now - datetime.timedelta(days=1), state=ServiceRequest.State.CLOSED)
    ServiceRequest.objects.create(service=service, grid=None, routing="grid", requested_at=now)
    ServiceRequest.objects.create(service=service, grid=east, routing="grid", requested_at=now - datetime.timedelta(days=200))

    page = english.get("/district/")
    assert page.status_code == 200
    columns = {c["subdistrict"].code: c for c in page.context["columns"]}
    assert list(columns) == ["mini", "second"]
    for subdistrict in two:
        column, expected = columns[subdistrict.code], report(subdistrict)
        lacking = {g["compound"]: g["population"] or 0 for g in expected.gaps}
        assert column["population"] == sum(c.population or 0 for c in subdistrict.compounds.all())
        assert (column["compounds_lacking"], column["people_lacking"]) == (len(lacking), sum(lacking.values()))
    assert columns["second"]["population"] == 1000
    # Second: compound "far" (400 people) lacks the canteen; compound "a" beside it has it.
    meals = next(r for t in page.context["tiers"] for r in t["rows"] if r["category"].slug == "senior_meals")
    whole = {c: next(r for r in report(s).rows if r["grid"] is None and r["category"] == "senior_meals")
             for c, s in zip(("mini", "second"), two)}
    assert meals["cells"][1] == {"pct": 60, "not_covered": 400}
    assert meals["cells"][1]["pct"] == int(whole["second"]["population_share"] * 100 + 0.5)
    assert meals["cells"][0]["not_covered"] == whole["mini"]["population"] - whole["mini"]["population_covered"]
    # Requests of the last 90 days, by the grid they were routed to; the unrouted one is said apart.
    assert (columns["mini"]["requests"]["requests"], columns["mini"]["requests"]["acknowledge_median_hours"]) == (3, 4.0)
    assert (columns["second"]["requests"]["closed"], columns["second"]["requests"]["close_median_hours"]) == (1, 24.0)
    assert page.context["unrouted"] == 1
    html = page.content.decode()
    assert "1 request of this period has not been routed" in html
    assert 'data-code="second"' in html and "Second Sub-district" in html


def test_nothing_falls_back_to_the_first_sub_district(two, english, tmp_path):
    """With two loaded, no page, answer or report about one sub-district appears without naming it."""
    with pytest.raises(CommandError, match=r"several sub-districts are loaded \(mini, second\)"):
        call_command("planning_report", str(tmp_path / "r.csv"))
    with translation.override("en"):
        call_command("planning_report", str(tmp_path / "r.csv"), "--subdistrict", "second")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "The only grid of Second" in text and "West grid" not in text and "East grid" not in text
    assert SubDistrict.objects.count() == 2
    assert english.get("/").context.get("map_config") is None
    assert english.get("/planning/dashboard/").status_code == 302
    assert english.get("/api/accessibility/off-network").status_code == 400
    assert english.get("/api/compounds?grid=west").status_code == 400


def test_with_nothing_loaded_the_chooser_and_overview_say_so(english):
    for url in ("/", "/district/"):
        page = english.get(url)
        assert page.status_code == 200 and 'data-testid="no-data"' in page.content.decode(), url
    assert english.get("/planning/coverage/").status_code == 302
    assert english.get("/api/geo/network.geojson").status_code == 404
    assert english.get("/api/accessibility/isochrones?lon=121.45&lat=31.23").status_code == 422


def _half_of_mini(folder, code, west_lon, east_lon):
    """A copy of the mini pack named ``code`` whose boundary is only the strip west_lon–east_lon."""
    shutil.copytree(MINI, folder)
    pack = json.loads((folder / "pack.json").read_text())
    pack["subdistrict"].update(code=code, name_en=code)
    pack["standard"] = str(Path(MINI, pack["standard"]).resolve())
    pack["network_attribution"] = f"{code} network"
    (folder / "pack.json").write_text(json.dumps(pack))
    (folder / "boundary.geojson").write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[west_lon, 31.230], [east_lon, 31.230], [east_lon, 31.236],
                                            [west_lon, 31.236], [west_lon, 31.230]]]}}))
    return load_pack(folder, keep_outside=True)  # the mini pack's places lie in both halves


def test_a_click_walks_the_network_of_the_sub_district_whose_boundary_holds_it(tmp_path, english):
    """Two sub-districts drawn on the very same streets, one the west half and one the east half:
    each click walks the network of the boundary it falls in, though both are equally near."""
    _half_of_mini(tmp_path / "w", "west-half", 121.440, 121.445)
    _half_of_mini(tmp_path / "e", "east-half", 121.445, 121.450)
    for lon, code in ((121.4420, "west-half"), (121.4480, "east-half")):
        answer = english.get(f"/api/accessibility/isochrones?lon={lon}&lat=31.2330").json()
        assert answer["attribution"] == f"{code} network", lon
