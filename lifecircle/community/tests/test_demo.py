"""The demo pack 'Jiangning Road Sub-district (illustrative)' holds what the sub-district runs."""
import pytest
from django.core.management import call_command

from lifecircle.accessibility.coverage import plan_check
from lifecircle.community.models import Compound, Grid, SubDistrict
from lifecircle.community.tests.test_packs import database_snapshot
from lifecircle.directory.models import Facility, PointOfInterest, Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo")
    return SubDistrict.objects.get(code="jiangning-road")


def test_demo_load_is_idempotent(demo):
    first = database_snapshot()
    call_command("load_demo")
    assert database_snapshot() == first


def test_demo_holds_the_sub_districts_services(demo):
    count = lambda slug: Facility.objects.filter(category__slug=slug).count()  # noqa: E731
    assert count("infant_care") == 5
    assert count("senior_activity") == 8
    assert count("senior_service_center") == 1 and count("senior_care_home") == 1
    assert count("breakfast") == 2
    canteens = Facility.objects.filter(category__slug="senior_meals")
    assert {f.name_en for f in canteens} >= {"Happiness Mini Canteen (Changde Road)"} and canteens.count() == 3
    assert Facility.objects.filter(name__contains="蒋家巷", category__slug="infant_care").exists()
    assert Facility.objects.filter(name__contains="脑健康").exists()
    for slug in ("health_center", "volunteer_center", "community_center"):
        assert count(slug) == 1
    assert Facility.objects.get(category__slug="library").opening_hours == "24/7"
    kinds = set(Room.objects.filter(facility__category__slug="community_center").values_list("kind", flat=True))
    assert kinds >= {"exhibition_hall", "studio", "lecture_hall", "reading_area", "representatives_window",
                     "meeting_room", "performance_stage", "baby_care", "children_centre", "classroom",
                     "volunteer_centre", "science_centre", "service_station"}


def test_demo_map_of_happiness_places(demo):
    names = set(PointOfInterest.objects.values_list("name_en", flat=True))
    for expected in ("Ohel Rachel Synagogue", "800 Show Creative Park", "U-YAO55", "Surpass Space Shankangli",
                     "Quban West Beijing Road", "M+ Mali Creative Park", "CREA-INFINITY", "Jing'an MOHO"):
        assert expected in names
    heritage = " ".join(PointOfInterest.objects.filter(kind="heritage").values_list("name", flat=True))
    assert "秘书处" in heritage and "特科" in heritage and "聂耳" in heritage


def test_demo_is_marked_illustrative_everywhere(demo):
    assert demo.illustrative and "illustrative" in demo.data_notice.lower()
    assert not Facility.objects.filter(illustrative=False).exists()
    assert not PointOfInterest.objects.filter(illustrative=False).exists()
    assert not Compound.objects.filter(illustrative=False).exists()


def test_demo_grids_and_population(demo):
    assert Grid.objects.filter(subdistrict=demo).count() == 4
    assert not Compound.objects.filter(grid=None).exists()
    assert demo.network.node_count > 800
    # The plan: every grid must have day care and meal assistance. The demo shows one that lacks day care.
    plan = {p["grid"]: p for p in plan_check(demo)}
    assert [code for code, p in sorted(plan.items()) if not p["met"]] == ["grid-4"]
    assert plan["grid-4"]["services"]["senior_day_care"] == []
