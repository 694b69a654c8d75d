"""The rules of care at home, shared by the API, the pages and the staff console.

Invariants every function keeps:

* Everything is checked before anything is written, and each change runs in one transaction, so a
  refused request changes nothing (a plan whose carer lacks every skill it needs, a window outside
  every carer's shift, a home the street network cannot reach: refused whole, with the reason).
* A plan needs a verified resident with a current health-record consent (eldercare's consent, the
  one health checks need); the consent row is kept on the plan.
* Who sees what is decided in one place, the access layer (accounts/access.py), which
  :func:`visits_for` asks: residents see their own visits and those of the people who consented to
  them acting for them; staff only their provider's people; administrators all. Every read of
  another person's visits is written to the audit log.
* Rounds are travel times on the street network (:mod:`lifecircle.homecare.rounds`), never straight
  lines; a visit the solver cannot place is listed with the reason, never dropped silently.
"""
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.access import log_reads_of_others, visible
from lifecircle.accounts.models import Consent, StaffRole
from lifecircle.accounts.permissions import (
    people_for,
    require_facility_staff,
    resident_of,
    staff_facility_ids,
)
from lifecircle.community import networks
from lifecircle.eldercare.models import HealthConsent
from lifecircle.meals.models import MealOrder
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify

from . import rounds as solver
from .models import (
    SKILLED,
    CareNeed,
    CarePlan,
    Carer,
    CarerAbsence,
    CareRound,
    MEAL_MINUTES,
    MEAL_WINDOWS,
    DayPlan,
    Kind,
    MealDrop,
    Visit,
    providers,
    skill_for,
)

#: How far from a street a home may be and still be visited on the network (metres).
MAX_SNAP_M = 150.0


def _id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def seconds_of(moment):
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def time_of(seconds):
    seconds = max(0, min(int(seconds), 86399))
    return datetime.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


# ---- who sees what ---------------------------------------------------------------------------------


def visits_for(user):
    """The visits ``user`` may see: the access layer's answer (accounts/access.py, ``homecare.Visit``).

    Administrators: all. Staff: their providers' people. Residents: their own and those of the
    adults who consented to them acting for them. Anyone else (grid workers included): none.
    """
    return visible(user, Visit).select_related("plan__resident__household__compound", "plan__provider", "need",
                                               "round__carer")


def read_visits(user, visits, purpose):
    """Hand ``visits`` to ``user``, writing each read of another person's visits to the audit log."""
    visits = list(visits)
    log_reads_of_others(user, [v.plan.resident for v in visits], purpose)
    return visits


def require_provider_staff(user, provider):
    if not user.is_authenticated:
        raise PermissionDenied(_("Please sign in as staff."))
    require_facility_staff(user, provider)
    if not providers().filter(pk=provider.pk).exists():
        raise Refused(_("%(facility)s does not provide care at home.") % {"facility": provider.name})


def staff_providers(user):
    ids = staff_facility_ids(user)
    found = providers()
    return found if ids is None else found.filter(pk__in=ids)


# ---- places on the network -------------------------------------------------------------------------


def home_of(resident):
    compound = resident.household.compound
    return compound.lon, compound.lat


def graph_for(provider):
    network = getattr(provider.subdistrict, "network", None)
    if network is None:
        raise Refused(_("%(place)s has no street network yet; rounds cannot be planned.")
                      % {"place": provider.subdistrict})
    return networks.load_graph(network)


def provider_matrix(provider, homes):
    """Walking metres between ``provider`` (place 0) and ``homes`` ((lon, lat) pairs, places 1…)."""
    matrix = solver.travel_matrix(graph_for(provider), [provider.lon] + [h[0] for h in homes],
                                  [provider.lat] + [h[1] for h in homes], MAX_SNAP_M)
    if not matrix.on_network[0]:
        raise Refused(_("%(facility)s is more than %(m)s m from every street of the network.")
                      % {"facility": provider.name, "m": int(MAX_SNAP_M)})
    return matrix


