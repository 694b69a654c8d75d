"""The rules of senior care, shared by the API, the pages and the staff console.

Every change runs in one transaction and checks everything before writing, so a refused request
changes nothing. Admissions lock their place type's row and activity sign-ups their activity's
row (``select_for_update``) before counting, so concurrent requests never exceed capacity.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecircle.accounts.models import Resident, StaffRole
from lifecircle.accounts.permissions import (
    check_can_act_for,
    log_access,
    mask_name,
    mask_phone,
    require_facility_staff,
    resident_of,
    staff_facility_ids,
)
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify_in_languages

from .models import (
    CARE_CATEGORIES,
    SENIOR_CATEGORIES,
    Activity,
    ActivitySignup,
    Admission,
    Attendance,
    HealthCheck,
    HealthConsent,
    PlaceType,
    facilities_offering,
    peak,
)


def _id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def require_staff(user, facility):
    if not user.is_authenticated:
        raise PermissionDenied(_("Please sign in as staff."))
    require_facility_staff(user, facility)


def works_at(user, facility):
    return StaffRole.objects.filter(user=user, facility=facility).exists()


def staff_facilities(user, slugs=SENIOR_CATEGORIES):
    """The senior facilities ``user`` works at (all of them for administrators)."""
    facilities = facilities_offering(slugs)
    ids = staff_facility_ids(user)
    if ids is not None:
        facilities = facilities.filter(pk__in=ids)
    return facilities


def require_senior_staff(user):
    if not user.is_authenticated or not staff_facilities(user).exists():
        raise PermissionDenied(_("Only staff of a senior service facility can do this."))


def _verified(person):
    if not person.is_verified:
        raise Refused(_("Staff have not yet verified that %(name)s lives in the sub-district.")
                      % {"name": person.name}, 403)


def find_resident(user, name, phone):
    """The one resident with this name and phone number, as staff find someone at the counter. The
    search is a read of personal data, so it is audited, found or not (the phone masked)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    matches = [r for r in Resident.objects.filter(name=(name or "").strip())
               if "".join(ch for ch in r.phone if ch.isdigit()) == digits and digits]
    log_access(user, "search", f"senior care counter: name and phone {mask_phone(digits)}",
               resident=matches[0] if len(matches) == 1 else None)
    if not matches:
        raise NotFound(_("No resident with this name and phone number is registered."))
    if len(matches) > 1:
        raise Conflict(_("Several residents have this name and phone number; use the staff console."))
    return matches[0]


# ---- places and admissions ---------------------------------------------------------------------


def occupancy(place_type, day):
    return Admission.objects.filter(place_type=place_type, status=Admission.Status.ADMITTED,
                                    start__lte=day, end__gte=day).count()


def check_admission(place_type, resident, start, end, cognitive_impairment, exclude=None):
    """Every rule of an admission, with the place type's row already locked by the caller's transaction."""
    _verified(resident)
    if not place_type.active:
        raise Refused(_("%(place)s is not taking admissions.") % {"place": place_type})
    if end < start:
        raise Refused(_("The last day cannot come before the first."))
    days = (end - start).days + 1
    if place_type.max_days and days > place_type.max_days:
        raise Refused(_("A stay in %(place)s lasts at most %(max)s days; this one would last %(n)s.")
                      % {"place": place_type.label, "max": place_type.max_days, "n": days})
    if place_type.cognitive_care and not cognitive_impairment:
        raise Refused(_("These places are reserved for residents assessed with cognitive impairment."))
    clash = Admission.objects.filter(resident=resident, status=Admission.Status.ADMITTED, start__lte=end,
                                     end__gte=start)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    clash = clash.select_related("place_type__facility").first()
    if clash is not None:
        # Neither the name nor the other place: staff here need the dates, not where else someone is cared for.
        raise Refused(_("This person already has a place from %(start)s to %(end)s.")
                      % {"start": clash.start, "end": clash.end}, 409)
    busiest, day = peak(place_type, start, end, exclude)
    if busiest >= place_type.capacity:
        raise Refused(_("All %(n)s places of %(place)s are taken on %(day)s.")
                      % {"n": place_type.capacity, "place": place_type.label, "day": day}, 409)


def lock_place_type(place_type_id):
    place_type = (PlaceType.objects.select_for_update(of=("self",)).select_related("facility")
                  .filter(pk=place_type_id).first())
    if place_type is None:
        raise NotFound(_("There is no such place type."))
    return place_type


