"""Settings for benchmarks/load.py: the site's own, with the Open311 rate limit lifted, because
every benchmark request comes from one address with one api_key."""
from lifecircle.settings import *  # noqa: F403

OPEN311_RATE_LIMIT = 10**9
LOGGING = {"version": 1, "disable_existing_loggers": False,  # a 4xx logs a warning per request
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "ERROR"}}