def check_on_network(provider, resident):
    """Refuse a home the provider's carers cannot reach on the street network."""
    matrix = provider_matrix(provider, [home_of(resident)])
    if not matrix.on_network[1] or not matrix.metres[0, 1] < float("inf"):
        raise Refused(_("%(name)s's home is off the street network (more than %(m)s m from a street, or not "
                        "connected to %(facility)s); fix the compound's position first.")
                      % {"name": resident.name, "m": int(MAX_SNAP_M), "facility": provider.name})
    return matrix.metres[0, 1]


# ---- plans -----------------------------------------------------------------------------------------


def _clean_need(raw, carers):
    kind = raw.get("kind")
    if kind not in Kind.values:
        raise Refused(_("Unknown kind of care: %(kind)s.") % {"kind": kind})
    try:
        weekdays = sorted({int(d) for d in raw.get("weekdays", [])})
    except (TypeError, ValueError):
        weekdays = [-1]
    if not weekdays or weekdays[0] < 0 or weekdays[-1] > 6:
        raise Refused(_("Choose the weekdays (0 = Monday … 6 = Sunday) for %(kind)s.") % {"kind": Kind(kind).label})
    start, end, minutes = raw.get("window_start"), raw.get("window_end"), _id(raw.get("minutes"))
    if not isinstance(start, datetime.time) or not isinstance(end, datetime.time) or end <= start:
        raise Refused(_("The time window of %(kind)s must start before it ends.") % {"kind": Kind(kind).label})
    if not 1 <= minutes <= 480:
        raise Refused(_("A visit lasts from 1 to 480 minutes."))
    check_window(kind, start, end, minutes, carers)
    return CareNeed(kind=kind, weekdays=weekdays, window_start=start, window_end=end, minutes=minutes,
                    note=(raw.get("note") or "")[:200])


def check_window(kind, start, end, minutes, carers):
    """Refuse a window that no carer able to do ``kind`` works in."""
    able = [c for c in carers if kind not in SKILLED or kind in c.skills]
    if not able:
        raise Refused(_("No carer who may serve this plan is trained for %(kind)s.") % {"kind": Kind(kind).label})
    finish = (datetime.datetime.combine(datetime.date.min, start) + datetime.timedelta(minutes=minutes)).time()
    if not any(c.shift_start <= end and finish <= c.shift_end for c in able):
        raise Refused(_("%(kind)s between %(start)s and %(end)s lies outside every shift of the carers who may do "
                        "it.") % {"kind": Kind(kind).label, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})


def _plan_carers(provider, carer_ids):
    carers = list(Carer.objects.filter(provider=provider, active=True))
    if carer_ids:
        wanted = {_id(c) for c in carer_ids}
        chosen = [c for c in carers if c.pk in wanted]
        if len(chosen) != len(wanted):
            raise Refused(_("Only active carers of %(facility)s can serve its plans.") % {"facility": provider.name})
        return chosen, True
    if not carers:
        raise Refused(_("%(facility)s has no carers yet; add them first.") % {"facility": provider.name})
    return carers, False


def create_plan(user, resident, provider, care_level, assessed_on, needs, start, end=None, carer_ids=(),
                assessment="", illustrative=False):
    """A home care plan with its needs; refused whole if any part breaks a rule."""
    require_provider_staff(user, provider)
    if not resident.is_verified:
        raise Refused(_("Staff have not yet verified that %(name)s lives in the sub-district.")
                      % {"name": resident.name}, 403)
    consent = HealthConsent.current(resident)
    if consent is None:
        raise Refused(_("%(name)s has not consented to health records; record their consent first.")
                      % {"name": resident.name}, 403)
    if not 1 <= _id(care_level) <= 6:
        raise Refused(_("The care level is from 1 to 6."))
    if end is not None and end < start:
        raise Refused(_("The last day cannot come before the first."))
    if not needs:
        raise Refused(_("Say what is needed: at least one kind of care."))
    carers, named = _plan_carers(provider, carer_ids)
    rows = [_clean_need(raw, carers) for raw in needs]
    if named:
        skilled = {row.kind for row in rows if row.kind in SKILLED}
        for carer in carers:
            if skilled and not skilled & set(carer.skills):
                raise Refused(_("%(carer)s has none of the skills this plan needs (%(skills)s).")
                              % {"carer": carer.name, "skills": ", ".join(str(Kind(k).label) for k in sorted(skilled))})
    check_on_network(provider, resident)
    if CarePlan.objects.filter(resident=resident, provider=provider, status=CarePlan.Status.ACTIVE).exists():
        raise Conflict(_("%(name)s already has an active plan with %(facility)s.")
                       % {"name": resident.name, "facility": provider.name})
    with transaction.atomic():
        plan = CarePlan.objects.create(resident=resident, provider=provider, consent=consent,
                                       care_level=_id(care_level), assessed_on=assessed_on, assessment=assessment,
                                       start=start, end=end, created_by=user, illustrative=illustrative)
        if named:
            plan.carers.set(carers)
        for row in rows:
            row.plan = plan
        CareNeed.objects.bulk_create(rows)
    return plan


