"""The meals pages: the public week menu, the resident's page (order, cancel, statement), the staff page."""
import datetime

import pytest

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_consent, make_staff, make_user
from lifecircle.meals import services
from lifecircle.meals.models import MealOrder, Menu

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_week_menu_is_public(zh_client, world):
    client = zh_client
    services.place_order(world.grandma.user, world.fish.pk)
    page = client.get(f"/meals/?facility={world.canteen.pk}&week=2026-05-12")
    assert page.status_code == 200
    html = page.content.decode()
    assert "红烧肉套餐" in html and "¥15.00" in html and 'data-testid="sold-out"' in html
    assert 'data-date="2026-05-11"' in html and 'data-date="2026-05-17"' in html  # Monday to Sunday
    assert "软食" in html or "soft" in html  # dietary tags
    assert 'data-testid="data-notice"' not in html
    Menu.objects.update(illustrative=True)
    html = client.get(f"/meals/?facility={world.canteen.pk}&week=2026-05-12").content.decode()
    assert 'data-testid="data-notice"' in html


def test_week_menu_in_english(client, world):
    html = client.get(f"/meals/?facility={world.canteen.pk}&week=2026-05-12").content.decode()
    assert "Braised pork set" in html and "Order by" in html


def test_resident_page_needs_sign_in_and_a_verified_resident(client, world):
    response = client.get("/meals/mine/")
    assert response.status_code == 302
    client.force_login(make_user())
    response = client.get("/meals/mine/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "Only residents" in response.content.decode()


def test_order_form_is_prefilled_and_orders(client, world):
    client.force_login(world.grandma.user)
    html = client.get(f"/meals/mine/?facility={world.canteen.pk}").content.decode()
    assert "少盐，软食" in html  # dietary notes prefilled
    assert f'value="{world.pork.pk}"' in html and 'data-testid="delivery"' in html
    response = client.post("/meals/mine/", {
        "action": "order", "for": world.grandma.pk, "facility": world.canteen.pk, "dish": world.pork.pk,
        "fulfilment": "pickup", "pickup_point": world.breakfast_point.pk, "dietary_notes": "少盐"}, follow=True)
    order = MealOrder.objects.get()
    assert (order.pickup_point, order.dietary_notes, order.amount_due) == (world.breakfast_point, "少盐", 11)
    html = response.content.decode()
    assert "11.00" in html and 'data-testid="order"' in html and 'data-testid="cancel"' in html


def test_refused_order_on_the_page_says_why_and_changes_nothing(client, world):
    client.force_login(world.neighbour.user)
    response = client.post("/meals/mine/", {
        "action": "order", "for": world.neighbour.pk, "facility": world.canteen.pk, "dish": world.pork.pk,
        "fulfilment": "delivery", "dietary_notes": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "not eligible for home delivery" in response.content.decode()
    assert not MealOrder.objects.exists()
    response = client.post("/meals/mine/", {"action": "order", "for": world.grandma.pk, "dish": world.pork.pk},
                           follow=True)
    assert not MealOrder.objects.exists()
    assert 'class="ui-message ui-error"' in response.content.decode()


def test_cancel_on_the_page(client, world, clock):
    order = services.place_order(world.grandma.user, world.pork.pk)
    client.force_login(world.grandma.user)
    clock["now"] = at(DAY, 9, 30)
    response = client.post("/meals/mine/", {"action": "cancel", "order": order.pk}, follow=True)
    assert 'class="ui-message ui-error"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == "placed"
    clock["now"] = at(DAY, 8, 30)
    client.post("/meals/mine/", {"action": "cancel", "order": order.pk})
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_ordering_for_a_consenting_relative_on_the_page(client, world):
    make_consent(principal=world.grandma, proxy=world.mother)
    client.force_login(world.mother.user)
    html = client.get(f"/meals/mine/?for={world.grandma.pk}&facility={world.canteen.pk}").content.decode()
    assert "少盐，软食" in html  # the grandmother's notes, not the daughter's (none)
    client.post("/meals/mine/", {"action": "order", "for": world.grandma.pk, "facility": world.canteen.pk,
                                 "dish": world.pork.pk, "fulfilment": "delivery", "dietary_notes": "少盐，软食"})
    order = MealOrder.objects.get()
    assert order.resident == world.grandma and order.ordered_by == world.mother and order.fulfilment == "delivery"


def test_statement_on_the_page_and_as_csv(client, world):
    services.place_order(world.grandma.user, world.pork.pk)
    client.force_login(world.grandma.user)
    html = client.get("/meals/mine/?month=2026-05").content.decode()
    assert 'data-testid="statement-row"' in html and "¥11.00" in html
    response = client.get(f"/meals/mine/statement.csv?month=2026-05&resident={world.grandma.pk}")
    assert response["Content-Type"].startswith("text/csv") and "红烧肉套餐" in response.content.decode("utf-8-sig")
    client.force_login(world.neighbour.user)
    assert client.get(f"/meals/mine/statement.csv?month=2026-05&resident={world.grandma.pk}").status_code == 403


def test_staff_page_shows_lists_and_logs_reads(client, world):
    services.place_order(world.grandma.user, world.pork.pk, fulfilment="delivery")
    client.force_login(world.cook)
    html = client.get(f"/meals/staff/?facility={world.canteen.pk}&date=2026-05-12").content.decode()
    assert 'data-testid="production-dish"' in html and 'data-ordered="1"' in html
    assert "张秀英" in html and "13900001111" in html
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma).count() == 1
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    client.force_login(admin)
    html = client.get(f"/meals/staff/?facility={world.canteen.pk}&date=2026-05-12").content.decode()
    assert "张*英" in html and "13900001111" not in html and "139****1111" in html


def test_staff_page_refuses_others(client, world):
    client.force_login(world.grandma.user)
    assert client.get("/meals/staff/").status_code == 403
    client.force_login(make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare))
    assert client.get("/meals/staff/").status_code == 403
    assert client.get(f"/meals/staff/statement/{world.grandma.pk}/?month=2026-05").status_code == 403
    assert not AccessLog.objects.exists()


def test_staff_page_copies_and_publishes_a_week(client, world):
    client.force_login(world.cook)
    client.post("/meals/staff/", {"action": "copy", "facility": world.canteen.pk, "date": "2026-05-12",
                                  "from_week": "2026-05-11", "to_week": "2026-05-18"})
    copies = Menu.objects.filter(date__gte=datetime.date(2026, 5, 18))
    assert copies.count() == 2 and not copies.filter(published_at__isnull=False).exists()
    response = client.post("/meals/staff/", {"action": "copy", "facility": world.canteen.pk, "date": "2026-05-12",
                                             "from_week": "2026-05-11", "to_week": "2026-05-18"}, follow=True)
    assert 'class="ui-message ui-error"' in response.content.decode() and copies.count() == 2
    client.post("/meals/staff/", {"action": "publish", "facility": world.canteen.pk, "date": "2026-05-19",
                                  "week": "2026-05-18"})
    assert not copies.filter(published_at__isnull=True).exists()


def test_staff_statement_page_and_csv_are_logged(client, world):
    services.place_order(world.grandma.user, world.pork.pk)
    client.force_login(world.cook)
    html = client.get(f"/meals/staff/?facility={world.canteen.pk}&date=2026-05-12&month=2026-05").content.decode()
    assert "张*英" in html
    html = client.get(f"/meals/staff/statement/{world.grandma.pk}/?month=2026-05").content.decode()
    assert "张秀英" in html and "¥11.00" in html
    csv = client.get(f"/meals/staff/statement/{world.grandma.pk}/?month=2026-05&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert AccessLog.objects.filter(user=world.cook, resident=world.grandma,
                                    purpose__contains="statement").count() == 2


def test_pages_speak_chinese_first(zh_client, world):
    services.place_order(world.grandma.user, world.fish.pk)
    html = zh_client.get(f"/meals/?facility={world.canteen.pk}&week=2026-05-12").content.decode()
    assert "老年助餐：本周菜单" in html and "午餐" in html and "软食" in html and "已售完" in html
    zh_client.force_login(world.mother.user)
    response = zh_client.post("/meals/mine/", {"action": "order", "for": world.mother.pk, "dish": world.fish.pk,
                                               "facility": world.canteen.pk, "fulfilment": "pickup"}, follow=True)
    assert "清蒸鱼套餐已售完。" in response.content.decode()
