"""The one access layer: which rows of personal data a user may see, and which they may change.

Every model that holds residents' personal data, or whose rows belong to one facility or grid, has
one :class:`Policy` in ``POLICIES`` below. A policy names, as ORM paths from the model, whose data a
row is (``resident``, ``child``) and where it belongs (``facility``, ``grid``). From those alone:

- superusers see and change every row;
- a sub-district administrator sees and changes the rows whose path (the policy's ``subdistrict``,
  or the one that follows from its facility, grid, resident and child paths) leads to a sub-district
  they administer, and nothing of another sub-district in the same installation;
- facility staff (centre managers, canteen, baby-care and day-care staff) see the rows of the
  facilities they work at;
- grid workers see the rows of the residents who live in their grid;
- a resident sees their own rows, their household's children's, and those of the adults whose
  consent to them acting for them is on record and not revoked (revoking it ends this at once);
- anyone else sees nothing.

Which of these may also change rows is the policy's ``writers`` (a grid worker may correct a
resident's record but not a meal order). The staff console (:class:`ScopedAdmin`, on every
ModelAdmin) calls :func:`staff_visible` and :func:`changeable`; residents' lists call
:func:`own_rows`; the staff pages and the API reach the same answers through permissions.py
(``staff_facility_ids``, :func:`administers`), which asks :func:`scope_of` here. :func:`log_read`
writes one audit entry for each read of another person's personal data. A refusal never names the
person: :data:`NOT_YOURS` is the one message for "this is not someone you may act for or see".

Models without a policy (service categories, standards, Open311 services and keys, skills) are
shared by every sub-district of the installation: no row of them belongs to one.

The table names models by "app_label.Model" rather than importing them, so this module, which sits
below the service apps, never imports upward.
"""
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .masking import mask_name, mask_phone
from .models import AccessLog, Consent, Resident, StaffRole

#: The one refusal for a person the user may not act for or see: it says why, never who.
NOT_YOURS = _("You may not act for this person: they are not a child of your household and no consent from "
              "them is on record.")

FACILITY, GRID, RESIDENT, SUBDISTRICT = "facility", "grid", "resident", "subdistrict"
#: Writers: every staff member of the row's sub-district (with a ``district_staff`` policy).
DISTRICT = "district"

#: From a model's facility, grid, resident or child to its sub-district (the derived paths below).
_TO_SUBDISTRICT = {"facility": "subdistrict", "grid": "subdistrict",
                   "resident": "household__compound__subdistrict", "child": "household__compound__subdistrict"}


@dataclass(frozen=True)
class Policy:
    """Where a model's rows belong, as ORM paths from the model (each a tuple: any one matching is enough)."""

    resident: tuple = ()
    child: tuple = ()
    facility: tuple = ()
    grid: tuple = ()
    #: The staff member who recorded the row: they keep seeing what they recorded.
    recorder: tuple = ()
    #: Rows every staff member sees, as (lookup, value) pairs: the active volunteers' registry,
    #: which volunteers agree to when they register.
    open_to_staff: tuple = ()
    #: Who may change rows besides administrators: any of FACILITY, GRID, RESIDENT.
    writers: frozenset = field(default_factory=frozenset)
    #: Whether rows hold a resident's personal data (opening one is audited).
    personal: bool = True
    #: Paths to the sub-district the row belongs to, for its administrators; when empty, they follow
    #: from the facility, grid, resident and child paths (:meth:`subdistrict_paths`).
    subdistrict: tuple = ()
    #: Every staff member of the row's sub-district sees it (places on the public map: grids, compounds).
    district_staff: bool = False
    #: Planners (:attr:`Scope.planned`) see and change the rows of the sub-districts they plan.
    planners: bool = False
    #: (lookup, value) pairs a row must match to be reached through any staff role, administrators'
    #: and superusers' included: a private letter is its resident's and representative's alone.
    staff_only: tuple = ()

    def subdistrict_paths(self):
        """The ORM paths from the model to its sub-district."""
        if self.subdistrict:
            return self.subdistrict
        paths = []
        for kind in ("facility", "grid", "resident", "child"):
            for path in getattr(self, kind):
                step = _TO_SUBDISTRICT[kind]
                paths.append(step if path == "pk" else f"{path}__{step}")
        return tuple(dict.fromkeys(paths))