def generate_visits(user, plan, first, last):
    """Create the plan's visits from ``first`` to ``last`` (inclusive); days already generated are kept."""
    require_provider_staff(user, plan.provider)
    if last < first:
        raise Refused(_("The last day cannot come before the first."))
    if (last - first).days > 92:
        raise Refused(_("Generate at most three months of visits at a time."))
    first, last = max(first, plan.start), min(last, plan.end or last)
    made = []
    with transaction.atomic():
        needs = list(plan.needs.all())
        have = set(Visit.objects.filter(plan=plan, date__range=(first, last)).values_list("need_id", "date"))
        day = first
        while day <= last:
            for need in needs:
                if day.weekday() in need.weekdays and (need.pk, day) not in have:
                    made.append(Visit(plan=plan, need=need, date=day, window_start=need.window_start,
                                      window_end=need.window_end, minutes=need.minutes))
            day += datetime.timedelta(days=1)
        Visit.objects.bulk_create(made)
    return len(made)


def _visit_for_staff(user, visit_id):
    visit = visits_for(user).filter(pk=_id(visit_id)).first()
    if visit is None:
        raise NotFound(_("There is no such visit."))
    require_provider_staff(user, visit.plan.provider)
    return visit


def move_visit(user, visit_id, date, window_start=None, window_end=None, reason=""):
    visit = _visit_for_staff(user, visit_id)
    if visit.status != Visit.Status.PLANNED:
        raise Conflict(_("Only a planned visit can be moved."))
    start, end = window_start or visit.window_start, window_end or visit.window_end
    if end <= start:
        raise Refused(_("The time window must start before it ends."))
    carers = list(visit.plan.carers.filter(active=True)) or list(Carer.objects.filter(provider=visit.plan.provider,
                                                                                        active=True))
    check_window(visit.need.kind, start, end, visit.minutes, carers)
    if date < timezone.localdate():
        raise Refused(_("A visit cannot be moved into the past."))
    if Visit.objects.filter(need=visit.need, date=date).exclude(pk=visit.pk).exists():
        raise Conflict(_("This visit already happens on %(day)s.") % {"day": date})
    with transaction.atomic():
        visit.date, visit.window_start, visit.window_end = date, start, end
        visit.change_reason, visit.round, visit.sequence, visit.expected_at = reason[:200], None, None, None
        visit.save()
    return visit


def cancel_visits(user, plan, first, last, reason):
    """Cancel the plan's planned visits from ``first`` to ``last`` (in hospital, away); returns how many."""
    require_provider_staff(user, plan.provider)
    if not (reason or "").strip():
        raise Refused(_("Say why the visits are cancelled (e.g. in hospital)."))
    if last < first:
        raise Refused(_("The last day cannot come before the first."))
    with transaction.atomic():
        return Visit.objects.filter(plan=plan, date__range=(first, last), status=Visit.Status.PLANNED).update(
            status=Visit.Status.CANCELLED, change_reason=reason.strip()[:200], round=None, sequence=None,
            expected_at=None)


# ---- at the door -----------------------------------------------------------------------------------


