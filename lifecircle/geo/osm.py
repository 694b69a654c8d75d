"""Read OpenStreetMap files into a pedestrian :class:`~lifecircle.geo.graph.WalkGraph`.

Reads every format libosmium reads -- ``.osm.pbf``, ``.osm``,
``.osm.bz2``, ``.osm.gz``, ``.osc`` -- with pyosmium, picks the ways a person
may walk on (:func:`is_walkable`), splits them where they meet, and
optionally keeps only the part near a study-area boundary.

Walkability rules, in order:

1. ``highway=motorway`` / ``motorway_link`` is never walkable, nor are roads
   under construction, proposed or abandoned.
2. ``foot=no``, ``private`` or ``use_sidepath`` excludes the way.
3. ``foot=yes``, ``designated`` or ``permissive`` includes any other highway
   (this is how a cycleway shared with walkers, or a private road with a
   public right of way, is tagged); it also overrides ``access=no``.
4. ``access=no`` or ``private`` excludes the way.
5. Footways, paths, pedestrian streets, steps, corridors, crossings,
   living streets, residential, service, unclassified, track, and
   tertiary/secondary/primary roads and their links are walkable.
6. ``highway=trunk``/``trunk_link`` is walkable only where a sidewalk is
   tagged on it (``sidewalk=both|left|right|yes`` or a
   ``sidewalk:<side>=yes``); ``sidewalk=separate`` means the sidewalk is its
   own footway, which rule 5 picks up.
7. ``motorroad=yes`` (an expressway closed to walkers by law, like
   Shanghai's elevated roads) is never walkable.
8. A road in a tunnel (``tunnel=*`` other than ``building_passage``, on
   anything but a footway, path, pedestrian street, steps, corridor,
   crossing, living street or track) is a car tunnel: walkable only with a
   tagged sidewalk or explicit ``foot=yes|designated|permissive``.

``oneway`` is ignored: one-way rules bind vehicles, not walkers.

Walking profiles (:mod:`lifecircle.geo.profiles`): while reading, every way
and every tagged node on a walkable way is costed for each profile of the
profile table (``data/osm/walking-profiles.json`` unless another is given),
and what the tags leave unknown is counted (:class:`~lifecircle.geo.profiles.TagAudit`,
in :attr:`NetworkBuild.tag_audit` and in the saved graph).

Nothing is dropped without a count: :func:`build_network` returns, beside
the graph, what it left out (islands cut off from the main network, ways cut
where the extract lacks their nodes) and how much of it is footway, so a
caller can say it in words (:attr:`NetworkBuild.warnings`). Files written by
editors (JOSM, osmnx) use negative ids for new objects; they are read like
any other.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .distance import LocalProjection
from .errors import BoundaryError, OSMError
from .graph import NAME_LANGUAGES, Island, WalkGraph
from .profiles import (ACCESS_KEYS, FOOT_WAYS, NODE_KEYS, STANDARD, ProfileTable, TagAudit, incline_percent,
                       is_crossing_way)

if TYPE_CHECKING:  # quality imports this module
    from .quality import PedestrianShare, StreetCoverage

WALKABLE_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "steps", "corridor", "crossing", "living_street",
    "residential", "service", "unclassified", "track", "road",
    "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link",
})
#: Walkable only with a tagged sidewalk (or explicit foot access).
SIDEWALK_ONLY_HIGHWAYS = frozenset({"trunk", "trunk_link"})
#: Never walkable, whatever the foot=* tag says: motorways, and "roads" that aren't (yet or any more).
NEVER_WALKABLE_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "construction", "proposed", "planned", "abandoned", "disused",
    "razed", "raceway", "bus_guideway",
})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
FOOT_FORBIDDEN = frozenset({"no", "private", "use_sidepath"})
ACCESS_FORBIDDEN = frozenset({"no", "private"})
SIDEWALK_PRESENT = frozenset({"both", "left", "right", "yes"})
#: Ways built for people on foot. A tunnel on one of these is an underpass; on anything else, a car
#: tunnel. Their share of the network tells a walking network from a car-only export.
PEDESTRIAN_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "steps", "corridor", "crossing", "living_street", "track",
})
#: ``tunnel=*`` values that are not road tunnels: a passage through a building is walked daily.
WALKABLE_TUNNELS = frozenset({"no", "building_passage"})


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags may be walked on (see module docstring)."""
    highway = tags.get("highway")
    if highway is None or highway in NEVER_WALKABLE_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot in FOOT_FORBIDDEN:
        return False
    if tags.get("motorroad") == "yes":
        return False
    if foot in FOOT_ALLOWED:
        return True
    if tags.get("access") in ACCESS_FORBIDDEN:
        return False
    if highway in WALKABLE_HIGHWAYS:
        if tags.get("tunnel", "no") not in WALKABLE_TUNNELS and highway not in PEDESTRIAN_HIGHWAYS:
            return _has_sidewalk(tags)  # a car tunnel
        return True
    if highway in SIDEWALK_ONLY_HIGHWAYS:
        return _has_sidewalk(tags)
    return False


