"""What happens to a request: routing to a grid, the lifecycle, notes, reopening, notifications.

Every change is one transaction that locks the request row first, so two grid workers (or a
worker and the reporter) acting at once cannot both move it from the same state.

Lifecycle::

    open ──► acknowledged ──► in progress ──► closed
      │            └──────────────────────────▲ │
      └────────────────────────────────────────┘ │  (closing at once, e.g. a duplicate, with a note)
    closed ──► reopened: by the reporter (within REOPEN_DAYS) or by staff, with a reason;
               a reopened request moves on as an open one does

A closed request says how it ended (``resolution``): done, a duplicate (linked to the request it
repeats, which the reporter is pointed to) or not the sub-district's responsibility (naming who
is responsible). These end states are FixMyStreet's "duplicate", "not responsible" and "reopened".

Two kinds of note: public updates (``change_state``, ``add_note``) reach the reporter and become
the request's ``status_notes`` in Open311; internal notes (``add_internal_note``) are for staff
only, kept in their own table, never published and never sent.

Followers: a signed-in resident may follow a public request ("notify me of updates": ``follow``,
``unfollow``); every public update (a change of state, a public note, reopening, a reporter's
comment) tells them, each in the language they read in (``notify_in_languages``). Private
services (help for an elderly neighbour) cannot be followed by anyone but their reporter, who is
told anyway. Internal notes tell nobody.

``acknowledged_at`` is the first time staff moved the request on from open (the response time);
``closed_at`` is when it was last closed (cleared on reopening), so the closing time of a
request that was reopened runs until the need was finally met.
"""
import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import Point

from lifecircle import caching
from lifecircle.accounts.access import administers, scope_of
from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.permissions import resident_of
from lifecircle.community.models import Grid
from lifecircle.community.scope import topics
from lifecircle.compiled_queries import CompiledQuery
from lifecircle.notifications.service import notify_in_languages

from .models import Follower, InternalNote, RequestUpdate, ServiceRequest

log = logging.getLogger(__name__)
State = ServiceRequest.State
Routing = ServiceRequest.Routing

TRANSITIONS = {
    State.OPEN: {State.ACKNOWLEDGED, State.IN_PROGRESS, State.CLOSED},
    State.ACKNOWLEDGED: {State.IN_PROGRESS, State.CLOSED},
    State.IN_PROGRESS: {State.CLOSED},
    State.CLOSED: set(),  # reopening is its own action, with a reason
    State.REOPENED: {State.ACKNOWLEDGED, State.IN_PROGRESS, State.CLOSED},
}
Resolution = ServiceRequest.Resolution
REOPEN_DAYS = 30
NOTE_MAX = 4000


class LifecycleError(Exception):
    """A change the rules do not allow; the message says why, for the person who tried."""


# ---- routing -------------------------------------------------------------------------------------

def _grid_index():
    """Every grid with a readable boundary, in routing order, and a spatial index of their shapes."""
    grids, shapes = [], []
    for grid in Grid.objects.order_by("subdistrict_id", "code"):
        try:
            shapes.append(grid.polygon)
        except ValueError:  # a broken boundary must not stop the other grids from being tried
            log.warning("grid %s has an invalid boundary", grid.pk)
            continue
        grids.append(grid)
    return grids, STRtree(shapes)


def prepare_worker():
    """Parse the grids' boundaries into this process before its first request (lifecircle.startup):
    a city's first report in each worker otherwise waited about 20 ms for its 800 grids. Returns how
    many grids."""
    return len(_kept_grid_index()[0])


def _kept_grid_index():
    return caching.in_this_process(topics(), "requests311.grid-index", _grid_index)


def find_grid(lon, lat):
    """The grid whose boundary contains (lon, lat), or None. A point on the line between two grids
    goes to the first by sub-district and code, so the same point always goes to the same grid.
    The grids' shapes are parsed once per process and directory change, and only those whose
    bounding box holds the point are tested: a city's thousand grids cost no more than four."""
    grids, tree = _kept_grid_index()
    point = Point(lon, lat)
    for i in sorted(tree.query(point)):
        if tree.geometries[i].covers(point):
            return grids[i]
    return None


def route(lat, lon):
    """(grid, routing) for a location: the containing grid, or None and why it needs a person."""
    if lat is None or lon is None:
        return None, Routing.ADDRESS_ONLY
    grid = find_grid(lon, lat)
    return (grid, Routing.GRID) if grid else (None, Routing.OUTSIDE)