def record_visit(user, visit_id, arrived_at, left_at, done, observations="", follow_up=""):
    """What happened at the door; a follow-up flag tells the grid worker and/or the family."""
    visit = _visit_for_staff(user, visit_id)
    if visit.status == Visit.Status.CANCELLED:
        raise Conflict(_("This visit was cancelled."))
    if visit.status == Visit.Status.DONE:
        raise Conflict(_("This visit is already recorded."))
    if follow_up not in Visit.FollowUp.values:
        raise Refused(_("Ask for follow-up from the grid worker, the family or both."))
    if arrived_at is None or left_at is None or left_at <= arrived_at:
        raise Refused(_("Record when you arrived and when you left (leaving after arriving)."))
    if timezone.localtime(arrived_at).date() != visit.date:
        raise Refused(_("The arrival must be on the day of the visit (%(day)s).") % {"day": visit.date})
    if left_at > timezone.now() + datetime.timedelta(minutes=5):
        raise Refused(_("A visit cannot be recorded for a time still to come."))
    if not (done or "").strip():
        raise Refused(_("Say what was done."))
    with transaction.atomic():
        visit.arrived_at, visit.left_at, visit.done = arrived_at, left_at, done.strip()
        visit.observations, visit.follow_up, visit.recorded_by = observations.strip(), follow_up, user
        visit.status = Visit.Status.DONE
        visit.save()
        if follow_up:
            _ask_follow_up(visit)
    return visit


def _ask_follow_up(visit):
    person = visit.plan.resident
    subject = _("Follow-up asked after a home visit")
    body = _("%(name)s: %(observations)s (home visit of %(day)s, %(facility)s)") % {
        "name": person.name, "observations": visit.observations or visit.done, "day": visit.date,
        "facility": visit.plan.provider.name}
    users = []
    if visit.follow_up in (Visit.FollowUp.GRID, Visit.FollowUp.BOTH):
        grid = person.household.compound.grid_id
        users += [r.user for r in StaffRole.objects.filter(role=StaffRole.Role.GRID_WORKER, grid_id=grid)
                  .select_related("user")] if grid else []
    if visit.follow_up in (Visit.FollowUp.FAMILY, Visit.FollowUp.BOTH):
        users += [c.proxy.user for c in Consent.objects.filter(principal=person, revoked_at__isnull=True)
                  .select_related("proxy__user")]
    for user in {u.pk: u for u in users if u is not None}.values():
        notify(user, Notification.Kind.INFORMATION, subject, body, reverse("homecare:schedule"))
    return len(users)


# ---- rounds ----------------------------------------------------------------------------------------


REASONS = {
    solver.OFF_NETWORK: lambda: _("the home is off the street network"),
    solver.NO_SKILL: lambda: _("no carer at work today has the skill"),
    solver.OUTSIDE_SHIFTS: lambda: _("its time window lies outside every shift of today's carers"),
    solver.UNREACHABLE: lambda: _("no carer can walk there within its time window"),
    solver.NO_TIME: lambda: _("no capable carer has time left in their shift within its window"),
}


def reason_text(code):
    return str(REASONS[code]()) if code in REASONS else code


def working_carers(provider, day):
    off = CarerAbsence.objects.filter(date=day).values_list("carer_id", flat=True)
    return list(Carer.objects.filter(provider=provider, active=True).exclude(pk__in=off).order_by("pk"))