def _grid(path):
    return (f"{path}__household__compound__grid",)


POLICIES = {
    # accounts
    "accounts.Resident": Policy(resident=("pk",), grid=("household__compound__grid",), writers=frozenset({GRID}),
                                subdistrict=("household__compound__subdistrict",)),
    "accounts.Child": Policy(child=("pk",), grid=("household__compound__grid",), writers=frozenset({GRID}),
                             subdistrict=("household__compound__subdistrict",)),
    "accounts.Household": Policy(resident=("members",), grid=("compound__grid",), writers=frozenset({GRID}),
                                 subdistrict=("compound__subdistrict",)),
    "accounts.Consent": Policy(resident=("principal", "proxy"), grid=_grid("principal"), writers=frozenset({GRID}),
                               subdistrict=("principal__household__compound__subdistrict",)),
    # an administrator gives and ends roles in their own sub-district only
    "accounts.StaffRole": Policy(subdistrict=("subdistrict",), personal=False),
    "accounts.AccessLog": Policy(subdistrict=("resident__household__compound__subdistrict",
                                              "child__household__compound__subdistrict"), personal=False),
    # PIPL requests: the resident's (and their proxy's) own, and the staff who may see the resident
    "accounts.RightsRequest": Policy(resident=("resident",), grid=_grid("resident"), writers=frozenset({GRID}),
                                     subdistrict=("resident__household__compound__subdistrict",)),
    # community: places on the public map; every staff member of the sub-district sees them (the
    # choices of a facility's grid), only its administrators change them
    "community.SubDistrict": Policy(subdistrict=("pk",), district_staff=True, personal=False),
    "community.Grid": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False),
    "community.Compound": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False),
    "community.Building": Policy(subdistrict=("compound__subdistrict",), district_staff=True, personal=False),
    # directory: facility staff change their own facilities only
    "directory.Facility": Policy(facility=("pk",), writers=frozenset({FACILITY}), personal=False),
    "directory.Room": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "directory.HoursException": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "directory.PointOfInterest": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False),
    # babycare
    "babycare.CareProgramme": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "babycare.AgeGroup": Policy(facility=("programme__facility",), writers=frozenset({FACILITY}), personal=False),
    "babycare.PriorityRule": Policy(facility=("programme__facility",), writers=frozenset({FACILITY}),
                                    personal=False),
    "babycare.Application": Policy(resident=("applicant",), child=("child",), facility=("programme__facility",)),
    "babycare.Offer": Policy(resident=("application__applicant",), child=("application__child",),
                             facility=("application__programme__facility",)),
    "babycare.Placement": Policy(resident=("application__applicant",), child=("application__child",),
                                 facility=("application__programme__facility",)),
    "babycare.Attendance": Policy(child=("placement__application__child",),
                                  facility=("placement__application__programme__facility",)),
    # bookings
    "bookings.Booking": Policy(resident=("booker",), facility=("room__facility",), writers=frozenset({FACILITY})),
    "bookings.Event": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "bookings.Registration": Policy(resident=("resident",), child=("child",),
                                    facility=("event__facility",), writers=frozenset({FACILITY})),
    # eldercare
    "eldercare.PlaceType": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "eldercare.Admission": Policy(resident=("resident",), facility=("place_type__facility",),
                                  writers=frozenset({FACILITY})),
    "eldercare.Attendance": Policy(resident=("admission__resident",), facility=("admission__place_type__facility",)),
    "eldercare.HealthConsent": Policy(resident=("resident",), facility=("facility",), recorder=("recorded_by",),
                                      writers=frozenset({FACILITY})),
    "eldercare.HealthCheck": Policy(resident=("resident",), facility=("facility",), writers=frozenset({FACILITY})),
    "eldercare.Activity": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "eldercare.ActivitySignup": Policy(resident=("resident",), facility=("activity__facility",)),
    # meals
    "meals.MealPoint": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    "meals.Menu": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False),
    # the sub-district's meal subsidies: its staff read them, its administrators set them
    "meals.SubsidyTier": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False),
    "meals.MealOrder": Policy(resident=("resident",), facility=("menu__facility",)),
    "meals.DeliveryNeed": Policy(resident=("resident",), facility=("resident__meal_orders__menu__facility",),
                                 grid=_grid("resident"), recorder=("recorded_by",),
                                 writers=frozenset({FACILITY, GRID})),
    # homecare: the provider's staff see and plan their clients' care; grid workers do not (a visit's
    # follow-up reaches them as a notification); carers are the provider's staff, not personal data here
    "homecare.Carer": Policy(facility=("provider",), writers=frozenset({FACILITY}), personal=False),
    "homecare.CarerAbsence": Policy(facility=("carer__provider",), writers=frozenset({FACILITY}), personal=False),
    "homecare.CarePlan": Policy(resident=("resident",), facility=("provider",), writers=frozenset({FACILITY})),
    "homecare.CareNeed": Policy(resident=("plan__resident",), facility=("plan__provider",),
                                writers=frozenset({FACILITY})),
    "homecare.Visit": Policy(resident=("plan__resident",), facility=("plan__provider",),
                             writers=frozenset({FACILITY})),
    "homecare.DayPlan": Policy(facility=("provider",), writers=frozenset({FACILITY}), personal=False),
    "homecare.CareRound": Policy(facility=("day__provider",), writers=frozenset({FACILITY}), personal=False),
    "homecare.MealDrop": Policy(resident=("order__resident",), facility=("round__day__provider",),
                                writers=frozenset({FACILITY})),
    # requests311: grid workers handle their grid's requests
    "requests311.ServiceRequest": Policy(resident=("resident",), grid=("grid",), subdistrict=("grid__subdistrict",)),
    # volunteers: staff run their facility's activities; every staff member sees the registry of
    # active volunteers (registering is agreeing to be asked), and those who took part in theirs
    "volunteers.Volunteer": Policy(resident=("resident",), facility=(
        "signups__shift__role__activity__facility", "hours_records__activity__facility"),
        open_to_staff=(("active", True),), subdistrict=("resident__household__compound__subdistrict",)),
    "volunteers.Activity": Policy(facility=("facility",), writers=frozenset({FACILITY}), personal=False,
                                  subdistrict=("subdistrict",)),
    "volunteers.Role": Policy(facility=("activity__facility",), writers=frozenset({FACILITY}), personal=False),
    "volunteers.Shift": Policy(facility=("role__activity__facility",), writers=frozenset({FACILITY}), personal=False),
    "volunteers.SignUp": Policy(resident=("volunteer__resident",), facility=("shift__role__activity__facility",)),
    "volunteers.HoursRecord": Policy(resident=("volunteer__resident",), facility=("activity__facility",)),
    "volunteers.Certificate": Policy(resident=("volunteer__resident",), facility=(
        "volunteer__signups__shift__role__activity__facility", "volunteer__hours_records__activity__facility")),
    # participation: moderation by the staff of the process's sub-district (see participation.moderation)
    "participation.Process": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False,
                                    writers=frozenset({DISTRICT})),
    "participation.Phase": Policy(subdistrict=("process__subdistrict",), district_staff=True, personal=False,
                                  writers=frozenset({DISTRICT})),
    "participation.Proposal": Policy(resident=("author",), subdistrict=("process__subdistrict",),
                                     district_staff=True),
    "participation.Comment": Policy(resident=("author",), subdistrict=("proposal__process__subdistrict",),
                                    district_staff=True),
    "participation.Support": Policy(resident=("resident",), subdistrict=("proposal__process__subdistrict",),
                                    district_staff=True),
    "participation.ModerationAction": Policy(subdistrict=("process__subdistrict",), district_staff=True,
                                             personal=False),
    "participation.FollowUp": Policy(subdistrict=("proposal__process__subdistrict",), district_staff=True,
                                     personal=False, writers=frozenset({DISTRICT})),
    "participation.Representative": Policy(subdistrict=("subdistrict",), district_staff=True, personal=False,
                                           writers=frozenset({DISTRICT})),
    # letters to representatives: staff of the sub-district see the public ones; a private letter is
    # the resident's and the representative's alone
    "participation.Thread": Policy(resident=("resident",), subdistrict=("representative__subdistrict",),
                                   district_staff=True, staff_only=(("is_public", True),)),
    # planning: scenarios hold no personal data; planners and administrators of their sub-district
    "planning.Scenario": Policy(subdistrict=("subdistrict",), planners=True, personal=False),
    "planning.ScenarioChange": Policy(subdistrict=("scenario__subdistrict",), planners=True, personal=False),
}


