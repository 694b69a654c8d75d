"""The access layer and the findings of the privacy review (issue 10) about residents, households
and consents: each test here failed before the access layer."""
import datetime

import pytest

from lifecircle.accounts import access
from lifecircle.accounts.models import AccessLog, Consent, Household, Resident, StaffRole
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """Compound a is in the west grid, b in the east; a grid worker in the west."""
    mini = load_pack(MINI)
    west_home = make_household(Compound.objects.get(code="a"), "1-101")
    east_home = make_household(Compound.objects.get(code="b"), "9-909")
    return {
        "mini": mini,
        "west_home": west_home, "east_home": east_home,
        "west_resident": make_resident(west_home, "李红", phone="13900001111"),
        "east_elder": make_resident(east_home, "王秀英", datetime.date(1940, 1, 2), health_notes="diabetic"),
        "east_child": make_child(east_home, "王小宝", datetime.date(2024, 3, 4)),
        "worker": make_staff(StaffRole.Role.GRID_WORKER, mini, grid=mini.grids.get(code="west")),
    }


def test_grid_worker_cannot_record_a_consent_for_another_grid(client, town):
    client.force_login(town["worker"])
    response = client.post("/admin/accounts/consent/add/", {
        "principal": town["east_elder"].pk, "proxy": town["west_resident"].pk, "relation": "friend",
        "evidence": "none"})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Consent.objects.exists()
    # and the principal's orders stay out of reach: the would-be proxy acts for nobody else
    assert access.scope_of(town["west_resident"].user).people == {town["west_resident"].pk}


def test_grid_worker_records_a_consent_in_their_grid_and_it_is_audited(client, town):
    neighbour = make_resident(town["west_home"], "李明")
    client.force_login(town["worker"])
    response = client.post("/admin/accounts/consent/add/", {
        "principal": neighbour.pk, "proxy": town["west_resident"].pk, "relation": "daughter", "evidence": "form 7"})
    assert response.status_code == 302
    assert AccessLog.objects.filter(user=town["worker"], resident=neighbour, action="consent").count() == 1


def test_grid_worker_cannot_move_a_resident_into_another_grids_household(client, town):
    resident = town["west_resident"]
    client.force_login(town["worker"])
    response = client.post(f"/admin/accounts/resident/{resident.pk}/change/", {
        "household": town["east_home"].pk, "name": resident.name, "phone": resident.phone, "id_number": "",
        "birth_date": resident.birth_date.isoformat(), "health_notes": ""})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    resident.refresh_from_db()
    assert resident.household == town["west_home"]


def test_grid_worker_cannot_link_a_staff_or_another_residents_account(client, town):
    resident = town["west_resident"]
    client.force_login(town["worker"])
    for account in (town["worker"], town["east_elder"].user):
        response = client.post(f"/admin/accounts/resident/{resident.pk}/change/", {
            "user": account.pk, "household": town["west_home"].pk, "name": resident.name, "phone": resident.phone,
            "id_number": "", "birth_date": resident.birth_date.isoformat(), "health_notes": ""})
        assert response.status_code == 200 and "errornote" in response.content.decode()
    resident.refresh_from_db()
    assert resident.user != town["worker"]


def test_an_empty_id_number_keeps_the_one_on_record(client, town):
    resident = town["west_resident"]
    Resident.objects.filter(pk=resident.pk).update(id_number="310106194508091234")
    client.force_login(town["worker"])
    response = client.post(f"/admin/accounts/resident/{resident.pk}/change/", {
        "user": resident.user_id, "household": town["west_home"].pk, "name": resident.name, "phone": "13900002222",
        "id_number": "", "birth_date": resident.birth_date.isoformat(), "health_notes": ""})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.id_number, resident.phone) == ("310106194508091234", "13900002222")


def test_grid_worker_lists_only_their_grids_households_children_and_consents(client, town):
    make_consent(principal=town["east_elder"], proxy=make_resident(town["east_home"], "王强"))
    client.force_login(town["worker"])
    households = client.get("/admin/accounts/household/").content.decode()
    assert "1-101" in households and "9-909" not in households
    assert client.get(f"/admin/accounts/household/{town['east_home'].pk}/change/").status_code == 302
    assert "王*英" not in client.get("/admin/accounts/consent/").content.decode()
    children = client.get("/admin/accounts/child/").content.decode()
    assert "王*宝" not in children


def test_children_lists_show_no_full_birth_date(client, town):
    child = make_child(town["west_home"], "李小宝", datetime.date(2023, 7, 19))
    client.force_login(town["worker"])
    response = client.get("/admin/accounts/child/")
    listing = response.content.decode()
    assert "李*宝" in listing and "2023" in listing
    assert "birth_date" not in response.context["cl"].list_display
    assert not any(day in listing for day in ("7月19日", "2023-07-19", "July 19", "19, 2023"))
    assert not AccessLog.objects.exists()
    client.get(f"/admin/accounts/child/{child.pk}/change/")
    assert AccessLog.objects.get().child == child


def test_a_phone_number_search_is_audited_and_masked(client, town):
    client.force_login(town["worker"])
    listing = client.get("/admin/accounts/resident/", {"q": "13900001111"}).content.decode()
    assert "李*" in listing
    log = AccessLog.objects.get(action="search")
    assert log.user == town["worker"] and "13900001111" not in log.purpose and "139****1111" in log.purpose


def test_a_revoked_consent_ends_access_at_once(town):
    daughter = make_resident(town["east_home"], "王丽")
    consent = make_consent(principal=town["east_elder"], proxy=daughter)
    assert access.can_see(daughter.user, town["east_elder"])
    from lifecircle.accounts.permissions import revoke

    revoke(consent)
    assert not access.can_see(daughter.user, town["east_elder"])
    assert set(access.visible(daughter.user, Household)) == {town["east_home"]}  # their own home still


def test_visible_by_role(town):
    worker, mini = town["worker"], town["mini"]
    assert set(access.visible(worker, Resident)) == {town["west_resident"]}
    admin_user = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    assert set(access.visible(admin_user, Resident)) == set(Resident.objects.all())
    canteen_cook = make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=Facility.objects.get(code="canteen"))
    assert not access.visible(canteen_cook, Resident).exists()  # staff reach people through their facility's rows
    assert set(access.visible(town["east_elder"].user, Resident)) == {town["east_elder"]}


def test_one_refusal_for_anyone_one_may_not_act_for(town):
    from django.core.exceptions import PermissionDenied

    from lifecircle.accounts.permissions import check_can_act_for

    messages = set()
    for person in (town["east_elder"], town["east_child"]):
        with pytest.raises(PermissionDenied) as refused:
            check_can_act_for(town["west_resident"], person)
        messages.add(str(refused.value))
    assert messages == {str(access.NOT_YOURS)}  # the same words whoever it is
    assert "王" not in messages.pop()