def _has_sidewalk(tags: Mapping[str, str]) -> bool:
    return (tags.get("sidewalk") in SIDEWALK_PRESENT
            or any(tags.get(f"sidewalk:{side}") == "yes" for side in ("both", "left", "right")))


@dataclass(eq=False)
class NetworkBuild:
    """A walking graph and an account of what building it left out or found lacking.

    Attributes
    ----------
    graph
        The routing graph.
    path
        The OSM file it was read from.
    islands
        Pieces of street cut off from the main network and left out of
        ``graph``, longest first (empty when islands were kept).
    ways_cut
        Ways broken where the extract lacks some of their nodes (the pieces
        on either side are kept).
    pedestrian
        How much of ``graph`` is built for people on foot
        (:func:`lifecircle.geo.quality.pedestrian_share`).
    street_coverage
        With a boundary: how much of it lies near a walkable street
        (:func:`lifecircle.geo.quality.street_coverage`), else ``None``.
    """

    graph: WalkGraph
    path: str
    islands: list[Island] = field(default_factory=list)
    ways_cut: int = 0
    pedestrian: PedestrianShare | None = None
    street_coverage: StreetCoverage | None = None
    tag_audit: TagAudit | None = None

    @property
    def islands_length_m(self) -> float:
        """Metres of street in the islands left out."""
        return float(sum(island.length_m for island in self.islands))

    @property
    def warnings(self) -> list[str]:
        """What a planner should know about this network, one sentence each (English)."""
        out = []
        if self.islands:
            largest = "; ".join(f"{i.length_m:.0f} m near {i.lat:.5f}, {i.lon:.5f}" for i in self.islands[:3])
            out.append(f"{len(self.islands)} piece(s) of street with {self.islands_length_m / 1000:.1f} km in all "
                       f"are cut off from the main network and were left out (largest: {largest}); homes and "
                       "facilities there are placed on the nearest street of the main network")
        if self.ways_cut:
            out.append(f"{self.ways_cut} way(s) run out of the extract (some of their nodes are missing); "
                       "they were kept up to the missing nodes")
        if self.pedestrian is not None and self.pedestrian.lacking:
            out.append(self.pedestrian.message)
        if self.street_coverage is not None and self.street_coverage.thin:
            out.append(self.street_coverage.message)
        return out

    @property
    def profile_warnings(self) -> list[str]:
        """What the tags leave unknown to the elderly and barrier-free profiles, one sentence each (English)."""
        return [] if self.tag_audit is None else self.tag_audit.warnings


def load_network(path, boundary=None, buffer_m: float = 500.0, largest_component: bool = True,
                 progress: bool = False, profiles: ProfileTable | None = None) -> WalkGraph:
    """Build the walkable street graph of an OSM file.

    The graph of :func:`build_network` (same parameters, and the same
    refusals), without its account of what was left out.
    """
    return build_network(path, boundary, buffer_m, largest_component, progress, profiles=profiles).graph


