"""The pages: what they show, their forms, who may see what, and the staff check-in."""
import re

import pytest
from django.urls import reverse

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_child
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, CalendarToken, Event, Registration

from .conftest import at

pytestmark = pytest.mark.django_db


def get(client, url, language="en", **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)


def post(client, url, data, language="en"):
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def lecture(centre, stage, clock):
    return Event.objects.create(facility=centre, room=stage, title="防诈骗讲座", title_en="Anti-fraud lecture",
                                start=at(1, 14), end=at(1, 15), capacity=1)


def test_rooms_page_shows_the_days_availability_in_chinese_by_default(clock, client, resident, meeting):
    services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "私人聚会", 5)
    page = get(client, reverse("bookings:rooms"), language="zh-hans", day="2026-03-03").content.decode()
    assert 'lang="zh-hans"' in page and "会议室" in page and "演艺台" in page
    assert "10:00–12:00" in page and "09:00–10:00" in page and "12:00–21:00" in page
    assert "私人聚会" not in page and "李红" not in page
    assert "预约" in page  # Chinese labels


def test_rooms_page_in_english_offers_the_form_to_verified_residents(clock, client, resident, meeting):
    anonymous = get(client, reverse("bookings:rooms"), day="2026-03-03").content.decode()
    assert "Log in as a verified resident to book." in anonymous and 'data-testid="booking-form"' not in anonymous
    client.force_login(resident.user)
    page = get(client, reverse("bookings:rooms"), day="2026-03-03").content.decode()
    assert "Meeting room" in page and page.count('data-testid="booking-form"') == 2


def booking_form(**overrides):
    return {"day": "2026-03-03", "start_time": "10:00", "end_time": "12:00", "attendees": "8",
            "purpose": "楼组会议", "group_name": "", **overrides}


def test_booking_through_the_room_page(clock, client, resident, meeting):
    client.force_login(resident.user)
    response = post(client, reverse("bookings:room", args=[meeting.pk]), booking_form())
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    page = get(client, booking.get_absolute_url()).content.decode()
    assert "Booked. See you there." in page and "confirmed" in page and "Cancel this booking" in page
    # The message is read out by screen readers: a live region (role=status on a div, which axe
    # accepts, not on the list), styled as the site's shared messages.
    region = re.search(r'<div role="status" data-testid="messages"><ul class="ui-messages">(.*?)</ul></div>', page, re.S)
    assert region and '<li class="ui-message ui-success">Booked. See you there.</li>' in region.group(1)
    assert '<ul role="status"' not in page and 'class="bk-messages"' not in page


@pytest.mark.parametrize("overrides, status, reason", [
    ({"start_time": "07:00", "end_time": "08:00"}, 400, "is open 09:00–21:00"),
    ({"attendees": "50"}, 400, "holds 20 people; the booking is for 50"),
    ({"end_time": "15:00"}, 400, "at most 4 hours"),
    ({"start_time": "11:00", "end_time": "12:00"}, 409, "The room is already booked from 2026-03-03 10:00 to 12:00."),
    ({"day": "2026-03-01"}, 400, "has already begun or passed"),
    ({"start_time": "soon"}, 400, "Enter a valid time."),
])
def test_a_refused_booking_shows_the_reason_keeps_the_form_and_changes_nothing(
        clock, client, resident, neighbour, meeting, overrides, status, reason):
    services.book_room(neighbour.user, meeting, at(1, 10), at(1, 12), "会", 3)
    client.force_login(resident.user)
    response = post(client, reverse("bookings:room", args=[meeting.pk]), booking_form(**overrides))
    assert response.status_code == status
    page = response.content.decode()
    assert reason in page and 'value="楼组会议"' in page
    assert Booking.objects.count() == 1


def test_an_unverified_resident_sees_why_they_cannot_book(clock, client, mini, meeting):
    from lifecircle.accounts.testing import make_household, make_resident
    from lifecircle.community.models import Compound

    unverified = make_resident(make_household(Compound.objects.get(code="c")), verified=False)
    client.force_login(unverified.user)
    page = get(client, reverse("bookings:room", args=[meeting.pk])).content.decode()
    assert "Staff have not yet verified" in page and 'data-testid="booking-form"' not in page
    response = post(client, reverse("bookings:room", args=[meeting.pk]), booking_form())
    assert response.status_code == 403 and not Booking.objects.exists()


