"""The staff console: own facility only, names masked in lists, reads of a person logged."""
import pytest
from django.urls import reverse

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.bookings import services
from lifecircle.bookings.models import Event, Registration
from lifecircle.directory.models import Facility

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(clock, resident, meeting, centre):
    booking = services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "会", 3)
    event = Event.objects.create(facility=centre, title="讲座", start=at(1, 14), end=at(1, 15), capacity=1)
    registration = services.register(resident.user, event)
    return booking, event, registration


def test_centre_staff_see_their_facilitys_records_masked_and_reads_are_logged(client, data, manager, resident):
    booking, event, registration = data
    client.force_login(manager)
    page = client.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert "李*" in page and "李红" not in page
    page = client.get(reverse("admin:bookings_registration_changelist")).content.decode()
    assert "李*" in page and "李红" not in page
    assert client.get(reverse("admin:bookings_event_changelist")).status_code == 200
    assert not AccessLog.objects.exists()
    assert client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).status_code == 200
    assert client.get(reverse("admin:bookings_registration_change", args=[registration.pk])).status_code == 200
    assert AccessLog.objects.filter(user=manager, resident=resident).count() == 2


def test_staff_of_another_facility_see_none_of_it(client, data, mini):
    other = make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=Facility.objects.get(code="babycare"))
    client.force_login(other)
    booking, event, registration = data
    page = client.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert reverse("admin:bookings_booking_change", args=[booking.pk]) not in page
    assert client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).status_code == 302
    assert client.get(reverse("admin:bookings_event_change", args=[event.pk])).status_code == 302
    assert not AccessLog.objects.exists()


def test_raising_an_events_places_in_the_console_moves_people_up(client, data, manager, neighbour, clock):
    booking, event, registration = data
    waiting = services.register(neighbour.user, event)
    client.force_login(manager)
    url = reverse("admin:bookings_event_change", args=[event.pk])
    form = {"facility": event.facility_id, "room": "", "code": "", "kind": "lecture", "title": "讲座", "title_en": "",
            "description": "", "description_en": "", "start_0": "2026-03-03", "start_1": "14:00:00",
            "end_0": "2026-03-03", "end_1": "15:00:00", "capacity": "2", "waitlist_limit": "",
            "registration_opens_0": "", "registration_opens_1": "", "registration_closes_0": "",
            "registration_closes_1": "", "illustrative": ""}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
