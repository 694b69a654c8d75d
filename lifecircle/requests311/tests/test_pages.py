"""Resident pages (report a need with a place on the map, my requests, notes, reopen) and the grid
worker's pages (my grid's requests, change the state with a note), plus the staff console."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.notifications.models import Notification
from lifecircle.requests311 import lifecycle
from lifecircle.requests311.models import Follower, ServiceRequest

from .conftest import EAST, OUTSIDE, WEST

pytestmark = pytest.mark.django_db


def report(client, place, service="street_light", **fields):
    client.force_login(place.resident.user)
    return client.post(f"/requests311/new/?service={service}", {"service_code": service, **fields})


def test_choosing_a_service_then_the_form_with_its_attributes_and_a_map(client, place):
    client.force_login(place.resident.user)
    page = client.get("/requests311/new/").content.decode()
    assert "路灯损坏" in page and "助老需求" in page and 'href="?service=street_light"' in page
    form = client.get("/requests311/new/?service=noise").content.decode()
    assert 'id="report-map"' in form and 'name="lat"' in form and 'name="long"' in form
    assert 'type="radio" name="attribute[source]" value="construction"' in form
    assert 'type="datetime-local" name="attribute[heard_at]"' in form
    assert 'type="number" step="any" inputmode="decimal" name="attribute[nights_per_week]"' in form
    assert "vendor/leaflet/leaflet.js" in form and "requests311/report-map.js" in form
    care = client.get("/requests311/new/?service=elderly_help").content.decode()
    assert 'type="checkbox" name="attribute[needs][]" value="meals"' in care
    assert "never shown on the public map" in care or "不会显示在公开地图上" in care
    # A public report says, before it is sent, what will be published and what never is.
    assert 'data-testid="published-notice"' in form and 'data-testid="published-notice"' not in care


def test_a_resident_reports_with_a_map_point(client, place):
    response = report(client, place, "elderly_help", **WEST, **{"attribute[needs][]": ["meals", "visits"]},
                      description="楼上王阿姨", **{"attribute[lives_alone]": "yes"})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests311/{request.pk}/"
    assert request.reporter == place.resident.user and request.resident == place.resident
    assert request.grid == place.west and request.attributes == {"needs": ["meals", "visits"], "lives_alone": "yes"}
    assert (request.phone, request.email, request.last_name, request.first_name) == ("13812345678", "li@example.org", "李", "红")
    assert Notification.objects.filter(user=place.west_worker).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "楼上王阿姨" in page and "西网格" in page


def test_datetime_from_the_form_gets_the_local_offset(client, place):
    report(client, place, "noise", **EAST, **{"attribute[source]": "neighbour", "attribute[heard_at]": "2026-03-01T23:15"})
    assert ServiceRequest.objects.get().attributes["heard_at"] == "2026-03-01T23:15:00+08:00"


def test_form_errors_are_shown_and_nothing_is_saved(client, place):
    response = report(client, place, "street_light", description="<b>灯</b>")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    assert not ServiceRequest.objects.exists() and not Notification.objects.exists()
    assert "&lt;b&gt;灯&lt;/b&gt;" in page  # what was typed comes back, escaped


def test_residents_are_rate_limited_too(client, place, settings):
    settings.OPEN311_RATE_LIMIT = 1
    assert report(client, place, **WEST, **{"attribute[problem]": "off"}).status_code == 302
    response = report(client, place, **WEST, **{"attribute[problem]": "off"})
    assert response.status_code == 400 and ServiceRequest.objects.count() == 1


def test_unverified_residents_are_told_why(client, place):
    home = make_household(Compound.objects.get(code="b"))
    newcomer = make_resident(home, "赵六", datetime.date(1990, 1, 1), verified=False)
    client.force_login(newcomer.user)
    response = client.get("/requests311/new/")
    assert response.status_code == 403 and 'data-testid="denied"' in response.content.decode()
    assert client.get("/requests311/").status_code == 403
    client.logout()
    assert client.get("/requests311/new/")["Location"].startswith("/accounts/login/")


def test_my_requests_notes_and_reopening(client, place):
    report(client, place, **WEST, **{"attribute[problem]": "off"})
    request = ServiceRequest.objects.get()
    lifecycle.change_state(request, "closed", "已更换灯泡，请查看", place.west_worker)
    listing = client.get("/requests311/").content.decode()
    assert f"#{request.pk}" in listing and "已更换灯泡" in listing
    detail = client.get(f"/requests311/{request.pk}/").content.decode()
    assert "已更换灯泡，请查看" in detail and 'data-testid="reopen-form"' in detail
    response = client.post(f"/requests311/{request.pk}/action/", {"action": "reopen", "text": "还是不亮"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "reopened" and request.status_notes == "还是不亮"
    detail = client.get(f"/requests311/{request.pk}/").content.decode()
    assert 'data-testid="comment-form"' in detail and 'data-testid="reopen-form"' not in detail
    client.post(f"/requests311/{request.pk}/action/", {"action": "comment", "text": "晚上8点后最暗"})
    assert request.updates.last().note == "晚上8点后最暗"


def test_my_requests_reads_no_contact_details_of_the_requests(client, place):
    """The lists show a request's number, service, state, date and notes: the contact details stored
    with each request (e-mail, phone, names) and its description are not read for them."""
    report(client, place, **WEST, **{"attribute[problem]": "off"}, description="灯不亮", email="li@example.org")
    request = ServiceRequest.objects.get()
    Follower.objects.create(request=request, user=place.resident.user)
    with CaptureQueriesContext(connection) as queries:
        listing = client.get("/requests311/").content.decode()
    assert f'href="/requests311/{request.pk}/"' in listing  # mine
    assert f'href="/requests311/reports/{request.pk}/"' in listing.split('data-testid="followed"')[1]  # followed
    read = [q["sql"] for q in queries if '"requests311_servicerequest"' in q["sql"]]
    assert len(read) == 2
    for column in ("email", "phone", "first_name", "last_name", "description"):
        assert not any(f'"requests311_servicerequest"."{column}"' in sql for sql in read), column


def test_my_requests_compiles_its_lists_once_per_process(client, place, monkeypatch):
    """After a first visit the two lists run from their kept SQL (lifecircle.compiled_queries):
    building and compiling them took about 1 ms of the page's CPU on every visit. Each still shows
    its service's name in the reader's language, and only the reader's own requests."""
    from django.db.models.sql.compiler import SQLCompiler

    report(client, place, **WEST, **{"attribute[problem]": "off"})
    request = ServiceRequest.objects.get()
    Follower.objects.create(request=request, user=place.resident.user)
    client.get("/requests311/")
    compiled = []
    real_as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query.model) or
                        real_as_sql(self, *a, **k))
    listing = client.get("/requests311/").content.decode()
    assert ServiceRequest not in compiled
    name, name_en = request.service.service_name, request.service.service_name_en
    assert listing.count(f"#{request.pk} {name}") == 2  # mine, and followed
    english = client.get("/requests311/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.count(f"#{request.pk} {name_en}") == 2 and name_en != name
    client.force_login(place.neighbour.user)
    assert f"#{request.pk}" not in client.get("/requests311/").content.decode()


def test_nobody_else_sees_or_reopens_my_request(client, place):
    report(client, place, **WEST, **{"attribute[problem]": "off"})
    request = ServiceRequest.objects.get()
    lifecycle.change_state(request, "closed", "已处理", place.west_worker)
    client.force_login(place.neighbour.user)
    assert client.get(f"/requests311/{request.pk}/").status_code == 404
    assert client.post(f"/requests311/{request.pk}/action/", {"action": "reopen", "text": "x"}).status_code == 404
    assert f"/requests311/{request.pk}/" not in client.get("/requests311/").content.decode()
    assert ServiceRequest.objects.get().state == "closed"


def test_grid_worker_sees_only_their_grid(client, place):
    report(client, place, **WEST, **{"attribute[problem]": "off"}, address_string="西边的路灯")
    report(client, place, **EAST, **{"attribute[problem]": "off"}, address_string="东边的路灯")
    report(client, place, **OUTSIDE, **{"attribute[problem]": "off"}, address_string="远处的路灯")
    west, east, outside = ServiceRequest.objects.order_by("pk")
    client.force_login(place.west_worker)
    page = client.get("/requests311/staff/").content.decode()
    assert "西边的路灯" in page and "东边的路灯" not in page and "远处的路灯" not in page
    assert client.get(f"/requests311/staff/{east.pk}/").status_code == 403
    client.force_login(place.admin)
    page = client.get("/requests311/staff/").content.decode()
    assert 'data-testid="unrouted"' in page and "远处的路灯" not in page.split('data-testid="unrouted"')[0]
    assert f"/requests311/staff/{outside.pk}/" in page
    client.force_login(place.resident.user)
    assert client.get("/requests311/staff/").status_code == 403


def test_grid_worker_changes_state_with_a_note_and_reading_is_logged(client, place):
    report(client, place, **WEST, **{"attribute[problem]": "flicker"})
    request = ServiceRequest.objects.get()
    client.force_login(place.west_worker)
    page = client.get(f"/requests311/staff/{request.pk}/").content.decode()
    assert "李红" in page and "13812345678" in page and "闪烁" in page  # the reporter's contact, the attribute's name
    log = AccessLog.objects.get(user=place.west_worker)
    assert log.resident == place.resident and f"servicerequest #{request.pk}" in log.purpose
    response = client.post(f"/requests311/staff/{request.pk}/action/",
                           {"action": "state", "state": "acknowledged", "note": "已受理，明天维修"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "acknowledged" and request.status_notes == "已受理，明天维修"
    assert Notification.objects.filter(user=place.resident.user, body="已受理，明天维修").exists()
    # a refused change says why and changes nothing
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "state", "state": "closed", "note": ""})
    request.refresh_from_db()
    assert request.state == "acknowledged"
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "note", "audience": "public", "note": "零件已到"})
    assert request.updates.last().note == "零件已到"
    # another grid's worker cannot act
    client.force_login(place.east_worker)
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "state", "state": "closed", "note": "x"})
    assert ServiceRequest.objects.get().state == "acknowledged"