def build_network(path, boundary=None, buffer_m: float = 500.0, largest_component: bool = True,
                  progress: bool = False, min_street_coverage: float | None = None,
                  profiles: ProfileTable | None = None) -> NetworkBuild:
    """Build the walkable street graph of an OSM file, and say what was left out.

    Parameters
    ----------
    path
        An OSM file in any format pyosmium reads (chosen by file extension).
    boundary
        Optional study area: a shapely (Multi)Polygon in lon/lat degrees, or
        the integer id of an OSM boundary/multipolygon relation in the file.
        Edges that touch the boundary grown by ``buffer_m`` are kept (whole,
        not cut), so catchments reach past the study area's edge.
    buffer_m
        Metres to grow the boundary by.
    largest_component
        Keep only the largest connected part of the network (like osmnx's
        default); islands would trap snapped points that can reach nothing.
        What is left out is listed in :attr:`NetworkBuild.islands`.
    progress
        Show a tqdm progress bar while reading.
    min_street_coverage
        With a boundary: the least share of its area that must lie near a
        walkable street (default
        :data:`lifecircle.geo.quality.MIN_STREET_COVERAGE`; 0 turns the check
        off).
    profiles
        The walking-profile table (default: :meth:`ProfileTable.load` of the
        shipped table); every profile in it is costed on the graph.

    Raises
    ------
    OSMError
        The file is missing, empty, truncated, not OSM, or has no walkable ways.
    BoundaryError
        The boundary is invalid, absent from the file, misses the network, or
        too little of it has streets (the network is of another area).
    """
    from .quality import MIN_STREET_COVERAGE, pedestrian_share, street_coverage

    path = os.fspath(path)
    check_readable(path)
    polygon = None
    if boundary is not None:
        polygon = relation_polygon(path, boundary) if _is_relation_id(boundary) else _check_polygon(boundary)
    table = ProfileTable.load() if profiles is None else profiles
    lines = _read_walkable_ways(path, progress, table)
    audit = lines["audit"]
    graph = WalkGraph.from_polylines(
        lines["offsets"], lines["refs"], lines["lon"], lines["lat"], way_ids=lines["way_ids"],
        name_index=lines["name_index"], highway_index=lines["highway_index"],
        names=lines["names"], highways=lines["highways"], line_factor=lines["line_factor"],
        point_penalty=lines["point_penalty"], tag_audit=audit.to_dict(), access_tags=lines["access_tags"],
        name_translations=lines["name_translations"])
    if graph.n_edges == 0:
        raise OSMError("contains no walkable ways with usable coordinates", path)
    if polygon is not None:
        graph = clip_to_boundary(graph, polygon, buffer_m, path)
    islands = []
    if largest_component:
        graph, islands = graph.split_islands()
    build = NetworkBuild(graph=graph, path=path, islands=islands, ways_cut=lines["ways_cut"],
                         pedestrian=pedestrian_share(graph), tag_audit=audit)
    if polygon is not None:
        build.street_coverage = street_coverage(graph, polygon)
        least = MIN_STREET_COVERAGE if min_street_coverage is None else min_street_coverage
        if build.street_coverage.share < least:
            raise BoundaryError(build.street_coverage.refusal(least), path)
    return build


def clip_to_boundary(graph: WalkGraph, polygon, buffer_m: float, path=None) -> WalkGraph:
    """Keep the edges of ``graph`` that touch ``polygon`` grown by ``buffer_m`` metres."""
    import shapely

    projection = LocalProjection.around(*_polygon_lonlat(polygon))
    grown = projection.transform_geometry(
        projection.transform_geometry(polygon).buffer(buffer_m), inverse=True)
    shapely.prepare(grown)
    inside = shapely.contains_xy(grown, graph.geom_lon, graph.geom_lat)
    point_edge = np.repeat(np.arange(graph.n_edges), np.diff(graph.geom_offsets))
    keep = np.zeros(graph.n_edges, dtype=bool)
    keep[point_edge[inside]] = True
    # An edge can cross the area with every vertex outside it (a long straight
    # road); test those few exactly as lines.
    min_lon, min_lat, max_lon, max_lat = grown.bounds
    edge_min_lon, edge_min_lat, edge_max_lon, edge_max_lat = graph.edge_bounds()
    maybe = np.flatnonzero(~keep & (edge_max_lon >= min_lon) & (edge_min_lon <= max_lon)
                           & (edge_max_lat >= min_lat) & (edge_min_lat <= max_lat))
    if maybe.size:
        lines = graph.edge_lines(maybe)
        keep[maybe[shapely.intersects(grown, lines)]] = True
    if not keep.any():
        data = graph.bounds
        raise BoundaryError(
            "the boundary (grown by %.0f m, extent %.5f,%.5f,%.5f,%.5f) does not overlap the walkable "
            "network (extent %.5f,%.5f,%.5f,%.5f)" % (buffer_m, *grown.bounds, *data), path)
    return graph.edge_subgraph(keep)


