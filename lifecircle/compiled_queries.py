"""Querysets compiled to SQL once per process, then run again with each request's values.

Building a queryset and compiling it cost the ORM 0.2-0.6 ms of CPU a query, more than the
database took to answer; the pages everyone signed in opens (the resident home, their requests)
and every Open311 write paid that on every request for SQL that differed only in a few values. A
:class:`CompiledQuery` is still written as a queryset, built by a function from the values it
takes by name: ids (whole numbers; a parameter with no annotation or ``int``) and text (a
parameter annotated ``str``: a key's hash, a role). The first run in a process compiles it twice,
with two sets of made-up values no row holds (negative ids; text no form or import writes), and
keeps the SQL with a recipe saying which parameter is which value; later runs bind theirs to it.

A parameter may also be the clock: the time the query was built plus a whole number of seconds
(``timezone.now() - RECENT``). It is recognised when, in each compilation, it stood that many
seconds from a time read during it (as the database's adapter writes it: SQLite's is text, naive
in the connection's zone), and each run reads the clock again. A query with one needs the clock
to move between the two compilations; a clock frozen at one time (a test's) is refused.

Anything else must come out the same in both compilations and be no date or time (a day or an
hour worked out from the clock would be kept as a constant); the SQL must be the same text, every
value taken must be in it, and the build may not query the database. A query that breaks this
raises ``ValueError`` on its first run (every one is run by the tests), rather than answering
wrongly. The build must use what it takes only as values of the query, never to choose what to
ask (stand-ins take the same branch every time). What is bound is only SQL: no row is kept
between requests.
"""
import datetime
import inspect
import weakref
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

#: The made-up ids of the two compilations, one apart for each name the query takes.
_STAND_INS = (-7_000_001, -8_000_001)

#: The recipe's source of a parameter read from the clock at each run (its value: the offset).
_CLOCK = "<the clock>"

#: Every compiled query made in this process, for :func:`compile_every` (weakly: a query made
#: for a while is not kept alive by being listed).
_MADE = weakref.WeakSet()


class _Compiled(NamedTuple):
    queryset: object  # built with the stand-ins
    sql: str
    recipe: list  # per parameter: (a name it takes, None), (None, a constant) or (_CLOCK, an offset)
    columns: list  # the expressions it selects
    reads_clock: bool


