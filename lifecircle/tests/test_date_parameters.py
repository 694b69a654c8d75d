"""Every date a page or the API reads from its address: a date that is not a date (a 13th month, a
30th of February, a Chinese-style 2026/03/01) is a 400 that names the parameter, never a 500; and a
date written into a date field is ISO in every language (lifecircle.dates)."""
import datetime
import re

import pytest
from django.test import Client

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.babycare.models import CareProgramme
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, Room

pytestmark = pytest.mark.django_db
BAD = ["2026-13-01", "2026-02-30", "2026/03/01", "next tuesday"]

# (address, parameter) of every date read from a query string, pages and API alike.
PAGES = [
    ("/meals/", "week"),
    ("/meals/staff/", "date"),
    ("/eldercare/staff/", "date"),
    ("/babycare/staff/", "date"),
    ("/bookings/rooms/", "day"),
    ("/bookings/rooms/{room}/", "day"),
    ("/requests311/staff/times/", "start"),
    ("/requests311/staff/times/", "end"),
]
API = [
    ("/api/requests311/response-times", "start"),
    ("/api/meals/menus?facility={canteen}", "week"),
    ("/api/meals/staff/production?facility={canteen}", "date"),
    ("/api/meals/staff/deliveries?facility={canteen}", "date"),
    ("/api/eldercare/place-types", "date"),
    ("/api/eldercare/staff/occupancy?facility={canteen}", "date"),
    ("/api/bookings/rooms/{room}/availability", "day"),
]


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mini = load_pack(MINI)
    babycare = Facility.objects.get(code="babycare")
    CareProgramme.objects.create(facility=babycare, centre_type=CareProgramme.CentreType.INTERGENERATIONAL)
    canteen = Facility.objects.get(code="canteen")
    room = Room.objects.create(facility=canteen, code="r1", name="活动室", capacity=10, bookable=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, mini))
    return client, {"room": room.pk, "canteen": canteen.pk}


def _with(address, name, value):
    return address + ("&" if "?" in address else "?") + f"{name}={value}"


def _message(response):
    """The refusal's words: the 400 page's text, or the API's ``detail``."""
    if response["Content-Type"].startswith("application/json"):
        return str(response.json()["detail"])
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("bad", BAD)
def test_a_date_that_is_not_one_is_a_400_naming_it_on_pages_and_in_the_api(world, bad):
    client, ids = world
    for address, name in PAGES + API:
        response = client.get(_with(address.format(**ids), name, bad))
        assert response.status_code == 400, (address, name, response.status_code)
        assert f"{name}: '{bad}' is not a date" in _message(response), address


def test_good_dates_still_work(world):
    client, ids = world
    for address, name in PAGES + API:
        assert client.get(_with(address.format(**ids), name, "2026-03-02")).status_code == 200, address


def test_a_required_date_that_is_missing_says_so(world):
    client, ids = world
    response = client.get(f"/api/meals/staff/production?facility={ids['canteen']}")
    assert response.status_code == 400 and "date is needed" in response.json()["detail"]


def test_a_date_field_is_iso_in_chinese(world):
    """The booking form a resident fills in: Chinese formats would write 2026/12/08, which a date
    input refuses (it shows an empty field)."""
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(make_resident(make_household(Compound.objects.get(code="a")), "李红", datetime.date(1980, 1, 1)).user)
    text = page.get("/bookings/rooms/?day=2026-12-08").content.decode()
    fields = re.findall(r'<input[^>]*type="date"[^>]*>', text)
    assert len(fields) > 1, fields  # the day chooser and a room's booking form
    assert all('value="2026-12-08"' in f for f in fields), fields
