"""Every Open311 GeoReport v2 endpoint, driven by the spec-only client in JSON and in XML."""
from unittest import mock

import pytest

from lifecircle.requests311 import lifecycle
from lifecircle.requests311.models import ServiceRequest

from .client import UrllibTransport, Open311Client
from .conftest import EAST, T0, WEST

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")


def both(open311, call, *args, **kwargs):
    """Make the same call in JSON and XML; check the content types; return (json, xml) responses."""
    as_json = getattr(open311.json, call)(*args, **kwargs)
    as_xml = getattr(open311.xml, call)(*args, **kwargs)
    assert as_json.content_type == "application/json; charset=utf-8"
    assert as_xml.content_type == "text/xml; charset=utf-8"
    assert as_xml.raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return as_json, as_xml


def test_service_list_in_both_formats(open311):
    as_json, as_xml = both(open311, "services")
    assert as_json.status == as_xml.status == 200
    assert as_json.data == as_xml.data and open311.xml.root == "services"
    services = {s["service_code"]: s for s in as_json.data}
    assert set(services) >= {"street_light", "manhole_cover", "greenery", "noise", "elderly_help", "childcare_enquiry"}
    light = services["street_light"]
    assert set(light) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert light["service_name"] == "路灯损坏" and light["metadata"] is True and light["type"] == "realtime"
    assert light["group"] == "市政设施" and "路灯" in light["keywords"]
    assert services["childcare_enquiry"]["type"] == "batch"


def test_metadata_is_false_without_attributes(open311, place):
    from lifecircle.requests311.models import Service

    Service.objects.create(service_code="litter", service_name="垃圾", group="环境")
    services = {s["service_code"]: s for s in open311.xml.services().data}
    assert services["litter"]["metadata"] is False


