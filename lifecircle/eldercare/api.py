"""JSON API of senior care: activities (public list; sign-up and cancellation for residents), care
places, and the staff's admissions, attendance, health-record consents and health checks."""
import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accounts.models import Resident
from lifecircle.dates import parse_day
from lifecircle.accounts.permissions import resident_of

from . import services
from .models import Activity, ActivitySignup, Admission, HealthCheck, PlaceType, facilities_offering

router = Router(tags=["eldercare"])


def resident_or_404(resident_id):
    resident = Resident.objects.filter(pk=resident_id).first()
    if resident is None:
        raise HttpError(404, "there is no such resident")
    return resident


def senior_facility(facility_id):
    facility = facilities_offering(services.SENIOR_CATEGORIES).filter(pk=facility_id).first()
    if facility is None:
        raise HttpError(404, f"no senior service facility has id {facility_id}")
    return facility


# ---- schemas -----------------------------------------------------------------------------------


class CareActivityOut(Schema):
    id: int
    facility: int
    facility_name: str
    title: str
    title_en: str
    description: str
    description_en: str
    start: datetime.datetime
    end: datetime.datetime
    capacity: int
    left: int
    illustrative: bool


class CareSignupIn(Schema):
    resident: int | None = Field(None, description="whom to sign up; default yourself")


class CareSignupOut(Schema):
    id: int
    activity: int
    activity_title: str
    start: datetime.datetime
    resident: int
    status: str


class CarePlaceTypeOut(Schema):
    id: int
    facility: int
    facility_name: str
    kind: str
    cognitive_care: bool
    capacity: int
    taken: int
    free: int
    max_days: int | None


class CareAdmissionIn(Schema):
    resident: int
    place_type: int
    start: datetime.date
    end: datetime.date = Field(description="the last day of the stay (inclusive)")
    cognitive_impairment: bool = Field(False, description="assessed with cognitive impairment; required for "
                                                          "places reserved for cognitive-impairment care")
    notes: str = ""


class CareAdmissionOut(Schema):
    id: int
    resident: int
    place_type: int
    facility: int
    facility_name: str
    kind: str
    cognitive_care: bool
    start: datetime.date
    end: datetime.date
    status: str


class CareDischargeIn(Schema):
    last_day: datetime.date


class CareAttendanceIn(Schema):
    admission: int
    date: datetime.date | None = Field(None, description="default today")


class CareAttendanceOut(Schema):
    id: int
    admission: int
    date: datetime.date
    arrived_at: datetime.datetime


class CareConsentIn(Schema):
    resident: int
    evidence: str = Field(description="how consent was given, e.g. signed form no. 2026-031")
    facility: int | None = Field(None, description="the senior facility where consent was given (needed when "
                                                   "you work at several)")


class CareConsentOut(Schema):
    id: int
    resident: int
    evidence: str
    recorded_at: datetime.datetime
    revoked_at: datetime.datetime | None


class CareHealthCheckIn(Schema):
    resident: int
    facility: int
    measured_at: datetime.datetime | None = Field(None, description="default now")
    systolic: int | None = Field(None, description="mmHg, 60–260")
    diastolic: int | None = Field(None, description="mmHg, 30–160, below the systolic")
    pulse: int | None = Field(None, description="beats a minute, 30–220")
    glucose: Decimal | None = Field(None, description="mmol/L, 1.0–35.0")
    weight: Decimal | None = Field(None, description="kg, 20–250")
    notes: str = ""


class CareHealthCheckOut(Schema):
    id: int
    resident: int
    facility: int
    facility_name: str
    measured_at: datetime.datetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    glucose: Decimal | None
    weight: Decimal | None
    notes: str


class CareStaffSignupOut(Schema):
    id: int
    name: str
    phone: str
    masked: bool


def activity_out(activity):
    return {"id": activity.pk, "facility": activity.facility_id, "facility_name": activity.facility.name,
            "title": activity.title, "title_en": activity.title_en, "description": activity.description,
            "description_en": activity.description_en, "start": activity.start, "end": activity.end,
            "capacity": activity.capacity,
            "left": activity.left if hasattr(activity, "left") else max(0, activity.capacity - activity.taken()),
            "illustrative": activity.illustrative}


def signup_out(signup):
    return {"id": signup.pk, "activity": signup.activity_id, "activity_title": signup.activity.title,
            "start": signup.activity.start, "resident": signup.resident_id, "status": signup.status}


