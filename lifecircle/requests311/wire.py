"""The Open311 GeoReport v2 wire format: JSON and XML from one structure, errors, W3C dates.

Sources (read for this implementation):
- GeoReport v2, http://wiki.open311.org/GeoReport_v2 (open311/open311.github.io, GeoReport_v2/index.md):
  resources, fields, error list, "JSON support is based on a programmatic mapping of the XML format
  using the Spark Convention", content types ``text/xml; charset=utf-8`` and
  ``application/json; charset=utf-8``, and the XML declaration before the root element.
- The Spark convention, http://wiki.open311.org/JSON_and_XML_Conversion: a container element whose
  children all repeat (``<services><service/>…</services>``) is a JSON array, even with one child;
  an empty element is ``null``.

So each response is built once as Python data (lists of dicts) and written either way; LISTS
names the repeated child element of each container.
"""
import datetime
import re
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lifecircle import json_encoding

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
FORMATS = tuple(CONTENT_TYPES)

# container element → its repeated child (Spark convention)
LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all; stripped from everything we store, so XML output stays valid.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def w3c(moment, zone=None):
    """A datetime as W3C/ISO 8601 with the local offset, e.g. 2026-03-01T10:00:00+08:00 (None stays
    None); ``zone``, the current time zone, when the caller has it already (looking it up took half
    the time of a list's hundreds of dates). An aware datetime with its zone given is converted
    directly, as ``timezone.localtime`` would after its checks."""
    if moment is None:
        return None
    if zone is not None and moment.utcoffset() is not None:
        return moment.astimezone(zone).isoformat(timespec="seconds")
    return timezone.localtime(moment, zone).isoformat(timespec="seconds")


_LOST_PLUS = re.compile(r"^(.*T[\d:.]+) (\d\d:?\d\d)$")


def parse_w3c(text):
    """A timezone-aware datetime from W3C text, or ValueError. A '+' that a client forgot to
    URL-encode arrives as a space ("…T10:00:00 08:00"); that is read as the offset it was."""
    text = (text or "").strip()
    match = _LOST_PLUS.match(text)
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(text)
    return moment


def _fill(element, value):
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, (list, tuple)):
        child = LISTS[element.tag]
        for item in value:
            _fill(ElementTree.SubElement(element, child), item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, datetime.datetime):
        element.text = w3c(value)
    else:
        element.text = str(value)


def to_xml(root, data):
    element = ElementTree.Element(root)
    _fill(element, data)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode")


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return w3c(value)
    raise TypeError(type(value))


def render(fmt, root, data, status=200):
    """``data`` written as the XML element ``root`` or as JSON (the root is implied in JSON)."""
    if fmt == "json":
        body = json_encoding.dumps(data, default=_json_default)
    else:
        body = to_xml(root, data).encode("utf-8")
        fmt = "xml"
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


class Open311Error(Exception):
    """One or more errors for the spec's ``[{code, description}]`` list.

    The HTTP status is the first error's code: 404 for what does not exist, 403 for a missing or
    wrong api_key, 429 when a client sends too much, and 400 for anything else.
    """

    def __init__(self, code, description=None, errors=None):
        self.errors = errors or [(code, description)]
        super().__init__("; ".join(str(d) for _, d in self.errors))

    @property
    def status(self):
        return self.errors[0][0]

    def response(self, fmt, headers=None):
        data = [{"code": code, "description": str(description)} for code, description in self.errors]
        response = render(fmt, "errors", data, status=self.status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response


class ErrorList:
    """Collects every problem with a call, so the client hears about all of them at once."""

    def __init__(self):
        self.errors = []

    def add(self, code, description):
        self.errors.append((code, description))

    def __bool__(self):
        return bool(self.errors)

    def raise_if_any(self):
        if self.errors:
            # the most fundamental problem decides the HTTP status: 404 before 400
            self.errors.sort(key=lambda error: {404: 0}.get(error[0], 1))
            raise Open311Error(None, errors=self.errors)
