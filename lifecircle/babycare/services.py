"""The baby-care flow, in one place for the pages, the API and the commands.

application → offer (held for the centre's ``offer_days``) → accept → placement; or decline, or
the offer expires. Every application waits in one list per age group, ordered by the centre's
priority points and then by when the family applied; whenever a place is free (a new
application, a decline, an expiry, a withdrawal, more places) it is offered to the first in that
list. An open offer holds its place, so ``places`` is never exceeded: the age group's row is
locked (``select_for_update``) around every change of who holds its places.

Refusals raise :class:`Refused` (a rule was broken) or PermissionDenied (not yours to do), each
with a clear reason, before anything is written.
"""
import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from lifecircle.accounts.permissions import check_can_act_for, require_facility_staff, resident_of, staff_facility_ids
from lifecircle.directory import finder
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify_in_languages

from .models import MAX_MONTHS, MIN_MONTHS, AgeGroup, Application, Attendance, CareProgramme, Offer, Placement, PriorityRule

#: How far ahead a family may apply, and report an absence.
MAX_DAYS_AHEAD = 366
ABSENCE_DAYS_AHEAD = 60
#: Offers that end within this time get one reminder from ``expire_babycare_offers``.
REMIND_BEFORE = datetime.timedelta(hours=24)

Status = Application.Status


def local_text(moment):
    """An aware datetime as the centre's local "YYYY-MM-DD HH:MM"."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ---- eligibility ----------------------------------------------------------------------------

def age_group_for(programme, child, start_date):
    """The age group that takes ``child`` on ``start_date``, or Refused saying why none does."""
    months = child.age_in_months(start_date)
    values = {"name": child.name, "date": start_date.isoformat(), "months": months, "min": MIN_MONTHS, "max": MAX_MONTHS}
    if start_date < child.birth_date:
        raise Refused(_("%(name)s will not yet be born on %(date)s; this centre takes children aged 1–3 "
                        "(%(min)s to %(max)s months old on the start date).") % values)
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        message = ngettext(
            "%(name)s will be %(months)s month old on %(date)s; this centre takes children aged 1–3 "
            "(%(min)s to %(max)s months old on the start date).",
            "%(name)s will be %(months)s months old on %(date)s; this centre takes children aged 1–3 "
            "(%(min)s to %(max)s months old on the start date).",
            months,
        )
        raise Refused(message % values)
    groups = list(programme.age_groups.all())
    for group in groups:
        if group.covers(months):
            return group
    values["groups"] = ", ".join(str(g.label) for g in groups) or _("none yet")
    raise Refused(_("%(name)s will be %(months)s months old on %(date)s, and this centre has no group for that age "
                    "(its groups: %(groups)s).") % values)


# ---- the waiting list -----------------------------------------------------------------------

@dataclass
class Standing:
    """An application's place in its age group's waiting list."""

    application: Application
    score: int
    rules: list = field(default_factory=list)
    position: int | None = None

    @property
    def reasons(self):
        return [rule.get_kind_display() for rule in self.rules]


def _rule_applies(rule, application, households_with_places):
    if rule.kind == PriorityRule.Kind.NEAR_HOME:
        return application.child.household.compound_id in {c.pk for c in rule.compounds.all()}
    if rule.kind == PriorityRule.Kind.SIBLING_PLACED:
        # One active application per child and centre, so a placed one of the household is a sibling's.
        return application.child.household_id in households_with_places
    if rule.kind == PriorityRule.Kind.BOTH_PARENTS_WORKING:
        return application.both_parents_working
    if rule.kind == PriorityRule.Kind.HARDSHIP:
        return application.registered_hardship
    return False


def _standings(programme, applications):
    rules = list(programme.priority_rules.filter(active=True).prefetch_related("compounds"))
    households = set(
        Application.objects.filter(programme=programme, status=Status.PLACED)
        .exclude(pk__in=[a.pk for a in applications]).values_list("child__household_id", flat=True)
    )
    result = []
    for application in applications:
        matched = [rule for rule in rules if _rule_applies(rule, application, households)]
        result.append(Standing(application, sum(rule.weight for rule in matched), matched))
    return result


def waiting_list(group):
    """The group's waiting applications, first in line first: most points, then earliest applied."""
    waiting = list(group.applications.filter(status=Status.WAITING).select_related("child__household", "applicant"))
    standings = _standings(group.programme, waiting)
    standings.sort(key=lambda s: (-s.score, s.application.created_at, s.application.pk))
    for number, standing in enumerate(standings, 1):
        standing.position = number
    return standings


