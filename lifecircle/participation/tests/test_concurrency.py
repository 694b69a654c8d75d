"""Simultaneous supports by one resident: the database lets exactly one through (run on PostgreSQL
by bin/test as well as on SQLite)."""
import threading
import time

import pytest
from django.db import OperationalError, connection

from lifecircle.participation import services
from lifecircle.participation.models import Support

from .helpers import COLLECT_DAY, VOTE_DAY, on

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_supports_count_once(world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, "装路灯", "太黑")
    barrier, outcomes = threading.Barrier(4), []

    def attempt():
        try:
            barrier.wait()
            for _ in range(200):
                try:
                    services.support(world.bob.user, proposal)
                    outcomes.append("counted")
                except services.AlreadySupported:
                    outcomes.append("refused")
                except OperationalError as exc:
                    # SQLite's shared in-memory test database reports "table is locked" instead of
                    # waiting (a file database waits); try again. PostgreSQL never gets here.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
                    continue
                break
        finally:
            connection.close()

    with on(VOTE_DAY):
        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["counted", "refused", "refused", "refused"]
    assert Support.objects.filter(proposal=proposal).count() == 1
