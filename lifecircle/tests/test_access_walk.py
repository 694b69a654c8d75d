"""A generated walk of the staff console: every role × every registered admin model (issues 9 and 10).

The world is the planning usage world (baby care, meals, bookings, day care, requests in two grids)
plus a consent, a health consent and check, a delivery need, a child, an activity sign-up and two
home care plans with a visit each (one at the care home, one at the canteen); and, in the same
installation, a second sub-district (tests/packs/second, which reuses the first one's codes) with
its own administrator, grid worker and canteen staff, residents, a consent, a child, a volunteer, a
request, a personal data request, a planning scenario and a participatory process. For each role
and each model the walk proves, against an oracle that follows the access policy's paths on the
objects themselves (in Python, not through the access layer's queries):

- the changelist lists nothing outside the role's scope, and everything inside it;
- a record outside the scope cannot be opened, changed or deleted, and opening one writes no log;
- a record inside it that holds personal data writes exactly one audit entry when opened;
- every foreign key on the add and change forms (drop-down, raw id or autocomplete alike: they all
  validate against the field's queryset) offers only rows inside the scope, so an out-of-scope id
  typed in is refused;
- a staff member of one sub-district (its administrator included) lists, opens, may change and is
  offered as a choice no row whose path leads to the other sub-district.
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
from lifecircle.accounts.models import AccessLog, Consent, RightsRequest, StaffRole
from lifecircle.accounts.permissions import staff_facility_ids
from lifecircle.accounts.testing import make_child, make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound, Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.eldercare import services as eldercare
from lifecircle.eldercare.models import Activity as SeniorActivity
from lifecircle.eldercare.models import HealthConsent
from lifecircle.homecare.models import CareNeed, CarePlan, Carer, Visit
from lifecircle.meals.models import DeliveryNeed, MealOrder
from lifecircle.participation.models import Comment, Process, Proposal, Representative, Thread
from lifecircle.planning import scenarios
from lifecircle.planning.tests.test_usage import TODAY, at, clock, fast_passwords, mini, world  # noqa: F401
from lifecircle.volunteers import services as volunteers
from lifecircle.volunteers.models import Activity as VolunteerActivity
from lifecircle.volunteers.models import HoursRecord, Shift
from lifecircle.volunteers.models import Role as VolunteerRole

pytestmark = pytest.mark.django_db

#: Change pages opened per model and role, each side of the scope: enough to prove it, quick to run.
SAMPLE = 3
#: The second sub-district's pack: about 3.5 km east of the mini one, with the same codes.
SECOND = MINI.parent / "second"


def in_place(subdistrict, name, compound="a", born=datetime.date(1950, 5, 1)):
    """A verified resident living in ``compound`` of ``subdistrict`` (codes repeat across sub-districts)."""
    return make_resident(make_household(Compound.objects.get(subdistrict=subdistrict, code=compound)), name, born)


def _second(second):
    """The second sub-district's people and records, and its staff (by role label)."""
    admin2 = make_staff(StaffRole.Role.ADMINISTRATOR, second)
    canteen2 = Facility.objects.get(subdistrict=second, code="canteen")
    west2 = Grid.objects.get(subdistrict=second, code="west")
    principal, proxy = in_place(second, "钱老太"), in_place(second, "钱儿子")
    Consent.objects.create(principal=principal, proxy=proxy, relation="son", evidence="form 3", recorded_by=admin2)
    make_child(principal.household, "钱小妹")
    volunteers.register(in_place(second, "郑志愿"))
    RightsRequest.objects.create(resident=principal, submitted_by=principal, kind=RightsRequest.Kind.CORRECTION,
                                 field=RightsRequest.Field.PHONE, new_value="13900000000")
    access.log_read(admin2, principal, "walk: a read in the second sub-district")
    process = Process.objects.create(subdistrict=second, slug="second-park", title="第二街道口袋公园")
    proposal = Proposal.objects.create(process=process, author=proxy, title="多放长椅", body="<p>长椅</p>")
    Comment.objects.create(proposal=proposal, author=principal, body="同意")
    scenarios.create_scenario(second, "第二街道方案", admin2)
    from django.http import QueryDict

    from lifecircle.requests311 import intake, lifecycle

    data = QueryDict(mutable=True)
    data.update({"service_code": "street_light", "long": "121.4830", "lat": "31.2330", "attribute[problem]": "off"})
    request = lifecycle.create_request(intake.parse_new_request(data))
    request.resident = principal
    request.grid = west2
    request.save(update_fields=["resident", "grid"])
    return {
        "administrator (second)": admin2,
        "grid worker (second)": make_staff(StaffRole.Role.GRID_WORKER, second, grid=west2),
        "canteen staff (second)": make_staff(StaffRole.Role.CANTEEN_STAFF, second, facility=canteen2),
    }


