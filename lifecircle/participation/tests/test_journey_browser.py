"""The Decidim-style journey in a real browser (Debian's Chromium through Playwright), on a phone and
on a desktop, in Chinese and in English: a resident filters and searches the proposals, proposes with
the place picked on a map that names its streets, follows the proposal and its category, and finds
their home and the street names on the map of happiness; on a phone the details sheet leaves the
chosen marker in sight. Fails on any console error, any 4xx/5xx answer, any request to another host
and any serious or critical axe-core violation."""
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from lifecircle.participation import services
from lifecircle.participation.models import Follow, Proposal

from .helpers import COLLECT_DAY, on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}
LOCALES = {"zh": ("zh-CN", "zh-hans"), "en": ("en-US", "en")}
# Leaflet's own markup (tiles, vector paths, its attribution control) is Leaflet's; ours is checked.
MAP_CANVAS = [".leaflet-map-pane", ".leaflet-control-attribution", ".leaflet-control-zoom"]
#: The mini pack's streets as each language's pages name them: 南路 and 中路 have a name:en, 北路 has
#: none and keeps its Chinese name on English pages rather than going unnamed.
STREETS = {"zh": {"南路", "中路", "北路"}, "en": {"South Road", "Middle Road", "北路"}}


def assert_streets_named_in(language, scope):
    """The street names drawn in ``scope`` are the streets' names in ``language``, English ones among them."""
    expect(scope.locator(".lc-street-name").first).to_be_attached()
    names = set(scope.locator(".lc-street-name").all_text_contents())
    assert names and names <= STREETS[language], names
    if language == "en":
        assert names & {"South Road", "Middle Road"}, names


class Journey:
    """One browser tab signed in as ``user``, recording what must not happen."""

    def __init__(self, browser, base_url, user, viewport, locale):
        phone = viewport == "phone"
        self.base_url, self.phone = base_url, phone
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale, timezone_id="Asia/Shanghai",
                                           is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1)
        host = urlsplit(base_url).netloc
        self.errors, self.bad_answers, self.foreign = [], [], []
        self.context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == host
                           else (self.foreign.append(route.request.url), route.abort()))
        client = Client()
        client.force_login(user)
        self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.bad_answers.append(f"{r.status} {r.url}"))

    def go(self, path):
        self.page.goto(self.base_url + path)
        return self.page

    def tap(self, locator):
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if self.phone:
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)

    def check_clean(self):
        assert self.errors == [], f"JavaScript console errors: {self.errors}"
        assert self.bad_answers == [], f"4xx/5xx answers: {self.bad_answers}"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], f"the page scrolls sideways ({width} px)"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_propose_with_the_map_filter_and_follow(browser, live_server, world, axe_check, viewport, language):
    locale, code = LOCALES[language]
    with on(COLLECT_DAY):
        services.propose(world.bob.user, world.process, "口袋公园加长椅", "树荫下放两张长椅。", category="greenery")
        services.propose(world.bob.user, world.process, "楼道灯坏了", "三号楼楼道灯不亮。", category="safety")
        tab = Journey(browser, live_server.url, world.alice.user, viewport, locale)
        try:
            # filter and search the proposals
            page = tab.go("/participation/p/p/")
            expect(page.locator("html")).to_have_attribute("lang", code)
            page.locator("#id_category").select_option("greenery")
            page.get_by_test_id("proposal-search").locator("button[type=submit]").click()
            expect(page.get_by_test_id("proposal-card")).to_have_count(1)
            expect(page.get_by_test_id("proposal-card")).to_contain_text("口袋公园加长椅")
            page.locator("#id_category").select_option("")
            page.locator("#id_q").fill("楼道")
            page.get_by_test_id("proposal-search").locator("button[type=submit]").click()
            expect(page.get_by_test_id("proposal-card")).to_have_count(1)
            expect(page.get_by_test_id("proposal-card")).to_contain_text("楼道灯坏了")
            axe_check(page)

            # propose, with the place tapped on the map, which names its streets
            page = tab.go("/participation/p/p/propose/")
            place_map = page.get_by_test_id("place-map")
            expect(place_map).to_be_visible()
            assert_streets_named_in(language, page)
            page.locator("#id_title").fill("路口装凸面镜")
            page.locator("#id_body").fill("转角看不见来车，孩子放学很危险。")
            page.locator("#id_category").select_option("safety")
            tab.tap(place_map)
            expect(page.locator("#id_lon")).not_to_have_value("")
            expect(page.get_by_test_id("place-choice")).not_to_be_empty()
            expect(place_map.locator(".leaflet-marker-pane .leaflet-marker-icon")).to_have_count(1)
            axe_check(page, exclude=MAP_CANVAS)
            page.locator("form[data-testid=propose-form] button[type=submit].ui-primary").click()
            expect(page.get_by_test_id("proposal")).to_contain_text("路口装凸面镜")
            proposal = Proposal.objects.get(title="路口装凸面镜")
            assert proposal.category == "safety" and proposal.located
            view = page.get_by_test_id("place-view")  # the place on a small map with its streets named
            expect(view).to_be_visible()
            assert_streets_named_in(language, view)

            # follow the proposal, then its category
            page.get_by_test_id("follow-button").click()
            expect(page.get_by_test_id("following")).to_be_visible()
            axe_check(page)
            page.get_by_test_id("proposal-category").click()
            page.get_by_test_id("follow-category-button").click()
            expect(page.get_by_test_id("category-follow")).to_be_visible()
            page = tab.go("/participation/mine/")
            expect(page.get_by_test_id("my-follows")).to_contain_text("路口装凸面镜")
            axe_check(page)
            assert set(Follow.objects.filter(user=world.alice.user).values_list("category", flat=True)) == {"", "safety"}

            # the map of happiness: street names, the resident's home
            page = tab.go(f"/s/{world.mini.code}/")
            expect(page.locator("#map-page")).to_have_attribute("data-loaded", "true")
            expect(page.get_by_test_id("map-home")).to_be_visible()
            home = world.alice.household.compound
            expect(page.get_by_test_id("map-home")).to_contain_text(home.name if language == "zh" else home.name_en)
            assert_streets_named_in(language, page)
            if tab.phone:  # the details come up from the bottom and the chosen marker stays above them
                marker = page.get_by_test_id("facility-marker").first
                tab.tap(marker)
                sheet = page.get_by_test_id("detail")
                expect(sheet).to_be_visible()
                page.wait_for_timeout(600)  # the map pans the marker into view
                pin, top = marker.bounding_box(), sheet.bounding_box()["y"]
                assert pin["y"] + pin["height"] <= top, (pin, top)
            tab.check_clean()
        finally:
            tab.context.close()
