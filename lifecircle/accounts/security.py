"""Who must prove more than a password, and for how long a sign-in lasts.

- Wrong passwords: django-axes counts failures per account and per address, in the database every
  worker shares, and refuses both for ``AXES_COOLOFF_TIME`` after ``AXES_FAILURE_LIMIT``
  (``LockoutBackend``); a right password during the lockout is refused too.
- A second factor: everyone who can read residents' personal data — staff with a role, staff
  console users, superusers — must verify a TOTP code from an authenticator app after the password
  (``SecondFactorMiddleware``), enrolling one the first time. Residents are never asked. A user in
  the group ``DEMO_GROUP`` is let through without one, but only outside production: the demo's
  administrator, whose password ``demo_login`` prints.
- Session length: staff sessions end after ``STAFF_SESSION_AGE`` seconds, residents' after
  ``SESSION_COOKIE_AGE`` (``limit_staff_session``, at login).
"""
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lifecircle.compiled_queries import CompiledQuery

DEMO_GROUP = "demo: no second factor"


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for every sign-in that comes with a request (the site's and the
    staff console's login pages). Code that checks a password without a request (a management
    command, the test client's ``login``) has no address to count and is not locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UserWithRoleBackend(ModelBackend):
    """Django's own user and password backend, loading a signed-in user together with whether they
    hold a staff role: every request of a signed-in person asks it (for the second factor), and
    one query with the user is cheaper than a second one.

    The query is compiled by the ORM once per process (``lifecircle.compiled_queries``): it runs on
    every request of everyone signed in, the map's cached lists included, and compiling the
    annotated query took 0.7 ms of CPU each time, against 0.2 ms for running its SQL again."""

    def get_user(self, user_id):
        user = next(iter(_USER_WITH_ROLE.objects(user=user_id)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        user.holds_staff_role = bool(user.holds_staff_role)  # (SQLite answers EXISTS with 0 or 1)
        return user


def _user_with_role(user):
    """The user by primary key, with ``holds_staff_role``: whether any staff role names them."""
    from .models import StaffRole

    return get_user_model()._default_manager.filter(pk=user).annotate(
        holds_staff_role=Exists(StaffRole.objects.filter(user=OuterRef("pk"))))


_USER_WITH_ROLE = CompiledQuery(_user_with_role)


def has_staff_access(user):
    """True for anyone who can read residents' personal data: superusers, staff console users and
    holders of any staff role."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    held = getattr(user, "holds_staff_role", None)  # loaded with the user (UserWithRoleBackend)
    return held if held is not None else user.staff_roles.exists()


def needs_second_factor(user):
    """True when ``user`` must verify a TOTP code before going on (see the module docstring)."""
    if not settings.STAFF_TWO_FACTOR or user.is_verified() or not has_staff_access(user):
        return False  # (in this order: the cheap answers first, no query for a verified session)
    return settings.PRODUCTION or not user.groups.filter(name=DEMO_GROUP).exists()


# Pages a staff member who has not yet verified may still open: the second-factor pages
# themselves, signing out, and what any page needs (static files, language, text size).
OPEN_PATHS = ("accounts:two_factor", "accounts:two_factor_enrol", "accounts:logout", "accounts:text_size",
              "set_language")


class SecondFactorMiddleware:
    """Send signed-in staff without a verified second factor to verify (or enrol) first; the
    API answers 403 instead of a redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        # The open paths last: most signed-in people (residents) need no second factor, and
        # reversing five names on each of their requests would be for nothing.
        if (not path.startswith(settings.STATIC_URL) and request.user.is_authenticated
                and needs_second_factor(request.user) and path not in {reverse(name) for name in OPEN_PATHS}):
            if path.startswith("/api/"):
                return JsonResponse({"detail": _("Verify your second factor (authenticator code) first.")},
                                    status=403)
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def limit_staff_session(sender, request, user, **kwargs):
    """At sign-in: staff sessions last STAFF_SESSION_AGE seconds, residents' the default."""
    if request is not None and hasattr(request, "session") and has_staff_access(user):
        request.session.set_expiry(settings.STAFF_SESSION_AGE)


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows while an account or address is locked out (HTTP 429)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    response = render(request, "registration/locked_out.html",
                      {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
