"""send_booking_reminders (each reminder once) and load_bookings_demo (idempotent)."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lifecircle.accounts.models import Resident
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, Event
from lifecircle.notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def reminders(user):
    return list(Notification.objects.filter(user=user, kind="reminder").order_by("pk"))


def test_reminders_go_once_for_tomorrows_bookings_and_registrations(clock, resident, neighbour, centre, meeting,
                                                                     stage):
    tomorrow = services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "楼组会议", 5)
    services.book_room(resident.user, meeting, at(2, 10), at(2, 12), "后天的会", 5)  # not tomorrow
    services.book_room(resident.user, stage, at(1, 14), at(1, 16), "待批准", 5)  # pending: no reminder
    lecture = Event.objects.create(facility=centre, title="讲座", start=at(1, 19), end=at(1, 20), capacity=1)
    registration = services.register(resident.user, lecture)
    services.register(neighbour.user, lecture)  # waitlisted: no reminder
    cancelled = Event.objects.create(facility=centre, title="取消", start=at(1, 9), end=at(1, 10), capacity=5)
    services.register(neighbour.user, cancelled)
    cancelled.cancelled_at = at(0, 7)
    cancelled.save()

    out = StringIO()
    call_command("send_booking_reminders", stdout=out)
    assert "1 booking(s), 1 registration(s)" in out.getvalue()
    sent = reminders(resident.user)
    assert len(sent) == 2 and not reminders(neighbour.user)
    assert sent[0].url == tomorrow.get_absolute_url() and "2026-03-03 10:00" in sent[0].body
    assert registration.display_code in sent[1].body

    clock.return_value = at(0, 20)  # later the same day: nothing twice
    call_command("send_booking_reminders", stdout=StringIO())
    assert len(reminders(resident.user)) == 2

    clock.return_value = at(1, 8)  # next day: the day after's booking
    call_command("send_booking_reminders", stdout=StringIO())
    assert len(reminders(resident.user)) == 3


def snapshot():
    rows = {}
    for model in (Event, Booking, Resident):
        rows[model.__name__] = sorted(json.dumps(r, sort_keys=True, default=str) for r in model.objects.values())
    return rows


def test_demo_loads_upcoming_events_and_bookings_and_is_idempotent(clock, centre):
    call_command("load_bookings_demo", stdout=StringIO())
    events = Event.objects.filter(facility=centre)
    assert events.count() == 7 and all(e.illustrative for e in events)
    assert all(at(0, 0) < e.start < at(14, 0) for e in events if not e.code.startswith("happy18-"))
    meeting = events.get(code="happy18-meeting-monthly")  # the Happy 18 bar meets on the 18th
    assert timezone.localtime(meeting.start).day == 18 and at(0, 0) < meeting.start < at(33, 0)
    bookings = Booking.objects.all()
    assert bookings.count() == 2  # the mini centre has a meeting room and a stage only
    assert {b.status for b in bookings} == {"confirmed", "pending"}
    for booking in bookings:
        assert services.is_open_throughout(centre, booking.start, booking.end)
    first = snapshot()
    call_command("load_bookings_demo", stdout=StringIO())
    assert snapshot() == first


def test_demo_needs_the_demo_pack(db):
    with pytest.raises(CommandError, match="load the demo first"):
        call_command("load_bookings_demo", stdout=StringIO())


def test_demo_on_the_jiangning_road_pack(clock):
    call_command("load_demo", stdout=StringIO())
    call_command("load_bookings_demo", stdout=StringIO())
    centre = Event.objects.first().facility
    assert centre.code == "jinglin-community-center"
    assert Event.objects.count() == 7 and Event.objects.filter(room__isnull=False).count() == 7
    assert Booking.objects.count() == 3
