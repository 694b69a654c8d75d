"""JSON API of volunteering: the shifts open for sign-up, my hours, and checking a certificate."""
import datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from lifecircle.accounts.permissions import mask_name

from . import services
from .models import Certificate, Shift, Volunteer

router = Router(tags=["volunteers"])


class VolunteerShiftOut(Schema):
    id: int
    role: str
    role_en: str
    required_skill: str | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    free: int


class VolunteerActivityOut(Schema):
    id: int
    title: str
    title_en: str
    description: str
    place: str
    facility: str | None
    shifts: list[VolunteerShiftOut]


@router.get("/activities", response=list[VolunteerActivityOut], summary="Published activities with shifts still to come",
            description="Each shift with its capacity and the places still free. Public.")
def list_activities(request):
    now = timezone.now()
    shifts = services.with_taken(Shift.objects.filter(starts_at__gt=now, role__activity__published=True)) \
        .select_related("role__activity__facility", "role__required_skill").order_by("starts_at")
    activities = {}
    for shift in shifts:
        activity = shift.role.activity
        entry = activities.setdefault(activity.pk, {
            "id": activity.pk, "title": activity.title, "title_en": activity.title_en,
            "description": activity.description, "place": activity.place,
            "facility": activity.facility.code if activity.facility_id else None, "shifts": []})
        entry["shifts"].append({
            "id": shift.pk, "role": shift.role.name, "role_en": shift.role.name_en,
            "required_skill": shift.role.required_skill.slug if shift.role.required_skill_id else None,
            "starts_at": shift.starts_at, "ends_at": shift.ends_at, "capacity": shift.capacity,
            "free": services.free_places(shift)})
    return list(activities.values())


class VolunteerActivityHoursOut(Schema):
    activity: str
    hours: float
    first: datetime.date
    last: datetime.date


class VolunteerHoursOut(Schema):
    total_hours: float
    by_activity: list[VolunteerActivityHoursOut]


@router.get("/me/hours", response=VolunteerHoursOut, summary="My volunteer hours (log in first)",
            description="The time bank of the logged-in volunteer: total hours and hours by activity.")
def my_hours(request):
    if not request.user.is_authenticated:
        raise HttpError(401, "log in to see your hours")
    volunteer = Volunteer.objects.filter(resident__user=request.user).first()
    if volunteer is None:
        raise HttpError(404, "you are not registered as a volunteer")
    return {"total_hours": float(services.total_hours(volunteer)), "by_activity": [
        {"activity": a.title, "hours": float(h), "first": first, "last": last}
        for a, h, first, last in services.hours_by_activity(volunteer)]}


class VolunteerCertificateOut(Schema):
    code: str
    name: str
    total_hours: float
    issued_at: datetime.datetime


@router.get("/certificates/{code}", response=VolunteerCertificateOut, summary="Check a certificate of hours",
            description="Public: whether a certificate with this code was issued; the name is masked.")
def check_certificate(request, code: str):
    certificate = Certificate.objects.filter(code=code.strip().upper()).first()
    if certificate is None:
        raise HttpError(404, f"no certificate has the code '{code[:20]}'")
    return {"code": certificate.code, "name": mask_name(certificate.name),
            "total_hours": float(certificate.total_hours), "issued_at": certificate.issued_at}



