"""The walking areas on the map of happiness and the planners' coverage page, in a real browser:
Debian's Chromium driven by Playwright, against the live server with the demo data (江宁路街道).

Every figure the page shows is checked against what the JSON API returns for the same question.
Screenshots are written to the temporary folder (lifecircle-reach-*.png, lifecircle-coverage-*.png)
for a person to look at.
"""
import io
import math
import re
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lifecircle.accessibility.models import CompoundAccess
from lifecircle.community.models import Grid
from lifecircle.directory.models import StandardRow
from lifecircle.directory.tests.test_map_browser import DESKTOP, PHONE, MapPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)  # generous: CI machines may be busy

SCREENSHOTS = Path(tempfile.gettempdir())
NO_CHINESE = "the page is not in Chinese: is lifecircle/locale/zh_Hans/LC_MESSAGES/django.mo compiled?"
TIERS = (5, 10, 15)
# The browser reports an HTTP error answer on the console; a 422 for a spot away from the streets
# is the answer the page expects and explains, so it is the one console error some tests allow.
EXPECTED_422 = re.compile(r"status of 422")

# A spot on the map at least FREE_PX from every marker, inside the middle of the sub-district.
FREE_SPOT = """() => {
  const map = document.getElementById("map").getBoundingClientRect();
  const marks = [...document.querySelectorAll(".lc-marker")].map(m => {
    const r = m.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];
  });
  let best = null;
  for (let fx = 0.3; fx <= 0.62; fx += 0.02) for (let fy = 0.25; fy <= 0.5; fy += 0.02) {
    const x = map.x + map.width * fx, y = map.y + map.height * fy;
    const d = Math.min(...marks.map(([mx, my]) => Math.hypot(mx - x, my - y)));
    if (!best || d > best.d) best = {x, y, d};
  }
  return best;
}"""


def percent(share):
    """The whole percentage the page shows for a share, halves rounded up ("—" for none)."""
    return "—" if share is None else f"{math.floor(share * 100 + 0.5)}%"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    assert CompoundAccess.objects.exists(), "loading the demo pack computed no accessibility"


class Tab(MapPage):
    """A browser tab (console errors and requests to other hosts recorded) on either page."""

    def api(self, path, **query):
        response = self.page.request.get(self.base_url + path + ("?" + urlencode(query) if query else ""))
        assert response.ok, (path, query, response.status)
        return response.json()

    # ---- the map of happiness -------------------------------------------------------------------

    def click_free_spot(self):
        spot = self.page.evaluate(FREE_SPOT)
        assert spot["d"] >= 30, f"no spot on the map clear of markers: {spot}"
        if self.context_is_mobile:
            self.page.touchscreen.tap(spot["x"], spot["y"])
        else:
            self.page.mouse.click(spot["x"], spot["y"])
        return self.wait_for_reach()

    def wait_for_reach(self, profile="standard"):
        summary = self.page.get_by_test_id("isochrone-summary")
        expect(summary).to_have_attribute("data-profile", profile)
        expect(self.page.get_by_test_id("isochrone")).to_have_count(3)
        pin = self.page.get_by_test_id("isochrone-pin")
        lon, lat = pin.get_attribute("data-lon"), pin.get_attribute("data-lat")
        assert summary.get_attribute("data-lon") == lon and summary.get_attribute("data-lat") == lat
        return {"lon": lon, "lat": lat}

    def reach_on_page(self):
        """What the panel lists: {code: (distance, minutes, tier)}, each facility once."""
        items = self.page.get_by_test_id("reachable-item").evaluate_all(
            "items => items.map(i => [i.dataset.code, +i.dataset.distance, +i.dataset.minutes, +i.dataset.tier])")
        return {code: (distance, minutes, tier) for code, distance, minutes, tier in items}

    def areas(self):
        return dict(self.page.get_by_test_id("isochrone").evaluate_all(
            "paths => paths.map(p => [+p.dataset.tier, +p.dataset.distance])"))

    # ---- the coverage page ----------------------------------------------------------------------

    def open_coverage(self, query=""):
        self.page.goto(self.base_url + "/planning/coverage/" + query)
        self.wait_for_coverage()
        return self.page

    def wait_for_coverage(self):
        try:
            expect(self.page.get_by_test_id("coverage-page")).to_have_attribute("data-ready", "true")
        except AssertionError:
            status = self.page.get_by_test_id("coverage-status").text_content()
            raise AssertionError(f"the coverage page did not load (status {status!r}, errors {self.errors})") from None

    def table(self):
        """{(category, grid or ""): cell text} as the coverage table shows it."""
        cells = self.page.locator("[data-testid=coverage-row] td").evaluate_all(
            "cells => cells.map(c => [c.closest('tr').dataset.category, c.dataset.grid, c.textContent.trim()])")
        return {(category, grid): text for category, grid, text in cells}

    def gap_rows(self):
        return self.page.get_by_test_id("gap-row").evaluate_all(
            "rows => rows.map(r => [r.dataset.compound, r.dataset.category])")

    def check_clean(self, allow=None):
        errors = [e for e in self.errors if not (allow and allow.search(e))]
        assert errors == [], f"JavaScript console errors: {errors}"
        assert self.foreign_requests == [], f"requests to other hosts: {self.foreign_requests}"


