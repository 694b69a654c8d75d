"""Staff make a one-time password-reset link for a resident who forgot their password.

Residents have no e-mail reset (many have no e-mail address); they ask their grid worker or the
service centre. The link is Django's password-reset link: it works once (it stops working when
the password changes) and for ``PASSWORD_RESET_TIMEOUT`` seconds, it is shown to the member of
staff once and never stored, and the staff member never learns the new password. Who may make
one: grid workers for the residents of their grid, administrators for all (``visible_residents``);
never for an account with staff access, so no one raises their own access this way. Every link
made is written to the audit log (AccessLog, action ``password_reset``).
"""
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions
from .models import StaffRole
from .security import has_staff_access

RESETTERS = {StaffRole.Role.GRID_WORKER, StaffRole.Role.ADMINISTRATOR}


def _residents(user):
    if not user.is_superuser and not user.staff_roles.filter(role__in=RESETTERS).exists():
        raise PermissionDenied(_("Only grid workers and administrators can reset residents' passwords."))
    return permissions.visible_residents(user).filter(user__isnull=False).select_related("user")


@login_required
def find(request):
    residents = _residents(request.user)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(residents.filter(Q(name__icontains=query) | Q(user__username__iexact=query))[:20])
    return render(request, "accounts/password_reset_staff.html", {
        "query": query, "found": [(r, permissions.mask_name(r.name)) for r in found]})


@require_POST
@login_required
def make_link(request, resident_id):
    resident = get_object_or_404(_residents(request.user), pk=resident_id)
    if has_staff_access(resident.user):
        raise PermissionDenied(_("This account has staff access; an administrator resets it in the staff console."))
    user = resident.user
    link = request.build_absolute_uri(reverse("accounts:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}))
    permissions.log_access(request.user, "password_reset", _("made a one-time password reset link"), resident=resident)
    response = render(request, "accounts/password_reset_link.html", {
        "resident_name": permissions.mask_name(resident.name), "username": user.get_username(), "link": link})
    response["Cache-Control"] = "no-store"
    return response
