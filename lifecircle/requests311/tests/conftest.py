import datetime
from types import SimpleNamespace

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound, Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.requests311 import defaults
from lifecircle.requests311.models import ApiKey

from .client import DjangoTransport, Open311Client

# Points in the MINI pack: west grid is lon 121.440–121.445, east grid 121.445–121.450, lat 31.230–31.236.
WEST = {"lat": "31.2330", "long": "121.4420"}
EAST = {"lat": "31.2330", "long": "121.4480"}
OUTSIDE = {"lat": "31.2500", "long": "121.4600"}
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def place(db):
    subdistrict = load_pack(MINI)
    defaults.install()
    west, east = Grid.objects.get(code="west"), Grid.objects.get(code="east")
    home = make_household(Compound.objects.get(code="a"))
    return SimpleNamespace(
        subdistrict=subdistrict, west=west, east=east,
        west_worker=make_staff(StaffRole.Role.GRID_WORKER, subdistrict, grid=west),
        east_worker=make_staff(StaffRole.Role.GRID_WORKER, subdistrict, grid=east),
        admin=make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict),
        resident=make_resident(home, "李红", datetime.date(1980, 3, 1), email="li@example.org"),
        neighbour=make_resident(home, "张伟", datetime.date(1975, 6, 1)),
        key=ApiKey.issue(name="test app"),
    )


@pytest.fixture
def open311(client, place):
    """Spec clients in both formats holding the test app's api_key: ``json``/``xml`` read the site's
    language (Chinese), ``en_json``/``en_xml`` send Accept-Language: en (English error messages)."""
    chinese, english = DjangoTransport(client), DjangoTransport(client, HTTP_ACCEPT_LANGUAGE="en")
    return SimpleNamespace(
        json=Open311Client(chinese, fmt="json", api_key=place.key.plaintext),
        xml=Open311Client(chinese, fmt="xml", api_key=place.key.plaintext),
        en_json=Open311Client(english, fmt="json", api_key=place.key.plaintext),
        en_xml=Open311Client(english, fmt="xml", api_key=place.key.plaintext),
    )