def admit(user, resident, place_type_id, start, end, cognitive_impairment=False, notes=""):
    """Admit ``resident`` to a place of the type from ``start`` to ``end`` (inclusive)."""
    with transaction.atomic():
        place_type = lock_place_type(place_type_id)
        require_staff(user, place_type.facility)
        if start < timezone.localdate():
            raise Refused(_("An admission cannot start in the past."))
        check_admission(place_type, resident, start, end, cognitive_impairment)
        admission = Admission.objects.create(
            resident=resident, place_type=place_type, start=start, end=end,
            cognitive_impairment=cognitive_impairment, notes=notes, admitted_by=user)
        notify_admission(admission)
    return admission


def notify_admission(admission):
    place_type = admission.place_type
    notify_in_languages(admission.resident.user, Notification.Kind.CONFIRMATION, lambda: (
        _("Admitted to %(facility)s") % {"facility": place_type.facility.name},
        _("You have a place (%(place)s) at %(facility)s from %(start)s to %(end)s.")
        % {"place": place_type.label, "facility": place_type.facility.name, "start": admission.start,
           "end": admission.end}), reverse("eldercare:mine"))


def _admission_for_staff(user, admission_id):
    admission = Admission.objects.select_related("place_type__facility", "resident").filter(
        pk=_id(admission_id)).first()
    if admission is None:
        raise NotFound(_("There is no such admission."))
    require_staff(user, admission.place_type.facility)
    return admission


def cancel_admission(user, admission_id):
    admission = _admission_for_staff(user, admission_id)
    with transaction.atomic():
        lock_place_type(admission.place_type_id)
        admission = Admission.objects.select_related("place_type__facility", "resident").get(pk=admission.pk)
        if admission.status == Admission.Status.CANCELLED:
            raise Conflict(_("This admission is already cancelled."))
        admission.status, admission.cancelled_at, admission.cancelled_by = (
            Admission.Status.CANCELLED, timezone.now(), user)
        admission.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        notify_in_languages(admission.resident.user, Notification.Kind.CANCELLATION, lambda: (
            _("Place cancelled"),
            _("Your place (%(place)s) at %(facility)s from %(start)s to %(end)s is cancelled.")
            % {"place": admission.place_type.label, "facility": admission.place_type.facility.name,
               "start": admission.start, "end": admission.end}), reverse("eldercare:mine"))
    return admission


def discharge(user, admission_id, last_day):
    """End a stay early: ``last_day`` becomes its last day, freeing the place after it."""
    admission = _admission_for_staff(user, admission_id)
    with transaction.atomic():
        lock_place_type(admission.place_type_id)
        admission = Admission.objects.get(pk=admission.pk)
        if admission.status != Admission.Status.ADMITTED:
            raise Conflict(_("This admission is cancelled."))
        if not admission.start <= last_day <= admission.end:
            raise Refused(_("The last day must lie within the stay (%(start)s to %(end)s).")
                          % {"start": admission.start, "end": admission.end})
        admission.end = last_day
        admission.save(update_fields=["end"])
    return admission


def check_in(user, admission_id, day=None):
    """Record that a resident with a place is there today (or on ``day``)."""
    admission = _admission_for_staff(user, admission_id)
    day = day or timezone.localdate()
    if admission.status != Admission.Status.ADMITTED or not admission.covers(day):
        raise Refused(_("%(name)s has no place here on %(day)s.") % {"name": admission.resident.name, "day": day})
    if day > timezone.localdate():
        raise Refused(_("Attendance cannot be recorded for a day still to come."))
    with transaction.atomic():
        record, created = Attendance.objects.get_or_create(
            admission=admission, date=day, defaults={"recorded_by": user, "arrived_at": timezone.now()})
    if not created:
        raise Refused(_("%(name)s is already recorded as here on %(day)s.")
                      % {"name": admission.resident.name, "day": day}, 409)
    return record


def place_summary(facility, day):
    """Per place type of ``facility``: capacity, places taken on ``day``, residents present."""
    rows = []
    for place_type in facility.place_types.filter(active=True):
        stays = list(Admission.objects.filter(place_type=place_type, status=Admission.Status.ADMITTED,
                                              start__lte=day, end__gte=day).select_related("resident"))
        present = set(Attendance.objects.filter(admission__in=stays, date=day).values_list("admission_id",
                                                                                           flat=True))
        rows.append({"place_type": place_type, "id": place_type.pk, "kind": place_type.kind,
                     "label": place_type.label, "cognitive_care": place_type.cognitive_care,
                     "capacity": place_type.capacity, "taken": len(stays),
                     "free": max(0, place_type.capacity - len(stays)), "present": len(present),
                     "stays": stays, "present_ids": present})
    return rows


