"""What room bookings and events hold about a person (see accounts/pipl.py): bookings and event
registrations are kept for the rooms' and events' records, the booking's texts emptied; a booking
still to come is cancelled so the room is free, and so is a place at an event still to come, which
goes to the first on the waitlist; calendar links are deleted."""
from django.utils import timezone

from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields

from .models import Booking, CalendarToken, Event, Registration
from .services import promote_waitlist


def cancel_bookings_to_come(bookings, person):
    bookings.filter(status__in=Booking.HOLDING, start__gt=timezone.now()).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now())


def cancel_places_to_come(registrations, person):
    to_come = registrations.filter(status__in=Registration.ACTIVE, event__start__gt=timezone.now())
    event_ids = set(to_come.values_list("event_id", flat=True))
    to_come.update(status=Registration.Status.CANCELLED, cancelled_at=timezone.now())
    for event in Event.objects.select_for_update(of=("self",)).filter(pk__in=event_ids).order_by("pk"):
        promote_waitlist(event)


register(Booking, links=("booker",), on_erase=KEEP, blank=("group_name", "purpose", "rejection_reason"),
         before_erase=cancel_bookings_to_come)
register(Registration, links=("resident", "child"), acted_by=("registered_by",), on_erase=KEEP,
         before_erase=cancel_places_to_come)
register(CalendarToken, links=("resident",), on_erase=DELETE)
register_actor_fields("the staff member who acted", "bookings.Booking.decided_by",
                      "bookings.Registration.checked_in_by")
