"""Fixtures of the baby-care tests: the mini pack's baby-care centre with two age groups and four
priority rules, families in its compounds, staff, and a clock fixed at Monday 2026-06-01 09:00."""
import datetime
from unittest import mock

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.babycare.models import AgeGroup, CareProgramme, PriorityRule
from lifecircle.community.models import Compound
from lifecircle.directory.models import Facility
from lifecircle.testing import client, english, mini  # noqa: F401  (fixtures shared by the apps' tests)

from .helpers import SHANGHAI, Clock


@pytest.fixture
def clock():
    clock = Clock(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI))  # a Monday
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


@pytest.fixture
def centre(mini):
    """The mini pack's 宝宝屋 (Mo-Fr 08:30-17:00): 12–23 months with 2 places, 24–36 with 3."""
    programme = CareProgramme.objects.create(facility=Facility.objects.get(code="babycare"),
                                             centre_type=CareProgramme.CentreType.INTERGENERATIONAL, offer_days=7)
    AgeGroup.objects.create(programme=programme, min_months=12, max_months=23, places=2)
    AgeGroup.objects.create(programme=programme, min_months=24, max_months=36, places=3)
    near = PriorityRule.objects.create(programme=programme, position=1, kind=PriorityRule.Kind.NEAR_HOME, weight=30)
    near.compounds.set([Compound.objects.get(code="a")])
    PriorityRule.objects.create(programme=programme, position=2, kind=PriorityRule.Kind.SIBLING_PLACED, weight=25)
    PriorityRule.objects.create(programme=programme, position=3, kind=PriorityRule.Kind.HARDSHIP, weight=20)
    PriorityRule.objects.create(programme=programme, position=4, kind=PriorityRule.Kind.BOTH_PARENTS_WORKING, weight=10)
    return programme


@pytest.fixture
def other_centre(mini):
    """A second infant-care centre in the mini sub-district, with its own staff."""
    babycare = Facility.objects.get(code="babycare")
    facility = Facility.objects.create(
        subdistrict=babycare.subdistrict, grid=babycare.grid, code="babycare2", name="第二宝宝屋", name_en="Baby care 2",
        category=babycare.category, lon=babycare.lon, lat=babycare.lat, opening_hours="Mo-Fr 08:30-17:00",
    )
    programme = CareProgramme.objects.create(facility=facility, centre_type=CareProgramme.CentreType.HOURLY)
    AgeGroup.objects.create(programme=programme, min_months=12, max_months=36, places=5)
    return programme


@pytest.fixture
def staff_user(centre):
    return make_staff(StaffRole.Role.BABY_CARE_STAFF, centre.facility.subdistrict, facility=centre.facility)
