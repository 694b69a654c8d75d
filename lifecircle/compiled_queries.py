"""Querysets compiled to SQL once per process, then run again with each request's ids.

Building a queryset and compiling it cost the ORM 0.2-0.6 ms of CPU a query, more than the
database took to answer; the pages everyone signed in opens (the resident home, their requests)
paid that on every request for SQL that differed only in the ids. A :class:`CompiledQuery` is still
written as a queryset, built by a function from the ids it takes by name. The first run in a
process compiles it twice, with two sets of made-up negative ids (no row has one), and keeps the
SQL with a recipe saying which parameter is which id; later runs bind the request's ids to it.

Only ids may vary: every other parameter must come out the same in both compilations and be no date
or time (one read from the clock would be kept as a constant), the SQL must be the same text, and
the build may not query the database. A query that breaks this raises ``ValueError`` on its first
run (every one is run by the tests), rather than answering wrongly. What is bound is only SQL:
no row is kept between requests.
"""
import datetime
import inspect

from django.db import DEFAULT_DB_ALIAS, connections

#: The made-up ids of the two compilations, one apart for each name the query takes.
_STAND_INS = (-7_000_001, -8_000_001)


class CompiledQuery:
    """A queryset ``build(**ids)``, compiled once per database and run with new ``ids``."""

    def __init__(self, build):
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self._compiled = {}  # database alias -> (queryset, SQL, recipe)

    def objects(self, using=DEFAULT_DB_ALIAS, **ids):
        """The query's model instances for ``ids`` (a ``RawQuerySet``: the columns it selects are
        loaded, the others deferred; annotations are attributes)."""
        queryset, sql, recipe, _ = self.compiled(using)
        return queryset.model._default_manager.db_manager(using).raw(sql, self._params(recipe, ids))

    def rows(self, using=DEFAULT_DB_ALIAS, **ids):
        """The query's rows for ``ids`` as tuples (for a ``values_list`` queryset), each value
        converted from the database as the ORM would."""
        queryset, sql, recipe, columns = self.compiled(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, self._params(recipe, ids))
            rows = cursor.fetchall()
        compiler = queryset.query.get_compiler(connection=connection)  # (its converters are this connection's)
        converters = compiler.get_converters(columns)
        return [tuple(row) for row in compiler.apply_converters(rows, converters)] if converters else rows

    def _params(self, recipe, ids):
        if set(ids) != set(self.names):
            raise TypeError(f"the query takes {', '.join(self.names)}, not {', '.join(ids)}")
        return [ids[name] if name is not None else value for name, value in recipe]

    def compiled(self, using):
        """(the queryset built with stand-ins, its SQL, its recipe: (name, None) for an id,
        (None, value) for a constant, the expressions it selects)."""
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        return self._compiled[using]

    def _compile(self, using):
        connection = connections[using]
        stand_ins = [{name: start - i for i, name in enumerate(self.names)} for start in _STAND_INS]
        compiled = []
        with connection.execute_wrapper(_no_queries):
            for ids in stand_ins:
                queryset = self.build(**ids).using(using)
                compiler = queryset.query.get_compiler(using)
                compiled.append((queryset, compiler, *compiler.as_sql()))
        (queryset, compiler, sql, params), (_, _, sql_again, params_again) = compiled
        if sql != sql_again or len(params) != len(params_again):
            raise ValueError(f"{self.build.__qualname__}: its SQL changes with more than the ids")
        recipe = []
        for values in zip(params, params_again):
            name = next((name for name in self.names if values == (stand_ins[0][name], stand_ins[1][name])), None)
            same = values[0] == values[1] and type(values[0]) is type(values[1])
            if name is None and (not same or is_time(values[0])):
                raise ValueError(f"{self.build.__qualname__}: a parameter is neither an id nor a constant")
            recipe.append((name, None) if name else (None, values[0]))
        if {name for name, _ in recipe} - {None} != set(self.names):
            raise ValueError(f"{self.build.__qualname__}: an id it takes is not in its SQL")
        return queryset, sql, recipe, [column for column, _, _ in compiler.select]


def _no_queries(*args):
    raise ValueError("a compiled query's build queried the database")


def is_time(value):
    """Whether ``value`` is a date or a time, or text that reads as one."""
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return True
    try:
        return isinstance(value, str) and datetime.datetime.fromisoformat(value) is not None
    except ValueError:
        return False
