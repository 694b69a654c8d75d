"""Everyday pages in a real browser (Debian's Chromium through Playwright, the demo data): axe-core
finds no serious or critical accessibility problem on the map, the coverage page, the compare
page and the resident's home; markers carry their category's symbol; the walking list labels a
place with the standard's distance band beside its own walking minutes."""
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from lifecircle.accessibility.tests.test_pages_browser import DESKTOP, demo, make_tab  # noqa: F401  (fixture)
from lifecircle.accounts.models import Resident, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.community.models import SubDistrict
from lifecircle.planning import scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
# The Leaflet map itself (tiles, vector paths, the attribution control) is Leaflet's markup; the
# page around it, the legend and the detail panel are ours and are checked.
MAP_CANVAS = [".leaflet-map-pane", ".leaflet-control-attribution"]


def signed_in(tab, user):
    """Give the browser tab a session of ``user`` (as if they had signed in)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    tab.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": tab.base_url}])


@pytest.fixture
def tab(browser, live_server, demo):  # noqa: F811
    tab = make_tab(browser, live_server, DESKTOP)
    yield tab
    tab.close()


def test_everyday_pages_pass_axe(tab, axe_check):
    page = tab.open()
    axe_check(page, exclude=MAP_CANVAS)
    subdistrict = SubDistrict.objects.get()
    planner = make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict)
    signed_in(tab, planner)
    tab.open_coverage()
    axe_check(page, exclude=MAP_CANVAS)
    scenario = scenarios.create_scenario(subdistrict, "Plan A")
    page.goto(f"{tab.base_url}/s/{subdistrict.code}/planning/compare/?a=live&b={scenario.pk}")
    expect(page.get_by_test_id("compare-page")).to_be_visible()
    axe_check(page)
    resident = Resident.objects.filter(user__isnull=False).first() or Resident.objects.first()
    if resident.user is None:
        resident.user = get_user_model().objects.create_user("resident-axe")
        resident.save()
    tab.context.clear_cookies()
    signed_in(tab, resident.user)
    page.goto(tab.base_url + "/accounts/me/")
    expect(page.get_by_test_id("resident-home")).to_be_visible()
    axe_check(page)


def test_markers_carry_symbols_and_walking_labels_agree(tab):
    page = tab.open()
    symbols = page.get_by_test_id("facility-marker").evaluate_all(
        "markers => markers.map(m => m.querySelector('.pin').textContent.trim())")
    assert symbols and all(symbols), symbols
    legend = dict(page.locator(".swatch[data-symbol]").evaluate_all(
        "swatches => swatches.map(s => [s.closest('label').querySelector('input').dataset.category, s.dataset.symbol])"))
    assert len(set(legend.values())) == len(legend), legend  # one symbol per category
    tab.click_free_spot()
    areas = tab.areas()
    legend_text = page.get_by_test_id("isochrone-legend").inner_text()
    for minutes, metres in areas.items():
        assert f"≤{round(metres)}" in legend_text.replace(" ", "").replace("米", "m"), (legend_text, areas)
    items = page.get_by_test_id("reachable-item").evaluate_all(
        "items => items.map(i => [+i.dataset.tier, +i.dataset.distance, i.querySelector('.tier-badge').textContent])")
    assert items
    for tier, distance, badge in items:
        band = areas[tier]
        assert distance <= band and f"≤{round(band)}" in badge.replace(" ", "").replace("米", "m"), (tier, distance, badge)
    tab.check_clean()


def test_the_plan_check_follows_an_edit_on_the_scenario_map(tab):
    from lifecircle.planning.coverage import plan_check

    subdistrict = SubDistrict.objects.get()
    signed_in(tab, make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict))
    scenario = scenarios.create_scenario(subdistrict, "Plan B")
    # a grid that meets the plan through a single facility of some required service
    grid, slug, name = next((p["grid"], slug, names[0]) for p in plan_check(subdistrict, scenario) if p["met"]
                            for slug, names in p["services"].items() if len(names) == 1)
    page = tab.page
    page.goto(f"{tab.base_url}/s/{subdistrict.code}/planning/scenarios/{scenario.pk}/?category={slug}")
    line = page.locator(f"[data-testid=plan] li[data-grid='{grid}']")
    expect(line).to_have_attribute("data-met", "true")
    page.locator(f".leaflet-marker-icon[title='{name}']").first.click()
    page.locator(".pl-popup button").first.click()  # close it
    expect(line).to_have_attribute("data-met", "false")  # without reloading the page
    expect(line).to_contain_text("✗")
    assert not next(p for p in plan_check(subdistrict, scenario) if p["grid"] == grid)["met"]
