"""The service pages on the shared stylesheet, in a real browser (Debian's Chromium through
Playwright, the demo data), on a phone and on a desktop: each page of bookings, baby care, meals,
day care, care at home, participation and planning passes axe-core (no serious or critical
violation: contrast, names, landmarks), logs no console error, answers without an error and, on a
phone, does not scroll sideways. The pages share one set of ui-* components (site.css), so a
component that fails here fails on every page that uses it."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from lifecircle.accessibility.tests.test_pages_browser import DESKTOP, demo, make_tab  # noqa: F401  (fixture)
from lifecircle.accounts.models import Resident, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.community.models import SubDistrict
from lifecircle.directory.tests.test_map_browser import PHONE
from lifecircle.tests.test_everyday_browser import MAP_CANVAS, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)

PUBLIC = ["bookings:rooms", "bookings:events", "babycare:centres", "meals:menu", "eldercare:activities",
          "participation:index"]
RESIDENT = ["bookings:mine", "babycare:mine", "meals:mine", "eldercare:mine", "homecare:schedule", "participation:mine"]
STAFF = ["bookings:staff", "babycare:staff", "meals:staff", "eldercare:staff", "homecare:staff"]
PLANNING = ["planning:scenarios", "planning:dashboard", "planning:siting"]


def resident_user():
    resident = Resident.objects.filter(user__isnull=False).first() or Resident.objects.first()
    if resident.user is None:
        resident.user = get_user_model().objects.create_user("resident-styles")
        resident.save()
    return resident.user


def visit(tab, axe_check, path):
    page = tab.page
    response = page.goto(tab.base_url + path)
    assert response.status < 400, (path, response.status)
    axe_check(page, exclude=MAP_CANVAS)
    if tab.context_is_mobile:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width} px wide)"


@pytest.mark.parametrize("viewport, mobile", [(PHONE, True), (DESKTOP, False)], ids=["phone", "desktop"])
def test_service_pages_pass_axe_and_fit(browser, live_server, demo, axe_check, viewport, mobile):  # noqa: F811
    tab = make_tab(browser, live_server, viewport, mobile=mobile)
    try:
        for name in PUBLIC:
            visit(tab, axe_check, reverse(name))
        signed_in(tab, resident_user())
        for name in RESIDENT:
            visit(tab, axe_check, reverse(name))
        tab.context.clear_cookies()
        subdistrict = SubDistrict.objects.get()
        signed_in(tab, make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict))
        for name in STAFF:
            visit(tab, axe_check, reverse(name))
        for name in PLANNING:
            visit(tab, axe_check, reverse(name, args=[subdistrict.code]))
        tab.check_clean()
    finally:
        tab.close()
