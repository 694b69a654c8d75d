"""lifecircle.geo: the walking-network engine of the 15-minute life circle.

Plain Python on numpy, scipy, shapely and pyosmium -- no Django -- so it runs
in a web request, a batch job or a cluster worker alike.

Typical use::

    from lifecircle.geo import load_network, WalkGraph, snap_points
    graph = load_network("shanghai.osm.pbf", boundary=polygon, buffer_m=1500)
    graph.save("subdistrict.npz")
    graph = WalkGraph.load("subdistrict.npz")
    features = graph.to_geojson()

The public surface
------------------
Everything the platform and users call is named here, in ``__all__``; the
rest of each module is its own business, and no module imports another's
``_private`` name (``lifecircle/tests/test_layers.py`` checks).

Network
    ``load_network``, ``build_network``, ``NetworkBuild``, ``is_walkable``,
    ``relation_polygon``, ``check_readable`` (osm); ``WalkGraph`` (graph).
Points on the network
    ``snap_points``, ``snap_nodes``, ``street_names``, ``SnapResult``, ``DEFAULT_MAX_SNAP_M``
    (snapping); ``haversine_m``, ``LocalProjection``, ``METRES_PER_DEGREE``
    (distance); ``to_wgs84``, ``from_wgs84``, ``parse_system``, ``in_china``,
    ``WGS84``, ``GCJ02``, ``BD09`` (coordinates).
Walking distances
    ``minutes_to_metres``, ``metres_to_minutes`` (walking);
    ``WalkingStandard``, ``read_standard``, ``tier_distances``,
    ``DEFAULT_STANDARD`` (standard).
Measures
    ``nearest_facilities``, ``facilities_within``, ``AccessibilityResult``,
    and, for other searches over facilities, ``Facilities`` and
    ``FacilityTiles`` (accessibility); ``distance_pairs``, ``DistancePairs``
    (odmatrix); ``CoverageResult`` (coverage); ``read_facilities``,
    ``read_mapping`` (pois); ``split_region``, ``compute_by_area``,
    ``grow_polygon`` (areas); ``street_coverage``, ``coordinate_check``
    (quality).
Modules called by name
    ``accessibility.accessibility``, ``coverage.coverage`` and
    ``isochrones.isochrones`` share their module's name, so they are called
    through it (``from lifecircle.geo.accessibility import accessibility``);
    so are ``siting`` (facility siting models, needs highspy) and ``city``
    (whole-city runs, needs dask).
Errors
    ``GeoError`` (a ``ValueError``) and its kinds ``OSMError``,
    ``BoundaryError``, ``GraphFileError``, ``SnapError``, ``InputError``.

Names beyond the network's are loaded on first use, so importing the package
stays as cheap as it was.
"""
from importlib import import_module

from .errors import BoundaryError, GeoError, GraphFileError, InputError, OSMError, SnapError
from .graph import WalkGraph
from .osm import NetworkBuild, build_network, is_walkable, load_network

#: Public name -> the module of this package that defines it (imported when first asked for).
_LAZY = {
    **dict.fromkeys(["relation_polygon", "check_readable"], "osm"),
    **dict.fromkeys(["snap_points", "snap_nodes", "street_names", "SnapResult", "DEFAULT_MAX_SNAP_M"], "snapping"),
    **dict.fromkeys(["haversine_m", "LocalProjection", "METRES_PER_DEGREE"], "distance"),
    **dict.fromkeys(["to_wgs84", "from_wgs84", "parse_system", "in_china", "WGS84", "GCJ02", "BD09"],
                    "coordinates"),
    **dict.fromkeys(["minutes_to_metres", "metres_to_minutes"], "walking"),
    **dict.fromkeys(["WalkingStandard", "read_standard", "tier_distances", "DEFAULT_STANDARD"], "standard"),
    **dict.fromkeys(["nearest_facilities", "facilities_within", "AccessibilityResult", "Facilities",
                     "FacilityTiles"], "accessibility"),
    **dict.fromkeys(["distance_pairs", "DistancePairs"], "odmatrix"),
    "CoverageResult": "coverage",
    **dict.fromkeys(["read_facilities", "read_mapping"], "pois"),
    **dict.fromkeys(["split_region", "compute_by_area", "grow_polygon"], "areas"),
    **dict.fromkeys(["street_coverage", "coordinate_check"], "quality"),
}

__all__ = [
    "BoundaryError", "GeoError", "GraphFileError", "InputError", "OSMError", "SnapError",
    "NetworkBuild", "WalkGraph", "build_network", "is_walkable", "load_network",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # asked once, then an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
