"""A generated walk of the staff console: every role × every registered admin model (issue 10).

The world is the planning usage world (baby care, meals, bookings, day care, requests in two grids)
plus a consent, a health consent and check, a delivery need, a child, an activity sign-up and two
home care plans with a visit each (one at the care home, one at the canteen). For each role and
each model the walk proves, against an oracle that follows the access policy's paths on the
objects themselves (in Python, not through the access layer's queries):

- the changelist lists nothing outside the role's scope, and everything inside it;
- a record outside the scope cannot be opened, changed or deleted, and opening one writes no log;
- a record inside it that holds personal data writes exactly one audit entry when opened;
- every foreign key on the add and change forms (drop-down, raw id or autocomplete alike: they all
  validate against the field's queryset) offers only rows inside the scope, so an out-of-scope id
  typed in is refused.
"""
import datetime
import json
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from lifecircle.accounts import access
from lifecircle.accounts.models import AccessLog, Consent, StaffRole
from lifecircle.accounts.testing import make_child, make_staff
from lifecircle.community.models import Grid
from lifecircle.directory.models import Facility
from lifecircle.eldercare import services as eldercare
from lifecircle.eldercare.models import Activity as SeniorActivity
from lifecircle.eldercare.models import HealthConsent
from lifecircle.homecare.models import CareNeed, CarePlan, Carer, Visit
from lifecircle.meals.models import DeliveryNeed, MealOrder
from lifecircle.planning.tests.test_usage import TODAY, at, clock, fast_passwords, mini, person, world  # noqa: F401
from lifecircle.volunteers import services as volunteers
from lifecircle.volunteers.models import Activity as VolunteerActivity
from lifecircle.volunteers.models import HoursRecord, Shift
from lifecircle.volunteers.models import Role as VolunteerRole

pytestmark = pytest.mark.django_db

#: Change pages opened per model and role, each side of the scope: enough to prove it, quick to run.
SAMPLE = 3


@pytest.fixture
def town(world):
    subdistrict = world.mini
    west, east = Grid.objects.get(code="west"), Grid.objects.get(code="east")
    canteen, center = Facility.objects.get(code="canteen"), Facility.objects.get(code="center")
    babycare, home = Facility.objects.get(code="babycare"), Facility.objects.get(code="home")
    principal, proxy = person("赵老伯", born=datetime.date(1938, 2, 2)), person("赵女儿", "b")
    Consent.objects.create(principal=principal, proxy=proxy, relation="daughter", evidence="form 1",
                           recorded_by=make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict))
    make_child(principal.household, "赵小宝")
    carer = StaffRole.objects.filter(role=StaffRole.Role.DAY_CARE_STAFF, facility=canteen).first().user
    eldercare.record_consent(carer, principal, "form 2")
    eldercare.record_check(carer, principal, canteen, {"pulse": 70})
    DeliveryNeed.objects.create(resident=MealOrder.objects.first().resident, lives_alone=True, recorded_by=carer)
    club = SeniorActivity.objects.create(facility=canteen, title="太极", capacity=5, start=at(TODAY, 15),
                                         end=at(TODAY, 16))
    eldercare.sign_up(principal.user, club.pk)
    # volunteering at the centre (west) and at the baby-care centre (east)
    for facility, name in ((center, "周志愿"), (babycare, "吴志愿")):
        activity = VolunteerActivity.objects.create(subdistrict=subdistrict, facility=facility, title="义诊", published=True)
        shift = Shift.objects.create(role=VolunteerRole.objects.create(activity=activity, name="引导员"),
                                     starts_at=at(TODAY, 9), ends_at=at(TODAY, 10), capacity=2)
        volunteer = volunteers.register(person(name))
        volunteers.sign_up(volunteer, shift, now=at(TODAY - datetime.timedelta(days=1), 9))
        HoursRecord.objects.create(volunteer=volunteer, activity=activity, hours=2, date=TODAY - datetime.timedelta(days=1),
                                   recorded_by=carer)
        volunteers.issue_certificate(volunteer)
    # care at home: the principal has a plan with the care home (east) and one with the canteen (west)
    for provider in (home, canteen):
        plan = CarePlan.objects.create(resident=principal, provider=provider, care_level=2, assessed_on=TODAY,
                                       consent=HealthConsent.objects.get(resident=principal), start=TODAY,
                                       created_by=carer)
        plan.carers.add(Carer.objects.create(provider=provider, name=f"{provider.code} 护工", skills=["nursing"]))
        window = {"window_start": datetime.time(8), "window_end": datetime.time(9), "minutes": 30}
        need = CareNeed.objects.create(plan=plan, kind="nursing", weekdays=list(range(7)), **window)
        Visit.objects.create(plan=plan, need=need, date=TODAY, status="done", observations="血压正常",
                             recorded_by=carer, **window)
    roles = {
        "superuser": get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only"),
        "administrator": make_staff(StaffRole.Role.ADMINISTRATOR, subdistrict),
        "canteen staff (west)": make_staff(StaffRole.Role.CANTEEN_STAFF, subdistrict, facility=canteen),
        "centre manager (west)": make_staff(StaffRole.Role.CENTRE_MANAGER, subdistrict, facility=center),
        "centre manager (canteen)": make_staff(StaffRole.Role.CENTRE_MANAGER, subdistrict, facility=canteen),
        "baby-care staff (east)": make_staff(StaffRole.Role.BABY_CARE_STAFF, subdistrict, facility=babycare),
        "day-care staff (east)": make_staff(StaffRole.Role.DAY_CARE_STAFF, subdistrict, facility=home),
        "grid worker (west)": make_staff(StaffRole.Role.GRID_WORKER, subdistrict, grid=west),
        "grid worker (east)": make_staff(StaffRole.Role.GRID_WORKER, subdistrict, grid=east),
        "resident": principal.user,
    }
    return SimpleNamespace(roles=roles, principal=principal, proxy=proxy, club=club, canteen=canteen, home=home,
                           stranger=person("孙陌生", "b"))