def relation_polygon(path, relation_id: int):
    """The (multi)polygon of OSM relation ``relation_id`` in file ``path``.

    The relation must be a ``type=boundary`` or ``type=multipolygon``
    relation whose member ways are all in the file: an extract cut around a
    sub-district often holds the relation but not all of its ways.
    """
    import osmium
    import shapely

    path = os.fspath(path)
    relation_id = int(relation_id)
    check_readable(path)
    found = None
    try:
        for rel in osmium.FileProcessor(path, osmium.osm.RELATION).with_filter(osmium.filter.IdFilter([relation_id])):
            found = dict(rel.tags)
        if found is None:
            raise BoundaryError(f"relation {relation_id} is not in the file", path)
        if found.get("type") not in ("boundary", "multipolygon"):
            raise BoundaryError(
                f"relation {relation_id} has type={found.get('type')!r}; only boundary and multipolygon "
                "relations describe an area", path)
        wkb = osmium.geom.WKBFactory()
        polygon = None
        area_id = 2 * relation_id + 1  # libosmium's id for areas made from relations
        processor = (osmium.FileProcessor(path).with_areas(osmium.filter.IdFilter([relation_id]))
                     .with_filter(osmium.filter.EntityFilter(osmium.osm.AREA))
                     .with_filter(osmium.filter.IdFilter([area_id])))
        for area in processor:
            polygon = shapely.from_wkb(wkb.create_multipolygon(area))
    except RuntimeError as exc:
        raise OSMError(f"cannot read OSM data ({exc})", path) from exc
    if polygon is None or polygon.is_empty:
        raise BoundaryError(
            f"relation {relation_id} is in the file but its outline cannot be assembled "
            "(member ways or nodes are missing from the extract, or its rings do not close)", path)
    return polygon


# ---------------------------------------------------------------------- reading
def check_readable(path: str) -> None:
    """Raise :class:`OSMError` unless ``path`` is an existing, non-empty file.

    Shared by every reader of OSM extracts (the network here, places of
    interest in :mod:`lifecircle.geo.pois`) so they refuse bad paths alike.
    """
    if not os.path.exists(path):
        raise OSMError("no such file", path)
    if os.path.isdir(path):
        raise OSMError("is a directory, not an OSM file", path)
    if os.path.getsize(path) == 0:
        raise OSMError("file is empty", path)


