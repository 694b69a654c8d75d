"""Staff lists: production per dish and meal, deliveries (masked except for the facility's own staff,
every read logged), statements, and the staff console."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.meals import services
from lifecircle.meals.models import DeliveryNeed, Meal

from .conftest import DAY, make_menu

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(world):
    DeliveryNeed.objects.create(resident=world.neighbour, lives_alone=True, recorded_by=world.cook)
    third = make_resident(make_household(Compound.objects.get(code="c"), "9-9"), "王五", datetime.date(1940, 1, 1),
                          health_notes="少盐，软食")
    return [
        services.place_order(world.grandma.user, world.pork.pk, fulfilment="delivery"),
        services.place_order(world.neighbour.user, world.pork.pk, fulfilment="delivery", dietary_notes="不吃葱"),
        services.place_order(world.mother.user, world.fish.pk, pickup_point_id=world.breakfast_point.pk,
                             dietary_notes=""),
        services.place_order(third.user, world.porridge.pk),
    ]


def test_production_list_counts_per_meal_and_dish_with_dietary_notes(world, orders):
    lunch = services.production_list(world.cook, world.canteen, DAY)
    assert [m["meal"] for m in lunch] == ["lunch"]
    pork, fish = lunch[0]["dishes"]
    assert (pork["ordered"], pork["left"], pork["pickup"], pork["delivery"]) == (2, 3, 0, 2)
    assert pork["dietary_notes"] == [("不吃葱", 1), ("少盐，软食", 1)]
    assert (fish["ordered"], fish["left"], fish["pickup_points"]) == (1, 0, [("早餐点", 1)])
    assert lunch[0]["total"] == 3
    breakfast = services.production_list(world.cook, world.canteen, DAY + datetime.timedelta(days=1))
    assert breakfast[0]["dishes"][0]["dietary_notes"] == [("少盐，软食", 1)]


def test_cancelled_orders_leave_the_production_list(world, orders):
    services.cancel_order(world.neighbour.user, orders[1].pk)
    pork = services.production_list(world.cook, world.canteen, DAY)[0]["dishes"][0]
    assert (pork["ordered"], pork["delivery"]) == (1, 1)


def test_delivery_list_is_whole_for_the_facilitys_staff_and_logged(world, orders):
    rows = sorted(services.delivery_list(world.cook, world.canteen, DAY), key=lambda r: r["id"])
    assert [(r["name"], r["phone"], r["masked"]) for r in rows] == [
        ("张秀英", "13900001111", False), ("陈伟", "13812345678", False)]
    assert rows[0]["address"].endswith("3-502")
    assert rows[0]["dietary_notes"] == "少盐，软食"
    logs = AccessLog.objects.filter(user=world.cook)
    assert sorted(log.resident.name for log in logs) == ["张秀英", "陈伟"]
    services.delivery_list(world.cook, world.canteen, DAY)
    assert AccessLog.objects.filter(user=world.cook).count() == 4  # every read


def test_delivery_list_is_masked_for_administrators(world, orders):
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    rows = sorted(services.delivery_list(admin, world.canteen, DAY), key=lambda r: r["id"])
    assert [(r["name"], r["phone"], r["masked"]) for r in rows] == [
        ("张*英", "139****1111", True), ("陈*", "138****5678", True)]
    assert "3-502" not in rows[0]["address"]
    assert AccessLog.objects.filter(user=admin).count() == 2


def test_staff_of_another_facility_get_no_lists(world, orders):
    other = make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare)
    for function in (services.production_list, services.delivery_list):
        with pytest.raises(PermissionDenied, match="do not work at"):
            function(other, world.canteen, DAY)
    assert not AccessLog.objects.filter(user=other).exists()


def test_monthly_statement_totals_leave_out_cancelled_and_other_months(world, orders, clock):
    june = datetime.date(2026, 6, 2)
    _menu, (june_dish,) = make_menu(world.canteen, june, Meal.LUNCH, [("面", "", "10.00", 5, [])])
    services.place_order(world.grandma.user, june_dish.pk)
    services.place_order(world.grandma.user, world.porridge.pk)
    services.cancel_order(world.grandma.user, orders[0].pk)
    may = services.statement(world.grandma, "2026-05")
    assert [o.item.name for o in may["orders"]] == ["白粥"]
    assert (may["meals"], may["price"], may["subsidy"], may["amount_due"]) == (
        1, Decimal("3.00"), Decimal("3.00"), Decimal("0.00"))
    assert services.statement(world.grandma, "2026-06")["amount_due"] == Decimal("6.00")
    text = services.statement_csv(services.statement(world.grandma, "2026-06"))
    assert text.startswith("\ufeff") and "2026-06-02" in text and "6.00" in text


def test_staff_statement_shows_only_their_facilities_and_is_logged(world, orders):
    elsewhere = make_resident(make_household(Compound.objects.get(code="c")), birth_date=datetime.date(1940, 1, 1))
    other_canteen = world.breakfast_point  # breakfast point with its own menu
    _menu, (bun,) = make_menu(other_canteen, DAY + datetime.timedelta(days=1), Meal.BREAKFAST,
                              [("包子", "", "2.00", 5, [])])
    services.place_order(world.grandma.user, bun.pk)
    data = services.staff_statement(world.cook, world.grandma, "2026-05")
    assert [o.item.name for o in data["orders"]] == ["红烧肉套餐"]  # not the breakfast point's bun
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma, purpose__contains="statement").exists()
    people = services.statement_people(world.cook, world.canteen, "2026-05")
    assert {row["masked_name"] for row in people} == {"张*英", "陈*", "李*", "王*"}
    assert elsewhere.pk not in {row["resident"].pk for row in people}


def test_copy_week_refuses_an_empty_or_same_week(world):
    with pytest.raises(services.Refused, match="no menus to copy"):
        services.copy_week(world.cook, world.canteen, datetime.date(2026, 4, 1), datetime.date(2026, 4, 8))
    with pytest.raises(services.Refused, match="two different weeks"):
        services.copy_week(world.cook, world.canteen, DAY, DAY + datetime.timedelta(days=1))
    with pytest.raises(services.Refused, match="no menus to publish"):
        services.publish_week(world.cook, world.canteen, datetime.date(2026, 4, 1))


def test_staff_console_scopes_and_masks(client, world, orders):
    client.force_login(world.cook)
    menus = client.get("/admin/meals/menu/").content.decode()
    assert "canteen" in menus or "长者食堂" in menus
    listing = client.get("/admin/meals/mealorder/").content.decode()
    assert "张*英" in listing and "张秀英" not in listing
    assert not AccessLog.objects.filter(user=world.cook).exists()
    page = client.get(f"/admin/meals/mealorder/{orders[0].pk}/change/")
    assert page.status_code == 200
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma).count() == 1
    other = make_staff(StaffRole.Role.CANTEEN_STAFF, world.mini, facility=world.breakfast_point)
    client.force_login(other)
    assert "张*英" not in client.get("/admin/meals/mealorder/").content.decode()
    assert client.get(f"/admin/meals/mealorder/{orders[0].pk}/change/").status_code == 302


def test_staff_console_menu_inline_refuses_fewer_portions_than_ordered(client, world, orders):
    client.force_login(world.cook)
    page = client.get(f"/admin/meals/menu/{world.lunch.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"facility": world.canteen.pk, "date": "2026-05-12", "meal": "lunch", "note": "", "note_en": "",
                 "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "2", "items-MIN_NUM_FORMS": "0",
                 "items-MAX_NUM_FORMS": "1000"})
    for i, item in enumerate([world.pork, world.fish]):
        data.update({f"items-{i}-id": item.pk, f"items-{i}-menu": world.lunch.pk, f"items-{i}-position": i,
                     f"items-{i}-name": item.name, f"items-{i}-name_en": item.name_en,
                     f"items-{i}-price": item.price, f"items-{i}-portions": 1})
    response = client.post(f"/admin/meals/menu/{world.lunch.pk}/change/", data)
    assert response.status_code == 200
    assert "portions are already ordered" in response.content.decode()
    world.pork.refresh_from_db()
    assert world.pork.portions == 5



@pytest.mark.parametrize("model", ["mealpoint", "menu", "subsidytier", "deliveryneed", "mealorder"])
def test_staff_console_pages_open(client, world, orders, model):
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    client.force_login(admin)
    assert client.get(f"/admin/meals/{model}/").status_code == 200
    if model != "mealorder":
        assert client.get(f"/admin/meals/{model}/add/").status_code == 200


def test_roles_bring_console_permissions(world):
    assert world.cook.has_perm("meals.change_menu") and world.cook.has_perm("meals.view_mealorder")
    assert not world.cook.has_perm("meals.change_subsidytier")
