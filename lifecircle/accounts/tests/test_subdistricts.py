"""Two sub-districts in one installation: an administrator (or any staff member) of one reaches
nothing of the other, through the staff console, the staff pages, the services and the API
(issue 9, item 4; issue 10, "one access layer").

The second pack (community/tests/packs/second) reuses the mini pack's codes on purpose: both have a
grid "west", a compound "a" and a facility "canteen", so nothing can be found by code alone.
"""
import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.test import Client

from lifecircle.accounts import access, permissions, pipl
from lifecircle.accounts.models import RightsRequest, StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound, Grid, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.planning import scenarios
from lifecircle.planning.models import Scenario
from lifecircle.planning.permissions import planned_subdistrict_ids
from lifecircle.requests311 import defaults, intake, lifecycle
from lifecircle.volunteers import services as volunteers
from lifecircle.volunteers.models import Activity, Volunteer
from lifecircle.volunteers.views import own_volunteers

pytestmark = pytest.mark.django_db
SECOND = MINI.parent / "second"


def resident_in(subdistrict, name):
    return make_resident(make_household(Compound.objects.get(subdistrict=subdistrict, code="a")), name,
                         datetime.date(1950, 5, 1))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two():
    a, b = load_pack(MINI), load_pack(SECOND)
    side = {}
    for sub in (a, b):
        side[sub.pk] = SimpleNamespace(
            subdistrict=sub, admin=make_staff(StaffRole.Role.ADMINISTRATOR, sub),
            canteen=Facility.objects.get(subdistrict=sub, code="canteen"),
            west=Grid.objects.get(subdistrict=sub, code="west"),
            compound=Compound.objects.get(subdistrict=sub, code="a"),
            resident=resident_in(sub, f"{sub.code}居民"))
    superuser = make_user(is_staff=True, is_superuser=True)
    return SimpleNamespace(a=side[a.pk], b=side[b.pk], superuser=superuser)


def test_an_administrator_administers_their_own_sub_district_only(two):
    a, b = two.a, two.b
    assert access.administers(a.admin, a.subdistrict) and access.administers(a.admin, a.subdistrict.pk)
    assert not access.administers(a.admin, b.subdistrict)
    assert access.administers(a.admin)  # some sub-district
    assert access.administers(two.superuser, b.subdistrict)
    worker = make_staff(StaffRole.Role.GRID_WORKER, a.subdistrict, grid=a.west)
    assert not access.administers(worker) and not access.administers(worker, a.subdistrict)
    assert access.administered_subdistrict_ids(a.admin) == {a.subdistrict.pk}
    assert access.administered_subdistrict_ids(two.superuser) is None


def test_the_staff_pages_facilities_and_grids_of_an_administrator_are_their_sub_districts(two):
    a, b = two.a, two.b
    facilities = permissions.staff_facility_ids(a.admin)
    assert a.canteen.pk in facilities and b.canteen.pk not in facilities
    assert set(Facility.objects.filter(subdistrict=a.subdistrict).values_list("pk", flat=True)) == facilities
    with pytest.raises(PermissionDenied):
        permissions.require_facility_staff(a.admin, b.canteen)
    grids = lifecycle.handled_grid_ids(a.admin)
    assert a.west.pk in grids and b.west.pk not in grids
    assert permissions.has_role(a.admin, StaffRole.Role.CANTEEN_STAFF, facility=a.canteen)
    assert not permissions.has_role(a.admin, StaffRole.Role.CANTEEN_STAFF, facility=b.canteen)


def test_residents_and_their_records_stay_in_their_sub_district(two):
    a, b = two.a, two.b
    seen = set(access.staff_visible(a.admin, type(a.resident)).values_list("pk", flat=True))
    assert a.resident.pk in seen and b.resident.pk not in seen
    assert access.can_change(a.admin, a.resident) and not access.can_change(a.admin, b.resident)
    assert not access.can_see(a.admin, b.compound) and not access.can_change(a.admin, b.west)
    assert access.can_change(a.admin, a.west)
    # a staff member of A sees A's places (the choices on a facility's form), changes none of them
    canteen_staff = make_staff(StaffRole.Role.CANTEEN_STAFF, a.subdistrict, facility=a.canteen)
    assert access.can_see(canteen_staff, a.west) and not access.can_change(canteen_staff, a.west)
    assert not access.can_see(canteen_staff, b.west)


