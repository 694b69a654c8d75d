"""Room bookings: the rules, approval, cancellation, and every bad request refused with its reason
and nothing changed."""
import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import translation

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_household, make_resident, make_user
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, Event
from lifecircle.community.models import Compound
from lifecircle.directory.models import HoursException
from lifecircle.notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def snapshot():
    """Every booking, event, registration and notification, to prove a refusal changed nothing."""
    from lifecircle.bookings.models import Registration

    rows = {}
    for model in (Booking, Event, Registration, Notification):
        rows[model.__name__] = sorted(json.dumps(r, sort_keys=True, default=str) for r in model.objects.values())
    return rows


def book(resident, room, start, end, purpose="楼组会议", attendees=10, **kw):
    return services.book_room(resident.user, room, start, end, purpose, attendees, **kw)


def test_a_room_without_approval_is_confirmed_at_once_and_the_booker_told(clock, resident, meeting):
    booking = book(resident, meeting, at(1, 10), at(1, 12), group_name="书画社")
    assert booking.status == Booking.Status.CONFIRMED and booking.booker == resident
    assert booking.group_name == "书画社"
    note = Notification.objects.get(user=resident.user)
    assert note.kind == "confirmation" and note.url == f"/bookings/bookings/{booking.pk}/"
    with translation.override("en"):  # shown in each reader's language, room name included
        assert note.shown_subject.startswith(f"Booking confirmed: {meeting.name_en or meeting.name}")
    assert note.subject.startswith("预约成功：")  # stored in the site's language


def test_a_room_that_needs_approval_gets_a_pending_booking(clock, resident, stage):
    booking = book(resident, stage, at(1, 14), at(1, 16), attendees=80)
    assert booking.status == Booking.Status.PENDING
    assert Notification.objects.get(user=resident.user).kind == "information"


def test_staff_approve_a_pending_booking(clock, resident, stage, manager):
    booking = book(resident, stage, at(1, 14), at(1, 16))
    services.approve_booking(manager, booking)
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.decided_by == manager
    assert Notification.objects.filter(user=resident.user, kind="confirmation").count() == 1
    assert AccessLog.objects.filter(user=manager, resident=resident).exists()
    with pytest.raises(services.Refused, match="not waiting for approval"):
        services.approve_booking(manager, booking)


def test_staff_reject_with_a_reason_and_the_slot_is_free_again(clock, resident, neighbour, stage, manager):
    booking = book(resident, stage, at(1, 14), at(1, 16))
    before = snapshot()
    with pytest.raises(services.Refused, match="Give the reason"):
        services.reject_booking(manager, booking, "  ")
    assert snapshot() == before
    services.reject_booking(manager, booking, "舞台当天检修")
    booking.refresh_from_db()
    assert booking.status == "rejected" and booking.rejection_reason == "舞台当天检修"
    told = Notification.objects.filter(user=resident.user).latest("pk")
    assert "舞台当天检修" in told.body
    assert book(neighbour, stage, at(1, 14), at(1, 16)).status == "pending"


def test_only_staff_of_the_facility_decide(clock, resident, stage, canteen_staff, neighbour):
    booking = book(resident, stage, at(1, 14), at(1, 16))
    before = snapshot()
    with pytest.raises(PermissionDenied, match="You do not work at"):
        services.approve_booking(canteen_staff, booking)
    with pytest.raises(PermissionDenied):
        services.reject_booking(neighbour.user, booking, "no")
    assert snapshot() == before


def test_staff_see_pending_bookings_of_their_facility_only(clock, resident, stage, meeting, manager, canteen_staff):
    pending = book(resident, stage, at(1, 14), at(1, 16))
    book(resident, meeting, at(1, 10), at(1, 11))  # confirmed: nothing to approve
    assert list(services.bookings_to_approve(manager)) == [pending]
    assert list(services.bookings_to_approve(canteen_staff)) == []


def test_the_booker_cancels_and_is_told(clock, resident, neighbour, meeting):
    booking = book(resident, meeting, at(1, 10), at(1, 12))
    with pytest.raises(PermissionDenied, match="Only the person who made a booking"):
        services.cancel_booking(neighbour.user, booking)
    services.cancel_booking(resident.user, booking)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None
    assert Notification.objects.filter(user=resident.user, kind="cancellation").count() == 1
    with pytest.raises(services.Refused, match="already cancelled"):
        services.cancel_booking(resident.user, booking)
    assert book(neighbour, meeting, at(1, 10), at(1, 12)).status == "confirmed"  # the slot is free again


