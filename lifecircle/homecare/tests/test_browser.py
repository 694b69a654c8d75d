"""In a real browser (Debian's Chromium through Playwright), on a phone and on a desktop: the
carer's round on a map, in order, printable (the print stylesheet hides the forms and the site's
chrome), and the resident's schedule with what was recorded at the door."""
import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from lifecircle.directory.tests.test_map_browser import DESKTOP, PHONE
from lifecircle.homecare import services
from lifecircle.homecare.models import Visit

from .conftest import DAY, at, insulin_and_lunch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
TOMORROW = DAY + datetime.timedelta(days=1)
SCREENS = [pytest.param(PHONE, True, id="phone"), pytest.param(DESKTOP, False, id="desktop")]


def tab(browser, live_server, user, viewport, mobile):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=mobile,
                                  has_touch=mobile, device_scale_factor=2 if mobile else 1)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "domain": urlsplit(live_server.url).hostname, "path": "/"}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def fits_the_screen(page, viewport):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page scrolls sideways ({width} px on a {viewport['width']} px screen)"


@pytest.mark.parametrize("viewport, mobile", SCREENS)
def test_the_carer_prints_the_round_and_the_resident_sees_the_schedule(browser, live_server, world, viewport, mobile):
    for person in (world.grandma, world.neighbour):
        plan = services.create_plan(world.staff, person, world.home, 3, DAY, insulin_and_lunch(), DAY)
        services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    insulin = Visit.objects.get(plan__resident=world.grandma, need__kind="nursing")
    care_round = insulin.round
    count = care_round.visits.count()
    world.clock["now"] = at(TOMORROW, 9, 0)
    services.record_visit(world.staff, insulin.pk, at(TOMORROW, 7, 5), at(TOMORROW, 7, 20), "注射胰岛素 8 单位",
                          "血糖偏高")

    context, page = tab(browser, live_server, world.staff, viewport, mobile)
    page.goto(f"{live_server.url}/homecare/rounds/{care_round.pk}/")
    stops = page.get_by_test_id("stop")
    expect(stops).to_have_count(count)
    assert [int(s) for s in stops.evaluate_all("els => els.map(e => e.dataset.sequence)")] == list(range(1, count + 1))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(count + 1)  # the provider and each stop
    map_box = page.locator(".round-map").bounding_box()
    # The whole width on a phone (less the page's margins), the content column on a desktop.
    assert map_box["width"] >= min(viewport["width"] - 60, 600) and map_box["height"] >= 200, map_box
    fits_the_screen(page, viewport)
    expect(page.locator(".record-form").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".record-form").first).to_be_hidden()
    expect(stops.first).to_be_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and page.errors == []
    context.close()

    context, page = tab(browser, live_server, world.grandma.user, viewport, mobile)
    page.goto(f"{live_server.url}/homecare/")
    expect(page.get_by_test_id("visit")).to_have_count(2)
    expect(page.get_by_text("张秀英").first).to_be_visible()
    expect(page.get_by_test_id("record")).to_contain_text("注射胰岛素 8 单位")
    expect(page.get_by_test_id("record")).to_contain_text("血糖偏高")
    fits_the_screen(page, viewport)
    assert page.errors == []
    context.close()
