"""Pages: a resident reports a need and follows it; grid workers handle their grid's requests."""
import datetime
import functools
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle import images
from lifecircle.accounts.access import log_read
from lifecircle.accounts.access import administered_subdistrict_ids, administers
from lifecircle.accounts.permissions import resident_of
from lifecircle.community.models import Grid
from lifecircle.community.templatetags.words import list_words
from lifecircle.compiled_queries import CompiledQuery

from . import intake, lifecycle, nearby, ratelimit
from .api import parse_period
from .models import RequestUpdate, Service, ServiceAttribute, ServiceRequest
from .stats import response_times
from .wire import ErrorList, Open311Error

State = ServiceRequest.State


def _denied(request, reason):
    return render(request, "requests311/denied.html", {"reason": reason}, status=403)


def resident_page(view):
    """Logged in, and a verified resident (else a page saying what is missing)."""
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
    """Logged in, and handling requests: a grid worker or an administrator."""
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if lifecycle.handled_grid_ids(request.user) == set():
            return _denied(request, _("Only grid workers and sub-district administrators handle requests."))
        return view(request, *args, **kwargs)
    return wrapper


# ---- residents ------------------------------------------------------------------------------------

def _form_data(post, service):
    """The page's form as GeoReport v2 fields; datetime-local values get the local offset."""
    data = post.copy()
    if service is not None:
        for attribute in service.attributes.filter(datatype=ServiceAttribute.Datatype.DATETIME):
            name = f"attribute[{attribute.code}]"
            value = (data.get(name) or "").strip()
            moment = parse_datetime(value) if value else None
            if moment is not None and moment.tzinfo is None:
                data[name] = timezone.make_aware(moment).isoformat()
    return data


def _attribute_fields(service, data):
    """The attributes of ``service`` with what the resident entered, for the form."""
    fields = []
    for attribute in service.attributes.prefetch_related("values").order_by("order"):
        name = f"attribute[{attribute.code}]"
        multi = attribute.datatype == ServiceAttribute.Datatype.MULTIVALUELIST
        fields.append({
            "attribute": attribute, "name": name + "[]" if multi else name,
            "value": data.get(name, "") if data else "",
            "chosen": data.getlist(name + "[]") if data and multi else [],
        })
    return fields


@resident_page
def new_request(request, resident):
    services = Service.objects.filter(active=True)
    code = request.POST.get("service_code") or request.GET.get("service")
    service = services.filter(service_code=code).first() if code else None
    if service is None:
        groups = {}
        for item in services:
            groups.setdefault(item.group, []).append(item)
        return render(request, "requests311/choose_service.html", {"groups": groups})
    errors, data = [], None
    if request.method == "POST":
        data = _form_data(request.POST, service)
        if ratelimit.hit(f"user:{request.user.pk}"):
            errors = [_("You have sent many requests in the last minute; please wait a moment and try again.")]
        else:
            try:
                cleaned = intake.parse_new_request(data, request.FILES)
            except Open311Error as error:
                errors = [str(description) for _, description in error.errors]
            else:
                name = resident.name
                cleaned.update(phone=cleaned["phone"] or resident.phone, email=cleaned["email"] or request.user.email,
                               last_name=name[:1], first_name=name[1:])
                created = lifecycle.create_request(cleaned, reporter=request.user, resident=resident,
                                                   absolute=request.build_absolute_uri)
                messages.success(request, _("Thank you. Your request #%(id)s has been sent to %(grid)s.") % {
                    "id": created.pk, "grid": created.grid.name if created.grid_id else _("the sub-district office")})
                return redirect("requests311:detail", created.pk)
    return render(request, "requests311/new.html", {
        "service": service, "fields": _attribute_fields(service, data), "data": data or QueryDict(),
        "errors": errors, "grids": _grids_geojson(), "image_types": images.ACCEPT,
        "max_megabytes": images.MAX_BYTES // 1024 // 1024, "radius": nearby.RADIUS_DEFAULT,
    }, status=400 if errors else 200)


def _grids_geojson():
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g.boundary,
         "properties": {"code": g.code, "name": g.display_name, "subdistrict": g.subdistrict.code}}
        for g in Grid.objects.select_related("subdistrict")
    ]}


