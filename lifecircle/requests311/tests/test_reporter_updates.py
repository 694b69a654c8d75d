"""The reporter, known by the email, account_id or token the request was made with, comments on
and reopens a request through POST servicerequestupdates (the updates extension)."""
import pytest

from lifecircle.notifications.models import Notification
from lifecircle.requests311 import lifecycle
from lifecircle.requests311.models import RequestUpdate, ServiceRequest

from .conftest import WEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(open311, place):
    created = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST,
                                          email="Wang@Example.org", account_id="acct-7")
    request = ServiceRequest.objects.get(pk=created.data[0]["service_request_id"])
    lifecycle.change_state(request, "closed", "已修好", place.west_worker)
    return request


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("identity", [{"email": "wang@example.org"}, {"account_id": "acct-7"}, {"token": None}])
def test_the_reporter_reopens_a_closed_request(open311, place, closed, fmt, identity):
    identity = {k: v or closed.token for k, v in identity.items()}
    response = getattr(open311, fmt).post_update(str(closed.pk), "open", "晚上又不亮了", **identity)
    assert response.status == 200, response.data
    (row,) = response.data
    update = RequestUpdate.objects.get(pk=row["update_id"])
    assert (update.kind, update.note, update.by_reporter) == ("reopened", "晚上又不亮了", True)
    closed.refresh_from_db()
    assert closed.state == "reopened"
    assert open311.json.request(str(closed.pk)).data[0]["status"] == "open"
    assert Notification.objects.filter(user=place.west_worker, body="晚上又不亮了").exists()
    # the reopening is in the status-update stream
    stream = open311.json.updates().data
    assert (stream[-1]["service_request_id"], stream[-1]["status"], stream[-1]["description"]) == \
        (str(closed.pk), "open", "晚上又不亮了")


@pytest.mark.parametrize("identity", [{}, {"email": "someone@example.org"}, {"account_id": "acct-8"}, {"token": "nope"}])
def test_anyone_else_may_not(open311, closed, identity):
    response = open311.en_json.post_update(str(closed.pk), "open", "reopen please", **identity)
    assert response.status == 403
    assert response.errors == [(403, "Only the person who made the request may update it: send the email, "
                                     "account_id or token it was made with.")]
    assert ServiceRequest.objects.get(pk=closed.pk).state == "closed"


def test_a_comment_keeps_the_state(open311, place):
    created = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST, account_id="acct-7")
    request_id = created.data[0]["service_request_id"]
    response = open311.xml.post_update(request_id, "open", "灯杆上有编号 JN-0456", account_id="acct-7",
                                       media_url="https://photos.example.org/2.jpg")
    assert response.status == 200
    update = RequestUpdate.objects.get(pk=response.data[0]["update_id"])
    assert (update.kind, update.state, update.media_url) == ("note", "open", "https://photos.example.org/2.jpg")
    assert Notification.objects.filter(user=place.west_worker, body="灯杆上有编号 JN-0456").exists()


def test_the_reporter_does_not_close(open311, place):
    created = open311.json.create_request("street_light", attributes={"problem": "off"}, **WEST, account_id="acct-7")
    response = open311.en_json.post_update(created.data[0]["service_request_id"], "closed", "fixed now", account_id="acct-7")
    assert response.status == 400 and "Only the grid worker closes a request" in response.errors[0][1]
    assert ServiceRequest.objects.get().state == "open"


@pytest.mark.parametrize("fields, status, message", [
    ({"service_request_id": "", "status": "open", "description": "x"}, 400, "service_request_id is required."),
    ({"service_request_id": "999", "status": "open", "description": "x"}, 404, "service_request_id '999' was not found."),
    ({"status": "maybe", "description": "x"}, 400, "status must be open or closed."),
    ({"status": "open", "description": ""}, 400, "description is required."),
    ({"status": "open", "description": "x", "updated_datetime": "today"}, 400,
     "updated_datetime is not a W3C date-time with a timezone."),
    ({"status": "open", "description": "x", "media_url": "file:///etc/passwd"}, 400,
     "media_url must be an http:// or https:// address."),
])
def test_bad_updates(open311, closed, fields, status, message):
    fields = {"service_request_id": str(closed.pk), **fields}
    before = RequestUpdate.objects.count()
    response = open311.en_json.post_update(fields.pop("service_request_id"), fields.pop("status"),
                                           fields.pop("description"), email="wang@example.org", **fields)
    assert response.status == status and response.errors == [(status, message)]
    assert RequestUpdate.objects.count() == before


def test_too_late_to_reopen(open311, closed):
    import datetime

    closed.refresh_from_db()
    ServiceRequest.objects.filter(pk=closed.pk).update(closed_at=closed.closed_at - datetime.timedelta(days=31))
    response = open311.en_json.post_update(str(closed.pk), "open", "again", email="wang@example.org")
    assert response.status == 400
    assert response.errors[0][1] == "This request was closed more than 30 days ago; please make a new one."


def test_posting_updates_needs_an_api_key(open311, closed):
    response = open311.en_xml.post_update(str(closed.pk), "open", "again", api_key="", email="wang@example.org")
    assert response.status == 403