def admission_out(admission):
    place_type = admission.place_type
    return {"id": admission.pk, "resident": admission.resident_id, "place_type": place_type.pk,
            "facility": place_type.facility_id, "facility_name": place_type.facility.name, "kind": place_type.kind,
            "cognitive_care": place_type.cognitive_care, "start": admission.start, "end": admission.end,
            "status": admission.status}


def check_out(check):
    return {"id": check.pk, "resident": check.resident_id, "facility": check.facility_id,
            "facility_name": check.facility.name, "measured_at": check.measured_at,
            **{name: getattr(check, name) for name in HealthCheck.READINGS}, "notes": check.notes}


# ---- public ------------------------------------------------------------------------------------


@router.get("/eldercare/activities", response=list[CareActivityOut])
def activities(request, facility: int | None = None, days: int = 14):
    """Activities for seniors from now to ``days`` ahead (default 14), with the places left."""
    place = senior_facility(facility) if facility is not None else None
    return [activity_out(a) for a in services.upcoming_activities(facility=place, days=min(max(days, 1), 90))]


@router.get("/eldercare/place-types", response=list[CarePlaceTypeOut])
def place_types(request, facility: int | None = None, date: str | None = Query(None, description="YYYY-MM-DD")):
    """Care places (day care, short- and medium-term stays, cognitive-impairment care) with how many are
    taken and free on ``date`` (default today)."""
    day = parse_day(date, "date", timezone.localdate())
    types = PlaceType.objects.filter(active=True).select_related("facility")
    if facility is not None:
        types = types.filter(facility_id=facility)
    result = []
    for place_type in types:
        taken = services.occupancy(place_type, day)
        result.append({"id": place_type.pk, "facility": place_type.facility_id,
                       "facility_name": place_type.facility.name, "kind": place_type.kind,
                       "cognitive_care": place_type.cognitive_care, "capacity": place_type.capacity,
                       "taken": taken, "free": max(0, place_type.capacity - taken), "max_days": place_type.max_days})
    return result


# ---- residents ---------------------------------------------------------------------------------


@router.post("/eldercare/activities/{activity_id}/signups", response={201: CareSignupOut}, auth=django_auth)
def sign_up(request, activity_id: int, payload: CareSignupIn):
    """Sign yourself (or someone you may act for) up. Refused when the activity is full or has started,
    when already signed up, without consent, or for a resident not yet verified."""
    person = resident_or_404(payload.resident) if payload.resident is not None else None
    return Status(201, signup_out(services.sign_up(request.user, activity_id, person)))


@router.post("/eldercare/signups/{signup_id}/cancel", response=CareSignupOut, auth=django_auth)
def cancel_signup(request, signup_id: int):
    """Cancel a sign-up before the activity starts; the place becomes free."""
    return signup_out(services.cancel_signup(request.user, signup_id))


@router.get("/eldercare/my/signups", response=list[CareSignupOut], auth=django_auth)
def my_signups(request):
    """Your sign-ups and those you made for others, soonest first."""
    actor = resident_of(request.user)
    signups = ActivitySignup.objects.filter(resident=actor) | ActivitySignup.objects.filter(signed_up_by=actor)
    return [signup_out(s) for s in signups.select_related("activity").order_by("activity__start", "pk")]


@router.get("/eldercare/my/admissions", response=list[CareAdmissionOut], auth=django_auth)
def my_admissions(request):
    """Your day-care places and stays."""
    actor = resident_of(request.user)
    return [admission_out(a) for a in
            Admission.objects.filter(resident=actor).select_related("place_type__facility").order_by("start")]


@router.get("/eldercare/my/health-checks", response=list[CareHealthCheckOut], auth=django_auth)
def my_health_checks(request):
    """Your own health checks, newest first."""
    return [check_out(c) for c in services.my_health_checks(request.user)]


# ---- staff -------------------------------------------------------------------------------------


@router.post("/eldercare/staff/admissions", response={201: CareAdmissionOut}, auth=django_auth)
def admit(request, payload: CareAdmissionIn):
    """Admit a resident to a place type for a stay (first and last day inclusive). Refused when any day
    of the stay is full, the stay is longer than the type allows, the places are reserved for
    cognitive-impairment care and the resident is not assessed so, or the resident already has a place
    then. Staff of the facility only."""
    admission = services.admit(request.user, resident_or_404(payload.resident), payload.place_type, payload.start,
                               payload.end, payload.cognitive_impairment, payload.notes)
    return Status(201, admission_out(admission))


