"""Walking profiles in the stored results, the coverage report, the API and the isochrones."""
import numpy as np
import pytest
from django.core.management import call_command

from lifecircle.accessibility.coverage import report
from lifecircle.accessibility.models import BarrierFix, CompoundAccess, ComputeRun
from lifecircle.community import networks
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI, copy_pack

pytestmark = pytest.mark.django_db(transaction=True)

#: The middle street of the mini pack (way 2, 中路) becomes steps: compounds a and b and the
#: canteen and baby care stand beside it.
STEPS = ('<nd ref="8"/><tag k="highway" v="residential"/><tag k="name" v="中路"/>',
         '<nd ref="8"/><tag k="highway" v="steps"/><tag k="name" v="中路"/>')


@pytest.fixture
def stepped(tmp_path):
    folder = tmp_path / "mini"
    copy_pack(MINI, folder)
    osm = (folder / "network.osm").read_text()
    assert STEPS[0] in osm
    (folder / "network.osm").write_text(osm.replace(*STEPS))
    return load_pack(folder)


def access(compound, category):
    return CompoundAccess.objects.get(compound__code=compound, category__slug=category)


def test_steps_cost_residents_their_coverage_and_rank_first_to_fix(stepped):
    run = ComputeRun.objects.get()
    assert run.profiles == ["standard", "elderly", "barrier-free"]
    assert any("no known surface" in note for note in run.tag_notes)
    # a and b, the canteen, the baby care and the centre stand by the steps: placed elsewhere, and said so.
    moved = "barrier-free: 2 compound(s) and 3 facility(ies) stand by a street this profile cannot use"
    assert moved in " ".join(run.tag_notes)
    meals = access("a", "senior_meals")
    # Beside the canteen on the standard walk; barrier-free, round by the footways.
    assert meals.nearest_m < 300 < meals.nearest_barrier_free_m
    assert meals.nearest_elderly_m == pytest.approx(meals.nearest_m)  # no signals or wide roads here
    rows = {r["category"]: r for r in report(stepped).rows if r["grid"] is None}
    # Compound a (380 aged 60+, 20 aged 0-3) loses its meals; b (300, 15) its baby care.
    assert rows["senior_meals"]["aged_60_plus_lost_barrier_free"] == 380
    assert rows["senior_meals"]["aged_0_3_lost_barrier_free"] == 20
    assert rows["infant_care"]["aged_0_3_lost_barrier_free"] == 15
    assert rows["library"]["aged_60_plus_lost_barrier_free"] == 0
    fix = BarrierFix.objects.get()
    assert (fix.rank, fix.kind, fix.osm_id, fix.highway) == (1, "way", 2, "steps")
    assert fix.compounds == ["a", "b"] and "senior_meals" in fix.categories and fix.aged_60_plus == 680


def test_api_gives_the_barrier_free_figures(client, stepped):
    coverage = client.get("/api/accessibility/coverage").json()
    assert coverage["barrier_free"] is True
    assert coverage["barrier_fixes"][0]["osm_id"] == 2 and coverage["barrier_fixes"][0]["kind"] == "way"
    assert any("no known surface" in note for note in coverage["profile_notes"])
    meals = next(r for r in coverage["rows"] if r["grid"] is None and r["category"] == "senior_meals")
    assert meals["aged_60_plus_lost_barrier_free"] == 380
    results = client.get("/api/accessibility/compounds/a").json()["results"]
    meals = next(r for r in results if r["category"] == "senior_meals")
    assert meals["covered"] is True and meals["covered_barrier_free"] is False
    assert meals["nearest_barrier_free_m"] > 300


def test_isochrones_per_profile(client, stepped):
    query = "/api/accessibility/isochrones?lon=121.4425&lat=31.2327"
    standard = client.get(query).json()
    free = client.get(query + "&profile=barrier-free").json()
    assert free["network_profile"] == "barrier-free" and free["distances_m"] == standard["distances_m"]
    assert any("no known surface" in note for note in free["notes"])
    near = {r["code"]: r["distance_m"] for r in standard["reachable"]}
    far = {r["code"]: r["distance_m"] for r in free["reachable"]}
    assert far["canteen"] > near["canteen"] + 100
    elderly = client.get(query + "&profile=elderly").json()
    assert elderly["network_profile"] == "elderly" and elderly["distances_m"] == [270.0, 540.0, 810.0]
    bad = client.get(query + "&profile=wheelchair")
    assert bad.status_code == 400 and "barrier-free" in bad.json()["detail"]


