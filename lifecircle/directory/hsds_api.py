"""The directory as an Open Referral HSDS 3 API (mounted at /api/hsds/).

Paths and shapes follow the HSDS 3 OpenAPI description as far as this directory goes: lists are
``Page`` objects (``contents``, ``total_items``, ``total_pages``, ``page_number``, ``size``,
``first_page``, ``last_page``, ``empty``), ``/services/{id}`` is a fully nested service, and
``/organizations/{id}`` an organization with its locations and services. ``/`` returns the whole
export as one data package. The objects are built by ``hsds.py``.
"""
from typing import Any

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

    def text(self):
        return (self.search or self.q or "").strip()


class ServiceQuery(PageQuery):
    taxonomy_term_id: str | None = Field(
        None, description="Only services classified under this taxonomy term (or a child of it)."
    )
    taxonomy_id: str | None = Field(None, description="Only services classified under any term of this taxonomy.")
    organization_id: str | None = Field(None, description="Only services this organization provides.")


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


def _listed(text):
    return {"responses": {200: {"description": text}, 422: {"description": "A malformed page or per_page."}}}


def _found(obj, kind, object_id, listing):
    if obj is None:
        raise HttpError(404, f"no {kind} has id '{object_id}'; GET /api/hsds/{listing} lists them")
    return obj


def _search(objects, query):
    text = query.text()
    return [o for o in objects if hsds.matches(o, text)] if text else list(objects)


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
    openapi_extra=_listed("A page of services with their phones, categories (attributes) and capacities."),
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
    return hsds.page_of(services, query.page, query.per_page)


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
    return hsds.page_of(organizations, query.page, query.per_page)


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
    return hsds.page_of(_search(hsds.build().locations.values(), query), query.page, query.per_page)


@router.get(
    "/locations/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One location",
    openapi_extra=_described("The location with its addresses, phones, schedules and rooms (attributes)."),
)
def get_location(request, id: str):
    return _found(hsds.build().locations.get(id), "location", id, "locations")


@router.get(
    "/service_at_locations", response=Page, summary="Services at locations, paginated",
    openapi_extra=_listed("A page of service_at_location links with their schedules."),
)
def list_service_at_locations(request, query: Query[PageQuery]):
    export = hsds.build()
    links = list(export.service_at_locations.values())
    text = query.text()
    if text:
        links = [link for link in links if hsds.matches(export.services[link["service_id"]], text)]
    return hsds.page_of(links, query.page, query.per_page)


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
    return hsds.page_of(_search(hsds.build().taxonomies.values(), query), query.page, query.per_page)


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
    return hsds.page_of(terms, query.page, query.per_page)


@router.get(
    "/taxonomy_terms/{id}", response={200: HSDS_OBJECT, 404: Message}, summary="One taxonomy term",
    openapi_extra=_described("The taxonomy term."),
)
def get_taxonomy_term(request, id: str):
    return _found(hsds.build().taxonomy_terms.get(id), "taxonomy term", id, "taxonomy_terms")
