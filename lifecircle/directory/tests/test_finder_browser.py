"""The service finder in a real browser, on a phone and on a desktop, in Chinese and in English:
choose a home or type an address (one match, or a choice of several), search, filter; the nearest walk comes first, each entry says whether it is open
(and when it opens next) and when it was last checked; a bad value is a 400 with a message. Fails on
any console error, any other 4xx/5xx response, any request to another host, or any serious or
critical axe-core violation."""
import datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WORDS = {  # what the page says, by language
    "zh-hans": {"locale": "zh-CN", "walk": "分钟"},
    "en": {"locale": "en-GB", "walk": "min walk"},
}


@pytest.fixture
def mini(transactional_db):
    subdistrict = load_pack(MINI)
    Facility.objects.filter(code="canteen").update(eligibility="seniors", cost="subsidised", languages=["zh", "wuu"],
                                                   last_checked=datetime.date(2026, 11, 20))
    Facility.objects.filter(code="center").update(cost="free", languages=["zh", "en"],
                                                  last_checked=datetime.date(2026, 10, 1))
    return subdistrict


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_find_the_nearest_service_from_home(browser, live_server, mini, axe_check, device, language):
    words = WORDS[language]
    host = urlsplit(live_server.url)
    context = browser.new_context(locale=words["locale"], timezone_id="Asia/Shanghai",
                                  **(PHONE if device == "phone" else DESKTOP))
    context.add_cookies([{"name": "django_language", "value": language, "domain": host.hostname, "path": "/"}])
    foreign, failed, errors = [], [], []
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == host.netloc
                  else (foreign.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))

    page.goto(f"{live_server.url}/s/mini/find/")
    expect(page.get_by_test_id("finder-form")).to_be_visible()
    page.get_by_test_id("finder-home").select_option("a")
    page.get_by_test_id("finder-submit").click()
    entries = page.get_by_test_id("finder-entry")
    expect(entries).to_have_count(3)
    expect(entries.first).to_have_attribute("data-code", "canteen")  # nearest walk from compound A
    metres = [int(m) for m in entries.evaluate_all("items => items.map(i => i.dataset.metres)")]
    assert metres == sorted(metres)
    expect(entries.first.get_by_test_id("walk")).to_contain_text(words["walk"])
    expect(entries.first.get_by_test_id("last-checked")).to_contain_text("2026-11-20")
    for entry in entries.all():  # open, or closed with when it opens next
        status = entry.locator("[data-testid=open-now], [data-testid=closed-now]")
        expect(status).to_have_count(1)
    axe_check(page)

    # a keyword in the other language than the page's finds the same place; a filter narrows the list
    page.get_by_test_id("finder-q").fill("助餐" if language == "en" else "meal")
    page.get_by_test_id("finder-submit").click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("data-code", "canteen")
    page.get_by_test_id("finder-q").fill("")
    filters = page.get_by_test_id("finder-filters")
    expect(filters).not_to_have_attribute("open", "")  # folded until a filter is used (phones: results first)
    filters.locator("summary").click()
    page.get_by_test_id("finder-cost").select_option("free")
    page.get_by_test_id("finder-submit").click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("data-code", "center")
    assert "home=a" in page.url and "cost=free" in page.url
    expect(filters).to_have_attribute("open", "")  # a filter in use stays in sight

    # a typed address: a street alone sorts from its middle and says so; a text naming several
    # compounds offers them, and choosing one sorts from it
    page.goto(f"{live_server.url}/s/mini/find/")
    page.get_by_test_id("finder-address").fill("北路")
    page.get_by_test_id("finder-submit").click()
    expect(page.get_by_test_id("finder-taken-as")).to_contain_text("北路")
    expect(entries).to_have_count(3)
    metres = [int(m) for m in entries.evaluate_all("items => items.map(i => i.dataset.metres)")]
    assert metres == sorted(metres)
    page.get_by_test_id("finder-address").fill("小区")
    page.get_by_test_id("finder-submit").click()
    choices = page.get_by_test_id("finder-choice")
    expect(choices).to_have_count(3)
    axe_check(page)
    choices.first.click()
    expect(entries.first).to_have_attribute("data-code", "canteen")  # compound A, chosen from the list
    assert "home=a" in page.url and "address" not in page.url
    expect(page.get_by_test_id("finder-home")).to_have_value("a")

    assert not errors, errors
    assert not failed, failed

    # a value that names nothing: a 400 with a message, the form still there to correct it (the
    # browser logs that 400 as a console error; nothing else may fail)
    response = page.goto(f"{live_server.url}/s/mini/find/?home=nowhere")
    assert response.status == 400
    expect(page.get_by_test_id("finder-error")).to_contain_text("nowhere")
    expect(page.get_by_test_id("finder-form")).to_be_visible()
    axe_check(page)

    assert [e for e in errors if "status of 400" not in e] == []
    assert [f for f in failed if "home=nowhere" not in f[1]] == []
    assert not foreign, foreign
    context.close()
