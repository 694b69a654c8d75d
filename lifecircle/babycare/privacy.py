"""What baby care holds about a person (see accounts/pipl.py).

An application is the child's: erasing a parent whose partner stays keeps it (the applicant then
names the tombstone). When the child is erased too, applications that never led to a place are
deleted; a placement and its attendance are kept for the centre's records, notes emptied, and a
placement not yet ended is withdrawn and ends today (or on its first day). Every place freed is
offered to the next family once the erasure commits.
"""
from django.db import transaction
from django.utils import timezone

from lifecircle.accounts.pipl import KEEP, register, register_actor_fields, register_retention

from .models import Application, Attendance, Offer, Placement
from .services import fill_free_places


def close_erased_childrens_applications(applications, person):
    now = timezone.now()
    freed_groups = set(applications.filter(status__in=Application.HOLDING).values_list("age_group_id", flat=True))
    applications.filter(placement__isnull=True).delete()
    for placement in Placement.objects.filter(application__in=applications, ended_on__isnull=True):
        placement.ended_on = max(timezone.localdate(now), placement.starts_on)
        placement.save(update_fields=["ended_on"])
    applications.filter(status__in=Application.ACTIVE).update(status=Application.Status.WITHDRAWN, closed_at=now)
    for group_id in freed_groups:
        transaction.on_commit(lambda group_id=group_id: fill_free_places(group_id))


register(Application, links=("child",), acted_by=("applicant",), on_erase=KEEP,
         before_erase=close_erased_childrens_applications)
register(Offer, links=("application__child",), acted_by=("application__applicant",), on_erase=KEEP)
register(Placement, links=("application__child",), acted_by=("application__applicant",), on_erase=KEEP)
register(Attendance, links=("placement__application__child",), acted_by=("placement__application__applicant",),
         on_erase=KEEP, blank=("note",))
register_actor_fields("the staff member who recorded attendance", "babycare.Attendance.recorded_by")


def _closed_applications(cutoff):
    """Withdrawn, declined and expired applications: nothing depends on them once closed."""
    return Application.objects.filter(status__in=[Application.Status.WITHDRAWN, Application.Status.DECLINED,
                                                  Application.Status.EXPIRED],
                                      closed_at__lt=cutoff, placement__isnull=True)


register_retention("closed baby-care applications (withdrawn, declined, expired)", _closed_applications,
                   "RETAIN_CLOSED_DAYS")