# ---- health ------------------------------------------------------------------------------------


def _consent_facility(user, facility):
    """The senior facility a consent is recorded at: the one given, or the only one ``user`` works at."""
    if facility is None:
        mine = list(staff_facilities(user)[:2])
        if len(mine) != 1:
            raise Refused(_("Choose the facility where the consent was given."))
        facility = mine[0]
    require_staff(user, facility)
    if not facilities_offering(SENIOR_CATEGORIES).filter(pk=facility.pk).exists():
        raise Refused(_("Consent to health records is recorded at facilities for seniors."))
    return facility


def record_consent(user, resident, evidence, facility=None):
    """Record consent to health records, at a senior facility ``user`` works at; the record is logged."""
    require_senior_staff(user)
    facility = _consent_facility(user, facility)
    _verified(resident)
    if not (evidence or "").strip():
        raise Refused(_("Say how consent was given, e.g. the number of the signed form."))
    with transaction.atomic():
        if HealthConsent.current(resident) is not None:
            raise Conflict(_("This person's consent to health records is already on record."))
        consent = HealthConsent.objects.create(resident=resident, evidence=evidence.strip()[:200], recorded_by=user,
                                               facility=facility, recorded_at=timezone.now())
        log_access(user, "consent", f"health-record consent {consent.pk} recorded at {facility.code}",
                   resident=resident)
    return consent


def may_revoke(user, consent):
    """Staff of the facility where consent was given, its recorder (older records) or administrators."""
    ids = staff_facility_ids(user)
    if ids is None:
        return True
    return consent.facility_id in ids if consent.facility_id else consent.recorded_by_id == user.pk


def revoke_consent(user, consent_id):
    require_senior_staff(user)
    consent = HealthConsent.objects.filter(pk=_id(consent_id)).first()
    if consent is None or not may_revoke(user, consent):
        raise NotFound(_("There is no such consent."))  # the same answer whether it exists elsewhere or not
    if consent.revoked_at is not None:
        raise Conflict(_("This consent is already revoked."))
    with transaction.atomic():
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        log_access(user, "consent", f"health-record consent {consent.pk} revoked", resident=consent.resident)
    return consent