def grid_workers(grid):
    """The active users who are grid workers of ``grid``: told of each request routed to it."""
    return _active_holders(StaffRole.Role.GRID_WORKER, grid)


def administrators():
    """The active sub-district administrators: told of each request that needs routing by hand."""
    return _active_holders(StaffRole.Role.ADMINISTRATOR)


def _active_holders(role, grid=None):
    """The active users holding ``role`` (in ``grid``, if given), by pk. Every new request asks it,
    so its query is compiled once per process (``lifecircle.compiled_queries``): built and compiled
    by the ORM each time (then a join and DISTINCT) it took 0.5–0.8 ms of CPU, its SQL run again 0.2."""
    if grid is None:
        return list(_HOLDERS.objects(role=role))
    return list(_HOLDERS_IN_GRID.objects(role=role, grid=grid.pk))


def _holders(role: str):
    return _active_users_among(StaffRole.objects.filter(role=role))


def _holders_in_grid(role: str, grid: int):
    return _active_users_among(StaffRole.objects.filter(role=role, grid=grid))


def _active_users_among(roles):
    """The active users whom one of ``roles`` names, by pk, each once."""
    return get_user_model()._default_manager.filter(
        Exists(roles.filter(user=OuterRef("pk"))), is_active=True).order_by("pk")


_HOLDERS, _HOLDERS_IN_GRID = CompiledQuery(_holders), CompiledQuery(_holders_in_grid)


# ---- who may do what -----------------------------------------------------------------------------

def handled_grid_ids(user):
    """The grids whose requests ``user`` handles: their own grids and every grid of the sub-districts
    they administer; None means all (superusers)."""
    scope = scope_of(user)  # the access layer decides
    if scope.everything:
        return None
    administered = Grid.objects.filter(subdistrict__in=scope.subdistricts).values_list("pk", flat=True)
    return set(scope.grids) | (set(administered) if scope.subdistricts else set())


def can_handle(user, request):
    """Whether ``user`` handles ``request``: a routed one if it is in their grids; an unrouted one
    (outside every grid, so of no sub-district yet) if they administer a sub-district, to route it."""
    grids = handled_grid_ids(user)
    if grids is None:
        return True
    return request.grid_id in grids if request.grid_id is not None else administers(user)


def is_reporter(user, request):
    return user.is_authenticated and request.reporter_id is not None and request.reporter_id == user.pk


def matches_reporter(request, email="", account_id="", token=""):
    """Whether the identifiers a client sent are those the request was made with."""
    email, account_id, token = (email or "").strip(), (account_id or "").strip(), (token or "").strip()
    return bool(
        (email and request.email and email.lower() == request.email.lower())
        or (account_id and request.account_id and account_id == request.account_id)
        or (token and token == request.token)
    )


# ---- notifications -------------------------------------------------------------------------------

def _staff_url(request):
    return reverse("requests311:staff_detail", args=[request.pk])


def _resident_url(request):
    return reverse("requests311:detail", args=[request.pk])


def public_url(request):
    """The page anyone may read of a (non-private) request."""
    return reverse("requests311:report", args=[request.pk])


def photo_url(request):
    return reverse("requests311:photo", args=[request.pk])


def _notify_reporter(request, render):
    """In the app when the reporter has an account (in every language: ``render()`` gives the
    subject and body in the active one); otherwise by e-mail, in the site's, when they gave one."""
    if request.reporter_id:
        notify_in_languages(request.reporter, "information", render, _resident_url(request))
    elif request.email:
        address = request.email
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = render()

        def send():
            try:
                send_mail(subject, body, None, [address])
            except OSError as exc:  # a mail server being down must not undo the change it reports
                log.warning("could not e-mail the reporter of request %s: %s", request.pk, exc)

        transaction.on_commit(send)


def _notify_followers(request, render, *, acting=None):
    """Everyone following ``request`` but its reporter (told on their own) and whoever acted."""
    if request.service.private:  # nobody but the reporter may follow it; a row left from before is not told
        return
    followers = Follower.objects.filter(request=request, user__is_active=True).select_related("user")
    for follower in followers.exclude(user_id__in=[pk for pk in (request.reporter_id, acting) if pk]):
        notify_in_languages(follower.user, "information", render, public_url(request))


def _notify_handlers(request, render):
    people = grid_workers(request.grid) if request.grid_id else administrators()
    for user in people:
        notify_in_languages(user, "information", render, _staff_url(request))


