"""What residents' requests hold about a person (see accounts/pipl.py): a request and its updates
are the sub-district's record of a problem in a public place, so they stay; who reported it (the
link, name, phone, e-mail, account and device) goes. Closed requests lose the same fields after
the retention period for closed records."""
from django.db.models import Q

from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields, register_retention

from .models import Follower, InternalNote, RequestUpdate, ServiceRequest

CONTACT_FIELDS = ("email", "phone", "first_name", "last_name", "account_id", "device_id")

register(ServiceRequest, links=("resident", "reporter"), on_erase=KEEP, blank=CONTACT_FIELDS,
         detach=("resident", "reporter"))
register(RequestUpdate, links=("request__resident", "request__reporter"), on_erase=KEEP)
# Internal notes are never sent to the reporter, but what staff write about a request can be about
# its reporter: a request for one's personal data (PIPL art. 45) includes them, like any record.
register(InternalNote, links=("request__resident", "request__reporter"), on_erase=KEEP)
# Following a request says where someone lives or walks: it goes with the person.
register(Follower, links=("user",), on_erase=DELETE)
register_actor_fields("the staff member who answered", "requests311.RequestUpdate.author")
register_actor_fields("the staff member who wrote the note", "requests311.InternalNote.author")


def _closed_with_contact(cutoff):
    has_contact = Q(resident__isnull=False) | Q(reporter__isnull=False)
    for name in CONTACT_FIELDS:
        has_contact |= ~Q(**{name: ""})
    return ServiceRequest.objects.filter(state=ServiceRequest.State.CLOSED, closed_at__lt=cutoff).filter(
        has_contact)


register_retention("contact details of closed requests", _closed_with_contact, "RETAIN_CLOSED_DAYS",
                   updates={**{name: "" for name in CONTACT_FIELDS}, "resident": None, "reporter": None})