def reached(obj, path):
    """The primary keys reached from ``obj`` along an ORM path, following many-valued relations too."""
    objs = [obj]
    for part in path.split("__"):
        if part == "pk":
            continue
        following = []
        for current in objs:
            value = getattr(current, part, None)
            if value is None:
                continue
            following.extend(value.all() if hasattr(value, "all") else [value])
        objs = following
    return {o.pk for o in objs}


def oracle(user, model):
    """The rows of ``model`` the user's staff roles reach, worked out object by object."""
    rows = list(model._default_manager.all())
    policy = access.policy_for(model)
    roles = list(StaffRole.objects.filter(user=user))
    if policy is None or user.is_superuser or any(r.role == StaffRole.Role.ADMINISTRATOR for r in roles):
        return {o.pk for o in rows}
    facilities = {r.facility_id for r in roles if r.role in StaffRole.FACILITY_ROLES}
    grids = {r.grid_id for r in roles if r.role == StaffRole.Role.GRID_WORKER}

    def inside(obj):
        return (any(reached(obj, p) & facilities for p in policy.facility)
                or any(reached(obj, p) & grids for p in policy.grid)
                or (roles and any(user.pk in reached(obj, p) for p in policy.recorder))
                or (roles and policy.open_to_staff and all(getattr(obj, k) == v for k, v in policy.open_to_staff)))
    return {o.pk for o in rows if inside(o)}


def choice_fields(form_class):
    return {name: field for name, field in form_class.base_fields.items()
            if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField))}