def test_administrator_routes_by_hand(client, place):
    report(client, place, address_string="江宁路某号", **{"attribute[problem]": "off"})
    request = ServiceRequest.objects.get()
    client.force_login(place.admin)
    assert 'data-testid="route-form"' in client.get(f"/requests311/staff/{request.pk}/").content.decode()
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "route", "grid": place.east.pk})
    request.refresh_from_db()
    assert request.grid == place.east and request.routing == "manual"
    client.force_login(place.west_worker)
    assert 'data-testid="route-form"' not in client.get("/requests311/staff/").content.decode()


def test_staff_console_lists_only_the_workers_grid_masked_and_logs_reads(client, place):
    report(client, place, **WEST, **{"attribute[problem]": "off"})
    report(client, place, **EAST, **{"attribute[problem]": "off"})
    west, east = ServiceRequest.objects.order_by("pk")
    client.force_login(place.west_worker)
    listing = client.get("/admin/requests311/servicerequest/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f"/admin/requests311/servicerequest/{west.pk}/change/" in text
    assert f"/admin/requests311/servicerequest/{east.pk}/change/" not in text
    assert "李*" in text and "李红" not in text
    assert client.get(f"/admin/requests311/servicerequest/{west.pk}/change/").status_code == 200
    assert AccessLog.objects.filter(user=place.west_worker, resident=place.resident).exists()
    assert client.get("/admin/requests311/service/").status_code == 200
    assert client.get("/admin/requests311/service/add/").status_code == 403  # grid workers do not edit services


def test_administrator_edits_services_in_the_console(client, place):
    client.force_login(place.admin)
    from lifecircle.requests311.models import ServiceAttribute

    attribute = ServiceAttribute.objects.get(service__service_code="street_light", code="problem")
    page = client.get(f"/admin/requests311/service/{attribute.service_id}/change/").content.decode()
    assert f"/admin/requests311/serviceattribute/{attribute.pk}/change/" in page
    assert client.get(f"/admin/requests311/serviceattribute/{attribute.pk}/change/").status_code == 200
    assert client.get("/admin/requests311/apikey/add/").status_code == 200


def test_links_for_the_home_pages(client, place):
    client.force_login(place.resident.user)
    page = client.get("/accounts/me/").content.decode()
    assert "/requests311/new/" in page and 'href="/requests311/"' in page
    client.force_login(place.west_worker)
    assert "/requests311/staff/" in client.get("/accounts/staff/").content.decode()
