import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
application = get_wsgi_application()

from lifecircle import startup  # noqa: E402  (after the settings are read: it imports the apps)

# Load every view and the API now, and what the first requests would stop for (lifecircle.startup),
# then move everything start-up made into the collector's permanent generation: a full collection
# otherwise walks those ~160k objects again and again, a 130–280 ms pause in about 1 % of requests
# (benchmarks/load.py); frozen, a full pass takes 10–50 ms. `manage.py serve` imports this module
# once, in gunicorn's master, and forks the workers after it: they share what it loaded, and their
# collections leave it alone (a collection writes to each object it walks, which would copy the
# object's page of memory into the worker).
get_resolver().url_patterns  # noqa: B018  (imports the URLconf, every view and the API routers)
startup.prepare_site()
startup.compile_pages()
gc.collect()
gc.freeze()
