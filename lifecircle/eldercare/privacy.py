"""What senior care holds about a person (see accounts/pipl.py): health data and its consent are
deleted; stays, attendance and activity sign-ups are kept for the centres' records, emptied of
care notes; a stay not yet begun and sign-ups for activities to come are cancelled (a stay under
way ends today), so the places are free for others."""
from django.utils import timezone

from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields

from .models import ActivitySignup, Admission, Attendance, HealthCheck, HealthConsent


def end_stays(admissions, person):
    today = timezone.localdate()
    active = admissions.filter(status=Admission.Status.ADMITTED, end__gt=today)
    active.filter(start__gt=today).update(status=Admission.Status.CANCELLED, cancelled_at=timezone.now())
    active.filter(start__lte=today).update(end=today)


def cancel_activities_to_come(signups, person):
    signups.filter(status=ActivitySignup.Status.SIGNED_UP, activity__start__gt=timezone.now()).update(
        status=ActivitySignup.Status.CANCELLED, cancelled_at=timezone.now())


register(HealthCheck, links=("resident",), on_erase=DELETE)  # before its consent, which it protects
register(HealthConsent, links=("resident",), on_erase=DELETE)
register(Admission, links=("resident",), on_erase=KEEP, blank=("notes",), before_erase=end_stays)
register(Attendance, links=("admission__resident",), on_erase=KEEP)
register(ActivitySignup, links=("resident",), acted_by=("signed_up_by",), on_erase=KEEP,
         before_erase=cancel_activities_to_come)
register_actor_fields("the staff member who acted; staff accounts are kept with their records",
                      "eldercare.Admission.admitted_by", "eldercare.Admission.cancelled_by",
                      "eldercare.Attendance.recorded_by", "eldercare.HealthConsent.recorded_by",
                      "eldercare.HealthCheck.recorded_by")
