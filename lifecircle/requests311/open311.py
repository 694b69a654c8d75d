"""Open311 GeoReport v2 endpoints, mounted at /open311/v2/.

Plain Django views, because the wire format (XML as well as JSON, form-encoded POST, the spec's
error list) must be exact. Sources: see wire.py. Implemented:

- ``GET discovery.{fmt}``                 Service Discovery (the spec requires one)
- ``GET services.{fmt}``                  GET Service List
- ``GET services/{service_code}.{fmt}``   GET Service Definition
- ``POST requests.{fmt}``                 POST Service Request (api_key required)
- ``GET tokens/{token}.{fmt}``            GET service_request_id from a token
- ``GET requests.{fmt}``                  GET Service Requests
- ``GET requests/{id}.{fmt}``             GET Service Request
- ``GET servicerequestupdates.{fmt}``     the status-update stream (extension, below)
- ``POST servicerequestupdates.{fmt}``    a reporter's update: a comment, or reopening (extension)

Extensions, with their sources:

- Service request updates: mySociety's proposal for Open311 (FixMyStreet wiki, "Open311 FMS -
  Proposed differences to Open311" and "Open311 FMS - Complete Spec"): ``servicerequestupdates``
  with ``start_date``/``end_date``, answering ``<service_request_updates><request_update>`` with
  update_id, service_request_id, status, updated_datetime, description, media_url; and POST of an
  update by the client. The Open311 wiki has no stream of its own: its "GeoReport v2 Extensions"
  page lists "Update History" as issue #15 and shows it as ``notes`` on a request.
- From that Open311 page: ``extensions=true`` adds ``extended_attributes`` (here
  ``detailed_status``: open, acknowledged, in_progress or closed; ``grid``; ``routing``) and
  ``notes`` (the update history: datetime, description, type) to requests and updates; and
  ``page``/``page_size`` paging ("Pagination", the most widely implemented extension).

jurisdiction_id is ignored: this endpoint serves one jurisdiction, which the spec allows.
Private services (``Service.private``: help for an elderly person, childcare) never show their
location, address, description, media or notes in these public answers; personal data of
reporters is never shown at all.
"""
import contextlib
import datetime
import functools

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import connections
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lifecircle.caching import cached_response, each_minute

from . import intake, lifecycle, nearby, ratelimit
from .models import ApiKey, RequestUpdate, Service, ServiceAttribute, ServiceRequest
from .wire import FORMATS, ErrorList, Open311Error, parse_w3c, render, w3c

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"  # when this implementation's behaviour last changed
MAX_SPAN = datetime.timedelta(days=90)
PAGE_SIZE_DEFAULT = 100  # the server-chosen limit the spec allows; page on with page=2, 3, ...
PAGE_SIZE_MAX = 500
PAGE_MAX = 1_000_000
ID_MAX = 2**63 - 1  # the largest id the database can hold; a larger one cannot exist
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.timezone.utc)
LATEST = datetime.datetime(9999, 12, 1, tzinfo=datetime.timezone.utc)  # leaves room for any offset


# ---- plumbing -----------------------------------------------------------------------------------

