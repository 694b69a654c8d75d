"""Creating scenarios and changing their facilities: add, move, close, reopen, resize, and add
the sites a siting model proposed.

Every change is checked in full before anything is written, runs in one transaction holding the
scenario's row lock (two planners editing one scenario take turns, so its results always match
its facilities), recomputes only the categories it touches, and is logged with the time it took.
The live directory is never written.
"""
import re

from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import Point

from lifecircle.community.models import Grid
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M, snap_points
from lifecircle.geography import check_lon_lat

from . import compute
from .models import Scenario, ScenarioChange, ScenarioFacility

UNSET = object()


class PlanningError(ValueError):
    """A change that cannot be made, with the reason to show the planner."""


def grid_at(subdistrict, lon, lat):
    """The grid whose boundary holds the point, or None."""
    point = Point(lon, lat)
    for grid in Grid.objects.filter(subdistrict=subdistrict):
        try:
            if grid.polygon.covers(point):
                return grid
        except ValueError:
            continue
    return None


def check_point(subdistrict, lon, lat):
    """A valid (lon, lat) near enough to a walkable street, or PlanningError saying why not."""
    try:
        lon, lat = check_lon_lat(lon, lat)
    except ValueError as exc:
        raise PlanningError(str(exc)) from None
    graph = compute.graph_of(subdistrict)
    snap = snap_points(graph, [lon], [lat])
    if not snap.ok[0]:
        raise PlanningError(_("This point is %(d)d m from the nearest walkable street; a facility must be within "
                              "%(limit)d m of one.") % {"d": round(float(snap.far_distance_m[0])),
                                                         "limit": DEFAULT_MAX_SNAP_M})
    return lon, lat


def _category(slug):
    category = ServiceCategory.objects.filter(slug=slug).first()
    if category is None:
        raise PlanningError(_("There is no service category '%(slug)s'.") % {"slug": slug})
    return category


def _capacity(value):
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise PlanningError(_("Capacity must be a whole number, not '%(value)s'.") % {"value": value}) from None
    if number < 0:
        raise PlanningError(_("Capacity cannot be negative."))
    return number


def _locked(scenario):
    return Scenario.objects.select_for_update().get(pk=scenario.pk)


def _finish(scenario, user, action, code, detail, slugs):
    seconds = compute.recompute(scenario, slugs)
    scenario.save(update_fields=["updated_at"])
    return ScenarioChange.objects.create(scenario=scenario, user=user if user and user.is_authenticated else None,
                                         action=action, facility_code=code, detail=detail,
                                         categories=sorted(slugs), seconds=seconds)


def create_scenario(subdistrict, name, user=None, description=""):
    """A new scenario holding a copy of every facility of the sub-district, with its results."""
    name = (name or "").strip()
    if not name:
        raise PlanningError(_("Give the scenario a name."))
    if len(name) > 200:
        raise PlanningError(_("A scenario name can have at most 200 characters."))
    if Scenario.objects.filter(subdistrict=subdistrict, name=name).exists():
        raise PlanningError(_("A scenario called '%(name)s' already exists.") % {"name": name})
    compute.graph_of(subdistrict)  # refuse before writing when there is no network
    with transaction.atomic():
        scenario = Scenario.objects.create(subdistrict=subdistrict, name=name, description=description or "",
                                           created_by=user if user and user.is_authenticated else None)
        live = list(Facility.objects.filter(subdistrict=subdistrict).prefetch_related("services").order_by("code"))
        copies = ScenarioFacility.objects.bulk_create([
            ScenarioFacility(scenario=scenario, source=f, code=f.code, name=f.name, name_en=f.name_en,
                             category_id=f.category_id, lon=f.lon, lat=f.lat, grid_id=f.grid_id, capacity=f.capacity,
                             active=f.active, origin=ScenarioFacility.Origin.COPIED)
            for f in live
        ])
        through = ScenarioFacility.services.through
        through.objects.bulk_create([
            through(scenariofacility_id=copy.pk, servicecategory_id=service.pk)
            for copy, f in zip(copies, live) for service in f.services.all()
        ])
        slugs = list(ServiceCategory.objects.values_list("slug", flat=True))
        _finish(scenario, user, ScenarioChange.Action.CREATE, "", {"facilities": len(copies)}, slugs)
    return scenario


