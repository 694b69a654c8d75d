"""Settings for benchmarks/load.py: the site's own, with the Open311 rate limit lifted, because
every benchmark request comes from one address with one api_key, and the cache shared by the
workers in Redis when REDIS_URL is set (load.py starts a private redis-server for it)."""
import os

from lifecircle.settings import *  # noqa: F403

OPEN311_RATE_LIMIT = 10**9
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
LOGGING = {"version": 1, "disable_existing_loggers": False,  # a 4xx logs a warning per request
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "ERROR"},
           # the start-up lines ("prepared … in 2.1 s", "compiled … page templates"): load.py waits for
           # them before its first step
           "loggers": {"lifecircle.wsgi": {"level": "INFO"}}}