def plan_day(user, provider, day):
    """Assign the provider's visits of ``day`` to its carers and order each round; replaces earlier rounds."""
    require_provider_staff(user, provider)
    carers = working_carers(provider, day)
    visits = list(Visit.objects.filter(plan__provider=provider, date=day, status__in=[Visit.Status.PLANNED])
                  .select_related("plan__resident__household__compound", "need").prefetch_related("plan__carers"))
    orders = meal_deliveries(provider, day)
    if not visits and not orders:
        raise Refused(_("%(facility)s has no visits to plan on %(day)s.") % {"facility": provider.name, "day": day})
    if not carers:
        raise Refused(_("No carer of %(facility)s is at work on %(day)s.") % {"facility": provider.name, "day": day})
    homes = sorted({home_of(v.plan.resident) for v in visits} | {home_of(o.resident) for o in orders})
    place = {home: i + 1 for i, home in enumerate(homes)}
    matrix = provider_matrix(provider, homes)
    named = {}
    stops = []
    for visit in visits:
        allowed = list(visit.plan.carers.all())
        skills = skill_for(visit.need.kind)
        if allowed:
            skills.add(f"plan:{visit.plan_id}")
            for carer in allowed:
                named.setdefault(carer.pk, set()).add(f"plan:{visit.plan_id}")
        stops.append(solver.Stop(visit.pk, place[home_of(visit.plan.resident)],
                                 (seconds_of(visit.window_start), seconds_of(visit.window_end)), visit.minutes * 60,
                                 frozenset(skills)))
    for order in orders:
        start, end = MEAL_WINDOWS[order.menu.meal]
        stops.append(solver.Stop(("meal", order.pk), place[home_of(order.resident)],
                                 (seconds_of(start), seconds_of(end)), MEAL_MINUTES * 60))
    team = [solver.Carer(c.pk, (seconds_of(c.shift_start), seconds_of(c.shift_end)),
                         frozenset(set(c.skills) | named.get(c.pk, set())), c.profile) for c in carers]
    solution = solver.solve(matrix, stops, team, timeout_s=solver.TIMEOUT_S)
    by_pk = {v.pk: v for v in visits}
    with transaction.atomic():
        DayPlan.objects.filter(provider=provider, date=day).delete()  # its rounds go with it
        Visit.objects.filter(pk__in=list(by_pk)).update(round=None, sequence=None, expected_at=None)
        dayplan = DayPlan.objects.create(
            provider=provider, date=day, planned_by=user, solve_seconds=round(solution.solve_s, 3),
            unassigned=[{"meal_order": key[1], "reason": code} if isinstance(key, tuple) else
                        {"visit": key, "reason": code} for key, code in sorted(solution.unassigned.items(), key=str)])
        carer_by_pk = {c.pk: c for c in carers}
        for found in solution.rounds:
            care_round = CareRound.objects.create(
                day=dayplan, carer=carer_by_pk[found.carer], leaves=time_of(found.start_s),
                returns=time_of(found.end_s), walk_seconds=found.walk_s, walk_metres=round(found.walk_m, 1))
            for number, stop in enumerate(found.stops, 1):
                if isinstance(stop.key, tuple):
                    MealDrop.objects.create(round=care_round, order_id=stop.key[1], sequence=number,
                                            expected_at=time_of(stop.start_s))
                    continue
                visit = by_pk[stop.key]
                visit.round, visit.sequence, visit.expected_at = care_round, number, time_of(stop.start_s)
                visit.save(update_fields=["round", "sequence", "expected_at"])
    return dayplan


def meal_deliveries(provider, day):
    """The meals ordered for home delivery from ``provider`` (a canteen that also cares at home) on ``day``."""
    return list(MealOrder.objects.filter(menu__facility=provider, menu__date=day, status=MealOrder.Status.PLACED,
                                         fulfilment=MealOrder.Fulfilment.DELIVERY)
                .select_related("resident__household__compound", "menu", "item"))


def carer_off(user, carer_id, day, reason=""):
    """Record that a carer cannot work on ``day`` and, if that day's rounds exist, plan them again."""
    carer = Carer.objects.select_related("provider").filter(pk=_id(carer_id)).first()
    if carer is None:
        raise NotFound(_("There is no such carer."))
    require_provider_staff(user, carer.provider)
    if day < timezone.localdate():
        raise Refused(_("An absence cannot be recorded for a day already past."))
    with transaction.atomic():
        _absence, created = CarerAbsence.objects.get_or_create(carer=carer, date=day, defaults={
            "reason": reason[:200], "recorded_by": user})
        if not created:
            raise Refused(_("%(carer)s is already recorded as off on %(day)s.") % {"carer": carer.name, "day": day},
                          409)
        if DayPlan.objects.filter(provider=carer.provider, date=day).exists():
            return plan_day(user, carer.provider, day)
    return None


