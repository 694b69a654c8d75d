"""Who may plan: sub-district administrators (StaffRole "administrator", or superusers), and staff
members given the Django permission ``planning.change_scenario`` (e.g. through a group "planners").

StaffRole has no "planner" role of its own; a deployment that wants one makes a group holding the
planning permissions and adds its planners to it (with "staff status" ticked).
"""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from lifecircle.accounts.permissions import is_administrator

PLANNER_PERMISSION = "planning.change_scenario"


def is_planner(user):
    if not user.is_authenticated:
        return False
    return is_administrator(user) or (user.is_staff and user.has_perm(PLANNER_PERMISSION))


def require_planner(user):
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in as a planner to use the planning workbench."))
    if not is_planner(user):
        raise PermissionDenied(_("Only planners (sub-district administrators, or staff with the planning "
                                 "permission) may use the planning workbench."))
