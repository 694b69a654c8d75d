"""What volunteering holds about a person (see accounts/pipl.py): the volunteer, sign-ups, hours
and certificates are kept for the time bank's totals, emptied of notes and the name printed on
certificates (a certificate's code then verifies hours, not a person)."""
from lifecircle.accounts.pipl import KEEP, register, register_actor_fields

from .models import Certificate, HoursRecord, SignUp, Volunteer

register(Volunteer, links=("resident",), on_erase=KEEP, blank=("availability_note",))
register(SignUp, links=("volunteer__resident",), on_erase=KEEP)
register(HoursRecord, links=("volunteer__resident",), on_erase=KEEP, blank=("note",))
register(Certificate, links=("volunteer__resident",), on_erase=KEEP, blank=("name",))
register_actor_fields("the staff member who acted", "volunteers.Activity.organiser",
                      "volunteers.HoursRecord.recorded_by", "volunteers.Certificate.issued_by")