def make_tab(browser, live_server, viewport, mobile=False):
    tab = Tab(browser, live_server.url, viewport, mobile=mobile)
    tab.context_is_mobile = mobile
    return tab


@pytest.fixture
def map_page(browser, live_server, demo):
    tab = make_tab(browser, live_server, DESKTOP)
    yield tab
    tab.close()


@pytest.fixture
def phone_page(browser, live_server, demo):
    tab = make_tab(browser, live_server, PHONE, mobile=True)
    yield tab
    tab.close()


def expected_reach(answer):
    return {r["code"]: (r["distance_m"], r["minutes"], r["tier_minutes"]) for r in answer["reachable"]}


def cumulative(reach):
    return {minutes: sum(1 for *_, tier in reach.values() if tier <= minutes) for minutes in TIERS}


# ---- the map of happiness: walking areas ---------------------------------------------------------

def test_clicking_the_map_draws_three_walking_areas_and_lists_what_they_reach(map_page):
    page = map_page.open()
    expect(page.get_by_test_id("map-hint"), NO_CHINESE).to_contain_text("点击地图任意位置")
    point = map_page.click_free_spot()
    answer = map_page.api("/api/accessibility/isochrones", profile="standard", **point)

    # Three polygons, one per tier, drawn 15 underneath and 5 on top, at the API's distances.
    tiers = page.get_by_test_id("isochrone").evaluate_all("paths => paths.map(p => +p.dataset.tier)")
    assert tiers == [15, 10, 5]
    assert map_page.areas() == {f["properties"]["tier_minutes"]: f["properties"]["distance_m"] for f in answer["features"]}
    legend = page.get_by_test_id("isochrone-legend")
    for minutes in TIERS:
        metres = round(map_page.areas()[minutes])  # the tier and the standard's distance, one rule
        expect(legend.locator(f"[data-tier='{minutes}']"), NO_CHINESE).to_have_text(f"{minutes}分钟圈 · ≤{metres}米")

    # The panel lists exactly what the API says is in reach, with the same distances and tiers.
    detail = page.get_by_test_id("detail")
    expect(detail).to_be_visible()
    expect(detail.get_by_test_id("detail-title")).to_have_text("步行可达")
    summary = page.get_by_test_id("isochrone-summary")
    expect(summary).to_have_attribute("data-count", str(len(answer["reachable"])))
    assert answer["reachable"], "the chosen spot reaches nothing: pick a more central one"
    reach = expected_reach(answer)
    assert map_page.reach_on_page() == reach
    for minutes, count in cumulative(reach).items():
        expect(summary.locator(f"[data-tier='{minutes}']")).to_have_attribute("data-count", str(count))
        expect(summary.locator(f"[data-tier='{minutes}']")).to_contain_text(f"{count}{minutes}分钟内")

    # Grouped by category: every service a facility offers has a group, and a group lists its own.
    groups = {}
    for record in answer["reachable"]:
        for slug in record["categories"]:
            groups.setdefault(slug, set()).add(record["code"])
    expect(page.get_by_test_id("reach-group")).to_have_count(len(groups))
    for slug, codes in groups.items():
        group = page.locator(f"[data-testid=reach-group][data-category='{slug}']")
        listed = group.get_by_test_id("reachable-item").evaluate_all("items => items.map(i => i.dataset.code)")
        assert set(listed) == codes and len(listed) == len(codes), slug
    first = answer["reachable"][0]
    item = page.locator(f"[data-testid=reachable-item][data-code='{first['code']}']").first
    expect(item).to_contain_text(first["name"])
    expect(item).to_contain_text(f"{round(first['distance_m'])}米")
    expect(item).to_contain_text(f"步行{first['minutes']:g}分钟")
    map_page.check_clean()


