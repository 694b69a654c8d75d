import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lifecircle.accounts import permissions
from lifecircle.accounts.models import AccessLog, StaffRole, age_on
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    return load_pack(MINI)


@pytest.fixture
def family(mini):
    home = make_household(Compound.objects.get(code="a"))
    mother = make_resident(home, "李红", datetime.date(1990, 3, 1))
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9), id_number="310106194508091234")
    baby = make_child(home)
    neighbour = make_resident(make_household(Compound.objects.get(code="b")), "陈伟")
    return mother, grandma, baby, neighbour


def test_masking():
    assert permissions.mask_phone("138-1234-5678") == "138****5678"
    assert permissions.mask_id_number("310106194508091234") == "310***********1234"
    assert permissions.mask_name("张秀英") == "张*英" and permissions.mask_name("李红") == "李*"


def test_age_counts_birthdays():
    assert age_on(datetime.date(2024, 6, 1), datetime.date(2026, 5, 31)) == 1
    assert age_on(datetime.date(2024, 6, 1), datetime.date(2026, 6, 1)) == 2


def test_acting_for_household_children_and_consenting_adults(family):
    mother, grandma, baby, neighbour = family
    permissions.check_can_act_for(mother, mother)
    permissions.check_can_act_for(mother, baby)
    with pytest.raises(PermissionDenied, match="no consent from them is on record"):
        permissions.check_can_act_for(mother, grandma)  # living together is not consent
    consent = make_consent(principal=grandma, proxy=mother)
    permissions.check_can_act_for(mother, grandma)
    assert permissions.people_for(mother) == ([mother, grandma], [baby])
    permissions.revoke(consent)
    with pytest.raises(PermissionDenied):
        permissions.check_can_act_for(mother, grandma)
    with pytest.raises(PermissionDenied, match="not a child of your household"):
        permissions.check_can_act_for(neighbour, baby)


def test_only_verified_residents_use_services(mini):
    resident = make_resident(make_household(Compound.objects.get(code="a")), verified=False)
    with pytest.raises(PermissionDenied, match="not yet verified"):
        permissions.resident_of(resident.user)
    with pytest.raises(PermissionDenied, match="Only residents"):
        permissions.resident_of(make_user())


def test_staff_roles_are_per_facility(mini):
    canteen, babycare = Facility.objects.get(code="canteen"), Facility.objects.get(code="babycare")
    cook = make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=canteen)
    permissions.require_facility_staff(cook, canteen)
    with pytest.raises(PermissionDenied, match="do not work at"):
        permissions.require_facility_staff(cook, babycare)
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    permissions.require_facility_staff(admin, babycare)
    with pytest.raises(ValidationError, match="one facility"):
        StaffRole(user=cook, role=StaffRole.Role.BABY_CARE_STAFF, subdistrict=mini).full_clean()


def test_grid_workers_see_only_their_grid(family, mini):
    mother, grandma, baby, neighbour = family
    west = make_staff(StaffRole.Role.GRID_WORKER, mini, grid=mini.grids.get(code="west"))
    assert set(permissions.visible_residents(west)) == {mother, grandma}


def test_staff_console_masks_lists_and_logs_every_read(client, family, mini):
    mother, grandma, baby, neighbour = family
    worker = make_staff(StaffRole.Role.GRID_WORKER, mini, grid=mini.grids.get(code="west"))
    assert worker.groups.get().name == "role:grid_worker"  # the role brings its console permissions
    client.force_login(worker)
    listing = client.get("/admin/accounts/resident/").content.decode()
    assert "张*英" in listing and "张秀英" not in listing and "13812345678" not in listing
    assert "陈*" not in listing  # another grid's resident
    assert AccessLog.objects.count() == 0
    page = client.get(f"/admin/accounts/resident/{grandma.pk}/change/").content.decode()
    assert "310106194508091234" not in page and "310***********1234" in page  # masked on the form
    log = AccessLog.objects.get()
    assert (log.user, log.resident, log.action) == (worker, grandma, "view")
    revealed = client.get(f"/admin/accounts/resident/{grandma.pk}/reveal-id/").content.decode()
    assert "310106194508091234" in revealed
    assert AccessLog.objects.filter(user=worker, resident=grandma, action="reveal").count() == 1
    assert client.get(f"/admin/accounts/resident/{neighbour.pk}/change/").status_code == 302  # not found for them