def policy_for(model):
    return POLICIES.get(model._meta.label)


class Scope:
    """What one user's roles reach: everything (superusers), or the sub-districts they administer and
    the facilities and grids they work in; and, as a resident, the people they act for (worked out
    only when asked)."""

    def __init__(self, user=None, everything=False, facilities=(), grids=(), subdistricts=(), staff_subdistricts=()):
        self.user, self.everything = user, everything
        self.facilities, self.grids = frozenset(facilities), frozenset(grids)
        #: The sub-districts the user administers (an administrator role given for each).
        self.subdistricts = frozenset(subdistricts)
        #: The sub-districts of any of the user's staff roles (for ``district_staff`` policies).
        self.staff_subdistricts = frozenset(staff_subdistricts)
        self.user_id = getattr(user, "pk", None)

    @cached_property
    def resident(self):
        """The user's verified resident, or None."""
        if self.user is None or not self.user.is_authenticated:
            return None
        resident = Resident.objects.filter(user=self.user).first()
        return resident if resident is not None and resident.is_verified else None

    @cached_property
    def people(self):
        """The residents the user acts for, themself included: live consents only."""
        if self.resident is None:
            return frozenset()
        principals = Consent.objects.filter(proxy=self.resident, revoked_at__isnull=True).values_list(
            "principal_id", flat=True)
        return frozenset({self.resident.pk, *principals})

    @cached_property
    def planned(self):
        """The sub-districts the user plans: those they administer, and, for staff given the Django
        permission :data:`PLANNER_PERMISSION`, those they hold a staff role in (every one when they
        hold none: a district-level planner, returned as None, like a superuser)."""
        if self.everything:
            return None
        if self.user is None or not self.user.is_authenticated:
            return frozenset()
        if self.user.is_staff and self.user.has_perm(PLANNER_PERMISSION):
            return (self.staff_subdistricts | self.subdistricts) or None
        return self.subdistricts


