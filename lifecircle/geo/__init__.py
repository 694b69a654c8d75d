"""lifecircle.geo: the walking-network engine of the 15-minute life circle.

Plain Python on numpy, scipy, shapely and pyosmium -- no Django -- so it runs
in a web request, a batch job or a cluster worker alike.

Typical use::

    from lifecircle.geo import load_network, WalkGraph
    graph = load_network("shanghai.osm.pbf", boundary=polygon, buffer_m=1500)
    graph.save("subdistrict.npz")
    graph = WalkGraph.load("subdistrict.npz")
    features = graph.to_geojson()
"""

from .errors import BoundaryError, GeoError, GraphFileError, InputError, OSMError, SnapError
from .graph import WalkGraph
from .osm import NetworkBuild, build_network, is_walkable, load_network

__all__ = [
    "BoundaryError", "GeoError", "GraphFileError", "InputError", "OSMError", "SnapError",
    "NetworkBuild", "WalkGraph", "build_network", "is_walkable", "load_network",
]
