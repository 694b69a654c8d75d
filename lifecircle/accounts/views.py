"""The resident's and the staff member's home pages, notifications, and the large-text switch.

One home per role: after signing in, staff (anyone with a staff role, staff status or superuser
rights) land on the staff home, everyone else on the resident home; an account without a resident
that opens the resident home is sent to the staff home rather than told it is "not linked". The
staff home lists the person's roles, their tools, and the sections apps register for them
(``home_sections(user)`` on an AppConfig: the planning pages of each sub-district they plan)."""
import functools

from django.apps import apps
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lifecircle.compiled_queries import CompiledQuery
from lifecircle.notifications.models import Notification

from . import attention, permissions
from .models import Child, Resident, StaffRole
from .security import has_staff_access

LARGE_TEXT_COOKIE = "lifecircle_text"


def app_links(attribute):
    """The (url, label) pairs that the apps offer on a home page, in app order."""
    return _app_links(attribute, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=32)
def _app_links(attribute, script_prefix, urlconf):
    # The same for every request to one deployment (the labels stay lazy, translated when shown):
    # reversing a dozen names on every home page was for nothing.
    links = []
    for config in apps.get_app_configs():
        for url_name, label in getattr(config, attribute, []):
            try:
                links.append((reverse(url_name), label))
            except NoReverseMatch:  # an app whose pages are not wired in this deployment
                continue
    return tuple(links)  # shared by every request: not to be changed



def home_url(user):
    """Where ``user`` lands after signing in: the staff home for staff, the resident home otherwise."""
    return reverse("accounts:staff") if has_staff_access(user) else reverse("accounts:home")


class LoginView(auth_views.LoginView):
    """Django's sign-in page; without ``?next=`` it goes to the person's own home (``home_url``)."""

    def get_default_redirect_url(self):
        return home_url(self.request.user)


def home_sections(user):
    """(title, [(url, label)]) sections that apps register for ``user``'s staff home."""
    sections = []
    for config in apps.get_app_configs():
        if hasattr(config, "home_sections"):
            sections += config.home_sections(user)
    return sections


# The resident home's queries, compiled by the ORM once per process and run with the signed-in
# person's ids (lifecircle.compiled_queries): building and compiling them took about 2 ms of the
# page's CPU on every visit. Only what the page shows is read. The finder's link needs the code of
# the resident's sub-district, joined in as one column rather than the household, compound and
# sub-district built as objects; the attention hooks need the resident and their household's id.
# The other members are shown by name: their ID numbers are neither read nor decrypted.
_RESIDENT = CompiledQuery(lambda user: Resident.objects.filter(user=user).annotate(
    subdistrict_code=F("household__compound__subdistrict__code")))
_HOUSEHOLD = CompiledQuery(lambda household: Resident.objects.filter(household_id=household).only("name"))
_CHILDREN = CompiledQuery(lambda household: Child.objects.filter(household_id=household))
_NOTIFICATIONS = CompiledQuery(lambda user: Notification.objects.filter(user=user)[:10])


@login_required
def resident_home(request):
    resident = next(iter(_RESIDENT.objects(user=request.user.pk)), None)
    if resident is None and has_staff_access(request.user):
        return redirect("accounts:staff")
    context = {"resident": resident, "links": app_links("resident_links"),
               "notifications": list(_NOTIFICATIONS.objects(user=request.user.pk))}
    if resident is not None:
        acting_for, acting_persons = permissions.consent_links(resident)
        context.update({
            "attention": attention.gather(resident, request.user),
            # the service finder of the resident's own sub-district, nearest walk from home first
            "finder_url": reverse("find", args=[resident.subdistrict_code]),
            "household": list(_HOUSEHOLD.objects(household=resident.household_id)),
            "children": list(_CHILDREN.objects(household=resident.household_id)),
            "acting_for": acting_for, "acting_persons": acting_persons,
        })
    return render(request, "accounts/resident_home.html", context)


@login_required
def staff_home(request):
    roles = StaffRole.objects.filter(user=request.user).select_related("facility", "grid", "subdistrict")
    works = bool(roles) or request.user.is_superuser
    return render(request, "accounts/staff_home.html", {
        "roles": roles, "links": app_links("staff_links") if works else [],
        "sections": home_sections(request.user),
        "is_resident": getattr(request.user, "resident", None) is not None,
    })


@login_required
def notifications(request):
    items = list(Notification.objects.filter(user=request.user)[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"items": items})


@require_POST
def text_size(request):
    """Switch the large-text mode many elderly residents need; remembered for a year."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    large = request.COOKIES.get(LARGE_TEXT_COOKIE) != "large"
    response.set_cookie(LARGE_TEXT_COOKIE, "large" if large else "normal", max_age=365 * 24 * 3600, samesite="Lax")
    return response
