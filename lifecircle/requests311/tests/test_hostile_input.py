"""Input no client should send still gets the spec's error list (or an empty answer), never a 500;
numbers are ASCII digits only; HEAD and OPTIONS are answered; api_keys are kept only as hashes."""
import io

import pytest
from django.core.management import call_command

from lifecircle.requests311.models import ApiKey, ServiceRequest, hash_api_key

from .conftest import WEST

pytestmark = pytest.mark.django_db
LIGHT = {"problem": "off"}


@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("query, status, message", [
    ({"start_date": "9999-12-31T23:59:59Z"}, 400, "start_date must lie between the years 1900 and 9999."),
    ({"end_date": "0001-01-01T00:00:00Z"}, 400, "end_date must lie between the years 1900 and 9999."),
    ({"start_date": "0001-01-01T00:00:00+08:00"}, 400, "start_date must lie between the years 1900 and 9999."),
    ({"page": "99999999999999999999"}, 400, "page must be a whole number from 1 to 1000000."),
    ({"page": "١٢"}, 400, "page must be a whole number from 1 to 1000000."),
    ({"page_size": "１０"}, 400, "page_size must be a whole number from 1 to 500."),
])
def test_dates_and_pages_out_of_range_are_refused(open311, resource, query, status, message):
    for client in (open311.en_json, open311.en_xml):
        response = client._get(resource, **query)
        assert response.status == status and response.errors == [(status, message)]


@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
def test_the_edges_of_the_date_range_are_answered(open311, resource):
    assert open311.json._get(resource, start_date="9999-09-01T00:00:00Z").data == []
    assert open311.json._get(resource, end_date="1900-02-01T00:00:00Z").data == []


def test_an_id_too_large_for_the_database_is_not_found(open311):
    open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    assert open311.json.requests(service_request_id="99999999999999999999999").data == []
    assert open311.json.request("99999999999999999999999").status == 404
    assert open311.en_json.requests(service_request_id="١").errors == [
        (400, "service_request_id must be numbers; got ١.")]
    assert open311.json.request("١").status == 404  # the first request's id, in Arabic-Indic digits


