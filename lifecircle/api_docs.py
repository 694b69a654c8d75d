"""Every status code an API operation can answer, written into the OpenAPI schema.

The routers declare their successful answers and the refusals their services define; the
answers that come from the framework or from shared helpers are added here, once, from facts
about each operation, so a client (and schemathesis in the test suite) can rely on the schema:

- 422 where the operation takes parameters or a body: django-ninja's validation answer, with
  ``detail`` listing each problem (``loc``, ``msg``);
- 401 and 403 where it needs a login (403: the role may not, or a POST failed Django's CSRF check);
- 400 where it takes a body (one that is not JSON at all);
- 404 where its path names an object (``{code}``, ``{id}``), or its code raises one; 400 and 404
  where it takes a ``subdistrict`` (not named where it must be; unknown);
- any other ``HttpError(code, …)`` its view raises, directly or through a function of its own
  module that it calls (the code is read, not guessed from traffic);
- what the project API's exception handlers (``lifecircle/api.py``) answer for an exception its
  code raises, directly or through any lifecircle function it calls: 400, 403, 404 and 409 for
  a domain refusal (``lifecircle.errors``), 403 for PermissionDenied, 400 for a bad date.

A code the router already documents keeps its own schema and description.
"""
import json
import inspect
import re

from ninja import NinjaAPI

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}],
                              "description": "What is wrong: a sentence, or (422) one entry per problem"}},
    "required": ["detail"],
}
DESCRIPTIONS = {
    400: "The request cannot be used as sent; detail says why.",
    401: "Not logged in: log in first (session cookie).",
    403: "Refused: this login may not do this, or the CSRF check failed (send the csrftoken cookie and the "
         "X-CSRFToken header with a POST, PUT or DELETE).",
    404: "No such object, or none this login may see.",
    405: "The method is not allowed here.",
    409: "The request conflicts with the present state; detail says how.",
    422: "A parameter or the body does not match the schema; detail lists each problem.",
    429: "Too many requests; try again later.",
}
_RAISED = re.compile(r"HttpError\(\s*(\d{3})")
_CALLED = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)?)([A-Za-z_]\w*)\(")
_REFUSES = re.compile(r"\braise\s+(?:\w+\.)?(Refused|Conflict|NotFound|PermissionDenied|BadDate)\(")
# Any refusal may answer any of the four: a Refused can carry its own status (Refused(message, status=403)),
# and the reading follows calls, not the conditions around them.
REFUSAL = {400, 403, 404, 409}
REFUSAL_CODES = {"Refused": REFUSAL, "Conflict": REFUSAL, "NotFound": REFUSAL, "PermissionDenied": {403}, "BadDate": {400}}


def _source(function):
    try:  # through the code object: getsource(function) would unwrap a decorator and skip its code
        return inspect.getsource(function.__code__)
    except (OSError, TypeError, AttributeError):
        return ""


def _functions_called(source, module):
    """The functions of lifecircle ``source`` calls by name from ``module``'s namespace: its own
    (``parse_bbox(``), imported ones (``resident_of(``) and those of a module it imported
    (``services.place_order(``)."""
    found = []
    for qualifier, name in _CALLED.findall(source):
        owner = getattr(module, qualifier[:-1], None) if qualifier else module
        if qualifier and not inspect.ismodule(owner):
            continue
        function = getattr(owner, name, None)
        if inspect.isfunction(function) and function.__module__.startswith("lifecircle."):
            found.append(function)
    return found


def _refusal_codes(text):
    """The codes the API's exception handlers (lifecircle/api.py) answer for what ``text`` raises:
    a domain refusal (lifecircle.errors) any of 400, 403, 404 and 409; PermissionDenied 403; a
    date that is not one (lifecircle.dates.BadDate) 400."""
    codes = set()
    for name in _REFUSES.findall(text):
        codes |= REFUSAL_CODES[name]
    return codes


def _codes_of_calls(functions, seen):
    """:func:`_refusal_codes` of ``functions`` and of every lifecircle function they call, and so on."""
    codes, pending = set(), list(functions)
    while pending:
        current = pending.pop()
        text = _source(current)
        codes |= _refusal_codes(text)
        for helper in _functions_called(text, inspect.getmodule(current)):
            if helper not in seen:
                seen.add(helper)
                pending.append(helper)
    return codes


def raised_codes(view):
    """Status codes ``view`` raises as HttpError, or as 404 through get_object_or_404/Http404:
    itself, in the decorators wrapped around it, or in the functions of its own module it calls.
    A view that calls, through any lifecircle function, a rule that may refuse answers what the
    API's exception handlers make of the refusal (:func:`_refusal_codes`)."""
    layers = [view]
    while hasattr(layers[-1], "__wrapped__"):
        layers.append(layers[-1].__wrapped__)
    original = layers[-1]
    module = inspect.getmodule(original)
    sources = [_source(layer) for layer in layers]
    seen, pending = {original}, [sources[-1]]
    called = []
    while pending:  # the module's own helpers, and theirs (parse_bbox under filter_places under a view)
        for helper in _functions_called(pending.pop(), module):
            if helper.__module__ != original.__module__:
                called.append(helper)
            elif helper not in seen:
                seen.add(helper)
                sources.append(_source(helper))
                pending.append(sources[-1])
    text = "\n".join(sources)
    codes = {int(code) for code in _RAISED.findall(text)}
    codes |= _refusal_codes(text) | _codes_of_calls(called, set(seen))
    if "get_object_or_404" in text or "Http404" in text:
        codes.add(404)
    return codes


def _operations(api):
    """operationId → Operation, for every operation ``api`` serves."""
    found = {}
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                found[operation.operation_id or api.get_openapi_operation_id(operation)] = operation
    return found


def _body_names_subdistrict(details, schema):
    """Whether the operation's JSON body has a ``subdistrict`` field (following its $ref)."""
    refs = re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(details.get("requestBody", {})))
    components = schema.get("components", {}).get("schemas", {})
    return any("subdistrict" in components.get(name, {}).get("properties", {}) for name in refs)


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema lists every status code each operation answers (above)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_SCHEMA)
        operations = _operations(self)
        for path, item in schema["paths"].items():
            for method, details in item.items():
                if not isinstance(details, dict) or "responses" not in details:
                    continue
                operation = operations.get(details.get("operationId"))
                codes = raised_codes(operation.view_func) if operation else set()
                if details.get("parameters") or details.get("requestBody"):
                    codes.add(422)
                if details.get("requestBody"):
                    codes.add(400)  # a body that is not JSON at all
                if "{" in path:
                    codes.add(404)
                if any(p.get("name") == "subdistrict" for p in details.get("parameters", [])) or \
                        _body_names_subdistrict(details, schema):
                    # lifecircle.community.scope: an unknown code is a 404; none named where several
                    # sub-districts are loaded and the answer depends on one is a 400.
                    codes |= {400, 404}
                if details.get("security"):
                    codes |= {401, 403}
                responses = details["responses"]
                for code in sorted(codes):
                    if str(code) not in responses and code not in responses:
                        responses[code] = {
                            "description": DESCRIPTIONS.get(code, "Refused; detail says why."),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        }
        return schema
