"""Malformed calls get the spec's error list with a clear description, and nothing is saved."""
from xml.etree import ElementTree

import pytest

from lifecircle.notifications.models import Notification
from lifecircle.requests311.models import ApiKey, RequestUpdate, ServiceRequest

from .conftest import WEST

pytestmark = pytest.mark.django_db
LIGHT = {"problem": "off"}


def nothing_saved():
    return not ServiceRequest.objects.exists() and not RequestUpdate.objects.exists() and not Notification.objects.exists()


def descriptions(response):
    return [description for _, description in response.errors]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("fields, status, message", [
    ({"service_code": "teleporter", **WEST}, 404, "service_code 'teleporter' was not found; GET services lists them."),
    ({"service_code": "", **WEST}, 400, "service_code is required; GET services lists them."),
    ({"service_code": "street_light"}, 400,
     "A location is required: send lat and long, address_string or address_id."),
    ({"service_code": "street_light", "lat": "31.233"}, 400, "lat and long must be sent together."),
    ({"service_code": "street_light", "lat": "north", "long": "121.44"}, 400,
     "lat and long must be WGS84 decimal degrees: lat between -90 and 90, long between -180 and 180 "
     "(got lat=north, long=121.44)."),
    ({"service_code": "street_light", "lat": "121.44", "long": "31.23"}, 400,
     "lat and long must be WGS84 decimal degrees: lat between -90 and 90, long between -180 and 180 "
     "(got lat=121.44, long=31.23)."),
    ({"service_code": "street_light", "lat": "nan", "long": "121.44"}, 400, "lat and long must be WGS84"),
    ({"service_code": "street_light", **WEST, "media_url": "javascript:alert(1)"}, 400,
     "media_url must be an http:// or https:// address."),
    ({"service_code": "street_light", **WEST, "media_url": "ftp://example.org/a.jpg"}, 400,
     "media_url must be an http:// or https:// address."),
    ({"service_code": "street_light", **WEST, "email": "not-an-address"}, 400,
     "email 'not-an-address' is not an e-mail address."),
    ({"service_code": "street_light", **WEST, "description": "x" * 4001}, 400,
     "description is 4001 characters long; at most 4000 are accepted."),
    ({"service_code": "street_light", **WEST, "phone": "1" * 31}, 400, "phone is longer than 30 characters."),
    ({"service_code": "street_light", **WEST, "address_string": "路" * 301}, 400,
     "address_string is longer than 300 characters."),
])
def test_bad_fields(open311, fmt, fields, status, message):
    client = getattr(open311, "en_" + fmt)
    fields = dict(fields)
    service_code = fields.pop("service_code")
    response = client.create_request(service_code, attributes=LIGHT if service_code == "street_light" else None, **fields)
    assert response.status == status
    assert response.errors[0][0] == status and response.errors[0][1].startswith(message)
    assert nothing_saved()


@pytest.mark.parametrize("attributes, message", [
    ({}, "attribute[problem] is required: What is wrong with the light?"),
    ({"problem": "exploded"}, "attribute[problem]: 'exploded' is not one of the keys damaged, day_on, flicker, off."),
    ({"problem": ["off", "flicker"]}, "attribute[problem] takes one value."),
    ({"problem": "off", "colour": "red"},
     "attribute[colour] is not an attribute of service street_light; GET services/street_light lists them."),
    ({"problem": "off", "pole_number": "JN-1\nJN-2"}, "attribute[pole_number] must be a single line."),
    ({"problem": "off", "pole_number": "x" * 1001}, "attribute[pole_number] is longer than 1000 characters."),
])
def test_bad_attributes(open311, attributes, message):
    response = open311.en_json.create_request("street_light", attributes=attributes, **WEST)
    assert response.status == 400 and message in descriptions(response)
    assert nothing_saved()


@pytest.mark.parametrize("attributes, message", [
    ({"source": "neighbour", "nights_per_week": "many"}, "attribute[nights_per_week] must be a number."),
    ({"source": "neighbour", "nights_per_week": "inf"}, "attribute[nights_per_week] must be a number."),
    ({"source": "neighbour", "heard_at": "last night"},
     "attribute[heard_at] must be a W3C date-time with a timezone, e.g. 2026-03-01T10:00:00+08:00."),
    ({"source": "neighbour", "heard_at": "2026-03-01T22:00:00"},
     "attribute[heard_at] must be a W3C date-time with a timezone, e.g. 2026-03-01T10:00:00+08:00."),
])
def test_bad_number_and_datetime_attributes(open311, attributes, message):
    response = open311.en_xml.create_request("noise", attributes=attributes, **WEST)
    assert response.status == 400 and descriptions(response) == [message]
    assert nothing_saved()


def test_multivaluelist_checks_every_value(open311):
    response = open311.en_json.create_request("elderly_help", attributes={"needs": ["meals", "karaoke"]}, **WEST)
    assert response.status == 400 and "'karaoke' is not one of the keys" in descriptions(response)[0]
    assert nothing_saved()


def test_informational_attribute_takes_no_value(open311):
    response = open311.en_json.create_request("manhole_cover", attributes={"condition": "missing", "danger_notice": "x"}, **WEST)
    assert descriptions(response) == ["attribute[danger_notice] only informs and takes no value."]


def test_too_many_attribute_fields(open311):
    attributes = {"problem": "off", **{f"a{i}": "x" for i in range(60)}}
    response = open311.en_json.create_request("street_light", attributes=attributes, **WEST)
    assert response.status == 400 and "Too many attribute fields (61); at most 50." in descriptions(response)
    assert nothing_saved()