def standing_of(application):
    """The application's standing: its position in line while it waits, its priority points always."""
    if application.status == Status.WAITING:
        return next(s for s in waiting_list(application.age_group) if s.application.pk == application.pk)
    return _standings(application.programme, [application])[0]


def _fill(group, now):
    """Offer the group's free places to the first in line. The caller holds the group's row lock."""
    free = group.places - group.taken()
    offers = []
    if free > 0:
        for standing in waiting_list(group)[:free]:
            offers.append(_offer(standing.application, now))
    return offers


def fill_free_places(group_id, now=None):
    """Offer whatever is free in the group now (after its places were raised, for example)."""
    with transaction.atomic():
        return _fill(_lock(group_id), now or timezone.now())


def _offer(application, now):
    application.status = Status.OFFERED
    application.save(update_fields=["status"])
    offer = Offer.objects.create(
        application=application, made_at=now,
        expires_at=now + datetime.timedelta(days=application.programme.offer_days),
    )
    _tell(application, Notification.Kind.OFFER, OFFER_SUBJECT, OFFER_BODY, expires=local_text(offer.expires_at))
    return offer


def _lock(group_id):
    return AgeGroup.objects.select_for_update(of=("self",)).select_related("programme__facility").get(pk=group_id)


# ---- notifications --------------------------------------------------------------------------

APPLIED_SUBJECT = gettext_noop("On the waiting list: %(child)s at %(centre)s")
APPLIED_BODY = gettext_noop(
    "No place is free in %(group)s at %(centre)s just now, so %(child)s is on the waiting list (number "
    "%(position)s today). We will tell you as soon as a place is offered.")
OFFER_SUBJECT = gettext_noop("A place for %(child)s at %(centre)s")
OFFER_BODY = gettext_noop(
    "A place in %(group)s at %(centre)s is offered to %(child)s from %(start)s. Please accept or decline it by "
    "%(expires)s; after that it goes to the next child on the waiting list.")
CONFIRMED_SUBJECT = gettext_noop("Place confirmed: %(child)s at %(centre)s")
CONFIRMED_BODY = gettext_noop(
    "You accepted the place in %(group)s at %(centre)s for %(child)s from %(start)s. Session hours: %(hours)s.")
REMINDER_SUBJECT = gettext_noop("Reminder: the offer for %(child)s ends soon")
REMINDER_BODY = gettext_noop(
    "The place offered to %(child)s at %(centre)s is held until %(expires)s. Please accept or decline it before then.")
EXPIRED_SUBJECT = gettext_noop("Offer expired: %(child)s at %(centre)s")
EXPIRED_BODY = gettext_noop(
    "The place offered to %(child)s at %(centre)s was not accepted by %(expires)s, so it has gone to the next child "
    "on the waiting list. You may apply again.")
DECLINED_SUBJECT = gettext_noop("Offer declined: %(child)s at %(centre)s")
DECLINED_BODY = gettext_noop(
    "You declined the place offered to %(child)s at %(centre)s. It goes to the next child on the waiting list.")
WITHDRAWN_SUBJECT = gettext_noop("Withdrawn: %(child)s at %(centre)s")
WITHDRAWN_BODY = gettext_noop(
    "%(child)s's application or place at %(centre)s was withdrawn on %(today)s. A freed place goes to the next child "
    "on the waiting list.")


