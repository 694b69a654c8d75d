"""The signed-in resident's home on the map of happiness: their compound, for them only."""
import datetime
import json
import re

import pytest
from django.test import Client

from lifecircle.accounts.testing import make_household, make_resident, make_user
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI

pytestmark = pytest.mark.django_db


def map_config(client, url):
    page = client.get(url).content.decode()
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)), page


def test_a_resident_sees_their_compound_marked_and_nobody_else_does():
    mini = load_pack(MINI)
    compound = Compound.objects.get(subdistrict=mini, code="a")
    resident = make_resident(make_household(compound, "3-101"), "李红", datetime.date(1990, 3, 1))
    url = f"/s/{mini.code}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    config, _ = map_config(client, url)
    assert config["home"] is None  # a visitor has no home on the map
    client.force_login(resident.user)
    config, page = map_config(client, url)
    assert config["home"] == {"lat": compound.lat, "lon": compound.lon, "name": compound.display_name}
    assert "3-101" not in page  # the compound, never the flat
    assert "{compound}" in config["strings"]["myHome"] and "street-names.js" in page
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(make_user("staff-without-home"))
    assert map_config(staff, url)[0]["home"] is None
    other = SubDistrict.objects.create(code="other", name="别的街道", name_en="Other", city="上海市", district="静安区")
    elsewhere = Compound.objects.create(subdistrict=other, code="far", name="远处小区", lon=121.5, lat=31.3)
    outsider = make_resident(make_household(elsewhere), "钱外人", datetime.date(1970, 2, 2))
    client.force_login(outsider.user)
    assert map_config(client, url)[0]["home"] is None  # their home is not on this sub-district's map
