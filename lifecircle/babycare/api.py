"""JSON API of baby care: the centres and their free places (public), a family's applications,
offers, placements and absences (signed-in residents), and a centre's waiting lists and register
(its staff). Resident and staff endpoints use the Django session (sign in on the site first);
refusals come back as ``{"detail": reason}`` with 400/403/404/409."""
import datetime
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accounts.models import Child
from lifecircle.accounts.permissions import log_access

from . import services
from .models import Application, Attendance, CareProgramme

router = Router(tags=["baby care"])


class BabycareError(Schema):
    detail: str


# ---- public -----------------------------------------------------------------------------------

class BabycareAgeGroupOut(Schema):
    min_months: int
    max_months: int
    label: str
    places: int
    taken: int
    free: int
    waiting: int


class BabycarePriorityRuleOut(Schema):
    kind: str
    label: str
    points: int


class BabycareCentreOut(Schema):
    code: str
    name: str
    name_en: str
    centre_type: str
    centre_type_label: str
    address: str
    phone: str
    opening_hours: str
    offer_days: int
    accepting_applications: bool
    illustrative: bool
    free_places: int
    age_groups: list[BabycareAgeGroupOut]
    priority_rules: list[BabycarePriorityRuleOut]


def centre_out(programme):
    facility = programme.facility
    groups = [
        BabycareAgeGroupOut(min_months=g.min_months, max_months=g.max_months, label=str(g.label), places=g.places,
                    taken=g.n_taken, free=max(0, g.places - g.n_taken), waiting=g.n_waiting)
        for g in programme.age_groups.all()
    ]
    rules = [BabycarePriorityRuleOut(kind=r.kind, label=r.get_kind_display(), points=r.weight)
             for r in programme.priority_rules.all() if r.active]
    return BabycareCentreOut(
        code=facility.code, name=facility.name, name_en=facility.name_en, centre_type=programme.centre_type,
        centre_type_label=programme.get_centre_type_display(), address=facility.address, phone=facility.phone,
        opening_hours=facility.opening_hours, offer_days=programme.offer_days,
        accepting_applications=programme.accepting_applications,
        illustrative=programme.illustrative or facility.illustrative, free_places=sum(g.free for g in groups),
        age_groups=groups, priority_rules=rules,
    )


@router.get("/babycare/centres", response=list[BabycareCentreOut], summary="Baby-care centres and their free places")
def list_centres(request):
    """Every active baby-care centre (children aged 1–3, i.e. 12–36 months on the start date): its type,
    session hours (OpenStreetMap syntax), places, taken places (held by an offer or a placement), free
    places and waiting children per age group, and the priority rules of its waiting list. No personal data."""
    services.expire_offers()
    return [centre_out(p) for p in services.centres()]


# ---- residents --------------------------------------------------------------------------------

class BabycareApplyIn(Schema):
    centre: str
    child_id: int
    start_date: datetime.date
    both_parents_working: bool = False
    registered_hardship: bool = False


class BabycareOfferOut(Schema):
    made_at: datetime.datetime
    expires_at: datetime.datetime
    status: str


class BabycarePlacementOut(Schema):
    id: int
    starts_on: datetime.date
    ended_on: datetime.date | None


class BabycareApplicationOut(Schema):
    id: int
    centre: str
    centre_name: str
    child_id: int
    child_name: str
    age_group: str
    age_months_at_start: int
    start_date: datetime.date
    status: str
    status_label: str
    applied_at: datetime.datetime
    position: int | None
    priority_points: int
    priority: list[str]
    offer: BabycareOfferOut | None
    placement: BabycarePlacementOut | None
    message: str = ""


def application_out(application, message=""):
    standing = services.standing_of(application)
    offer = application.last_offer() if application.status != Application.Status.WAITING else None
    placement = getattr(application, "placement", None) if application.status in (
        Application.Status.PLACED, Application.Status.WITHDRAWN) else None
    return BabycareApplicationOut(
        id=application.pk, centre=application.programme.code, centre_name=application.programme.display_name,
        child_id=application.child_id, child_name=application.child.name, age_group=str(application.age_group.label),
        age_months_at_start=application.age_months_at_start, start_date=application.start_date,
        status=application.status, status_label=application.get_status_display(), applied_at=application.created_at,
        position=standing.position, priority_points=standing.score, priority=[str(r) for r in standing.reasons],
        offer=BabycareOfferOut(made_at=offer.made_at, expires_at=offer.expires_at, status=offer.status) if offer else None,
        placement=BabycarePlacementOut(id=placement.pk, starts_on=placement.starts_on, ended_on=placement.ended_on)
        if placement else None,
        message=message,
    )


