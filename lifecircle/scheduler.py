"""The site's scheduled jobs, run by the process that serves (``manage.py serve``), not by cron.

Each job is a management command with an interval. ``serve`` starts one ``Scheduler`` thread in
the gunicorn master process (never in a worker, so two workers do not run it twice); every
``tick`` seconds it runs the jobs that are due. A job is due once per interval slot
(``int(now // every)``), and a run is claimed by adding one cache key for that slot: the cache
is shared (Redis in production), so when two servers run, the first to claim a slot runs the
job and the other skips it. Jobs are safe to run twice anyway (each says so), so a claim lost
with a restarted cache costs nothing. A job whose command is not installed is skipped and said
once; a failing job is logged and tried again in the next slot.
"""
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.db import connections

from lifecircle.ratelimit import atomic_update

log = logging.getLogger("lifecircle.scheduler")


@dataclass(frozen=True)
class Job:
    command: str
    every: int  # seconds


JOBS = [
    Job("expire_babycare_offers", every=5 * 60),  # offers answered late go to the next child in line
    Job("send_booking_reminders", every=15 * 60),  # tomorrow's bookings; each reminded once
    Job("apply_retention", every=24 * 3600),  # personal data past its retention period
]


class Scheduler:
    def __init__(self, jobs=JOBS, tick=30, first_delay=5, clock=time.time):
        self.jobs, self.tick, self.first_delay, self.clock = jobs, tick, first_delay, clock
        self.stop = threading.Event()
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._missing_said = set()

    def claim(self, job, now):
        """True if this process may run ``job`` in the slot of ``now`` (no other server has)."""
        slot = int(now // job.every)
        with atomic_update():
            return cache.add(f"lifecircle:scheduler:{job.command}:{slot}", self.owner, timeout=job.every + 60)

    def run_due(self):
        """Run every job due now; return the names of the jobs that ran."""
        ran = []
        installed = get_commands()
        for job in self.jobs:
            if job.command not in installed:
                if job.command not in self._missing_said:
                    log.info("scheduler: %s is not installed here; skipped", job.command)
                    self._missing_said.add(job.command)
                continue
            if not self.claim(job, self.clock()):
                continue
            try:
                call_command(job.command)
                log.info("scheduler: ran %s", job.command)
                ran.append(job.command)
            except Exception:  # noqa: BLE001 - one failing job must not stop the others
                log.exception("scheduler: %s failed; it runs again in its next slot", job.command)
            finally:
                # gunicorn forks new workers from this process: leave no connection to inherit
                # (one inside a transaction belongs to a caller, e.g. a test, and stays).
                for connection in connections.all(initialized_only=True):
                    if not connection.in_atomic_block:
                        connection.close()
        return ran

    def loop(self):
        # gunicorn forks its workers right after start: wait for that, so that no worker is
        # forked while a job holds a database connection.
        self.stop.wait(self.first_delay)
        while not self.stop.is_set():
            self.run_due()
            self.stop.wait(self.tick)

    def start(self):
        thread = threading.Thread(target=self.loop, name="lifecircle-scheduler", daemon=True)
        thread.start()
        return thread
