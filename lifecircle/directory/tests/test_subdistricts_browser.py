"""Two sub-districts in a real browser: the chooser, then the second sub-district's map, where a
click gets its walking areas (before, such a click answered "too far from any street", because the
map walked the first sub-district's network). Console errors and requests to other hosts fail it,
as in the other browser tests.
"""
import pytest
from playwright.sync_api import expect

from lifecircle.accessibility.compute import compute
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.tests.test_map_browser import DESKTOP, MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECOND = MINI.parent / "second"
#: Where to click inside the second pack's boundary (121.480–121.488, 31.230–31.236), as fractions
#: of the boundary's box from its top left: (121.4830, 31.2330), 150 m from two of its streets and
#: clear of its two facilities' markers.
CLICK = (0.375, 0.5)


@pytest.fixture
def two(transactional_db):
    mini, second = load_pack(MINI), load_pack(SECOND)
    compute(mini)
    compute(second)
    return mini, second


@pytest.fixture
def tab(browser, live_server, two):
    page = MapPage(browser, live_server.url, DESKTOP)
    yield page
    page.close()


def test_chooser_then_the_second_map_then_a_click_there(tab):
    page = tab.page
    page.goto(tab.base_url + "/")
    chooser = page.get_by_test_id("chooser")
    expect(chooser.get_by_test_id("chooser-item")).to_have_count(2)
    expect(page.get_by_test_id("chooser-map")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#chooser-map path.leaflet-interactive")).to_have_count(2)  # both boundaries drawn
    expect(page.get_by_test_id("nav-district")).to_be_visible()

    page.locator('[data-testid=chooser-item][data-code="second"] [data-testid=chooser-link]').click()
    expect(page).to_have_url(tab.base_url + "/s/second/")
    tab.wait_for_map()
    expect(page.get_by_test_id("site-name")).to_contain_text("第二街道")
    # Only the second sub-district's own facilities are drawn (the first has three others).
    expect(tab.markers()).to_have_count(2)
    codes = sorted(tab.markers().evaluate_all("marks => marks.map(m => m.dataset.code)"))
    assert codes == ["canteen", "second-center"]

    box = page.locator("path.lc-boundary").bounding_box()
    page.mouse.click(box["x"] + box["width"] * CLICK[0], box["y"] + box["height"] * CLICK[1])
    expect(page.get_by_test_id("isochrone")).to_have_count(3)
    reached = page.get_by_test_id("reachable-item").evaluate_all("items => items.map(i => i.dataset.code)")
    assert sorted(set(reached)) == ["canteen", "second-center"]
    expect(page.get_by_test_id("map-status")).not_to_have_class("is-error")
    tab.check_clean()


def test_the_district_overview_in_the_browser(tab):
    page = tab.page
    page.goto(tab.base_url + "/")
    page.get_by_test_id("nav-district").click()
    expect(page.get_by_test_id("district")).to_be_visible()
    expect(page.locator("[data-testid=district-people] tbody tr")).to_have_count(2)
    expect(page.locator('[data-testid=district-people] tr[data-code="second"] [data-testid=population]')).to_have_text("1000")
    expect(page.get_by_test_id("nav-district")).to_have_attribute("aria-current", "page")
    tab.check_clean()