def _where(request):
    if request.address_string:
        return request.address_string
    if request.lat is not None:
        return f"{request.lat:.5f}, {request.lon:.5f}"
    return request.address_id


# ---- changes -------------------------------------------------------------------------------------

def create_request(cleaned, *, api_key=None, reporter=None, resident=None, now=None, absolute=str):
    """Save a new request from cleaned values (see intake.parse_new_request), route it, tell the grid.

    A checked ``photo`` is stored with it and its ``media_url`` names the page that serves it, made
    absolute by ``absolute(path)`` (the caller's ``request.build_absolute_uri``)."""
    service = cleaned["service"]
    now = now or timezone.now()
    grid, routing = route(cleaned["lat"], cleaned["lon"])
    fields = {k: v for k, v in cleaned.items() if k not in ("service", "photo")}
    photo = cleaned.get("photo")
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            service=service, grid=grid, routing=routing, api_key=api_key, reporter=reporter, resident=resident,
            service_notice=service.service_notice, requested_at=now, updated_at=now,
            expected_at=now + datetime.timedelta(hours=service.expected_hours) if service.expected_hours else None,
            **fields,
        )
        if photo is not None:
            request.photo.save(photo.name, photo, save=False)
            request.media_url = absolute(photo_url(request))
            request.save(update_fields=["photo", "media_url"])
        RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.SUBMITTED, state=State.OPEN,
                                     author=reporter, by_reporter=True, created_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            if grid is not None:
                _notify_handlers(request, lambda: (_("New request #%(id)s: %(service)s") % {
                    "id": request.pk, "service": service.display_name},
                    _("%(service)s at %(where)s.\n%(description)s") % {
                        "service": service.display_name, "where": _where(request), "description": request.description[:300]}))
            else:
                def reason():
                    return (_("It gives an address only.") if routing == Routing.ADDRESS_ONLY
                            else _("Its location is outside every grid."))
                _notify_handlers(request, lambda: (_("Request #%(id)s needs routing by hand") % {"id": request.pk},
                                 _("%(service)s at %(where)s. %(reason)s") % {
                                     "service": service.display_name, "where": _where(request), "reason": reason()}))
    return request


def _locked(request):
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("service", "grid").get(pk=request.pk)


def _locked_to_handle(request, user):
    """The request row, locked, once ``user`` is shown to handle its grid; LifecycleError if not."""
    request = _locked(request)
    if not can_handle(user, request):
        raise LifecycleError(_("You do not handle requests of this grid."))
    return request


def _note_given(note):
    note = _clean_note(note)
    if not note:
        raise LifecycleError(_("The note is empty."))
    return note


def _clean_note(note):
    from .intake import plain_text

    note = plain_text(note or "")
    if len(note) > NOTE_MAX:
        raise LifecycleError(_("A note may be at most %(max)d characters long.") % {"max": NOTE_MAX})
    return note


def _resolution_note(request, resolution, duplicate_of, responsible_body):
    """Check a closing's resolution; the public sentence that explains it (or "")."""
    if resolution not in Resolution.values:
        raise LifecycleError(_("'%(value)s' is not a way a request can end.") % {"value": resolution})
    if resolution == Resolution.DUPLICATE:
        if duplicate_of is None:
            raise LifecycleError(_("Give the number of the request this one repeats."))
        if duplicate_of.pk == request.pk:
            raise LifecycleError(_("A request cannot be a duplicate of itself."))
        return _("This repeats request #%(id)s; follow that one for news.") % {"id": duplicate_of.pk}
    if resolution == Resolution.NOT_RESPONSIBLE:
        if not responsible_body.strip():
            raise LifecycleError(_("Say who is responsible for this instead."))
        return _("This is not the sub-district's responsibility; %(body)s handles it.") % {
            "body": responsible_body.strip()}
    return ""


