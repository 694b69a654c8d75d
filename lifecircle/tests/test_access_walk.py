"""A generated walk of the staff console: every role × every registered admin model (issue 10).

The world is the planning usage world (baby care, meals, bookings, day care, requests in two grids)
plus a consent, a health consent and check, a delivery need, a child and an activity sign-up. For
each role and each model the walk proves, against an oracle that follows the access policy's paths
on the objects themselves (in Python, not through the access layer's queries):

- the changelist lists nothing outside the role's scope, and everything inside it;
- a record outside the scope cannot be opened, changed or deleted, and opening one writes no log;
- a record inside it that holds personal data writes exactly one audit entry when opened;
- every foreign key on the add and change forms (drop-down, raw id or autocomplete alike: they all
  validate against the field's queryset) offers only rows inside the scope, so an out-of-scope id
  typed in is refused.
"""
import datetime
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
from lifecircle.meals.models import DeliveryNeed, MealOrder
from lifecircle.planning.tests.test_usage import TODAY, at, clock, fast_passwords, mini, person, world  # noqa: F401

pytestmark = pytest.mark.django_db

#: Change pages opened per model and role, each side of the scope: enough to prove it, quick to run.
SAMPLE = 3


@pytest.fixture
def town(world):
    mini = world.mini
    west, east = Grid.objects.get(code="west"), Grid.objects.get(code="east")
    canteen, center = Facility.objects.get(code="canteen"), Facility.objects.get(code="center")
    babycare, home = Facility.objects.get(code="babycare"), Facility.objects.get(code="home")
    principal, proxy = person("赵老伯", born=datetime.date(1938, 2, 2)), person("赵女儿", "b")
    Consent.objects.create(principal=principal, proxy=proxy, relation="daughter", evidence="form 1",
                           recorded_by=make_staff(StaffRole.Role.ADMINISTRATOR, mini))
    make_child(principal.household, "赵小宝")
    carer = StaffRole.objects.filter(role=StaffRole.Role.DAY_CARE_STAFF, facility=canteen).first().user
    eldercare.record_consent(carer, principal, "form 2")
    eldercare.record_check(carer, principal, canteen, {"pulse": 70})
    DeliveryNeed.objects.create(resident=MealOrder.objects.first().resident, lives_alone=True, recorded_by=carer)
    club = SeniorActivity.objects.create(facility=canteen, title="太极", capacity=5, start=at(TODAY, 15),
                                         end=at(TODAY, 16))
    eldercare.sign_up(principal.user, club.pk)
    roles = {
        "superuser": get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only"),
        "administrator": make_staff(StaffRole.Role.ADMINISTRATOR, mini),
        "canteen staff (west)": make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=canteen),
        "centre manager (west)": make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=center),
        "centre manager (canteen)": make_staff(StaffRole.Role.CENTRE_MANAGER, mini, facility=canteen),
        "baby-care staff (east)": make_staff(StaffRole.Role.BABY_CARE_STAFF, mini, facility=babycare),
        "day-care staff (east)": make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=home),
        "grid worker (west)": make_staff(StaffRole.Role.GRID_WORKER, mini, grid=west),
        "grid worker (east)": make_staff(StaffRole.Role.GRID_WORKER, mini, grid=east),
        "resident": principal.user,
    }
    return SimpleNamespace(roles=roles)


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
                or (roles and any(user.pk in reached(obj, p) for p in policy.recorder)))
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
                    if access.policy_for(related) is None or name in model_admin.open_choices:
                        continue
                    offered = set(field.queryset.values_list("pk", flat=True))
                    assert offered <= oracle(user, related), f"{where}.{name}"
                    checked["foreign keys"] += 1
    print(checked)
    # The walk really walked: every kind of check ran many times.
    assert checked["lists"] >= 60 and checked["refused pages"] >= 30 and checked["opened pages"] >= 60
    assert checked["foreign keys"] >= 10