def test_a_network_saved_before_profiles_keeps_working_and_says_so(client, stepped):
    network = stepped.network
    with np.load(networks.graph_path(network)) as data:
        old = {k: data[k] for k in data.files if not k.startswith("profile") and k != "tag_audit"}
    old["format"] = np.frombuffer(b"lifecircle.walkgraph/1", dtype=np.uint8)
    network.graph_file = "before-profiles.npz"  # beside, not over, the file other tests' packs reuse
    with open(networks.graph_path(network), "wb") as f:
        np.savez(f, **old)
    network.save()
    call_command("compute_accessibility", "--no-progress")
    run = ComputeRun.objects.first()
    assert run.profiles == ["standard"] and run.tag_notes == []
    assert access("a", "senior_meals").nearest_barrier_free_m is None
    coverage = client.get("/api/accessibility/coverage").json()
    assert coverage["barrier_free"] is False and coverage["barrier_fixes"] == []
    assert all(r["aged_60_plus_lost_barrier_free"] is None for r in coverage["rows"])
    free = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327&profile=barrier-free")
    assert free.status_code == 422 and "rebuild it from its OSM file" in free.json()["detail"]
    elderly = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327&profile=elderly").json()
    assert elderly["network_profile"] == "standard" and "saved before walking profiles" in elderly["notes"][0]


def test_coverage_page_shows_losses_and_fixes(client, stepped):
    from django.urls import reverse

    html = client.get(reverse("coverage", args=[stepped.code])).content.decode()
    assert 'data-testid="barrier-free-table"' in html and 'data-osm-id="2"' in html
    assert 'data-category="senior_meals"' in html and 'data-testid="barrier-free-unknown"' in html


def test_what_is_open_on_arrival(client, stepped):
    from lifecircle import caching
    from lifecircle.directory.models import Facility

    query = "/api/accessibility/isochrones?lon=121.4425&lat=31.2327&at="

    def canteen(at):
        answer = client.get(query + at).json()
        return next(r for r in answer["reachable"] if r["code"] == "canteen"), answer

    # The canteen (1.5 min away) opens at 06:30 and closes at 09:00 for breakfast.
    assert canteen("06:25")[0]["open_on_arrival"] is False
    record, answer = canteen("06:29")
    assert record["open_on_arrival"] is True and record["arrival"].startswith(answer["departure"][:11] + "06:30")
    assert canteen("2026-12-03T08:58")[0]["open_on_arrival"] is True
    assert canteen("2026-12-03T08:59")[0]["open_on_arrival"] is False  # arrives after 09:00
    assert canteen("2026-10-01T07:00")[0]["open_on_arrival"] is False  # closed on the national day
    assert answer["open_on_arrival"] == sum(1 for r in answer["reachable"] if r["open_on_arrival"])
    Facility.objects.filter(code="canteen").update(opening_hours="")
    caching.bump("directory")  # update() sends no signal; the cached hours must go (lifecircle.caching)
    assert canteen("07:00")[0]["open_on_arrival"] is None  # no hours recorded: unknown, not open
    for bad in ("25:99", "tomorrow", "2026-13-01T07:00"):
        response = client.get(query + bad)
        assert response.status_code == 400 and "cannot read the time" in response.json()["detail"]


def test_open_on_arrival_follows_saved_hours_and_exceptions_at_once(client, stepped):
    """The facilities' hours are kept in the cache with their positions; a staff edit (a save)
    must show in the next click."""
    from lifecircle.directory.models import Facility, HoursException

    def canteen_open(at):
        answer = client.get(f"/api/accessibility/isochrones?lon=121.4425&lat=31.2327&at={at}").json()
        return next(r for r in answer["reachable"] if r["code"] == "canteen")["open_on_arrival"]

    assert canteen_open("2026-12-03T07:00") is True
    canteen = Facility.objects.get(code="canteen")
    exception = HoursException.objects.create(facility=canteen, date="2026-12-03", opening_hours="")
    assert canteen_open("2026-12-03T07:00") is False  # closed that day
    exception.opening_hours = "06:00-10:00"
    exception.save()
    assert canteen_open("2026-12-03T07:00") is True
    assert canteen_open("2026-12-04T09:30") is False  # the next day keeps the weekly hours
    canteen.opening_hours = "Mo-Su 09:00-20:00"
    canteen.save()
    assert canteen_open("2026-12-04T09:30") is True


def test_coverage_at_an_hour_counts_only_what_is_open(client):
    load_pack(MINI)

    def meals(at=None):
        answer = client.get("/api/accessibility/coverage" + (f"?at={at}" if at else "")).json()
        return next(r for r in answer["rows"] if r["grid"] is None and r["category"] == "senior_meals"), answer

    always, _ = meals()
    assert always["aged_60_plus_covered"] == 380  # compound a beside the canteen
    breakfast, answer = meals("2026-12-03T07:00")  # a Thursday: the canteen serves 06:30-09:00
    assert breakfast["aged_60_plus_covered"] == 380
    assert any("only facilities open on arrival" in n for n in answer["profile_notes"])
    closed, _ = meals("2026-12-03T10:00")
    assert closed["aged_60_plus_covered"] == 0
    holiday, _ = meals("2026-10-01T07:00")  # closed on the national day
    assert holiday["aged_60_plus_covered"] == 0
    bad = client.get("/api/accessibility/coverage?at=breakfast")
    assert bad.status_code == 400 and "cannot read the time" in bad.json()["detail"]


def gap_rows(html):
    import re

    return set(re.findall(r'data-testid="gap-row" data-compound="([\w-]+)" data-category="([\w-]+)"', html))


