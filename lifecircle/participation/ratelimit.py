"""Per-user limit on posting (proposals, comments, letters): the site's rate limiter
(lifecircle.ratelimit) with at most 5 posts in each 10-minute window by default.

The posting services are decorated with ``limited()``: the count is taken (one atomic increment
in the shared cache, so it holds across workers, also for posts sent at the same instant) before
the service runs, and given back when the service refuses the post for another reason (bad
input, a closed process), so only posts made count. Set ``PARTICIPATION_RATE_LIMIT = (posts,
seconds)`` in the settings to change the limit.
"""
import functools
import math

from django.conf import settings
from django.utils.translation import ngettext

from lifecircle.ratelimit import Limit, RateLimited  # noqa: F401  (RateLimited re-exported for callers)

DEFAULT = (5, 600)


def _limit():
    posts, seconds = getattr(settings, "PARTICIPATION_RATE_LIMIT", DEFAULT)
    return Limit("participation:posts", posts, seconds)


def posting(user):
    """Context manager around one post by ``user``: RateLimited, saying how long to wait, when
    the user has posted too often; otherwise the post counts unless it fails."""
    limit = _limit()

    def refusal(wait):
        minutes = max(1, limit.window // 60)
        wait_minutes = max(1, math.ceil(wait / 60))
        return " ".join([
            ngettext("You have posted %(count)d times in the last minute.",
                     "You have posted %(count)d times in the last %(minutes)d minutes.", minutes)
            % {"count": limit.limit, "minutes": minutes},
            ngettext("Please wait %(wait)d minute and try again.", "Please wait %(wait)d minutes and try again.",
                     wait_minutes) % {"wait": wait_minutes},
        ])

    return limit.admit(user.pk, refusal)


def limited(exempt=lambda user, *args, **kwargs: False):
    """Decorator for a service whose first argument is the user who posts: the post goes through
    ``posting(user)`` unless ``exempt(user, *args, **kwargs)`` (a representative's reply, say)."""
    def decorate(service):
        @functools.wraps(service)
        def wrapper(user, *args, **kwargs):
            if exempt(user, *args, **kwargs):
                return service(user, *args, **kwargs)
            with posting(user):
                return service(user, *args, **kwargs)
        return wrapper
    return decorate
