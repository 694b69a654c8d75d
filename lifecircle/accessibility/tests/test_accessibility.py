import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifecircle.accessibility.coverage import report
from lifecircle.accessibility.models import CompoundAccess, ComputeRun, OffNetworkPoint
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, ServiceCategory

# Changes are computed after their transaction commits, so these tests need real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mini():
    return load_pack(MINI)


def nearest(compound, category):
    return CompoundAccess.objects.get(compound__code=compound, category__slug=category).nearest_m


def test_loading_a_pack_computes_every_compound_and_category(mini):
    assert ComputeRun.objects.get().kind == "full"
    assert CompoundAccess.objects.count() == 3 * ServiceCategory.objects.count()
    # Compound a stands beside the canteen's block; b and c are across the sub-district.
    assert nearest("a", "senior_meals") < 300 < nearest("b", "senior_meals")
    assert nearest("b", "infant_care") < 300
    assert nearest("a", "library") is None  # no facility of that category at all
    canteen = CompoundAccess.objects.get(compound__code="a", category__slug="senior_meals")
    assert (canteen.count_5, canteen.count_15, canteen.capacity_15) == (1, 1, 300)


def test_a_new_facility_recomputes_only_its_categories(mini):
    before = {(r.compound_id, r.category_id): r.run_id for r in CompoundAccess.objects.all()}
    far = nearest("b", "senior_meals")
    Facility.objects.create(
        subdistrict=mini, code="new-canteen", name="新食堂", category=ServiceCategory.objects.get(slug="senior_meals"),
        lon=121.4482, lat=31.2338, capacity=80,
    )
    run = ComputeRun.objects.latest()
    assert run.kind == "incremental" and run.categories == ["senior_meals"]
    assert nearest("b", "senior_meals") < far
    changed = {key for key, run_id in before.items()
               if CompoundAccess.objects.get(compound_id=key[0], category_id=key[1]).run_id != run_id}
    assert {ServiceCategory.objects.get(pk=c).slug for _, c in changed} == {"senior_meals"}
    row = CompoundAccess.objects.get(compound__code="b", category__slug="senior_meals")
    assert row.count_15 == 2 and row.capacity_15 == 380


def test_moving_and_removing_a_facility(mini):
    babycare = Facility.objects.get(code="babycare")
    babycare.lon, babycare.lat = 121.4420, 31.2322  # beside compound a, both 0.0010° / 0.0008° off the street
    babycare.save()
    # Both join the middle street at the same point: 111.2 m + 89.0 m of off-street legs, nothing along it.
    assert nearest("a", "infant_care") == pytest.approx(200.2, abs=0.5)
    babycare.delete()
    assert nearest("a", "infant_care") is None


def test_adding_a_service_to_a_facility_counts_it_for_that_category(mini):
    center = Facility.objects.get(code="center")
    assert CompoundAccess.objects.get(compound__code="a", category__slug="senior_activity").nearest_m is None
    center.services.add(ServiceCategory.objects.get(slug="senior_activity"))
    assert ComputeRun.objects.latest().categories == ["senior_activity"]
    assert nearest("a", "senior_activity") == pytest.approx(nearest("a", "community_center"))


def test_moving_a_compound_recomputes_only_it(mini):
    compound = Compound.objects.get(code="c")
    compound.lon, compound.lat = 121.4426, 31.2327
    compound.save()
    run = ComputeRun.objects.latest()
    assert run.origins == 1
    # 33.4 m off-street, 9.5 m along the street (0.0001° of longitude), 55.6 m off-street to the canteen.
    assert nearest("c", "senior_meals") == pytest.approx(98.5, abs=0.5)


def test_a_compound_far_from_any_street_is_reported_not_dropped(mini):
    compound = Compound.objects.get(code="c")
    compound.lon, compound.lat = 121.4600, 31.2330  # about 1 km east of the network
    compound.save()
    report_row = OffNetworkPoint.objects.get(code="c")
    assert report_row.kind == "compound" and report_row.distance_m > 900
    assert not CompoundAccess.objects.filter(compound=compound).exists()
    gaps = [g for g in report(mini).gaps if g["compound"] == "c"]
    assert gaps and all(g["distance_m"] is None for g in gaps)  # not covered, and said so


def test_coverage_is_population_weighted_per_grid_and_tier(mini):
    rows = {(r["grid"], r["category"]): r for r in report(mini).rows}
    meals = rows[("west", "senior_meals")]
    assert (meals["tier_minutes"], meals["threshold_m"]) == (5, 300)
    assert meals["population_share"] == 1.0 and meals["aged_60_plus_covered"] == 380
    assert rows[("east", "senior_meals")]["population_share"] == 0.0
    whole = rows[(None, "senior_meals")]
    assert whole["population"] == 2300 and whole["population_share"] == pytest.approx(1000 / 2300)
    # Tiers do not nest: the 15-minute community centre is near everyone, yet nobody gets senior
    # activity rooms from it.
    assert rows[(None, "community_center")]["population_share"] == 1.0
    assert rows[(None, "senior_activity")]["population_share"] == 0.0


