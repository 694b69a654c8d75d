"""Posts of service requests and updates: at most ``OPEN311_RATE_LIMIT`` (10) a minute per API
key, per address and per signed-in user, counted by the site's one rate limiter
(lifecircle.ratelimit) in the shared cache, so the limit holds across workers and servers.
"""
from django.conf import settings

from lifecircle.ratelimit import Limit, client_ip  # noqa: F401  (client_ip re-exported for callers)

WINDOW_SECONDS = 60


def limit_per_minute():
    return getattr(settings, "OPEN311_RATE_LIMIT", 10)


def hit(bucket):
    """Count one call for ``bucket``; return the seconds to wait when it is over the limit, else 0."""
    return Limit("requests311", limit_per_minute(), WINDOW_SECONDS).hit(bucket)
