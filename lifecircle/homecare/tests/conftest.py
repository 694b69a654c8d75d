"""A small world for the home-care tests: the MINI pack (its street network, three compounds), a
care home as provider, three carers with different skills and shifts, a grandmother with a
health-record consent whose daughter acts for her, a grid worker, and another provider's staff.
The clock is fixed (``clock["now"]`` moves it)."""
import datetime
from types import SimpleNamespace
from unittest import mock

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_consent, make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.eldercare.models import HealthConsent
from lifecircle.homecare.models import Carer
from lifecircle.testing import at, client, english  # noqa: F401  (fixtures shared by the apps' tests)

DAY = datetime.date(2026, 5, 12)  # a Tuesday
T = datetime.time


@pytest.fixture
def clock():
    state = {"now": at(DAY, 7, 0)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: state["now"]):
        yield state


def provider(mini, code, name, slug="senior_care_home", lon=121.4440, lat=31.2320):
    return Facility.objects.create(subdistrict=mini, code=code, name=name, lon=lon, lat=lat,
                                   category=ServiceCategory.objects.get(slug=slug), opening_hours="Mo-Su 08:00-18:00")


def consented(resident):
    HealthConsent.objects.create(resident=resident, evidence="form 7", recorded_by=make_user(is_staff=True))
    return resident


@pytest.fixture
def world(db, clock):
    mini = load_pack(MINI)
    home = provider(mini, "home", "照护之家")
    other = provider(mini, "other", "另一家服务中心", "senior_service_center")
    family = make_household(Compound.objects.get(code="a"), "3-502")
    grandma = consented(make_resident(family, "张秀英", datetime.date(1940, 8, 9)))
    daughter = make_resident(make_household(Compound.objects.get(code="c"), "2-201"), "李红", datetime.date(1968, 3, 1))
    make_consent(grandma, daughter)
    neighbour = consented(make_resident(make_household(Compound.objects.get(code="b"), "7-101"), "陈伟",
                                        datetime.date(1938, 5, 1)))
    staff = make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=home)
    nurse = Carer.objects.create(provider=home, name="王护士", skills=["nursing", "personal_care"],
                                 shift_start=T(6, 30), shift_end=T(14, 30), user=staff)
    aide = Carer.objects.create(provider=home, name="刘护工", skills=["personal_care"],
                                shift_start=T(8, 0), shift_end=T(16, 0))
    walker = Carer.objects.create(provider=home, name="赵助餐员", skills=[], shift_start=T(10, 0), shift_end=T(14, 0),
                                  profile="ebike")
    grid = grandma.household.compound.grid
    return SimpleNamespace(
        mini=mini, home=home, other=other, grandma=grandma, daughter=daughter, neighbour=neighbour, staff=staff,
        nurse=nurse, aide=aide, walker=walker, clock=clock,
        other_staff=make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=other),
        grid_worker=make_staff(StaffRole.Role.GRID_WORKER, mini, grid=grid) if grid else None,
    )


def insulin_and_lunch(**changes):
    """Insulin before breakfast and a lunch delivery between 11:00 and 12:00, every day."""
    needs = [
        {"kind": "nursing", "weekdays": list(range(7)), "window_start": T(7, 0), "window_end": T(7, 45), "minutes": 15,
         "note": "insulin before breakfast"},
        {"kind": "meal_delivery", "weekdays": list(range(7)), "window_start": T(11, 0), "window_end": T(12, 0),
         "minutes": 5},
    ]
    for need in needs:
        need.update(changes)
    return needs
