"""What volunteering holds about a person (see accounts/pipl.py): the volunteer, sign-ups, hours
and certificates are kept for the time bank's totals, emptied of notes and the name printed on
certificates (a certificate's code then verifies hours, not a person); sign-ups for shifts to
come are cancelled so the places are free."""
from django.utils import timezone

from lifecircle.accounts.pipl import KEEP, register, register_actor_fields

from .models import Certificate, HoursRecord, SignUp, Volunteer

register(Volunteer, links=("resident",), on_erase=KEEP, blank=("availability_note",))
def cancel_shifts_to_come(signups, person):
    signups.filter(status=SignUp.Status.SIGNED_UP, shift__starts_at__gt=timezone.now()).update(
        status=SignUp.Status.CANCELLED, cancelled_at=timezone.now())


register(SignUp, links=("volunteer__resident",), on_erase=KEEP, before_erase=cancel_shifts_to_come)
register(HoursRecord, links=("volunteer__resident",), on_erase=KEEP, blank=("note",))
register(Certificate, links=("volunteer__resident",), on_erase=KEEP, blank=("name",))
register_actor_fields("the staff member who acted", "volunteers.Activity.organiser",
                      "volunteers.HoursRecord.recorded_by", "volunteers.Certificate.issued_by")