class CompiledQuery:
    """A queryset ``build(**values)``, compiled once per database and run with new ``values``.

    Parameters
    ----------
    build : callable
        Returns the queryset for the values it takes by name: ids (no annotation, or ``int``) or
        text (annotated ``str``).
    """

    def __init__(self, build):
        self.build = build
        parameters = inspect.signature(build, eval_str=True).parameters
        self.names, self._names = tuple(parameters), frozenset(parameters)
        self.texts = frozenset(name for name, p in parameters.items() if p.annotation is str)
        if any(p.annotation not in (str, int, p.empty) for p in parameters.values()):
            raise TypeError(f"{build.__qualname__}: a compiled query takes ids (int) and text (str) only")
        self._compiled = {}  # database alias -> _Compiled
        _MADE.add(self)

    def objects(self, using=DEFAULT_DB_ALIAS, **values):
        """The query's model instances for ``values`` (a ``RawQuerySet``: the columns it selects
        are loaded, the others deferred; annotations are attributes)."""
        compiled = self.compiled(using)
        manager = compiled.queryset.model._default_manager  # (not db_manager(using): a copy, 6 µs a run)
        return manager.raw(compiled.sql, self._params(compiled, using, values), using=using)

    def rows(self, using=DEFAULT_DB_ALIAS, **values):
        """The query's rows for ``values`` as tuples (for a ``values_list`` queryset), each value
        converted from the database as the ORM would."""
        compiled = self.compiled(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, using, values))
            rows = cursor.fetchall()
        compiler = compiled.queryset.query.get_compiler(connection=connection)  # (its converters are this connection's)
        converters = compiler.get_converters(compiled.columns)
        return [tuple(row) for row in compiler.apply_converters(rows, converters)] if converters else rows

    def _params(self, compiled, using, values):
        if values.keys() != self._names:
            raise TypeError(f"the query takes {', '.join(self.names)}, not {', '.join(values)}")
        if self.texts and any(not isinstance(values[name], str) for name in self.texts):
            raise TypeError(f"{', '.join(sorted(self.texts))} must be text")  # (None would be IS NULL to the ORM)
        if not compiled.reads_clock:
            return [values[source] if source is not None else value for source, value in compiled.recipe]
        now, adapt = timezone.now(), connections[using].ops.adapt_datetimefield_value
        return [adapt(now + value) if source == _CLOCK else values[source] if source is not None else value
                for source, value in compiled.recipe]

    def compiled(self, using):
        """The query compiled for database ``using`` (its first call compiles it, or raises
        ``ValueError`` for a query that cannot be reused; see the module's docstring)."""
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        return self._compiled[using]

    def _stand_in(self, compilation, i, name):
        if name in self.texts:
            # Text no one writes, which any change the ORM or the build may make to a value alters
            # (LIKE's escaping of % _ \, case, trimming), so a changed value is refused, never
            # bound unchanged; PostgreSQL's text cannot hold its NUL.
            return f" \0Stand-in {compilation} for {name} %_\\ "
        return _STAND_INS[compilation] - i

    def _compile(self, using):
        connection = connections[using]
        stand_ins = [{name: self._stand_in(c, i, name) for i, name in enumerate(self.names)} for c in (0, 1)]
        compiled = []
        with connection.execute_wrapper(_no_queries):
            for values in stand_ins:
                start = timezone.now()
                queryset = self.build(**values).using(using)
                compiler = queryset.query.get_compiler(using)
                compiled.append((queryset, compiler, *compiler.as_sql(), (start, timezone.now())))
        (queryset, compiler, sql, params, span), (_, _, sql_again, params_again, span_again) = compiled
        if sql != sql_again or len(params) != len(params_again):
            raise ValueError(f"{self.build.__qualname__}: its SQL changes with more than the values it takes")
        recipe = []
        for pair in zip(params, params_again):
            name = next((name for name in self.names if pair == (stand_ins[0][name], stand_ins[1][name])), None)
            if name is not None:
                recipe.append((name, None))
            elif pair[0] == pair[1] and type(pair[0]) is type(pair[1]) and not is_time(pair[0]):
                recipe.append((None, pair[0]))
            elif (offset := _clock_offset(pair, (span, span_again), connection)) is not None:
                recipe.append((_CLOCK, offset))
            else:
                raise ValueError(f"{self.build.__qualname__}: a parameter is neither a value it takes, "
                                 "the clock plus whole seconds, nor a constant")
        if {name for name, _ in recipe} - {None, _CLOCK} != set(self.names):
            raise ValueError(f"{self.build.__qualname__}: a value it takes is not in its SQL")
        return _Compiled(queryset, sql, recipe, [column for column, _, _ in compiler.select],
                         any(source == _CLOCK for source, _ in recipe))


def compile_every(using=DEFAULT_DB_ALIAS):
    """Compile every query made so far in this process for database ``using``, as its first run
    would (the server's start-up, lifecircle.startup: a first run costs 2-5 ms, and right after a
    restart every worker's first pages would pay it under full load). Returns how many."""
    made = list(_MADE)
    for query in made:
        query.compiled(using)
    return len(made)


def _no_queries(*args):
    raise ValueError("a compiled query's build queried the database")


def _clock_offset(values, spans, connection):
    """The whole seconds by which one parameter's ``values`` in two compilations stand from the
    clock, when each is a time read during its compilation (``spans``: the clock before and after
    each, the second after the first) plus the same offset, as the database's adapter writes it;
    else None (not a time, one that does not move with the clock, or a clock that did not move)."""
    if not spans[0][1] < spans[1][0]:
        return None
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


def is_time(value):
    """Whether ``value`` is a date or a time, or text that reads as one."""
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return True
    try:
        return isinstance(value, str) and datetime.datetime.fromisoformat(value) is not None
    except ValueError:
        return False
