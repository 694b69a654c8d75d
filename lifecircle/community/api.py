"""JSON API of the community model: sub-districts, grids, compounds, and their map layers."""
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from lifecircle.caching import cached_response, entry_response, make_entry
from lifecircle.geography import feature_collection, point_feature
from lifecircle.json_encoding import json_response

from . import networks
from .models import Compound, Grid, SubDistrict
from .scope import by_code, first_two, request_topics, sole_subdistrict

router = Router(tags=["community"])


class SubDistrictOut(Schema):
    code: str
    name: str
    name_en: str
    city: str
    district: str
    illustrative: bool
    data_notice: str


class GridOut(Schema):
    code: str
    name: str
    name_en: str
    subdistrict: str
    boundary: dict


class CompoundOut(Schema):
    code: str
    name: str
    name_en: str
    lon: float
    lat: float
    grid: str | None
    address: str
    households: int | None
    population: int | None
    aged_60_plus: int | None
    aged_0_3: int | None
    illustrative: bool


class FeatureCollectionOut(Schema):
    """A GeoJSON FeatureCollection (RFC 7946): coordinates are [longitude, latitude] in WGS84."""

    type: str
    features: list[dict]
    attribution: str | None = None


#: The columns the grid and compound lists show. The lists and layers read these rows rather than
#: models: a compound built as a model came with its grid, whose boundary was parsed from JSON
#: for each compound, and a grid with its sub-district and that one's boundary. A city
#: sub-district's 32 compounds took 1.8 ms to read and encode as models, 0.8 ms as rows; its 4
#: grids 0.74 and 0.51 ms (in one process, alternating).
GRID_COLUMNS = ("code", "name", "name_en", "subdistrict__code", "boundary")
COMPOUND_COLUMNS = ("code", "name", "name_en", "lon", "lat", "grid__code", "address", "households", "population",
                    "aged_60_plus", "aged_0_3", "illustrative")


def grid_dict(row):
    """A grid as the API shows it, from a row of ``GRID_COLUMNS``."""
    return {"code": row["code"], "name": row["name"], "name_en": row["name_en"],
            "subdistrict": row["subdistrict__code"], "boundary": row["boundary"]}


def compound_dict(row):
    """A compound as the API shows it, from a row of ``COMPOUND_COLUMNS``."""
    return {column.removesuffix("__code"): row[column] for column in COMPOUND_COLUMNS}


def one_subdistrict(code):
    """The sub-district an answer depends on: the one named by ``code`` (404 if unknown), or the
    only one loaded; with several loaded and none named, a 400 that says how to name one."""
    if code:
        found = by_code().get(code)
        if found is None:
            raise HttpError(404, f"no sub-district '{code[:64]}'; GET /api/subdistricts lists them")
        return found
    only = sole_subdistrict()
    if only is not None:
        return only
    if first_two():
        raise not_named()
    raise HttpError(404, "no sub-district is loaded")


def not_named():
    """The 400 every endpoint gives when several sub-districts are loaded and none is named."""
    return HttpError(400, "several sub-districts are loaded: name one with ?subdistrict=CODE "
                          "(GET /api/subdistricts lists them)")


def named_subdistrict(code, grid=None):
    """The sub-district ``code`` names (404 if unknown), or None for every sub-district. Grid codes
    repeat between sub-districts, so a ``grid`` filter needs the sub-district when several are
    loaded (400)."""
    target = one_subdistrict(code) if code else None
    if grid and target is None and sole_subdistrict() is None:
        raise not_named()
    return target


def filter_subdistrict(queryset, code, grid=None, field="subdistrict"):
    """Narrow a list to one sub-district when ``code`` names one, and to ``grid`` when given
    (:func:`named_subdistrict` says when they are refused); without a code the list spans every
    sub-district."""
    target = named_subdistrict(code, grid)
    if target is not None:
        queryset = queryset.filter(**{field: target})
    if grid:
        queryset = queryset.filter(grid__code=grid)
    return queryset


def _grids(subdistrict):
    return filter_subdistrict(Grid.objects.all(), subdistrict).values(*GRID_COLUMNS)


def _compounds(subdistrict, grid):
    return filter_subdistrict(Compound.objects.all(), subdistrict, grid).values(*COMPOUND_COLUMNS)


@router.get("/subdistricts", response=list[SubDistrictOut], summary="Sub-districts")
@decorate_view(cached_response("directory"))
def list_subdistricts(request):
    return list(SubDistrict.objects.all())


@router.get("/grids", response=list[GridOut], summary="Grids (网格) with their boundaries")
@decorate_view(cached_response(request_topics))
def list_grids(request, subdistrict: str | None = None):
    return [grid_dict(g) for g in _grids(subdistrict)]


@router.get("/compounds", response=list[CompoundOut], summary="Residential compounds with population")
@decorate_view(cached_response(request_topics))
def list_compounds(request, subdistrict: str | None = None, grid: str | None = None):
    return [compound_dict(c) for c in _compounds(subdistrict, grid)]


@router.get("/geo/grids.geojson", response=FeatureCollectionOut, summary="Grids as GeoJSON")
@decorate_view(cached_response(request_topics))
def grids_geojson(request, subdistrict: str | None = None):
    return json_response(feature_collection(
        {"type": "Feature", "geometry": g["boundary"], "properties": {k: v for k, v in grid_dict(g).items() if k != "boundary"}}
        for g in _grids(subdistrict)
    ))


@router.get("/geo/compounds.geojson", response=FeatureCollectionOut, summary="Compounds as GeoJSON")
@decorate_view(cached_response(request_topics))
def compounds_geojson(request, subdistrict: str | None = None, grid: str | None = None):
    return json_response(feature_collection(
        point_feature(c["lon"], c["lat"], {k: v for k, v in compound_dict(c).items() if k not in ("lon", "lat")})
        for c in _compounds(subdistrict, grid)
    ))


@router.get("/geo/boundary.geojson", response=FeatureCollectionOut, summary="Sub-district boundaries as GeoJSON")
@decorate_view(cached_response("directory"))
def boundary_geojson(request, subdistrict: str | None = None):
    queryset = SubDistrict.objects.exclude(boundary=None)
    if subdistrict:
        queryset = queryset.filter(pk=one_subdistrict(subdistrict).pk)
    return json_response(feature_collection(
        {"type": "Feature", "geometry": s.boundary,
         "properties": {"code": s.code, "name": s.name, "name_en": s.name_en, "illustrative": s.illustrative}}
        for s in queryset
    ))


@router.get("/geo/network.geojson", response=FeatureCollectionOut, summary="The pedestrian network as GeoJSON")
def network_geojson(request, subdistrict: str | None = None):
    # Not cached_response: the layer is kept ready in a file beside the network's graph
    # (networks.network_layer), made once per network rather than by every worker whose cache
    # is empty, and answered as a cached answer is (ETag, 304, gzip). Already JSON in the schema's
    # form: not validated again per answer.
    target = one_subdistrict(subdistrict)
    if not hasattr(target, "network"):
        entry = make_entry(json_response(feature_collection([], attribution="")))
    else:
        entry = networks.network_layer(target.network)
    return entry_response(entry, request)
