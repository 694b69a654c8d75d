"""Who may plan, and where: sub-district administrators (StaffRole "administrator") plan their own
sub-district; superusers plan every one; staff members given the Django permission
``planning.change_scenario`` (e.g. through a group "planners") plan the sub-districts they hold a
staff role in, or every sub-district when they hold none (a district-level planner).

StaffRole has no "planner" role of its own; a deployment that wants one makes a group holding the
planning permissions and adds its planners to it (with "staff status" ticked).
"""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from lifecircle.accounts.access import PLANNER_PERMISSION, scope_of  # noqa: F401  (re-exported)


def planned_subdistrict_ids(user):
    """The sub-districts ``user`` may plan: a set of ids, or None for every sub-district. The access
    layer decides (``Scope.planned``), so the planning pages, the API and the staff console agree."""
    planned = scope_of(user).planned
    return None if planned is None else set(planned)


def is_planner(user, subdistrict=None):
    """Whether ``user`` may plan ``subdistrict`` (or, without one, any sub-district at all)."""
    allowed = planned_subdistrict_ids(user)
    if allowed is None:
        return True
    return subdistrict.pk in allowed if subdistrict is not None else bool(allowed)


def require_planner(user, subdistrict=None):
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in as a planner to use the planning workbench."))
    if not is_planner(user):
        raise PermissionDenied(_("Only planners (sub-district administrators, or staff with the planning "
                                 "permission) may use the planning workbench."))
    if subdistrict is not None and not is_planner(user, subdistrict):
        raise PermissionDenied(_("You plan another sub-district, not %(name)s.") % {"name": subdistrict.display_name})