def day_view(user, provider, day):
    """The provider's rounds of ``day`` for its staff: each round's visits in order, and what is unassigned."""
    require_provider_staff(user, provider)
    dayplan = DayPlan.objects.filter(provider=provider, date=day).first()
    visits = read_visits(user, visits_for(user).filter(plan__provider=provider, date=day)
                         .exclude(status=Visit.Status.CANCELLED), f"homecare rounds {provider.code} {day}")
    by_pk = {v.pk: v for v in visits}
    rounds = []
    if dayplan is not None:
        for care_round in dayplan.rounds.select_related("carer"):
            stops = sorted((v for v in visits if v.round_id == care_round.pk), key=lambda v: v.sequence)
            rounds.append({"round": care_round, "visits": stops, "meals": list(
                care_round.meal_drops.select_related("order__resident", "order__menu"))})
    rows = dayplan.unassigned if dayplan else []
    unassigned = [{"visit": by_pk[row["visit"]], "reason": reason_text(row["reason"])}
                  for row in rows if row.get("visit") in by_pk]
    orders = {o.pk: o for o in MealOrder.objects.filter(pk__in=[r["meal_order"] for r in rows if "meal_order" in r])
              .select_related("resident", "menu")}
    log_reads_of_others(user, [o.resident for o in orders.values()], f"homecare rounds {provider.code} {day}")
    unassigned_meals = [{"order": orders[row["meal_order"]], "reason": reason_text(row["reason"])}
                        for row in rows if row.get("meal_order") in orders]
    waiting = [v for v in visits if dayplan is None or (v.round_id is None and v.status == Visit.Status.PLANNED
                                                         and v.pk not in {r["visit"].pk for r in unassigned})]
    return {"dayplan": dayplan, "rounds": rounds, "unassigned": unassigned, "unplanned": waiting,
            "unassigned_meals": unassigned_meals}


def round_for(user, round_id):
    care_round = CareRound.objects.select_related("carer", "day__provider").filter(pk=_id(round_id)).first()
    if care_round is None:
        raise NotFound(_("There is no such round."))
    require_provider_staff(user, care_round.day.provider)
    visits = read_visits(user, visits_for(user).filter(round=care_round).order_by("sequence"),
                         f"homecare round {care_round.pk}")
    drops = list(care_round.meal_drops.select_related("order__resident__household__compound", "order__item",
                                                      "order__menu"))
    log_reads_of_others(user, [d.order.resident for d in drops], f"homecare round {care_round.pk}")
    return care_round, visits, drops


def schedule_of(user, days=14):
    """The signed-in resident's visits (and those of the people they act for), from today on."""
    adults, _children = people_for(resident_of(user))
    today = timezone.localdate()
    return read_visits(user, visits_for(user).filter(plan__resident__in=[p.pk for p in adults]).filter(date__range=(today - datetime.timedelta(days=days),
                                                                  today + datetime.timedelta(days=days))),
                       "homecare schedule")


# ---- planning --------------------------------------------------------------------------------------


def provider_reach(user, provider):
    """Walking minutes from ``provider`` to each client with an active plan, and the days' travel hours.

    Clients whose home is off the network are counted, not hidden.
    """
    require_provider_staff(user, provider)
    plans = list(CarePlan.objects.filter(provider=provider, status=CarePlan.Status.ACTIVE)
                 .select_related("resident__household__compound"))
    minutes, off = [], 0
    if plans:
        homes = [home_of(p.resident) for p in plans]
        matrix = provider_matrix(provider, homes)
        for i in range(1, len(homes) + 1):
            if matrix.on_network[i] and matrix.metres[0, i] < float("inf"):
                minutes.append(matrix.metres[0, i] / solver.SPEEDS["walk"] / 60)
            else:
                off += 1
    days = []
    for dayplan in DayPlan.objects.filter(provider=provider).order_by("-date")[:14]:
        care_rounds = list(dayplan.rounds.all())
        days.append({"date": dayplan.date, "rounds": len(care_rounds),
                     "travel_hours": sum(r.walk_seconds for r in care_rounds) / 3600,
                     "shift_hours": sum((datetime.datetime.combine(dayplan.date, r.returns)
                                         - datetime.datetime.combine(dayplan.date, r.leaves)).seconds
                                        for r in care_rounds) / 3600})
    for row in days:
        row["share"] = row["travel_hours"] / row["shift_hours"] if row["shift_hours"] else 0
    return {"provider": provider, "clients": len(plans), "off_network": off,
            "mean_minutes": sum(minutes) / len(minutes) if minutes else None,
            "max_minutes": max(minutes) if minutes else None, "days": days}
