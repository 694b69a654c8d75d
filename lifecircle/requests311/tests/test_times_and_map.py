"""Response and closing times per grid (API and staff page), and the public GeoJSON map layer."""
import datetime
from unittest import mock

import pytest

from lifecircle.requests311 import intake, lifecycle
from lifecircle.requests311.models import ServiceRequest
from lifecircle.requests311.stats import response_times

from .conftest import EAST, OUTSIDE, T0, WEST

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def make(place, location, service="street_light", attributes=None, at=T0, **fields):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"service_code": service, **location, **fields})
    for code, value in (attributes or {"problem": "off"}).items():
        data[f"attribute[{code}]"] = value
    return lifecycle.create_request(intake.parse_new_request(data), api_key=place.key, now=at)


@pytest.fixture
def history(place):
    """West: acknowledged after 1, 2 and 6 hours; closed after 10 and 30 hours. East: one open, untouched."""
    worker = place.west_worker
    a, b, c = (make(place, WEST) for _ in range(3))
    lifecycle.change_state(a, "acknowledged", "", worker, now=T0 + 1 * HOUR)
    lifecycle.change_state(a, "closed", "ok", worker, now=T0 + 10 * HOUR)
    lifecycle.change_state(b, "in_progress", "", worker, now=T0 + 2 * HOUR)
    lifecycle.change_state(b, "closed", "ok", worker, now=T0 + 30 * HOUR)
    lifecycle.change_state(c, "acknowledged", "", worker, now=T0 + 6 * HOUR)
    make(place, EAST)
    make(place, OUTSIDE)
    make(place, WEST, at=T0 - datetime.timedelta(days=40))  # before the period


def test_times_per_grid(history, place):
    from django.utils import translation

    with translation.override("zh-hans"):
        rows = {row["grid"]: row for row in response_times(T0 - HOUR, T0 + 100 * HOUR)}
    assert list(rows) == ["east", "west", None]
    assert rows["west"] == {
        "grid": "west", "name": "西网格", "requests": 3, "open": 1, "acknowledged": 3, "closed": 2,
        "acknowledge_median_hours": 2.0, "acknowledge_mean_hours": 3.0,
        "close_median_hours": 20.0, "close_mean_hours": 20.0,
    }
    assert rows["east"]["requests"] == 1 and rows["east"]["acknowledge_median_hours"] is None
    assert rows[None]["requests"] == 1


def test_times_api_is_for_staff(client, history, place):
    url = "/api/requests311/response-times?start=2026-03-02&end=2026-03-06"
    assert client.get(url).status_code == 401
    client.force_login(place.resident.user)
    assert client.get(url).status_code == 403
    client.force_login(place.east_worker)
    rows = {row["grid"]: row for row in client.get(url).json()}
    assert rows["west"]["close_median_hours"] == 20.0 and rows["west"]["acknowledge_mean_hours"] == 3.0
    assert client.get("/api/requests311/response-times?start=March").status_code == 400  # every bad date is a 400 naming the parameter (lifecircle.dates)
    assert client.get("/api/requests311/response-times?start=2026-03-06&end=2026-03-01").status_code == 400


def test_times_page(client, history, place):
    client.force_login(place.admin)
    page = client.get("/requests311/staff/times/?start=2026-03-02&end=2026-03-06").content.decode()
    assert "西网格" in page and "2.0 / 3.0" in page and "20.0 / 20.0" in page
    client.force_login(place.resident.user)
    assert client.get("/requests311/staff/times/").status_code == 403


def test_geojson_layer_has_public_fields_only(client, place):
    with mock.patch("django.utils.timezone.now", return_value=T0):
        light = make(place, WEST, email="secret@example.org", phone="13900009999", first_name="秘", last_name="密",
                     description="我家门口 13900009999", address_string="甲小区3号楼")
        make(place, WEST, service="elderly_help", attributes={"needs": "meals"}, address_string="甲小区5号楼302")
        make(place, {}, address_string="地址而已")  # no point to draw
        old = make(place, EAST)
        lifecycle.change_state(old, "closed", "ok", place.east_worker, now=T0 - datetime.timedelta(days=40))
        response = client.get("/api/requests311/requests.geojson")
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]  # the private need, the address-only one and the long-closed one are left out
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.442, 31.233]}
    assert feature["properties"] == {
        "service_request_id": str(light.pk), "service_code": "street_light", "service_name": "路灯损坏",
        "group": "市政设施", "status": "open", "detailed_status": "open",
        "requested_datetime": "2026-03-02T09:00:00+08:00", "updated_datetime": "2026-03-02T09:00:00+08:00",
        "agency_responsible": "西网格", "grid": "west", "url": f"/requests311/reports/{light.pk}/",
    }
    text = response.content.decode()
    assert all(secret not in text for secret in ("secret@", "13900009999", "甲小区", "302"))


def test_geojson_filters(client, place):
    with mock.patch("django.utils.timezone.now", return_value=T0):
        make(place, WEST)
        done = make(place, EAST, service="noise", attributes={"source": "traffic"})
        lifecycle.change_state(done, "closed", "ok", place.east_worker)
        ids = lambda q: [f["properties"]["service_code"] for f in client.get("/api/requests311/requests.geojson" + q).json()["features"]]  # noqa: E731
        assert sorted(ids("")) == ["noise", "street_light"]
        assert ids("?status=open") == ["street_light"]
        assert ids("?status=closed") == ["noise"]
        assert ids("?service_code=noise") == ["noise"]
        assert client.get("/api/requests311/requests.geojson?status=done").status_code == 422
        assert client.get("/api/requests311/requests.geojson?service_code=nope").status_code == 400
    assert ServiceRequest.objects.count() == 2
