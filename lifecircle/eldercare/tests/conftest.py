"""A small world for the senior-care tests: the MINI pack's canteen (which offers day care), a care
home and an activity room; place types; a family, a neighbour and staff at each facility. The clock
is fixed (``clock["now"]`` moves it), so no test depends on today."""
import datetime
from types import SimpleNamespace
from unittest import mock

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.eldercare.models import Activity, PlaceType
from lifecircle.testing import at, client, english, zh_client  # noqa: F401  (fixtures shared by the apps' tests)

DAY = datetime.date(2026, 5, 12)  # a Tuesday


def day(n):
    """DAY plus ``n`` days."""
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def clock():
    state = {"now": at(DAY, 8, 0)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: state["now"]):
        yield state


def facility(mini, code, name, slug):
    return Facility.objects.create(subdistrict=mini, code=code, name=name, lon=121.444, lat=31.233,
                                   category=ServiceCategory.objects.get(slug=slug), opening_hours="Mo-Su 08:00-18:00")


@pytest.fixture
def world(db, clock):
    mini = load_pack(MINI)
    canteen = Facility.objects.get(code="canteen")  # senior meals, also day care
    home = facility(mini, "home", "照护之家", "senior_care_home")
    club = facility(mini, "club", "老年活动室", "senior_activity")
    babycare = Facility.objects.get(code="babycare")
    daily = PlaceType.objects.create(facility=canteen, kind="daily", capacity=2)
    short = PlaceType.objects.create(facility=home, kind="short_term", capacity=2, max_days=30)
    memory = PlaceType.objects.create(facility=home, kind="short_term", cognitive_care=True, capacity=1, max_days=30)
    family = make_household(Compound.objects.get(code="a"), "3-502")
    grandma = make_resident(family, "张秀英", datetime.date(1945, 8, 9), email="grandma@example.org",
                            phone="13900001111")
    mother = make_resident(family, "李红", datetime.date(1990, 3, 1), email="mother@example.org")
    neighbour = make_resident(make_household(Compound.objects.get(code="b"), "7-101"), "陈伟",
                              datetime.date(1950, 5, 1))
    activity = Activity.objects.create(facility=club, title="书法班", title_en="Calligraphy", capacity=2,
                                       start=at(DAY, 14), end=at(DAY, 15, 30))
    return SimpleNamespace(
        mini=mini, canteen=canteen, home=home, club=club, babycare=babycare, daily=daily, short=short, memory=memory,
        family=family, grandma=grandma, mother=mother, neighbour=neighbour, activity=activity, clock=clock,
        carer=make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=canteen),
        home_staff=make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=home),
        club_staff=make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=club),
    )


def other_resident(name="王五", birth_date=datetime.date(1940, 1, 1), **fields):
    return make_resident(make_household(Compound.objects.get(code="c")), name, birth_date, **fields)
