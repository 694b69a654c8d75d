"""The meals API: public menus, ordering and cancelling with session sign-in, statements, and the
staff's lists and menu publishing."""
import datetime

import pytest

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_consent, make_staff
from lifecircle.meals.models import MealOrder, Menu

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_menus_are_public_and_show_portions_left(client, world):
    MealOrder.objects.create(resident=world.grandma, ordered_by=world.grandma, menu=world.lunch, item=world.fish,
                             fulfilment="pickup", pickup_point=world.canteen, price=18, subsidy=4, amount_due=14)
    response = client.get(f"/api/meals/menus?facility={world.canteen.pk}&week=2026-05-14")
    assert response.status_code == 200
    menus = response.json()
    assert [(m["date"], m["meal"]) for m in menus] == [("2026-05-12", "lunch"), ("2026-05-13", "breakfast")]
    lunch = menus[0]
    assert lunch["order_by"].startswith("2026-05-12T09:00:00+08:00")
    assert [(d["name"], d["left"], d["tags"]) for d in lunch["dishes"]] == [
        ("红烧肉套餐", 5, []), ("清蒸鱼套餐", 0, ["soft", "low_salt"])]


def test_unpublished_menus_are_not_shown(client, world):
    Menu.objects.filter(pk=world.breakfast.pk).update(published_at=None)
    menus = client.get(f"/api/meals/menus?facility={world.canteen.pk}&week=2026-05-11").json()
    assert [m["meal"] for m in menus] == ["lunch"]


def test_points_list_cut_offs_and_pickup_points(client, world):
    points = {p["code"]: p for p in client.get("/api/meals/points").json()}
    assert set(points) == {"canteen", "bp"}
    canteen = points["canteen"]
    assert canteen["delivers"] and canteen["delivery_min_age"] == 80
    assert canteen["pickup_points"] == [world.canteen.pk, world.breakfast_point.pk]
    assert {"meal": "breakfast", "days_before": 1, "time": "17:00:00"} in canteen["cutoffs"]
    assert client.get("/api/meals/menus?facility=99999").status_code == 404


def test_ordering_needs_sign_in(client, world):
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk})
    assert response.status_code == 401
    assert not MealOrder.objects.exists()


def test_order_and_cancel_through_the_api(client, world, clock):
    client.force_login(world.grandma.user)
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk, "fulfilment": "delivery"})
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["price"], order["subsidy"], order["amount_due"]) == ("15.00", "4.00", "11.00")
    assert order["fulfilment"] == "delivery" and order["can_cancel"] and order["dietary_notes"] == "少盐，软食"
    listed = client.get("/api/meals/orders").json()
    assert [o["id"] for o in listed] == [order["id"]]
    response = client.post(f"/api/meals/orders/{order['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_refusals_come_with_the_reason(client, world, clock):
    client.force_login(world.neighbour.user)
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk, "fulfilment": "delivery"})
    assert response.status_code == 400 and "not eligible for home delivery" in response.json()["detail"]
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk, "resident": world.grandma.pk})
    assert response.status_code == 403 and "no consent" in response.json()["detail"]
    post(client, "/api/meals/orders", {"dish": world.fish.pk})
    client.force_login(world.mother.user)
    response = post(client, "/api/meals/orders", {"dish": world.fish.pk})
    assert response.status_code == 409 and "sold out" in response.json()["detail"]
    clock["now"] = at(DAY, 9, 30)
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk})
    assert response.status_code == 400 and "closed at" in response.json()["detail"]
    assert MealOrder.objects.count() == 1


def test_ordering_for_someone_with_consent_through_the_api(client, world):
    make_consent(principal=world.grandma, proxy=world.mother)
    client.force_login(world.mother.user)
    response = post(client, "/api/meals/orders", {"dish": world.pork.pk, "resident": world.grandma.pk})
    assert response.status_code == 201 and response.json()["resident"] == world.grandma.pk
    assert [o["resident"] for o in client.get("/api/meals/orders").json()] == [world.grandma.pk]
    statement = client.get(f"/api/meals/statement?month=2026-05&resident={world.grandma.pk}").json()
    assert statement["meals"] == 1 and statement["amount_due"] == "11.00"


def test_statement_and_csv(client, world):
    client.force_login(world.grandma.user)
    post(client, "/api/meals/orders", {"dish": world.pork.pk})
    post(client, "/api/meals/orders", {"dish": world.porridge.pk})
    statement = client.get("/api/meals/statement?month=2026-05").json()
    assert (statement["meals"], statement["price"], statement["subsidy"], statement["amount_due"]) == (
        2, "18.00", "7.00", "11.00")
    response = client.get("/api/meals/statement.csv?month=2026-05")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "红烧肉套餐" in text and "11.00" in text
    assert client.get("/api/meals/statement?month=May").status_code == 400
    client.force_login(world.neighbour.user)
    assert client.get(f"/api/meals/statement?month=2026-05&resident={world.grandma.pk}").status_code == 403


