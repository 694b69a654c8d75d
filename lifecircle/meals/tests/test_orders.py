"""The ordering rules: subsidy, cut-off, portions, pickup and delivery, acting for others, cancelling.
Every refusal gives its reason and changes nothing."""
import datetime
import json
from decimal import Decimal

import pytest
from django.utils import translation
from django.core.exceptions import PermissionDenied, ValidationError

from lifecircle.accounts.testing import make_consent, make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.meals import services
from lifecircle.meals.models import DeliveryNeed, Meal, MealOrder, MealPoint, MenuItem, SubsidyTier
from lifecircle.notifications.models import Notification

from .conftest import DAY, at, make_menu

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row a refused order could have touched."""
    return (
        json.dumps(list(MealOrder.objects.order_by("pk").values()), default=str),
        json.dumps(list(MenuItem.objects.order_by("pk").values()), default=str),
        Notification.objects.count(),
    )


def refused(match, call, *args, **kwargs):
    """Assert ``call`` is refused with a reason matching ``match`` and that nothing changed."""
    before = snapshot()
    with pytest.raises((services.Refused, PermissionDenied)) as error:
        call(*args, **kwargs)
    message = getattr(error.value, "message", None) or str(error.value)
    assert match in message, message
    assert snapshot() == before
    return error.value


def test_order_stores_price_subsidy_and_amount_due_and_prefills_dietary_notes(world):
    order = services.place_order(world.grandma.user, world.pork.pk)
    assert (order.price, order.subsidy, order.amount_due) == (Decimal("15.00"), Decimal("4.00"), Decimal("11.00"))
    assert order.dietary_notes == "少盐，软食"  # from the resident's health and dietary notes
    assert order.pickup_point == world.canteen and order.fulfilment == "pickup"
    assert order.ordered_by == world.grandma and order.menu == world.lunch
    note = Notification.objects.get(user=world.grandma.user)
    assert note.kind == "confirmation" and "红烧肉套餐" in note.body and "11.00" in note.body
    with translation.override("en"):  # each reader sees it in their own language
        assert note.shown_subject == "Meal ordered" and note.shown_body.startswith("红烧肉套餐, lunch on")
    # Later changes to the price or the tiers do not change what was agreed.
    MenuItem.objects.filter(pk=world.pork.pk).update(price=Decimal("20.00"))
    SubsidyTier.objects.update(amount=Decimal("1.00"))
    order.refresh_from_db()
    assert (order.price, order.subsidy, order.amount_due) == (Decimal("15.00"), Decimal("4.00"), Decimal("11.00"))


def test_dietary_notes_given_with_the_order_replace_the_recorded_ones(world):
    order = services.place_order(world.grandma.user, world.pork.pk, dietary_notes="不要辣")
    assert order.dietary_notes == "不要辣"


@pytest.mark.parametrize(("birth_date", "subsidy"), [
    (datetime.date(1990, 3, 1), "0.00"),    # 36: no tier
    (datetime.date(1961, 5, 12), "0.00"),   # 65: the 60–69 tier gives nothing
    (datetime.date(1956, 5, 12), "2.00"),   # 70 on the day itself
    (datetime.date(1956, 5, 13), "0.00"),   # 69, turning 70 the day after
    (datetime.date(1946, 5, 12), "4.00"),   # 80
    (datetime.date(1936, 5, 12), "6.00"),   # 90
    (datetime.date(1925, 1, 1), "6.00"),    # 101: the open-ended tier
])
def test_subsidy_follows_the_age_on_the_day_of_the_meal(world, birth_date, subsidy):
    person = make_resident(make_household(Compound.objects.get(code="c")), birth_date=birth_date)
    order = services.place_order(person.user, world.pork.pk)
    assert order.subsidy == Decimal(subsidy)
    assert order.amount_due == Decimal("15.00") - Decimal(subsidy)


def test_subsidy_tiers_apply_from_their_effective_date(world):
    SubsidyTier.objects.filter(min_age=80).update(effective_to=datetime.date(2026, 5, 31))
    SubsidyTier.objects.create(subdistrict=world.mini, min_age=80, max_age=89, amount=Decimal("5.00"),
                               effective_from=datetime.date(2026, 6, 1))
    june = datetime.date(2026, 6, 2)
    _menu, (june_dish,) = make_menu(world.canteen, june, Meal.LUNCH, [("鱼香肉丝套餐", "", "15.00", 5, [])])
    assert services.place_order(world.grandma.user, world.pork.pk).subsidy == Decimal("4.00")  # May
    assert services.place_order(world.grandma.user, june_dish.pk).subsidy == Decimal("5.00")  # June


def test_subsidy_never_exceeds_the_price(world):
    person = make_resident(make_household(Compound.objects.get(code="c")), birth_date=datetime.date(1930, 1, 1))
    order = services.place_order(person.user, world.porridge.pk)  # a ¥3 breakfast, tier ¥6
    assert (order.subsidy, order.amount_due) == (Decimal("3.00"), Decimal("0.00"))


def test_overlapping_subsidy_tiers_are_refused(world):
    tier = SubsidyTier(subdistrict=world.mini, min_age=85, max_age=95, amount=Decimal("3"),
                       effective_from=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="overlaps"):
        tier.full_clean()
    later = SubsidyTier(subdistrict=world.mini, min_age=70, max_age=60, amount=Decimal("1"),
                        effective_from=datetime.date(2027, 1, 1))
    with pytest.raises(ValidationError, match="upper age"):
        later.full_clean()
    SubsidyTier.objects.update(effective_to=datetime.date(2026, 12, 31))
    SubsidyTier(subdistrict=world.mini, min_age=60, max_age=None, amount=Decimal("3"),
                effective_from=datetime.date(2027, 1, 1)).full_clean()  # after the old ones end: fine


def test_order_after_the_cut_off_is_refused(world, clock):
    clock["now"] = at(DAY, 9, 0)
    services.place_order(world.mother.user, world.pork.pk)  # 09:00 itself is still in time
    clock["now"] = at(DAY, 9, 1)
    refused("closed at 2026-05-12 09:00", services.place_order, world.grandma.user, world.pork.pk)


def test_breakfast_closes_the_evening_before(world, clock):
    clock["now"] = at(DAY, 17, 1)  # breakfast is on DAY + 1; the default cut-off is 17:00 the day before
    refused("closed at 2026-05-12 17:00", services.place_order, world.grandma.user, world.porridge.pk)
    clock["now"] = at(DAY, 16, 59)
    services.place_order(world.grandma.user, world.porridge.pk)


def test_cut_off_is_configured_per_facility(world, clock):
    MealPoint.objects.filter(pk=world.point.pk).update(lunch_cutoff_time=datetime.time(10, 30))
    clock["now"] = at(DAY, 10, 0)
    services.place_order(world.grandma.user, world.pork.pk)
    MealPoint.objects.filter(pk=world.point.pk).update(lunch_cutoff_days=1)  # now: the day before, 10:30
    refused("closed at 2026-05-11 10:30", services.place_order, world.mother.user, world.pork.pk)


def test_a_facility_without_rules_uses_the_defaults(world, clock):
    world.point.delete()
    clock["now"] = at(DAY, 9, 30)
    refused("closed at 2026-05-12 09:00", services.place_order, world.grandma.user, world.pork.pk)


def test_sold_out_dish_is_refused(world):
    services.place_order(world.grandma.user, world.fish.pk)  # the only portion
    error = refused("清蒸鱼套餐 is sold out", services.place_order, world.mother.user, world.fish.pk)
    assert error.status == 409


def test_one_dish_per_resident_and_meal(world):
    services.place_order(world.grandma.user, world.pork.pk)
    refused("already has 红烧肉套餐 for this meal", services.place_order, world.grandma.user, world.fish.pk)


def test_unpublished_menu_cannot_be_ordered(world):
    _menu, (dish,) = make_menu(world.canteen, DAY, Meal.DINNER, [("面", "", "10", 5, [])], published=False)
    refused("not been published", services.place_order, world.grandma.user, dish.pk)


def test_unknown_dish_is_refused(world):
    refused("no such dish", services.place_order, world.grandma.user, 999999)


def test_pickup_at_a_further_point_of_the_canteen(world):
    order = services.place_order(world.grandma.user, world.pork.pk, pickup_point_id=world.breakfast_point.pk)
    assert order.pickup_point == world.breakfast_point


def test_pickup_elsewhere_is_refused(world):
    refused("cannot be collected there", services.place_order, world.grandma.user, world.pork.pk,
            pickup_point_id=world.babycare.pk)


def test_delivery_for_residents_old_enough(world):
    order = services.place_order(world.grandma.user, world.pork.pk, fulfilment="delivery")
    assert order.fulfilment == "delivery" and order.pickup_point is None
    assert order.delivery_address == "甲小区 3-502" or order.delivery_address.endswith("3-502")


def test_delivery_for_someone_not_eligible_is_refused(world):
    refused("not eligible for home delivery", services.place_order, world.neighbour.user, world.pork.pk,
            fulfilment="delivery")  # 76, nothing recorded


@pytest.mark.parametrize("flag", ["lives_alone", "disabled"])
def test_delivery_for_residents_staff_flagged(world, flag):
    DeliveryNeed.objects.create(resident=world.neighbour, recorded_by=world.cook, **{flag: True})
    order = services.place_order(world.neighbour.user, world.pork.pk, fulfilment="delivery")
    assert order.delivery_address.endswith("7-101")


def test_a_flag_without_a_reason_does_not_qualify(world):
    DeliveryNeed.objects.create(resident=world.neighbour, recorded_by=world.cook, note="asked")
    refused("not eligible", services.place_order, world.neighbour.user, world.pork.pk, fulfilment="delivery")


def test_delivery_age_is_configurable(world):
    MealPoint.objects.filter(pk=world.point.pk).update(delivery_min_age=75)
    services.place_order(world.neighbour.user, world.pork.pk, fulfilment="delivery")


def test_delivery_from_a_point_that_does_not_deliver_is_refused(world):
    MealPoint.objects.filter(pk=world.point.pk).update(delivers=False)
    refused("does not deliver", services.place_order, world.grandma.user, world.pork.pk, fulfilment="delivery")


def test_bad_fulfilment_is_refused(world):
    refused("pickup or home delivery", services.place_order, world.grandma.user, world.pork.pk, fulfilment="drone")


def test_ordering_for_someone_needs_their_consent(world):
    # Same household, but no consent on record.
    refused("no consent from them is on record", services.place_order, world.mother.user, world.pork.pk,
            person=world.grandma)
    # Another household, no consent either.
    refused("no consent from them is on record", services.place_order, world.neighbour.user, world.pork.pk,
            person=world.grandma)


def test_ordering_for_someone_with_consent(world):
    make_consent(principal=world.grandma, proxy=world.mother)
    order = services.place_order(world.mother.user, world.pork.pk, person=world.grandma)
    assert order.resident == world.grandma and order.ordered_by == world.mother
    assert order.subsidy == Decimal("4.00")  # the grandmother's age counts, not the daughter's
    assert order.dietary_notes == "少盐，软食"  # the grandmother's notes
    assert Notification.objects.filter(user=world.grandma.user, kind="confirmation").count() == 1
    assert "张秀英" in Notification.objects.get(user=world.mother.user).body


def test_unverified_residents_cannot_order(world):
    unverified = make_resident(make_household(Compound.objects.get(code="c")), "赵六", verified=False)
    refused("not yet verified", services.place_order, unverified.user, world.pork.pk)
    make_consent(principal=unverified, proxy=world.mother)
    refused("not yet verified that 赵六", services.place_order, world.mother.user, world.pork.pk, person=unverified)


def test_cancel_before_the_cut_off_frees_the_portion(world, clock):
    order = services.place_order(world.grandma.user, world.fish.pk)
    clock["now"] = at(DAY, 8, 59)
    services.cancel_order(world.grandma.user, order.pk)
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancelled_by == world.grandma.user
    assert Notification.objects.filter(user=world.grandma.user, kind="cancellation").exists()
    again = services.place_order(world.mother.user, world.fish.pk)  # the portion is free again
    assert again.status == "placed"
    refused("already cancelled", services.cancel_order, world.grandma.user, order.pk)


def test_cancel_after_the_cut_off_is_refused(world, clock):
    order = services.place_order(world.grandma.user, world.pork.pk)
    clock["now"] = at(DAY, 9, 1)
    refused("could be cancelled until 2026-05-12 09:00", services.cancel_order, world.grandma.user, order.pk)
    order.refresh_from_db()
    assert order.status == "placed"


def test_cancelling_someone_elses_order_needs_consent(world):
    order = services.place_order(world.grandma.user, world.pork.pk)
    refused("no consent", services.cancel_order, world.neighbour.user, order.pk)
    make_consent(principal=world.grandma, proxy=world.neighbour)
    services.cancel_order(world.neighbour.user, order.pk)


def test_portions_cannot_be_cut_below_what_is_ordered(world):
    services.place_order(world.grandma.user, world.pork.pk)
    services.place_order(world.mother.user, world.pork.pk)
    world.pork.portions = 1
    with pytest.raises(ValidationError, match="2 portions are already ordered"):
        world.pork.full_clean()
    world.pork.portions = 2
    world.pork.full_clean()


def test_dietary_tags_must_be_known(world):
    world.pork.tags = ["soft", "spicy"]
    with pytest.raises(ValidationError, match="Dietary tags"):
        world.pork.full_clean()
