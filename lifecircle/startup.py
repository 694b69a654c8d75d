"""What the server does once, before its workers take requests (lifecircle.wsgi, which
`manage.py serve` loads in gunicorn's master before forking the workers; a server that loads it in
each worker does it there): everything a worker's first request of each kind would otherwise stop
for. Right after a restart every worker meets those first requests at once, under whatever load
there is."""
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

from lifecircle import compiled_queries
from lifecircle.accessibility import isochrones
from lifecircle.accounts import attention
from lifecircle.directory import api as directory
from lifecircle.requests311 import intake, lifecycle

log = logging.getLogger("lifecircle.wsgi")  # (the name the servers' and load.py's settings show)


def prepare_site():
    """Load every sub-district's walking network (and what a map click needs of it), its
    facilities and its points of interest before the first request: in a city the first clicks and
    lists otherwise wait about 20 ms a sub-district, in every worker. Then what a worker's first
    resident pages and Open311 reports otherwise stop for: the grids' shapes and the services
    (20 ms in a city), and the queries kept compiled (lifecircle.compiled_queries, 2-5 ms each).
    A site that cannot be read yet (not migrated) starts all the same, and says so."""
    started = time.perf_counter()
    try:
        count = isochrones.prepare_worker()
        places = directory.prepare_worker()
        attention.prepare()
        lifecycle.prepare_worker()
        intake.prepare_worker()
        queries = compiled_queries.compile_every()
    except Exception:  # noqa: BLE001 (start-up must not fail on it: requests load what they need)
        log.warning("could not prepare the walking networks and facilities at start-up; requests will load them",
                    exc_info=True)
    else:
        log.info("prepared the walking networks of %d sub-district(s), %d facilities and %d points of interest, "
                 "and compiled %d queries in %.1f s", count, places["facilities"], places["points-of-interest"],
                 queries, time.perf_counter() - started)
    finally:
        connections.close_all()  # this thread serves no request: keep no database connection open


def compile_pages():
    """Before the first request, in each language: build the tables that turn a view's name into
    its address (Django builds them on first use, per language and per namespace) and compile
    every page template of lifecircle. A worker otherwise built them on its first page of each
    kind, 20-50 ms for a resident's first page or a form post (the address tables alone about
    40 ms a language), and right after a restart every worker meets them at once, under full load
    (benchmarks/load.py's first step).

    A template that does not compile is left for its page to report, as before: the server starts.
    """
    started = time.perf_counter()
    for code, _ in settings.LANGUAGES:
        with translation.override(code):  # (loads the language's catalogues too)
            for name in _view_names(get_resolver()):
                try:
                    reverse(name)  # a name that takes arguments fails, once its tables are built
                except NoReverseMatch:
                    pass
    count = 0
    for engine in engines.all():
        for name, path in page_templates(engine):
            try:
                engine.get_template(name)
            except TemplateSyntaxError:
                log.warning("template %s does not compile", path, exc_info=True)
            else:
                count += 1
    log.info("compiled %d page templates and the addresses of every view in %.1f s", count,
             time.perf_counter() - started)


def page_templates(engine):
    """(name, path) of each page template of lifecircle that ``engine`` finds: those in its folders
    under the project (Django's and other packages' own pages are left to their first use)."""
    for folder in map(Path, engine.template_dirs):
        if folder.is_relative_to(settings.BASE_DIR):
            for path in sorted(folder.rglob("*.html")):
                yield path.relative_to(folder).as_posix(), path


def _view_names(resolver, namespace=""):
    """Every view name ``reverse`` takes (``"admin:index"``) in the active language."""
    yield from (namespace + key for key in resolver.reverse_dict if isinstance(key, str))
    for inner, (_, included) in resolver.namespace_dict.items():
        yield from _view_names(included, f"{namespace}{inner}:")