def test_service_definition_in_both_formats(open311):
    as_json, as_xml = both(open311, "service_definition", "manhole_cover")
    assert as_json.data == as_xml.data and open311.xml.root == "service_definition"
    definition = as_json.data
    assert definition["service_code"] == "manhole_cover"
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3]
    notice, condition, where = definition["attributes"]
    assert notice["variable"] is False and "12345" in notice["description"]
    assert condition == {
        "variable": True, "code": "condition", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 2, "description": "井盖的情况",
        "values": [{"key": "missing", "name": "缺失"}, {"key": "broken", "name": "破损"},
                   {"key": "loose", "name": "松动或有响声"}, {"key": "sunken", "name": "下沉或凸起"}],
    }
    assert where["required"] is False
    needs = {a["code"]: a for a in open311.json.service_definition("elderly_help").data["attributes"]}["needs"]
    assert needs["datatype"] == "multivaluelist" and len(needs["values"]) == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_a_404_in_the_spec_format(open311, fmt):
    response = getattr(open311, "en_" + fmt).service_definition("teleporter")
    assert response.status == 404
    assert response.errors == [(404, "service_code 'teleporter' was not found; GET services lists them.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_a_request_and_read_it_back(open311, place, fmt):
    client = getattr(open311, fmt)
    created = client.create_request(
        "street_light", attributes={"problem": "flicker", "pole_number": "JN-0123"}, **WEST,
        address_string="甲小区3号楼前", email="wang@example.org", device_id="dev-1", account_id="acct-9",
        first_name="小明", last_name="王", phone="13900001111", description="晚上一直闪\n很晃眼",
        media_url="https://photos.example.org/1.jpg")
    assert created.status == 200, created.data
    (row,) = created.data
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    assert row["account_id"] == "acct-9" and "一个工作日" in row["service_notice"]
    request_id = row["service_request_id"]

    (found,) = client.request(request_id).data
    assert set(found) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"}
    assert found["status"] == "open" and found["service_code"] == "street_light"
    assert found["agency_responsible"] == "西网格"  # the grid that contains the point
    assert found["description"] == "晚上一直闪\n很晃眼"
    assert (found["lat"], found["long"]) == (31.233, 121.442)
    assert found["address"] == "甲小区3号楼前" and found["media_url"] == "https://photos.example.org/1.jpg"
    assert found["requested_datetime"].endswith("+08:00")
    # personal data never comes back
    assert not {"email", "phone", "first_name", "last_name", "device_id", "account_id"} & set(found)
    assert b"wang@example.org" not in client.requests().raw and b"13900001111" not in client.requests().raw
    saved = ServiceRequest.objects.get(pk=request_id)
    assert saved.attributes == {"problem": "flicker", "pole_number": "JN-0123"} and saved.api_key == place.key


def test_json_and_xml_say_the_same_about_requests(open311, place):
    open311.json.create_request("noise", attributes={"source": "construction", "heard_at": "2026-03-01T22:30:00+08:00",
                                                      "nights_per_week": "3"}, **EAST, description="夜间施工")
    as_json, as_xml = both(open311, "requests")
    assert as_json.data == as_xml.data and open311.xml.root == "service_requests"
    assert ServiceRequest.objects.get().attributes == {
        "source": "construction", "heard_at": "2026-03-01T22:30:00+08:00", "nights_per_week": 3}


def test_batch_service_returns_a_token_that_gives_the_request_id(open311):
    created = open311.xml.create_request("childcare_enquiry", attributes={"child_age_months": "18", "topic": "place"},
                                         address_string="乙小区", email="mum@example.org")
    (row,) = created.data
    assert "service_request_id" not in row and row["token"]  # "should not be returned if token is returned"
    as_json, as_xml = both(open311, "token", row["token"])
    assert as_json.data == as_xml.data
    assert as_json.data == [{"service_request_id": str(ServiceRequest.objects.get().pk), "token": row["token"]}]
    assert open311.json.token("no-such-token").status == 404


def test_get_requests_filters(open311, place):
    with mock.patch("django.utils.timezone.now", return_value=T0):
        light = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST).data[0]
        noise = open311.json.create_request("noise", attributes={"source": "business"}, **EAST).data[0]
    lifecycle.change_state(ServiceRequest.objects.get(pk=noise["service_request_id"]), "closed", "已劝导商户", place.admin,
                           now=T0)
    window = {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-03T00:00:00Z"}
    ids = lambda response: sorted(r["service_request_id"] for r in response.data)  # noqa: E731
    everything = sorted([light["service_request_id"], noise["service_request_id"]])
    for fmt in FORMATS:
        client = getattr(open311, fmt)
        assert ids(client.requests(**window)) == everything
        assert ids(client.requests(status="open", **window)) == [light["service_request_id"]]
        assert ids(client.requests(status="closed", **window)) == [noise["service_request_id"]]
        assert ids(client.requests(status="open,closed", **window)) == everything
        assert ids(client.requests(service_code="noise", **window)) == [noise["service_request_id"]]
        assert ids(client.requests(start_date="2026-03-02T10:00:00+08:00")) == []
        # service_request_id overrides every other argument
        assert ids(client.requests(service_request_id=[light["service_request_id"]], status="closed")) == \
            [light["service_request_id"]]
        # no dates: the last 90 days, which (today) do not include 2026-03-02
        with mock.patch("django.utils.timezone.now", return_value=T0.replace(year=2027)):
            assert ids(client.requests()) == []
    closed = open311.json.request(noise["service_request_id"]).data[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "已劝导商户"


def test_paging_extension(open311, place):
    for _ in range(3):
        open311.json.create_request("greenery", attributes={"issue": "dead"}, **WEST)
    first = open311.json.requests(page_size="2", page="1").data
    second = open311.json.requests(page_size="2", page="2").data
    assert len(first) == 2 and len(second) == 1
    assert {r["service_request_id"] for r in first + second} == set(map(str, ServiceRequest.objects.values_list("pk", flat=True)))
    assert open311.json.requests(page_size="5000").status == 400


def test_extensions_show_the_detailed_state_and_the_notes(open311, place):
    request_id = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST).data[0]["service_request_id"]
    service_request = ServiceRequest.objects.get(pk=request_id)
    lifecycle.change_state(service_request, "acknowledged", "已受理，明天维修", place.west_worker)
    plain = open311.json.request(request_id).data[0]
    assert plain["status"] == "open" and "extended_attributes" not in plain  # the spec's fields by default
    as_json, as_xml = both(open311, "request", request_id, extensions="true")
    assert as_json.data == as_xml.data
    found = as_json.data[0]
    assert found["extended_attributes"] == {"detailed_status": "acknowledged", "grid": "west", "routing": "grid"}
    assert [n["type"] for n in found["notes"]] == ["submitted", "acknowledged"]
    assert found["notes"][1]["description"] == "已受理，明天维修"


def test_the_status_update_stream(open311, place):
    request_id = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST).data[0]["service_request_id"]
    service_request = ServiceRequest.objects.get(pk=request_id)
    with mock.patch("django.utils.timezone.now", return_value=T0):
        lifecycle.change_state(service_request, "in_progress", "维修班组已派出", place.west_worker)
    lifecycle.change_state(service_request, "closed", "已更换灯泡", place.west_worker, now=T0.replace(hour=15))
    window = {"start_date": "2026-03-02T00:00:00+08:00", "end_date": "2026-03-03T00:00:00+08:00"}
    as_json, as_xml = both(open311, "updates", **window)
    assert as_json.data == as_xml.data and open311.xml.root == "service_request_updates"
    assert [(u["service_request_id"], u["status"], u["description"]) for u in as_json.data] == [
        (request_id, "open", "维修班组已派出"), (request_id, "closed", "已更换灯泡")]
    update = as_json.data[1]
    assert set(update) == {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
    assert update["updated_datetime"] == "2026-03-02T15:00:00+08:00"
    detailed = open311.json.updates(extensions="true", **window).data
    assert [u["extended_attributes"]["detailed_status"] for u in detailed] == ["in_progress", "closed"]
    later = open311.json.updates(start_date="2026-03-02T12:00:00+08:00", end_date="2026-03-02T23:00:00+08:00").data
    assert [u["description"] for u in later] == ["已更换灯泡"]


def test_private_services_publish_no_place_or_words(open311, place):
    request_id = open311.json.create_request(
        "elderly_help", attributes={"needs": ["meals", "visits"], "lives_alone": "yes"}, **WEST,
        address_string="甲小区5号楼302室", description="楼上独居的王阿姨腿脚不便").data[0]["service_request_id"]
    lifecycle.change_state(ServiceRequest.objects.get(pk=request_id), "acknowledged", "已联系王阿姨女儿", place.west_worker)
    for fmt in FORMATS:
        client = getattr(open311, fmt)
        (found,) = client.request(request_id, extensions="true").data
        assert found["service_code"] == "elderly_help" and found["agency_responsible"] == "西网格"
        assert found["lat"] is None and found["address"] is None and found["description"] is None
        assert found["status_notes"] is None and all(n["description"] is None for n in found["notes"])
        assert "王阿姨" not in client.updates().raw.decode() and "302" not in client.requests().raw.decode()
    assert ServiceRequest.objects.get().attributes == {"needs": ["meals", "visits"], "lives_alone": "yes"}


def test_discovery(open311):
    as_json, as_xml = both(open311, "discovery")
    assert as_json.data == as_xml.data and open311.xml.root == "discovery"
    (endpoint,) = as_json.data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["formats"] == ["text/xml", "application/json"]


def test_the_client_works_over_real_http(live_server, place):
    client = Open311Client(UrllibTransport(live_server.url), fmt="xml", api_key=place.key.plaintext)
    created = client.create_request("greenery", attributes={"issue": "fallen"}, **WEST, description="断枝挡路")
    assert created.status == 200
    (found,) = client.request(created.data[0]["service_request_id"]).data
    assert found["description"] == "断枝挡路" and found["agency_responsible"] == "西网格"
    assert client.services().status == 200
