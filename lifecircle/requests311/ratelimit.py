"""A fixed-window rate limit kept in Django's cache (per API key, per IP address, per user).

Each window is one cache counter, so the limit holds across processes only when the cache is
shared (a deployment with several workers configures CACHES with Redis, Memcached or the
database cache; the default local-memory cache counts per process).
"""
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60
clock = time.time  # tests replace this to stay inside one window


def limit_per_minute():
    return getattr(settings, "OPEN311_RATE_LIMIT", 10)


def hit(bucket, limit=None, window=WINDOW_SECONDS):
    """Count one call for ``bucket``; return the seconds to wait when it is over the limit, else 0."""
    limit = limit_per_minute() if limit is None else limit
    now = int(clock())
    key = f"requests311:rate:{bucket}:{now // window}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return window - now % window if count > limit else 0


def client_ip(request):
    """The caller's address: REMOTE_ADDR, or the header a trusted reverse proxy sets
    (settings.OPEN311_CLIENT_IP_HEADER, e.g. "HTTP_X_REAL_IP") when the site runs behind one."""
    header = getattr(settings, "OPEN311_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")) or "unknown"
