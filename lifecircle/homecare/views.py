"""Pages of care at home: the resident's schedule and record, the provider's day of rounds (plan,
re-plan when a carer is off, what could not be assigned and why), one carer's printable round on a
map, and the planning view (walking time from providers to their clients). Every page works
without JavaScript; the map is an addition."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecircle import errors
from lifecircle.eldercare.services import find_resident

from . import services
from .models import Carer, DayPlan, Kind, Visit


def _refused(request, exc):
    return errors.refused_page(request, "homecare/refused.html", exc)


@login_required
def schedule(request):
    """homecare:schedule — the resident's visits (and those of the people they act for), with the record."""
    try:
        visits = services.schedule_of(request.user)
    except PermissionDenied as exc:
        return _refused(request, exc)
    days = {}
    for visit in visits:
        days.setdefault(visit.date, []).append(visit)
    return render(request, "homecare/schedule.html", {"days": sorted(days.items())})


def _day(text):
    return parse_date(text or "") or timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
def staff(request):
    """homecare:staff — one provider's day: plan or re-plan the rounds, mark a carer off."""
    own = list(services.staff_providers(request.user))
    if not own:
        return _refused(request, PermissionDenied(_("Only staff of a home care provider can do this.")))
    source = request.POST if request.method == "POST" else request.GET
    provider = next((p for p in own if str(p.pk) == source.get("provider")), own[0])
    day = _day(source.get("day"))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "off":
                dayplan = services.carer_off(request.user, request.POST.get("carer"), day,
                                             request.POST.get("reason", ""))
                messages.success(request, _("The absence is recorded; the rounds are planned again.") if dayplan
                                 else _("The absence is recorded."))
            else:
                services.plan_day(request.user, provider, day)
                messages.success(request, _("The rounds are planned."))
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
        return redirect(reverse("homecare:staff") + "?" + urlencode({"provider": provider.pk, "day": day}))
    data = services.day_view(request.user, provider, day)
    return render(request, "homecare/staff.html", {
        "providers": own, "provider": provider, "day": day, **data,
        "carers": services.working_carers(provider, day),
        "off": Carer.objects.filter(provider=provider, absences__date=day)})


@login_required
@require_http_methods(["GET", "POST"])
def round_page(request, round_id):
    """homecare:round — one carer's round in order, with a map; printable; visits recorded here."""
    try:
        care_round, visits, drops = services.round_for(request.user, round_id)
    except (errors.Refused, PermissionDenied) as exc:
        return _refused(request, exc)
    if request.method == "POST":
        arrived = _moment(care_round.day.date, request.POST.get("arrived"))
        left = _moment(care_round.day.date, request.POST.get("left"))
        try:
            services.record_visit(request.user, request.POST.get("visit"), arrived, left, request.POST.get("done", ""),
                                  request.POST.get("observations", ""), request.POST.get("follow_up", ""))
            messages.success(request, _("The visit is recorded."))
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
        return redirect("homecare:round", round_id=care_round.pk)
    provider = care_round.day.provider
    points = [{"n": 0, "lon": provider.lon, "lat": provider.lat, "label": provider.name, "time": ""}]
    stops = sorted([(v.sequence, v, None) for v in visits] + [(d.sequence, None, d) for d in drops],
                   key=lambda row: row[0])
    for sequence, visit, drop in stops:
        person = visit.plan.resident if visit else drop.order.resident
        lon, lat = services.home_of(person)
        expected = visit.expected_at if visit else drop.expected_at
        points.append({"n": sequence, "lon": lon, "lat": lat, "label": person.name,
                       "time": f"{expected:%H:%M}" if expected else ""})
    return render(request, "homecare/round.html", {"round": care_round, "stops": stops, "points": points,
                                                   "follow_ups": Visit.FollowUp.choices})


def _moment(day, text):
    """'HH:MM' on the round's day (or a full ISO date-time) as an aware datetime; None if unreadable."""
    text = (text or "").strip()
    moment = parse_datetime(text)
    if moment is None:
        try:
            moment = datetime.datetime.combine(day, datetime.time.fromisoformat(text))
        except ValueError:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
def planning(request):
    """homecare:planning — where the clients live against the providers, the time spent walking, and
    what the best new site (the workbench's siting) would save."""
    own = list(services.staff_providers(request.user))
    if not own:
        return _refused(request, PermissionDenied(_("Only staff of a home care provider can do this.")))
    rows = [services.provider_reach(request.user, provider) for provider in own]
    for row in rows:
        try:
            row["new_site"] = services.new_site_saving(request.user, row["provider"])
        except services.Refused as exc:  # no network yet, provider off the streets: say so on the page
            row["new_site_refused"] = _refusal(exc)
    days = DayPlan.objects.filter(provider__in=own).order_by("-date")[:28]
    subdistricts = sorted({provider.subdistrict for provider in own}, key=lambda s: s.code)  # siting: one each
    return render(request, "homecare/planning.html", {"rows": rows, "days": days, "subdistricts": subdistricts})


NEED_ROWS = 3


def _time(text):
    try:
        return datetime.time.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _needs_from(post):
    """The filled need rows of the plan form (a row without a kind is left out)."""
    needs = []
    for i in range(NEED_ROWS):
        if not post.get(f"kind_{i}"):
            continue
        needs.append({"kind": post.get(f"kind_{i}"), "weekdays": post.getlist(f"weekdays_{i}"),
                      "window_start": _time(post.get(f"from_{i}")), "window_end": _time(post.get(f"to_{i}")),
                      "minutes": post.get(f"minutes_{i}"), "note": post.get(f"note_{i}", "")})
    return needs


@login_required
@require_http_methods(["GET", "POST"])
def new_plan(request):
    """homecare:new_plan — record a care plan from an assessment and generate its first two weeks of visits."""
    own = list(services.staff_providers(request.user))
    if not own:
        return _refused(request, PermissionDenied(_("Only staff of a home care provider can do this.")))
    source = request.POST if request.method == "POST" else request.GET
    provider = next((p for p in own if str(p.pk) == source.get("provider")), own[0])
    if request.method == "POST":
        try:
            resident = find_resident(request.user, request.POST.get("name"), request.POST.get("phone"))
            start = parse_date(request.POST.get("start") or "") or timezone.localdate()
            plan = services.create_plan(
                request.user, resident, provider, request.POST.get("care_level"),
                parse_date(request.POST.get("assessed_on") or "") or timezone.localdate(), _needs_from(request.POST),
                start, parse_date(request.POST.get("end") or ""), request.POST.getlist("carers"),
                request.POST.get("assessment", ""))
            made = services.generate_visits(request.user, plan, start, start + datetime.timedelta(days=13))
            messages.success(request, _("The care plan for %(name)s is recorded; %(n)s visits are scheduled.")
                             % {"name": resident.name, "n": made})
            return redirect(reverse("homecare:staff") + "?" + urlencode({"provider": provider.pk, "day": start}))
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
    return render(request, "homecare/new_plan.html", {
        "providers": own, "provider": provider, "rows": range(NEED_ROWS), "kinds": Kind.choices,
        "weekdays": list(enumerate([_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")])),
        "carers": Carer.objects.filter(provider=provider, active=True), "form": request.POST})
