"""What needs a resident's attention first on their home page: offers to accept, bookings waiting,
requests answered. Each service app contributes its own items through its ``AppConfig``
(``resident_attention(resident, user)`` returning :class:`Item` objects), so this module, one layer
below the service apps, never imports them (docs/architecture.md).

An app may also offer ``resident_attention_probe(resident, user)``: a queryset that is empty
whenever its ``resident_attention`` would return nothing (it may find rows that come to nothing,
never miss one). All probes are asked in one query and only the apps whose probe found a row build
their items: a resident with nothing waiting, most residents on most days, costs one query rather
than one per app with every related table joined."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists

from .models import Resident

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


def _probed(configs, resident, user):
    """The apps among ``configs`` that may have something (one query for every probe)."""
    probes = {f"app{i}": Exists(config.resident_attention_probe(resident, user))
              for i, config in enumerate(configs)}
    if not probes:
        return []
    found = Resident.objects.filter(pk=resident.pk).values(**probes).get()
    return [config for i, config in enumerate(configs) if found[f"app{i}"]]


def gather(resident, user):
    """Every app's items for ``resident``, the most pressing first."""
    contributors = [config for config in apps.get_app_configs() if hasattr(config, "resident_attention")]
    probed = [config for config in contributors if hasattr(config, "resident_attention_probe")]
    asked = set(_probed(probed, resident, user))
    items = []
    for config in contributors:
        if config in asked or config not in probed:
            items += config.resident_attention(resident, user)
    far = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    return sorted(items, key=lambda item: (ORDER.get(item.kind, len(ORDER)), item.due or far))
