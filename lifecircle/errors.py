"""The domain's refusals, defined once, and how a page shows one.

A service (``<app>/services.py``) that will not do what was asked raises :class:`Refused` -- or
:class:`Conflict` or :class:`NotFound` -- with a sentence for the person who asked, after changing
nothing. Not being allowed at all is Django's ``PermissionDenied``. Apps raise; they do not format:

- the JSON API turns both into ``{"detail": reason}`` with the refusal's status, once, by the
  exception handlers installed on the project's API (``lifecircle/api.py``);
- a page shows the reason with :func:`reason` (a message on the page it returns to) or answers with
  :func:`refused_page` (the app's "not possible" template, with the refusal's status).
"""
from django.shortcuts import render


class Refused(Exception):
    """A request the rules do not allow; ``message`` says why, for the person who asked, and
    nothing was changed. ``status`` is the HTTP answer (400 unless a subclass or the caller says
    otherwise)."""

    status = 400

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self):
        return str(self.message)


class Conflict(Refused):
    """The request collides with the present state: something already exists, is taken, is full,
    or has already been done (HTTP 409)."""

    status = 409


class NotFound(Refused):
    """What the request names does not exist, or not for this person (HTTP 404)."""

    status = 404


def reason(exc):
    """The sentence a page shows for a refusal: a Refused's message, else the exception's text
    (a PermissionDenied's, a ValidationError's)."""
    return getattr(exc, "message", None) or str(exc)


def status_of(exc):
    """The HTTP status a refusal answers with: a Refused's own, 403 for anything else
    (PermissionDenied: not allowed)."""
    return exc.status if isinstance(exc, Refused) else 403


def refused_page(request, template, exc, default=""):
    """``template`` rendered with ``reason`` (:func:`reason`, or ``default`` when that is empty),
    answered with the refusal's status (:func:`status_of`)."""
    return render(request, template, {"reason": reason(exc) or default}, status=status_of(exc))
