"""Build and keep a sub-district's pedestrian network with the geo engine."""
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lifecircle import json_encoding
from lifecircle.geo.graph import NAME_LANGUAGES, WalkGraph
from lifecircle.geo.osm import build_network
from lifecircle.geo.profiles import DEFAULT_TABLE as PROFILE_TABLE

from .models import PedestrianNetwork

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


def network_folder(create=True):
    """Where the graph files live; made when ``create`` (saving), not when only reading: a map
    click asks for paths hundreds of times, and the folder exists once a network is saved."""
    folder = Path(settings.VAR_DIR) / "networks"
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_osm(path, boundary=None):
    """Parse an OSM file into a walk graph (the whole file; a pack's network is cut by its maker).

    Returns the engine's ``NetworkBuild``: the graph and what was left out (islands, ways cut) or
    found lacking (footways; with a ``boundary``, a GeoJSON geometry, how much of it has streets),
    for the caller to judge and report. The engine raises GeoError naming the file and reason for a
    file it cannot use at all.
    """
    build = build_network(path)
    if boundary is not None:
        from lifecircle.geo.quality import street_coverage
        from lifecircle.geography import polygon_from_geojson

        build.street_coverage = street_coverage(build.graph, polygon_from_geojson(boundary))
    return build


def save_network(subdistrict, graph, source, attribution):
    """Write the graph file and record it.

    The file is named by its source's content (and the walking-profile table's), so writing it
    never overwrites the file that the current record points to: if the surrounding transaction
    rolls back, the old network stays whole.
    """
    # The walking-profile table is part of the name: editing it (or a graph file from before walking
    # profiles) means a new file, built with the current rules. So are the languages whose street
    # names the engine keeps: a file from before it kept name:en is rebuilt, or maps would stay Chinese.
    digest = hashlib.sha256(Path(source).read_bytes() + PROFILE_TABLE.read_bytes()
                            + repr(NAME_LANGUAGES).encode()).hexdigest()[:12]
    path = network_folder() / f"{subdistrict.code}-{digest}.npz"
    if not path.exists():
        graph.save(path)
    network = PedestrianNetwork.objects.filter(subdistrict=subdistrict).first()
    if network is None or network.graph_file != path.name:
        network = network or PedestrianNetwork(subdistrict=subdistrict)
        network.built_at = timezone.now()
    network.source, network.attribution, network.graph_file = str(source), attribution, path.name
    network.node_count, network.edge_count = graph.n_nodes, graph.n_edges
    network.save()
    return network


def graph_path(network):
    return network_folder(create=False) / network.graph_file


def load_graph(network):
    path = graph_path(network)
    return _load_graph(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _load_graph(path, mtime_ns):
    # The mtime is part of the key so a rebuilt network is read again. A city's networks (about 200)
    # all stay in memory rather than being read again on a click: one the size of the demo's (1,083
    # junctions) takes 0.7 MB in use (with its spatial index and elderly costs), so 150 MB for a
    # city, while reading it again and rebuilding its index cost 5 ms, on two in three of a city's
    # clicks with room for 64. The search for the network a click joins reads their extents
    # (graph_bounds) and loads only the networks near the click.
    return WalkGraph.load(path)


def graph_bounds(network):
    """(min_lon, min_lat, max_lon, max_lat) of ``network``'s graph.

    Kept per process for every network (four numbers each), apart from the graphs: a click on the
    map is checked against every network's extent (accessibility.isochrones.subdistrict_at), and a
    city has more networks (about 200) than the graph cache keeps, so reading the extent from the
    graph would load every network from disk on every click.
    """
    path = graph_path(network)
    return _graph_bounds(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _graph_bounds(path, mtime_ns):
    # Read once without passing through the graph cache, so that learning a city's extents does
    # not push out the graphs that clicks walk.
    return WalkGraph.load(path).bounds


def network_geojson(network):
    """The network as a GeoJSON FeatureCollection (with its attribution), written as JSON bytes:
    a sub-district's 1,700 streets take 25 ms to validate and encode through the API's schema,
    the largest part of a city's first map layers, so they are encoded once per network file."""
    path = graph_path(network)
    return _network_geojson(str(path), path.stat().st_mtime_ns, network.attribution)


@functools.lru_cache(maxsize=16)
def _network_geojson(path, mtime_ns, attribution):
    collection = _load_graph(path, mtime_ns).to_geojson()  # the graph a worker has prepared
    collection["attribution"] = attribution
    return json_encoding.dumps(collection)