def test_staff_lists_through_the_api(client, world):
    client.force_login(world.grandma.user)
    post(client, "/api/meals/orders", {"dish": world.pork.pk, "fulfilment": "delivery"})
    client.force_login(world.cook)
    production = client.get(f"/api/meals/staff/production?facility={world.canteen.pk}&date=2026-05-12").json()
    assert production[0]["meal"] == "lunch" and production[0]["dishes"][0]["delivery"] == 1
    assert production[0]["dishes"][0]["dietary_notes"] == [["少盐，软食", 1]]
    deliveries = client.get(f"/api/meals/staff/deliveries?facility={world.canteen.pk}&date=2026-05-12").json()
    assert deliveries[0]["name"] == "张秀英" and deliveries[0]["phone"] == "13900001111"
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma).count() == 1
    statement = client.get(f"/api/meals/staff/statement?resident={world.grandma.pk}&month=2026-05").json()
    assert statement["meals"] == 1
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma).count() == 2


def test_staff_endpoints_refuse_other_staff_and_residents(client, world):
    babycare_staff = make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare)
    for user in (babycare_staff, world.grandma.user):
        client.force_login(user)
        for url in (f"/api/meals/staff/production?facility={world.canteen.pk}&date=2026-05-12",
                    f"/api/meals/staff/deliveries?facility={world.canteen.pk}&date=2026-05-12"):
            response = client.get(url)
            assert response.status_code == 403 and "do not work at" in response.json()["detail"]
        response = client.get(f"/api/meals/staff/statement?resident={world.grandma.pk}&month=2026-05")
        assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_staff_save_copy_and_publish_menus(client, world):
    client.force_login(world.cook)
    response = post(client, "/api/meals/staff/menus", {
        "facility": world.canteen.pk, "date": "2026-05-14", "meal": "lunch",
        "dishes": [{"name": "番茄炒蛋套餐", "tags": ["soft", "vegetarian"], "price": "13.00", "portions": 40}]})
    assert response.status_code == 201, response.content
    assert response.json()["dishes"][0]["left"] == 40
    response = post(client, "/api/meals/staff/menus", {
        "facility": world.canteen.pk, "date": "2026-05-14", "meal": "lunch",
        "dishes": [{"name": "x", "tags": ["spicy"], "price": "13.00", "portions": 40}]})
    assert response.status_code == 400 and "Dietary tags" in response.json()["detail"]
    response = post(client, "/api/meals/staff/weeks/copy",
                    {"facility": world.canteen.pk, "from_week": "2026-05-11", "to_week": "2026-05-18"})
    assert response.status_code == 201 and response.json() == {"count": 3}
    copies = Menu.objects.filter(date__gte=datetime.date(2026, 5, 18))
    assert copies.count() == 3 and not copies.filter(published_at__isnull=False).exists()
    response = post(client, "/api/meals/staff/weeks/copy",
                    {"facility": world.canteen.pk, "from_week": "2026-05-11", "to_week": "2026-05-20"})
    assert response.status_code == 409 and "already has menus" in response.json()["detail"]
    response = post(client, "/api/meals/staff/weeks/publish", {"facility": world.canteen.pk, "week": "2026-05-20"})
    assert response.json() == {"count": 3}
    assert not copies.filter(published_at__isnull=True).exists()
    # A menu somebody has ordered from cannot be replaced through the API.
    client.force_login(world.grandma.user)
    post(client, "/api/meals/orders", {"dish": world.pork.pk})
    client.force_login(world.cook)
    response = post(client, "/api/meals/staff/menus", {
        "facility": world.canteen.pk, "date": "2026-05-12", "meal": "lunch",
        "dishes": [{"name": "x", "price": "1", "portions": 1}]})
    assert response.status_code == 409


def test_other_staff_cannot_publish(client, world):
    babycare_staff = make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare)
    Menu.objects.update(published_at=None)
    client.force_login(babycare_staff)
    response = post(client, "/api/meals/staff/weeks/publish", {"facility": world.canteen.pk, "week": "2026-05-12"})
    assert response.status_code == 403
    assert not Menu.objects.filter(published_at__isnull=False).exists()


def test_the_api_is_in_the_openapi_schema(client, world):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/meals/menus", "/api/meals/orders", "/api/meals/orders/{order_id}/cancel",
                 "/api/meals/statement", "/api/meals/staff/production", "/api/meals/staff/deliveries",
                 "/api/meals/staff/weeks/copy"):
        assert path in schema["paths"]
        for operation in schema["paths"][path].values():
            assert operation.get("description"), path  # every endpoint documented
    components = schema["components"]["schemas"]
    assert {"price", "subsidy", "amount_due", "can_cancel"} <= set(components["MealOrderOut"]["properties"])
    assert {"dishes", "order_by"} <= set(components["MealMenuOut"]["properties"])