def test_a_booking_that_has_begun_cannot_be_cancelled(clock, resident, meeting):
    booking = book(resident, meeting, at(0, 9), at(0, 11))
    clock.return_value = at(0, 9, 30)
    with pytest.raises(services.Refused, match="already begun"):
        services.cancel_booking(resident.user, booking)


# ---- overlap ---------------------------------------------------------------------------------

@pytest.mark.parametrize("start, end", [
    ((1, 10), (1, 12)),        # the same slot
    ((1, 9), (1, 10, 30)),     # overlapping its start
    ((1, 11, 30), (1, 13)),    # overlapping its end
    ((1, 10, 30), (1, 11)),    # inside it
    ((1, 9), (1, 13)),         # around it
])
def test_overlapping_bookings_are_refused(clock, resident, neighbour, meeting, start, end):
    book(resident, meeting, at(1, 10), at(1, 12))
    before = snapshot()
    with pytest.raises(services.Conflict) as refused:
        book(neighbour, meeting, at(*start), at(*end))
    assert refused.value.message == "The room is already booked from 2026-03-03 10:00 to 12:00."
    assert snapshot() == before


def test_a_pending_booking_holds_its_slot_too(clock, resident, neighbour, stage):
    book(resident, stage, at(1, 14), at(1, 16))
    with pytest.raises(services.Conflict, match="already booked from 2026-03-03 14:00 to 16:00"):
        book(neighbour, stage, at(1, 15), at(1, 17))


def test_back_to_back_bookings_and_other_rooms_are_fine(clock, resident, neighbour, meeting, stage):
    book(resident, meeting, at(1, 10), at(1, 12))
    assert book(neighbour, meeting, at(1, 12), at(1, 13)).status == "confirmed"
    assert book(neighbour, meeting, at(1, 9), at(1, 10)).status == "confirmed"
    assert book(neighbour, stage, at(1, 10), at(1, 12)).status == "pending"


def test_an_event_in_the_room_blocks_bookings(clock, resident, centre, meeting):
    Event.objects.create(facility=centre, room=meeting, title="讲座", start=at(1, 14), end=at(1, 15), capacity=20)
    with pytest.raises(services.Conflict, match="already booked from 2026-03-03 14:00 to 15:00"):
        book(resident, meeting, at(1, 13), at(1, 14, 30))


# ---- bad requests ----------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, message", [
    ((1, 8), (1, 10), "Service center is open 09:00–21:00 on March 3, 2026"),  # starts before opening
    ((1, 20), (1, 22), "is open 09:00–21:00"),                   # ends after closing
    ((1, 20, 30), (2, 0, 30), "is open 09:00–21:00"),            # runs into the night
])
def test_a_booking_outside_opening_hours_is_refused(clock, resident, meeting, start, end, message):
    before = snapshot()
    with pytest.raises(services.Refused) as refused:
        book(resident, meeting, at(*start), at(*end))
    assert message in refused.value.message
    assert snapshot() == before


def test_hours_exceptions_close_or_shorten_the_day(clock, resident, centre, meeting):
    HoursException.objects.create(facility=centre, date=datetime.date(2026, 3, 4), opening_hours="", reason="设备检修")
    HoursException.objects.create(facility=centre, date=datetime.date(2026, 3, 5), opening_hours="09:00-12:00")
    with pytest.raises(services.Refused, match=r"is closed on .*\(设备检修\)"):
        book(resident, meeting, at(2, 10), at(2, 11))
    with pytest.raises(services.Refused, match="is open 09:00–12:00"):
        book(resident, meeting, at(3, 11), at(3, 13))
    assert book(resident, meeting, at(3, 10), at(3, 12)).status == "confirmed"


def test_a_booking_may_run_to_the_closing_minute(clock, resident, meeting):
    assert book(resident, meeting, at(1, 18), at(1, 21)).end == at(1, 21)


def test_a_booking_across_midnight_needs_both_days_open(clock, resident, centre, meeting):
    centre.opening_hours = "Mo-Su 09:00-02:00"  # past midnight: the next morning too
    centre.save()
    assert book(resident, meeting, at(1, 22), at(2, 1)).status == "confirmed"
    with pytest.raises(services.Refused, match="is open"):
        book(resident, meeting, at(1, 23), at(2, 3))


