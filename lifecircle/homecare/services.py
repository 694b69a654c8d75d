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
import unicodedata

import numpy as np
import shapely
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lifecircle.accounts.access import log_read, log_reads_of_others, visible
from lifecircle.accounts.models import Consent, StaffRole
from lifecircle.accounts.permissions import (
    people_for,
    require_facility_staff,
    resident_of,
    staff_facility_ids,
)
from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.geo import siting as engine
from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.snapping import snap_points, street_names
from lifecircle.geography import polygon_from_geojson
from lifecircle.eldercare.models import HealthConsent
from lifecircle.meals.models import MealOrder
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify_in_languages

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


def plain(text):
    """``text`` without control characters and unpaired surrogates (which no page or JSON client
    can show), stripped."""
    return "".join(ch for ch in (text or "") if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()


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
    plan = visit.plan
    if date < plan.start or (plan.end is not None and date > plan.end) or \
            date > timezone.localdate() + datetime.timedelta(days=92):
        raise Refused(_("A visit can be moved within its plan's days (from %(start)s) and at most three months "
                        "ahead.") % {"start": plan.start})
    if Visit.objects.filter(need=visit.need, date=date).exclude(pk=visit.pk).exists():
        raise Conflict(_("This visit already happens on %(day)s.") % {"day": date})
    with transaction.atomic():
        visit.date, visit.window_start, visit.window_end = date, start, end
        visit.change_reason, visit.round, visit.sequence, visit.expected_at = plain(reason)[:200], None, None, None
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
            status=Visit.Status.CANCELLED, change_reason=plain(reason)[:200], round=None, sequence=None,
            expected_at=None)


# ---- at the door -----------------------------------------------------------------------------------


def record_visit(user, visit_id, arrived_at, left_at, done, observations="", follow_up=""):
    """What happened at the door; a follow-up flag tells the grid worker and/or the family.

    A flag nobody can receive (no grid worker for the home's grid, nobody acting for the resident)
    is refused with the reason, so a request for follow-up is never recorded and then lost.
    """
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
    told = follow_up_recipients(visit.plan.resident, follow_up) if follow_up else []
    with transaction.atomic():
        visit.arrived_at, visit.left_at, visit.done = arrived_at, left_at, done.strip()
        visit.observations, visit.follow_up, visit.recorded_by = observations.strip(), follow_up, user
        visit.status = Visit.Status.DONE
        visit.save()
        if told:
            _ask_follow_up(user, visit, told)
    return visit


def follow_up_recipients(person, follow_up):
    """The accounts a follow-up flag reaches: the grid worker(s) of the person's grid, the adults
    acting for them with a current consent, or both; refused when the chosen side has nobody."""
    grid_workers, family = [], []
    if follow_up in (Visit.FollowUp.GRID, Visit.FollowUp.BOTH):
        grid = person.household.compound.grid_id
        grid_workers = [r.user for r in StaffRole.objects.filter(role=StaffRole.Role.GRID_WORKER, grid_id=grid)
                        .select_related("user")] if grid else []
        if not grid_workers:
            raise Refused(_("No grid worker looks after %(name)s's grid; ask the family instead, or call the "
                            "neighbourhood committee.") % {"name": person.name})
    if follow_up in (Visit.FollowUp.FAMILY, Visit.FollowUp.BOTH):
        family = [c.proxy.user for c in Consent.objects.filter(principal=person, revoked_at__isnull=True)
                  .select_related("proxy__user") if c.proxy.user_id]
        if not family:
            raise Refused(_("Nobody acts for %(name)s with their consent; ask the grid worker instead.")
                          % {"name": person.name})
    return list({u.pk: u for u in grid_workers + family}.values())


def _ask_follow_up(user, visit, recipients):
    """Notify each recipient (in their language) and audit the disclosure: the observations are
    health data leaving the provider, so who sent them to whom is written to the access log."""
    person = visit.plan.resident

    def render():
        return (_("Follow-up asked after a home visit"),
                _("%(name)s: %(observations)s (home visit of %(day)s, %(facility)s)") % {
                    "name": person.name, "observations": visit.observations or visit.done, "day": visit.date,
                    "facility": visit.plan.provider.name})

    for recipient in recipients:
        notify_in_languages(recipient, Notification.Kind.INFORMATION, render, reverse("homecare:schedule"))
    accounts = ", ".join(f"#{pk}" for pk in sorted(r.pk for r in recipients))
    log_read(user, visit, f"follow-up ({visit.follow_up}) sent to accounts {accounts}", action="follow-up")
    return len(recipients)


# ---- rounds ----------------------------------------------------------------------------------------


#: A visit of today whose window closed before the day was re-planned (not a solver's code).
WINDOW_PASSED = "window_passed"