def test_a_booking_page_is_for_the_booker_and_the_facilitys_staff(clock, client, resident, neighbour, meeting,
                                                                   manager, canteen_staff):
    booking = services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "会", 3)
    url = booking.get_absolute_url()
    assert get(client, url).status_code == 302  # log in first
    client.force_login(neighbour.user)
    assert get(client, url).status_code == 404
    client.force_login(canteen_staff)
    assert get(client, url).status_code == 404
    client.force_login(manager)
    page = get(client, url).content.decode()
    assert "李红" in page and AccessLog.objects.filter(user=manager, resident=resident).exists()
    client.force_login(resident.user)
    response = post(client, url, {"action": "cancel"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_events_page_shows_places_and_registers(clock, client, lecture, resident, neighbour):
    page = get(client, reverse("bookings:events")).content.decode()
    assert "Anti-fraud lecture" in page and "1 place left" in page
    client.force_login(resident.user)
    response = post(client, reverse("bookings:event", args=[lecture.pk]), {"action": "register"})
    assert response.status_code == 302
    page = get(client, reverse("bookings:event", args=[lecture.pk])).content.decode()
    assert "Registered: 李红 has a place." in page and "full" in page
    registration = Registration.objects.get()
    assert registration.display_code in page and '<svg' in page and "qr-code" in page
    again = post(client, reverse("bookings:event", args=[lecture.pk]), {"action": "register"})
    assert again.status_code == 409 and "already registered" in again.content.decode()

    client.force_login(neighbour.user)
    post(client, reverse("bookings:event", args=[lecture.pk]), {"action": "register"})
    page = get(client, reverse("bookings:event", args=[lecture.pk])).content.decode()
    assert "is on the waitlist" in page and "Number 1 in line." in page


def test_registering_a_child_and_refusing_a_stranger_on_the_page(clock, client, lecture, resident, home, neighbour):
    child = make_child(home, "李小宝")
    client.force_login(resident.user)
    page = get(client, reverse("bookings:events")).content.decode()
    assert f'value="c{child.pk}"' in page
    post(client, reverse("bookings:event", args=[lecture.pk]), {"action": "register", "person": f"c{child.pk}"})
    assert Registration.objects.get().child == child
    refused = post(client, reverse("bookings:event", args=[lecture.pk]),
                   {"action": "register", "person": f"r{neighbour.pk}"})
    assert refused.status_code == 403 and "no consent from them is on record" in refused.content.decode()
    assert Registration.objects.count() == 1


def test_mine_lists_bookings_registrations_with_qr_and_the_calendar_link(clock, client, lecture, resident, meeting):
    services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "楼组会议", 3)
    registration = services.register(resident.user, lecture)
    assert get(client, reverse("bookings:mine")).status_code == 302
    client.force_login(resident.user)
    page = get(client, reverse("bookings:mine")).content.decode()
    assert "楼组会议" in page and "Anti-fraud lecture" in page
    assert registration.display_code in page
    svg = re.search(r'<svg[^>]*class="qr-code".*?</svg>', page, re.S)
    assert svg and registration.display_code in svg.group(0)
    assert "Get a calendar link" in page
    post(client, reverse("bookings:mine"), {"action": "create_calendar"})
    token = CalendarToken.objects.get(resident=resident)
    page = get(client, reverse("bookings:mine")).content.decode()
    assert f"http://testserver/bookings/calendar/{token.token}.ics" in page
    assert f"webcal://testserver/bookings/calendar/{token.token}.ics" in page
    post(client, reverse("bookings:mine"), {"action": "renew_calendar"})
    token.refresh_from_db()
    assert token.revoked_at is not None and CalendarToken.objects.filter(revoked_at__isnull=True).count() == 1
    post(client, reverse("bookings:mine"), {"action": "revoke_calendar"})
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()


def test_the_staff_page_is_for_staff(clock, client, resident):
    client.force_login(resident.user)
    assert get(client, reverse("bookings:staff")).status_code == 403
    assert get(client, reverse("bookings:check_in")).status_code == 403


def test_staff_approve_and_reject_on_their_page(clock, client, resident, stage, manager):
    first = services.book_room(resident.user, stage, at(1, 9), at(1, 11), "排练", 30)
    second = services.book_room(resident.user, stage, at(2, 9), at(2, 11), "演出", 30)
    client.force_login(manager)
    page = get(client, reverse("bookings:staff")).content.decode()
    assert page.count('data-testid="pending-booking"') == 2 and "李*" in page and "李红" not in page
    post(client, reverse("bookings:staff"), {"booking": first.pk, "action": "approve"})
    refused = post(client, reverse("bookings:staff"), {"booking": second.pk, "action": "reject", "reason": ""})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    post(client, reverse("bookings:staff"), {"booking": second.pk, "action": "reject", "reason": "舞台检修"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.rejection_reason) == ("confirmed", "rejected", "舞台检修")
    assert 'data-testid="nothing-pending"' in get(client, reverse("bookings:staff")).content.decode()


def test_staff_check_in_on_the_day(clock, client, lecture, resident, manager):
    registration = services.register(resident.user, lecture)
    clock.return_value = at(1, 13, 40)
    client.force_login(manager)
    page = get(client, reverse("bookings:staff")).content.decode()
    assert "Anti-fraud lecture" in page and 'name="code"' in page and "autofocus" in page
    url = reverse("bookings:staff_event", args=[lecture.pk])
    ok = post(client, url, {"code": registration.code.lower()})
    assert ok.status_code == 200 and 'data-ok="true"' in ok.content.decode()
    assert "Checked in: 李红." in ok.content.decode()
    twice = post(client, url, {"code": registration.display_code})
    assert twice.status_code == 409 and "already used: checked in at 2026-03-03 13:40" in twice.content.decode()
    unknown = post(client, reverse("bookings:check_in"), {"code": "XXXX-2345"})
    assert unknown.status_code == 404 and "No registration has the code XXXX-2345" in unknown.content.decode()
    page = get(client, url).content.decode()
    assert "1 of 1 places taken · 1 checked in" in page and "李*" in page