def test_the_elderly_walking_speed_shrinks_the_walking_areas(map_page):
    page = map_page.open()
    point = map_page.click_free_spot()
    standard = map_page.api("/api/accessibility/isochrones", profile="standard", **point)
    before = map_page.areas()

    page.get_by_test_id("elderly-toggle").check(force=True)  # the input is drawn as a switch
    map_page.wait_for_reach(profile="elderly")
    elderly = map_page.api("/api/accessibility/isochrones", profile="elderly", **point)
    after = map_page.areas()
    assert after == {f["properties"]["tier_minutes"]: f["properties"]["distance_m"] for f in elderly["features"]}
    assert after[15] < before[15] and after[5] < before[5], (before, after)  # 1000 → 810 m, 300 → 270 m
    expect(page.get_by_test_id("isochrone-summary")).to_have_attribute("data-count", str(len(elderly["reachable"])))
    now = map_page.reach_on_page()
    assert now == expected_reach(elderly)
    assert len(now) <= len(expected_reach(standard))
    was = expected_reach(standard)
    for code in set(now) & set(was):  # the same walk takes an older person longer (and waits to cross)
        assert now[code][0] >= was[code][0] and now[code][1] > was[code][1], code
    expect(page.get_by_test_id("reach-distances")).to_contain_text("按每分钟54米")

    page.get_by_test_id("elderly-toggle").uncheck(force=True)
    map_page.wait_for_reach(profile="standard")
    assert map_page.areas() == before
    map_page.check_clean()


def test_the_wheelchair_switch_walks_without_steps_or_kerbs(map_page):
    page = map_page.open()
    point = map_page.click_free_spot()
    standard = expected_reach(map_page.api("/api/accessibility/isochrones", profile="standard", **point))
    page.get_by_test_id("barrier-free-toggle").check(force=True)  # the input is drawn as a switch
    map_page.wait_for_reach(profile="barrier-free")
    answer = map_page.api("/api/accessibility/isochrones", profile="barrier-free", **point)
    assert answer["network_profile"] == "barrier-free"
    drawn = {f["properties"]["tier_minutes"]: f["properties"]["distance_m"] for f in answer["features"]}
    assert map_page.areas() == drawn
    assert map_page.reach_on_page() == expected_reach(answer)
    assert len(expected_reach(answer)) <= len(standard)
    # The demo maps no surfaces: the panel says the barrier-free walk may be too hopeful.
    expect(page.get_by_test_id("isochrone-note").first).to_contain_text("no known surface")
    page.get_by_test_id("barrier-free-toggle").uncheck(force=True)
    map_page.wait_for_reach(profile="standard")
    map_page.check_clean()


def test_a_click_far_from_any_street_says_so(map_page):
    page = map_page.open()
    zoom_out = page.locator(".leaflet-control-zoom-out")
    while "leaflet-disabled" not in (zoom_out.get_attribute("class") or ""):
        zoom_out.click()
        page.wait_for_timeout(300)
    box = page.get_by_test_id("map").bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + box["height"] / 2)  # kilometres west of the sub-district

    message = page.get_by_test_id("isochrone-message")
    expect(message, NO_CHINESE).to_have_text("这个地点离街道太远，无法计算步行范围。请点击靠近街道的地方。")
    expect(message).to_have_attribute("data-reason", "far")
    assert "from the nearest walkable street" in message.get_attribute("data-detail")
    expect(page.get_by_test_id("isochrone")).to_have_count(0)
    expect(page.get_by_test_id("isochrone-summary")).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / "lifecircle-reach-too-far.png")
    map_page.check_clean(allow=EXPECTED_422)


