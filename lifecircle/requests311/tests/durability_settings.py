"""Settings for test_durability.py's server: the site's own with the Open311 rate limit lifted,
since the test's writes all come from one address with one api_key."""
from lifecircle.settings import *  # noqa: F403

OPEN311_RATE_LIMIT = 10**6
