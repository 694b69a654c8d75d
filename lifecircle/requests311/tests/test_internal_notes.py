"""Staff keep internal notes that are never published nor sent; requests end as duplicates (linked
to the original) or as not the sub-district's responsibility (naming who is), and come back reopened."""
import pytest

from lifecircle.notifications.models import Notification
from lifecircle.requests311 import lifecycle
from lifecircle.requests311.lifecycle import LifecycleError
from lifecircle.requests311.models import InternalNote, ServiceRequest

from .conftest import WEST
from .test_lifecycle import make

pytestmark = pytest.mark.django_db


def test_the_note_form_keeps_an_internal_note_from_the_reporter_and_the_public(client, place):
    request = make(place, **WEST, email="li@example.org")
    lifecycle.change_state(request, "acknowledged", "已受理", place.west_worker)
    client.force_login(place.west_worker)
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "note", "note": "物业说是开发商的责任"})
    assert InternalNote.objects.get(request=request).note == "物业说是开发商的责任"
    page = client.get(f"/requests311/staff/{request.pk}/").content.decode()
    assert "物业说是开发商的责任" in page.split('data-testid="internal-notes"')[1]
    published = client.get("/open311/v2/requests.json", {"service_request_id": request.pk, "extensions": "true"}).json()[0]
    assert published["status_notes"] == "已受理"
    assert all(n["description"] != "物业说是开发商的责任" for n in published["notes"])
    updates = client.get("/open311/v2/servicerequestupdates.json").content.decode()
    assert "开发商" not in updates
    assert not Notification.objects.filter(body__contains="开发商").exists()
    # a public update still reaches the reporter
    client.post(f"/requests311/staff/{request.pk}/action/", {"action": "note", "audience": "public", "note": "周二来修"})
    request.refresh_from_db()
    assert request.status_notes == "周二来修"


def test_a_duplicate_links_to_the_original_and_tells_the_reporter(place):
    original, repeat = make(place, **WEST), make(place, **WEST)
    with pytest.raises(LifecycleError):
        lifecycle.change_state(repeat, "closed", "", place.west_worker, resolution="duplicate")
    with pytest.raises(LifecycleError):
        lifecycle.change_state(repeat, "closed", "", place.west_worker, resolution="duplicate", duplicate_of=repeat)
    lifecycle.change_state(repeat, "closed", "", place.west_worker, resolution="duplicate", duplicate_of=original)
    repeat.refresh_from_db()
    assert (repeat.state, repeat.resolution, repeat.duplicate_of) == ("closed", "duplicate", original)
    assert f"#{original.pk}" in repeat.status_notes


def test_not_our_responsibility_names_who_is_and_reopening_clears_it(client, place):
    request = make(place, **WEST)
    client.force_login(place.west_worker)
    url = f"/requests311/staff/{request.pk}/action/"
    client.post(url, {"action": "state", "state": "closed", "resolution": "not_responsible", "responsible_body": ""})
    assert ServiceRequest.objects.get().state == "open"  # refused: who is responsible is missing
    client.post(url, {"action": "state", "state": "closed", "resolution": "not_responsible",
                      "responsible_body": "市电力公司"})
    request.refresh_from_db()
    assert (request.resolution, request.responsible_body) == ("not_responsible", "市电力公司")
    assert "市电力公司" in request.status_notes
    client.post(url, {"action": "state", "state": "closed", "resolution": "duplicate", "duplicate_of": "99999"})
    lifecycle.reopen(request, "电力公司说不归他们管", user=place.west_worker, by_reporter=False)
    request.refresh_from_db()
    assert (request.state, request.status, request.resolution, request.responsible_body) == ("reopened", "open", "", "")
    lifecycle.change_state(request, "in_progress", "", place.west_worker)  # a reopened request moves on like an open one


def test_a_notification_reads_in_the_readers_language(client, place):
    """Written in every language of the site: the reporter reads it in theirs, whatever the site's."""
    from django.test import Client

    request = make(place, **WEST, email="")
    request.reporter = place.resident.user
    request.save()
    lifecycle.change_state(request, "acknowledged", "已受理", place.west_worker)
    stored = Notification.objects.get(user=place.resident.user)
    assert stored.subject == f"您的诉求 #{request.pk} 现在的状态：已受理"  # stored in the site's language
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(place.resident.user)
    page = english.get("/accounts/me/notifications/").content.decode()
    assert f"Your request #{request.pk} is now acknowledged" in page
    assert f"New request #{request.pk}" in Notification.objects.get(user=place.west_worker).texts["en"][0]
