"""The map of happiness in a real browser: Debian's Chromium driven by Playwright, against the live
server with the demo data (江宁路街道) loaded.

Screenshots of the desktop and phone views are written to the temporary folder
(lifecircle-map-*.png) for a person to look at.
"""
import io
import math
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone
from playwright.sync_api import expect
from shapely.geometry import Point

from lifecircle.community.models import Grid, SubDistrict
from lifecircle.directory.models import Facility, PointOfInterest
from lifecircle.participation.models import Proposal
from lifecircle.requests311 import intake, lifecycle
from lifecircle.requests311.models import ApiKey, ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)  # generous: CI machines may be busy

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(tempfile.gettempdir())
# What the page says in each language (the zh-hans catalog supplies the Chinese).
LEGEND_TITLE = {"zh-hans": "图例", "en": "Legend"}
NO_CHINESE = "the page is not in Chinese: is lifecircle/locale/zh_Hans/LC_MESSAGES/django.mo compiled?"
OPEN_STATE = {"zh-hans": {True: "现在开放", False: "现在关闭"}, "en": {True: "Open now", False: "Closed now"}}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    assert Facility.objects.filter(active=True).exists(), "the demo pack has no active facility"


class MapPage:
    """A browser tab on the map page that records console errors and requests to other hosts."""

    def __init__(self, browser, base_url, viewport, mobile=False):
        self.base_url = base_url
        self.context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1,
        )
        self.errors = []
        self.foreign_requests = []
        host = urlsplit(base_url).netloc
        # The machines that run this are offline, and the page must not depend on any CDN: every
        # request to another host is recorded and refused.
        self.context.route(
            "**/*",
            lambda route: route.continue_() if urlsplit(route.request.url).netloc == host
            else (self.foreign_requests.append(route.request.url), route.abort()),
        )
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self):
        self.page.goto(self.base_url + "/")
        self.wait_for_map()
        return self.page

    def wait_for_map(self):
        try:
            expect(self.page.locator("#map-page")).to_have_attribute("data-loaded", "true")
        except AssertionError:
            status = self.page.get_by_test_id("map-status").text_content()
            raise AssertionError(f"the map did not load (status {status!r}, console errors {self.errors})") from None

    def markers(self, selector=""):
        return self.page.locator(f"[data-testid=facility-marker]{selector}")

    def open_detail(self, code):
        """Open a facility's details as a keyboard user would: focus its marker, press Enter."""
        self.markers(f'[data-code="{code}"]').focus()
        self.page.keyboard.press("Enter")
        detail = self.page.get_by_test_id("detail")
        expect(detail).to_be_visible()
        expect(detail).to_have_attribute("data-code", code)
        return detail

    def check_clean(self):
        assert self.errors == [], f"JavaScript console errors: {self.errors}"
        assert self.foreign_requests == [], f"requests to other hosts: {self.foreign_requests}"

    def close(self):
        self.context.close()


@pytest.fixture
def map_page(browser, live_server, demo):
    tab = MapPage(browser, live_server.url, DESKTOP)
    yield tab
    tab.close()


@pytest.fixture
def phone_page(browser, live_server, demo):
    tab = MapPage(browser, live_server.url, PHONE, mobile=True)
    yield tab
    tab.close()


def active_facilities():
    return list(Facility.objects.filter(active=True).select_related("category"))


def most_isolated(facilities):
    """The facility farthest from any other place, so that no other marker covers it."""
    others = [(p.lon, p.lat) for p in [*active_facilities(), *PointOfInterest.objects.all()]]

    def room(f):
        return min((math.dist((f.lon, f.lat), o) for o in others if o != (f.lon, f.lat)), default=1)

    return max(facilities, key=room)


