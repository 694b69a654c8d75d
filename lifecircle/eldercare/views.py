"""Pages of senior care: activities (public, sign-up for residents), the resident's own page (places,
health history, activities) and the staff page (occupancy and attendance, today's activities,
recent health checks, admitting, recording consent and checks). Every page works without JavaScript."""
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecircle import errors
from lifecircle.accounts.access import NOT_YOURS
from lifecircle.accounts.permissions import log_access, mask_name, people_for, resident_of
from lifecircle.dates import BadDate, parse_day

from . import services
from .models import Activity, ActivitySignup, Admission, HealthCheck, HealthConsent


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _resident_or_none(user):
    try:
        return resident_of(user)
    except PermissionDenied:
        return None


@require_http_methods(["GET", "POST"])
def activities(request):
    """eldercare:activities — what is on at the senior activity centres in the next two weeks."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            actor = resident_of(request.user)
            person = actor
            if request.POST.get("for") and _int(request.POST.get("for")) != actor.pk:
                adults, _children = people_for(actor)
                person = next((p for p in adults if p.pk == _int(request.POST.get("for"))), None)
                if person is None:
                    raise PermissionDenied(str(NOT_YOURS))
            signup = services.sign_up(request.user, request.POST.get("activity"), person)
            messages.success(request, _("%(name)s is signed up for %(title)s.")
                             % {"name": signup.resident.name, "title": signup.activity.display_title})
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
        query = {"facility": request.POST["facility"]} if request.POST.get("facility") else {}
        return redirect(reverse("eldercare:activities") + ("?" + urlencode(query) if query else ""))

    facilities = list(services.facilities_offering(services.SENIOR_CATEGORIES)
                      .filter(senior_activities__end__gte=timezone.now()).distinct())
    facility = next((f for f in facilities if f.pk == _int(request.GET.get("facility"))), None)
    items = services.upcoming_activities(facility=facility)
    actor = _resident_or_none(request.user) if request.user.is_authenticated else None
    people, mine = [], set()
    if actor is not None:
        people, _children = people_for(actor)
        mine = set(ActivitySignup.objects.filter(resident=actor, status=ActivitySignup.Status.SIGNED_UP,
                                                 activity__in=items).values_list("activity_id", flat=True))
    days = {}
    for activity in items:
        activity.mine = activity.pk in mine
        days.setdefault(timezone.localtime(activity.start).date(), []).append(activity)
    return render(request, "eldercare/activities.html", {
        "facilities": facilities, "facility": facility, "days": sorted(days.items()), "actor": actor,
        "people": people, "illustrative": any(a.illustrative for a in items),
    })


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """eldercare:mine — my places, my health checks, my activities."""
    try:
        actor = resident_of(request.user)
    except PermissionDenied as exc:
        return render(request, "eldercare/refused.html", {"reason": str(exc)}, status=403)
    if request.method == "POST":
        try:
            signup = services.cancel_signup(request.user, request.POST.get("signup"))
            messages.success(request, _("Cancelled: %(title)s.") % {"title": signup.activity.display_title})
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, errors.reason(exc))
        return redirect("eldercare:mine")
    today = timezone.localdate()
    admissions = list(Admission.objects.filter(resident=actor, status=Admission.Status.ADMITTED, end__gte=today)
                      .select_related("place_type__facility").order_by("start"))
    signups = list((ActivitySignup.objects.filter(resident=actor) | ActivitySignup.objects.filter(signed_up_by=actor))
                   .filter(activity__end__gte=timezone.now(), status=ActivitySignup.Status.SIGNED_UP)
                   .select_related("activity__facility", "resident").order_by("activity__start"))
    now = timezone.now()
    for signup in signups:
        signup.cancellable = signup.activity.start > now
    return render(request, "eldercare/mine.html", {
        "actor": actor, "admissions": admissions, "signups": signups,
        "checks": list(services.my_health_checks(request.user)[:50]),
        "has_consent": HealthConsent.current(actor) is not None,
    })


def _readings(post):
    """The readings typed into the staff form; an unreadable number is refused with its name."""
    readings = {}
    for name in HealthCheck.READINGS:
        text = (post.get(name) or "").strip()
        if not text:
            continue
        try:
            readings[name] = Decimal(text) if name in ("glucose", "weight") else int(text)
        except (ValueError, InvalidOperation):
            label = HealthCheck._meta.get_field(name).verbose_name
            raise errors.Refused(_("%(field)s: “%(text)s” is not a number.") % {"field": label, "text": text}) \
                from None
    return readings


def _staff_post(request, facility, day):
    action = request.POST.get("action")
    if action == "checkin":
        record = services.check_in(request.user, request.POST.get("admission"), day)
        return _("%(name)s is recorded as here.") % {"name": record.admission.resident.name}
    if action == "cancel_admission":
        admission = services.cancel_admission(request.user, request.POST.get("admission"))
        return _("Admission cancelled: %(name)s.") % {"name": admission.resident.name}
    person = services.find_resident(request.user, request.POST.get("name"), request.POST.get("phone"))
    if action == "admit":
        start = parse_day(request.POST.get("start"), _("First day"))
        end = parse_day(request.POST.get("end"), _("Last day"))
        if start is None or end is None:
            raise errors.Refused(_("Give the first and the last day of the stay."))
        place_type = facility.place_types.filter(pk=_int(request.POST.get("place_type"))).first()
        if place_type is None:
            raise errors.Refused(_("Choose a kind of place."))
        services.admit(request.user, person, place_type.pk, start, end,
                       request.POST.get("cognitive_impairment") == "on", request.POST.get("notes", ""))
        return _("%(name)s is admitted from %(start)s to %(end)s.") % {"name": person.name, "start": start,
                                                                         "end": end}
    if action == "consent":
        services.record_consent(request.user, person, request.POST.get("evidence"), facility)
        return _("Consent to health records is recorded for %(name)s.") % {"name": person.name}
    if action == "check":
        services.record_check(request.user, person, facility, _readings(request.POST),
                              notes=request.POST.get("notes", ""))
        return _("Health check recorded for %(name)s.") % {"name": person.name}
    raise errors.Refused(_("Unknown action."))


@login_required
@require_http_methods(["GET", "POST"])
def staff(request):
    """eldercare:staff — today's places and attendance, activities and health checks at one facility."""
    facilities = list(services.staff_facilities(request.user))
    if not facilities:
        return render(request, "eldercare/refused.html",
                      {"reason": _("Only staff of a senior service facility can open this page.")}, status=403)
    source = request.POST if request.method == "POST" else request.GET
    facility = next((f for f in facilities if f.pk == _int(source.get("facility"))), facilities[0])
    today = timezone.localdate()
    day = parse_day(source.get("date"), "date", today) if request.method == "GET" else today
    if request.method == "POST":
        try:
            messages.success(request, _staff_post(request, facility, today))
        except (errors.Refused, PermissionDenied, BadDate) as exc:
            messages.error(request, errors.reason(exc))
        return redirect(reverse("eldercare:staff") + "?" + urlencode({"facility": facility.pk}))

    whole = services.works_at(request.user, facility)
    shown = lambda name: name if whole else mask_name(name)  # noqa: E731
    places = services.place_summary(facility, day)
    for row in places:
        for stay in row["stays"]:
            log_access(request.user, "view", f"eldercare staff page {facility.code}", resident=stay.resident)
            stay.shown_name = shown(stay.resident.name)
            stay.present = stay.pk in row["present_ids"]
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    todays = list(Activity.objects.filter(facility=facility, start__gte=start,
                                          start__lt=start + datetime.timedelta(days=1)))
    for activity in todays:
        activity.people = services.signups_for_staff(request.user, activity)
    checks = services.staff_health_checks(request.user, facility)
    for check in checks:
        check.shown_name = shown(check.resident.name)
    return render(request, "eldercare/staff.html", {
        "facilities": facilities, "facility": facility, "day": day, "today": today, "places": places,
        "activities": todays, "checks": checks, "masked": not whole,
        "place_types": list(facility.place_types.filter(active=True)),
    })