def _read_walkable_ways(path: str, progress: bool, table: ProfileTable, negative_nodes: dict | None = None) -> dict:
    """Collect the walkable ways of ``path`` as flat polylines.

    Ways that run out of the extract (their nodes' coordinates are missing)
    are broken at the missing nodes rather than dropped, and counted.
    libosmium's location index holds only positive ids, so a file with
    negative node ids (as JOSM and osmnx write) is read a second time with
    those nodes' locations looked up in ``negative_nodes``.
    """
    import osmium

    refs, lons, lats = array("q"), array("d"), array("d")
    offsets, way_ids, name_index, highway_index = array("q", [0]), array("q"), array("l"), array("l")
    # A way's name in every kept language (``name``, then NAME_LANGUAGES' order) -> its index in ``names``.
    no_name = ("",) * (1 + len(NAME_LANGUAGES))
    names: dict[tuple[str, ...], int] = {no_name: 0}
    highways: dict[str, int] = {}
    n_objects = ways_cut = missing_negative = 0
    others = [p for p in table.profiles.values() if p.name != STANDARD]
    factors = {p.name: array("d") for p in others}
    line_tags = array("b")  # per polyline: 1 crossing way, 2 foot way, 4 no known surface, 8 kerb on the way
    node_tags: dict[int, dict] = {}
    way_access: dict[str, dict] = {}  # ACCESS_KEYS of walkable ways, by way id
    audit = TagAudit()
    bar = _progress_bar(path) if progress else None
    try:
        processor = osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY).with_locations()
        # Nodes are needed for locations but never reach Python unless tagged highway=*.
        processor = processor.with_filter(osmium.filter.KeyFilter("highway", *NODE_KEYS))
        for obj in processor:
            n_objects += 1
            if bar is not None and n_objects % 10000 == 0:
                bar.update(10000)
            if obj.is_node():
                kept = {k: obj.tags[k] for k in NODE_KEYS if k in obj.tags}
                if kept:
                    node_tags[obj.id] = kept
                continue
            if not obj.is_way() or not is_walkable(obj.tags):
                continue
            tags = obj.tags
            plain = dict(tags)
            audit.note_values(plain, table.known_values)
            if "incline" in plain and incline_percent(plain["incline"]) is None:
                audit.incline_unreadable += 1
            way_factor = {p.name: p.way_factor(plain)[0] for p in others}
            access = {k: plain[k] for k in ACCESS_KEYS if k in plain}
            if access:
                way_access[str(obj.id)] = access
            flags = ((1 if is_crossing_way(plain) else 0) | (2 if plain["highway"] in FOOT_WAYS else 0)
                     | (0 if plain.get("surface") in table.known_values.get("surface", ()) else 4)
                     | (8 if any(k == "kerb" or k.startswith("kerb:") for k in plain) else 0))
            forms = (plain.get("name", ""),
                     *(next((plain[k] for k in keys if plain.get(k)), "") for keys in NAME_LANGUAGES.values()))
            name = names.setdefault(forms, len(names))
            highway = highways.setdefault(tags["highway"], len(highways))
            start = len(refs)
            cut = False
            for nd in obj.nodes:
                loc = nd.location
                if loc.valid():
                    refs.append(nd.ref)
                    lons.append(loc.lon)
                    lats.append(loc.lat)
                    continue
                if nd.ref < 0:
                    if negative_nodes is None:
                        missing_negative += 1
                    elif nd.ref in negative_nodes:
                        lon, lat = negative_nodes[nd.ref]
                        refs.append(nd.ref)
                        lons.append(lon)
                        lats.append(lat)
                        continue
                cut = True
                if len(refs) > start:  # close the piece before the gap
                    _end_piece(offsets, way_ids, name_index, highway_index, obj.id, name, highway, refs)
                    _end_costs(factors, way_factor, line_tags, flags)
                    start = len(refs)
            ways_cut += cut
            if len(refs) > start:
                _end_piece(offsets, way_ids, name_index, highway_index, obj.id, name, highway, refs)
                _end_costs(factors, way_factor, line_tags, flags)
    except RuntimeError as exc:
        raise OSMError(f"not a readable OSM file ({exc})", path) from exc
    finally:
        if bar is not None:
            bar.update(n_objects % 10000)
            bar.close()
    if missing_negative:
        return _read_walkable_ways(path, False, table, negative_nodes=_negative_nodes(path))
    if n_objects == 0 and not _has_any_object(path):
        raise OSMError("contains no OpenStreetMap data", path)
    if len(way_ids) == 0:
        raise OSMError("contains no walkable ways (no footway, path, residential or other walkable "
                       "highway=* ways with coordinates)", path)
    lines = {
        "refs": np.frombuffer(refs, dtype=np.int64), "lon": np.frombuffer(lons, dtype=np.float64),
        "lat": np.frombuffer(lats, dtype=np.float64), "offsets": np.frombuffer(offsets, dtype=np.int64),
        "way_ids": np.frombuffer(way_ids, dtype=np.int64),
        "name_index": np.asarray(name_index, dtype=np.int32),
        "highway_index": np.asarray(highway_index, dtype=np.int16),
        "names": [forms[0] for forms in names], "highways": list(highways), "ways_cut": ways_cut,
        # Only the languages the file has names in: a network without name:zh keeps no column of blanks.
        "name_translations": {lang: [forms[i] for forms in names] for i, lang in enumerate(NAME_LANGUAGES, 1)
                              if any(forms[i] for forms in names)},
        "line_factor": {name: np.frombuffer(f, dtype=np.float64) for name, f in factors.items()},
        "audit": audit,
    }
    tagged = [node for node, tags in node_tags.items() if any(k in tags for k in ACCESS_KEYS)]
    on_network = np.isin(np.asarray(tagged, dtype=np.int64), lines["refs"]).tolist()
    lines["access_tags"] = {"ways": way_access, "nodes": {
        str(node): {k: node_tags[node][k] for k in ACCESS_KEYS if k in node_tags[node]}
        for node, inside in zip(tagged, on_network) if inside}}
    lines["point_penalty"] = _node_costs(lines, np.frombuffer(line_tags, dtype=np.int8), node_tags, others, table,
                                         audit)
    return lines


