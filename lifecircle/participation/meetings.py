"""The meetings a process holds, from whichever app runs events.

A process such as the Happy 18 discussion bar meets once a month; the meetings themselves are events
that residents register for in the bookings app. The service apps do not import each other
(docs/architecture.md), so participation does not read bookings' tables: an app that holds events
registers a *source* here, and a process names the code its meetings' events start with
(``Process.meeting_code``). The link is the events' own stable reference, so a meeting moved or
re-created under the same code stays linked.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Meeting:
    """One meeting as a process's page shows it."""

    title: str  # in the reader's language
    start: datetime  # aware
    url: str  # where residents read about it and register
    place: str = ""
    cancelled: bool = False


_sources = []


def register(source):
    """Add ``source(code) → iterable of Meeting``: the meetings whose events' codes start with ``code``.
    Registering the same source twice (a second ``ready()`` in tests) keeps one."""
    if source not in _sources:
        _sources.append(source)


def for_code(code):
    """Every registered source's meetings for ``code``, in time order."""
    found = [meeting for source in _sources for meeting in source(code)]
    return sorted(found, key=lambda meeting: meeting.start)