def test_an_administrator_cannot_change_another_sub_districts_places_in_the_console(two):
    a, b = two.a, two.b
    client = Client()
    client.force_login(a.admin)
    assert client.get(f"/admin/community/compound/{a.compound.pk}/change/").status_code == 200
    assert client.get(f"/admin/community/compound/{b.compound.pk}/change/").status_code == 302  # "no such"
    response = client.post(f"/admin/community/grid/{b.west.pk}/change/", {"name": "改名", "code": "west"})
    assert response.status_code in (302, 403)
    b.west.refresh_from_db()
    assert b.west.name != "改名"
    # nor make a sub-district, or remove their own (and everything in it)
    assert client.get("/admin/community/subdistrict/add/").status_code == 403
    assert client.get(f"/admin/community/subdistrict/{a.subdistrict.pk}/delete/").status_code == 403
    assert SubDistrict.objects.count() == 2


def test_an_administrator_gives_roles_in_their_own_sub_district_only(two):
    a, b = two.a, two.b
    client = Client()
    client.force_login(a.admin)
    someone = make_user(is_staff=True)
    response = client.post("/admin/accounts/staffrole/add/", {
        "user": someone.pk, "role": StaffRole.Role.ADMINISTRATOR, "subdistrict": b.subdistrict.pk})
    assert response.status_code == 200  # the form again: B is no choice
    assert not StaffRole.objects.filter(user=someone).exists()
    client.post("/admin/accounts/staffrole/add/", {
        "user": someone.pk, "role": StaffRole.Role.ADMINISTRATOR, "subdistrict": a.subdistrict.pk})
    assert StaffRole.objects.filter(user=someone, subdistrict=a.subdistrict).exists()


def _request_in(grid):
    data = QueryDict(mutable=True)
    lon, lat = ("121.4420", "31.2330") if grid.subdistrict.code == "mini" else ("121.4830", "31.2330")
    data.update({"service_code": "street_light", "long": lon, "lat": lat, "attribute[problem]": "off"})
    request = lifecycle.create_request(intake.parse_new_request(data))
    request.grid = grid
    request.save(update_fields=["grid"])
    return request


def test_requests_of_another_sub_district_are_not_handled_or_routed(two):
    a, b = two.a, two.b
    defaults.install()
    theirs = _request_in(b.west)
    assert not lifecycle.can_handle(a.admin, theirs) and lifecycle.can_handle(b.admin, theirs)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.route_by_hand(theirs, a.west, b.admin)  # B's administrator, into A's grid
    lifecycle.route_by_hand(theirs, b.west, b.admin)
    client = Client()
    client.force_login(a.admin)
    assert client.get(f"/requests311/staff/{theirs.pk}/").status_code in (403, 404)


def test_erasure_and_rights_requests_stay_with_the_residents_sub_district(two):
    a, b = two.a, two.b
    RightsRequest.objects.create(resident=b.resident, submitted_by=b.resident, kind=RightsRequest.Kind.ERASURE)
    assert not pipl.requests_for_staff(a.admin).exists()
    assert pipl.requests_for_staff(b.admin).count() == 1
    with pytest.raises(PermissionDenied):
        pipl.erase_resident(b.resident, by=a.admin)
    b.resident.refresh_from_db()
    assert b.resident.erased_at is None
    # a grid worker of B sees the request, but erasures are for B's administrators only
    worker = make_staff(StaffRole.Role.GRID_WORKER, b.subdistrict, grid=b.west)
    assert not pipl.requests_for_staff(worker).exists()