def test_the_map_shows_a_marker_for_every_active_facility_and_place(map_page):
    page = map_page.open()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.get_by_test_id("site-name"), NO_CHINESE).to_have_text("江宁路街道15分钟社区生活圈")
    expect(map_page.markers()).to_have_count(Facility.objects.filter(active=True).count())
    expect(page.get_by_test_id("poi-marker")).to_have_count(PointOfInterest.objects.count())
    for facility in active_facilities():
        expect(map_page.markers(f'[data-code="{facility.code}"].cat-{facility.category.slug}')).to_have_count(1)
    if SubDistrict.objects.filter(illustrative=True).exists():
        expect(page.get_by_test_id("data-notice")).to_be_visible()
    map_page.check_clean()


def test_unticking_a_category_hides_exactly_its_markers(map_page):
    page = map_page.open()
    total = Facility.objects.filter(active=True).count()
    counts = {}
    for facility in active_facilities():
        counts[facility.category.slug] = counts.get(facility.category.slug, 0) + 1
    slug = max(counts, key=counts.get)
    box = page.locator(f'[data-testid=legend] input[data-category="{slug}"]')
    expect(map_page.markers(f".cat-{slug}")).to_have_count(counts[slug])

    box.uncheck()
    expect(map_page.markers(f".cat-{slug}")).to_have_count(0)
    expect(map_page.markers()).to_have_count(total - counts[slug])

    box.focus()  # the filters work from the keyboard too
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(map_page.markers(f".cat-{slug}")).to_have_count(counts[slug])
    expect(map_page.markers()).to_have_count(total)

    kind = PointOfInterest.objects.values_list("kind", flat=True).first()
    if kind:
        places = page.locator(f"[data-testid=poi-marker].kind-{kind}")
        expect(places).to_have_count(PointOfInterest.objects.filter(kind=kind).count())
        page.locator(f'input[data-poi-kind="{kind}"]').uncheck()
        expect(places).to_have_count(0)
        expect(map_page.markers()).to_have_count(total)
    map_page.check_clean()


def test_open_now_shows_only_what_is_open(map_page):
    page = map_page.open()
    now = timezone.now()
    open_facilities = [f.code for f in active_facilities() if f.is_open_at(now)]
    page.get_by_test_id("open-now").check()
    expect(map_page.markers()).to_have_count(len(open_facilities))
    for code in open_facilities:
        expect(map_page.markers(f'[data-code="{code}"]')).to_have_count(1)
    page.get_by_test_id("show-all").click()
    expect(page.get_by_test_id("open-now")).not_to_be_checked()
    expect(map_page.markers()).to_have_count(len(active_facilities()))
    map_page.check_clean()


def test_clicking_a_marker_shows_its_details(map_page):
    page = map_page.open()
    facility = most_isolated(active_facilities())
    map_page.markers(f'[data-code="{facility.code}"]').click()

    detail = page.get_by_test_id("detail")
    expect(detail).to_be_visible()
    expect(detail.get_by_test_id("detail-title")).to_have_text(facility.name)
    is_open = facility.is_open_at(timezone.now())
    if facility.opening_hours:
        expect(detail.get_by_test_id("open-state")).to_have_attribute("data-open", str(is_open).lower())
        state = detail.get_by_test_id("open-state")
        expect(state, NO_CHINESE).to_contain_text(OPEN_STATE["zh-hans"][is_open])
        opens = None if is_open else facility.opens_next(timezone.now())
        if opens is not None:  # closed: it says when it opens next
            expect(state).to_contain_text(f"{opens:%H:%M}开门")
        expect(detail.get_by_test_id("hours")).to_be_visible()
    expect(map_page.markers(f'[data-code="{facility.code}"]')).to_have_class(re.compile(r"\bis-selected\b"))

    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    map_page.check_clean()