def test_escape_and_clear_remove_the_walking_areas(map_page):
    page = map_page.open()
    detail = page.get_by_test_id("detail")
    map_page.click_free_spot()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("isochrone")).to_have_count(0)
    expect(page.get_by_test_id("isochrone-pin")).to_have_count(0)
    expect(page.get_by_test_id("isochrone-legend")).to_have_count(0)
    expect(detail).to_be_hidden()

    # A facility opened from the list comes back to the list with Escape; Escape again clears.
    map_page.click_free_spot()
    item = page.get_by_test_id("reachable-item").first
    code = item.get_attribute("data-code")
    item.locator("button.reach-name").click()
    expect(detail).to_have_attribute("data-code", code)
    expect(detail.get_by_test_id("reach-back")).to_be_visible()
    expect(page.get_by_test_id("isochrone")).to_have_count(3)
    page.keyboard.press("Escape")
    expect(detail).to_have_attribute("data-mode", "reach")
    expect(page.get_by_test_id("isochrone-summary")).to_be_visible()

    page.get_by_test_id("isochrone-clear").click()
    expect(page.get_by_test_id("isochrone")).to_have_count(0)
    expect(detail).to_be_hidden()

    # Markers still open their own details, and Escape still closes them.
    map_page.markers().first.focus()
    page.keyboard.press("Enter")
    expect(detail).to_have_attribute("data-type", "facility")
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    map_page.check_clean()


def test_walking_area_screenshots(map_page):
    page = map_page.open()
    map_page.click_free_spot()
    page.wait_for_timeout(400)  # let the map finish fitting the areas
    page.screenshot(path=SCREENSHOTS / "lifecircle-reach-desktop.png")
    page.get_by_test_id("elderly-toggle").check(force=True)
    map_page.wait_for_reach(profile="elderly")
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "lifecircle-reach-desktop-elderly.png")
    map_page.check_clean()


def test_walking_areas_on_a_phone(phone_page):
    page = phone_page.open()
    point = phone_page.click_free_spot()
    answer = phone_page.api("/api/accessibility/isochrones", profile="standard", **point)
    sheet = page.get_by_test_id("detail").bounding_box()
    assert sheet["width"] == PHONE["width"], sheet  # the bottom sheet, as for a facility
    expect(page.get_by_test_id("isochrone-summary")).to_have_attribute("data-count", str(len(answer["reachable"])))
    for target in [page.get_by_test_id("isochrone-clear"), page.locator("label[for=reach-elderly]")]:
        box = target.bounding_box()
        assert round(box["height"]) >= 44, (target, box)
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "lifecircle-reach-phone.png")
    phone_page.check_clean()


# ---- the coverage page ---------------------------------------------------------------------------

def test_the_header_links_to_the_coverage_page(map_page):
    page = map_page.open()
    link = page.get_by_test_id("nav-planning")
    expect(link, NO_CHINESE).to_have_text("规划")
    link.click()
    map_page.wait_for_coverage()
    assert page.url.endswith("/planning/coverage/")
    expect(page.get_by_test_id("nav-planning")).to_have_attribute("aria-current", "page")
    map_page.check_clean()


def test_the_plan_check_shows_grid_4_without_day_care(map_page):
    page = map_page.open_coverage()
    plan = map_page.api("/api/accessibility/coverage")["plan"]
    assert {p["grid"]: p["met"] for p in plan} == {"grid-1": True, "grid-2": True, "grid-3": True, "grid-4": False}
    cards = page.get_by_test_id("plan-grid")
    expect(cards).to_have_count(Grid.objects.count())
    for check in plan:
        card = page.locator(f"[data-testid=plan-grid][data-grid='{check['grid']}']")
        expect(card).to_have_attribute("data-met", str(check["met"]).lower())
        expect(card.get_by_test_id("plan-status"), NO_CHINESE).to_have_text("达标" if check["met"] else "未达标")
        for slug, names in check["services"].items():
            service = card.locator(f"[data-testid=plan-service][data-service='{slug}']")
            for name in names:
                expect(service).to_contain_text(name)
            if not names:
                expect(service).to_contain_text("本网格内没有")
    failing = page.locator("[data-testid=plan-grid][data-grid='grid-4']")
    expect(failing).to_have_class(re.compile(r"\bis-failing\b"))
    expect(failing.locator("[data-service='senior_day_care']")).to_have_class(re.compile(r"\bmissing\b"))
    expect(page.get_by_test_id("plan-verdict")).to_contain_text("第四网格")
    map_page.check_clean()