def test_coverage_page_at_an_hour(client):
    from django.urls import reverse

    pack = load_pack(MINI)
    url = reverse("coverage", args=[pack.code]) + "?category=senior_meals&gaps=all&at="
    # A Thursday: the canteen beside compound a serves breakfast 06:30-09:00.
    breakfast = client.get(url + "2026-12-03T07:00")
    html = breakfast.content.decode()
    assert breakfast.status_code == 200 and 'data-testid="at-hour"' in html and "2026-12-03 07:00" in html
    assert 'value="2026-12-03T07:00"' in html  # the field keeps the hour
    assert "only facilities open on arrival count" not in html  # said once, translated, not again in English
    assert ("a", "senior_meals") not in gap_rows(html)
    late = client.get(url + "2026-12-03T10:00").content.decode()
    assert ("a", "senior_meals") in gap_rows(late)  # closed by 10:00: a gap at that hour
    assert ("a", "senior_meals") not in gap_rows(client.get(url).content.decode())  # any hour
    # The map and charts ask the API for the same hour.
    assert "at=2026-12-03T10%3A00" in late
    # The barrier-free figures are for any hour: said so, not "saved before walking profiles".
    assert 'data-testid="barrier-free-any-hour"' in late and 'data-testid="barrier-free-unavailable"' not in late


def test_coverage_page_refuses_a_time_it_cannot_read(client):
    from django.urls import reverse

    pack = load_pack(MINI)
    response = client.get(reverse("coverage", args=[pack.code]) + "?at=25:99", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="at-error"' in html and "Cannot read the time" in html and "25:99" in html
    # Still the page, for any hour.
    assert 'data-testid="coverage-table"' in html and 'data-testid="at-hour"' not in html


def test_gaps_at_an_hour(client):
    load_pack(MINI)

    def meals_gaps(at):
        answer = client.get(f"/api/accessibility/gaps?category=senior_meals&at={at}")
        assert answer.status_code == 200
        return {g["compound"] for g in answer.json()}

    assert "a" not in meals_gaps("2026-12-03T07:00")
    assert "a" in meals_gaps("2026-12-03T10:00")
    assert "a" not in meals_gaps("")  # empty: any hour
    bad = client.get("/api/accessibility/gaps?at=breakfast")
    assert bad.status_code == 400 and "cannot read the time" in bad.json()["detail"]


def test_unknown_surface_and_kerbs_are_said_wherever_barrier_free_figures_are(client, stepped):
    from django.urls import reverse

    coverage = client.get("/api/accessibility/coverage").json()
    unknown = coverage["data_unknown"]
    # The mini pack maps no surface: all of it unknown, and said, never taken as smooth.
    assert unknown["length_m"] > 0 and unknown["surface_unknown_share"] == 1.0
    assert unknown["crossings_kerb_unknown"] <= unknown["crossings"]
    assert client.get("/api/accessibility/compounds/a").json()["data_unknown"] == unknown
    # At an hour there are no barrier-free figures, and no figures about them.
    assert client.get("/api/accessibility/coverage?at=07:00").json()["data_unknown"] is None
    html = client.get(reverse("coverage", args=[stepped.code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="barrier-free-unknown"' in html and "100% of the walkable network" in html
    # Said once, in the page's language: the engine's English sentence is not repeated beside it.
    assert html.count("has no known surface") == 1
    # The moved homes and facilities, which no figure carries, are still said.
    assert "stand by a street this profile cannot use" in html


def test_times_at_the_ends_of_the_calendar_are_refused(client):
    load_pack(MINI)
    for at in ("9999-12-31T23:59", "0001-01-01T00:00"):
        for path in ("/api/accessibility/coverage", "/api/accessibility/gaps",
                     "/api/accessibility/isochrones?lon=121.4425&lat=31.2327"):
            response = client.get(path + ("&" if "?" in path else "?") + "at=" + at)
            assert response.status_code == 400, (path, at, response.status_code)
            detail = response.json()["detail"]
            assert "cannot read the time" in detail and "between the years" in detail


def test_a_clicks_snap_is_passed_on_only_to_the_walk_it_was_made_for(stepped):
    """The view snaps a click once to find its sub-district (the network as loaded: the standard
    walk) and its facilities are walked from that snap; a profile of the network's own snaps the
    click again, to the streets it can pass (barrier-free: not the steps beside the click)."""
    from lifecircle.accessibility.isochrones import (parse_departure, profile_distances, reachable_facilities,
                                                     snapped_subdistrict_at)

    lon, lat = 121.4425, 31.2327
    subdistrict, snapped = snapped_subdistrict_at(lon, lat)
    assert subdistrict == stepped and snapped.ok[0]
    departure = parse_departure("2024-05-06T10:30")
    reach = {}
    for profile in ("standard", "elderly", "barrier-free"):
        distances = profile_distances(profile)
        reach[profile] = reachable_facilities(subdistrict, lon, lat, distances, profile, departure)
        assert reachable_facilities(subdistrict, lon, lat, distances, profile, departure, snapped) == reach[profile]
    assert reach["barrier-free"] != reach["standard"]
