"""JSON API of care at home: plans and their visits, a provider's day of rounds (plan, re-plan when
a carer is off), recording a visit at the door, and the resident's own schedule."""
import datetime

from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accounts.models import Resident

from . import services
from .models import CarePlan, providers

router = Router(tags=["homecare"])


def provider_or_404(provider_id):
    provider = providers().filter(pk=provider_id).first()
    if provider is None:
        raise HttpError(404, f"no home care provider has id {provider_id}")
    return provider


class NeedIn(Schema):
    kind: str
    weekdays: list[int]
    window_start: datetime.time
    window_end: datetime.time
    minutes: int
    note: str = ""


class PlanIn(Schema):
    resident: int
    provider: int
    care_level: int
    assessed_on: datetime.date
    start: datetime.date
    end: datetime.date | None = None
    assessment: str = ""
    carers: list[int] = []
    needs: list[NeedIn]


class PlanOut(Schema):
    id: int
    resident: int
    provider: int
    care_level: int
    start: datetime.date
    end: datetime.date | None


class VisitOut(Schema):
    id: int
    plan: int
    kind: str
    date: datetime.date
    window_start: datetime.time
    window_end: datetime.time
    minutes: int
    status: str
    change_reason: str
    carer: str | None
    sequence: int | None
    expected_at: datetime.time | None
    arrived_at: datetime.datetime | None
    left_at: datetime.datetime | None
    done: str
    observations: str
    follow_up: str


def visit_out(visit):
    return {"id": visit.pk, "plan": visit.plan_id, "kind": visit.need.kind, "date": visit.date,
            "window_start": visit.window_start, "window_end": visit.window_end, "minutes": visit.minutes,
            "status": visit.status, "change_reason": visit.change_reason,
            "carer": visit.round.carer.name if visit.round_id else None, "sequence": visit.sequence,
            "expected_at": visit.expected_at, "arrived_at": visit.arrived_at, "left_at": visit.left_at,
            "done": visit.done, "observations": visit.observations, "follow_up": visit.follow_up}


class RoundOut(Schema):
    carer: str
    leaves: datetime.time
    returns: datetime.time
    travel_seconds: int
    travel_metres: float
    visits: list[VisitOut]


class UnassignedOut(Schema):
    visit: int
    reason: str


class DayOut(Schema):
    date: datetime.date
    solve_seconds: float | None
    rounds: list[RoundOut]
    unassigned: list[UnassignedOut]


def day_out(user, provider, day):
    data = services.day_view(user, provider, day)
    return {"date": day, "solve_seconds": data["dayplan"].solve_seconds if data["dayplan"] else None,
            "rounds": [{"carer": r["round"].carer.name, "leaves": r["round"].leaves, "returns": r["round"].returns,
                        "travel_seconds": r["round"].walk_seconds, "travel_metres": r["round"].walk_metres,
                        "visits": [visit_out(v) for v in r["visits"]]} for r in data["rounds"]],
            "unassigned": [{"visit": row["visit"].pk, "reason": row["reason"]} for row in data["unassigned"]]}


@router.post("/plans", response={201: PlanOut}, auth=django_auth)
def create_plan(request, payload: PlanIn):
    resident = Resident.objects.filter(pk=payload.resident).first()
    if resident is None:
        raise HttpError(404, "there is no such resident")
    plan = services.create_plan(request.user, resident, provider_or_404(payload.provider), payload.care_level,
                                payload.assessed_on, [n.dict() for n in payload.needs], payload.start, payload.end,
                                payload.carers, payload.assessment)
    return Status(201, {"id": plan.pk, "resident": plan.resident_id, "provider": plan.provider_id,
                        "care_level": plan.care_level, "start": plan.start, "end": plan.end})


class RangeIn(Schema):
    first: datetime.date
    last: datetime.date
    reason: str = ""


def plan_or_404(plan_id):
    plan = CarePlan.objects.select_related("provider").filter(pk=plan_id).first()
    if plan is None:
        raise HttpError(404, "there is no such plan")
    return plan


@router.post("/plans/{plan_id}/visits", response={201: dict}, auth=django_auth)
def generate(request, plan_id: int, payload: RangeIn):
    made = services.generate_visits(request.user, plan_or_404(plan_id), payload.first, payload.last)
    return Status(201, {"created": made})


@router.post("/plans/{plan_id}/cancel-visits", response=dict, auth=django_auth)
def cancel(request, plan_id: int, payload: RangeIn):
    return {"cancelled": services.cancel_visits(request.user, plan_or_404(plan_id), payload.first, payload.last,
                                                payload.reason)}


@router.get("/providers/{provider_id}/days/{day}", response=DayOut, auth=django_auth)
def day(request, provider_id: int, day: datetime.date):
    return day_out(request.user, provider_or_404(provider_id), day)


@router.post("/providers/{provider_id}/days/{day}/plan", response=DayOut, auth=django_auth)
def plan_day(request, provider_id: int, day: datetime.date):
    provider = provider_or_404(provider_id)
    services.plan_day(request.user, provider, day)
    return day_out(request.user, provider, day)


class NewSiteOut(Schema):
    provider: int
    clients: int
    off_network: int
    street: str | None = None
    near: str | None = None
    lon: float | None = None
    lat: float | None = None
    minutes_now: float | None = None
    minutes_with_site: float | None = None
    minutes_saved: float | None = None
    clients_nearer: int = 0


@router.get("/providers/{provider_id}/new-site", response=NewSiteOut, auth=django_auth)
def new_site(request, provider_id: int):
    """Where one more site would cut the provider's walking to its clients most (the workbench's
    p-median siting on the walking network), and the minutes of walking a day it would save; the
    site's fields are null while the provider has no client on the network."""
    provider = provider_or_404(provider_id)
    found = services.new_site_saving(request.user, provider)
    if found is None:
        return {"provider": provider.pk, "clients": 0, "off_network": 0}
    return {**found, "provider": provider.pk}


class AbsenceIn(Schema):
    date: datetime.date
    reason: str = ""


@router.post("/carers/{carer_id}/absences", response={201: dict}, auth=django_auth)
def carer_off(request, carer_id: int, payload: AbsenceIn):
    dayplan = services.carer_off(request.user, carer_id, payload.date, payload.reason)
    return Status(201, {"replanned": dayplan is not None})


class RecordIn(Schema):
    arrived_at: datetime.datetime
    left_at: datetime.datetime
    done: str
    observations: str = ""
    follow_up: str = ""


@router.post("/visits/{visit_id}/record", response=VisitOut, auth=django_auth)
def record(request, visit_id: int, payload: RecordIn):
    return visit_out(services.record_visit(request.user, visit_id, payload.arrived_at, payload.left_at,
                                           payload.done, payload.observations, payload.follow_up))


@router.get("/my/visits", response=list[VisitOut], auth=django_auth)
def my_visits(request):
    return [visit_out(v) for v in services.schedule_of(request.user)]


class MoveIn(Schema):
    date: datetime.date
    window_start: datetime.time | None = None
    window_end: datetime.time | None = None
    reason: str = ""


@router.post("/visits/{visit_id}/move", response=VisitOut, auth=django_auth)
def move(request, visit_id: int, payload: MoveIn):
    return visit_out(services.move_visit(request.user, visit_id, payload.date, payload.window_start,
                                         payload.window_end, payload.reason))
