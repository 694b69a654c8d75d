"""Helpers the apps' tests share (not used by the site): the fixtures their ``conftest.py`` files
import by name (pytest then applies them in that folder, ``autouse`` ones to every test there), a
local moment, and the harness for the tests that prove capacity holds under concurrent requests.

Test users' passwords already hash fast everywhere (``lifecircle.pytest_environment``)."""
import datetime
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone, translation


# ---- fixtures for the apps' conftest.py -------------------------------------------------------

@pytest.fixture(autouse=True)
def english():
    """Reasons and messages are checked in English, the source language (the site's first language
    is zh-hans; pages are requested in either)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A browser that prefers English, so reasons can be checked in the source language."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def zh_client():
    """A browser that prefers Chinese, the site's first language."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def mini(db):
    """The MINI pack (community/tests/test_packs.py) loaded: its sub-district, compounds a-c,
    grids, facilities and street network."""
    from lifecircle.community.packs import load_pack
    from lifecircle.community.tests.test_packs import MINI

    return load_pack(MINI)


def at(day, hour, minute=0):
    """An aware moment on ``day`` at hour:minute in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# ---- racing requests --------------------------------------------------------------------------


def race(work, arguments, timeout=120):
    """Run ``work(argument)`` in one thread per argument, all released at once by a barrier.

    Each thread has its own database connection (closed at the end) and English messages. If
    ``work`` has a ``prepare(argument)`` method, it runs before the barrier (logging a client in,
    say), so only the contested step races. Returns, in order, what each call returned or raised.
    """
    barrier = threading.Barrier(len(arguments))
    results = [None] * len(arguments)

    def run(index, argument):
        try:
            with translation.override("en"):
                prepared = work.prepare(argument) if hasattr(work, "prepare") else argument
                barrier.wait(timeout=60)
                results[index] = work(prepared)
        except Exception as exc:  # noqa: BLE001 - returned to the test, which judges it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish"
    return results


def messages(results, refusal):
    """Each result as text: "ok" for a success, the message of a ``refusal``, the repr of anything else."""
    return ["ok" if not isinstance(r, Exception) else str(r) if isinstance(r, refusal) else repr(r) for r in results]