def endpoint(methods):
    """Check the format suffix and the method, read the form, and turn Open311Error into the
    spec's error list in the requested format (XML when the format itself is wrong). A GET
    endpoint answers HEAD too; OPTIONS lists the methods; any other method is a 405."""
    allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)

    def decorate(view):
        @csrf_exempt  # clients authenticate with api_key, never with a session cookie
        @functools.wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            try:
                if fmt not in FORMATS:
                    raise Open311Error(400, _("Unknown format '%(format)s': end the address with .json or .xml.")
                                       % {"format": fmt[:20]})
                if request.method == "OPTIONS":
                    response = HttpResponse(status=204)
                    response["Allow"] = ", ".join([*allowed, "OPTIONS"])
                    return response
                if request.method not in allowed:
                    error = Open311Error(405, _("%(method)s is not allowed here; use %(allowed)s.")
                                         % {"method": request.method[:20], "allowed": " or ".join(methods)})
                    error.headers = {"Allow": ", ".join([*allowed, "OPTIONS"])}
                    raise error
                if request.method == "POST":
                    try:
                        request.POST  # noqa: B018  (parses the body now, where its errors can be caught)
                    except (RequestDataTooBig, TooManyFieldsSent):
                        raise Open311Error(400, _("The request body is too large or has too many fields.")) from None
                    except (BadRequest, MultiPartParserError, SuspiciousOperation, UnicodeDecodeError, LookupError):
                        raise Open311Error(400, _("The request body could not be read: send the fields form-encoded "
                                                  "(application/x-www-form-urlencoded, or multipart/form-data with "
                                                  "a photo as media) in UTF-8.")) from None
                return view(request, *args, fmt=fmt, **kwargs)  # a HEAD comes as its GET (lifecircle.head)
            except Open311Error as error:
                headers = getattr(error, "headers", None)
                return error.response(fmt if fmt in FORMATS else "xml", headers)
        return wrapper
    return decorate


def whole_number(text, high=ID_MAX):
    """``text`` as an int from 0 to ``high`` when it is written in ASCII digits only, else None
    (Python's int() would also read Arabic-Indic or full-width digits, which no client means)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if value <= high else None


def _throttle(bucket):
    wait = ratelimit.hit(bucket)
    if wait:
        error = Open311Error(429, _("Too many requests: at most %(limit)d a minute. Try again in %(seconds)d seconds.")
                             % {"limit": ratelimit.limit_per_minute(), "seconds": wait})
        error.headers = {"Retry-After": str(wait)}
        raise error


def _api_key(request):
    """The active ApiKey of a POST, after the per-IP and per-key limits; 403 when missing or wrong."""
    _throttle(f"ip:{ratelimit.client_ip(request)}")
    value = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not value:
        raise Open311Error(403, _("api_key is required to submit; ask the sub-district office for one."))
    key = ApiKey.active_for(value)
    if key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed."))
    _throttle(f"key:{key.pk}")
    return key


@contextlib.contextmanager
def c_timestamps(using):
    """Read PostgreSQL's ``timestamptz`` columns with psycopg's own loader (its C one, with
    psycopg's binary package) in the block's queries on database ``using``. Django's loader
    (``django.db.backends.postgresql.psycopg_any.BaseTzLoader``) subclasses psycopg's pure-Python
    one to give each value the connection's zone: reading a page of 100 requests took 2.3–2.6 ms
    of CPU that way, 0.9–1.4 with the C loader. The moments are the same (given in the session's zone, which Django
    sets: UTC), and the answers only write them in the current zone (``wire.w3c``)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return

    def register(execute, sql, params, many, context):
        adapters = getattr(context["cursor"].cursor, "adapters", None)  # psycopg 3; psycopg2 has none
        if adapters is not None:
            adapters.register_loader("timestamptz", _psycopg_timestamptz_loader())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(register):
        yield


@functools.cache
def _psycopg_timestamptz_loader():
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    return psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)


def _truthy(value):
    return (value or "").strip().lower() in ("true", "1", "yes")


