"""Helpers for the tests that prove capacity holds under concurrent requests (not used by the site)."""
import threading

from django.db import connections
from django.utils import translation


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