@router.post("/babycare/applications", auth=django_auth, summary="Apply for a place",
             response={201: BabycareApplicationOut, 400: BabycareError, 403: BabycareError, 404: BabycareError, 409: BabycareError})
def apply(request, payload: BabycareApplyIn):
    """Apply for a place at a centre for a child of your household, from ``start_date``. The age group is
    chosen by the child's age on that date. If a place is free and no one is ahead in line it is offered
    at once (``status`` "offered"); otherwise the child joins the waiting list (``position``). Refused with
    a reason: not a verified resident, not your household's child, outside ages 1–3, a second active
    application for the child at the centre (409)."""
    programme = CareProgramme.objects.select_related("facility").filter(facility__code=payload.centre).first()
    if programme is None:
        raise HttpError(404, f"There is no baby-care centre with the code '{payload.centre}'; "
                             "GET /api/babycare/centres lists them.")
    child = Child.objects.filter(pk=payload.child_id).first()
    if child is None:
        raise HttpError(404, f"There is no child number {payload.child_id}.")
    outcome = services.apply(request.auth, programme, child, payload.start_date,
                             both_parents_working=payload.both_parents_working,
                             registered_hardship=payload.registered_hardship)
    return Status(201, application_out(outcome.application, outcome.message))


@router.get("/babycare/applications", auth=django_auth, response={200: list[BabycareApplicationOut], 403: BabycareError},
            summary="My household's applications")
def my_applications(request):
    """Every application for the children of your household, newest first: status, waiting-list position,
    priority points, the offer with its deadline, and the placement."""
    services.expire_offers()
    _resident, applications = services.family_applications(request.auth)
    return [application_out(a) for a in applications]


def _step(request, step, application_id):
    outcome = step(request.auth, application_id)
    return application_out(outcome.application, outcome.message)


STEP_RESPONSES = {200: BabycareApplicationOut, 400: BabycareError, 403: BabycareError, 404: BabycareError, 409: BabycareError}


@router.post("/babycare/applications/{application_id}/accept", auth=django_auth, response=STEP_RESPONSES,
             summary="Accept an offered place")
def accept(request, application_id: int):
    """Accept the open offer of a place; the child then has a placement from the start date. An offer past
    its deadline cannot be accepted (409)."""
    return _step(request, services.accept, application_id)


@router.post("/babycare/applications/{application_id}/decline", auth=django_auth, response=STEP_RESPONSES,
             summary="Decline an offered place")
def decline(request, application_id: int):
    """Decline the open offer; the place goes to the next child in line."""
    return _step(request, services.decline, application_id)


@router.post("/babycare/applications/{application_id}/withdraw", auth=django_auth, response=STEP_RESPONSES,
             summary="Withdraw an application or a place")
def withdraw(request, application_id: int):
    """Leave the waiting list, give back an offer, or end a placement. A freed place is offered at once to the
    next child in line for that age group, who is notified."""
    return _step(request, services.withdraw, application_id)


class BabycareAttendanceOut(Schema):
    placement_id: int
    date: datetime.date
    status: str
    status_label: str
    reason: str
    reason_label: str
    note: str
    reported_by_parent: bool


def attendance_out(record):
    return BabycareAttendanceOut(placement_id=record.placement_id, date=record.date, status=record.status,
                         status_label=record.get_status_display(), reason=record.reason,
                         reason_label=record.get_reason_display() if record.reason else "", note=record.note,
                         reported_by_parent=record.reported_by_parent)


class BabycareAbsenceIn(Schema):
    date: datetime.date
    reason: Literal[tuple(Attendance.Reason.values)]
    note: str = ""


@router.get("/babycare/placements/{placement_id}/attendance", auth=django_auth,
            response={200: list[BabycareAttendanceOut], 403: BabycareError, 404: BabycareError}, summary="My child's attendance")
def placement_attendance(request, placement_id: int):
    """The attendance history of a placement of your household's child, latest first."""
    placement = services.family_placement(request.auth, placement_id)
    return [attendance_out(a) for a in placement.attendance.all()]


@router.post("/babycare/placements/{placement_id}/absences", auth=django_auth,
             response={201: BabycareAttendanceOut, 400: BabycareError, 403: BabycareError, 404: BabycareError, 409: BabycareError}, summary="Report an absence")
def report_absence(request, placement_id: int, payload: BabycareAbsenceIn):
    """Tell the centre in advance that your child will not come on ``date`` (today up to 60 days ahead, a
    session day of the placement), with a reason such as ``sick``."""
    record = services.report_absence(request.auth, placement_id, payload.date, payload.reason, payload.note)
    return Status(201, attendance_out(record))


# ---- staff ------------------------------------------------------------------------------------