def test_a_body_that_is_not_utf8_form_data_gets_the_error_list(client, place):
    for body, content_type in [
        ("api_key=x&description=caf\xe9".encode("latin-1"), "application/x-www-form-urlencoded; charset=latin-1"),
        (b"api_key=x", "multipart/form-data"),  # no boundary
    ]:
        response = client.generic("POST", "/open311/v2/requests.json", body, content_type=content_type,
                                  HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == [{"code": 400, "description": "The request body could not be read: send the fields "
                                    "form-encoded (application/x-www-form-urlencoded, or multipart/form-data "
                                    "with a photo as media) in UTF-8."}]
    assert not ServiceRequest.objects.exists()


def test_head_and_options(client, place):
    get = client.get("/open311/v2/services.json")
    head = client.head("/open311/v2/services.json")
    assert head.status_code == 200 and head["Content-Type"] == get["Content-Type"] and head.content == b""
    options = client.options("/open311/v2/requests.xml")
    assert options.status_code == 204 and options["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert client.options("/open311/v2/services.json")["Allow"] == "GET, HEAD, OPTIONS"


def test_api_key_is_accepted_in_the_query_string(client, place):
    response = client.post(f"/open311/v2/requests.json?api_key={place.key.plaintext}",
                           {"service_code": "street_light", "attribute[problem]": "off", **WEST})
    assert response.status_code == 200 and ServiceRequest.objects.get().api_key == place.key


def test_api_keys_are_stored_only_as_hashes(place):
    stored = ApiKey.objects.get(pk=place.key.pk)
    assert not hasattr(stored, "plaintext") and stored.key_hash == hash_api_key(place.key.plaintext)
    assert place.key.plaintext not in str(ApiKey.objects.filter(pk=place.key.pk).values().get())
    assert ApiKey.active_for(place.key.plaintext) == stored
    old = place.key.plaintext
    new = stored.reissue()
    assert ApiKey.active_for(old) is None and ApiKey.active_for(new) == stored


def test_the_command_prints_the_key_once(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_open311_key", "WeChat mini-program", "--contact", "张老师", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    key = ApiKey.objects.get(name="WeChat mini-program")
    assert ApiKey.active_for(plaintext) == key and key.prefix == plaintext[:6] and "shown only now" in err.getvalue()


def test_the_admin_shows_a_new_key_once(client, place):
    client.force_login(place.admin)
    place.admin.is_superuser = True
    place.admin.save()
    response = client.post("/admin/requests311/apikey/add/", {"name": "kiosk", "contact": "", "active": "on"},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    key = ApiKey.objects.get(name="kiosk")
    shown = [str(m) for m in response.context["messages"] if "api_key" in str(m)]
    assert len(shown) == 1
    plaintext = shown[0].split(" is ", 1)[1].split(" ", 1)[0]
    assert ApiKey.active_for(plaintext) == key
    page = client.get(f"/admin/requests311/apikey/{key.pk}/change/").content.decode()
    assert plaintext not in page and key.prefix in page


def test_cached_lists_show_a_new_request_once_it_commits(open311, django_capture_on_commit_callbacks):
    assert open311.json.requests().data == [] and open311.json.updates().data == []
    with django_capture_on_commit_callbacks(execute=True):
        created = open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    listed = open311.json.requests().data
    assert [r["service_request_id"] for r in listed] == [created.data[0]["service_request_id"]]


def test_new_requests_leave_the_cached_service_list_but_a_service_change_drops_it(
        open311, place, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.requests311.models import Service

    def services_and_queries():
        with CaptureQueriesContext(connection) as queries:
            listed = open311.json.services().data
        return {s["service_code"]: s["service_name"] for s in listed}, len(queries)

    services_and_queries()
    with django_capture_on_commit_callbacks(execute=True):
        open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    _, queries = services_and_queries()
    assert queries == 0  # a busy day's requests do not make every client's service list a miss
    with django_capture_on_commit_callbacks(execute=True):
        light = Service.objects.get(service_code="street_light")
        light.service_name = "路灯坏了"
        light.save()
    names, queries = services_and_queries()
    assert queries > 0 and names["street_light"] == "路灯坏了"


def test_new_requests_leave_the_cached_update_stream_but_a_state_change_drops_it(
        open311, place, django_capture_on_commit_callbacks):
    """A new request adds only its own "submitted" update, which the stream leaves out: a busy
    day's requests keep every client's update stream cached, and its first real update shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.requests311 import lifecycle

    def updates_and_queries():
        with CaptureQueriesContext(connection) as queries:
            listed = open311.json.updates().data
        return listed, len(queries)

    with django_capture_on_commit_callbacks(execute=True):
        created = open311.json.create_request("street_light", attributes=LIGHT, **WEST).data[0]
    listed, queries = updates_and_queries()
    assert listed == [] and queries > 0
    with django_capture_on_commit_callbacks(execute=True):
        open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    assert updates_and_queries() == ([], 0)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.change_state(ServiceRequest.objects.get(pk=created["service_request_id"]), "acknowledged",
                               "已受理", place.west_worker)
    listed, queries = updates_and_queries()
    assert queries > 0 and [(u["service_request_id"], u["status"]) for u in listed] == [
        (created["service_request_id"], "open")]


def test_request_reads_keep_the_services_until_one_changes(open311, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.requests311.models import Service

    with django_capture_on_commit_callbacks(execute=True):
        created = open311.json.create_request("street_light", attributes=LIGHT, **WEST).data[0]
    open311.json.request(created["service_request_id"])
    with CaptureQueriesContext(connection) as queries:
        shown = open311.json.request(created["service_request_id"]).data[0]
    # the request alone: not every service again (each list and each read did that)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries]
    assert tables == ['"requests311_servicerequest"']
    with django_capture_on_commit_callbacks(execute=True):
        light = Service.objects.get(service_code="street_light")
        light.service_name = "路灯坏了"
        light.save()
    assert shown["service_name"] != "路灯坏了"
    assert open311.json.request(created["service_request_id"]).data[0]["service_name"] == "路灯坏了"


def test_a_changed_service_takes_effect_at_the_next_report(open311, django_capture_on_commit_callbacks):
    # Each process keeps the active services and their attributes; a change must reach the next report.
    from lifecircle.requests311.models import Service, ServiceAttribute

    assert open311.json.create_request("street_light", attributes=LIGHT, **WEST).status == 200
    with django_capture_on_commit_callbacks(execute=True):
        Service.objects.filter(service_code="street_light").update(active=False)
        from lifecircle import caching
        caching.bump("open311-services")  # update() sends no signal: the caller bumps
    assert open311.json.create_request("street_light", attributes=LIGHT, **WEST).status == 404
    with django_capture_on_commit_callbacks(execute=True):
        light = Service.objects.get(service_code="street_light")
        light.active = True
        light.save()
        ServiceAttribute.objects.create(service=light, code="pole", variable=True, datatype="string",
                                        required=True, description="杆号", order=99)
    refused = open311.en_json.create_request("street_light", attributes=LIGHT, **WEST)
    assert refused.status == 400 and "pole" in repr(refused.errors)


def test_a_renamed_grid_shows_in_the_cached_request_list(open311, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open311.json.create_request("street_light", attributes=LIGHT, **WEST)
    first = open311.json.requests().data[0]
    with django_capture_on_commit_callbacks(execute=True):
        place.west.name = "西区新名"
        place.west.save()
    again = open311.json.requests().data[0]
    assert first["agency_responsible"] != "西区新名" and again["agency_responsible"] == "西区新名"


def test_lists_page_newest_first_and_stably(open311, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ids = [open311.json.create_request("street_light", attributes=LIGHT, **WEST).data[0]["service_request_id"]
               for _ in range(5)]
    pages = [open311.json.requests(page_size="2", page=str(n)).data for n in (1, 2, 3)]
    assert [r["service_request_id"] for page in pages for r in page] == ids[::-1]
    assert len(open311.json.requests().data) == 5  # the default page (100) holds them all
