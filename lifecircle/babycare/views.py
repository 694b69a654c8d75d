"""Pages of baby care: the public list of centres, a family's page, and the centre staff's dashboard.

Phone first and without JavaScript: every step is a plain form that posts and comes back to the
page with a message saying what happened or why nothing did.
"""
import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle import errors
from lifecircle.accounts.permissions import log_access, require_facility_staff, resident_of
from lifecircle.dates import parse_day

from . import services
from .forms import AbsenceForm, ApplyForm, MarkForm, first_error
from .models import Application, Attendance, CareProgramme

HISTORY_DAYS = 60


def person_page(view):
    """Signed-in pages: a user who may not use them sees why, not a bare error."""
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, errors.Refused) as exc:
            return errors.refused_page(request, "babycare/refused.html", exc, default=_("You may not open this page."))
    return wrapper


def _any_illustrative(programmes):
    return any(p.illustrative or p.facility.illustrative for p in programmes)


def centres(request):
    """Public: every centre, its type and hours, and free places per age group."""
    services.expire_offers()
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    programmes, walk_problem = services.rank_by_walk(services.centres(), resident)
    for programme in programmes:
        for group in programme.age_groups.all():
            group.free = max(0, group.places - group.n_taken)
        programme.free = sum(g.free for g in programme.age_groups.all())
        programme.rules = [r for r in programme.priority_rules.all() if r.active]
    return render(request, "babycare/centres.html", {
        "programmes": programmes, "illustrative": _any_illustrative(programmes),
        "home": resident.household.compound if resident else None, "walk_problem": walk_problem,
        "min_months": services.MIN_MONTHS, "max_months": services.MAX_MONTHS,
    })


def _programme(code):
    programme = CareProgramme.objects.select_related("facility").filter(facility__code=code).first()
    if programme is None:
        raise errors.NotFound(_("There is no baby-care centre with the code '%(code)s'.") % {"code": code})
    return programme


@person_page
def apply(request, code):
    programme = _programme(code)
    resident = resident_of(request.user)
    children = list(resident.household.children.order_by("birth_date"))
    form = ApplyForm(request.POST or None, children=children)
    error = None
    if request.method == "POST":
        if form.is_valid():
            child = next(c for c in children if c.pk == form.cleaned_data["child"])
            try:
                outcome = services.apply(
                    request.user, programme, child, form.cleaned_data["start_date"],
                    both_parents_working=form.cleaned_data["both_parents_working"],
                    registered_hardship=form.cleaned_data["registered_hardship"],
                )
            except errors.Refused as exc:
                error = exc.message
            else:
                messages.success(request, outcome.message)
                return redirect("babycare:mine")
        else:
            error = first_error(form)
    ranked, walk_problem = services.rank_by_walk(services.centres(), resident)
    here = next((p for p in ranked if p.pk == programme.pk), None)
    return render(request, "babycare/apply.html", {
        "programme": programme, "ranked": [p for p in ranked if p.walk_m is not None],
        "walk_label": here.walk_label if here else "", "walk_problem": walk_problem,
        "home": resident.household.compound, "form": form, "children": children, "error": error,
        "groups": programme.age_groups.all(), "min_months": services.MIN_MONTHS, "max_months": services.MAX_MONTHS,
    }, status=400 if error else 200)


@person_page
def mine(request):
    """The family's page: every child's applications, positions, offers, places and attendance."""
    services.expire_offers()
    resident, applications = services.family_applications(request.user)
    today = timezone.localdate()
    children = []
    for child in resident.household.children.order_by("birth_date"):
        entries = []
        for application in (a for a in applications if a.child_id == child.pk):
            entry = {"application": application, "standing": services.standing_of(application)}
            if application.status == Application.Status.OFFERED:
                entry["offer"] = application.open_offer()
            placement = getattr(application, "placement", None)
            if placement is not None:
                entry["placement"] = placement
                entry["attendance"] = list(placement.attendance.filter(date__gte=today - datetime.timedelta(days=HISTORY_DAYS)))
                if application.status == Application.Status.PLACED:
                    entry["absence_form"] = AbsenceForm(initial={"date": max(today, placement.starts_on)},
                                                        prefix=f"p{placement.pk}")
            entries.append(entry)
        children.append({"child": child, "age_months": child.age_in_months(today),
                         "active": [e for e in entries if e["application"].is_active],
                         "closed": [e for e in entries if not e["application"].is_active]})
    return render(request, "babycare/mine.html", {"resident": resident, "children": children, "today": today})