# The resident's requests and those they follow, with only the columns the list shows (a request
# has some thirty, the reporter's contact details among them; reading them all cost about 1 ms) and
# their service's names, compiled by the ORM once per process (lifecircle.compiled_queries):
# building and compiling the two queries took about 1 ms of the page's CPU on every visit.
_SERVICE_NAMES = {"service_name": F("service__service_name"), "service_name_en": F("service__service_name_en")}
_MINE = CompiledQuery(lambda user: ServiceRequest.objects.filter(reporter=user)
                      .only("state", "service_id", "requested_at", "status_notes").annotate(**_SERVICE_NAMES))
_FOLLOWED = CompiledQuery(lambda user: ServiceRequest.objects.filter(followers__user=user, service__private=False)
                          .only("state", "service_id").annotate(**_SERVICE_NAMES).order_by("-updated_at"))


def _named_services(requests):
    """``requests``, each with its service: the names the list shows, the rest deferred."""
    for item in requests:
        item.service = Service.from_db(item._state.db, ["id", "service_name", "service_name_en"],
                                       [item.service_id, item.service_name, item.service_name_en])
    return requests


@resident_page
def my_requests(request, resident):
    return render(request, "requests311/mine.html", {
        "requests": _named_services(list(_MINE.objects(user=request.user.pk))),
        "followed": _named_services(list(_FOLLOWED.objects(user=request.user.pk)))})


def _own(request, pk):
    found = get_object_or_404(ServiceRequest.objects.select_related("service", "grid"), pk=pk)
    if not lifecycle.is_reporter(request.user, found):
        raise Http404  # another person's request: not even whether it exists
    return found


def _can_reopen(found):
    return found.state == State.CLOSED and found.closed_at and \
        timezone.now() - found.closed_at <= datetime.timedelta(days=lifecycle.REOPEN_DAYS)


@resident_page
def request_detail(request, resident, pk):
    found = _own(request, pk)
    return render(request, "requests311/detail.html", {
        "item": found, "updates": found.updates.all(), "can_reopen": _can_reopen(found),
        "reopen_days": lifecycle.REOPEN_DAYS, "followers": found.followers.count(), "image_types": images.ACCEPT,
    })


def _public(pk):
    """A request anyone may read: its service is not private (else 404: not even that it exists)."""
    found = get_object_or_404(ServiceRequest.objects.select_related("service", "grid"), pk=pk)
    if found.service.private:
        raise Http404
    return found


def public_report(request, pk):
    """What is published of a request (the fields Open311 shows), with "notify me of updates"."""
    found = _public(pk)
    return render(request, "requests311/report.html", {
        "item": found, "updates": found.updates.exclude(kind="submitted"),
        "following": lifecycle.is_following(request.user, found),
        "can_follow": lifecycle.can_follow(request.user, found),
        "own": lifecycle.is_reporter(request.user, found),
        "duplicate_of": found.duplicate_of if found.duplicate_of_id and not found.duplicate_of.service.private else None,
    })


@require_POST
@resident_page
def follow(request, resident, pk):
    found = _public(pk)
    try:
        if request.POST.get("action") == "unfollow":
            lifecycle.unfollow(found, request.user)
            messages.success(request, _("You will no longer be told of updates to this report."))
        else:
            lifecycle.follow(found, request.user)
            messages.success(request, _("You will be told of every update to this report."))
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("requests311:report", found.pk)


def _photo_response(user, found, field):
    """``field`` (a photo of ``found`` or of one of its updates): public with the request, or for a
    private service only its reporter and the staff who handle it; 404 for anyone else."""
    allowed = not found.service.private or lifecycle.is_reporter(user, found) or (
        user.is_authenticated and lifecycle.can_handle(user, found))
    if not field or not allowed:
        raise Http404
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if found.service.private:  # never kept by a shared cache on the way
        response["Cache-Control"] = "private, no-store"
    return response


def photo(request, pk):
    """The photo sent with a request."""
    found = get_object_or_404(ServiceRequest.objects.select_related("service"), pk=pk)
    return _photo_response(request.user, found, found.photo)


