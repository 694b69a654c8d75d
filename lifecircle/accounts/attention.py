"""What needs a resident's attention first on their home page: offers to accept, bookings waiting,
requests answered. Each service app contributes its own items through its ``AppConfig``
(``resident_attention(resident, user)`` returning :class:`Item` objects), so this module, one layer
below the service apps, never imports them (docs/architecture.md)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps

#: The kinds of item, most pressing first: something to do, then news, then something to wait for.
ACTION, ANSWERED, WAITING = "action", "answered", "waiting"
ORDER = {ACTION: 0, ANSWERED: 1, WAITING: 2}


@dataclass
class Item:
    """One thing to look at: a sentence, where to act on it, and a status badge.

    ``kind`` is :data:`ACTION`, :data:`ANSWERED` or :data:`WAITING`; ``due`` (aware) sorts items of
    one kind, soonest first (an offer that expires first, the booking that starts first)."""

    text: str
    url: str
    badge: str
    kind: str
    due: datetime.datetime | None = None


def gather(resident, user):
    """Every app's items for ``resident``, the most pressing first."""
    items = []
    for config in apps.get_app_configs():
        contribute = getattr(config, "resident_attention", None)
        if contribute is not None:
            items += contribute(resident, user)
    far = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    return sorted(items, key=lambda item: (ORDER.get(item.kind, len(ORDER)), item.due or far))