def record_check(user, resident, facility, readings, measured_at=None, notes=""):
    """Record a health check; refused without the resident's consent or with implausible readings."""
    require_staff(user, facility)
    if not facilities_offering(SENIOR_CATEGORIES).filter(pk=facility.pk).exists():
        raise Refused(_("Health checks are recorded at facilities for seniors."))
    consent = HealthConsent.current(resident)
    if consent is None:
        raise Refused(_("This person has not consented to health records; record their consent first."), 403)
    unknown = set(readings) - set(HealthCheck.READINGS)
    if unknown:
        raise Refused(_("Unknown readings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    check = HealthCheck(resident=resident, facility=facility, consent=consent, recorded_by=user, notes=notes or "",
                        measured_at=measured_at or timezone.now(),
                        **{k: v for k, v in readings.items() if v not in (None, "")})
    try:
        check.full_clean()
    except ValidationError as exc:
        raise Refused(reading_errors(exc)) from None
    check.save()
    return check


def reading_errors(exc):
    """A ValidationError about readings as one sentence that names each reading."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, errors in exc.message_dict.items():
        if field == "__all__":
            parts.extend(errors)
        else:
            label = HealthCheck._meta.get_field(field).verbose_name
            parts.append(f"{label}: {' '.join(errors)}")
    return "; ".join(parts)


def my_health_checks(user):
    """The signed-in resident's own health checks, newest first."""
    return HealthCheck.objects.filter(resident=resident_of(user)).select_related("facility")


def staff_health_checks(user, facility, resident=None, days=14):
    """Recent checks at ``facility`` (or a resident's there), as staff may read them; each read is logged."""
    require_staff(user, facility)
    since = timezone.now() - datetime.timedelta(days=days)
    checks = HealthCheck.objects.filter(facility=facility, measured_at__gte=since).select_related("resident")
    if resident is not None:
        checks = checks.filter(resident=resident)
    checks = list(checks)
    for person in {c.resident_id: c.resident for c in checks}.values():
        log_access(user, "view", f"eldercare health checks {facility.code}", resident=person)
    return checks


# ---- activities --------------------------------------------------------------------------------


def sign_up(user, activity_id, person=None):
    """Sign ``person`` (default: oneself) up for an activity, while places are left and before it starts."""
    actor = resident_of(user)
    person = person or actor
    _verified(person)
    check_can_act_for(actor, person)
    with transaction.atomic():
        activity = (Activity.objects.select_for_update(of=("self",)).select_related("facility")
                    .filter(pk=_id(activity_id)).first())
        if activity is None:
            raise NotFound(_("There is no such activity."))
        if timezone.now() >= activity.start:
            raise Refused(_("%(title)s has already started.") % {"title": activity.title})
        if ActivitySignup.objects.filter(activity=activity, resident=person,
                                         status=ActivitySignup.Status.SIGNED_UP).exists():
            raise Refused(_("%(name)s is already signed up for %(title)s.")
                          % {"name": person.name, "title": activity.title}, 409)
        if activity.taken() >= activity.capacity:
            raise Conflict(_("%(title)s is full.") % {"title": activity.title})
        signup = ActivitySignup.objects.create(activity=activity, resident=person, signed_up_by=actor)
        _tell_signup(signup, actor, Notification.Kind.CONFIRMATION, gettext_lazy("Signed up"),
                     gettext_lazy("%(name)s is signed up for %(title)s at %(facility)s, %(when)s."))
    return signup


def cancel_signup(user, signup_id):
    actor = resident_of(user)
    signup = ActivitySignup.objects.select_related("resident").filter(pk=_id(signup_id)).first()
    if signup is None:
        raise NotFound(_("There is no such sign-up."))
    check_can_act_for(actor, signup.resident)
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).select_related("facility").get(
            pk=signup.activity_id)
        signup = ActivitySignup.objects.select_related("resident").get(pk=signup.pk)
        if signup.status == ActivitySignup.Status.CANCELLED:
            raise Conflict(_("This sign-up is already cancelled."))
        if timezone.now() >= activity.start:
            raise Refused(_("%(title)s has already started.") % {"title": activity.title})
        signup.status, signup.cancelled_at = ActivitySignup.Status.CANCELLED, timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        _tell_signup(signup, actor, Notification.Kind.CANCELLATION, gettext_lazy("Sign-up cancelled"),
                     gettext_lazy("%(name)s's place at %(title)s at %(facility)s, %(when)s, is cancelled."))
    return signup


def _tell_signup(signup, actor, kind, subject, body):
    activity = signup.activity

    def render():
        return subject, body % {"name": signup.resident.name, "title": activity.title,
                                "facility": activity.facility.name,
                                "when": timezone.localtime(activity.start).strftime("%Y-%m-%d %H:%M")}

    url = reverse("eldercare:mine")
    notify_in_languages(signup.resident.user, kind, render, url)
    if actor.pk != signup.resident_id:
        notify_in_languages(actor.user, kind, render, url)


def signups_for_staff(user, activity):
    """Who signed up for an activity (whole names for the facility's staff, masked for others); logged."""
    require_staff(user, activity.facility)
    whole = works_at(user, activity.facility)
    rows = []
    for signup in activity.signups.filter(status=ActivitySignup.Status.SIGNED_UP).select_related("resident"):
        log_access(user, "view", f"eldercare activity {activity.pk} sign-ups", resident=signup.resident)
        rows.append({"id": signup.pk, "name": signup.resident.name if whole else mask_name(signup.resident.name),
                     "phone": signup.resident.phone if whole else "", "masked": not whole})
    return rows


def upcoming_activities(now=None, facility=None, days=14):
    now = now or timezone.now()
    activities = Activity.objects.filter(end__gte=now, start__lte=now + datetime.timedelta(days=days)) \
        .select_related("facility")
    if facility is not None:
        activities = activities.filter(facility=facility)
    activities = list(activities)
    taken = {}
    for activity_id in ActivitySignup.objects.filter(activity__in=activities,
                                                     status=ActivitySignup.Status.SIGNED_UP).values_list(
                                                         "activity_id", flat=True):
        taken[activity_id] = taken.get(activity_id, 0) + 1
    for activity in activities:
        activity.left = max(0, activity.capacity - taken.get(activity.pk, 0))
        activity.started = activity.start <= now
    return activities


def care_facilities():
    return facilities_offering(CARE_CATEGORIES)