def test_details_list_rooms_capacity_and_illustrative_flag(map_page):
    map_page.open()
    with_rooms = [f for f in active_facilities() if f.rooms.exists()]
    facility = with_rooms[0] if with_rooms else active_facilities()[0]
    detail = map_page.open_detail(facility.code)
    expect(detail.get_by_test_id("detail-title")).to_have_text(facility.name)
    expect(detail.get_by_test_id("detail-title")).to_be_focused()
    for room in facility.rooms.all():
        expect(detail.locator(f'[data-room="{room.code}"]')).to_contain_text(room.name)
        if room.capacity:
            expect(detail.locator(f'[data-room="{room.code}"]')).to_contain_text(str(room.capacity))
    if facility.capacity:
        expect(detail.get_by_test_id("capacity")).to_contain_text(str(facility.capacity))
    if facility.address:
        expect(detail.get_by_test_id("address")).to_have_text(facility.address)
    expect(detail.get_by_test_id("illustrative-badge")).to_have_count(1 if facility.illustrative else 0)
    map_page.check_clean()


def assert_street_names_in(page, chinese):
    """The streets are named on the map, all in Chinese or all in English (the demo network has both)."""
    expect(page.locator(".lc-street-name").first).to_be_attached()
    names = page.locator(".lc-street-name").all_text_contents()
    assert all(bool(re.search("[\u4e00-\u9fff]", name)) is chinese for name in names), names
    if not chinese:
        assert any(name.endswith(" Road") for name in names), names


