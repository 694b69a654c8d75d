"""The iCalendar feeds, parsed back with the icalendar library."""
import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from lifecircle.accounts.testing import make_child
from lifecircle.bookings import services
from lifecircle.bookings.models import Event

from .conftest import at

pytestmark = pytest.mark.django_db

REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "STATUS", "URL")


def fetch(client, url, language="en"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = calendar.walk("VEVENT")
    for vevent in events:
        for name in REQUIRED:
            assert name in vevent, f"{name} missing from {vevent}"
        for name in ("DTSTART", "DTEND"):
            assert vevent[name].params["TZID"] == "Asia/Shanghai"
            assert vevent.decoded(name).utcoffset() == datetime.timedelta(hours=8)
        assert vevent.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
        assert str(vevent["URL"]).startswith("http://testserver/bookings/")
    return {str(v["UID"]).split("@")[0]: v for v in events}, response.content.decode()


@pytest.fixture
def lecture(centre, meeting, clock):
    return Event.objects.create(facility=centre, room=meeting, title="防诈骗讲座", title_en="Anti-fraud lecture",
                                start=at(2, 14), end=at(2, 15), capacity=1)


def test_a_residents_feed_needs_no_session_and_holds_their_bookings_and_registrations(
        clock, client, resident, home, neighbour, meeting, stage, lecture):
    confirmed = services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "楼组会议", 8)
    pending = services.book_room(resident.user, stage, at(1, 14), at(1, 16), "排练", 30)
    cancelled = services.book_room(resident.user, meeting, at(3, 10), at(3, 11), "取消的", 3)
    services.cancel_booking(resident.user, cancelled)
    services.book_room(neighbour.user, meeting, at(4, 10), at(4, 11), "邻居的会", 3)  # not theirs
    services.register(neighbour.user, lecture)  # takes the only place
    child = make_child(home, "李小宝")
    waitlisted = services.register(resident.user, lecture, child)
    token = services.calendar_token(resident)

    events, text = fetch(client, reverse("bookings:calendar_feed", args=[token.token]))
    assert set(events) == {f"booking-{confirmed.pk}", f"booking-{pending.pk}", f"booking-{cancelled.pk}",
                           f"registration-{waitlisted.pk}"}
    booking = events[f"booking-{confirmed.pk}"]
    assert booking.decoded("DTSTART") == at(1, 10) and booking.decoded("DTEND") == at(1, 12)
    assert str(booking["STATUS"]) == "CONFIRMED"
    assert str(booking["SUMMARY"]) == "Booking: Meeting room"
    assert str(booking["LOCATION"]).startswith("Service center, Meeting room")
    assert str(booking["URL"]) == f"http://testserver/bookings/bookings/{confirmed.pk}/"
    assert str(events[f"booking-{pending.pk}"]["STATUS"]) == "TENTATIVE"
    assert str(events[f"booking-{cancelled.pk}"]["STATUS"]) == "CANCELLED"
    registration = events[f"registration-{waitlisted.pk}"]
    assert str(registration["STATUS"]) == "TENTATIVE"
    assert "李小宝" in str(registration["SUMMARY"]) and "waitlist" in str(registration["SUMMARY"])
    assert str(registration["URL"]) == f"http://testserver/bookings/events/{lecture.pk}/"
    assert "邻居的会" not in text


def test_revoked_and_renewed_tokens(clock, client, resident):
    first = services.calendar_token(resident)
    assert services.calendar_token(resident) == first  # one active link
    second = services.renew_calendar_token(resident)
    assert client.get(reverse("bookings:calendar_feed", args=[first.token])).status_code == 404
    assert client.get(reverse("bookings:calendar_feed", args=[second.token])).status_code == 200
    services.revoke_calendar_tokens(resident)
    assert client.get(reverse("bookings:calendar_feed", args=[second.token])).status_code == 404
    assert client.get(reverse("bookings:calendar_feed", args=["not-a-token"])).status_code == 404
    assert len(second.token) >= 40


def test_a_rooms_feed_shows_busy_slots_without_personal_data(clock, client, resident, meeting, lecture):
    booking = services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "李家生日会", 8, group_name="李家")
    cancelled = services.book_room(resident.user, meeting, at(3, 10), at(3, 11), "取消的", 3)
    services.cancel_booking(resident.user, cancelled)
    events, text = fetch(client, reverse("bookings:room_feed", args=[meeting.pk]))
    assert set(events) == {f"room-{meeting.pk}-booking-{booking.pk}", f"event-{lecture.pk}"}
    busy = events[f"room-{meeting.pk}-booking-{booking.pk}"]
    assert str(busy["SUMMARY"]) == "Booked: Meeting room" and str(busy["STATUS"]) == "CONFIRMED"
    assert str(busy["URL"]) == f"http://testserver/bookings/rooms/{meeting.pk}/?day=2026-03-03"
    for personal in ("李红", "李家", "生日", resident.phone):
        assert personal not in text
    assert str(events[f"event-{lecture.pk}"]["SUMMARY"]) == "Anti-fraud lecture"


def test_a_facilitys_feed_lists_its_events_cancelled_ones_marked(clock, client, centre, lecture, manager):
    later = Event.objects.create(facility=centre, title="合唱", start=at(5, 14), end=at(5, 16), capacity=30)
    services.cancel_event(manager, later, "场地维修")
    events, _ = fetch(client, reverse("bookings:facility_feed", args=[centre.pk]))
    assert str(events[f"event-{lecture.pk}"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"event-{later.pk}"]["STATUS"]) == "CANCELLED"
    assert str(events[f"event-{lecture.pk}"]["URL"]) == f"http://testserver/bookings/events/{lecture.pk}/"
    assert str(events[f"event-{lecture.pk}"]["LOCATION"]).startswith("Service center, Meeting room")


def test_feeds_speak_chinese_by_default(clock, client, centre, lecture):
    events, _ = fetch(client, reverse("bookings:facility_feed", args=[centre.pk]), language="zh-hans")
    assert str(events[f"event-{lecture.pk}"]["SUMMARY"]) == "防诈骗讲座"
    assert str(events[f"event-{lecture.pk}"]["LOCATION"]) == "党群服务中心, 会议室"
