"""Fixtures: the MINI pack's service centre (open Mo-Su 09:00-21:00; its meeting room holds 20 and
is confirmed at once, its stage holds 120 and needs approval), residents, staff, a fixed clock."""
import datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility, Room
from lifecircle.testing import english, mini  # noqa: F401  (fixtures shared by the apps' tests)

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: "Now" in these tests: Monday 2 March 2026, 08:00 in Shanghai.
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)


def at(day, hour, minute=0):
    """2 March 2026 + ``day`` days, at hour:minute in Shanghai."""
    return datetime.datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI) + datetime.timedelta(days=day)


@pytest.fixture
def clock():
    """Freeze django.utils.timezone.now at NOW; set clock.return_value to move it."""
    with patch("django.utils.timezone.now", return_value=NOW) as mocked:
        yield mocked


@pytest.fixture
def centre(mini):
    return Facility.objects.get(code="center")


@pytest.fixture
def meeting(centre):
    return Room.objects.get(facility=centre, code="meeting")


@pytest.fixture
def stage(centre):
    return Room.objects.get(facility=centre, code="stage")


@pytest.fixture
def home(mini):
    return make_household(Compound.objects.get(code="a"))


@pytest.fixture
def resident(home):
    return make_resident(home, "李红", datetime.date(1960, 3, 1), email="li@example.org")


@pytest.fixture
def neighbour(mini):
    return make_resident(make_household(Compound.objects.get(code="b"), "2-202"), "陈伟", email="chen@example.org")


@pytest.fixture
def manager(mini, centre):
    return make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=centre)


@pytest.fixture
def canteen_staff(mini):
    return make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=Facility.objects.get(code="canteen"))
