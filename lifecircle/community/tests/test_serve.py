"""`manage.py serve` as deployed: two gunicorn workers share one rate limit (the shared cache:
Redis under bin/test, REDIS_URL; the file cache otherwise), the scheduler runs the jobs once in
the master process, DEBUG is off, and calendar tokens stay out of the access log."""
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    """The URL of the test database, so that the served site reads what the test wrote."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    options = db.get("OPTIONS", {})
    query = urllib.parse.urlencode({"host": db["HOST"] or options.get("host", ""),
                                    "port": db["PORT"] or options.get("port", 5432)})
    return f"postgres://{db['USER']}:{urllib.parse.quote(db['PASSWORD'] or '')}@/{db['NAME']}?{query}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A `manage.py serve` subprocess; ``output`` collects what it prints."""

    def __init__(self, *args, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{self.port}", "--no-collectstatic", *args],
            cwd=PROJECT, env={**os.environ, "DATABASE_URL": database_url(),
                              "LIFECIRCLE_VAR_DIR": str(settings.VAR_DIR), **env},  # the test's file cache too
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, text, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.output:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"serve never printed {text!r}:\n{self.output}")

    def get(self, path):
        try:
            return urllib.request.urlopen(self.base + path, timeout=10)
        except urllib.error.HTTPError as error:
            return error

    def post(self, path, data):
        try:
            return urllib.request.urlopen(self.base + path, urllib.parse.urlencode(data).encode(), timeout=20).status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def served():
    server = Served("--workers", "2", OPEN311_RATE_LIMIT="5")
    try:
        deadline = time.monotonic() + 120
        while server.output.count("Booting worker with pid") < 2 or isinstance(
                server.get("/open311/v2/discovery.json"), Exception):
            if time.monotonic() > deadline or server.process.poll() is not None:
                pytest.fail(f"serve did not start two workers:\n{server.output}")
            time.sleep(0.2)
        yield server
    finally:
        server.stop()


def test_the_site_is_loaded_once_before_the_workers_are_forked(served):
    """The master prepares the site (networks, facilities, compiled pages) and the two workers share
    it, rather than each loading its own copy (lifecircle.startup)."""
    served.wait_for("page templates and the addresses of every view")
    assert served.output.count("Booting worker with pid") == 2
    assert served.output.count("prepared the walking networks") == 1
    assert served.output.count("page templates and the addresses of every view") == 1
    assert served.output.index("prepared the walking networks") < served.output.index("Booting worker with pid")


def test_two_workers_admit_exactly_the_limit_between_them(served):
    # Which worker accepts a connection is the kernel's choice: one worker may take a whole burst.
    # Bursts go on until both have answered, so that the shared limit is proved across both.
    # The limit counts per minute of the clock: the bursts start early in one and end inside it.
    if time.time() % 60 > 20:
        time.sleep(60.5 - time.time() % 60)
    minute = int(time.time() // 60)
    codes, answered_by = [], set()
    while int(time.time() // 60) == minute and time.time() % 60 < 50:
        with ThreadPoolExecutor(30) as pool:
            codes += pool.map(lambda _: served.post("/open311/v2/requests.json", {"api_key": "wrong"}), range(30))
        time.sleep(0.5)
        answered_by = set(re.findall(r'"POST /open311/v2/requests.json HTTP/1.1" \d+ .* <(\d+)>', served.output))
        if len(answered_by) == 2:
            break
    assert len(answered_by) == 2, f"both workers must have answered, for the test to prove anything:\n{served.output}"
    # The per-address limit comes first: 5 calls in all reach the key check (403), the rest are refused.
    assert sorted(codes) == [403] * 5 + [429] * (len(codes) - 5)


def test_the_scheduler_runs_the_jobs_once_in_the_master(served):
    served.wait_for("scheduler: ran expire_babycare_offers", 120)
    served.wait_for("scheduler: ran send_booking_reminders", 60)
    assert served.output.count("scheduler: ran expire_babycare_offers") == 1


def test_served_site_hides_errors_and_calendar_tokens(served):
    missing = served.get("/bookings/calendar/s3cret-feed-token.ics")
    assert missing.code == 404
    body = missing.read().decode()
    assert "Traceback" not in body and "DEBUG = True" not in body and "URLconf" not in body
    time.sleep(0.5)
    assert "/bookings/calendar/[token].ics" in served.output
    assert "s3cret-feed-token" not in served.output


def test_by_default_one_single_threaded_worker_per_core_and_one_more():
    # CPU-bound requests: threads in one worker only take turns at the GIL, and a threaded worker
    # keeps each connection on the worker that accepted it (README, "Serving under load").
    environment = {name: "" for name in ("WEB_CONCURRENCY", "WEB_THREADS") if name in os.environ}
    server = Served("--no-scheduler", **environment)
    try:
        expected = os.cpu_count() + 1
        deadline = time.monotonic() + 120
        while server.output.count("Booting worker with pid") < expected:
            if time.monotonic() > deadline or server.process.poll() is not None:
                pytest.fail(f"serve did not start {expected} workers:\n{server.output}")
            time.sleep(0.2)
        time.sleep(1)  # a worker too many would boot now
        assert server.output.count("Booting worker with pid") == expected
        assert "Using worker: sync" in server.output
    finally:
        server.stop()