def _tell(application, kind, subject, body, **extra):
    """Notify the applicant, in every language of the site (a notification outlives the request)."""
    programme, group = application.programme, application.age_group

    def render():
        values = {
            "child": application.child.name, "centre": programme.display_name, "group": str(group.label),
            "start": application.start_date.isoformat(), "hours": programme.facility.opening_hours or "—",
            "today": timezone.localdate().isoformat(), **extra,
        }
        return _(subject) % values, _(body) % values

    return notify_in_languages(application.applicant.user, kind, render, reverse("babycare:mine"))


# ---- the family's steps ---------------------------------------------------------------------

@dataclass
class Outcome:
    application: Application
    message: str


def _duplicate(existing):
    return Conflict(
        _("%(child)s already has an application at %(centre)s (%(status)s); withdraw it before applying again.")
        % {"child": existing.child.name, "centre": existing.programme.display_name,
           "status": existing.get_status_display()},
    )


def apply(user, programme, child, start_date, *, both_parents_working=False, registered_hardship=False):
    """Apply for a place for ``child`` of the user's household; offered at once if a place is free
    and no one is ahead in line, else put on the waiting list."""
    resident = resident_of(user)
    check_can_act_for(resident, child)
    now = timezone.now()
    today = timezone.localdate(now)
    centre = programme.display_name
    if not programme.accepting_applications or not programme.facility.active:
        raise Refused(_("%(centre)s is not taking applications at the moment.") % {"centre": centre})
    if start_date < today:
        raise Refused(_("The start date %(date)s has passed; choose today or a later day.")
                      % {"date": start_date.isoformat()})
    latest = today + datetime.timedelta(days=MAX_DAYS_AHEAD)
    if start_date > latest:
        raise Refused(_("Applications open at most a year ahead; choose a start date no later than %(date)s.")
                      % {"date": latest.isoformat()})
    group = age_group_for(programme, child, start_date)
    try:
        with transaction.atomic():
            group = _lock(group.pk)
            existing = Application.objects.filter(child=child, programme=programme, status__in=Application.ACTIVE).first()
            if existing:
                raise _duplicate(existing)
            application = Application.objects.create(
                programme=programme, age_group=group, child=child, applicant=resident, start_date=start_date,
                age_months_at_start=child.age_in_months(start_date), both_parents_working=both_parents_working,
                registered_hardship=registered_hardship, created_at=now,
            )
            _fill(group, now)
            application.refresh_from_db(fields=["status"])
            values = {"child": child.name, "centre": centre, "group": group.label}
            if application.status == Status.OFFERED:
                values["expires"] = local_text(application.open_offer().expires_at)
                message = _("A place in %(group)s at %(centre)s is offered to %(child)s. Please accept it by %(expires)s.")
            else:
                values["position"] = standing_of(application).position
                _tell(application, Notification.Kind.INFORMATION, APPLIED_SUBJECT, APPLIED_BODY,
                      position=values["position"])
                message = _("No place is free in %(group)s at %(centre)s just now; %(child)s is number %(position)s "
                            "on the waiting list.")
    except IntegrityError:  # the same child applied at the same moment for another age group of the centre
        existing = Application.objects.filter(child=child, programme=programme, status__in=Application.ACTIVE).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return Outcome(application, message % values)


def _application_for(user, application_id):
    """The application, if the user (a verified resident) may act for its child."""
    resident = resident_of(user)
    application = (Application.objects.select_related("child", "programme__facility", "age_group", "applicant")
                   .filter(pk=application_id).first())
    if application is None:
        raise NotFound(_("There is no baby-care application number %(id)s.") % {"id": application_id})
    check_can_act_for(resident, application.child)
    return application


def _values(application, **extra):
    return {"child": application.child.name, "centre": application.programme.display_name,
            "group": application.age_group.label, "status": application.get_status_display(), **extra}