def _end_costs(factors, way_factor, line_tags, flags):
    for name, values in factors.items():
        values.append(way_factor[name])
    line_tags.append(flags)


def _node_costs(lines, line_tags, node_tags, profiles, table, audit) -> dict:
    """Per point of every polyline and per profile, the metres added for passing it (``inf``: impassable).

    A tagged node's cost goes to the crossing ways through it if there are
    any, else to the foot ways through it (a kerb where a lane meets a
    street is the lane's), else to every way through it; an uncontrolled crossing of a wide
    road goes to the foot ways through the node (see
    :mod:`lifecircle.geo.profiles`). Also finishes ``audit``: lengths,
    crossings and their kerbs, unknown node tag values.
    """
    from .distance import haversine_m

    refs, offsets = lines["refs"], lines["offsets"]
    n_lines = offsets.shape[0] - 1
    line_of = np.repeat(np.arange(n_lines), np.diff(offsets))
    seg = haversine_m(lines["lon"][:-1], lines["lat"][:-1], lines["lon"][1:], lines["lat"][1:])
    seg_line_same = line_of[:-1] == line_of[1:]
    line_length = np.bincount(line_of[:-1][seg_line_same], weights=seg[seg_line_same], minlength=n_lines)
    audit.length_m = float(line_length.sum())
    audit.surface_unknown_m = float(line_length[(line_tags & 4) > 0].sum())
    crossing_point = (line_tags[line_of] & 1) > 0
    penalties = {p.name: np.zeros(refs.shape[0]) for p in profiles}

    # Nodes on the walkable ways: their tags, counted and costed.
    on_network = np.isin(np.fromiter(node_tags, dtype=np.int64, count=len(node_tags)), refs)
    tagged_ids = np.fromiter(node_tags, dtype=np.int64, count=len(node_tags))[on_network]
    kerb_nodes = set()
    crossing_nodes = set()
    for node in tagged_ids.tolist():
        tags = node_tags[node]
        audit.note_values(tags, table.known_values)
        if "kerb" in tags:
            kerb_nodes.add(node)
        if tags.get("highway") == "crossing" or "crossing" in tags:
            crossing_nodes.add(node)
    tagged_point = np.isin(refs, tagged_ids)
    if tagged_point.any():
        points = np.flatnonzero(tagged_point)
        ids = refs[points]
        # Where a crossing way passes, only crossing ways are charged; else where a foot way does, foot ways.
        foot = (line_tags[line_of[points]] & 2) > 0
        via_crossing = np.isin(ids, list(set(ids[crossing_point[points]].tolist())))
        via_foot = np.isin(ids, list(set(ids[foot].tolist())))
        charged = points[crossing_point[points] | (~via_crossing & foot) | (~via_crossing & ~via_foot)]
        for profile in profiles:
            costs = {node: profile.node_penalty(node_tags[node])[0] for node in set(refs[charged].tolist())}
            costs = {node: cost for node, cost in costs.items() if cost > 0}
            if costs:
                hit = charged[np.isin(refs[charged], list(costs))]
                penalties[profile.name][hit] = [costs[n] for n in refs[hit].tolist()]

    # Crossings and whether their kerb is mapped (on the crossing way, on its nodes, or on the crossing node).
    crossing_lines = np.flatnonzero((line_tags & 1) > 0)
    kerb_point = np.isin(refs, list(kerb_nodes)) if kerb_nodes else np.zeros(refs.shape[0], dtype=bool)
    line_has_kerb = (np.bincount(line_of[kerb_point], minlength=n_lines) > 0) | ((line_tags & 8) > 0)
    on_crossing_way = set(refs[crossing_point].tolist())
    lone_crossing_nodes = [n for n in crossing_nodes if n not in on_crossing_way]
    audit.crossings = int(crossing_lines.size + len(lone_crossing_nodes))
    audit.crossings_kerb_unknown = int((~line_has_kerb[crossing_lines]).sum()
                                       + sum(1 for n in lone_crossing_nodes if n not in kerb_nodes))

    # A foot way crossing a wide road at a node with no crossing tag.
    highways = np.array(lines["highways"], dtype=object)
    point_highway = highways[lines["highway_index"][line_of]] if refs.size else np.zeros(0, dtype=object)
    foot_point = (line_tags[line_of] & 2) > 0
    for profile in profiles:
        if not profile.crossing_penalty_m or not profile.crossing_roads:
            continue
        road_point = np.isin(point_highway, list(profile.crossing_roads))
        # A foot way crosses the road where it runs on through the node, or where two foot ways end
        # there (from either side); a single lane that ends at the street joins its sidewalk.
        ends = np.zeros(refs.shape[0], dtype=bool)
        ends[offsets[:-1]] = ends[offsets[1:] - 1] = True
        foot_ids, foot_weight = refs[foot_point], np.where(ends[foot_point], 1, 2)
        ids, inverse = np.unique(foot_ids, return_inverse=True)
        crossing_here = ids[np.bincount(inverse, weights=foot_weight) >= 2] if ids.size else ids
        at_road = np.intersect1d(refs[road_point], crossing_here)
        marked = [n for n in at_road.tolist() if n in crossing_nodes or node_tags.get(n, {}).get("highway")
                  in ("crossing", "traffic_signals")]
        unmarked = np.setdiff1d(at_road, np.array(marked, dtype=np.int64))
        hit = np.flatnonzero(foot_point & np.isin(refs, unmarked))
        penalties[profile.name][hit] = np.maximum(penalties[profile.name][hit], profile.crossing_penalty_m)
    return penalties