class BabycareWaitingOut(Schema):
    application_id: int
    position: int
    child_name: str
    age_months_at_start: int
    start_date: datetime.date
    applied_at: datetime.datetime
    priority_points: int
    priority: list[str]


class BabycareOutstandingOfferOut(Schema):
    application_id: int
    child_name: str
    made_at: datetime.datetime
    expires_at: datetime.datetime
    reminded: bool


class BabycareStaffAgeGroupOut(Schema):
    label: str
    places: int
    taken: int
    free: int
    waiting: list[BabycareWaitingOut]
    offers: list[BabycareOutstandingOfferOut]


class BabycareStaffWaitlistOut(Schema):
    centre: str
    centre_name: str
    age_groups: list[BabycareStaffAgeGroupOut]


def _purpose(request):
    return f"{request.method} {request.path}"


@router.get("/babycare/staff/centres/{code}/waitlist", auth=django_auth,
            response={200: BabycareStaffWaitlistOut, 403: BabycareError, 404: BabycareError}, summary="A centre's waiting lists and offers")
def staff_waitlist(request, code: str):
    """For staff of this centre: per age group the places, the waiting list in order (with priority
    points) and the offers awaiting an answer. Every child shown is recorded in the access log."""
    programme = services.programme_for_staff(request.auth, code)
    services.expire_offers(programme=programme)
    result = []
    for group in programme.age_groups.all():
        standings = services.waiting_list(group)
        offers = list(group.applications.filter(status=Application.Status.OFFERED).select_related("child")
                      .prefetch_related("offers"))
        for child in [s.application.child for s in standings] + [a.child for a in offers]:
            log_access(request.auth, "view", _purpose(request), child=child)
        taken = group.taken()
        result.append(BabycareStaffAgeGroupOut(
            label=str(group.label), places=group.places, taken=taken, free=max(0, group.places - taken),
            waiting=[BabycareWaitingOut(application_id=s.application.pk, position=s.position, child_name=s.application.child.name,
                                age_months_at_start=s.application.age_months_at_start,
                                start_date=s.application.start_date, applied_at=s.application.created_at,
                                priority_points=s.score, priority=[str(r) for r in s.reasons]) for s in standings],
            offers=[BabycareOutstandingOfferOut(application_id=a.pk, child_name=a.child.name, made_at=a.open_offer().made_at,
                                        expires_at=a.open_offer().expires_at,
                                        reminded=a.open_offer().reminded_at is not None) for a in offers],
        ))
    return BabycareStaffWaitlistOut(centre=programme.code, centre_name=programme.display_name, age_groups=result)


class BabycareRegisterRowOut(Schema):
    placement_id: int
    child_name: str
    age_group: str
    attendance: BabycareAttendanceOut | None


class BabycareRegisterOut(Schema):
    centre: str
    date: datetime.date
    session_day: bool
    children: list[BabycareRegisterRowOut]


class BabycareRegisterFilters(Schema):
    date: datetime.date | None = None


@router.get("/babycare/staff/centres/{code}/register", auth=django_auth,
            response={200: BabycareRegisterOut, 403: BabycareError, 404: BabycareError}, summary="A centre's attendance register")
def staff_register(request, code: str, filters: Query[BabycareRegisterFilters]):
    """For staff of this centre: every child with a place on ``date`` (default today) and their recorded
    attendance, including absences the family reported. Every child shown is recorded in the access log."""
    programme = services.programme_for_staff(request.auth, code)
    day = filters.date or timezone.localdate()
    rows = services.register(programme, day)
    for row in rows:
        log_access(request.auth, "view", _purpose(request), child=row.placement.child)
    return BabycareRegisterOut(
        centre=programme.code, date=day, session_day=programme.is_session_day(day),
        children=[BabycareRegisterRowOut(placement_id=r.placement.pk, child_name=r.placement.child.name,
                                 age_group=str(r.placement.application.age_group.label),
                                 attendance=attendance_out(r.record) if r.record else None) for r in rows],
    )


class BabycareMarkIn(Schema):
    placement_id: int
    date: datetime.date
    status: Literal[tuple(Attendance.Status.values)]
    reason: str = ""
    note: str = ""


@router.post("/babycare/staff/attendance", auth=django_auth,
             response={200: BabycareAttendanceOut, 400: BabycareError, 403: BabycareError, 404: BabycareError}, summary="Mark attendance")
def staff_mark_attendance(request, payload: BabycareMarkIn):
    """For staff of the child's centre: record that a placed child was ``present`` or ``absent`` (with a
    reason) on ``date``, today or a past session day. Marking again replaces the record."""
    record = services.mark_attendance(request.auth, payload.placement_id, payload.date, payload.status,
                                      payload.reason, payload.note)
    log_access(request.auth, "change", _purpose(request), child=record.placement.child)
    return attendance_out(record)

