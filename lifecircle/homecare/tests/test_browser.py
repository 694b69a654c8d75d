"""In a real browser (Debian's Chromium through Playwright): the carer's round on a map, in order,
printable (the print stylesheet hides the forms and the site's chrome), and the resident's schedule."""
import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from lifecircle.homecare import services
from lifecircle.homecare.models import Visit

from .conftest import DAY, insulin_and_lunch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
TOMORROW = DAY + datetime.timedelta(days=1)


def tab(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "domain": urlsplit(live_server.url).hostname, "path": "/"}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def test_the_carer_prints_the_round_and_the_resident_sees_the_schedule(browser, live_server, world):
    for person in (world.grandma, world.neighbour):
        plan = services.create_plan(world.staff, person, world.home, 3, DAY, insulin_and_lunch(), DAY)
        services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    care_round = Visit.objects.get(plan__resident=world.grandma, need__kind="nursing").round
    count = care_round.visits.count()

    context, page = tab(browser, live_server, world.staff)
    page.goto(f"{live_server.url}/homecare/rounds/{care_round.pk}/")
    stops = page.get_by_test_id("stop")
    expect(stops).to_have_count(count)
    assert [int(s) for s in stops.evaluate_all("els => els.map(e => e.dataset.sequence)")] == list(range(1, count + 1))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(count + 1)  # the provider and each stop
    expect(page.locator(".record-form").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".record-form").first).to_be_hidden()
    expect(stops.first).to_be_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and page.errors == []
    context.close()

    context, page = tab(browser, live_server, world.grandma.user)
    page.goto(f"{live_server.url}/homecare/")
    expect(page.get_by_test_id("visit")).to_have_count(2)
    expect(page.get_by_text("张秀英").first).to_be_visible()
    context.close()