def update_photo(request, pk):
    """The photo sent with a reporter's update."""
    update = get_object_or_404(RequestUpdate.objects.select_related("request__service"), pk=pk)
    return _photo_response(request.user, update.request, update.photo)


def nearby_reports(request):
    """Open public reports near ``lat``/``long`` (JSON), the service given as ``service`` first: the
    form shows them before sending so a duplicate can be followed instead. Bad coordinates: 400."""
    try:
        lat, lon, radius = nearby.check_point(request.GET)
    except Open311Error as error:
        return JsonResponse({"errors": [str(d) for _c, d in error.errors]}, status=400)
    code = (request.GET.get("service") or "").strip()
    service = Service.objects.filter(service_code=code).first() if code else None
    rows = nearby.open_near(lat, lon, radius, service)
    followed = set(request.user.followed_requests.filter(request_id__in=[r.pk for r, _m in rows])
                   .values_list("request_id", flat=True)) if request.user.is_authenticated else set()
    return JsonResponse({"radius": radius, "reports": [{
        "id": r.pk, "service_code": r.service.service_code, "service_name": r.service.display_name,
        "same_service": service is not None and r.service_id == service.pk,
        "state": r.get_state_display(), "distance": round(metres), "requested": r.requested_at.date().isoformat(),
        "address": r.address_string, "description": r.description[:140], "url": lifecycle.public_url(r),
        "following": r.pk in followed, "own": lifecycle.is_reporter(request.user, r),
    } for r, metres in rows]})


@require_POST
@resident_page
def reporter_action(request, resident, pk):
    found = _own(request, pk)
    text = request.POST.get("text", "")
    try:
        if request.POST.get("action") == "reopen":
            lifecycle.reopen(found, text, user=request.user, by_reporter=True)
            messages.success(request, _("Your request is open again; the grid worker has been told."))
        else:
            errors = ErrorList()
            photo = intake.parse_photo(request.FILES, request.POST, errors)
            if errors:
                raise lifecycle.LifecycleError(" ".join(str(d) for _c, d in errors.errors))
            lifecycle.reporter_comment(found, text, user=request.user, photo=photo, absolute=request.build_absolute_uri)
            messages.success(request, _("Your comment has been added."))
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("requests311:detail", found.pk)


# ---- staff ----------------------------------------------------------------------------------------

def _handled(user):
    queryset = ServiceRequest.objects.select_related("service", "grid")
    grids = lifecycle.handled_grid_ids(user)
    if grids is None:
        return queryset
    # unrouted requests (no grid yet) go to the administrators, who route them
    return queryset.filter(Q(grid_id__in=grids) | Q(grid__isnull=True)) if administers(user) else queryset.filter(
        grid_id__in=grids)


@staff_page
def staff_list(request):
    state = request.GET.get("state", "active")
    queryset = _handled(request.user)
    counts = queryset.aggregate(
        active=Count("pk", filter=~Q(state=State.CLOSED)), **{s: Count("pk", filter=Q(state=s)) for s in State.values})
    if state == "active":
        queryset = queryset.exclude(state=State.CLOSED)
    elif state in State.values:
        queryset = queryset.filter(state=state)
    unrouted = queryset.filter(grid__isnull=True) if administers(request.user) else queryset.none()
    return render(request, "requests311/staff_list.html", {
        "requests": queryset.filter(grid__isnull=False)[:500], "unrouted": unrouted[:200], "state": state,
        "counts": counts, "states": [(value, label, counts[value]) for value, label in State.choices],
    })


@staff_page
def staff_detail(request, pk):
    found = get_object_or_404(ServiceRequest.objects.select_related("service", "grid", "resident"), pk=pk)
    if not lifecycle.can_handle(request.user, found):
        return _denied(request, _("You do not handle requests of this grid."))
    log_read(request.user, found, request.path)  # names the request: its reporter may be no resident
    return render(request, "requests311/staff_detail.html", {
        "item": found, "updates": found.updates.select_related("author"),
        "internal_notes": found.internal_notes.select_related("author"),
        "resolutions": ServiceRequest.Resolution.choices,
        "next_states": [(s, State(s).label) for s in State.values if s in lifecycle.TRANSITIONS[found.state]],
        "grids": _routable_grids(request.user),
        "attributes": _attribute_labels(found),
        "nearby_reports": _possible_duplicates(found), "radius": nearby.RADIUS_DEFAULT,
        "has_update_photos": found.updates.exclude(photo="").exists(),
    })


