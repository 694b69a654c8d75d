"""Per-user limit on posting (proposals, comments, letters), kept in Django's cache.

A sliding window: the times of a user's recent posts are kept under one cache key, and a new post
is refused while ``limit`` of them fall inside the last ``window`` seconds. Set
``PARTICIPATION_RATE_LIMIT = (posts, seconds)`` in the settings to change it; a deployment with
several processes needs a shared cache (Redis, Memcached or the database cache) for the limit to
hold across them.
"""
import math

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import ngettext

DEFAULT = (5, 600)


class RateLimited(PermissionDenied):
    """Too many posts in too short a time (HTTP 429 in the API)."""


def _limit():
    return getattr(settings, "PARTICIPATION_RATE_LIMIT", DEFAULT)


def _key(user):
    return f"lifecircle:participation:posts:{user.pk}"


def _recent(user, now):
    limit, window = _limit()
    return [t for t in cache.get(_key(user), []) if t > now - window]


def check(user):
    """Raise RateLimited if ``user`` may not post now, saying how long to wait."""
    limit, window = _limit()
    now = timezone.now().timestamp()
    recent = _recent(user, now)
    if len(recent) >= limit:
        wait = max(1, math.ceil((min(recent) + window - now) / 60))
        minutes = max(1, window // 60)
        raise RateLimited(" ".join([
            ngettext("You have posted %(count)d times in the last minute.",
                     "You have posted %(count)d times in the last %(minutes)d minutes.", minutes)
            % {"count": len(recent), "minutes": minutes},
            ngettext("Please wait %(wait)d minute and try again.", "Please wait %(wait)d minutes and try again.", wait)
            % {"wait": wait},
        ]))


def record(user):
    limit, window = _limit()
    now = timezone.now().timestamp()
    cache.set(_key(user), [*_recent(user, now), now][-limit:], window)