#: The Django permission that makes a staff member a planner (planning owns it; named here so the
#: access layer answers "who plans where" without importing upward).
PLANNER_PERMISSION = "planning.change_scenario"


def scope_of(user):
    if not user.is_authenticated:
        return Scope()
    if user.is_superuser:
        return Scope(user, everything=True)
    roles = list(StaffRole.objects.filter(user=user).values_list("role", "facility_id", "grid_id", "subdistrict_id"))
    return Scope(
        user,
        facilities={f for role, f, _g, _s in roles if f is not None and role in StaffRole.FACILITY_ROLES},
        grids={g for role, _f, g, _s in roles if g is not None and role == StaffRole.Role.GRID_WORKER},
        subdistricts={s for role, _f, _g, s in roles if role == StaffRole.Role.ADMINISTRATOR},
        staff_subdistricts={s for _r, _f, _g, s in roles},
    )


def administers(user, subdistrict=None):
    """Whether ``user`` administers ``subdistrict`` (a SubDistrict or its id); without one, whether
    they administer any sub-district at all. Superusers administer every sub-district; an
    administrator role given for sub-district A makes its holder an administrator of A only."""
    if not user.is_authenticated:
        return False
    scope = scope_of(user)
    if scope.everything:
        return True
    if subdistrict is None:
        return bool(scope.subdistricts)
    return getattr(subdistrict, "pk", subdistrict) in scope.subdistricts


def administered_subdistrict_ids(user):
    """The sub-districts ``user`` administers: None for every one (superusers), else a set."""
    scope = scope_of(user)
    return None if scope.everything else set(scope.subdistricts)


