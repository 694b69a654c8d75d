"""Pages for volunteers (register, find shifts, sign up, cancel, hours, certificates) and for the
staff who run activities (rosters, recording hours, the time bank), and the public check of a
certificate's code."""
import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.accounts.access import administered_subdistrict_ids, staff_visible
from lifecircle.accounts.permissions import log_access, mask_name, resident_of
from lifecircle.dates import BadDate, parse_day

from . import services
from .models import Activity, Certificate, Shift, SignUp, Skill, Volunteer
from .pdf import certificate_pdf

Status = SignUp.Status


def _denied(request, reason):
    return render(request, "volunteers/denied.html", {"reason": reason}, status=403)


def resident_page(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            resident = resident_of(request.user)
        except PermissionDenied as exc:
            return _denied(request, str(exc))
        return view(request, resident, *args, **kwargs)
    return wrapper


def staff_page(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.is_volunteer_staff(request.user):
            return _denied(request, _("Only the staff who run volunteer activities can open this page."))
        return view(request, *args, **kwargs)
    return wrapper


def visible_volunteers(user):
    """The registry as staff see it: every active volunteer (registering is agreeing to be asked by
    the staff who run activities), and anyone who took part in their activities; all for administrators.
    The access layer's policy for volunteers decides."""
    return staff_visible(user, Volunteer)


def own_volunteers(user):
    """Volunteers who signed up for, or gave hours to, the activities ``user`` runs (for administrators,
    the activities of their sub-districts, and the volunteers who live there): the time bank a staff
    member keeps, and whose certificates they may issue."""
    administered = administered_subdistrict_ids(user)
    if administered is None:
        return Volunteer.objects.all()
    activities = services.managed_activities(user)
    ours = Q(signups__shift__role__activity__in=activities) | Q(hours_records__activity__in=activities)
    if administered:
        ours |= Q(resident__household__compound__subdistrict__in=administered)
    return Volunteer.objects.filter(ours).distinct()


# ---- volunteers -----------------------------------------------------------------------------------

@resident_page
def home(request, resident):
    volunteer = Volunteer.objects.filter(resident=resident).first()
    context = {"volunteer": volunteer, "skills": Skill.objects.all(), "resident": resident}
    if volunteer is not None:
        now = timezone.now()
        context.update({
            "upcoming": volunteer.signups.filter(status=Status.SIGNED_UP, shift__ends_at__gt=now)
            .select_related("shift__role__activity").order_by("shift__starts_at"),
            "by_activity": services.hours_by_activity(volunteer),
            "total": services.total_hours(volunteer),
            "certificates": volunteer.certificates.all()[:10],
            "chosen": set(volunteer.skills.values_list("pk", flat=True)),
        })
    return render(request, "volunteers/home.html", context)


@require_POST
@resident_page
def register(request, resident):
    skills = Skill.objects.filter(pk__in=[s for s in request.POST.getlist("skills") if s.isdigit()])
    try:
        services.register(resident, skills, request.POST.get("availability", ""), request.POST.get("availability_note", ""))
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved. Thank you for volunteering!"))
    return redirect("volunteers:home")


def _upcoming_activities(now):
    shifts = services.with_taken(Shift.objects.filter(starts_at__gt=now)).select_related("role__required_skill") \
        .order_by("starts_at")
    return Activity.objects.filter(published=True, roles__shifts__starts_at__gt=now).distinct().prefetch_related(
        Prefetch("roles__shifts", queryset=shifts)).select_related("facility")


@resident_page
def activities(request, resident):
    now = timezone.now()
    volunteer = Volunteer.objects.filter(resident=resident).first()
    mine = set()
    if volunteer:
        mine = set(volunteer.signups.filter(status=Status.SIGNED_UP).values_list("shift_id", flat=True))
    return render(request, "volunteers/activities.html", {
        "activities": _upcoming_activities(now), "volunteer": volunteer, "mine": mine,
        "skills": set(volunteer.skills.values_list("pk", flat=True)) if volunteer else set(),
    })


@require_POST
@resident_page
def sign_up(request, resident, pk):
    shift = get_object_or_404(Shift, pk=pk)
    volunteer = Volunteer.objects.filter(resident=resident).first()
    if volunteer is None:
        messages.error(request, _("Register as a volunteer first."))
        return redirect("volunteers:home")
    try:
        services.sign_up(volunteer, shift)
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are signed up. Thank you!"))
    return redirect("volunteers:activities")


@require_POST
@login_required
def cancel(request, pk):
    signup = get_object_or_404(SignUp.objects.select_related("shift__role__activity", "volunteer__resident"), pk=pk)
    mine = signup.volunteer.resident.user_id == request.user.pk
    if not mine and not services.can_manage(request.user, signup.shift.role.activity):
        raise Http404
    try:
        services.cancel(signup, request.user)
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The sign-up is cancelled."))
    return redirect("volunteers:home" if mine else "volunteers:shift", *([] if mine else [signup.shift_id]))


# ---- certificates ---------------------------------------------------------------------------------

@require_POST
@login_required
def issue_certificate(request):
    """A volunteer issues their own; staff issue one for a volunteer they may see (``volunteer``)."""
    volunteer_id = request.POST.get("volunteer")
    if volunteer_id:
        if not services.is_volunteer_staff(request.user):
            raise Http404
        volunteer = get_object_or_404(own_volunteers(request.user), pk=volunteer_id)
        back = reverse("volunteers:staff_volunteer", args=[volunteer.pk])
    else:
        try:
            resident = resident_of(request.user)
        except PermissionDenied as exc:
            return _denied(request, str(exc))
        volunteer = get_object_or_404(Volunteer, resident=resident)
        back = reverse("volunteers:home")
    try:
        certificate = services.issue_certificate(volunteer, issued_by=request.user)
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return redirect("volunteers:certificate_pdf", certificate.code)


@login_required
def certificate_download(request, code):
    certificate = get_object_or_404(Certificate.objects.select_related("volunteer__resident"), code=code)
    own = certificate.volunteer.resident.user_id == request.user.pk
    if not own:
        if not services.is_volunteer_staff(request.user) or \
                not own_volunteers(request.user).filter(pk=certificate.volunteer_id).exists():
            raise Http404
        log_access(request.user, "view", f"volunteer certificate {code}", resident=certificate.volunteer.resident)
    verify_url = request.build_absolute_uri(reverse("volunteers:verify"))
    body = certificate_pdf(certificate, verify_url, _issuer(certificate))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{code}.pdf"'
    return response


def _issuer(certificate):
    from lifecircle.community.models import SubDistrict

    subdistrict = SubDistrict.objects.filter(pk=certificate.volunteer.resident.household.compound.subdistrict_id).first()
    return subdistrict.name if subdistrict else ""


def verify(request):
    """Anyone (a school, an employer) checks a certificate by its code; the name is shown masked."""
    code = (request.GET.get("code") or "").strip().upper()
    certificate = Certificate.objects.filter(code=code).first() if code else None
    return render(request, "volunteers/verify.html", {
        "code": code, "certificate": certificate,
        "masked_name": mask_name(certificate.name) if certificate else "",
        "total": services.format_hours(certificate.total_hours) if certificate else "",
    }, status=404 if code and certificate is None else 200)


# ---- staff ----------------------------------------------------------------------------------------

@staff_page
def staff_home(request):
    now = timezone.now()
    managed = services.managed_activities(request.user).select_related("facility")
    shifts = services.with_taken(Shift.objects.filter(role__activity__in=managed, ends_at__gt=now - datetime.timedelta(days=14))) \
        .select_related("role__activity").order_by("starts_at")
    bank = services.time_bank().filter(pk__in=own_volunteers(request.user).values("pk"))
    rows = [(v, mask_name(v.resident.name), services.format_hours(v.total or 0)) for v in bank]
    return render(request, "volunteers/staff_home.html", {
        "activities": managed, "shifts": shifts, "bank": rows, "now": now,
        "bank_total": services.format_hours(sum((v.total or 0) for v in bank)),
    })


def _managed_shift(request, pk):
    shift = get_object_or_404(Shift.objects.select_related("role__activity", "role__required_skill"), pk=pk)
    if not services.can_manage(request.user, shift.role.activity):
        raise Http404
    return shift


@staff_page
def shift_roster(request, pk):
    shift = _managed_shift(request, pk)
    signups = list(shift.signups.select_related("volunteer__resident").order_by("status", "created_at"))
    for signup in signups:
        log_access(request.user, "view", f"volunteer roster shift {shift.pk}", resident=signup.volunteer.resident)
    recorded = {r.volunteer_id: r for r in shift.hours_records.all()}
    for signup in signups:
        signup.record = recorded.get(signup.volunteer_id)
    taken = {s.volunteer_id for s in signups if s.status == Status.SIGNED_UP}
    required = shift.role.required_skill
    candidates = [v for v in Volunteer.objects.filter(active=True).select_related("resident").prefetch_related("skills")
                  if v.pk not in taken and v.is_available(shift.starts_at, shift.ends_at)
                  and (required is None or required in v.skills.all())]
    return render(request, "volunteers/shift.html", {
        "shift": shift, "signups": signups, "over": shift.ends_at <= timezone.now(),
        "pending": any(s.status == Status.SIGNED_UP and s.record is None for s in signups),
        "free": services.free_places(shift), "default_hours": services.format_hours(shift.hours),
        "candidates": [(v, mask_name(v.resident.name)) for v in candidates[:30]],
    })


@require_POST
@staff_page
def record_shift(request, pk):
    shift = _managed_shift(request, pk)
    attended = {}
    for signup in shift.signups.filter(status=Status.SIGNED_UP).select_related("volunteer__resident"):
        if request.POST.get(f"attended-{signup.volunteer_id}"):
            attended[signup.volunteer] = request.POST.get(f"hours-{signup.volunteer_id}") or shift.hours
    if not attended:
        messages.error(request, _("Tick who came."))
        return redirect("volunteers:shift", shift.pk)
    try:
        records = services.record_shift(request.user, shift, attended)
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded the hours of %(count)d volunteers.") % {"count": len(records)})
    return redirect("volunteers:shift", shift.pk)


@staff_page
def staff_volunteer(request, pk):
    volunteer = get_object_or_404(visible_volunteers(request.user).select_related("resident"), pk=pk)
    log_access(request.user, "view", f"volunteer {volunteer.pk} hours", resident=volunteer.resident)
    if request.method == "POST":
        activity = services.managed_activities(request.user).filter(pk=request.POST.get("activity") or 0).first()
        try:
            if activity is None:
                raise services.VolunteerError(_("Choose one of your activities."))
            try:
                day = parse_day(request.POST.get("date"), _("Date"))
            except BadDate as exc:
                raise services.VolunteerError(exc.message) from None
            if day is None:
                raise services.VolunteerError(_("Give the date like 2026-03-01."))
            services.record_hours(request.user, volunteer, activity, request.POST.get("hours", ""), day,
                                  note=request.POST.get("note", ""))
        except services.VolunteerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Hours recorded."))
        return redirect("volunteers:staff_volunteer", volunteer.pk)
    return render(request, "volunteers/staff_volunteer.html", {
        "volunteer": volunteer, "records": volunteer.hours_records.select_related("activity", "recorded_by"),
        "by_activity": services.hours_by_activity(volunteer), "total": services.total_hours(volunteer),
        "activities": services.managed_activities(request.user), "today": timezone.localdate(),
        "certificates": volunteer.certificates.all()[:10],
        "may_certify": own_volunteers(request.user).filter(pk=volunteer.pk).exists(),
    })

