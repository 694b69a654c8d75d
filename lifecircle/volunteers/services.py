"""The rules of volunteering. Each change is one transaction; sign-ups lock the shift row first
(``select_for_update``), so concurrent sign-ups can never put more volunteers on a shift than it needs."""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.access import administers, changeable
from lifecircle.accounts.permissions import staff_facility_ids
from lifecircle.directory import hours as opening_hours
from lifecircle.notifications.service import notify_in_languages

from .models import Activity, Certificate, HoursRecord, Shift, SignUp, Volunteer

Status = SignUp.Status


class VolunteerError(Exception):
    """A refusal, with the reason for the person who tried."""


# ---- who may manage what --------------------------------------------------------------------------

def managed_activities(user):
    """Activities whose shifts and hours ``user`` manages: their facility's, and every activity of the
    sub-districts they administer (the access layer's policy for activities)."""
    return changeable(user, Activity)


def can_manage(user, activity):
    return activity.pk is not None and managed_activities(user).filter(pk=activity.pk).exists()


def require_manager(user, activity):
    if not can_manage(user, activity):
        raise PermissionDenied(_("You do not run the activity %(title)s.") % {"title": activity.title})


def is_volunteer_staff(user):
    return user.is_authenticated and (administers(user) or bool(staff_facility_ids(user)))


# ---- the registry ---------------------------------------------------------------------------------

def register(resident, skills=(), availability="", availability_note=""):
    """Make a (verified) resident a volunteer, or update their skills and availability."""
    try:
        opening_hours.parse(availability)
    except opening_hours.HoursError as exc:
        raise VolunteerError(_("Availability: %(reason)s. Write it like Sa,Su 09:00-12:00; We 14:00-17:00.")
                             % {"reason": exc}) from None
    with transaction.atomic():
        # a registration that staff paused stays paused when the volunteer edits it
        volunteer, _created = Volunteer.objects.update_or_create(
            resident=resident, defaults={"availability": availability.strip(),
                                         "availability_note": availability_note.strip()[:200]})
        volunteer.skills.set(skills)
    return volunteer


# ---- sign-ups -------------------------------------------------------------------------------------

def free_places(shift):
    taken = getattr(shift, "taken", None)
    if taken is None:
        taken = shift.signups.filter(status=Status.SIGNED_UP).count()
    return max(shift.capacity - taken, 0)


def with_taken(shifts):
    return shifts.annotate(taken=Count("signups", filter=Q(signups__status=Status.SIGNED_UP)))


def sign_up(volunteer, shift, now=None):
    """Put ``volunteer`` on ``shift``; refuse with the reason when the rules do not allow it."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = Shift.objects.select_for_update(of=("self",)).select_related("role__activity", "role__required_skill").get(pk=shift.pk)
        role, activity = shift.role, shift.role.activity
        if not volunteer.active:
            raise VolunteerError(_("Your volunteer registration is paused; ask the service centre."))
        if not activity.published:
            raise VolunteerError(_("This activity is not open for sign-up."))
        if shift.starts_at <= now:
            raise VolunteerError(_("This shift has already started."))
        if role.required_skill_id and not volunteer.skills.filter(pk=role.required_skill_id).exists():
            raise VolunteerError(_("This role needs the skill “%(skill)s”.") % {"skill": role.required_skill.display_name})
        mine = SignUp.objects.filter(volunteer=volunteer, status=Status.SIGNED_UP)
        if mine.filter(shift=shift).exists():
            raise VolunteerError(_("You are already signed up for this shift."))
        clash = mine.filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at) \
            .select_related("shift__role__activity").first()
        if clash:
            raise VolunteerError(_("You are already on %(activity)s at that time.")
                                 % {"activity": clash.shift.role.activity.display_title})
        taken = shift.signups.filter(status=Status.SIGNED_UP).count()
        if taken >= shift.capacity:
            raise VolunteerError(_("This shift is full."))
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(shift=shift, volunteer=volunteer, created_at=now)
        except IntegrityError:
            raise VolunteerError(_("You are already signed up for this shift.")) from None
        notify_in_languages(volunteer.resident.user, "confirmation", lambda: (
            _("Signed up: %(activity)s") % {"activity": activity.title},
            _("%(role)s, %(when)s.") % {"role": role.name, "when": _when(shift)}), reverse("volunteers:home"))
    return signup


def _when(shift):
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def cancel(signup, user, now=None):
    """Cancel a sign-up before the shift starts: by the volunteer, or by staff who run the activity."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignUp.objects.select_for_update(of=("self",)).select_related(
            "shift__role__activity", "volunteer__resident__user").get(pk=signup.pk)
        activity = signup.shift.role.activity
        by_volunteer = signup.volunteer.resident.user_id == user.pk
        if not by_volunteer and not can_manage(user, activity):
            raise VolunteerError(_("Only the volunteer or the activity's staff may cancel this."))
        if signup.status == Status.CANCELLED:
            raise VolunteerError(_("This sign-up is already cancelled."))
        if signup.shift.starts_at <= now:
            raise VolunteerError(_("The shift has started; it can no longer be cancelled."))
        signup.status, signup.cancelled_at = Status.CANCELLED, now
        signup.save(update_fields=["status", "cancelled_at"])

        def render():
            subject = _("Cancelled: %(activity)s") % {"activity": activity.title}
            body = _("%(role)s, %(when)s.") % {"role": signup.shift.role.name, "when": _when(signup.shift)}
            if by_volunteer:  # the organiser is told who cancelled
                body = _("%(name)s cancelled: %(details)s") % {"name": signup.volunteer.resident.name, "details": body}
            return subject, body

        if by_volunteer:
            notify_in_languages(activity.organiser, "cancellation", render,
                                reverse("volunteers:shift", args=[signup.shift_id]))
        else:
            notify_in_languages(signup.volunteer.resident.user, "cancellation", render, reverse("volunteers:home"))
    return signup


