"""What needs a resident's attention first on their home page: offers to accept, bookings waiting,
requests answered. Each service app contributes its own items through its ``AppConfig``
(``resident_attention(resident, user)`` returning :class:`Item` objects), so this module, one layer
below the service apps, never imports them (docs/architecture.md).

An app may also offer ``resident_attention_probe(resident, user)``: a queryset that is empty
whenever its ``resident_attention`` would return nothing (it may find rows that come to nothing,
never miss one). All probes are asked in one query and only the apps whose probe found a row build
their items: a resident with nothing waiting, most residents on most days, costs one query rather
than one per app with every related table joined.

That query is a :class:`~lifecircle.compiled_queries.CompiledQuery`, compiled by the ORM once per
process, not on every home page (building and compiling it took about 3 ms of CPU; its SQL, run
again with this resident's values, 0.2-0.3 ms). It is built from the resident's, household's and
user's ids, for made-up residents and users who have nothing but their ids (and household id), and
its SQL is reused only when every parameter is accounted for: one of those ids (each must be in it;
the apps' probes use all three), the clock (``timezone.now()``) plus a whole number of seconds,
read again for each request, or a constant that is no date or time. Where a probe reads anything
else of the resident or the user, queries the database while it is built, or passes a date or time
it worked out otherwise, every request asks the probes through the ORM, as before. No probe may
take a value from the clock that is not a date or time (a year as a number), nor one from data
kept in the process that can change while it runs (a setting is fine): either would be kept as a
constant."""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists

from lifecircle.compiled_queries import CompiledQuery

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
    if not configs:
        return []
    alias = Resident.objects.db
    compiled = _compiled_probes(tuple(configs), alias)
    if compiled is None:
        found = _probe_query(configs, resident, user, alias).get()
    else:
        rows = compiled.rows(alias, resident=resident.pk, household=resident.household_id, user=user.pk)
        if not rows:
            raise Resident.DoesNotExist
        found = rows[0]
    return [config for config, may_have in zip(configs, found) if may_have]


def _probe_query(configs, resident, user, alias):
    probes = {f"app{i}": Exists(config.resident_attention_probe(resident, user)) for i, config in enumerate(configs)}
    return Resident.objects.using(alias).filter(pk=resident.pk).order_by().annotate(**probes).values_list(*probes)


@functools.cache
def _compiled_probes(configs, alias):
    """The probes of ``configs`` as one :class:`CompiledQuery` of the resident's, household's and
    user's ids, compiled for ``alias``; None where its SQL cannot be reused (the module's docstring)."""
    users = get_user_model()

    def probes(resident, household, user):
        # only their ids are loaded: a probe that reads another field queries, and is refused
        ids_only = Resident.from_db(alias, [Resident._meta.pk.attname, "household_id"], [resident, household])
        return _probe_query(configs, ids_only, users.from_db(alias, [users._meta.pk.attname], [user]), alias)

    query = CompiledQuery(probes)
    try:
        query.compiled(alias)
    except Exception:  # (then asked through the ORM, which raises again whatever a probe got wrong)
        return None
    return query


def _contributors():
    """The apps that give a resident items, and those of them that say with a probe whether they have any."""
    contributors = [config for config in apps.get_app_configs() if hasattr(config, "resident_attention")]
    return contributors, [config for config in contributors if hasattr(config, "resident_attention_probe")]


def prepare():
    """Compile the probes' query in this process now (the server's start-up, lifecircle.startup),
    not on a resident's first page."""
    probed = _contributors()[1]
    if probed:
        _compiled_probes(tuple(probed), Resident.objects.db)


def gather(resident, user):
    """Every app's items for ``resident``, the most pressing first."""
    contributors, probed = _contributors()
    asked = set(_probed(probed, resident, user))
    items = []
    for config in contributors:
        if config in asked or config not in probed:
            items += config.resident_attention(resident, user)
    far = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    return sorted(items, key=lambda item: (ORDER.get(item.kind, len(ORDER)), item.due or far))
