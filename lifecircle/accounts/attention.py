"""What needs a resident's attention first on their home page: offers to accept, bookings waiting,
requests answered. Each service app contributes its own items through its ``AppConfig``
(``resident_attention(resident, user)`` returning :class:`Item` objects), so this module, one layer
below the service apps, never imports them (docs/architecture.md).

An app may also offer ``resident_attention_probe(resident, user)``: a queryset that is empty
whenever its ``resident_attention`` would return nothing (it may find rows that come to nothing,
never miss one). All probes are asked in one query and only the apps whose probe found a row build
their items: a resident with nothing waiting, most residents on most days, costs one query rather
than one per app with every related table joined.

That query is compiled by the ORM once per process, not on every home page (building and
compiling it took about 3 ms of CPU; its SQL, run again with this resident's values, 0.2-0.3 ms).
It is compiled twice, for two made-up residents and users who have nothing but their ids (and
household id), and its SQL is reused only when every parameter is accounted for: the resident's,
household's or user's id, the clock (``timezone.now()``) plus a whole number of seconds, read
again for each request, or a constant that is no date or time. Where a probe reads anything else
of the resident or the user, queries the database while it is built, or passes a date or time it
worked out otherwise, every request asks the probes through the ORM, as before. No probe may take
a value from the clock that is not a date or time (a year as a number), nor one from data kept in
the process that can change while it runs (a setting is fine): either would be kept as a constant."""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Exists
from django.utils import timezone

from lifecircle.compiled_queries import is_time

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
        sql, recipe = compiled
        now, ids = timezone.now(), {"resident": resident.pk, "household": resident.household_id, "user": user.pk}
        adapt = connections[alias].ops.adapt_datetimefield_value
        params = [adapt(now + value) if role == "clock" else ids.get(role, value) for role, value in recipe]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is None:
                raise Resident.DoesNotExist
            found = dict(zip((column[0] for column in cursor.description), row))
    return [config for i, config in enumerate(configs) if found[f"app{i}"]]


def _probe_query(configs, resident, user, alias):
    probes = {f"app{i}": Exists(config.resident_attention_probe(resident, user))
              for i, config in enumerate(configs)}
    return Resident.objects.using(alias).filter(pk=resident.pk).order_by().values(**probes)


#: The made-up ids of the two compilations (no row has a negative id).
_STAND_INS = ({"resident": -7_000_001, "household": -7_000_002, "user": -7_000_003},
              {"resident": -8_000_001, "household": -8_000_002, "user": -8_000_003})


def _no_queries(*args):
    raise RuntimeError("a probe queried the database while its query was built")


@functools.cache
def _compiled_probes(configs, alias):
    """(SQL, recipe) of the probes of ``configs``, each item of the recipe saying what one
    parameter is: ("resident" | "household" | "user", None), ("clock", offset) or ("constant",
    value); None where the SQL cannot be reused (see the module's docstring)."""
    connection, users = connections[alias], get_user_model()
    compiled = []
    try:
        with connection.execute_wrapper(_no_queries):
            for ids in _STAND_INS:
                # only their ids are loaded: a probe that reads another field queries, and is refused
                resident = Resident.from_db(alias, [Resident._meta.pk.attname, "household_id"],
                                            [ids["resident"], ids["household"]])
                user = users.from_db(alias, [users._meta.pk.attname], [ids["user"]])
                start = timezone.now()
                sql, params = _probe_query(configs, resident, user, alias).query.get_compiler(alias).as_sql()
                compiled.append((sql, params, (start, timezone.now())))
    except Exception:  # (then asked through the ORM, which raises again whatever a probe got wrong)
        return None
    (sql, params, span), (sql_again, params_again, span_again) = compiled
    if sql_again != sql or len(params_again) != len(params) or not span[1] < span_again[0]:
        return None
    recipe = []
    for values in zip(params, params_again):
        role = next((role for role in _STAND_INS[0] if values == (_STAND_INS[0][role], _STAND_INS[1][role])), None)
        offset = None if role else _clock_offset(values, (span, span_again), connection)
        if role:
            recipe.append((role, None))
        elif offset is not None:
            recipe.append(("clock", offset))
        elif values[0] == values[1] and type(values[0]) is type(values[1]) and not is_time(values[0]):
            recipe.append(("constant", values[0]))
        else:
            return None
    return sql, recipe


def _clock_offset(values, spans, connection):
    """The whole seconds by which one parameter's ``values`` in the two compilations stand from the
    clock, when each is a time read during its compilation (``spans``) plus the same offset, as the
    database's adapter writes it; else None (not a time, or one that does not move with the clock)."""
    offset = None
    for value, (start, end) in zip(values, spans):
        if isinstance(value, str) and is_time(value):  # (SQLite's adapter writes text, naive in its zone)
            moment = datetime.datetime.fromisoformat(value)
            moment = timezone.make_aware(moment, connection.timezone) if timezone.is_naive(moment) else moment
        elif isinstance(value, datetime.datetime):
            moment = value
        else:
            return None
        seconds = datetime.timedelta(seconds=round((moment - end).total_seconds()))
        if (connection.ops.adapt_datetimefield_value(moment) != value or not moment - end <= seconds <= moment - start
                or offset not in (None, seconds)):
            return None
        offset = seconds
    return offset


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