def _routable_grids(user):
    """The grids an administrator may pass a request to: those of the sub-districts they administer."""
    if not administers(user):
        return None
    ids = administered_subdistrict_ids(user)
    return Grid.objects.all() if ids is None else Grid.objects.filter(subdistrict__in=ids)


def _possible_duplicates(found):
    """Other open public reports near this one, the same kind first (candidates for "duplicate")."""
    if found.lat is None or found.lon is None:
        return []
    return [(other, metres) for other, metres in nearby.open_near(found.lat, found.lon, service=found.service)
            if other.pk != found.pk]


def _attribute_labels(found):
    """(description, value names) for the attributes a request was made with."""
    rows = []
    for attribute in found.service.attributes.prefetch_related("values").order_by("order"):
        if attribute.code not in found.attributes:
            continue
        value = found.attributes[attribute.code]
        names = {v.key: v.display_name for v in attribute.values.all()}
        values = value if isinstance(value, list) else [value]
        rows.append((attribute.display_description, list_words(names.get(v, v) for v in values)))
    return rows


def _resolution(post):
    """resolution, duplicate_of and responsible_body from the state form; LifecycleError if the
    duplicate's number names no request."""
    resolution = post.get("resolution", "") if post.get("state") == State.CLOSED else ""
    duplicate_of = None
    if resolution == ServiceRequest.Resolution.DUPLICATE:
        number = post.get("duplicate_of", "").strip().lstrip("#")
        duplicate_of = ServiceRequest.objects.filter(pk=int(number)).first() if number.isdigit() else None
        if duplicate_of is None:
            raise lifecycle.LifecycleError(_("There is no request #%(id)s.") % {"id": number[:20]})
    return {"resolution": resolution, "duplicate_of": duplicate_of,
            "responsible_body": post.get("responsible_body", "")[:200]}


@require_POST
@staff_page
def staff_action(request, pk):
    found = get_object_or_404(ServiceRequest, pk=pk)
    action, note = request.POST.get("action"), request.POST.get("note", "")
    try:
        if action == "state":
            lifecycle.change_state(found, request.POST.get("state", ""), note, request.user,
                                   **_resolution(request.POST))
            messages.success(request, _("Saved; the reporter has been told."))
        elif action == "note" and request.POST.get("audience") == "public":
            lifecycle.add_note(found, note, request.user)
            messages.success(request, _("Update published; the reporter has been told."))
        elif action == "note":
            lifecycle.add_internal_note(found, note, request.user)
            messages.success(request, _("Internal note kept; only staff see it."))
        elif action == "remove_photos":
            lifecycle.remove_photos(found, request.user)
            messages.success(request, _("The photos are taken down."))
        elif action == "reopen":
            lifecycle.reopen(found, note, user=request.user, by_reporter=False)
            messages.success(request, _("Reopened."))
        elif action == "route":
            grid = Grid.objects.filter(pk=request.POST.get("grid") or 0).first()
            if grid is None:
                raise lifecycle.LifecycleError(_("Choose a grid."))
            lifecycle.route_by_hand(found, grid, request.user)
            messages.success(request, _("Passed to %(grid)s.") % {"grid": grid.name})
        else:
            raise lifecycle.LifecycleError(_("Unknown action."))
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("requests311:staff_detail", found.pk)


@staff_page
def response_times_page(request):
    from ninja.errors import HttpError

    try:  # a date that is not a date is a 400 (lifecircle.dates); an empty period is said on the page
        since, until, first, last = parse_period(request.GET.get("start"), request.GET.get("end"))
    except HttpError as exc:
        messages.error(request, str(exc))
        since, until, first, last = parse_period(None, None)
    return render(request, "requests311/times.html", {
        "rows": response_times(since, until), "start": first, "end": last,
    })
