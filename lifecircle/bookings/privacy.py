"""What room bookings and events hold about a person (see accounts/pipl.py): bookings and event
registrations are kept for the rooms' and events' records, the booking's texts emptied, and a
booking still to come is cancelled so the room is free; calendar links are deleted."""
from django.utils import timezone

from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields

from .models import Booking, CalendarToken, Registration


def cancel_bookings_to_come(bookings, person):
    bookings.filter(status__in=Booking.HOLDING, start__gt=timezone.now()).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now())


register(Booking, links=("booker",), on_erase=KEEP, blank=("group_name", "purpose", "rejection_reason"),
         before_erase=cancel_bookings_to_come)
register(Registration, links=("resident", "child"), acted_by=("registered_by",), on_erase=KEEP)
register(CalendarToken, links=("resident",), on_erase=DELETE)
register_actor_fields("the staff member who acted", "bookings.Booking.decided_by",
                      "bookings.Registration.checked_in_by")
