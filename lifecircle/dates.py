"""Dates that come from people: one parser for every date in a query string or form, one widget
that writes dates into ``<input type=date>``.

Invariants:

- A date parameter is ``YYYY-MM-DD`` (what ``<input type=date>`` sends, whatever the page's
  language). Anything else — ``2026-13-01``, ``2026-02-30``, ``2026/03/01`` — raises ``BadDate``,
  which Django answers with a 400 page naming the parameter and the value (``handlers.bad_request``)
  and the JSON API with a 400 ``{"detail": ...}``; never a 500, never a silent "today".
- An empty or missing parameter means the caller's default.
- A date rendered into a date input is ISO (``IsoDateInput``): the Chinese locale's input format
  (``2026/12/08``) is refused by browsers, which would show a blank field.
"""
import datetime
import re

from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadDate(BadRequest):
    """A date parameter that is not a real date; the message says which and how to write it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_day(text, name, default=None, required=False):
    """The date ``text`` (``YYYY-MM-DD``) names, ``default`` when it is empty or None (``BadDate``
    then if ``required``).

    Raises ``BadDate`` for anything else, with a message naming the parameter ``name``.
    """
    text = (text or "").strip()
    if not text and required:
        raise BadDate(_("%(name)s is needed: a date like 2026-03-01.") % {"name": name})
    if not text:
        return default
    try:
        if ISO_DAY.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise BadDate(_("%(name)s: '%(value)s' is not a date; write it like 2026-03-01.") % {
        "name": name, "value": text[:40]})


class IsoDateInput(forms.DateInput):
    """``<input type=date>`` whose value is always ISO, in every language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