def test_gap_list_says_by_how_much(mini):
    gaps = [g for g in report(mini).gaps if g["category"] == "senior_meals"]
    assert sorted(g["compound"] for g in gaps) == ["b", "c"]
    for gap in gaps:
        assert gap["shortfall_m"] == pytest.approx(round(nearest(gap["compound"], "senior_meals")) - 300, abs=1)


def test_plan_check_requires_day_care_and_meals_in_every_grid(mini):
    plan = {p["grid"]: p for p in report(mini).plan}
    assert plan["west"]["met"] and plan["west"]["services"]["senior_day_care"] in (["长者食堂"], ["Seniors' canteen"])
    assert not plan["east"]["met"] and plan["east"]["services"]["senior_meals"] == []


def test_full_recompute_command(mini, capsys):
    call_command("compute_accessibility", "--subdistrict", "mini", "--no-progress")
    assert "3 compounds × 15 categories" in capsys.readouterr().out
    assert ComputeRun.objects.latest().kind == "full"


def test_api(client, mini):
    access = client.get("/api/accessibility/compounds/a").json()
    meals = next(r for r in access["results"] if r["category"] == "senior_meals")
    assert meals["covered"] and meals["minutes"]["elderly"] > meals["minutes"]["adult"]
    coverage = client.get("/api/accessibility/coverage?grid=east").json()
    assert coverage["computed"] and {r["grid"] for r in coverage["rows"]} == {"east", None}
    assert [p["grid"] for p in coverage["plan"]] == ["east"]
    gaps = client.get("/api/accessibility/gaps?category=infant_care").json()
    assert {g["compound"] for g in gaps} == {"a", "c"}
    assert client.get("/api/accessibility/coverage?subdistrict=nowhere").status_code == 404


def test_isochrones_and_reach(client, mini):
    result = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327").json()
    assert [f["properties"]["tier_minutes"] for f in result["features"]] == [15, 10, 5]
    assert result["distances_m"] == [300.0, 500.0, 1000.0]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in result["features"])
    reach = {r["code"]: r for r in result["reachable"]}
    # The canteen is beside the point: 0.0002° off the same street on the same side, 0.0005° off it.
    assert reach["canteen"]["tier_minutes"] == 5 and reach["canteen"]["distance_m"] == pytest.approx(33.4 + 55.6, abs=1)
    # Distances agree with what the stored results say for a compound at the same spot.
    Compound.objects.filter(code="a").update(lon=121.4425, lat=31.2327)
    call_command("compute_accessibility", "--no-progress")
    for record in reach.values():  # one facility per category in this pack, so nearest is it
        assert nearest("a", record["category"]) == pytest.approx(record["distance_m"], abs=0.051)
    elderly = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327&profile=elderly").json()
    assert elderly["distances_m"] == [270.0, 540.0, 810.0]


@pytest.mark.parametrize("profile", ["standard", "elderly", "barrier-free"])
def test_isochrones_written_without_validation_are_in_the_schemas_form(client, mini, profile):
    """The answer is written as built (json_response), not through IsochronesOut: it must be
    exactly what IsochronesOut would have written -- no key more or less, every value of its type."""
    from lifecircle.accessibility.api import IsochronesOut

    answer = client.get(f"/api/accessibility/isochrones?lon=121.4425&lat=31.2327&profile={profile}").json()
    assert answer["reachable"] and IsochronesOut.model_validate(answer).model_dump(mode="json") == answer


@pytest.mark.parametrize("query, status, message", [
    ("lon=121.4425&lat=95", 400, "latitude 95.0 is out of range"),
    ("lon=121.4425&lat=31.2327&profile=runner", 400, "unknown profile 'runner'"),
    ("lon=121.60&lat=31.2327", 422, "from the nearest walkable street"),
])
def test_isochrones_bad_input(client, mini, query, status, message):
    response = client.get("/api/accessibility/isochrones?" + query)
    assert response.status_code == status and message in response.json()["detail"]


def test_isochrones_where_no_facility_is_in_reach(client, mini):
    Facility.objects.all().delete()
    result = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327").json()
    assert result["reachable"] == [] and len(result["features"]) == 3


def test_full_recompute_command_says_who_could_not_be_reached(mini, capsys):
    compound = Compound.objects.get(code="c")
    compound.lon, compound.lat = 121.4600, 31.2330  # about 1 km east of the network
    compound.save()
    call_command("compute_accessibility", "--subdistrict", "mini", "--no-progress")
    captured = capsys.readouterr()
    assert "3 compounds × 15 categories" in captured.out
    assert f"1 of 3 compounds ({compound.population} residents) is more than 300 m from any walkable street " \
           "and could not be placed on the network: c" in captured.err


def test_full_recompute_command_fails_when_no_compound_is_reached(mini, capsys):
    # Every compound moved 1 km east of its streets (a network of another area): not "success".
    for compound in Compound.objects.all():
        compound.lon += 0.012
        compound.save()
    with pytest.raises(CommandError, match="No compound could reach any facility in"):
        call_command("compute_accessibility", "--subdistrict", "mini", "--no-progress")
    captured = capsys.readouterr()
    assert "3 compounds × 15 categories" in captured.err and captured.out == ""
    assert "3 of 3 compounds (2300 residents) are more than 300 m" in captured.err


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the English wording of the messages (zh-hans is the site's default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