def change_state(request, new_state, note, user, now=None, *, resolution="", duplicate_of=None, responsible_body=""):
    """Move ``request`` to ``new_state`` with a note the reporter will read; staff only. Closing
    takes a ``resolution``: a duplicate names the request it repeats (``duplicate_of``), "not our
    responsibility" names who is (``responsible_body``); their public note is written for them."""
    note = _clean_note(note)
    now = now or timezone.now()
    resolution = resolution or ""
    with transaction.atomic():
        request = _locked_to_handle(request, user)
        if new_state not in State.values:
            raise LifecycleError(_("'%(state)s' is not a state.") % {"state": new_state})
        if new_state not in TRANSITIONS[request.state]:
            raise LifecycleError(_("A request that is %(current)s cannot become %(new)s.") % {
                "current": request.get_state_display(), "new": State(new_state).label})
        if resolution and new_state != State.CLOSED:
            raise LifecycleError(_("Only a closing says how a request ended."))
        with translation.override(settings.LANGUAGE_CODE):
            explained = _resolution_note(request, resolution, duplicate_of, responsible_body)
        note = " ".join(part for part in (explained, note) if part)
        if new_state == State.CLOSED and not note:
            raise LifecycleError(_("Say in a note how the request was closed; the reporter will read it."))
        request.state = new_state
        request.updated_at = now
        if request.acknowledged_at is None:
            request.acknowledged_at = now
        if new_state == State.CLOSED:
            request.closed_at = now
            request.resolution = resolution
            request.duplicate_of = duplicate_of if resolution == Resolution.DUPLICATE else None
            request.responsible_body = responsible_body.strip() if resolution == Resolution.NOT_RESPONSIBLE else ""
        if note:
            request.status_notes = note
        request.save(update_fields=["state", "updated_at", "acknowledged_at", "closed_at", "status_notes",
                                    "resolution", "duplicate_of", "responsible_body"])
        RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.STATE, state=new_state, note=note,
                                     author=user, created_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            _notify_reporter(request, lambda: (_("Your request #%(id)s is now %(state)s") % {
                "id": request.pk, "state": request.get_state_display()}, note or request.get_state_display()))
        _notify_followers(request, lambda: (_("Request #%(id)s that you follow is now %(state)s") % {
            "id": request.pk, "state": request.get_state_display()}, note or request.get_state_display()),
            acting=user.pk)
    return request


def add_internal_note(request, note, user, now=None):
    """A note for staff only ("called the property company, they blame the builder"): it changes
    neither the request's public notes nor its update time, and nobody outside is told."""
    note = _note_given(note)
    with transaction.atomic():
        request = _locked_to_handle(request, user)
        return InternalNote.objects.create(request=request, note=note, author=user, created_at=now or timezone.now())


def add_note(request, note, user, now=None):
    """A public update without a change of state (e.g. "the repair team comes on Tuesday"): the
    reporter is told and it becomes the request's public ``status_notes``; staff only."""
    note = _note_given(note)
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked_to_handle(request, user)
        request.status_notes, request.updated_at = note, now
        request.save(update_fields=["status_notes", "updated_at"])
        RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.NOTE, state=request.state, note=note,
                                     author=user, created_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            _notify_reporter(request, lambda: (_("News on your request #%(id)s") % {"id": request.pk}, note))
        _notify_followers(request, lambda: (_("News on request #%(id)s that you follow") % {"id": request.pk}, note),
                          acting=user.pk)
    return request


def reopen(request, reason, *, user=None, by_reporter=True, now=None):
    """Open a closed request again. The reporter may do so within REOPEN_DAYS of its closing (the
    caller has checked that it is the reporter); staff who handle the grid may at any time."""
    reason = _clean_note(reason)
    now = now or timezone.now()
    if not reason:
        raise LifecycleError(_("Say why the request should be reopened."))
    with transaction.atomic():
        request = _locked(request)
        if request.state != State.CLOSED:
            raise LifecycleError(_("Only a closed request can be reopened; this one is %(state)s.") % {
                "state": request.get_state_display()})
        if not by_reporter and not can_handle(user, request):
            raise LifecycleError(_("You do not handle requests of this grid."))
        if by_reporter and request.closed_at and now - request.closed_at > datetime.timedelta(days=REOPEN_DAYS):
            raise LifecycleError(_("This request was closed more than %(days)d days ago; please make a new one.")
                                 % {"days": REOPEN_DAYS})
        request.state, request.closed_at, request.updated_at, request.status_notes = State.REOPENED, None, now, reason
        request.resolution, request.duplicate_of, request.responsible_body = "", None, ""
        request.save(update_fields=["state", "closed_at", "updated_at", "status_notes", "resolution", "duplicate_of",
                                    "responsible_body"])
        RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.REOPENED, state=State.REOPENED, note=reason,
                                     author=user if user and user.is_authenticated else None, by_reporter=by_reporter,
                                     created_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            if by_reporter:
                _notify_handlers(request, lambda: (_("Request #%(id)s was reopened by its reporter") % {"id": request.pk}, reason))
            else:
                _notify_reporter(request, lambda: (_("Your request #%(id)s was reopened") % {"id": request.pk}, reason))
        _notify_followers(request, lambda: (_("Request #%(id)s that you follow was reopened") % {"id": request.pk},
                                            reason), acting=user.pk if user and user.is_authenticated else None)
    return request


