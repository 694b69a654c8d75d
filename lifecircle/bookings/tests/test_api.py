"""The JSON API: public availability and events, residents' and staff endpoints, errors."""
import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_child, make_household, make_resident
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, Event, Registration
from lifecircle.community.models import Compound

from .conftest import at

pytestmark = pytest.mark.django_db

API = "/api/bookings"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def lecture(centre, stage, clock):
    return Event.objects.create(facility=centre, room=stage, title="讲座", title_en="Lecture", start=at(1, 14),
                                end=at(1, 15), capacity=1)


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/rooms", "/rooms/{room_id}/availability", "/events", "/events/{event_id}", "/bookings",
                 "/bookings/{booking_id}/cancel", "/me/bookings", "/events/{event_id}/registrations",
                 "/registrations/{registration_id}/cancel", "/me/registrations", "/staff/bookings/pending",
                 "/bookings/{booking_id}/approve", "/bookings/{booking_id}/reject", "/check-in"):
        assert f"/api/bookings{path}" in paths, path
    booking = paths["/api/bookings/bookings"]["post"]
    assert booking["description"] and {"201", "400", "403", "409"} <= set(booking["responses"])
    # Schema names are global in the document: ours must not replace the directory's RoomOut.
    components = schema["components"]["schemas"]
    assert "bookable" in components["RoomOut"]["properties"]
    assert "calendar_url" in components["BookableRoomOut"]["properties"]


def test_public_availability_of_a_day(clock, client, resident, meeting):
    services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "私人", 5)
    data = client.get(f"{API}/rooms/{meeting.pk}/availability", {"day": "2026-03-03"}).json()
    assert data["room"]["code"] == "meeting" and data["max_booking_hours"] == 4
    assert data["open"] == [{"start": "2026-03-03T09:00:00+08:00", "end": "2026-03-03T21:00:00+08:00"}]
    assert data["busy"] == [{"start": "2026-03-03T10:00:00+08:00", "end": "2026-03-03T12:00:00+08:00",
                             "kind": "booking", "status": "confirmed", "title": ""}]
    assert [f["start"][11:16] for f in data["free"]] == ["09:00", "12:00"]
    assert "私人" not in str(data) and "李红" not in str(data)
    rooms = client.get(f"{API}/rooms").json()
    assert {r["code"] for r in rooms} == {"meeting", "stage"}
    assert client.get(f"{API}/rooms/999999/availability").status_code == 404


def test_public_events_with_places_left(clock, client, lecture, resident):
    services.register(resident.user, lecture)
    events = client.get(f"{API}/events").json()
    assert [(e["title_en"], e["places_left"], e["registration"]) for e in events] == [("Lecture", 0, "open")]
    assert client.get(f"{API}/events/{lecture.pk}").json()["places_left"] == 0


def test_booking_needs_a_login(clock, client, meeting):
    response = post(client, f"{API}/bookings", {"room_id": meeting.pk, "start": "2026-03-03T10:00:00+08:00",
                                                 "end": "2026-03-03T11:00:00+08:00", "attendees": 3, "purpose": "x"})
    assert response.status_code == 401
    assert not Booking.objects.exists()