def accept(user, application_id):
    application = _application_for(user, application_id)
    now = timezone.now()
    with transaction.atomic():
        _lock(application.age_group_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        offer = application.last_offer()
        if application.status == Status.PLACED:
            raise Conflict(_("%(child)s already has this place at %(centre)s.") % _values(application))
        if application.status == Status.EXPIRED or (
            application.status == Status.OFFERED and offer.expires_at <= now
        ):
            raise Conflict(
                _("The offer of a place for %(child)s at %(centre)s expired at %(expires)s; it can no longer be "
                  "accepted. You may apply again.") % _values(application, expires=local_text(offer.expires_at)),
            )
        if application.status != Status.OFFERED:
            raise Conflict(_("There is no open offer for %(child)s at %(centre)s to accept (status: %(status)s).")
                          % _values(application))
        offer.status, offer.responded_at = Offer.Status.ACCEPTED, now
        offer.save(update_fields=["status", "responded_at"])
        application.status = Status.PLACED
        application.save(update_fields=["status"])
        Placement.objects.create(application=application, starts_on=max(application.start_date, timezone.localdate(now)),
                                 placed_at=now)
        _tell(application, Notification.Kind.CONFIRMATION, CONFIRMED_SUBJECT, CONFIRMED_BODY)
    return Outcome(application,
                   _("You accepted the place in %(group)s at %(centre)s for %(child)s.") % _values(application))


def decline(user, application_id):
    application = _application_for(user, application_id)
    now = timezone.now()
    with transaction.atomic():
        group = _lock(application.age_group_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Status.OFFERED:
            raise Conflict(_("There is no open offer for %(child)s at %(centre)s to decline (status: %(status)s).")
                          % _values(application))
        application.offers.filter(status=Offer.Status.OPEN).update(status=Offer.Status.DECLINED, responded_at=now)
        application.status, application.closed_at = Status.DECLINED, now
        application.save(update_fields=["status", "closed_at"])
        _tell(application, Notification.Kind.CANCELLATION, DECLINED_SUBJECT, DECLINED_BODY)
        _fill(group, now)
    return Outcome(application, _("You declined the place for %(child)s at %(centre)s.") % _values(application))


def withdraw(user, application_id):
    """Withdraw from the waiting list, an offer or a placement; a freed place is offered to the next in line."""
    application = _application_for(user, application_id)
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        group = _lock(application.age_group_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_active:
            raise Conflict(_("The application for %(child)s at %(centre)s is already closed (%(status)s).")
                          % _values(application))
        application.offers.filter(status=Offer.Status.OPEN).update(status=Offer.Status.WITHDRAWN, responded_at=now)
        if application.status == Status.PLACED:
            placement = application.placement
            placement.ended_on = max(today, placement.starts_on)
            placement.save(update_fields=["ended_on"])
        application.status, application.closed_at = Status.WITHDRAWN, now
        application.save(update_fields=["status", "closed_at"])
        _tell(application, Notification.Kind.CANCELLATION, WITHDRAWN_SUBJECT, WITHDRAWN_BODY)
        _fill(group, now)
    return Outcome(application, _("%(child)s's application at %(centre)s is withdrawn.") % _values(application))


# ---- expiry and reminders -------------------------------------------------------------------

def expire_offers(now=None, programme=None):
    """Close every offer whose time is up and offer its place to the next in line; returns them."""
    now = now or timezone.now()
    due = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now)
    if programme is not None:
        due = due.filter(application__programme=programme)
    expired = []
    for group_id in sorted(set(due.values_list("application__age_group_id", flat=True))):
        with transaction.atomic():
            group = _lock(group_id)
            # Read again under the lock: an answer or another expiry run may have come first.
            for offer in Offer.objects.select_for_update().filter(
                status=Offer.Status.OPEN, expires_at__lte=now, application__age_group=group
            ):
                offer.status = Offer.Status.EXPIRED
                offer.save(update_fields=["status"])
                application = offer.application
                application.status, application.closed_at = Status.EXPIRED, now
                application.save(update_fields=["status", "closed_at"])
                _tell(application, Notification.Kind.CANCELLATION, EXPIRED_SUBJECT, EXPIRED_BODY,
                      expires=local_text(offer.expires_at))
                expired.append(offer)
            _fill(group, now)
    return expired


def send_reminders(now=None):
    """Remind once of every open offer that ends within 24 hours; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    soon = Offer.objects.filter(status=Offer.Status.OPEN, reminded_at__isnull=True, expires_at__gt=now,
                                expires_at__lte=now + REMIND_BEFORE)
    for offer in soon.select_related("application"):
        with transaction.atomic():
            # The conditional update claims the reminder, so two runs at once still send one.
            claimed = Offer.objects.filter(pk=offer.pk, status=Offer.Status.OPEN, reminded_at__isnull=True)
            if claimed.update(reminded_at=now):
                _tell(offer.application, Notification.Kind.REMINDER, REMINDER_SUBJECT, REMINDER_BODY,
                      expires=local_text(offer.expires_at))
                sent += 1
    return sent


# ---- reading ----------------------------------------------------------------------------------

def centres():
    """Every active centre's programme with its age groups, each annotated with ``taken`` and ``waiting``."""
    groups = AgeGroup.objects.annotate(
        n_taken=Count("applications", filter=Q(applications__status__in=Application.HOLDING)),
        n_waiting=Count("applications", filter=Q(applications__status=Status.WAITING)),
    ).order_by("min_months")
    return (CareProgramme.objects.filter(facility__active=True)
            .select_related("facility__category", "facility__grid")
            .prefetch_related(Prefetch("age_groups", queryset=groups), "priority_rules", "facility__hours_exceptions"))


def rank_by_walk(programmes, resident):
    """``programmes`` nearest walk from ``resident``'s home first, each given ``walk_m`` (metres on the
    street network, None where unknown) and ``walk_label``; the order is kept when no walk is known.

    Returns ``(programmes, problem)``: ``problem`` is "" or a sentence saying why no walk could be
    measured (no network, home off the streets). Centres of another sub-district than the home's
    have no walk (each sub-district has its own network)."""
    programmes = list(programmes)
    for programme in programmes:
        programme.walk_m, programme.walk_label = None, ""
    if resident is None or not programmes:
        return programmes, ""
    home = resident.household.compound
    here = [p for p in programmes if p.facility.subdistrict_id == home.subdistrict_id]
    metres, problem = finder.walking_metres(home.subdistrict, (home.lon, home.lat), [p.facility for p in here])
    for programme, walk in zip(here, metres):
        programme.walk_m, programme.walk_label = walk, finder.walk_label(walk)
    programmes.sort(key=lambda p: (p.walk_m is None, p.walk_m or 0.0))  # stable: unknown ones keep their order
    return programmes, problem


def family_applications(user):
    """The applications of the children of the user's household, newest first, with standings."""
    resident = resident_of(user)
    applications = list(
        Application.objects.filter(child__household=resident.household)
        .select_related("child", "programme__facility", "age_group", "applicant")
        .prefetch_related("offers")
    )
    return resident, applications


def staff_programmes(user):
    """The programmes of the centres where ``user`` works (every one for administrators)."""
    ids = staff_facility_ids(user)
    programmes = CareProgramme.objects.select_related("facility")
    if ids is not None:
        programmes = programmes.filter(facility_id__in=ids)
    return programmes


def programme_for_staff(user, code):
    programme = CareProgramme.objects.select_related("facility").filter(facility__code=code).first()
    if programme is None:
        raise NotFound(_("There is no baby-care centre with the code '%(code)s'.") % {"code": code})
    require_facility_staff(user, programme.facility)
    return programme


def active_placements(programme, day):
    return (Placement.objects.filter(application__programme=programme, starts_on__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
            .select_related("application__child", "application__age_group", "application__applicant")
            .order_by("application__age_group__min_months", "application__child__name", "pk"))


@dataclass
class RegisterRow:
    placement: Placement
    record: Attendance | None


def register(programme, day):
    """The attendance register of ``day``: every child with a place that day, and what is recorded."""
    placements = list(active_placements(programme, day))
    records = {a.placement_id: a for a in Attendance.objects.filter(placement__in=placements, date=day)}
    return [RegisterRow(p, records.get(p.pk)) for p in placements]


# ---- attendance ------------------------------------------------------------------------------

def get_placement(placement_id):
    placement = (Placement.objects.select_related("application__child", "application__programme__facility")
                 .filter(pk=placement_id).first())
    if placement is None:
        raise NotFound(_("There is no baby-care placement number %(id)s.") % {"id": placement_id})
    return placement


def family_placement(user, placement_id):
    """A placement of a child of the user's household (a verified resident)."""
    resident = resident_of(user)
    placement = get_placement(placement_id)
    check_can_act_for(resident, placement.child)
    return placement


def _check_day(placement, day):
    values = {"child": placement.child.name, "centre": placement.programme.display_name, "date": day.isoformat()}
    if not placement.is_on(day):
        raise Refused(_("%(child)s has no place at %(centre)s on %(date)s.") % values)
    if not placement.programme.is_session_day(day):
        raise Refused(_("%(centre)s has no session on %(date)s.") % values)


def _reason(status, reason):
    if status not in Attendance.Status.values:
        raise Refused(_("Attendance is either present or absent."))
    if status == Attendance.Status.PRESENT:
        return ""
    if reason not in Attendance.Reason.values:
        raise Refused(_("An absence needs a reason, such as sick."))
    return reason


def report_absence(user, placement_id, day, reason, note=""):
    """A parent says in advance (or on the morning) that the child will not come on ``day``."""
    placement = family_placement(user, placement_id)
    reason = _reason(Attendance.Status.ABSENT, reason)
    now = timezone.now()
    today = timezone.localdate(now)
    if day < today:
        raise Refused(_("%(date)s has passed; an absence can be reported for today or a later day.")
                      % {"date": day.isoformat()})
    if day > today + datetime.timedelta(days=ABSENCE_DAYS_AHEAD):
        raise Refused(_("An absence can be reported at most %(days)s days ahead.") % {"days": ABSENCE_DAYS_AHEAD})
    _check_day(placement, day)
    with transaction.atomic():
        existing = Attendance.objects.select_for_update().filter(placement=placement, date=day).first()
        if existing is not None and existing.status == Attendance.Status.PRESENT:
            raise Conflict(_("Staff have already marked %(child)s present on %(date)s; please call the centre.")
                          % {"child": placement.child.name, "date": day.isoformat()})
        record, _created = Attendance.objects.update_or_create(
            placement=placement, date=day,
            defaults={"status": Attendance.Status.ABSENT, "reason": reason, "note": note[:200],
                      "reported_by_parent": True, "recorded_by": user, "recorded_at": now},
        )
    return record


def mark_attendance(user, placement_id, day, status, reason="", note=""):
    """Staff of the child's centre record whether the child came on ``day`` (today or before)."""
    placement = get_placement(placement_id)
    require_facility_staff(user, placement.programme.facility)
    reason = _reason(status, reason)
    now = timezone.now()
    if day > timezone.localdate(now):
        raise Refused(_("Attendance is marked on the day or later, not for %(date)s ahead of time.")
                      % {"date": day.isoformat()})
    _check_day(placement, day)
    with transaction.atomic():
        record, _created = Attendance.objects.update_or_create(
            placement=placement, date=day,
            defaults={"status": status, "reason": reason, "note": note[:200], "reported_by_parent": False,
                      "recorded_by": user, "recorded_at": now},
        )
    return record

