"""A city's cached answers per sub-district: an edit in one sub-district (a facility, its rooms, a
point of interest, a grid) makes that sub-district's answers and the city-wide ones stale at once,
and leaves every other sub-district's answers cached, in the shared cache and in each worker; a
change to what all share (a sub-district itself, a category) makes every answer stale.

Two sub-districts: the mini pack and the second one beside it, which reuses its codes."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecircle.community.models import Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, PointOfInterest, Room, ServiceCategory

pytestmark = pytest.mark.django_db
SECOND = MINI.parent / "second"


@pytest.fixture
def two(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return load_pack(MINI), load_pack(SECOND)


def answer(client, path):
    """The answer's JSON and how many database queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def facility_names(client, subdistrict=None):
    found, _ = answer(client, "/api/facilities" + (f"?subdistrict={subdistrict.code}" if subdistrict else ""))
    return {f["name"] for f in found}


def test_an_edit_in_one_sub_district_leaves_the_others_lists_cached(client, two, django_capture_on_commit_callbacks):
    mini, second = two
    before, _ = answer(client, f"/api/facilities?subdistrict={second.code}")
    answer(client, f"/api/geo/grids.geojson?subdistrict={second.code}")
    facility_names(client, mini)
    facility_names(client)
    with django_capture_on_commit_callbacks(execute=True):
        facility = Facility.objects.filter(subdistrict=mini).order_by("pk").first()
        facility.name = "改过的名字"
        facility.save()
        grid = Grid.objects.filter(subdistrict=mini).order_by("pk").first()
        grid.name = "改过的网格"
        grid.save()
    # The other sub-district's list and layer: neither rebuilt nor read again (not even the list
    # its worker keeps, which a whole-directory change had it read afresh).
    after, queries = answer(client, f"/api/facilities?subdistrict={second.code}")
    assert after == before and queries == 0
    assert answer(client, f"/api/geo/grids.geojson?subdistrict={second.code}")[1] == 0
    # The edited sub-district's answers and the city's show the edit at once.
    assert "改过的名字" in facility_names(client, mini) and "改过的名字" in facility_names(client)
    grids, _ = answer(client, f"/api/geo/grids.geojson?subdistrict={mini.code}")
    assert "改过的网格" in {g["properties"]["name"] for g in grids["features"]}
    assert "改过的网格" in {g["name"] for g in answer(client, "/api/grids")[0]}


def test_a_facility_moved_to_another_sub_district_leaves_one_list_and_joins_the_other(
        client, two, django_capture_on_commit_callbacks):
    mini, second = two
    facility = Facility.objects.filter(subdistrict=mini).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        facility.name = "搬走的设施"
        facility.save()
    assert "搬走的设施" in facility_names(client, mini) and "搬走的设施" not in facility_names(client, second)
    with django_capture_on_commit_callbacks(execute=True):
        facility.subdistrict, facility.grid, facility.code = second, None, "moved"  # (the second pack reuses codes)
        facility.save()
    assert "搬走的设施" not in facility_names(client, mini) and "搬走的设施" in facility_names(client, second)


def test_a_rooms_change_reaches_its_facilitys_sub_district_only(client, two, django_capture_on_commit_callbacks):
    mini, second = two
    facility = Facility.objects.filter(subdistrict=mini).order_by("pk").first()
    answer(client, f"/api/facilities?subdistrict={mini.code}")
    answer(client, f"/api/facilities?subdistrict={second.code}")
    with django_capture_on_commit_callbacks(execute=True):
        Room.objects.create(facility=facility, code="new-room", name="新房间")
    rooms = {room["name"] for f in answer(client, f"/api/facilities?subdistrict={mini.code}")[0] for room in f["rooms"]}
    assert "新房间" in rooms
    assert answer(client, f"/api/facilities?subdistrict={second.code}")[1] == 0


def test_a_deleted_point_of_interest_leaves_its_sub_districts_list(client, two, django_capture_on_commit_callbacks):
    mini, _ = two
    poi = PointOfInterest.objects.filter(subdistrict=mini).order_by("pk").first()
    listed, _ = answer(client, f"/api/pois?subdistrict={mini.code}")
    assert poi.code in {p["code"] for p in listed}
    with django_capture_on_commit_callbacks(execute=True):
        poi.delete()
    assert poi.code not in {p["code"] for p in answer(client, f"/api/pois?subdistrict={mini.code}")[0]}
    assert poi.code not in {p["code"] for p in answer(client, "/api/pois")[0]}


def test_a_change_to_what_every_sub_district_shares_makes_every_answer_stale(
        client, two, django_capture_on_commit_callbacks):
    mini, second = two
    category = Facility.objects.filter(subdistrict=second).order_by("pk").first().category
    answer(client, f"/api/facilities?subdistrict={second.code}")
    with django_capture_on_commit_callbacks(execute=True):
        ServiceCategory.objects.filter(pk=category.pk).first().save()  # a category is every sub-district's
    assert answer(client, f"/api/facilities?subdistrict={second.code}")[1] > 0
    with django_capture_on_commit_callbacks(execute=True):
        mini.name_en = "Renamed Sub-district"
        mini.save()
    assert answer(client, f"/api/facilities?subdistrict={second.code}")[1] > 0


def test_a_code_no_sub_district_has_adds_no_topic_to_the_cache(client, two):
    # Each topic's version is kept without expiry: anyone's made-up codes must not fill the cache.
    assert client.get("/api/facilities?subdistrict=no-such-place").status_code == 404
    assert cache.get("caching:version:directory:no-such-place") is None
    assert cache.get("caching:version:directory:any") is not None
