"""The directory as an Open Referral HSDS 3 API (mounted at /api/hsds/).

Paths and shapes follow the HSDS 3 OpenAPI description as far as this directory goes: lists are
``Page`` objects (``contents``, ``total_items``, ``total_pages``, ``page_number``, ``size``,
``first_page``, ``last_page``, ``empty``), ``/services/{id}`` is a fully nested service, and
``/organizations/{id}`` an organization with its locations and services. ``/`` returns the whole
export as one data package. The objects are built by ``hsds.py``.

The list parameters of the HSDS 3.1 OpenAPI file: ``format`` (``json``, paginated, or ``ndjson``:
every result, one JSON object a line, no paging) on every list; ``modified_after``, ``minimal``
(just ``id`` and ``last_modified``, all on one page) and ``full`` (fully nested) on services, and
``modified_after`` and ``full`` on services at locations. Every error is JSON (``{"detail": …}``),
an unknown path under ``/api/hsds/`` too.
"""
import datetime
import json
from typing import Any, Literal

from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from lifecircle.community.models import SubDistrict

from . import hsds

router = Router(tags=["hsds"])

HSDS_OBJECT = dict[str, Any]


class Page(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[HSDS_OBJECT]


class Message(Schema):
    detail: str


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number of the paginated result, from 1.")
    per_page: int = Field(50, ge=1, le=500, description="Number of results in a single page (at most 500).")
    search: str | None = Field(None, description="Full text search in names and descriptions.")
    q: str | None = Field(None, description="Same as search.")
    format: Literal["json", "ndjson"] = Field(
        "json", description="json: a page; ndjson: every result, one JSON object a line, without paging.")

    def text(self):
        return (self.search or self.q or "").strip()


class ModifiedQuery(PageQuery):
    modified_after: datetime.datetime | None = Field(
        None, description="Only results whose service changed on or after this date-time (ISO 8601 with a timezone); "
                          "a service changes with its facility, the facility's rooms and its dated hours.")
    full: bool = Field(False, description="true: fully nested results, as GET /{id} returns them.")

    def modified(self, service):
        if self.modified_after is None:
            return True
        if self.modified_after.tzinfo is None:
            raise HttpError(400, "modified_after needs a timezone, e.g. 2026-03-01T00:00:00+08:00")
        changed = service.get("last_modified")
        return changed is not None and datetime.datetime.fromisoformat(changed) >= self.modified_after


class ServiceQuery(ModifiedQuery):
    taxonomy_term_id: str | None = Field(
        None, description="Only services classified under this taxonomy term (or a child of it)."
    )
    taxonomy_id: str | None = Field(None, description="Only services classified under any term of this taxonomy.")
    organization_id: str | None = Field(None, description="Only services this organization provides.")
    minimal: bool = Field(False, description="true: each service as just its id and last_modified, all on one page.")


class OrganizationQuery(PageQuery):
    taxonomy_term_id: str | None = Field(
        None, description="Only organizations with a service under this taxonomy term."
    )


class TaxonomyTermQuery(PageQuery):
    taxonomy_id: str | None = Field(None, description="Only terms of this taxonomy.")
    parent_id: str | None = Field(None, description="Only terms whose parent is this term.")
    top_only: bool | None = Field(None, description="Only terms with no parent.")


def _described(text):
    return {"responses": {200: {"description": text}, 404: {"description": "No object has that id."}}}


def _found(obj, kind, object_id, listing):
    if obj is None:
        raise HttpError(404, f"no {kind} has id '{object_id}'; GET /api/hsds/{listing} lists them")
    return obj


def _search(objects, query):
    text = query.text()
    return [o for o in objects if hsds.matches(o, text)] if text else list(objects)


def _answer(items, query, one_page=False):
    """A Page of ``items``, or with format=ndjson all of them, one JSON object a line."""
    if query.format == "ndjson":
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        return HttpResponse(lines.encode("utf-8"), content_type="application/x-ndjson; charset=utf-8")
    if one_page:
        return hsds.page_of(items, 1, max(len(items), 1))
    return hsds.page_of(items, query.page, query.per_page)


def _listed(text, modified_after=False):
    responses = {200: {"description": text + " With format=ndjson: every result, one JSON object a line.",
                       "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                 422: {"description": "A malformed parameter (page, per_page, format, ...)."}}
    if modified_after:
        responses[400] = {"description": "modified_after without a timezone.",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"responses": responses}


@router.get(
    "/", response={200: HSDS_OBJECT, 404: Message}, summary="The whole directory as an HSDS data package",
    openapi_extra={"responses": {
        200: {"description": "Every organization, service, location, service_at_location, taxonomy and taxonomy "
                             "term, each kind in its own list, linked by ids; with the HSDS version."},
        404: {"description": "Unknown sub-district."},
    }},
)
def export_package(request, subdistrict: str | None = None):
    if subdistrict and not SubDistrict.objects.filter(code=subdistrict).exists():
        raise HttpError(404, f"no sub-district has code '{subdistrict}'; GET /api/subdistricts lists them")
    result = hsds.package(hsds.build(subdistrict=subdistrict))
    try:
        result["openapi_url"] = request.build_absolute_uri(reverse("api:openapi-json"))
    except (NoReverseMatch, ImportError):  # the project's urls are not loaded (a router-only test client)
        pass
    return result


@router.get(
    "/services", response=Page, summary="Services, paginated",
    openapi_extra=_listed("A page of services with their phones, categories (attributes) and capacities.", True),
)
def list_services(request, query: Query[ServiceQuery]):
    export = hsds.build()
    services = _search(export.services.values(), query)
    if query.taxonomy_term_id:
        services = [s for s in services if query.taxonomy_term_id in export.service_term_ids[s["id"]]]
    if query.taxonomy_id:
        terms = {t["id"] for t in export.taxonomy_terms.values() if t.get("taxonomy_id") == query.taxonomy_id}
        services = [s for s in services if export.service_term_ids[s["id"]] & terms]
    if query.organization_id:
        services = [s for s in services if s["organization_id"] == query.organization_id]
    services = [s for s in services if query.modified(s)]
    if query.minimal:
        return _answer([{"id": s["id"], "last_modified": s.get("last_modified")} for s in services], query, True)
    if query.full:
        services = [hsds.full_service(export, s["id"]) for s in services]
    return _answer(services, query)


@router.get(
    "/services/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One fully nested service",
    openapi_extra=_described("The service with its organization and its service_at_locations, each with its "
                             "location, schedules, address and phones."),
)
def get_service(request, id: str):
    return _found(hsds.full_service(hsds.build(), id), "service", id, "services")


@router.get(
    "/organizations", response=Page, summary="Organizations, paginated",
    openapi_extra=_listed("A page of organizations (their own fields, without nested services)."),
)
def list_organizations(request, query: Query[OrganizationQuery]):
    export = hsds.build()
    organizations = _search(export.organizations.values(), query)
    if query.taxonomy_term_id:
        providers = {s["organization_id"] for s in export.services.values()
                     if query.taxonomy_term_id in export.service_term_ids[s["id"]]}
        organizations = [o for o in organizations if o["id"] in providers]
    return _answer(organizations, query)


@router.get(
    "/organizations/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One organization with its services",
    openapi_extra=_described("The organization with the locations it runs and its fully nested services."),
)
def get_organization(request, id: str):
    return _found(hsds.full_organization(hsds.build(), id), "organization", id, "organizations")


@router.get(
    "/locations", response=Page, summary="Locations, paginated",
    openapi_extra=_listed("A page of locations with their addresses, phones, schedules and rooms (attributes)."),
)
def list_locations(request, query: Query[PageQuery]):
    return _answer(_search(hsds.build().locations.values(), query), query)


@router.get(
    "/locations/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One location",
    openapi_extra=_described("The location with its addresses, phones, schedules and rooms (attributes)."),
)
def get_location(request, id: str):
    return _found(hsds.build().locations.get(id), "location", id, "locations")


@router.get(
    "/service_at_locations", response=Page, summary="Services at locations, paginated",
    openapi_extra=_listed("A page of service_at_location links with their schedules.", True),
)
def list_service_at_locations(request, query: Query[ModifiedQuery]):
    export = hsds.build()
    links = list(export.service_at_locations.values())
    text = query.text()
    if text:
        links = [link for link in links if hsds.matches(export.services[link["service_id"]], text)]
    links = [link for link in links if query.modified(export.services[link["service_id"]])]
    if query.full:
        links = [{**link, "location": export.locations[link["location_id"]]} for link in links]
    return _answer(links, query)


@router.get(
    "/service_at_locations/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One service at a location",
    openapi_extra=_described("The service_at_location with its schedules and its location nested."),
)
def get_service_at_location(request, id: str):
    export = hsds.build()
    link = _found(export.service_at_locations.get(id), "service_at_location", id, "service_at_locations")
    return {**link, "location": export.locations[link["location_id"]]}


@router.get(
    "/taxonomies", response=Page, summary="Taxonomies, paginated",
    openapi_extra=_listed("A page of the taxonomies the directory classifies with."),
)
def list_taxonomies(request, query: Query[PageQuery]):
    return _answer(_search(hsds.build().taxonomies.values(), query), query)


@router.get(
    "/taxonomies/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One taxonomy",
    openapi_extra=_described("The taxonomy."),
)
def get_taxonomy(request, id: str):
    return _found(hsds.build().taxonomies.get(id), "taxonomy", id, "taxonomies")


@router.get(
    "/taxonomy_terms", response=Page, summary="Taxonomy terms, paginated",
    openapi_extra=_listed("A page of taxonomy terms: service categories (under their groups) and room kinds."),
)
def list_taxonomy_terms(request, query: Query[TaxonomyTermQuery]):
    terms = _search(hsds.build().taxonomy_terms.values(), query)
    if query.taxonomy_id:
        terms = [t for t in terms if t.get("taxonomy_id") == query.taxonomy_id]
    if query.parent_id:
        terms = [t for t in terms if t.get("parent_id") == query.parent_id]
    if query.top_only:
        terms = [t for t in terms if not t.get("parent_id")]
    return _answer(terms, query)


@router.get(
    "/taxonomy_terms/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One taxonomy term",
    openapi_extra=_described("The taxonomy term."),
)
def get_taxonomy_term(request, id: str):
    return _found(hsds.build().taxonomy_terms.get(id), "taxonomy term", id, "taxonomy_terms")


@router.get("/{path:rest}", include_in_schema=False)
def unknown(request, rest: str):
    """Anything else under /api/hsds/: a JSON 404, as every other HSDS error."""
    raise HttpError(404, f"no HSDS resource '{rest[:80]}'; GET /api/hsds/ describes the export")