def _step(request, step, application_id):
    try:
        outcome = step(request.user, application_id)
    except errors.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, outcome.message)
    return redirect("babycare:mine")


@require_POST
@person_page
def accept(request, application_id):
    return _step(request, services.accept, application_id)


@require_POST
@person_page
def decline(request, application_id):
    return _step(request, services.decline, application_id)


@require_POST
@person_page
def withdraw(request, application_id):
    return _step(request, services.withdraw, application_id)


@require_POST
@person_page
def report_absence(request, placement_id):
    form = AbsenceForm(request.POST, prefix=f"p{placement_id}")
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("babycare:mine")
    try:
        record = services.report_absence(request.user, placement_id, form.cleaned_data["date"],
                                         form.cleaned_data["reason"], form.cleaned_data["note"])
    except errors.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The centre knows that %(child)s will be absent on %(date)s.")
                         % {"child": record.placement.child.name, "date": record.date.isoformat()})
    return redirect("babycare:mine")


# ---- staff -----------------------------------------------------------------------------------

def _staff_url(programme, day):
    query = {"centre": programme.code}
    if day != timezone.localdate():
        query["date"] = day.isoformat()
    return f"{reverse('babycare:staff')}?{urlencode(query)}"


@person_page
def staff(request):
    """The centre's day: the attendance register, waiting lists per age group, offers awaiting an answer.

    Staff see only their own centre; every child shown is written to the access log.
    """
    programmes = list(services.staff_programmes(request.user))
    if not programmes:
        raise PermissionDenied(_("You do not work at a baby-care centre."))
    code = request.GET.get("centre") or programmes[0].code
    programme = services.programme_for_staff(request.user, code)
    today = timezone.localdate()
    day = parse_day(request.GET.get("date"), "date", today)
    services.expire_offers(programme=programme)
    rows = services.register(programme, day)
    for row in rows:
        row.form = MarkForm(initial={"date": day, "status": row.record.status if row.record else "present",
                                     "reason": row.record.reason if row.record else "",
                                     "note": row.record.note if row.record else ""}, prefix=f"m{row.placement.pk}")
    groups = []
    for group in programme.age_groups.all():
        offered = list(group.applications.filter(status=Application.Status.OFFERED).select_related("child"))
        for application in offered:
            application.offer = application.open_offer()
        taken = group.taken()
        groups.append({"group": group, "taken": taken, "free": max(0, group.places - taken),
                       "waiting": services.waiting_list(group), "offers": offered})
    purpose = f"staff page {request.path}"
    shown = [r.placement.child for r in rows]
    shown += [s.application.child for g in groups for s in g["waiting"]] + [a.child for g in groups for a in g["offers"]]
    for child in {c.pk: c for c in shown}.values():
        log_access(request.user, "view", purpose, child=child)
    counts = {status: sum(1 for r in rows if r.record and r.record.status == status) for status in Attendance.Status.values}
    return render(request, "babycare/staff.html", {
        "programme": programme, "programmes": programmes, "day": day, "today": today,
        "is_today": day == today, "session_day": programme.is_session_day(day), "rows": rows, "groups": groups,
        "present": counts["present"], "absent": counts["absent"],
        "unmarked": sum(1 for r in rows if r.record is None),
        "previous_day": day - datetime.timedelta(days=1), "next_day": day + datetime.timedelta(days=1),
    })


@require_POST
@person_page
def mark(request, placement_id):
    placement = services.get_placement(placement_id)
    require_facility_staff(request.user, placement.programme.facility)
    form = MarkForm(request.POST, prefix=f"m{placement_id}")
    day = timezone.localdate()
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        day = form.cleaned_data["date"]
        try:
            record = services.mark_attendance(request.user, placement_id, day, form.cleaned_data["status"],
                                              form.cleaned_data["reason"], form.cleaned_data["note"])
        except errors.Refused as exc:
            messages.error(request, exc.message)
        else:
            log_access(request.user, "change", f"staff page {request.path}", child=record.placement.child)
            messages.success(request, _("%(child)s: %(status)s on %(date)s.") % {
                "child": record.placement.child.name, "status": record.get_status_display(), "date": day.isoformat()})
    return redirect(_staff_url(placement.programme, day))