def remove_photos(request, user, now=None):
    """Take down the photos of a request and of its updates (a face, a number plate, a neighbour's
    window): the files are deleted once the change commits, ``media_url`` no longer names them, and
    an internal note records who did it. Staff who handle the grid only."""
    with transaction.atomic():
        request = _locked_to_handle(request, user)
        updates = [u for u in request.updates.all() if u.photo]
        if not request.photo and not updates:
            raise LifecycleError(_("This request has no photo."))
        files = []
        for item in (request, *updates):
            if item.photo:
                files.append((item.photo.storage, item.photo.name))
                item.photo, item.media_url = "", ""
                item.save(update_fields=["photo", "media_url"])
        InternalNote.objects.create(request=request, author=user, created_at=now or timezone.now(),
                                    note=_("Photos taken down: %(count)d.") % {"count": len(files)})
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return len(files)


def route_by_hand(request, grid, user, now=None):
    """Give an unrouted (or wrongly routed) request to a grid; administrators only."""
    now = now or timezone.now()
    if not administers(user, grid.subdistrict_id):
        raise LifecycleError(_("Only sub-district administrators route requests by hand, to the grids of their "
                               "own sub-district."))
    with transaction.atomic():
        request = _locked(request)
        request.grid, request.routing, request.updated_at = grid, Routing.MANUAL, now
        request.save(update_fields=["grid", "routing", "updated_at"])
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Passed to %(grid)s.") % {"grid": grid.name}
            RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.ROUTED, state=request.state,
                                         note=note, author=user, created_at=now)
            _notify_handlers(request, lambda: (_("New request #%(id)s: %(service)s") % {
                "id": request.pk, "service": request.service.display_name}, _("Passed to %(grid)s.") % {"grid": grid.name}))
    return request


def reporter_comment(request, text, media_url="", user=None, now=None, *, photo=None, absolute=str):
    """The reporter adds something (a photo, "it is still broken") without changing the state. A
    checked ``photo`` (lifecircle.images) is kept with the update, which then names it as its
    ``media_url``, made absolute by ``absolute(path)``."""
    text = _clean_note(text)
    now = now or timezone.now()
    if not text:
        raise LifecycleError(_("The comment is empty."))
    with transaction.atomic():
        request = _locked(request)
        update = RequestUpdate.objects.create(request=request, kind=RequestUpdate.Kind.NOTE, state=request.state,
                                              note=text, media_url=media_url, by_reporter=True, created_at=now,
                                              author=user if user and user.is_authenticated else None)
        if photo is not None:
            update.photo.save(photo.name, photo, save=False)
            update.media_url = absolute(reverse("requests311:update_photo", args=[update.pk]))
            update.save(update_fields=["photo", "media_url"])
        request.updated_at = now
        request.save(update_fields=["updated_at"])
        with translation.override(settings.LANGUAGE_CODE):
            _notify_handlers(request, lambda: (_("The reporter of request #%(id)s added a comment") % {"id": request.pk}, text))
        _notify_followers(request, lambda: (_("News on request #%(id)s that you follow") % {"id": request.pk}, text))
    return update


# ---- following -----------------------------------------------------------------------------------

def can_follow(user, request):
    """Whether ``user`` may follow ``request``: a verified resident, a public request, not their own
    (its reporter is told of every update anyway)."""
    try:
        resident_of(user)
    except PermissionDenied:
        return False
    return not request.service.private and not is_reporter(user, request)


def follow(request, user, now=None):
    """``user`` is told of every public update of ``request`` from now on (again: no change)."""
    resident_of(user)  # PermissionDenied saying what is missing
    if request.service.private:
        raise LifecycleError(_("This request is private; only its reporter is told of its updates."))
    if is_reporter(user, request):
        raise LifecycleError(_("You made this request; you are told of every update already."))
    follower, _created = Follower.objects.get_or_create(request=request, user=user,
                                                       defaults={"created_at": now or timezone.now()})
    return follower


def unfollow(request, user):
    """``user`` is no longer told of ``request``'s updates (not following it: no change)."""
    Follower.objects.filter(request=request, user=user).delete()


def is_following(user, request):
    return user.is_authenticated and Follower.objects.filter(request=request, user=user).exists()
