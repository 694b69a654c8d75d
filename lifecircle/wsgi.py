import gc
import logging
import os
import time

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
application = get_wsgi_application()

# Load every view and the API now, then move everything start-up made into the collector's
# permanent generation: a full collection otherwise walks those ~160k objects again and again,
# a 130–280 ms pause in about 1 % of requests (benchmarks/load.py); frozen, a full pass takes
# 10–50 ms. Gunicorn imports this module in each worker after the fork, so each worker freezes
# its own start-up objects.
get_resolver().url_patterns  # noqa: B018  (imports the URLconf, every view and the API routers)


def _prepare():
    """Load every sub-district's walking network (and what a map click needs of it), its
    facilities and its points of interest before the first request: in a city the first clicks and
    lists otherwise wait about 20 ms a sub-district, in every worker. A site that cannot be read
    yet (not migrated) starts all the same, and says so."""
    from lifecircle.accessibility import isochrones
    from lifecircle.directory import api as directory

    log = logging.getLogger("lifecircle.wsgi")
    started = time.perf_counter()
    try:
        count = isochrones.prepare_worker()
        places = directory.prepare_worker()
    except Exception:  # noqa: BLE001 (start-up must not fail on it: requests load what they need)
        log.warning("could not prepare the walking networks and facilities at start-up; requests will load them",
                    exc_info=True)
    else:
        log.info("prepared the walking networks of %d sub-district(s), %d facilities and %d points of interest "
                 "in %.1f s", count, places["facilities"], places["points-of-interest"], time.perf_counter() - started)
    finally:
        connections.close_all()  # this thread serves no request: keep no database connection open


_prepare()
gc.collect()
gc.freeze()