def test_every_problem_is_listed_at_once(open311):
    response = open311.en_xml.create_request("street_light", lat="95", long="121.44", email="@", media_url="data:x")
    assert response.status == 400
    assert len(response.errors) == 4  # location, e-mail, media_url, the required attribute
    assert nothing_saved()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_api_key_is_required_to_post(open311, place, fmt):
    client = getattr(open311, "en_" + fmt)
    missing = client.create_request("street_light", attributes=LIGHT, api_key="", **WEST)
    assert missing.status == 403
    assert missing.errors == [(403, "api_key is required to submit; ask the sub-district office for one.")]
    wrong = client.create_request("street_light", attributes=LIGHT, api_key="guess", **WEST)
    assert wrong.errors == [(403, "Invalid api_key received -- can't proceed.")]
    ApiKey.objects.filter(pk=place.key.pk).update(active=False)
    assert client.create_request("street_light", attributes=LIGHT, **WEST).status == 403
    assert nothing_saved()


def test_html_is_removed_from_text(open311):
    response = open311.json.create_request(
        "street_light", attributes={"problem": "off", "pole_number": "<b>JN-7</b>"}, **WEST,
        address_string="<i>甲小区</i>", description='灯不亮 <script>alert("x")</script><img src=x onerror=alert(1)> a < b & c',
        first_name="<u>明</u>")
    assert response.status == 200
    saved = ServiceRequest.objects.get()
    assert saved.description == "灯不亮  a < b & c"
    assert saved.address_string == "甲小区" and saved.attributes["pole_number"] == "JN-7" and saved.first_name == "明"
    raw = open311.xml.requests().raw.decode()
    assert "<script" not in raw and "&lt; b &amp; c" in raw  # still plain text, escaped as XML


def test_characters_xml_cannot_carry_are_dropped(open311):
    response = open311.json.create_request("street_light", attributes=LIGHT, **WEST, description="灯\x00不\x07亮\x1b")
    assert response.status == 200
    assert ServiceRequest.objects.get().description == "灯不亮"
    ElementTree.fromstring(open311.xml.requests().raw)  # still well-formed


@pytest.mark.parametrize("query, message", [
    ({"start_date": "yesterday"}, "start_date 'yesterday' is not a W3C date-time with a timezone, e.g. 2010-01-01T00:00:00Z."),
    ({"end_date": "2026-03-01"}, "end_date '2026-03-01' is not a W3C date-time with a timezone, e.g. 2010-01-01T00:00:00Z."),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "end_date is before start_date."),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
     "start_date and end_date may not span more than 90 days."),
    ({"status": "pending"}, "status 'pending' is not open or closed."),
    ({"service_code": "teleporter"}, "service_code 'teleporter' is not a service of this endpoint; GET services lists them."),
    ({"service_request_id": "12,abc"}, "service_request_id must be numbers; got abc."),
    ({"page": "0"}, "page must be a whole number from 1 to 1000000."),
])
def test_bad_queries(open311, query, message):
    for client in (open311.en_json, open311.en_xml):
        response = client.requests(**query)
        assert response.status == 400 and response.errors == [(400, message)]


def test_a_plus_that_was_not_url_encoded_is_still_read_as_an_offset(open311):
    open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    # "+08:00" sent raw in a query string arrives as " 08:00"
    response = open311.json.http.client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00+08:00")
    assert response.status_code == 200


@pytest.mark.parametrize("path, status, message", [
    ("/open311/v2/services.yaml", 400, "Unknown format 'yaml': end the address with .json or .xml."),
    ("/open311/v2/services/street_light.csv", 400, "Unknown format 'csv': end the address with .json or .xml."),
    ("/open311/v2/services", 400, "Add a format to the address: services.json or services.xml."),
    ("/open311/v2/reports.json", 404, "There is no resource reports.json here; try services.xml or requests.xml."),
    ("/open311/v2/requests/999.json", 404, "service_request_id '999' was not found."),
    ("/open311/v2/requests/abc.xml", 404, "service_request_id 'abc' was not found."),
])
def test_wrong_addresses(client, place, path, status, message):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    expected_type = "application/json; charset=utf-8" if path.endswith(".json") else "text/xml; charset=utf-8"
    assert response["Content-Type"] == expected_type
    if expected_type.startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/description").text == message
        assert root.find("error/code").text == str(status)
    else:
        assert response.json() == [{"code": status, "description": message}]


def test_wrong_method(client, place):
    response = client.delete("/open311/v2/requests.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert response.json() == [{"code": 405, "description": "DELETE is not allowed here; use GET or POST."}]
    assert client.post("/open311/v2/services.json").status_code == 405


def test_post_needs_no_csrf_token_but_ignores_the_session(client, place):
    """Clients authenticate with api_key; a logged-in browser's session gives the API nothing."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(place.resident.user)
    response = browser.post("/open311/v2/requests.json", {"api_key": place.key.plaintext, "service_code": "street_light",
                                                          "attribute[problem]": "off", **WEST})
    assert response.status_code == 200
    assert ServiceRequest.objects.get().reporter is None


def test_errors_are_in_chinese_by_default(open311):
    response = open311.json.create_request("street_light", attributes=LIGHT)
    assert response.status == 400 and "位置" in response.errors[0][1]
