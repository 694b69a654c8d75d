"""The resident's and the staff member's home pages, notifications, and the large-text switch."""
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lifecircle.notifications.models import Notification

from . import permissions
from .models import StaffRole

LARGE_TEXT_COOKIE = "lifecircle_text"


def app_links(attribute):
    """The (url, label) pairs that the apps offer on a home page, in app order."""
    links = []
    for config in apps.get_app_configs():
        for url_name, label in getattr(config, attribute, []):
            try:
                links.append((reverse(url_name), label))
            except NoReverseMatch:  # an app whose pages are not wired in this deployment
                continue
    return links


@login_required
def resident_home(request):
    resident = getattr(request.user, "resident", None)
    context = {"resident": resident, "links": app_links("resident_links"), "notifications":
               Notification.objects.filter(user=request.user)[:10]}
    if resident is not None:
        adults, children = permissions.people_for(resident)
        context.update({
            "household": resident.household.members.all(), "acting_for": adults[1:], "children": children,
            "acting_persons": [c.proxy for c in resident.consents_given.filter(revoked_at__isnull=True)],
        })
    return render(request, "accounts/resident_home.html", context)


@login_required
def staff_home(request):
    roles = StaffRole.objects.filter(user=request.user).select_related("facility", "grid", "subdistrict")
    return render(request, "accounts/staff_home.html", {
        "roles": roles, "links": app_links("staff_links") if roles or request.user.is_superuser else [],
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