REASONS = {
    WINDOW_PASSED: lambda: _("its time window closed before the rounds were planned again"),
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
    """Assign the provider's visits of ``day`` to its carers and order each round.

    The first plan of a day, and any plan of a day still to come, is made afresh for the whole
    day. Re-planning today (a carer off sick at noon) starts from where each carer is now: what has
    been done stays on its round in its order -- recorded visits always, and on the rounds of
    carers still at work the visits and meals whose expected time has passed (the carer is there or
    has been) -- and everything else is planned again, each carer setting off from the last home on
    their round once free there (not before now), back at the provider by the end of their shift.
    A visit whose window closed before the re-plan is listed with that reason. A day already past
    cannot be planned again.
    """
    require_provider_staff(user, provider)
    today = timezone.localdate()
    if day < today:
        raise Refused(_("%(day)s is past; the rounds of a day already past cannot be planned again.")
                      % {"day": day})
    carers = working_carers(provider, day)
    dayplan = DayPlan.objects.filter(provider=provider, date=day).first()
    now_s = seconds_of(timezone.localtime()) if day == today and dayplan is not None else None
    visits = list(Visit.objects.filter(plan__provider=provider, date=day)
                  .exclude(status=Visit.Status.CANCELLED)
                  .select_related("plan__resident__household__compound", "need").prefetch_related("plan__carers"))
    orders = meal_deliveries(provider, day)
    if not any(v.status == Visit.Status.PLANNED for v in visits) and not orders:
        raise Refused(_("%(facility)s has no visits to plan on %(day)s.") % {"facility": provider.name, "day": day})
    if not carers and dayplan is None:
        raise Refused(_("No carer of %(facility)s is at work on %(day)s.") % {"facility": provider.name, "day": day})
    kept = _kept_stops(dayplan, visits, now_s, {c.pk for c in carers})
    kept_visits = {stop.visit.pk for stops in kept.values() for stop in stops if stop.visit}
    kept_drops = {stop.drop.pk for stops in kept.values() for stop in stops if stop.drop}
    kept_orders = {stop.drop.order_id for stops in kept.values() for stop in stops if stop.drop}
    pool = [v for v in visits if v.status == Visit.Status.PLANNED and v.pk not in kept_visits]
    orders = [o for o in orders if o.pk not in kept_orders]
    homes = sorted({home_of(v.plan.resident) for v in pool} | {home_of(o.resident) for o in orders}
                   | {stop.home for stops in kept.values() for stop in stops})
    place = {home: i + 1 for i, home in enumerate(homes)}
    matrix = provider_matrix(provider, homes)
    named, stops, passed = {}, [], {}
    for visit in pool:
        if now_s is not None and seconds_of(visit.window_end) < now_s:
            passed[visit.pk] = WINDOW_PASSED
            continue
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
        if now_s is not None and seconds_of(end) < now_s:
            passed[("meal", order.pk)] = WINDOW_PASSED
            continue
        stops.append(solver.Stop(("meal", order.pk), place[home_of(order.resident)],
                                 (seconds_of(start), seconds_of(end)), MEAL_MINUTES * 60))
    team = []
    for c in carers:
        mine = kept.get(c.pk, [])
        free = max(seconds_of(c.shift_start), now_s or 0, mine[-1].end_s if mine else 0)
        if free < seconds_of(c.shift_end):  # a carer whose shift is over takes nothing more
            team.append(solver.Carer(c.pk, (free, seconds_of(c.shift_end)),
                                     frozenset(set(c.skills) | named.get(c.pk, set())), c.profile,
                                     place[mine[-1].home] if mine else 0))
    solution = solver.solve(matrix, stops, team, timeout_s=solver.TIMEOUT_S)
    unassigned = {**passed, **solution.unassigned}
    by_pk = {v.pk: v for v in pool}
    with transaction.atomic():
        if dayplan is None:
            dayplan = DayPlan(provider=provider, date=day)
        dayplan.planned_by, dayplan.solve_seconds = user, round(solution.solve_s, 3)
        dayplan.unassigned = [{"meal_order": key[1], "reason": code} if isinstance(key, tuple) else
                              {"visit": key, "reason": code} for key, code in sorted(unassigned.items(), key=str)]
        dayplan.save()
        Visit.objects.filter(plan__provider=provider, date=day).exclude(pk__in=kept_visits).update(
            round=None, sequence=None, expected_at=None)
        MealDrop.objects.filter(round__day=dayplan).exclude(pk__in=kept_drops).delete()
        old_rounds = {r.carer_id: r for r in dayplan.rounds.all()}
        carer_by_pk = {c.pk: c for c in Carer.objects.filter(provider=provider)}
        found_by_carer = {r.carer: r for r in solution.rounds}
        for carer_pk in sorted(set(kept) | set(found_by_carer)):
            carer, found, mine = carer_by_pk[carer_pk], found_by_carer.get(carer_pk), kept.get(carer_pk, [])
            care_round = old_rounds.pop(carer_pk, None) or CareRound(day=dayplan, carer=carer)
            # The part already walked, on the network: provider -> each kept home in order.
            walk_m, previous = 0.0, 0
            for number, stop in enumerate(mine, 1):
                walk_m += float(matrix.metres[previous, place[stop.home]])
                previous = place[stop.home]
                stop.renumber(number)
            if found is not None:
                walk_m += found.walk_m
                care_round.leaves = care_round.leaves if mine else time_of(found.start_s)
                care_round.returns = time_of(found.end_s)
            else:
                back = float(matrix.metres[previous, 0])
                walk_m += back
                care_round.returns = time_of(mine[-1].end_s + int(solver.seconds(np.array(back), carer.profile)))
            care_round.walk_metres = round(walk_m, 1)
            care_round.walk_seconds = int(solver.seconds(np.array(walk_m), carer.profile))
            care_round.save()
            for number, stop in enumerate(found.stops if found else [], len(mine) + 1):
                if isinstance(stop.key, tuple):
                    MealDrop.objects.create(round=care_round, order_id=stop.key[1], sequence=number,
                                            expected_at=time_of(stop.start_s))
                    continue
                visit = by_pk[stop.key]
                visit.round, visit.sequence, visit.expected_at = care_round, number, time_of(stop.start_s)
                visit.save(update_fields=["round", "sequence", "expected_at"])
        for empty in old_rounds.values():
            empty.delete()
    return dayplan


class _Kept:
    """A stop that stays on its round when today is re-planned: where, and when the carer is free."""

    def __init__(self, home, end_s, visit=None, drop=None):
        self.home, self.end_s, self.visit, self.drop = home, end_s, visit, drop

    def renumber(self, number):
        row = self.visit or self.drop
        if row.sequence != number:
            row.sequence = number
            row.save(update_fields=["sequence"])


def _kept_stops(dayplan, visits, now_s, at_work):
    """``{carer pk: [kept stops in order]}`` for a re-plan of today (see :func:`plan_day`)."""
    if dayplan is None:
        return {}
    by_round = {}
    for visit in visits:
        if visit.round_id is None:
            continue
        expected = seconds_of(visit.expected_at) if visit.expected_at else None
        if visit.status == Visit.Status.DONE:
            end = seconds_of(timezone.localtime(visit.left_at)) if visit.left_at else expected + visit.minutes * 60
        elif now_s is not None and expected is not None and expected <= now_s:
            end = expected + visit.minutes * 60
        else:
            continue
        by_round.setdefault(visit.round_id, []).append((visit.sequence or 0, _Kept(home_of(visit.plan.resident), end,
                                                                                    visit=visit)))
    if now_s is not None:
        for drop in MealDrop.objects.filter(round__day=dayplan).select_related("order__resident__household__compound"):
            if seconds_of(drop.expected_at) <= now_s:
                by_round.setdefault(drop.round_id, []).append(
                    (drop.sequence, _Kept(home_of(drop.order.resident), seconds_of(drop.expected_at) + MEAL_MINUTES * 60,
                                          drop=drop)))
    kept = {}
    for care_round in dayplan.rounds.all():
        rows = sorted(by_round.get(care_round.pk, []), key=lambda row: row[0])
        if care_round.carer_id not in at_work:
            # Off sick: only what is recorded (or a meal handed over before now) stays with them.
            rows = [row for row in rows if row[1].drop is not None or row[1].visit.status == Visit.Status.DONE]
        if rows:
            kept[care_round.carer_id] = [row[1] for row in rows]
    return kept


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
        # Re-plan only a day already planned that still has something to plan (a refusal here
        # would undo the absence itself).
        if DayPlan.objects.filter(provider=carer.provider, date=day).exists() and (
                Visit.objects.filter(plan__provider=carer.provider, date=day, status=Visit.Status.PLANNED).exists()
                or meal_deliveries(carer.provider, day)):
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


def new_site_saving(user, provider):
    """Where one more site of ``provider`` would cut its carers' walking most, and by how much a day.

    The workbench's siting model, the p-median (:mod:`lifecircle.geo.siting`; one site to open, the
    provider as the existing facility), on its instance: exact walking metres on the network from
    every street junction of the sub-district (the candidates) to the clients' homes, each home
    weighted by its visits a day (the plan's visits a week / 7). With one site to open the model's
    optimum is the candidate with the largest weighted saving, ``sum w_i max(0, d0_i - d_ij)``, so
    it is found by evaluating every candidate (:func:`best_single_site`): exact, and milliseconds
    where HiGHS takes 14 s on the demo's 1,000 junctions (the test checks both agree).

    A visit is counted as a walk from the nearer site and back, so the walking a day is
    ``sum(visits a day x 2 x metres) / 1.2 m/s`` before and after; the saving is the difference.
    Meal deliveries and the order of the rounds are not part of it: it compares sites, not rounds.

    Returns None when the provider has no active plan; otherwise a dict with the clients counted
    (on the network) and those off it, and -- when some site would save walking (``minutes_saved``
    present) -- the site (nearest named street, nearest compound, lon/lat), the minutes walked a
    day now and with the site, the minutes saved, and how many clients it would be nearer to.
    """
    require_provider_staff(user, provider)
    plans = list(CarePlan.objects.filter(provider=provider, status=CarePlan.Status.ACTIVE)
                 .select_related("resident__household__compound").prefetch_related("needs"))
    if not plans:
        return None
    graph, nodes, inst, served = siting_instance(provider, plans)
    found = {"provider": provider, "clients": int(served.sum()), "off_network": len(plans) - int(served.sum()),
             "street": None, "near": None}
    chosen = best_single_site(inst, served)
    if chosen is None:
        return found
    j, after_m = chosen
    now_m, per_day = inst.existing_nearest_m, inst.population
    speed_min = solver.SPEEDS["walk"] * 60

    def minutes(metres):
        return float((per_day[served] * 2 * metres[served]).sum() / speed_min)

    node = int(nodes[j])
    lon, lat = float(graph.node_lon[node]), float(graph.node_lat[node])
    compounds = list(Compound.objects.filter(subdistrict=provider.subdistrict))
    kx = METRES_PER_DEGREE * np.cos(np.radians(lat))
    near = min(compounds, key=lambda c: (c.lon - lon) ** 2 * kx ** 2 + (c.lat - lat) ** 2 * METRES_PER_DEGREE ** 2,
               default=None)
    before, after = minutes(now_m), minutes(after_m)
    found.update({"street": street_names(graph, [lon], [lat], get_language(), MAX_SNAP_M)[0],
                  "near": near.display_name if near else None,
                  "lon": round(lon, 6), "lat": round(lat, 6), "minutes_now": before, "minutes_with_site": after,
                  "minutes_saved": before - after, "clients_nearer": int(((after_m < now_m) & served).sum())})
    return found


def siting_instance(provider, plans):
    """The siting model's instance for ``provider``'s clients (see :func:`new_site_saving`).

    Returns the graph, the candidate junctions (node ids), the instance (population = visits a day)
    and which clients count (on the network, within a walk of the provider, visited at all).
    """
    graph = graph_for(provider)
    homes = [home_of(p.resident) for p in plans]
    per_day = np.array([sum(len(n.weekdays) for n in p.needs.all()) / 7 for p in plans])
    demand = snap_points(graph, [h[0] for h in homes], [h[1] for h in homes], max_snap_m=MAX_SNAP_M)
    existing = snap_points(graph, [provider.lon], [provider.lat], max_snap_m=MAX_SNAP_M)
    if not existing.ok[0]:
        raise Refused(_("%(facility)s is more than %(m)s m from every street of the network.")
                      % {"facility": provider.name, "m": int(MAX_SNAP_M)})
    nodes = np.arange(graph.n_nodes)
    boundary = provider.subdistrict.boundary
    if boundary:
        nodes = nodes[shapely.contains_xy(polygon_from_geojson(boundary), graph.node_lon, graph.node_lat)]
    if not nodes.size:  # a boundary with no junction inside: every junction of its network
        nodes = np.arange(graph.n_nodes)
    bound = solver.reach_m([provider.lon] + [h[0] for h in homes], [provider.lat] + [h[1] for h in homes])
    inst = engine.build_instance(graph, demand, per_day, engine.candidate_nodes(graph, nodes), existing,
                                 max_distance_m=bound)
    served = demand.ok & np.isfinite(inst.existing_nearest_m) & (per_day > 0)
    return graph, nodes, inst, served


def best_single_site(inst, served):
    """The p-median's optimum for one new site on ``inst``, by evaluating every candidate.

    Returns ``(candidate index, metres from each demand point to its nearer site afterwards)``, or
    None when no candidate is nearer than the existing facility to anyone in ``served``.
    """
    keep = served[inst.dem] & inst.candidate_ok[inst.cand]
    cand, dem, dist = inst.cand[keep], inst.dem[keep], inst.dist[keep]
    now_m = inst.existing_nearest_m
    gain = inst.population[dem] * np.maximum(0.0, now_m[dem] - dist)
    saving = np.bincount(cand, weights=gain, minlength=inst.n_candidates)
    j = int(np.argmax(saving)) if saving.size else 0
    if not saving.size or saving[j] <= 0:
        return None
    after = now_m.copy()
    mine = cand == j
    np.minimum.at(after, dem[mine], dist[mine])
    return j, after