def test_book_cancel_and_list_through_the_api(clock, client, resident, meeting):
    client.force_login(resident.user)
    response = post(client, f"{API}/bookings", {"room_id": meeting.pk, "start": "2026-03-03T10:00:00",
                                                 "end": "2026-03-03T11:00:00", "attendees": 3, "purpose": "会议"})
    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["status"] == "confirmed" and booking["start"] == "2026-03-03T10:00:00+08:00"  # naive = local
    clash = post(client, f"{API}/bookings", {"room_id": meeting.pk, "start": "2026-03-03T10:30:00+08:00",
                                              "end": "2026-03-03T11:30:00+08:00", "attendees": 3, "purpose": "x"})
    assert clash.status_code == 409
    assert clash.json() == {"detail": "The room is already booked from 2026-03-03 10:00 to 11:00."}
    long = post(client, f"{API}/bookings", {"room_id": meeting.pk, "start": "2026-03-04T10:00:00+08:00",
                                             "end": "2026-03-04T15:00:00+08:00", "attendees": 3, "purpose": "x"})
    assert long.status_code == 400 and "at most 4 hours" in long.json()["detail"]
    assert [b["id"] for b in client.get(f"{API}/me/bookings").json()] == [booking["id"]]
    cancelled = post(client, f"{API}/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_an_unverified_resident_gets_403_with_the_reason(clock, client, mini, meeting):
    unverified = make_resident(make_household(Compound.objects.get(code="c")), verified=False)
    client.force_login(unverified.user)
    response = post(client, f"{API}/bookings", {"room_id": meeting.pk, "start": "2026-03-03T10:00:00+08:00",
                                                 "end": "2026-03-03T11:00:00+08:00", "attendees": 3, "purpose": "x"})
    assert response.status_code == 403 and "not yet verified" in response.json()["detail"]


def test_register_for_oneself_and_a_child_and_cancel(clock, client, lecture, resident, home, neighbour):
    child = make_child(home, "李小宝")
    client.force_login(resident.user)
    me = post(client, f"{API}/events/{lecture.pk}/registrations")
    assert me.status_code == 201 and me.json()["status"] == "confirmed" and len(me.json()["code"]) == 9
    kid = post(client, f"{API}/events/{lecture.pk}/registrations", {"child_id": child.pk})
    assert kid.json()["status"] == "waitlisted" and kid.json()["waitlist_position"] == 1
    again = post(client, f"{API}/events/{lecture.pk}/registrations")
    assert again.status_code == 409 and "already registered" in again.json()["detail"]
    other = post(client, f"{API}/events/{lecture.pk}/registrations", {"resident_id": neighbour.pk})
    assert other.status_code == 403 and "no consent" in other.json()["detail"]
    assert len(client.get(f"{API}/me/registrations").json()) == 2
    cancelled = post(client, f"{API}/registrations/{me.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=kid.json()["id"]).status == "confirmed"  # moved up


def test_staff_endpoints(clock, client, lecture, resident, stage, manager, canteen_staff):
    pending = services.book_room(resident.user, stage, at(2, 10), at(2, 12), "排练", 20)
    other = services.book_room(resident.user, stage, at(3, 10), at(3, 12), "排练", 20)
    registration = services.register(resident.user, lecture)

    client.force_login(resident.user)
    assert client.get(f"{API}/staff/bookings/pending").status_code == 403
    assert post(client, f"{API}/bookings/{pending.pk}/approve").status_code == 403

    client.force_login(canteen_staff)
    assert client.get(f"{API}/staff/bookings/pending").json() == []
    refused = post(client, f"{API}/bookings/{pending.pk}/approve")
    assert refused.status_code == 403 and "You do not work at" in refused.json()["detail"]

    client.force_login(manager)
    listed = client.get(f"{API}/staff/bookings/pending").json()
    assert [b["id"] for b in listed] == [pending.pk, other.pk] and listed[0]["booker"] == "李*"
    assert post(client, f"{API}/bookings/{pending.pk}/approve").json()["status"] == "confirmed"
    no_reason = post(client, f"{API}/bookings/{other.pk}/reject", {"reason": ""})
    assert no_reason.status_code == 400
    rejected = post(client, f"{API}/bookings/{other.pk}/reject", {"reason": "检修"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "检修"

    clock.return_value = at(1, 13, 45)
    client.force_login(manager)  # the next day: staff sessions last STAFF_SESSION_HOURS, so sign in again
    checked = post(client, f"{API}/check-in", {"code": registration.display_code, "event_id": lecture.pk})
    assert checked.status_code == 200 and checked.json()["participant"] == "李红"
    assert AccessLog.objects.filter(user=manager, resident=resident, action="check_in").exists()
    assert post(client, f"{API}/check-in", {"code": registration.code}).status_code == 409
    unknown = post(client, f"{API}/check-in", {"code": "2222-2222"})
    assert unknown.status_code == 404 and "No registration has the code" in unknown.json()["detail"]