def _negative_nodes(path: str) -> dict:
    """``{id: (lon, lat)}`` of the nodes with negative ids (new objects of an editor's file)."""
    import osmium

    found = {}
    try:
        for node in osmium.FileProcessor(path, osmium.osm.NODE):
            if node.id < 0 and node.location.valid():
                found[node.id] = (node.location.lon, node.location.lat)
    except RuntimeError as exc:
        raise OSMError(f"not a readable OSM file ({exc})", path) from exc
    return found


def _end_piece(offsets, way_ids, name_index, highway_index, way_id, name, highway, refs):
    offsets.append(len(refs))
    way_ids.append(way_id)
    name_index.append(name)
    highway_index.append(highway)


def _has_any_object(path: str) -> bool:
    import osmium

    for _ in osmium.FileProcessor(path):
        return True
    return False


def _progress_bar(path):
    from tqdm import tqdm

    return tqdm(desc=f"reading {os.path.basename(path)}", unit=" objects", unit_scale=True)


# --------------------------------------------------------------------- boundary
def _is_relation_id(boundary) -> bool:
    return isinstance(boundary, (int, np.integer)) and not isinstance(boundary, bool)


def _check_polygon(boundary):
    import shapely

    if not isinstance(boundary, (shapely.Polygon, shapely.MultiPolygon)):
        raise BoundaryError(f"boundary must be a shapely Polygon/MultiPolygon in lon/lat or an OSM "
                            f"relation id, not {type(boundary).__name__}")
    if boundary.is_empty:
        raise BoundaryError("boundary polygon is empty")
    min_lon, min_lat, max_lon, max_lat = boundary.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise BoundaryError(f"boundary extent {boundary.bounds} is not in lon/lat degrees "
                            "(was it given in projected metres, or as lat/lon?)")
    if not boundary.is_valid:
        boundary = boundary.buffer(0)  # repairs self-touching rings drawn by hand
    return boundary


def _polygon_lonlat(polygon):
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    return np.array([min_lon, max_lon]), np.array([min_lat, max_lat])
