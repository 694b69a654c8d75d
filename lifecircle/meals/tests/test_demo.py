"""load_meals_demo: illustrative menus for the demo's canteens and breakfast points, subsidy tiers;
safe to run again. (The demo pack is loaded directly, so other apps' demo commands do not run.)"""
import datetime
import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lifecircle.community.management.commands.load_demo import DEMO_PACK
from lifecircle.community.packs import load_pack
from lifecircle.meals.models import MealOrder, MealPoint, Menu, MenuItem, SubsidyTier

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 14, 10, 0))  # a Thursday


def rows():
    return {model.__name__: json.dumps(list(model.objects.order_by("pk").values()), default=str)
            for model in (MealPoint, Menu, MenuItem, SubsidyTier)}


def test_needs_the_demo_first():
    with pytest.raises(CommandError, match="run manage.py load_demo first"):
        call_command("load_meals_demo", stdout=io.StringIO())


def test_loads_a_week_from_monday_and_is_idempotent():
    load_pack(DEMO_PACK)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("load_meals_demo", stdout=io.StringIO())
        first = rows()
        call_command("load_meals_demo", stdout=io.StringIO())
    assert rows() == first
    dates = sorted(set(Menu.objects.values_list("date", flat=True)))
    assert dates == [datetime.date(2026, 5, 11) + datetime.timedelta(days=i) for i in range(7)]
    codes = set(Menu.objects.values_list("facility__code", flat=True))
    assert {"senior-canteen-yuyao", "senior-canteen-haifang", "breakfast-jiaozhou", "breakfast-jiangning",
            "happiness-mini-canteen"} <= codes
    assert set(Menu.objects.filter(facility__code="breakfast-jiaozhou").values_list("meal", flat=True)) == {
        "breakfast"}
    assert not Menu.objects.filter(illustrative=False).exists()
    assert not Menu.objects.filter(published_at__isnull=True).exists()
    assert Menu.objects.filter(note__contains="春季").exists()  # May: the spring menu
    for item in MenuItem.objects.all():
        item.full_clean()  # tags and prices valid
    tiers = SubsidyTier.objects.order_by("min_age")
    assert [(t.min_age, t.max_age, str(t.amount)) for t in tiers] == [
        (60, 69, "0.00"), (70, 79, "2.00"), (80, 89, "4.00"), (90, None, "6.00")]
    assert all(t.illustrative and t.effective_from == datetime.date(2026, 1, 1) for t in tiers)
    assert MealPoint.objects.get(facility__code="senior-canteen-yuyao").delivers


def test_reloading_keeps_menus_that_were_ordered_from():
    from lifecircle.accounts.testing import make_household, make_resident
    from lifecircle.community.models import Compound

    load_pack(DEMO_PACK)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("load_meals_demo", stdout=io.StringIO())
        item = MenuItem.objects.filter(menu__date=datetime.date(2026, 5, 15), menu__meal="lunch").first()
        person = make_resident(make_household(Compound.objects.first()))
        MealOrder.objects.create(resident=person, ordered_by=person, menu=item.menu, item=item, fulfilment="pickup",
                                 pickup_point=item.menu.facility, price=item.price, subsidy=0,
                                 amount_due=item.price)
        MenuItem.objects.filter(pk=item.pk).update(name="改过的菜")
        call_command("load_meals_demo", stdout=io.StringIO())
    assert MenuItem.objects.get(pk=item.pk).name == "改过的菜"