def _new_code(scenario, base):
    base = re.sub(r"[^a-z0-9_-]+", "-", (base or "new").lower()).strip("-")[:50] or "new"
    taken = set(ScenarioFacility.objects.filter(scenario=scenario).values_list("code", flat=True))
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def add_facility(scenario, user, *, category, lon, lat, name="", name_en="", services=(), capacity=None, code=None,
                 origin=ScenarioFacility.Origin.ADDED):
    """Add a facility to the scenario; returns the change (with the categories recomputed)."""
    main = _category(category)
    extra = [_category(slug) for slug in services or () if slug != main.slug]
    lon, lat = check_point(scenario.subdistrict, lon, lat)
    capacity = _capacity(capacity)
    if code:
        code = str(code).strip()
        if not re.fullmatch(r"[-a-zA-Z0-9_]{1,64}", code):
            raise PlanningError(_("A code may hold only letters, digits, '-' and '_' (at most 64)."))
    name = (name or "").strip()[:200] or _("New %(category)s") % {"category": main.display_name}
    with transaction.atomic():
        scenario = _locked(scenario)  # checked under the lock, so two planners cannot take one code
        if code and ScenarioFacility.objects.filter(scenario=scenario, code=code).exists():
            raise PlanningError(_("This scenario already has a facility with code '%(code)s'.") % {"code": code})
        facility = ScenarioFacility.objects.create(
            scenario=scenario, code=code or _new_code(scenario, main.slug), name=name, name_en=(name_en or "")[:200],
            category=main, lon=lon, lat=lat, grid=grid_at(scenario.subdistrict, lon, lat), capacity=capacity,
            origin=origin)
        facility.services.set(extra)
        slugs = {main.slug, *(c.slug for c in extra)}
        return _finish(scenario, user, ScenarioChange.Action.ADD, facility.code,
                       {"lon": lon, "lat": lat, "category": main.slug, "capacity": capacity}, slugs)


def change_facility(scenario, user, code, *, lon=None, lat=None, capacity=UNSET, active=None):
    """Move (lon and lat), resize (capacity), close (active=False) or reopen (active=True) a facility.

    Only one kind of change per call, so the log says exactly what was done.
    """
    kinds = [(lon is not None or lat is not None), capacity is not UNSET, active is not None]
    if sum(kinds) != 1:
        raise PlanningError(_("Make one change at a time: move, resize, close or reopen."))
    if kinds[0]:
        if lon is None or lat is None:
            raise PlanningError(_("A move needs both a longitude and a latitude."))
        lon, lat = check_point(scenario.subdistrict, lon, lat)
    elif kinds[1]:
        capacity = _capacity(capacity)
    with transaction.atomic():
        # Read the facility under the scenario's lock: a concurrent change is either wholly before or after.
        scenario = _locked(scenario)
        facility = ScenarioFacility.objects.filter(scenario=scenario, code=code).first()
        if facility is None:
            raise PlanningError(_("This scenario has no facility with code '%(code)s'.") % {"code": code})
        slugs = {c.slug for c in facility.all_categories()}
        if kinds[0]:
            action, detail = ScenarioChange.Action.MOVE, {"from": [facility.lon, facility.lat], "to": [lon, lat]}
            fields = {"lon": lon, "lat": lat, "grid": grid_at(scenario.subdistrict, lon, lat)}
            touched = slugs if facility.active else set()  # a closed facility counts for nothing
        elif kinds[1]:
            action, detail = ScenarioChange.Action.RESIZE, {"from": facility.capacity, "to": capacity}
            fields, touched = {"capacity": capacity}, set()  # walking distances do not depend on capacity
        else:
            active = bool(active)
            if active == facility.active:
                raise PlanningError(_("This facility is already open.") if active
                                    else _("This facility is already closed."))
            action = ScenarioChange.Action.REOPEN if active else ScenarioChange.Action.CLOSE
            detail, fields, touched = {}, {"active": active}, slugs
        ScenarioFacility.objects.filter(pk=facility.pk).update(**fields)
        return _finish(scenario, user, action, facility.code, detail, touched)


def add_sites(scenario, user, category, sites, capacity=None, name=""):
    """Add the sites a siting model chose as new facilities of ``category``, in one change."""
    main = _category(category)
    if not sites:
        raise PlanningError(_("There are no sites to add."))
    checked = [check_point(scenario.subdistrict, lon, lat) for lon, lat in sites]
    capacity = _capacity(capacity)
    with transaction.atomic():
        scenario = _locked(scenario)
        codes = []
        for i, (lon, lat) in enumerate(checked, start=1):
            code = _new_code(scenario, f"sited-{main.slug}")
            label = (name or "").strip()[:190] or _("Proposed %(category)s") % {"category": main.display_name}
            ScenarioFacility.objects.create(
                scenario=scenario, code=code, name=f"{label} {i}", category=main, lon=lon, lat=lat,
                grid=grid_at(scenario.subdistrict, lon, lat), capacity=capacity, origin=ScenarioFacility.Origin.SITED)
            codes.append(code)
        return _finish(scenario, user, ScenarioChange.Action.SITE, ", ".join(codes)[:200],
                       {"sites": [list(p) for p in checked], "category": main.slug, "capacity": capacity},
                       {main.slug})