def _any(paths, ids):
    return [Q(**{f"{path}__in": ids}) for path in paths]


def _filter(policy, scope, kinds):
    conditions = []
    if FACILITY in kinds and scope.facilities:
        conditions += _any(policy.facility, scope.facilities)
    if GRID in kinds and scope.grids:
        conditions += _any(policy.grid, scope.grids)
    if (FACILITY in kinds and scope.facilities) or (GRID in kinds and scope.grids):
        conditions += [Q(**{path: scope.user_id}) for path in policy.recorder]
    staff_reach = (FACILITY in kinds or GRID in kinds) and scope.staff_subdistricts
    if staff_reach and policy.open_to_staff:
        # the open rows of the staff member's own sub-districts only, never another's
        in_theirs = Q(pk__in=[])
        for condition in _any(policy.subdistrict_paths(), scope.staff_subdistricts):
            in_theirs |= condition
        conditions.append(Q(**dict(policy.open_to_staff)) & in_theirs)
    if policy.district_staff and (staff_reach or DISTRICT in kinds):
        conditions += _any(policy.subdistrict_paths(), scope.staff_subdistricts)
    if SUBDISTRICT in kinds and scope.subdistricts:
        conditions += _any(policy.subdistrict_paths(), scope.subdistricts)
    if SUBDISTRICT in kinds and policy.planners:
        planned = scope.planned
        if planned is None:
            conditions.append(~Q(pk__in=[]))
        elif planned:
            conditions += _any(policy.subdistrict_paths(), planned)
    if conditions and policy.staff_only:
        staff = Q(pk__in=[])
        for condition in conditions:
            staff |= condition
        conditions = [staff & Q(**dict(policy.staff_only))]
    if RESIDENT in kinds and scope.resident is not None:
        conditions += _any(policy.resident, scope.people)
        conditions += [Q(**{f"{path}__household": scope.resident.household_id}) for path in policy.child]
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined, bool(conditions)


def _rows(user, model, kinds):
    queryset = model._default_manager.all()
    policy = policy_for(model)
    if policy is None:
        return queryset
    scope = scope_of(user)
    if scope.everything:
        return queryset.filter(**dict(policy.staff_only))
    condition, any_reach = _filter(policy, scope, kinds)
    if not any_reach:
        return queryset.none()
    # A subquery, so rows reached through several paths come once and callers may annotate freely.
    return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))


def visible(user, model):
    """The rows of ``model`` that ``user`` may see (every row of a model without a policy)."""
    return _rows(user, model, {FACILITY, GRID, RESIDENT, SUBDISTRICT})


def staff_visible(user, model):
    """The rows of ``model`` that ``user``'s staff roles reach (the staff console: not their own
    household's rows as a resident)."""
    return _rows(user, model, {FACILITY, GRID, SUBDISTRICT})


def own_rows(user, model):
    """The rows of ``model`` that are the user's as a resident: their own, their household's
    children's, and those of the people they act for now (a staff member's facility rows aside)."""
    return _rows(user, model, {RESIDENT})


def changeable(user, model):
    """The rows of ``model`` that ``user`` may change: visible rows, for the roles the policy lets write
    (administrators change every row of the sub-districts they administer)."""
    policy = policy_for(model)
    return _rows(user, model, (policy.writers | {SUBDISTRICT}) if policy else {FACILITY, GRID, RESIDENT})


def can_see(user, obj):
    if policy_for(type(obj)) is None:
        return True
    return obj.pk is not None and visible(user, type(obj)).filter(pk=obj.pk).exists()


def can_change(user, obj):
    if policy_for(type(obj)) is None:
        return True
    return obj.pk is not None and changeable(user, type(obj)).filter(pk=obj.pk).exists()


def subject_of(obj):
    """The (resident, child) whose personal data ``obj`` holds, for the audit log."""
    policy = policy_for(type(obj))
    if policy is None or not policy.personal:
        return None, None
    return _follow(obj, policy.resident), _follow(obj, policy.child)