def test_every_role_sees_and_changes_only_its_scope_in_every_admin_model(town):
    factory = RequestFactory()
    checked = {"lists": 0, "refused pages": 0, "opened pages": 0, "foreign keys": 0}
    for label, user in town.roles.items():
        client = Client()
        client.force_login(user)
        request = factory.get("/admin/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            where = f"{label} × {model._meta.label}"
            if not (user.is_staff and model_admin.has_view_or_change_permission(request)):
                status = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/").status_code
                assert status in (302, 403), where
                continue
            expected = oracle(user, model)
            listing = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
            assert listing.status_code == 200, where
            listed = {obj.pk for obj in listing.context["cl"].queryset}
            assert listed == expected, where  # nothing outside, nothing missing
            checked["lists"] += 1

            outside = model._default_manager.exclude(pk__in=expected)[:SAMPLE]
            for obj in outside:
                assert not model_admin.has_view_permission(request, obj), where
                assert not model_admin.has_change_permission(request, obj), where
                assert not model_admin.has_delete_permission(request, obj), where
                before = AccessLog.objects.count()
                page = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/")
                assert page.status_code == 302, where  # "does not exist", the same as a wrong number
                assert AccessLog.objects.count() == before, where
                checked["refused pages"] += 1

            policy = access.policy_for(model)
            for obj in model._default_manager.filter(pk__in=expected)[:SAMPLE]:
                before = AccessLog.objects.count()
                page = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/")
                assert page.status_code == 200, where
                logged = AccessLog.objects.count() - before
                assert logged == (1 if policy is not None and policy.personal else 0), where
                checked["opened pages"] += 1

            forms_to_check = []
            if model_admin.has_add_permission(request):
                forms_to_check.append(model_admin.get_form(request, None))
            changeable = model._default_manager.filter(pk__in=expected).first()
            if changeable is not None and model_admin.has_change_permission(request, changeable):
                forms_to_check.append(model_admin.get_form(request, changeable))
            for form_class in forms_to_check:
                for name, field in choice_fields(form_class).items():
                    related = field.queryset.model
                    if access.policy_for(related) is None or name in getattr(model_admin, "open_choices", ()):
                        continue
                    offered = set(field.queryset.values_list("pk", flat=True))
                    assert offered <= oracle(user, related), f"{where}.{name}"
                    checked["foreign keys"] += 1
    print(checked)
    # The walk really walked: every kind of check ran many times.
    assert checked["lists"] >= 60 and checked["refused pages"] >= 30 and checked["opened pages"] >= 60
    assert checked["foreign keys"] >= 10


# ---- the API and the exports ---------------------------------------------------------------------

#: Every GET route of the API, by who may read it. A new route fails the walk until it is listed
#: here, so nobody adds a read of personal data without deciding who may see it.
PUBLIC = "public"        # no personal data: anyone
OWN = "own"              # the signed-in resident's own data and the people they act for
STAFF = "staff"          # staff of the facility or grid the data belongs to
AGGREGATE = "aggregate"  # figures for planners and grid workers: counts and times, nobody named

ROUTES = {
    "/api/subdistricts": PUBLIC, "/api/grids": PUBLIC, "/api/compounds": PUBLIC,
    "/api/geo/grids.geojson": PUBLIC, "/api/geo/compounds.geojson": PUBLIC, "/api/geo/boundary.geojson": PUBLIC,
    "/api/geo/network.geojson": PUBLIC, "/api/categories": PUBLIC, "/api/facilities": PUBLIC,
    "/api/facilities/{code}": PUBLIC, "/api/facilities/{code}/rooms": PUBLIC, "/api/rooms": PUBLIC,
    "/api/pois": PUBLIC, "/api/geo/facilities.geojson": PUBLIC, "/api/geo/pois.geojson": PUBLIC,
    "/api/hsds/": PUBLIC, "/api/hsds/{path:rest}": PUBLIC, "/api/hsds/services": PUBLIC, "/api/hsds/services/{id}": PUBLIC,
    "/api/hsds/organizations": PUBLIC, "/api/hsds/organizations/{id}": PUBLIC, "/api/hsds/locations": PUBLIC,
    "/api/hsds/locations/{id}": PUBLIC, "/api/hsds/service_at_locations": PUBLIC,
    "/api/hsds/service_at_locations/{id}": PUBLIC, "/api/hsds/taxonomies": PUBLIC, "/api/hsds/taxonomies/{id}": PUBLIC,
    "/api/hsds/taxonomy_terms": PUBLIC, "/api/hsds/taxonomy_terms/{id}": PUBLIC,
    "/api/accessibility/compounds/{code}": PUBLIC, "/api/accessibility/coverage": PUBLIC,
    "/api/accessibility/gaps": PUBLIC, "/api/accessibility/off-network": PUBLIC,
    "/api/accessibility/isochrones": PUBLIC, "/api/babycare/centres": PUBLIC,
    "/api/babycare/applications": OWN, "/api/babycare/placements/{placement_id}/attendance": OWN,
    "/api/babycare/staff/centres/{code}/waitlist": STAFF, "/api/babycare/staff/centres/{code}/register": STAFF,
    "/api/bookings/rooms": PUBLIC, "/api/bookings/rooms/{room_id}/availability": PUBLIC, "/api/bookings/events": PUBLIC,
    "/api/bookings/events/{event_id}": PUBLIC, "/api/bookings/me/bookings": OWN, "/api/bookings/me/registrations": OWN,
    "/api/bookings/staff/bookings/pending": STAFF,
    "/api/meals/points": PUBLIC, "/api/meals/menus": PUBLIC, "/api/meals/orders": OWN, "/api/meals/statement": OWN,
    "/api/meals/statement.csv": OWN, "/api/meals/staff/production": STAFF, "/api/meals/staff/deliveries": STAFF,
    "/api/meals/staff/statement": STAFF, "/api/meals/staff/statement.csv": STAFF,
    "/api/participation/processes": PUBLIC, "/api/participation/processes/{slug}": PUBLIC,
    "/api/participation/processes/{slug}/proposals": PUBLIC, "/api/participation/proposals/{proposal_id}": PUBLIC,
    "/api/participation/proposals/{proposal_id}/comments": PUBLIC, "/api/geo/proposals.geojson": PUBLIC,
    "/api/participation/representatives": PUBLIC, "/api/participation/threads": PUBLIC,
    "/api/participation/threads/{thread_id}": PUBLIC,
    "/api/requests311/requests.geojson": PUBLIC, "/api/requests311/response-times": AGGREGATE,
    "/api/planning/scenarios": AGGREGATE, "/api/planning/scenarios/{scenario_id}": AGGREGATE,
    "/api/planning/scenarios/{scenario_id}/changes": AGGREGATE, "/api/planning/scenarios/{scenario_id}/coverage": AGGREGATE,
    "/api/planning/scenarios/{scenario_id}/compounds": AGGREGATE, "/api/planning/compare": AGGREGATE,
    "/api/eldercare/activities": PUBLIC, "/api/eldercare/place-types": PUBLIC, "/api/eldercare/my/signups": OWN,
    "/api/eldercare/my/admissions": OWN, "/api/eldercare/my/health-checks": OWN,
    "/api/eldercare/staff/occupancy": STAFF, "/api/eldercare/staff/health-checks": STAFF,
    "/api/eldercare/staff/activities/{activity_id}/signups": STAFF,
    "/api/homecare/providers/{provider_id}/days/{day}": STAFF, "/api/homecare/my/visits": OWN,
    "/api/homecare/providers/{provider_id}/new-site": AGGREGATE,
    "/api/volunteers/activities": PUBLIC, "/api/volunteers/me/hours": OWN, "/api/volunteers/certificates/{code}": PUBLIC,
}


def api_get_routes():
    from lifecircle.api import api

    routes = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            if any("GET" in op.methods for op in view.operations):
                routes.add(("/api/" + prefix + path).replace("//", "/").replace("//", "/"))
    return routes


def test_every_api_read_is_classified():
    assert api_get_routes() - set(ROUTES) == set(), "classify the new GET routes in ROUTES"


def names_of_residents():
    """Every resident's and child's name (one-character test names are left out: they occur in places' names)."""
    from lifecircle.accounts.models import Child, Resident

    names = {r.name for r in Resident.objects.all()} | {c.name for c in Child.objects.all()}
    return {name for name in names if len(name) >= 2}


def text_of(response):
    """What a response says, with JSON decoded: names in JSON are escaped (\\u5f20) otherwise."""
    if response.get("Content-Type", "").startswith("application/json") or response.get(
            "Content-Type", "").startswith("application/geo+json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode("utf-8", "replace")


def test_public_own_and_aggregate_reads_show_nobody_elses_personal_data(town):
    """Public routes to anyone, residents' routes to a resident with no data of their own, and the
    planners' figures to an administrator name nobody (list routes are called bare; routes that take
    an id, with the first one there is)."""
    from lifecircle.babycare.models import Placement
    from lifecircle.bookings.models import Event
    from lifecircle.community.models import Compound

    names = names_of_residents() - {town.stranger.name}
    fill = {"{code}": Facility.objects.first().code, "{placement_id}": str(Placement.objects.first().pk),
            "{room_id}": "1", "{event_id}": str(Event.objects.first().pk), "{id}": "1", "{slug}": "x",
            "{proposal_id}": "1", "{thread_id}": "1"}
    resident, administrator = Client(), Client()
    resident.force_login(town.stranger.user)
    administrator.force_login(town.roles["administrator"])
    called = 0
    for route, kind in ROUTES.items():
        if kind == STAFF:
            continue
        client = administrator if kind == AGGREGATE else resident
        url = route
        for key, value in fill.items():
            url = url.replace(key, value)
        if url.endswith("/accessibility/compounds/" + fill["{code}"]):
            url = url.replace(fill["{code}"], Compound.objects.first().code)
        response = client.get(url)
        assert response.status_code < 500, url
        text = text_of(response)
        leaked = {name for name in names if name in text}
        assert not leaked, f"{url} shows {leaked}"
        called += 1
    assert called >= 60


def staff_reads(town):
    """(url, the facility or grid it belongs to) for each staff read of personal data."""
    from lifecircle.babycare.models import CareProgramme

    diner = MealOrder.objects.filter(menu__facility=town.canteen).first().resident
    centre = CareProgramme.objects.get()
    return [
        (f"/api/babycare/staff/centres/{centre.code}/waitlist", centre.facility),
        (f"/api/babycare/staff/centres/{centre.code}/register?date={TODAY}", centre.facility),
        (f"/api/meals/staff/deliveries?facility={town.canteen.pk}&date={TODAY}", town.canteen),
        (f"/api/meals/staff/statement?resident={diner.pk}&month=2026-06&facility={town.canteen.pk}", town.canteen),
        (f"/api/meals/staff/statement.csv?resident={diner.pk}&month=2026-06&facility={town.canteen.pk}",
         town.canteen),
        (f"/api/eldercare/staff/health-checks?facility={town.canteen.pk}", town.canteen),
        (f"/api/eldercare/staff/health-checks?facility={town.home.pk}", town.home),
        (f"/api/eldercare/staff/activities/{town.club.pk}/signups", town.canteen),
        (f"/api/homecare/providers/{town.home.pk}/days/{TODAY}", town.home),
    ]


def test_staff_reads_of_personal_data_are_scoped_and_audited(town):
    names = names_of_residents()
    shown = 0
    for label, user in town.roles.items():
        client = Client()
        client.force_login(user)
        scope = access.scope_of(user)
        for url, facility in staff_reads(town):
            before = AccessLog.objects.count()
            response = client.get(url)
            text = text_of(response)
            if scope.everything or facility.pk in scope.facilities:
                assert response.status_code == 200, f"{label} {url}"
                people = {name for name in names if name in text}
                # a read that showed someone is in the audit log, at least once per person shown
                assert AccessLog.objects.count() - before >= len(people), f"{label} {url}"
                shown += bool(people)
            else:
                assert response.status_code in (403, 404), f"{label} {url}"
                assert not {name for name in names if name in text}, f"{label} {url}"
                assert AccessLog.objects.count() == before, f"{label} {url}"
    assert shown >= 6  # the in-scope reads really showed people


def test_pending_bookings_list_only_the_staff_members_facilities(town):
    from lifecircle.bookings.models import Booking

    for label, user in town.roles.items():
        client = Client()
        client.force_login(user)
        response = client.get("/api/bookings/staff/bookings/pending")
        if response.status_code != 200:
            continue
        listed = {row["id"] for row in response.json()}
        assert listed <= set(access.visible(user, Booking).values_list("pk", flat=True)), label
