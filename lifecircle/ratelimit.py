"""The one rate limiter of the site: a fixed-window counter per bucket, in the shared cache.

Every limit is a ``Limit(scope, limit, window)``; ``hit(bucket)`` counts one attempt for a bucket
(a user, an address, an API key) and says how long to wait once the window's count passes the
limit. The count is one cache counter per (scope, bucket, window) raised with one atomic
increment, so every process and server that shares the cache admits exactly ``limit`` attempts a
window between them — two gunicorn workers with a limit of 5 admit 5, not 10.

Which increments are atomic: Redis (``INCR``, the production cache, set by ``REDIS_URL``) and
Memcached do it in the server. Django's other backends read and write back; for them (the
embedded demo's file cache) the increment holds an exclusive lock file in ``VAR_DIR`` for its few
microseconds, which makes it atomic between the processes of one machine — all the demo has.
A per-process (local-memory) cache would count each worker apart and is never configured.

A caller that refuses the attempt for another reason afterwards (a form with errors) may give
the place back with ``release(bucket)``, so that only accepted attempts count.
"""
import contextlib
import fcntl
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import PermissionDenied
from django.utils import timezone

ATOMIC_INCR_BACKENDS = ("RedisCache", "PyMemcacheCache", "PyLibMCCache")


def clock():
    """Seconds since the epoch; timezone.now, so that tests that move the clock move the windows."""
    return timezone.now().timestamp()


class RateLimited(PermissionDenied):
    """Too many attempts in a window (HTTP 429); ``wait`` is the seconds until the next window."""

    def __init__(self, message, wait):
        super().__init__(message)
        self.wait = wait


def cache_is_atomic():
    """True when the cache server itself increments and adds atomically (Redis, Memcached)."""
    return type(caches["default"]).__name__ in ATOMIC_INCR_BACKENDS


@contextlib.contextmanager
def atomic_update():
    """Make a read-and-write-back of the cache (an increment, an add) atomic between processes,
    where the cache itself does not."""
    if cache_is_atomic():
        yield
        return
    lock_path = Path(settings.VAR_DIR) / "ratelimit.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` attempts per ``window`` seconds for each bucket of ``scope``."""

    scope: str
    limit: int
    window: int

    def _key(self, bucket, now):
        return f"lifecircle:rate:{self.scope}:{bucket}:{int(now) // self.window}"

    def hit(self, bucket):
        """Count one attempt; return 0 when it is admitted, else the whole seconds to wait."""
        now = clock()
        key = self._key(bucket, now)
        with atomic_update():
            cache.add(key, 0, timeout=self.window + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # the counter expired between add and incr
                cache.set(key, 1, timeout=self.window + 5)
                count = 1
        if count <= self.limit:
            return 0
        return self.wait(now)

    def release(self, bucket):
        """Give back the place of an attempt that was refused for another reason."""
        key = self._key(bucket, clock())
        with atomic_update(), contextlib.suppress(ValueError):
            cache.decr(key)

    @contextlib.contextmanager
    def admit(self, bucket, refusal):
        """Admit one attempt, or raise RateLimited(refusal(wait)); an attempt that fails inside
        the block (bad input, a refusal) gives its place back, so only accepted ones count."""
        wait = self.hit(bucket)
        if wait:
            raise RateLimited(refusal(wait), wait)
        try:
            yield
        except BaseException:
            self.release(bucket)
            raise

    def wait(self, now=None):
        """Seconds until the current window ends."""
        now = clock() if now is None else now
        return max(1, math.ceil(self.window - now % self.window))


def client_ip(request):
    """The caller's address, as middleware ``lifecircle.proxy.ForwardedForMiddleware`` left it in
    REMOTE_ADDR (the right-most address a trusted proxy added, when the site runs behind one)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
