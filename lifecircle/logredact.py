"""Secrets that travel in URLs never reach a log: the private calendar feed's token.

A resident's calendar app fetches ``/bookings/calendar/<token>.ics`` without a session, so the
token is the password of that feed. Gunicorn's access log (``GunicornLogger``) and Django's own
log lines (``RedactingFilter``, e.g. "Not Found: <path>") show it as ``[token]``.
"""
import logging
import re

from gunicorn.glogging import Logger

SECRET_IN_PATH = [re.compile(r"(/calendar/)[^/?\s\"]+(\.ics)")]


def redact(text):
    for pattern in SECRET_IN_PATH:
        text = pattern.sub(r"\1[token]\2", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class GunicornLogger(Logger):
    """Gunicorn's logger, with the request line, path and referrer of each access redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
