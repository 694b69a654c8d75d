"""Requests' items for the resident home (accounts.attention): requests staff answered lately."""
import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.accounts.attention import ANSWERED, Item

from .models import RequestUpdate

#: How long an answer stays on the home page.
RECENT = datetime.timedelta(days=14)


def _recent(resident, user):
    since = timezone.now() - RECENT
    return RequestUpdate.objects.filter(Q(request__reporter=user) | Q(request__resident=resident), created_at__gte=since)


def answers(resident, user):
    """Recent updates of the person's requests that could be an answer (from staff, not the
    submission or its routing): there is one whenever ``items`` has something."""
    return _recent(resident, user).filter(by_reporter=False).exclude(
        kind__in=[RequestUpdate.Kind.SUBMITTED, RequestUpdate.Kind.ROUTED])


def items(resident, user):
    """The person's requests whose latest public update, from staff, came in the last days."""
    updates = _recent(resident, user).select_related("request__service").order_by("request_id", "-created_at", "-pk")
    latest = {}
    for update in updates:
        latest.setdefault(update.request_id, update)
    found = []
    for update in latest.values():
        if update.by_reporter or update.kind in (RequestUpdate.Kind.SUBMITTED, RequestUpdate.Kind.ROUTED):
            continue
        found.append(Item(
            text=_("Your request #%(n)s (%(service)s) has an answer.") % {
                "n": update.request_id, "service": update.request.service.display_name},
            url=reverse("requests311:detail", args=[update.request_id]),
            badge=update.request.get_state_display(), kind=ANSWERED, due=update.created_at,
        ))
    return found