def test_the_coverage_table_shows_the_api_shares_for_each_weight(map_page):
    page = map_page.open_coverage()
    rows = map_page.api("/api/accessibility/coverage")["rows"]
    standard = StandardRow.objects.filter(standard__active=True)
    expect(page.get_by_test_id("coverage-row")).to_have_count(standard.count())
    expect(page.get_by_test_id("grid-column")).to_have_count(Grid.objects.count())
    expect(page.get_by_test_id("whole-column"), NO_CHINESE).to_have_text("全街道")
    # Rows are grouped by tier, in the standard's order.
    tiers = page.get_by_test_id("coverage-row").evaluate_all("rows => rows.map(r => +r.dataset.tier)")
    assert tiers == sorted(tiers) and set(tiers) == set(standard.values_list("tier_minutes", flat=True))

    for weight, testid, label in [("population", None, "全部居民"), ("aged_60_plus", "weight-aged_60_plus", "60岁及以上"),
                                  ("aged_0_3", "weight-aged_0_3", "0–3岁")]:
        if testid:
            page.get_by_test_id(testid).check(force=True)  # the radio is drawn as a segment
            expect(page.get_by_test_id("coverage-table")).to_have_attribute("data-weight", weight)
        expected = {(r["category"], r["grid"] or ""): percent(r[f"{weight}_share"]) for r in rows}
        assert map_page.table() == expected, weight
        expect(page.locator(".table-intro [data-slot=weight-name]")).to_have_text(label)
    assert "weight=aged_0_3" in page.url  # the choice is kept in the address, for sharing and reloading
    map_page.check_clean()


def test_choosing_a_service_updates_the_map_charts_and_gap_list(map_page):
    page = map_page.open_coverage()
    rows = map_page.api("/api/accessibility/coverage")["rows"]
    select = page.get_by_test_id("category-select")
    for slug in ["infant_care", "senior_day_care", "library"]:
        select.select_option(slug)
        gaps = map_page.api("/api/accessibility/gaps", category=slug)
        # The gap list: the API's compounds, in the API's order (worst first).
        expect(page.get_by_test_id("gap-row")).to_have_count(len(gaps))
        assert map_page.gap_rows() == [[g["compound"], slug] for g in gaps]
        expect(page.get_by_test_id("gap-summary")).to_have_attribute("data-count", str(len(gaps)))
        # The map: each grid shaded by its share, each compound marked covered or not.
        shares = {r["grid"]: percent(r["population_share"]).rstrip("%") for r in rows if r["category"] == slug and r["grid"]}
        for grid, share in shares.items():
            expect(page.locator(f"[data-testid=coverage-grid][data-grid='{grid}']")).to_have_attribute("data-share", share)
        lacking = {g["compound"] for g in gaps}
        dots = page.get_by_test_id("coverage-compound").evaluate_all(
            "dots => dots.map(d => [d.dataset.compound, d.dataset.covered])")
        assert dots and {code for code, covered in dots if covered == "false"} == lacking, slug
        expect(page.locator("#selected-title [data-slot=category-name]")).to_have_text(
            page.locator(f"[data-testid=coverage-row][data-category='{slug}'] .row-name").text_content().strip())
        label = page.get_by_test_id("chart-grids").get_attribute("aria-label")
        whole = next(r for r in rows if r["category"] == slug and r["grid"] is None)
        assert percent(whole["population_share"]) in label  # the chart's text alternative carries its figures

    # A compound's popup: its name, people and how far it is from the service.
    gap = map_page.api("/api/accessibility/gaps", category="library")[0] if map_page.gap_rows() else None
    if gap:
        page.locator(f"[data-testid=coverage-compound][data-compound='{gap['compound']}']").click(force=True)
        popup = page.get_by_test_id("compound-popup")
        expect(popup).to_contain_text(gap["compound_name"])
        expect(popup).to_contain_text(f"{gap['population']:,}")

    page.get_by_test_id("gap-scope-all").check(force=True)
    everything = map_page.api("/api/accessibility/gaps")
    expect(page.get_by_test_id("gap-row")).to_have_count(len(everything))
    page.get_by_test_id("gap-scope-category").check(force=True)
    expect(page.get_by_test_id("gap-row")).to_have_count(len(map_page.api("/api/accessibility/gaps", category="library")))
    map_page.check_clean()


