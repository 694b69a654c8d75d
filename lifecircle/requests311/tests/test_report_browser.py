"""Reporting a need in a real browser: tap the map, pick the problem, send; the request lands in
the grid under the tap. A phone-sized screenshot goes to the temporary folder (lifecircle-report-*.png)."""
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from lifecircle.requests311.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
PHONE = {"width": 390, "height": 844}


def logged_in_context(browser, live_server, user):
    django_client = Client()
    django_client.force_login(user)
    host = urlsplit(live_server.url)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                  has_touch=True)
    context.add_cookies([{"name": "sessionid", "value": django_client.cookies["sessionid"].value,
                          "domain": host.hostname, "path": "/"}])
    foreign = []
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == host.netloc
                  else (foreign.append(route.request.url), route.abort()))
    return context, foreign


def test_tap_the_map_and_send(browser, live_server, place):
    context, foreign = logged_in_context(browser, live_server, place.resident.user)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/requests311/new/")
    page.locator('[data-service="street_light"]').click()
    expect(page.get_by_test_id("report-form")).to_be_visible()
    expect(page.locator(".leaflet-interactive").first).to_be_visible()  # the grid outlines are drawn
    box = page.get_by_test_id("report-map").bounding_box()
    # the two grids side by side fill the map: a quarter of the way across is inside the west grid
    page.get_by_test_id("report-map").click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.get_by_label("不亮").check()
    page.locator("#id_description").fill("3号楼前的路灯不亮")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "lifecircle-report-form.png"), full_page=True)
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-detail")).to_be_visible()
    request = ServiceRequest.objects.get()
    assert request.grid == place.west and request.attributes == {"problem": "off"}
    assert 31.230 < request.lat < 31.236 and 121.440 < request.lon < 121.445
    expect(page.get_by_test_id("state")).to_have_text("待处理")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "lifecircle-report-detail.png"), full_page=True)
    assert not errors and not foreign
    context.close()