def test_the_language_switch_flips_the_page_between_chinese_and_english(map_page):
    page = map_page.open()
    title = page.get_by_test_id("legend-title")
    expect(title, NO_CHINESE).to_have_text(LEGEND_TITLE["zh-hans"])
    assert_street_names_in(page, chinese=True)

    page.locator("[data-testid=lang-switch] button[data-language=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    map_page.wait_for_map()
    expect(title).to_have_text(LEGEND_TITLE["en"])
    expect(page.get_by_test_id("site-name")).to_have_text("Jiangning Road Sub-district 15-minute life circle")
    assert_street_names_in(page, chinese=False)  # every street of the demo has its name:en
    facility = next((f for f in active_facilities() if f.name_en), None)
    if facility:
        detail = map_page.open_detail(facility.code)
        expect(detail.get_by_test_id("detail-title")).to_have_text(facility.name_en)

    page.locator("[data-testid=lang-switch] button[data-language=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(title).to_have_text(LEGEND_TITLE["zh-hans"])
    map_page.check_clean()


def test_the_walking_network_and_grids_are_drawn_with_attribution(map_page):
    page = map_page.open()
    network = page.request.get(map_page.base_url + "/api/geo/network.geojson").json()
    assert network["features"], "the demo has no pedestrian network to draw"
    expect(page.locator("#map path.lc-network")).to_have_count(len(network["features"]))
    expect(page.locator("#map path.lc-grid")).to_have_count(Grid.objects.count())
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_be_visible()
    assert network.get("attribution"), "the network carries no attribution"
    expect(attribution).to_contain_text(network["attribution"])
    map_page.check_clean()


def test_desktop_screenshot(map_page):
    page = map_page.open()
    facility = most_isolated(active_facilities())
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-desktop.png")
    map_page.open_detail(facility.code)
    page.wait_for_timeout(300)  # let the map finish panning
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-desktop-detail.png")
    map_page.check_clean()


def test_on_a_phone_the_legend_folds_away_and_details_come_up_from_the_bottom(phone_page):
    page = phone_page.open()
    map_box = page.get_by_test_id("map").bounding_box()
    assert map_box["width"] == PHONE["width"] and map_box["height"] >= 400, map_box
    legend = page.get_by_test_id("legend")
    toggle = page.get_by_test_id("legend-toggle")
    expect(legend).to_be_hidden()
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-phone.png")

    # Everything a finger presses is at least 44 px each way.
    for target in [toggle, page.get_by_test_id("lang-switch").locator("button"), phone_page.markers().first]:
        box = target.bounding_box()
        assert round(box["width"]) >= 44 and round(box["height"]) >= 44, (target, box)

    toggle.tap()
    expect(legend).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    label = legend.locator("label.legend-item").first.bounding_box()
    assert round(label["height"]) >= 44, label
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-phone-legend.png")
    page.locator("#legend-close").tap()
    expect(legend).to_be_hidden()

    facility = most_isolated(active_facilities())
    phone_page.markers(f'[data-code="{facility.code}"]').tap()
    detail = page.get_by_test_id("detail")
    expect(detail).to_be_visible()
    sheet = detail.bounding_box()
    wrap = page.locator(".map-wrap").bounding_box()
    assert sheet["width"] == PHONE["width"], sheet  # a bottom sheet, full width ...
    assert abs((sheet["y"] + sheet["height"]) - (wrap["y"] + wrap["height"])) < 2, (sheet, wrap)  # ... at the bottom
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-phone-detail.png")
    phone_page.check_clean()


# ---- community layers: residents' requests and proposals ------------------------------------------

LAYERS = {"requests": "/api/requests311/requests.geojson", "proposals": "/api/geo/proposals.geojson"}


def quiet_spots(n):
    """n points inside the grids, each as far as it can be from every place, proposal and other spot,
    so that no other marker covers the ones drawn there."""
    taken = [(p.lon, p.lat) for p in [*active_facilities(), *PointOfInterest.objects.all()]]
    taken += list(Proposal.objects.filter(lon__isnull=False).values_list("lon", "lat"))
    polygons = [grid.polygon for grid in Grid.objects.all()]
    west, south, east, north = polygons[0].bounds
    for polygon in polygons[1:]:
        west, south, east, north = min(west, polygon.bounds[0]), min(south, polygon.bounds[1]), \
            max(east, polygon.bounds[2]), max(north, polygon.bounds[3])
    candidates = [
        (west + (east - west) * i / 40, south + (north - south) * j / 40) for i in range(1, 40) for j in range(1, 40)
    ]
    candidates = [c for c in candidates if any(polygon.contains(Point(c)) for polygon in polygons)]
    spots = []
    for _ in range(n):
        best = max(candidates, key=lambda c: min(math.dist(c, t) for t in taken))
        spots.append(best)
        taken.append(best)
    return spots


def report(service, spot, attributes):
    data = QueryDict(mutable=True)
    data.update({"service_code": service, "long": f"{spot[0]:.6f}", "lat": f"{spot[1]:.6f}", "description": "门口路灯不亮"})
    for code, value in attributes.items():
        data[f"attribute[{code}]"] = value
    return lifecycle.create_request(intake.parse_new_request(data), api_key=ApiKey.objects.get_or_create(name="map test")[0])


@pytest.fixture
def community(demo):
    """Two public requests in quiet spots, one of them acknowledged, and a private one never drawn."""
    first, second = quiet_spots(2)
    opened = report("street_light", first, {"problem": "off"})
    acknowledged = report("street_light", second, {"problem": "off"})
    ServiceRequest.objects.filter(pk=acknowledged.pk).update(state=ServiceRequest.State.ACKNOWLEDGED)
    report("elderly_help", first, {"needs": "meals"})
    assert Proposal.objects.filter(lon__isnull=False, hidden_at__isnull=True).exists(), "the demo has no proposal on the map"
    return opened


def test_requests_and_proposals_are_layers_that_are_off_until_ticked(map_page, community):
    fetched = []
    map_page.page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    page = map_page.open()
    detail = page.get_by_test_id("detail")
    boxes = {name: page.locator(f'[data-testid=legend] input[data-layer="{name}"]') for name in LAYERS}
    markers = {"requests": page.get_by_test_id("request-marker"), "proposals": page.get_by_test_id("proposal-marker")}
    for name in LAYERS:
        expect(boxes[name]).not_to_be_checked()
        expect(markers[name]).to_have_count(0)
        assert LAYERS[name] not in fetched, f"{name} were fetched before their box was ticked"

    features = {name: page.request.get(map_page.base_url + url).json()["features"] for name, url in LAYERS.items()}
    assert len(features["requests"]) == 2  # the private need is not on the map
    for name in LAYERS:
        count = page.locator(f'label.legend-item:has(input[data-layer="{name}"]) .legend-count')
        expect(count).to_have_text(str(len(features[name])))
        boxes[name].check()
        expect(markers[name]).to_have_count(len(features[name]))
        boxes[name].uncheck()
        expect(markers[name]).to_have_count(0)
        boxes[name].check()  # drawn again from what was fetched the first time
        expect(markers[name]).to_have_count(len(features[name]))
        assert fetched.count(LAYERS[name]) == 1, fetched
    expect(markers["requests"].first).to_have_attribute("tabindex", "0")
    expect(markers["requests"].first).to_have_attribute("aria-label", re.compile("路灯损坏"))

    # A request: its service, open or closed, and when it was made; nothing about who made it.
    markers["requests"].and_(page.locator(f'[data-id="{community.pk}"]')).click()
    expect(detail).to_be_visible()
    expect(detail).to_have_attribute("data-type", "request")
    expect(detail.get_by_test_id("detail-title")).to_have_text("路灯损坏")
    expect(detail.get_by_test_id("request-status")).to_have_attribute("data-status", "open")
    expect(detail.get_by_test_id("requested")).to_contain_text(str(timezone.localdate().day))
    expect(detail).not_to_contain_text("门口路灯不亮")
    # ... and a link to its public page, where its description and progress are published.
    link = detail.get_by_test_id("request-link")
    expect(link).to_have_attribute("href", f"/requests311/reports/{community.pk}/")
    acknowledged = next(f for f in features["requests"] if f["properties"]["detailed_status"] == "acknowledged")
    markers["requests"].and_(page.locator(f'[data-id="{acknowledged["properties"]["service_request_id"]}"]')).focus()
    page.keyboard.press("Enter")
    expect(detail.get_by_test_id("request-state")).to_be_visible()

    # A proposal: title, process, status, supports and a link to its page.
    others = [(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1]) for f in features["proposals"]]
    others += [(p.lon, p.lat) for p in [*active_facilities(), *PointOfInterest.objects.all()]]
    others += [tuple(f["geometry"]["coordinates"]) for f in features["requests"]]

    def room(feature):
        here = tuple(feature["geometry"]["coordinates"])
        return min((math.dist(here, o) for o in others if o != here), default=1)

    proposal = max(features["proposals"], key=room)["properties"]
    markers["proposals"].and_(page.locator(f'[data-id="{proposal["id"]}"]')).click()
    expect(detail).to_have_attribute("data-type", "proposal")
    expect(detail.get_by_test_id("detail-title")).to_have_text(proposal["title"])
    expect(detail.get_by_test_id("supports")).to_have_text(str(proposal["supports"]))
    expect(detail.get_by_test_id("process")).to_have_text(proposal["process_title"])
    expect(detail.get_by_test_id("proposal-link")).to_have_attribute("href", proposal["url"])
    assert proposal["url"].startswith("/participation/")

    # Unticking the layer whose marker is open closes its details.
    boxes["proposals"].uncheck()
    expect(markers["proposals"]).to_have_count(0)
    expect(detail).to_be_hidden()
    boxes["proposals"].check()
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-community.png")
    markers["requests"].and_(page.locator(f'[data-id="{community.pk}"]')).click()
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOTS / "lifecircle-map-community-detail.png")
    map_page.check_clean()


def test_a_layer_that_fails_to_load_says_so(map_page, community):
    page = map_page.page
    page.route("**" + LAYERS["requests"] + "*", lambda route: route.fulfill(status=503, body="{}"))
    map_page.open()
    box = page.locator('input[data-layer="requests"]')
    box.click()  # not check(): the box is unticked again as soon as the fetch fails
    expect(page.get_by_test_id("map-status")).to_have_class(re.compile(r"\bis-error\b"))
    expect(box).not_to_be_checked()
    expect(page.get_by_test_id("request-marker")).to_have_count(0)