def test_coverage_at_an_hour_counts_only_what_is_open(map_page):
    page = map_page.open_coverage("?category=senior_meals")
    field = page.get_by_test_id("at-input")
    field.fill("03:00")
    field.press("Enter")  # the server works the hour out: the page loads again
    map_page.wait_for_coverage()
    expect(page.get_by_test_id("at-hour")).to_be_visible()
    expect(field).to_have_value("03:00")
    gaps = map_page.api("/api/accessibility/gaps", category="senior_meals", at="03:00")
    # At three in the morning every meal point is closed: more gaps than at any hour, as the API says.
    assert len(gaps) > len(map_page.api("/api/accessibility/gaps", category="senior_meals"))
    assert map_page.gap_rows() == [[g["compound"], "senior_meals"] for g in gaps]
    # Another service keeps the hour, in the address too.
    page.get_by_test_id("category-select").select_option("senior_day_care")
    expect(page.get_by_test_id("gap-row")).to_have_count(
        len(map_page.api("/api/accessibility/gaps", category="senior_day_care", at="03:00")))
    assert "at=03%3A00" in page.url
    expect(page.get_by_test_id("barrier-free-any-hour")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "lifecircle-coverage-at-hour.png")
    map_page.check_clean()


def test_the_coverage_page_switches_language(map_page):
    page = map_page.open_coverage()
    expect(page.locator("h1"), NO_CHINESE).to_have_text("服务覆盖情况")
    page.locator("[data-testid=lang-switch] button[data-language=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    map_page.wait_for_coverage()
    expect(page.locator("h1")).to_have_text("Service coverage")
    expect(page.locator("[data-testid=plan-grid][data-grid='grid-4'] [data-testid=plan-status]")).to_have_text(
        "Does not meet the plan")
    expect(page.get_by_test_id("whole-column")).to_have_text("Whole sub-district")
    grid = Grid.objects.get(code="grid-1")
    expect(page.locator("[data-testid=grid-column][data-grid='grid-1']")).to_have_text(grid.name_en.split(" (")[0])
    expect(page.get_by_test_id("nav-planning")).to_have_text("Planning")
    page.screenshot(path=SCREENSHOTS / "lifecircle-coverage-desktop-en.png", full_page=True)
    page.locator("[data-testid=lang-switch] button[data-language=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("服务覆盖情况")
    map_page.check_clean()


def test_coverage_desktop_screenshot(map_page):
    page = map_page.open_coverage()
    expect(page.get_by_test_id("data-notice")).to_be_visible()
    expect(page.get_by_test_id("footer-attribution")).to_contain_text("Hand-drawn illustrative network")
    expect(page.get_by_test_id("notes")).to_contain_text("每分钟60米")
    expect(page.get_by_test_id("notes")).to_contain_text("每分钟54米")
    page.screenshot(path=SCREENSHOTS / "lifecircle-coverage-desktop.png", full_page=True)
    map_page.check_clean()


def test_the_coverage_page_on_a_phone(phone_page):
    page = phone_page.open_coverage()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px wide)"
    map_box = page.get_by_test_id("coverage-map").bounding_box()
    assert map_box["width"] >= PHONE["width"] - 60 and map_box["height"] >= 300, map_box
    for target in [page.get_by_test_id("category-select"), page.locator("[data-testid=weight] label").first,
                   page.locator("[data-testid=gap-scope] label").first, page.get_by_test_id("nav-planning")]:
        box = target.bounding_box()
        assert round(box["height"]) >= 44, (target, box)
    # The wide table scrolls inside its own box, keeping the service names in view.
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")
    scroller.evaluate("s => s.scrollLeft = s.scrollWidth")
    name = page.get_by_test_id("coverage-row").first.locator("th").bounding_box()
    assert 0 <= name["x"] < 40, name
    # Gaps are cards, one under another.
    rows = page.get_by_test_id("gap-row")
    if rows.count() > 1:
        first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
        assert second["y"] >= first["y"] + first["height"] and first["width"] <= PHONE["width"], (first, second)
    page.get_by_test_id("weight-aged_60_plus").check(force=True)
    expect(page.get_by_test_id("coverage-table")).to_have_attribute("data-weight", "aged_60_plus")
    scroller.evaluate("s => s.scrollLeft = 0")
    page.screenshot(path=SCREENSHOTS / "lifecircle-coverage-phone.png", full_page=True)
    page.get_by_test_id("coverage-map").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "lifecircle-coverage-phone-map.png")
    phone_page.check_clean()
