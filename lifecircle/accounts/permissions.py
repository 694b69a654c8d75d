"""Who may see and do what: roles, acting for another resident, masking, and the audit log.

Service apps call these instead of checking roles themselves. Who reaches which rows is decided
once, in access.py (the access layer); these helpers are its answers in the shapes the staff pages
and services need: staff see only their own facility's people, grid workers their grid's,
administrators all; residents see only their household and the people who consented to them acting
for them.
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.compiled_queries import CompiledQuery
from lifecircle.directory.models import Facility

from .access import NOT_YOURS, administered_subdistrict_ids, administers, scope_of, staff_visible  # noqa: F401
from .masking import mask_id_number, mask_name, mask_phone  # noqa: F401  (re-exported for callers)
from .models import AccessLog, Child, Consent, Resident, StaffRole


def has_role(user, role, facility=None, grid=None):
    """Whether ``user`` holds ``role`` (at ``facility`` or in ``grid``, when given); an administrator
    of the facility's or grid's sub-district holds every role there."""
    if not user.is_authenticated:
        return False
    where = facility or grid
    if administers(user, where.subdistrict_id if where is not None else None):
        return True
    roles = StaffRole.objects.filter(user=user)
    roles = roles.filter(role=role)
    if facility is not None:
        roles = roles.filter(facility=facility)
    if grid is not None:
        roles = roles.filter(grid=grid)
    return roles.exists()


def staff_facility_ids(user):
    """The facilities whose people ``user`` may see: their own, and every facility of the
    sub-districts they administer; None means every facility (superusers). The access layer
    (access.py) decides; this is its answer for the service apps' staff pages."""
    scope = scope_of(user)
    if scope.everything:
        return None
    administered = Facility.objects.filter(subdistrict__in=scope.subdistricts).values_list("pk", flat=True)
    return set(scope.facilities) | (set(administered) if scope.subdistricts else set())


def require_facility_staff(user, facility):
    ids = staff_facility_ids(user)
    if ids is not None and facility.pk not in ids:
        raise PermissionDenied(_("You do not work at %(facility)s.") % {"facility": facility.name})


def visible_residents(user):
    """Residents whose records ``user`` may open in the staff console (see access.py)."""
    return staff_visible(user, Resident)


def resident_of(user):
    """The verified resident behind a user, or PermissionDenied saying what is missing."""
    resident = getattr(user, "resident", None) if user.is_authenticated else None
    if resident is None:
        raise PermissionDenied(_("Only residents registered with the sub-district can do this."))
    if not resident.is_verified:
        raise PermissionDenied(_("Staff have not yet verified that you live in the sub-district."))
    return resident


def check_can_act_for(actor: Resident, person):
    """Allow ``actor`` to act for ``person`` (a Resident or a Child), or raise PermissionDenied.

    A resident acts for themself and for the children of their household; for another adult
    only with that person's consent, recorded by staff and not revoked. The refusal is the same
    whoever the person is, and never names them.
    """
    if isinstance(person, Child):
        if person.household_id != actor.household_id:
            raise PermissionDenied(str(NOT_YOURS))
        return
    if person.pk == actor.pk:
        return
    consented = Consent.objects.filter(principal=person, proxy=actor, revoked_at__isnull=True).exists()
    if not consented:
        raise PermissionDenied(str(NOT_YOURS))


def people_for(actor: Resident):
    """Everyone ``actor`` may act for: themself, consenting adults, and their household's children."""
    principals = Resident.objects.filter(
        consents_given__proxy=actor, consents_given__revoked_at__isnull=True
    ).distinct()
    return [actor, *principals.exclude(pk=actor.pk)], list(actor.household.children.all())


# Both sides of a resident's consents in force, with the other person's name (all their home page
# shows): compiled once per process (lifecircle.compiled_queries), as it runs on every visit.
_CONSENT_LINKS = CompiledQuery(lambda resident: Consent.objects.filter(
    Q(proxy=resident) | Q(principal=resident), revoked_at__isnull=True).order_by("pk").values_list(
    "principal_id", "principal__name", "proxy_id", "proxy__name"))


def consent_links(resident: Resident):
    """(the adults ``resident`` may act for, the people who may act for ``resident``): both sides
    of their consents in force, in one query, for their home page. The people come with their names
    only, all the page shows: their ID numbers are neither read nor decrypted."""
    acting_for, acting_persons = {}, {}
    alias = Consent.objects.db
    for principal_id, principal_name, proxy_id, proxy_name in _CONSENT_LINKS.rows(alias, resident=resident.pk):
        if proxy_id == resident.pk and principal_id != resident.pk:
            acting_for.setdefault(principal_id, Resident.from_db(alias, ["id", "name"], [principal_id, principal_name]))
        if principal_id == resident.pk:
            acting_persons.setdefault(proxy_id, Resident.from_db(alias, ["id", "name"], [proxy_id, proxy_name]))
    return list(acting_for.values()), list(acting_persons.values())


def log_access(user, action, purpose, resident=None, child=None):
    """Record that ``user`` read a resident's or child's personal data (every staff read)."""
    return AccessLog.objects.create(user=user, action=action, purpose=purpose[:300], resident=resident, child=child)


def revoke(consent):
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
