"""Races, on PostgreSQL (where row locks and the exclusion constraint are real; SQLite serialises
all writes anyway): 50 clients for 10 places, and 50 clients for one room slot.

Each client is a thread with its own database connection; a barrier starts them together.
"""
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.bookings import services
from lifecircle.bookings.models import Booking, Event, Registration
from lifecircle.community.models import Compound

from lifecircle.testing import race

from .conftest import at

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 50


def residents(n):
    compound = Compound.objects.get(code="b")
    return [make_resident(make_household(compound, f"race-{i}"), f"居民{i}") for i in range(n)]


class RegisterOverHttp:
    """One client: logs in, then POSTs to the real registration endpoint."""

    def __init__(self, event):
        self.url = f"/api/bookings/events/{event.pk}/registrations"

    def prepare(self, resident):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(resident.user)
        return client

    def __call__(self, client):
        response = client.post(self.url, {}, content_type="application/json")
        return response.status_code, response.json()


def test_fifty_clients_race_for_ten_places(clock, centre):
    event = Event.objects.create(facility=centre, title="热门讲座", start=at(2, 14), end=at(2, 16), capacity=10)
    racers = residents(CLIENTS)
    results = race(RegisterOverHttp(event), racers)

    assert all(isinstance(r, tuple) and r[0] == 201 for r in results), results
    statuses = [body["status"] for _, body in results]
    assert statuses.count("confirmed") == 10
    assert statuses.count("waitlisted") == 40
    assert Registration.objects.filter(event=event, status="confirmed").count() == 10
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 40
    # Every client got a distinct check-in code and a clear answer.
    assert len({body["code"] for _, body in results}) == CLIENTS


def test_fifty_clients_race_for_one_room_slot(clock, meeting):
    racers = residents(CLIENTS)

    def book(resident):
        return services.book_room(resident.user, meeting, at(1, 10), at(1, 12), "楼组会议", 10)

    results = race(book, racers)
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, services.Conflict)]
    others = [r for r in results if not isinstance(r, (Booking, services.Conflict))]
    assert len(won) == 1 and len(lost) == CLIENTS - 1, others
    assert {r.message for r in lost} == {"The room is already booked from 2026-03-03 10:00 to 12:00."}
    assert Booking.objects.filter(room=meeting).count() == 1


def test_the_database_itself_refuses_overlapping_bookings(clock, resident, neighbour, meeting, stage):
    """Even a write that skips services.book_room cannot overlap a holding booking of the room."""
    first = Booking.objects.create(room=meeting, booker=resident, purpose="a", attendees=1, start=at(1, 10),
                                   end=at(1, 12), status="confirmed")
    with pytest.raises(IntegrityError, match="booking_no_overlap_in_room"), transaction.atomic():
        Booking.objects.create(room=meeting, booker=neighbour, purpose="b", attendees=1, start=at(1, 11),
                               end=at(1, 13), status="pending")
    # Other rooms, touching slots and bookings that no longer hold their slot are fine.
    Booking.objects.create(room=stage, booker=neighbour, purpose="c", attendees=1, start=at(1, 11), end=at(1, 13),
                           status="pending")
    Booking.objects.create(room=meeting, booker=neighbour, purpose="d", attendees=1, start=at(1, 12), end=at(1, 13),
                           status="confirmed")
    first.status = "cancelled"
    first.save()
    Booking.objects.create(room=meeting, booker=neighbour, purpose="e", attendees=1, start=at(1, 10), end=at(1, 11),
                           status="confirmed")