def test_volunteers_registry_and_activities_per_sub_district(two):
    a, b = two.a, two.b
    volunteers.register(a.resident)
    volunteers.register(b.resident)
    ours = Activity.objects.create(subdistrict=a.subdistrict, facility=a.canteen, title="义诊", published=True)
    theirs = Activity.objects.create(subdistrict=b.subdistrict, facility=b.canteen, title="义诊", published=True)
    assert volunteers.can_manage(a.admin, ours) and not volunteers.can_manage(a.admin, theirs)
    assert set(volunteers.managed_activities(a.admin)) == {ours}
    # the registry of active volunteers: every staff member's own sub-district's, never the other's
    staff_b = make_staff(StaffRole.Role.CANTEEN_STAFF, b.subdistrict, facility=b.canteen)
    registry = set(access.staff_visible(staff_b, Volunteer).values_list("resident__name", flat=True))
    assert registry == {b.resident.name}
    assert set(own_volunteers(a.admin).values_list("resident__name", flat=True)) == {a.resident.name}


def test_planners_see_the_scenarios_of_their_sub_districts_only(two):
    a, b = two.a, two.b
    mine, other = (scenarios.create_scenario(s, "方案", two.superuser) for s in (a.subdistrict, b.subdistrict))
    assert set(access.staff_visible(a.admin, Scenario)) == {mine}
    assert planned_subdistrict_ids(a.admin) == {a.subdistrict.pk}
    assert planned_subdistrict_ids(two.superuser) is None
    client = Client()
    client.force_login(a.admin)
    assert client.get(f"/admin/planning/scenario/{other.pk}/change/").status_code == 302
    assert client.get(f"/api/planning/scenarios/{other.pk}").status_code == 403
    assert client.get(f"/api/planning/scenarios/{mine.pk}").status_code == 200


def test_participation_is_moderated_per_sub_district_and_private_letters_stay_private(two):
    from lifecircle.participation.models import Process, Proposal, Representative, Thread

    a, b = two.a, two.b
    ours = Process.objects.create(subdistrict=a.subdistrict, slug="ours", title="我们的")
    theirs = Process.objects.create(subdistrict=b.subdistrict, slug="theirs", title="他们的")
    Proposal.objects.create(process=theirs, author=b.resident, title="长椅", body="<p>长椅</p>")
    manager = make_staff(StaffRole.Role.CENTRE_MANAGER, a.subdistrict, facility=a.canteen)
    assert set(access.staff_visible(manager, Process)) == {ours}
    assert not access.staff_visible(a.admin, Proposal).exists()
    assert access.can_change(manager, ours) and not access.can_change(manager, theirs)
    representative = Representative.objects.create(user=make_user(), subdistrict=a.subdistrict, name="代表")
    public = Thread.objects.create(representative=representative, resident=a.resident, subject="公开", is_public=True)
    Thread.objects.create(representative=representative, resident=a.resident, subject="私信")
    assert set(access.staff_visible(manager, Thread)) == {public}
    assert set(access.staff_visible(a.admin, Thread)) == {public}
    assert not access.staff_visible(b.admin, Thread).exists()
    staff_b = make_staff(StaffRole.Role.CANTEEN_STAFF, b.subdistrict, facility=b.canteen)
    assert not access.staff_visible(staff_b, Thread).exists()


def test_a_role_is_held_in_one_sub_district(two):
    from django.core.exceptions import ValidationError

    a, b = two.a, two.b
    for role in (StaffRole(user=make_user(), role=StaffRole.Role.CANTEEN_STAFF, subdistrict=a.subdistrict,
                           facility=b.canteen),
                 StaffRole(user=make_user(), role=StaffRole.Role.GRID_WORKER, subdistrict=a.subdistrict, grid=b.west)):
        with pytest.raises(ValidationError):
            role.full_clean()
    StaffRole(user=make_user(), role=StaffRole.Role.GRID_WORKER, subdistrict=b.subdistrict, grid=b.west).full_clean()