def _dates(params, errors):
    """The [start, end] range of start_date/end_date: at most 90 days, the latest 90 by default.
    Dates are read from 1900 to 9999; a range that would run past either end stops there."""
    values = {}
    for name in ("start_date", "end_date"):
        text = (params.get(name) or "").strip()
        if text:
            try:
                values[name] = parse_w3c(text)
            except ValueError:
                errors.add(400, _("%(field)s '%(value)s' is not a W3C date-time with a timezone, "
                                  "e.g. 2010-01-01T00:00:00Z.") % {"field": name, "value": text[:40]})
                continue
            if not EARLIEST <= values[name] <= LATEST:
                errors.add(400, _("%(field)s must lie between the years 1900 and 9999.") % {"field": name})
    if errors:
        return None, None
    start, end = values.get("start_date"), values.get("end_date")
    if start and end:
        if end < start:
            errors.add(400, _("end_date is before start_date."))
        elif end - start > MAX_SPAN:
            errors.add(400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = min(start + MAX_SPAN, LATEST) if start < LATEST - MAX_SPAN else LATEST
    elif end:
        start = end - MAX_SPAN if end > EARLIEST + MAX_SPAN else EARLIEST
    else:
        end = timezone.now()
        start = end - MAX_SPAN
    return start, end


def _paging(params, errors):
    """page (from 1) and page_size (up to PAGE_SIZE_MAX; PAGE_SIZE_DEFAULT when not given)."""
    result = []
    for name, default, high in (("page", 1, PAGE_MAX), ("page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX)):
        text = (params.get(name) or "").strip()
        value = whole_number(text, high) if text else default
        if not value:
            errors.add(400, _("%(field)s must be a whole number from 1%(upto)s.") % {
                "field": name, "upto": _(" to %(max)d") % {"max": high}})
            value = default
        result.append(value)
    return result


def _comma_list(params, name):
    return [v.strip() for v in ",".join(params.getlist(name)).split(",") if v.strip()]


# ---- representations ----------------------------------------------------------------------------

def service_dict(service, metadata):
    return {
        "service_code": service.service_code, "service_name": service.display_name,
        "description": service.display_description or None, "metadata": metadata, "type": service.type,
        "keywords": service.keywords or None, "group": service.group or None,
    }


def attribute_dict(attribute):
    data = {
        "variable": attribute.variable, "code": attribute.code, "datatype": attribute.datatype,
        "required": attribute.required, "datatype_description": attribute.datatype_description or None,
        "order": attribute.order, "description": attribute.display_description,
    }
    if attribute.datatype in ServiceAttribute.LISTS:
        data["values"] = [{"key": v.key, "name": v.display_name} for v in attribute.values.all()]
    return data


# Lists are read with .values(): one dict per row and no model objects, which is most of the cost
# of a long list (and of the garbage collector's work afterwards).
REQUEST_FIELDS = ("pk", "service_id", "state", "status_notes", "description", "service_notice", "requested_at",
                  "updated_at", "expected_at", "address_string", "address_id", "lat", "lon", "media_url",
                  "grid__code", "grid__name", "routing")
NOTE_FIELDS = ("request_id", "created_at", "note", "kind", "state")
UPDATE_FIELDS = ("pk", "request_id", "state", "created_at", "note", "media_url", "kind", "request__service_id")


def note_type(kind, state):
    """submitted, routed, acknowledged, in_progress, closed, note or reopened."""
    return state if kind == RequestUpdate.Kind.STATE else kind


def _status(state):
    return "closed" if state == ServiceRequest.State.CLOSED else "open"


def _shown_services():
    """What every request or update of each kept service shows alike, by the service's pk: (public,
    service_name, service_code). Taken once per answer, not per row: ``display_name`` asks for the
    language each time."""
    return {pk: (not service.private, service.display_name, service.service_code)
            for pk, service in intake.kept_services().items()}


def request_dict(row, shown, zone, notes=None):
    """A request (a ``REQUEST_FIELDS`` row) as GET requests shows it: public fields only; with
    ``notes`` (rows of ``NOTE_FIELDS``), the extensions too. ``shown`` is its service's entry of
    ``_shown_services()``; ``zone``, the current time zone."""
    public, service_name, service_code = shown
    data = {
        "service_request_id": str(row["pk"]),
        "status": _status(row["state"]),
        "status_notes": (row["status_notes"] or None) if public else None,
        "service_name": service_name,
        "service_code": service_code,
        "description": (row["description"] or None) if public else None,
        "agency_responsible": row["grid__name"] or None,
        "service_notice": row["service_notice"] or None,
        "requested_datetime": w3c(row["requested_at"], zone),
        "updated_datetime": w3c(row["updated_at"], zone),
        "expected_datetime": w3c(row["expected_at"], zone),
        "address": (row["address_string"] or None) if public else None,
        "address_id": (row["address_id"] or None) if public else None,
        "zipcode": None,
        "lat": row["lat"] if public else None,
        "long": row["lon"] if public else None,
        "media_url": (row["media_url"] or None) if public else None,
    }
    if notes is not None:
        data["extended_attributes"] = {
            "detailed_status": row["state"], "grid": row["grid__code"], "routing": row["routing"]}
        data["notes"] = [
            {"datetime": w3c(n["created_at"], zone), "description": (n["note"] or None) if public else None,
             "type": note_type(n["kind"], n["state"])}
            for n in notes
        ]
    return data


def request_rows(queryset, extensions=False):
    """The requests of ``queryset`` as GET requests shows them. The zone and each service's own
    values are looked up once per answer, not per row, and PostgreSQL's dates are read by psycopg's
    C loader (``c_timestamps``): reading and formatting a page of 100 took 4.3–5.3 ms of CPU, now
    2.6–3.3 (an ad-hoc script on the kept city site)."""
    with c_timestamps(queryset.db):
        rows = list(queryset.values(*REQUEST_FIELDS))
        notes = {row["pk"]: [] for row in rows} if extensions else {}
        if notes:
            updates = RequestUpdate.objects.filter(request_id__in=list(notes)).order_by("created_at", "pk")
            for note in updates.values(*NOTE_FIELDS):
                notes[note["request_id"]].append(note)
    zone, shown = timezone.get_current_timezone(), _shown_services()
    return [request_dict(row, shown[row["service_id"]], zone, notes.get(row["pk"]) if extensions else None)
            for row in rows]


def update_dict(row, shown, zone, extensions=False):
    public = shown[0]
    data = {
        "update_id": str(row["pk"]),
        "service_request_id": str(row["request_id"]),
        "status": _status(row["state"]),
        "updated_datetime": w3c(row["created_at"], zone),
        "description": (row["note"] or None) if public else None,
        "media_url": (row["media_url"] or None) if public else None,
    }
    if extensions:
        data["extended_attributes"] = {"detailed_status": row["state"], "type": note_type(row["kind"], row["state"])}
    return data


# ---- endpoints ----------------------------------------------------------------------------------

@endpoint(["GET"])
def discovery(request, fmt):
    url = request.build_absolute_uri("/open311/v2/")
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or None,
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "") or None,
        "endpoints": [{
            "specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })


@endpoint(["GET"])
@cached_response("open311-services")
def services(request, fmt):
    with_attributes = set(ServiceAttribute.objects.values_list("service_id", flat=True))
    rows = [service_dict(s, s.pk in with_attributes) for s in Service.objects.filter(active=True)]
    return render(fmt, "services", rows)


@endpoint(["GET"])
@cached_response("open311-services")
def service_definition(request, code, fmt):
    service = Service.objects.filter(service_code=code, active=True).first()
    if service is None:
        raise Open311Error(404, _("service_code '%(code)s' was not found; GET services lists them.") % {"code": code[:64]})
    attributes = service.attributes.prefetch_related("values").order_by("order")
    return render(fmt, "service_definition", {
        "service_code": service.service_code, "attributes": [attribute_dict(a) for a in attributes]})


@endpoint(["GET", "POST"])
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


def _create(request, fmt):
    key = _api_key(request)
    cleaned = intake.parse_new_request(request.POST, request.FILES)
    service_request = lifecycle.create_request(cleaned, api_key=key, absolute=request.build_absolute_uri)
    row = ({"token": service_request.token} if service_request.service.type == Service.Type.BATCH
           else {"service_request_id": str(service_request.pk)})
    row["service_notice"] = service_request.service_notice or None
    row["account_id"] = service_request.account_id or None
    return render(fmt, "service_requests", [row])


@cached_response("requests311", clock=each_minute, timeout=60)  # without dates the 90-day window moves with the clock
def _search(request, fmt):
    params, errors = request.GET, ErrorList()
    extensions = _truthy(params.get("extensions"))
    page, page_size = _paging(params, errors)
    ids = _comma_list(params, "service_request_id")
    lat = lon = radius = None
    queryset = ServiceRequest.objects.order_by("-requested_at", "-pk")  # newest first, stable across pages
    if ids:  # "This overrides all other arguments."
        wrong = [i for i in ids if whole_number(i, high=10**30) is None]
        if wrong:
            errors.add(400, _("service_request_id must be numbers; got %(ids)s.") % {"ids": ", ".join(w[:20] for w in wrong)})
        errors.raise_if_any()
        # an id past what the database can hold was never issued: it is simply not found
        queryset = queryset.filter(pk__in=[n for n in (whole_number(i) for i in ids) if n is not None])
    else:
        codes = _comma_list(params, "service_code")
        # from the kept services (inactive ones too), not a query: one for no codes cost a compile
        known = {service.service_code: pk for pk, service in intake.kept_services().items()} if codes else {}
        for code in codes:
            if code not in known:
                errors.add(400, _("service_code '%(code)s' is not a service of this endpoint; GET services lists them.")
                           % {"code": code[:64]})
        statuses = [s.lower() for s in _comma_list(params, "status")]
        for status in statuses:
            if status not in ("open", "closed"):
                errors.add(400, _("status '%(status)s' is not open or closed.") % {"status": status[:20]})
        start, end = _dates(params, errors)
        located = any((params.get(name) or "").strip() for name in ("lat", "long", "radius"))
        lat, lon, radius = nearby.read_point(params, errors) if located else (None, None, None)
        errors.raise_if_any()
        queryset = queryset.filter(requested_at__gte=start, requested_at__lte=end)
        if codes:
            queryset = queryset.filter(service_id__in=sorted({known[code] for code in codes}))
        if statuses and set(statuses) != {"open", "closed"}:
            closed = ServiceRequest.State.CLOSED
            queryset = queryset.filter(state=closed) if statuses[0] == "closed" else queryset.exclude(state=closed)
    offset = (page - 1) * page_size
    if lat is None:
        return render(fmt, "service_requests", request_rows(queryset[offset:offset + page_size], extensions))
    # lat/long/radius (extension): the public requests within radius metres, nearest first
    near = nearby.within(queryset, lat, lon, radius)[offset:offset + page_size]
    rows = {int(row["service_request_id"]): row
            for row in request_rows(queryset.filter(pk__in=[pk for pk, _m in near]), extensions)}
    for pk, metres in near:
        if extensions and pk in rows:
            rows[pk]["extended_attributes"]["distance"] = round(metres, 1)
    return render(fmt, "service_requests", [rows[pk] for pk, _m in near if pk in rows])


@endpoint(["GET"])
def request_detail(request, request_id, fmt):
    number = whole_number(request_id)
    # one row: without the model's ordering, which cost a tenth of the answer to compile
    rows = request_rows(ServiceRequest.objects.filter(pk=number).order_by(), _truthy(request.GET.get("extensions"))) \
        if number is not None else []
    if not rows:
        raise Open311Error(404, _("service_request_id '%(id)s' was not found.") % {"id": request_id[:40]})
    return render(fmt, "service_requests", rows)


@endpoint(["GET"])
def token(request, token, fmt):
    found = ServiceRequest.objects.filter(token=token).first()
    if found is None:
        raise Open311Error(404, _("token '%(token)s' was not found.") % {"token": token[:40]})
    return render(fmt, "service_requests", [{"service_request_id": str(found.pk), "token": found.token}])


@endpoint(["GET", "POST"])
def updates(request, fmt):
    if request.method == "POST":
        return _post_update(request, fmt)
    return _list_updates(request, fmt)


@cached_response("open311-updates", "open311-services", clock=each_minute, timeout=60)
def _list_updates(request, fmt):
    params, errors = request.GET, ErrorList()
    extensions = _truthy(params.get("extensions"))
    page, page_size = _paging(params, errors)
    start, end = _dates(params, errors)
    errors.raise_if_any()
    queryset = (RequestUpdate.objects.exclude(kind=RequestUpdate.Kind.SUBMITTED)
                .filter(created_at__gte=start, created_at__lte=end).order_by("created_at", "pk"))
    offset = (page - 1) * page_size
    zone, shown = timezone.get_current_timezone(), _shown_services()
    with c_timestamps(queryset.db):
        found = list(queryset[offset:offset + page_size].values(*UPDATE_FIELDS))
    rows = [update_dict(row, shown[row["request__service_id"]], zone, extensions) for row in found]
    return render(fmt, "service_request_updates", rows)


def _post_update(request, fmt):
    """A reporter's update (mySociety's POST Service Request Update): status "open" on a closed
    request reopens it with the description as the reason; the same status as now adds a comment.
    The reporter proves who they are with the email, account_id or token the request was made with."""
    _api_key(request)
    data, errors = request.POST, ErrorList()
    request_id = (data.get("service_request_id") or "").strip()
    number = whole_number(request_id)
    target = ServiceRequest.objects.select_related("service").filter(pk=number).first() if number is not None else None
    if not request_id:
        errors.add(400, _("service_request_id is required."))
    elif target is None:
        errors.add(404, _("service_request_id '%(id)s' was not found.") % {"id": request_id[:40]})
    status = (data.get("status") or "").strip().lower()
    if status not in ("open", "closed"):
        errors.add(400, _("status must be open or closed."))
    if (data.get("updated_datetime") or "").strip():
        try:
            parse_w3c(data["updated_datetime"])
        except ValueError:
            errors.add(400, _("updated_datetime is not a W3C date-time with a timezone."))
    description = intake.parse_description(data, errors, required=True)
    media_url = intake.check_media_url((data.get("media_url") or "").strip(), errors)
    photo = intake.parse_photo(request.FILES, data, errors)
    errors.raise_if_any()
    if not lifecycle.matches_reporter(target, data.get("email"), data.get("account_id"), data.get("token")):
        raise Open311Error(403, _("Only the person who made the request may update it: send the email, "
                                  "account_id or token it was made with."))
    try:
        if status == "open" and target.state == ServiceRequest.State.CLOSED:
            lifecycle.reopen(target, description, by_reporter=True)
            update = target.updates.latest("created_at", "pk")
        elif status == target.status:
            update = lifecycle.reporter_comment(target, description, media_url, photo=photo,
                                                absolute=request.build_absolute_uri)
        else:
            raise lifecycle.LifecycleError(_("Only the grid worker closes a request; to add a comment send "
                                             "its present status (%(status)s).") % {"status": target.status})
    except lifecycle.LifecycleError as exc:
        raise Open311Error(400, str(exc)) from None
    return render(fmt, "service_request_updates", [{"update_id": str(update.pk)}])


@csrf_exempt
def not_found(request, path=""):
    """Anything else under /open311/v2/: 404 in the spec's format (400 when the suffix is missing)."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    fmt = last.rsplit(".", 1)[-1] if "." in last else "xml"
    if "." not in last:
        error = Open311Error(400, _("Add a format to the address: %(path)s.json or %(path)s.xml.") % {"path": path[:60]})
    else:
        error = Open311Error(404, _("There is no resource %(path)s here; try services.xml or requests.xml.")
                             % {"path": path[:60]})
    return error.response(fmt if fmt in FORMATS else "xml")
