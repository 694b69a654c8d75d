"""A small world for the meal tests: the MINI pack's canteen (which delivers, from age 80) with a
breakfast point as a further pickup point, subsidy tiers, a family and a neighbour, and a lunch and
a breakfast menu. The clock is fixed (``clock["now"]`` moves it), so no test depends on today."""
import datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.meals.models import Meal, MealPoint, Menu, MenuItem, SubsidyTier
from lifecircle.testing import at, client, english, zh_client  # noqa: F401  (fixtures shared by the apps' tests)

DAY = datetime.date(2026, 5, 12)  # a Tuesday


@pytest.fixture
def clock():
    state = {"now": at(DAY, 8, 0)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: state["now"]):
        yield state


def make_menu(facility, day, meal, dishes, published=True):
    menu = Menu.objects.create(facility=facility, date=day, meal=meal,
                               published_at=at(day - datetime.timedelta(days=7), 12) if published else None)
    items = [MenuItem.objects.create(menu=menu, name=name, name_en=name_en, price=Decimal(price), portions=portions,
                                     tags=tags, position=i)
             for i, (name, name_en, price, portions, tags) in enumerate(dishes)]
    return menu, items


@pytest.fixture
def world(db, clock):
    mini = load_pack(MINI)
    canteen = Facility.objects.get(code="canteen")
    breakfast_point = Facility.objects.create(
        subdistrict=mini, code="bp", name="早餐点", name_en="Breakfast point", lon=121.4440, lat=31.2330,
        category=ServiceCategory.objects.get(slug="breakfast"), opening_hours="Mo-Su 06:00-10:00")
    babycare = Facility.objects.get(code="babycare")
    point = MealPoint.objects.create(facility=canteen, delivers=True, delivery_min_age=80)
    point.pickup_points.add(breakfast_point)
    since = datetime.date(2026, 1, 1)
    for low, high, amount in [(60, 69, "0"), (70, 79, "2"), (80, 89, "4"), (90, None, "6")]:
        SubsidyTier.objects.create(subdistrict=mini, min_age=low, max_age=high, amount=Decimal(amount),
                                   effective_from=since)
    home = make_household(Compound.objects.get(code="a"), "3-502")
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9), health_notes="少盐，软食",
                            email="grandma@example.org", phone="13900001111")  # 80 on DAY
    mother = make_resident(home, "李红", datetime.date(1990, 3, 1), email="mother@example.org")  # 36
    other_home = make_household(Compound.objects.get(code="b"), "7-101")
    neighbour = make_resident(other_home, "陈伟", datetime.date(1950, 5, 1))  # 76
    lunch, (pork, fish) = make_menu(canteen, DAY, Meal.LUNCH, [
        ("红烧肉套餐", "Braised pork set", "15.00", 5, []),
        ("清蒸鱼套餐", "Steamed fish set", "18.00", 1, ["soft", "low_salt"]),
    ])
    breakfast, (porridge,) = make_menu(canteen, DAY + datetime.timedelta(days=1), Meal.BREAKFAST, [
        ("白粥", "Rice porridge", "3.00", 10, ["soft"]),
    ])
    cook = make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=canteen)
    return SimpleNamespace(
        mini=mini, canteen=canteen, breakfast_point=breakfast_point, babycare=babycare, point=point,
        home=home, grandma=grandma, mother=mother, neighbour=neighbour, lunch=lunch, pork=pork, fish=fish,
        breakfast=breakfast, porridge=porridge, cook=cook, clock=clock,
    )
