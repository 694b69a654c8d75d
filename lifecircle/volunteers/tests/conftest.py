import datetime
from types import SimpleNamespace
from unittest import mock

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.volunteers import services
from lifecircle.volunteers.models import Activity, Role, Shift, Skill

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday


def at(day, hour, minute=0):
    """A moment in March 2026, Shanghai time."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """timezone.now() is NOW for the pages; tests move it with clock.return_value."""
    with mock.patch("django.utils.timezone.now", return_value=NOW) as patched:
        yield patched


@pytest.fixture
def world(db):
    subdistrict = load_pack(MINI)
    center, canteen = Facility.objects.get(code="center"), Facility.objects.get(code="canteen")
    first_aid = Skill.objects.create(slug="first_aid", name="急救", name_en="First aid")
    it_help = Skill.objects.create(slug="it_help", name="电脑手机辅导", name_en="Phone and computer help")
    manager = make_staff(StaffRole.Role.CENTRE_MANAGER, subdistrict, facility=center)
    fair = Activity.objects.create(subdistrict=subdistrict, facility=center, title="社区义诊日", title_en="Health fair",
                                   published=True, organiser=manager, place="服务中心一楼")
    guide = Role.objects.create(activity=fair, name="引导员", name_en="Guide")
    medic = Role.objects.create(activity=fair, name="急救员", name_en="First-aider", required_skill=first_aid)
    compound = Compound.objects.get(code="a")
    people = [make_resident(make_household(compound, f"{i}-101"), name, datetime.date(1960 + i, 1, 1),
                            email=f"v{i}@example.org")
              for i, name in enumerate(["王小明", "李红", "张伟", "陈静"])]
    return SimpleNamespace(
        subdistrict=subdistrict, center=center, canteen=canteen, first_aid=first_aid, it_help=it_help,
        manager=manager, canteen_staff=make_staff(StaffRole.Role.CANTEEN_STAFF, subdistrict, facility=canteen),
        admin=make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict),
        fair=fair, guide=guide, medic=medic, people=people,
        morning=Shift.objects.create(role=guide, starts_at=at(7, 9), ends_at=at(7, 12), capacity=2),
        afternoon=Shift.objects.create(role=guide, starts_at=at(7, 13), ends_at=at(7, 16, 30), capacity=2),
        medic_shift=Shift.objects.create(role=medic, starts_at=at(7, 9), ends_at=at(7, 12), capacity=1),
    )


@pytest.fixture
def volunteers(world):
    """The four residents registered as volunteers; the first knows first aid."""
    result = [services.register(person, availability="Sa 08:00-17:00") for person in world.people]
    result[0].skills.add(world.first_aid)
    return result
