"""A tiny Open311 GeoReport v2 client, written from the specification alone.

It knows only what the spec documents: the resource paths, the field names, form-encoded POST,
and the two formats; it parses JSON with ``json`` and XML with ``xml.etree.ElementTree`` from the
standard library, and reads both into the same Python values, so a test can ask for the same
thing in each format and compare. It also speaks the two extensions the server documents:
mySociety's service request updates and the Open311 wiki's ``extensions``/``page`` parameters.

``http`` is anything with ``get(path, query)`` and ``post(path, body)`` returning
``(status, content_type, body_bytes, headers)``; DjangoTransport and UrllibTransport below.
"""
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from xml.etree import ElementTree

# ⇊ containers of the spec (and of the extensions) and their ↴ items
LISTS = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "service_request_updates": "request_update", "notes": "note", "endpoints": "endpoint",
    "formats": "format",
}
BOOLEANS = {"metadata", "variable", "required"}
NUMBERS = {"lat": float, "long": float, "order": int, "code": int}


@dataclass
class Response:
    status: int
    content_type: str
    data: object
    raw: bytes
    headers: dict = field(default_factory=dict)

    @property
    def errors(self):
        """[(code, description)] when the server answered with the spec's error list."""
        if isinstance(self.data, list) and self.data and set(self.data[0]) == {"code", "description"}:
            return [(e["code"], e["description"]) for e in self.data]
        return []


def _scalar(name, text):
    if text is None:
        return None
    if name in BOOLEANS:
        return text == "true"
    if name in NUMBERS:
        try:
            return NUMBERS[name](text)
        except ValueError:
            return text
    return text


def _from_xml(element):
    children = list(element)
    if element.tag in LISTS and all(c.tag == LISTS[element.tag] for c in children):
        return [_from_xml(c) for c in children]
    if children:
        return {c.tag: _from_xml(c) for c in children}
    return _scalar(element.tag, element.text)


def parse_xml(body):
    root = ElementTree.fromstring(body)
    return root.tag, _from_xml(root)


def _normalise_json(value, name=None):
    """JSON numbers in fields the XML carries as text (ids, codes, keys) become text too."""
    if isinstance(value, list):
        return [_normalise_json(v, name) for v in value]
    if isinstance(value, dict):
        return {k: _normalise_json(v, k) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in NUMBERS:
        return str(value)
    return value


class Open311Client:
    def __init__(self, http, base="/open311/v2/", fmt="json", api_key=None):
        self.http, self.base, self.fmt, self.api_key = http, base, fmt, api_key

    def _read(self, status, content_type, body, headers):
        if content_type.startswith("text/xml"):
            self.root, data = parse_xml(body)
        else:
            self.root, data = None, _normalise_json(json.loads(body.decode("utf-8")))
        return Response(status, content_type, data, body, headers)

    def _get(self, resource, **query):
        query = {k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in query.items() if v is not None}
        return self._read(*self.http.get(f"{self.base}{resource}.{self.fmt}", query))

    def _post(self, resource, fields):
        return self._read(*self.http.post(f"{self.base}{resource}.{self.fmt}", urllib.parse.urlencode(fields)))

    # GET Service List / GET Service Definition
    def services(self):
        return self._get("services")

    def service_definition(self, service_code):
        return self._get(f"services/{urllib.parse.quote(service_code)}")

    # POST Service Request
    def create_request(self, service_code, attributes=None, api_key=None, **fields):
        pairs = [("api_key", api_key if api_key is not None else self.api_key), ("service_code", service_code)]
        pairs += [(name, value) for name, value in fields.items() if value is not None]
        for code, value in (attributes or {}).items():
            if isinstance(value, (list, tuple)):
                pairs += [(f"attribute[{code}][]", v) for v in value]
            else:
                pairs.append((f"attribute[{code}]", value))
        return self._post("requests", [(k, v) for k, v in pairs if v is not None])

    # GET service_request_id from a token
    def token(self, token):
        return self._get(f"tokens/{urllib.parse.quote(token)}")

    # GET Service Requests / GET Service Request
    def requests(self, **query):
        return self._get("requests", **query)

    def request(self, service_request_id, **query):
        return self._get(f"requests/{service_request_id}", **query)

    # Service Discovery
    def discovery(self):
        return self._get("discovery")

    # Extension: GET / POST service request updates
    def updates(self, **query):
        return self._get("servicerequestupdates", **query)

    def post_update(self, service_request_id, status, description, api_key=None, **fields):
        pairs = {"api_key": api_key if api_key is not None else self.api_key, "service_request_id": service_request_id,
                 "status": status, "description": description, **fields}
        return self._post("servicerequestupdates", {k: v for k, v in pairs.items() if v is not None})


class DjangoTransport:
    """Through django.test.Client (no server needed)."""

    def __init__(self, client, **extra):
        self.client, self.extra = client, extra

    def _answer(self, response):
        return response.status_code, response["Content-Type"], response.content, dict(response.headers)

    def get(self, path, query):
        return self._answer(self.client.get(path, query, **self.extra))

    def post(self, path, body):
        return self._answer(self.client.generic(
            "POST", path, body.encode("utf-8"), content_type="application/x-www-form-urlencoded; charset=utf-8",
            **self.extra))


class UrllibTransport:
    """Over real HTTP to a running server (e.g. pytest-django's live_server)."""

    def __init__(self, root):
        self.root = root.rstrip("/")

    def _open(self, request):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read(), dict(error.headers)

    def get(self, path, query):
        url = self.root + path + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._open(urllib.request.Request(url))

    def post(self, path, body):
        return self._open(urllib.request.Request(
            self.root + path, data=body.encode("utf-8"), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}))
