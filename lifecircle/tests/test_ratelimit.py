"""The one rate limiter: exact counts across threads and processes, windows, giving back."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from lifecircle import ratelimit
from lifecircle.ratelimit import Limit, RateLimited
from lifecircle.testing import race

PROJECT = Path(__file__).resolve().parents[2]


def test_the_cache_is_shared_never_per_process():
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend
    if os.environ.get("REDIS_URL"):
        assert backend == "django.core.cache.backends.redis.RedisCache"
        assert ratelimit.cache_is_atomic()  # Redis increments itself: no lock file
    else:
        assert backend == "django.core.cache.backends.filebased.FileBasedCache"
        assert not ratelimit.cache_is_atomic()  # the file cache is made atomic by a lock file


def test_a_limit_admits_exactly_its_count_when_hit_at_once():
    limit = Limit("test:race", 5, 60)
    results = race(lambda _: limit.hit("same"), list(range(16)))
    assert sorted(results).count(0) == 5


COUNT_IN_PROCESS = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
django.setup()
from lifecircle.ratelimit import Limit
limit = Limit("test:processes", 5, 600)
print(sum(1 for _ in range(5) if limit.hit("one") == 0))
"""


def test_four_processes_share_one_count():
    """Four processes (as four gunicorn workers would) each try 5 times: 5 admitted in all."""
    env = {**os.environ, "LIFECIRCLE_VAR_DIR": str(settings.VAR_DIR)}  # the same file cache as this test
    procs = [subprocess.Popen([sys.executable, "-c", COUNT_IN_PROCESS], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    admitted = [int(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert sum(admitted) == 5


def test_the_next_window_starts_again(monkeypatch):
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    limit = Limit("test:window", 2, 60)
    assert [limit.hit("b"), limit.hit("b"), limit.hit("b")] == [0, 0, 60]
    now["t"] += 45
    assert limit.hit("b") == 15
    now["t"] += 15
    assert limit.hit("b") == 0


def test_an_attempt_that_fails_gives_its_place_back():
    limit = Limit("test:admit", 1, 600)
    with pytest.raises(ValueError), limit.admit("b", str):
        raise ValueError("bad input")
    with limit.admit("b", str):
        pass
    with pytest.raises(RateLimited) as refused, limit.admit("b", lambda wait: f"wait {wait}"):
        pass
    assert refused.value.wait > 0 and str(refused.value).startswith("wait")


def test_buckets_and_scopes_are_apart():
    a, b = Limit("test:a", 1, 600), Limit("test:b", 1, 600)
    assert [a.hit("x"), a.hit("y"), b.hit("x")] == [0, 0, 0]
    assert a.hit("x") > 0
    cache.clear()
    assert a.hit("x") == 0