# ---- hours (the time bank) ------------------------------------------------------------------------

def parse_hours(value):
    try:
        hours = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise VolunteerError(_("Hours must be a number, e.g. 2.5.")) from None
    if not Decimal("0") < hours <= HoursRecord.MAX_HOURS:
        raise VolunteerError(_("Hours must be more than 0 and at most 24."))
    return hours


def record_hours(staff, volunteer, activity, hours, date, shift=None, note="", now=None):
    """Record hours given; staff who run the activity only. With a shift: the volunteer was signed
    up, the shift is over, and its hours are recorded once."""
    now = now or timezone.now()
    hours = parse_hours(hours)
    require_manager(staff, activity)
    if shift is not None:
        if shift.role.activity_id != activity.pk:
            raise VolunteerError(_("That shift belongs to another activity."))
        if shift.ends_at > now:
            raise VolunteerError(_("Hours are recorded once the shift is over."))
        if not shift.signups.filter(volunteer=volunteer, status=Status.SIGNED_UP).exists():
            raise VolunteerError(_("%(name)s was not signed up for this shift.") % {"name": volunteer.resident.name})
    elif date > timezone.localdate(now):
        raise VolunteerError(_("Hours cannot be recorded for a day still to come."))
    try:
        with transaction.atomic():
            return HoursRecord.objects.create(volunteer=volunteer, activity=activity, shift=shift, date=date,
                                              hours=hours, note=note.strip()[:300], recorded_by=staff, recorded_at=now)
    except IntegrityError:
        raise VolunteerError(_("The hours of %(name)s for this shift are already recorded.")
                             % {"name": volunteer.resident.name}) from None


def record_shift(staff, shift, hours_by_volunteer, now=None):
    """Record a whole shift at once ({volunteer: hours}); all or nothing."""
    activity = shift.role.activity
    with transaction.atomic():
        return [record_hours(staff, volunteer, activity, hours, timezone.localtime(shift.starts_at).date(), shift,
                             now=now) for volunteer, hours in hours_by_volunteer.items()]


def hours_by_activity(volunteer):
    """[(activity, hours, first date, last date)], most hours first."""
    rows = (volunteer.hours_records.values("activity").annotate(hours=Sum("hours"))
            .order_by("-hours", "activity"))
    activities = Activity.objects.in_bulk([r["activity"] for r in rows])
    result = []
    for row in rows:
        dates = volunteer.hours_records.filter(activity=row["activity"]).values_list("date", flat=True)
        result.append((activities[row["activity"]], row["hours"], min(dates), max(dates)))
    return result


def total_hours(volunteer):
    return volunteer.hours_records.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def time_bank():
    """Every volunteer with their total hours, most first."""
    return Volunteer.objects.select_related("resident").annotate(total=Sum("hours_records__hours")) \
        .order_by("-total", "resident__name")


# ---- certificates ---------------------------------------------------------------------------------

def issue_certificate(volunteer, issued_by=None, now=None):
    """Freeze the volunteer's hours into a certificate with a verification code."""
    rows = hours_by_activity(volunteer)
    if not rows:
        raise VolunteerError(_("No hours have been recorded yet, so there is nothing to certify."))
    breakdown = [{"activity": activity.title, "activity_en": activity.title_en, "hours": str(hours),
                  "from": first.isoformat(), "to": last.isoformat()} for activity, hours, first, last in rows]
    return Certificate.objects.create(
        volunteer=volunteer, name=volunteer.resident.name, total_hours=sum(Decimal(r["hours"]) for r in breakdown),
        breakdown=breakdown, issued_by=issued_by, issued_at=now or timezone.now())


def format_hours(value):
    """12.50 → "12.5", 3.00 → "3"."""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def check_availability(text):
    try:
        opening_hours.parse(text)
    except opening_hours.HoursError as exc:
        raise ValidationError(str(exc)) from None
