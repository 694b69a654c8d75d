"""JSON answers written by orjson: the API's, Open311's and the map layers'.

Python's ``json`` module took 10 ms to write a sub-district's street network (512 KB) and was the
largest single cost of a city's first map layers; orjson writes the same JSON several times faster.
What orjson does not know natively goes to the caller's ``default`` -- dates and times included
(``OPT_PASSTHROUGH_DATETIME``), so they keep the form the API has always written (Django's: ``Z``
for UTC, milliseconds); numpy's numbers and arrays are written as numbers. Text is written as
UTF-8 rather than ``\\u`` escapes (the same JSON).
"""
import json

import orjson
from django.http import HttpResponse
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def dumps(data, default=None):
    """``data`` as JSON bytes; ``default(value)`` turns what JSON has no type for into what it has."""
    try:
        return orjson.dumps(data, default=default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        # What orjson refuses and json writes (an integer beyond 64 bits): the answer stays the same.
        return json.dumps(data, default=default, ensure_ascii=False).encode()


_api_encoder = NinjaJSONEncoder()  # for what orjson leaves: dates, decimals, lazy text, schemas


def json_response(data, status=200):
    """``data`` as the API writes it, answered as it is: what a view has already built in its
    schema's form (a map layer's GeoJSON) need not be validated and copied again by django-ninja,
    which for a layer's thousands of coordinates took longer than writing them."""
    return written_json_response(dumps(data, default=_api_encoder.default), status=status)


#: What every JSON answer says it is (a street network's layer file is served with it too).
CONTENT_TYPE = "application/json; charset=utf-8"


def written_json_response(body, status=200):
    """JSON already written (bytes kept from an earlier answer, such as a street network's layer)
    answered with the same headers as :func:`json_response`."""
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)


class APIRenderer(JSONRenderer):
    """django-ninja's JSON renderer, writing with orjson."""

    def render(self, request, data, *, response_status):
        return dumps(data, default=_api_encoder.default)
