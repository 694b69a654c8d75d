"""Build and keep a sub-district's pedestrian network with the geo engine.

Each network's graph lives in a file under ``var/networks/``, named by what it was built from, and
beside it its map layer (``network_layer``), ready to serve: the street network is the costliest of
a map's first layers (5.6–6.1 ms of a worker's CPU, in-process, to encode, compress and hash a
city sub-district's 1,083 junctions; read from the file, 0.7–0.9 ms the whole request), and a city's
200 networks were each made again by every worker after its cache was emptied. The layer file is written when the network is saved, and made again by the first
request that finds it missing or stale (a network saved by older code, its attribution edited, its
graph file rebuilt, or new code that writes the layer differently); it is written atomically, so
workers that race to make it each write a whole file and readers never see half of one.
"""
import functools
import glob
import hashlib
import re
from pathlib import Path

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifecircle import caching, json_encoding
from lifecircle.geo import graph as graph_module
from lifecircle.geo.graph import NAME_LANGUAGES, WalkGraph
from lifecircle.geo.osm import build_network
from lifecircle.geo.profiles import DEFAULT_TABLE as PROFILE_TABLE
from lifecircle.geo.tables import atomic_write

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
    # Its layer, from the file just written (or found): the bytes a request would make from it.
    # Read apart from the worker's graph cache, which a city's import would otherwise fill.
    _write_layer(network, WalkGraph.load(path))
    remove_layers(subdistrict.code, keep=layer_path(network))
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


def _encode(graph, attribution):
    """The network as a GeoJSON FeatureCollection with its attribution, written as the API writes
    it (``FeatureCollectionOut``'s form, not validated again: a sub-district's 1,700 streets took
    25 ms to validate and encode through the schema)."""
    collection = graph.to_geojson()
    collection["attribution"] = attribution
    return json_encoding.dumps(collection)


def layer_path(network):
    """The file beside ``network``'s graph file that holds its map layer ready to serve."""
    return graph_path(network).with_suffix(".layer")


@functools.cache
def _layer_code():
    # What writes a layer's bytes: new code that writes them differently (another property, another
    # JSON library) must not serve the files written by the old code, which outlive any deployment.
    digest = hashlib.sha256(orjson.__version__.encode())
    for source in (graph_module.__file__, json_encoding.__file__, caching.__file__, __file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def _layer_key(mtime_ns, attribution):
    """What a layer file was made from: its graph file's version, the attribution and the code."""
    made_from = f"{mtime_ns}\n{attribution}\n{_layer_code()}".encode()
    return hashlib.sha256(made_from).hexdigest()[:32].encode()


def network_layer(network):
    """``network``'s map layer as a kept answer, read from its layer file (made if missing or stale).

    Parameters
    ----------
    network : PedestrianNetwork

    Returns
    -------
    tuple
        ``caching.make_entry``'s form, (status, content type, ETag, plain body or None, compressed
        body or None), for ``caching.entry_response``: the plain body is the layer's JSON.
    """
    key = _layer_key(graph_path(network).stat().st_mtime_ns, network.attribution)
    try:
        kept = layer_path(network).read_bytes()
    except FileNotFoundError:
        kept = b""
    # The file: one line "<key> <ETag> <gzip|plain>", then the body as caching keeps it.
    header, _, body = kept.partition(b"\n")
    fields = header.split(b" ")
    if len(fields) == 3 and fields[0] == key and fields[2] in (b"gzip", b"plain"):
        compressed = fields[2] == b"gzip"
        return (200, json_encoding.CONTENT_TYPE, fields[1].decode(),
                None if compressed else body, body if compressed else None)
    return _write_layer(network)


def _write_layer(network, graph=None):
    """Write ``network``'s layer file from ``graph`` (None: its graph as this worker keeps it) and
    return it as ``network_layer`` does; atomically, as the workers may race to make it."""
    path = graph_path(network)
    mtime_ns = path.stat().st_mtime_ns
    if graph is None:
        graph = _load_graph(str(path), mtime_ns)
    entry = caching.make_entry(json_encoding.written_json_response(_encode(graph, network.attribution)))
    _, _, etag, plain, compressed = entry
    header = b" ".join([_layer_key(mtime_ns, network.attribution), etag.encode(),
                        b"plain" if compressed is None else b"gzip"])
    with atomic_write(layer_path(network), "wb") as f:
        f.write(header + b"\n" + (plain if compressed is None else compressed))
    return entry


def remove_layers(code, keep=None):
    """Delete the layer files of sub-district ``code``'s graphs, but ``keep``: a rebuilt network's
    old graph file stays (a rolled-back save still points to it), its layer need not, as a layer
    is made again when it is missing. Another sub-district's code may begin with this one's (a
    graph file is ``<code>-<12 hex digits>.npz``), hence the exact pattern."""
    pattern = re.compile(re.escape(code) + r"-[0-9a-f]{12}\.layer")
    for path in network_folder(create=False).glob(f"{glob.escape(code)}-*.layer"):
        if pattern.fullmatch(path.name) and path != keep:
            path.unlink(missing_ok=True)


def network_deleted(sender, instance, **kwargs):
    """A ``post_delete`` receiver: a deleted network's layer file goes once the deletion is
    committed (its graph file stays, as a rebuilt network's old one does)."""
    path = layer_path(instance)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
