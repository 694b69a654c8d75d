import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
application = get_wsgi_application()

# Load every view and the API now, then move everything start-up made into the collector's
# permanent generation: a full collection otherwise walks those ~160k objects again and again,
# a 130–280 ms pause in about 1 % of requests (benchmarks/load.py); frozen, a full pass takes
# 10–50 ms. Gunicorn imports this module in each worker after the fork, so each worker freezes
# its own start-up objects.
get_resolver().url_patterns  # noqa: B018  (imports the URLconf, every view and the API routers)
gc.collect()
gc.freeze()