def test_a_booking_in_the_past_is_refused(clock, resident, meeting):
    clock.return_value = at(1, 10, 5)
    with pytest.raises(services.Refused, match="has already begun or passed"):
        book(resident, meeting, at(1, 10), at(1, 11))
    assert not Booking.objects.exists()


def test_a_booking_longer_than_the_maximum_is_refused(clock, resident, meeting):
    with pytest.raises(services.Refused, match="at most 4 hours; this one lasts 4 h 30 min"):
        book(resident, meeting, at(1, 10), at(1, 14, 30))
    assert book(resident, meeting, at(1, 10), at(1, 14)).status == "confirmed"  # exactly the maximum


@override_settings(BOOKINGS_MAX_HOURS=2)
def test_the_maximum_is_configurable(clock, resident, meeting):
    with pytest.raises(services.Refused, match="at most 2 hours"):
        book(resident, meeting, at(1, 10), at(1, 13))


def test_more_people_than_the_room_holds_is_refused(clock, resident, meeting):
    with pytest.raises(services.Refused, match="holds 20 people; the booking is for 21"):
        book(resident, meeting, at(1, 10), at(1, 11), attendees=21)
    with pytest.raises(services.Refused, match="At least one person"):
        book(resident, meeting, at(1, 10), at(1, 11), attendees=0)
    assert not Booking.objects.exists()


def test_end_before_start_and_empty_purpose_are_refused(clock, resident, meeting):
    with pytest.raises(services.Refused, match="end must be after the start"):
        book(resident, meeting, at(1, 12), at(1, 11))
    with pytest.raises(services.Refused, match="Say what the room is for"):
        book(resident, meeting, at(1, 10), at(1, 11), purpose="  ")
    assert not Booking.objects.exists()


def test_a_room_that_is_not_bookable_is_refused(clock, resident, meeting):
    meeting.bookable = False
    meeting.save()
    with pytest.raises(services.Refused, match="cannot be booked by residents"):
        book(resident, meeting, at(1, 10), at(1, 11))


def test_an_unverified_resident_or_a_user_without_a_resident_cannot_book(clock, mini, meeting):
    unverified = make_resident(make_household(Compound.objects.get(code="c")), "赵六", verified=False)
    with pytest.raises(PermissionDenied, match="not yet verified"):
        book(unverified, meeting, at(1, 10), at(1, 11))
    with pytest.raises(PermissionDenied, match="Only residents registered"):
        services.book_room(make_user(), meeting, at(1, 10), at(1, 11), "x", 1)
    assert not Booking.objects.exists() and not Notification.objects.exists()


def test_availability_shows_free_and_busy_time_without_names(clock, resident, centre, meeting):
    book(resident, meeting, at(1, 10), at(1, 12), purpose="私人聚会")
    Event.objects.create(facility=centre, room=meeting, title="讲座", start=at(1, 14), end=at(1, 15), capacity=20)
    day = services.day_availability(meeting, datetime.date(2026, 3, 3))
    assert day["opening"] == [(at(1, 9), at(1, 21))]
    assert [(s["start"], s["end"], s["kind"]) for s in day["busy"]] == [
        (at(1, 10), at(1, 12), "booking"), (at(1, 14), at(1, 15), "event")]
    assert day["busy"][0]["title"] == ""  # no purpose, no name
    assert day["free"] == [(at(1, 9), at(1, 10)), (at(1, 12), at(1, 14)), (at(1, 15), at(1, 21))]


def test_an_event_cannot_be_put_in_a_booked_room(clock, resident, centre, meeting, stage):
    from django.core.exceptions import ValidationError

    book(resident, meeting, at(1, 10), at(1, 12))
    event = Event(facility=centre, room=meeting, title="讲座", start=at(1, 11), end=at(1, 13), capacity=20)
    with pytest.raises(ValidationError, match="already booked"):
        event.full_clean()
    event.room = stage
    event.full_clean()


def test_time_already_past_is_not_free(clock, meeting):
    clock.return_value = at(0, 13, 20)
    assert services.day_availability(meeting, datetime.date(2026, 3, 2))["free"] == [(at(0, 13, 20), at(0, 21))]
    clock.return_value = at(0, 21, 30)
    assert services.day_availability(meeting, datetime.date(2026, 3, 2))["free"] == []