@pytest.fixture
def town(world):
    subdistrict = world.mini
    second = load_pack(SECOND)  # loaded after the world, whose helpers look places up by code alone
    here = {"subdistrict": subdistrict}
    west, east = Grid.objects.get(code="west", **here), Grid.objects.get(code="east", **here)
    canteen, center = Facility.objects.get(code="canteen", **here), Facility.objects.get(code="center", **here)
    babycare, home = Facility.objects.get(code="babycare", **here), Facility.objects.get(code="home", **here)

    def person(name, compound="a", born=datetime.date(1950, 5, 1)):
        return in_place(subdistrict, name, compound, born)

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
        **_second(second),
    }
    Process.objects.create(subdistrict=subdistrict, slug="mini-park", title="口袋公园")
    scenarios.create_scenario(subdistrict, "方案一", roles["administrator"])
    for place, writer in ((subdistrict, principal), (second, Consent.objects.get(relation="son").principal)):
        # a public letter (staff of its sub-district see it) and a private one (no staff member does)
        representative = Representative.objects.create(user=make_user(), subdistrict=place, name=f"{place.code}代表")
        Thread.objects.create(representative=representative, resident=writer, subject="公开信", is_public=True)
        Thread.objects.create(representative=representative, resident=writer, subject="私信")
    RightsRequest.objects.create(resident=principal, submitted_by=proxy, kind=RightsRequest.Kind.CORRECTION,
                                 field=RightsRequest.Field.PHONE, new_value="13900000001")
    return SimpleNamespace(roles=roles, principal=principal, proxy=proxy, club=club, canteen=canteen, home=home,
                           stranger=person("孙陌生", "b"), mini=subdistrict, second=second)


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


def subdistricts_of(obj):
    """The sub-districts a row's policy paths lead to, followed object by object."""
    policy = access.policy_for(type(obj))
    return set().union(*(reached(obj, p) for p in policy.subdistrict_paths())) if policy else set()


def oracle(user, model):
    """The rows of ``model`` the user's staff roles reach, worked out object by object."""
    rows = list(model._default_manager.all())
    policy = access.policy_for(model)
    roles = list(StaffRole.objects.filter(user=user))
    if policy is None:
        return {o.pk for o in rows}
    rows = [o for o in rows if all(getattr(o, k) == v for k, v in policy.staff_only)]
    if user.is_superuser:
        return {o.pk for o in rows}
    facilities = {r.facility_id for r in roles if r.role in StaffRole.FACILITY_ROLES}
    grids = {r.grid_id for r in roles if r.role == StaffRole.Role.GRID_WORKER}
    administered = {r.subdistrict_id for r in roles if r.role == StaffRole.Role.ADMINISTRATOR}
    theirs = {r.subdistrict_id for r in roles}

    def inside(obj):
        where = subdistricts_of(obj)
        return (any(reached(obj, p) & facilities for p in policy.facility)
                or any(reached(obj, p) & grids for p in policy.grid)
                or bool(where & administered)
                or (policy.district_staff and bool(where & theirs))
                or (roles and any(user.pk in reached(obj, p) for p in policy.recorder))
                or (policy.open_to_staff and bool(where & theirs)
                    and all(getattr(obj, k) == v for k, v in policy.open_to_staff)))
    return {o.pk for o in rows if inside(o)}


def home_of(user):
    """The one sub-district of a staff member's roles, or None (superusers, residents)."""
    held = set(StaffRole.objects.filter(user=user).values_list("subdistrict_id", flat=True))
    return held.pop() if len(held) == 1 and not user.is_superuser else None


def only_home(rows, home, where):
    """No row of ``rows`` leads to a sub-district other than ``home``."""
    for obj in rows:
        assert subdistricts_of(obj) <= {home}, f"{where}: {type(obj)._meta.label} #{obj.pk} is another sub-district's"


def choice_fields(form_class):
    return {name: field for name, field in form_class.base_fields.items()
            if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField))}


def test_every_role_sees_and_changes_only_its_scope_in_every_admin_model(town):
    factory = RequestFactory()
    checked = {"lists": 0, "refused pages": 0, "opened pages": 0, "foreign keys": 0, "other sub-district": 0}
    for label, user in town.roles.items():
        client = Client()
        client.force_login(user)
        request = factory.get("/admin/")
        request.user = user
        home = home_of(user)
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
            if home is not None and access.policy_for(model) is not None:
                # the other sub-district: nothing listed, nothing changeable, whatever the oracle says
                only_home(listing.context["cl"].queryset, home, where)
                only_home([o for o in model._default_manager.all() if model_admin.has_change_permission(request, o)],
                          home, where)
                checked["other sub-district"] += 1

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
                    if home is not None:
                        only_home(field.queryset, home, f"{where}.{name}")
                    checked["foreign keys"] += 1
    print(checked)
    # The walk really walked: every kind of check ran many times.
    assert checked["lists"] >= 60 and checked["refused pages"] >= 30 and checked["opened pages"] >= 60
    assert checked["foreign keys"] >= 10 and checked["other sub-district"] >= 60


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
    "/api/requests311/nearby": PUBLIC, "/api/requests311/requests/{request_id}/following": OWN,
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
            "{proposal_id}": "1", "{thread_id}": "1", "{request_id}": "1"}
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
    canteen2 = Facility.objects.get(subdistrict=town.second, code="canteen")
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
        # the second sub-district's canteen: its staff and administrator only
        (f"/api/meals/staff/deliveries?facility={canteen2.pk}&date={TODAY}", canteen2),
        (f"/api/eldercare/staff/health-checks?facility={canteen2.pk}", canteen2),
    ]


def test_staff_reads_of_personal_data_are_scoped_and_audited(town):
    names = names_of_residents()
    shown = 0
    for label, user in town.roles.items():
        client = Client()
        client.force_login(user)
        reach = staff_facility_ids(user)  # their facilities, and those of the sub-districts they administer
        for url, facility in staff_reads(town):
            before = AccessLog.objects.count()
            response = client.get(url)
            text = text_of(response)
            if reach is None or facility.pk in reach:
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