def _follow(obj, paths):
    for path in paths:
        value = obj
        for part in path.split("__"):
            if part == "pk":
                continue
            value = getattr(value, part, None)
            if value is None:
                break
            if hasattr(value, "all") and hasattr(value, "model"):  # a reverse relation: its first row
                value = value.all().first()
        if value is not None:
            return value
    return None


def log_read(user, obj, purpose, action="view"):
    """Write one audit entry: ``user`` read the personal data in ``obj`` (a Resident, a Child or any
    row with a policy). The entry names the record too, so a read of someone who is not a registered
    resident (an Open311 reporter) is still traceable to whose data it was. Nothing is written for
    rows without personal data."""
    if isinstance(obj, Resident):
        resident, child = obj, None
    elif obj._meta.label == "accounts.Child":
        resident, child = None, obj
    else:
        policy = policy_for(type(obj))
        if policy is None or not policy.personal:
            return None
        resident, child = subject_of(obj)
    record = f"{obj._meta.model_name} #{obj.pk}"
    return AccessLog.objects.create(user=user, action=action, purpose=f"{record}: {purpose}"[:300],
                                    resident=resident, child=child)


def log_reads_of_others(user, residents, purpose):
    """A resident reading others' data (a proxy reading a principal's orders): one entry per other
    person. Their own data is not logged."""
    own = getattr(getattr(user, "resident", None), "pk", None)
    for resident in {r.pk: r for r in residents if r is not None and r.pk != own}.values():
        AccessLog.objects.create(user=user, action="view", purpose=purpose[:300], resident=resident)


# ---- the staff console ----------------------------------------------------------------------------


class ScopedAdmin(admin.ModelAdmin):
    """The staff console through the access layer, for every ModelAdmin.

    Lists, change pages, deletes and the choices of every foreign key (drop-downs, raw-id fields,
    autocomplete) hold only rows in the user's scope; a save that would put a row out of the user's
    scope is refused and rolled back; opening a record of personal data writes one audit entry, and
    so does every search of a list of personal data (a phone number typed in is personal data too).
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if policy_for(self.model) is None:
            return queryset
        return queryset.filter(pk__in=staff_visible(request.user, self.model).values("pk"))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or policy_for(self.model) is None
            or staff_visible(request.user, self.model).filter(pk=obj.pk).exists())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or can_change(request.user, obj))

    #: Foreign keys whose choices are not limited to the user's scope: staff at a counter serve any
    #: resident who comes (the services check consent and verification, and the lists stay scoped).
    open_choices = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name not in self.open_choices:
            kwargs = _in_scope(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name not in self.open_choices:
            kwargs = _in_scope(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The admin saves inside one transaction: refusing here rolls the save back.
        if policy_for(self.model) is not None and not can_change(request.user, obj):
            raise PermissionDenied(str(NOT_YOURS))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            log_read(request.user, obj, f"admin {request.path}")
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        results = super().get_search_results(request, queryset, search_term)
        policy = policy_for(self.model)
        if search_term.strip() and policy is not None and policy.personal:
            term = mask_phone(search_term) if _digits(search_term) else mask_name(search_term.strip())
            AccessLog.objects.create(user=request.user, action="search",
                                     purpose=f"admin {request.path} search: {term}"[:300])
        return results


class ScopedInline:
    """For inlines: their foreign-key choices in scope too."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_in_scope(db_field, request, kwargs))


def _digits(text):
    return sum(ch.isdigit() for ch in text) >= 7


def _in_scope(db_field, request, kwargs):
    """Limit a relation's choices to the related rows the user may change (whatever a subclass chose,
    narrowed further), so an out-of-scope id typed into a raw-id field is refused like a wrong one."""
    related = db_field.remote_field.model
    if policy_for(related) is None or scope_of(request.user).everything:
        return kwargs
    queryset = kwargs.get("queryset")
    if queryset is None:
        queryset = related._default_manager.all()
    kwargs["queryset"] = queryset.filter(pk__in=staff_visible(request.user, related).values("pk"))
    return kwargs


# ---- exports ----------------------------------------------------------------------------------------

#: What a spreadsheet takes for the start of a formula (or, tab and CR, a cell it splits on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: a text starting like a formula (``=HYPERLINK(…)``, a
    dish named "-2+3") gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
