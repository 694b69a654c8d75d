"""The street-report journey in a real browser, on a phone and on a desktop, in Chinese and English:
the form says what is published, "use my location" shows the open reports nearby (the same kind
first), the resident opens one and follows it, is told in their language when staff answer, then
sends a report of their own with a photo and sees it on their page. Fails on any console error,
any 4xx/5xx answer from the site, any request to another host, and any serious or critical axe
violation outside the Leaflet canvas. Screenshots of the form with its nearby list go to the
temporary folder (lifecircle-street-report-*.png)."""
import io
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from lifecircle.notifications.models import Notification
from lifecircle.requests311 import intake, lifecycle
from lifecircle.requests311.models import Follower, ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)
MAP_CANVAS = [".leaflet-map-pane", ".leaflet-control-attribution"]  # Leaflet's own markup
HERE = {"latitude": 31.2330, "longitude": 121.4420}  # inside the west grid of the MINI pack
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
VIEWS = {"phone-zh": {**PHONE, "locale": "zh-CN"}, "phone-en": {**PHONE, "locale": "en-US"},
         "desktop-zh": {**DESKTOP, "locale": "zh-CN"}, "desktop-en": {**DESKTOP, "locale": "en-US"}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_with_gps():
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 60)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


class Watched:
    """A signed-in tab that records console errors, failed answers and requests to other hosts."""

    def __init__(self, browser, live_server, user, view):
        client = Client()
        client.force_login(user)
        self.host = urlsplit(live_server.url)
        self.base = live_server.url
        self.context = browser.new_context(timezone_id="Asia/Shanghai", permissions=["geolocation"],
                                           geolocation=HERE, **VIEWS[view])
        self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        self.errors, self.failed, self.foreign = [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", lambda response: response.status >= 400 and self.failed.append(
            (response.status, response.url)))

    def _route(self, route):
        if urlsplit(route.request.url).netloc == self.host.netloc:
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def check_clean(self):
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.failed == [], f"4xx/5xx answers: {self.failed}"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"


def existing_report(place):
    """The neighbour's report of the same lamp, 15 m from where the resident stands."""
    from django.http import QueryDict

    form = QueryDict(mutable=True)
    form.update({"service_code": "street_light", "attribute[problem]": "off", "lat": "31.23312",
                 "long": "121.44205", "address_string": "3号楼前", "description": "路灯不亮"})
    return lifecycle.create_request(intake.parse_new_request(form), reporter=place.neighbour.user)


@pytest.mark.parametrize("view", list(VIEWS))
def test_report_with_photo_after_checking_nearby_and_following_one(browser, live_server, place, axe_check, view):
    english = view.endswith("en")
    theirs = existing_report(place)
    tab = Watched(browser, live_server, place.resident.user, view)
    page = tab.page

    # 1. the form for a street light: what is published is said before sending
    page.goto(f"{tab.base}/requests311/new/?service=street_light")
    expect(page.get_by_test_id("published-notice")).to_be_visible()
    expect(page.get_by_test_id("send-reminder")).to_be_visible()
    # 2. "use my location": the open reports nearby appear, the same kind first
    page.locator("#locate-me").click()
    expect(page.locator("#id_lat")).not_to_have_value("")
    expect(page.get_by_test_id("nearby")).to_be_visible()
    item = page.get_by_test_id("nearby-report").first
    expect(item).to_have_attribute("data-id", str(theirs.pk))
    expect(item).to_have_attribute("data-same", "true")
    axe_check(page, exclude=MAP_CANVAS)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"lifecircle-street-report-{view}.png"), full_page=True)

    # 3. it is the same lamp: open it and follow it instead of repeating it
    item.get_by_role("link").click()
    expect(page.get_by_test_id("public-report")).to_be_visible()
    expect(page.get_by_test_id("public-report")).not_to_contain_text("张伟")  # who reported it is not shown
    page.get_by_test_id("follow").click()
    expect(page.get_by_test_id("following")).to_be_visible()
    assert Follower.objects.filter(request=theirs, user=place.resident.user).exists()
    axe_check(page)
    # staff answer: the follower is told, in the language they read in
    lifecycle.change_state(theirs, "acknowledged", "已派人查看", place.west_worker)
    told = Notification.objects.get(user=place.resident.user)
    with translation.override("en" if english else "zh-hans"):
        subject = told.shown_subject
    assert subject == told.texts["en" if english else "zh-hans"][0] and f"#{theirs.pk}" in subject
    assert ("acknowledged" in subject) == english, subject

    # 4. a different problem on the same spot: a report of their own, with a photo
    page.goto(f"{tab.base}/requests311/new/?service=greenery")
    page.locator("#locate-me").click()
    expect(page.get_by_test_id("nearby-report")).to_have_count(1)
    expect(page.get_by_test_id("nearby-report")).to_have_attribute("data-same", "false")  # the lamp: another kind
    page.locator('input[name="attribute[issue]"][value="overgrown"]').check()
    page.locator("#id_description").fill("树枝挡住了路灯")
    page.get_by_test_id("photo-input").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()})
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-detail")).to_be_visible()
    photo = page.get_by_test_id("report-photo")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.complete && image.naturalWidth") == 320
    mine = ServiceRequest.objects.get(reporter=place.resident.user)
    assert mine.grid == place.west and mine.media_url.endswith(f"/requests311/{mine.pk}/photo/")
    with Image.open(mine.photo.path) as kept:
        assert not kept.getexif()
    axe_check(page)
    tab.check_clean()
    tab.context.close()
