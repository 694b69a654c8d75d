"""Participation on a phone, in a real browser (Debian's Chromium through Playwright): the pages fit a
phone screen, read in Chinese with large text and big buttons, and a parent can support a proposal
and place a new one with "use where I am"."""
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from lifecircle.participation import services
from lifecircle.participation.models import Proposal, Support

from .helpers import COLLECT_DAY, INSIDE, VOTE_DAY, on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """Opens phone-sized tabs logged in as a user, recording console errors; closes them after the test."""
    contexts = []

    def open_tab(user, **options):
        context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                      has_touch=True, device_scale_factor=2, **options)
        contexts.append(context)
        return _tab(context, live_server, user)

    yield open_tab
    for context in contexts:
        context.close()


def _tab(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "domain": urlsplit(live_server.url).hostname, "path": "/"}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    return page


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_parent_supports_a_proposal_on_a_phone(phone, live_server, world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, "恒德里弄口增设儿童过街提示", "放学时段车多。",
                                    lon=INSIDE[0], lat=INSIDE[1])
    with on(VOTE_DAY):
        page = phone(world.bob.user)
        page.goto(f"{live_server.url}/participation/p/p/")
        expect(page.get_by_text("现在可以：")).to_be_visible()
        assert fits_the_screen(page)
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.pt')).fontSize)") >= 18
        page.get_by_role("link", name="恒德里弄口增设儿童过街提示").click()
        button = page.get_by_test_id("support-button")
        expect(button).to_have_text("我支持")
        assert button.bounding_box()["height"] >= 44 and fits_the_screen(page)
        button.click()
        expect(page.get_by_test_id("support-count")).to_have_text("1")
        expect(page.get_by_text("您支持此提案。")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "lifecircle-participation-phone.png"), full_page=True)
    assert Support.objects.get().proposal == proposal and page.errors == []


def test_use_where_i_am_fills_the_place(phone, live_server, world):
    with on(COLLECT_DAY):
        page = phone(world.bob.user, permissions=["geolocation"],
                     geolocation={"longitude": INSIDE[0], "latitude": INSIDE[1]})
        page.goto(f"{live_server.url}/participation/p/p/propose/")
        page.get_by_label("标题").fill("新安里口袋公园增加遮阳棚")
        page.get_by_label("您的提案").fill("夏天太晒，老人和带娃的家长都坐不住。")
        page.get_by_role("button", name="使用我现在的位置").click()
        expect(page.locator("#id_lon")).to_have_value(f"{INSIDE[0]:.6f}")
        assert fits_the_screen(page)
        page.get_by_role("button", name="发布").click()
        expect(page.get_by_text("谢谢！您的提案已发布。")).to_be_visible()
    proposal = Proposal.objects.get()
    assert (round(proposal.lon, 6), round(proposal.lat, 6)) == INSIDE and page.errors == []