@router.post("/eldercare/staff/admissions/{admission_id}/cancel", response=CareAdmissionOut, auth=django_auth)
def cancel_admission(request, admission_id: int):
    """Cancel an admission, freeing its place on every day of the stay."""
    return admission_out(services.cancel_admission(request.user, admission_id))


@router.post("/eldercare/staff/admissions/{admission_id}/discharge", response=CareAdmissionOut, auth=django_auth)
def discharge(request, admission_id: int, payload: CareDischargeIn):
    """End a stay early: ``last_day`` becomes its last day."""
    return admission_out(services.discharge(request.user, admission_id, payload.last_day))


@router.post("/eldercare/staff/attendance", response={201: CareAttendanceOut}, auth=django_auth)
def check_in(request, payload: CareAttendanceIn):
    """Record that a resident with a place is here today (or on an earlier day of the stay)."""
    record = services.check_in(request.user, payload.admission, payload.date)
    return Status(201, {"id": record.pk, "admission": record.admission_id, "date": record.date,
                        "arrived_at": record.arrived_at})


@router.get("/eldercare/staff/occupancy", response=list[CarePlaceTypeOut], auth=django_auth)
def occupancy(request, facility: int, date: str | None = Query(None, description="YYYY-MM-DD")):
    """Places taken and free per place type of a facility on ``date`` (default today). Staff only."""
    place = senior_facility(facility)
    services.require_staff(request.user, place)
    return [{"id": row["id"], "facility": place.pk, "facility_name": place.name, "kind": row["kind"],
             "cognitive_care": row["cognitive_care"], "capacity": row["capacity"], "taken": row["taken"],
             "free": row["free"], "max_days": row["place_type"].max_days}
            for row in services.place_summary(place, parse_day(date, "date", timezone.localdate()))]


@router.post("/eldercare/staff/health-consents", response={201: CareConsentOut}, auth=django_auth)
def record_consent(request, payload: CareConsentIn):
    """Record a resident's consent to having health checks recorded (staff of a senior facility)."""
    facility = senior_facility(payload.facility) if payload.facility is not None else None
    consent = services.record_consent(request.user, resident_or_404(payload.resident), payload.evidence, facility)
    return Status(201, {"id": consent.pk, "resident": consent.resident_id, "evidence": consent.evidence,
                        "recorded_at": consent.recorded_at, "revoked_at": consent.revoked_at})


@router.post("/eldercare/staff/health-consents/{consent_id}/revoke", response=CareConsentOut, auth=django_auth)
def revoke_consent(request, consent_id: int):
    """Record that a resident withdrew their consent; no further checks can be recorded for them."""
    consent = services.revoke_consent(request.user, consent_id)
    return {"id": consent.pk, "resident": consent.resident_id, "evidence": consent.evidence,
            "recorded_at": consent.recorded_at, "revoked_at": consent.revoked_at}


@router.post("/eldercare/staff/health-checks", response={201: CareHealthCheckOut}, auth=django_auth)
def record_check(request, payload: CareHealthCheckIn):
    """Record a health check. Refused without the resident's consent on record, or with a reading
    outside the plausible range (each range is given with its field)."""
    readings = {name: getattr(payload, name) for name in HealthCheck.READINGS}
    check = services.record_check(request.user, resident_or_404(payload.resident), senior_facility(payload.facility),
                                  readings, payload.measured_at, payload.notes)
    return Status(201, check_out(check))


@router.get("/eldercare/staff/health-checks", response=list[CareHealthCheckOut], auth=django_auth)
def staff_health_checks(request, facility: int, resident: int | None = None, days: int = 14):
    """Recent health checks at a facility (optionally one resident's), newest first. Every read is logged."""
    person = resident_or_404(resident) if resident is not None else None
    checks = services.staff_health_checks(request.user, senior_facility(facility), person, min(max(days, 1), 366))
    return [check_out(c) for c in checks]


@router.get("/eldercare/staff/activities/{activity_id}/signups", response=list[CareStaffSignupOut], auth=django_auth)
def activity_signups(request, activity_id: int):
    """Who signed up for an activity. Names are whole for the facility's own staff; every read is logged."""
    return services.signups_for_staff(request.user, get_object_or_404(Activity, pk=activity_id))
