"""The pedestrian street graph: :class:`WalkGraph`.

A ``WalkGraph`` is a set of undirected *edges* (street pieces between two
intersections or dead ends, each with its drawn shape, OSM way id, name and
``highway`` value) over *nodes* (OSM nodes where streets meet or end), plus a
compact routing view of the same network in compressed sparse row (CSR) form
that :mod:`scipy.sparse.csgraph` searches directly.

Layout (all numpy arrays, so a 1,000,000-node city fits in a few hundred MB
and saves/loads in well under a second):

=================  ============  ==============================================
array              dtype         meaning
=================  ============  ==============================================
node_lon/lat       float64       node coordinates, degrees (WGS84)
node_osmid         int64         OSM node id (negative for synthetic nodes)
edge_u, edge_v     int32         end nodes; the shape runs from u to v
edge_length        float32       metres along the shape (haversine)
edge_way           int64         OSM way the edge comes from
edge_name          int32         index into ``names`` ("" = unnamed)
edge_highway       int16         index into ``highways``
geom_offsets       int64         edge i's shape is points
                                 ``geom_offsets[i]:geom_offsets[i+1]``
geom_lon/lat       float64       shape points; each edge's first and last
                                 points are its end nodes
indptr             int32         CSR row pointer (n_nodes + 1)
indices            int32         CSR neighbour of each slot
weights            float32       CSR slot length, metres
slot_edge          int32         edge id of each CSR slot
=================  ============  ==============================================

Walking profiles (:mod:`lifecircle.geo.profiles`) add, per profile, one
more per-edge cost array (``profile_costs[name]``, float32 metres, ``inf``
where the profile cannot pass) and the OSM object that makes an edge
impassable (``profile_barriers[name]``). A profile is not a second graph:
:meth:`WalkGraph.for_profile` returns a view that shares every array and
the CSR structure (``indptr``/``indices``) and differs only in the slot
weights (and which of two parallel edges a slot stands for).

Tags no profile acts on but a planner wants to see (``wheelchair=yes|limited``,
``tactile_paving``) are kept as attributes, by OSM id:
``access_tags = {"ways": {way id: {key: value}}, "nodes": {node id: {key: value}}}``
(sparse: only the tagged ways and nodes of the network; ids as strings, as JSON
keeps them). :meth:`WalkGraph.edge_access` reads them per edge.

Street names in other languages (OSM ``name:en``, ``name:zh``) ride along
with ``names``: ``name_translations[language][i]`` is the ``language`` form
of ``names[i]`` ("" where the way has none), so maps can name streets in the
reader's language. ``names`` is indexed by the whole set of forms, so two
ways with one ``name`` but different ``name:en`` keep both.

The CSR view stores every edge in both directions, because walking is never
one-way. Two things are left out of it on purpose: self-loops (they can never
shorten a walk) and all but the shortest of parallel edges between the same
two nodes, because :mod:`scipy.sparse` sums duplicate entries, which would
turn two 50 m paths into one 100 m path.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .distance import haversine_m
from .errors import GraphFileError
from .tables import atomic_write

#: Written into every saved graph; bump when the layout changes. Files of
#: format 1 (no walking profiles) still load, with the standard profile only.
FORMAT = "lifecircle.walkgraph/2"
_READABLE_FORMATS = ("lifecircle.walkgraph/1", FORMAT)
#: What ``profile_barriers[name].kind`` means.
BARRIER_NONE, BARRIER_WAY, BARRIER_NODE = 0, 1, 2

_NODE_ARRAYS = ("node_lon", "node_lat", "node_osmid")
_EDGE_ARRAYS = ("edge_u", "edge_v", "edge_length", "edge_way", "edge_name", "edge_highway")
_GEOM_ARRAYS = ("geom_offsets", "geom_lon", "geom_lat")
_CSR_ARRAYS = ("indptr", "indices", "weights", "slot_edge")
#: The languages whose street names are kept beside OSM ``name``: language -> OSM keys, first found wins.
#: Chinese pages are simplified Chinese, so ``name:zh-Hans`` goes before the unqualified ``name:zh``.
NAME_LANGUAGES = {"en": ("name:en",), "zh": ("name:zh-Hans", "name:zh")}
_DTYPES = {
    "node_lon": np.float64, "node_lat": np.float64, "node_osmid": np.int64,
    "edge_u": np.int32, "edge_v": np.int32, "edge_length": np.float32,
    "edge_way": np.int64, "edge_name": np.int32, "edge_highway": np.int16,
    "geom_offsets": np.int64, "geom_lon": np.float64, "geom_lat": np.float64,
    "indptr": np.int32, "indices": np.int32, "weights": np.float32, "slot_edge": np.int32,
}


@dataclass(eq=False)
class EdgeProfile:
    """One walking profile's view of every edge.

    Attributes
    ----------
    cost
        float32 metres of walking per edge, at least its length; ``inf``
        where the profile cannot pass.
    barrier_kind
        int8, per edge: ``BARRIER_NONE``, or what makes it impassable -- the
        way itself (``BARRIER_WAY``, its id is ``edge_way``) or a node on it
        (``BARRIER_NODE``, id in ``barrier_id``).
    barrier_id
        int64 OSM node id of a node barrier, else 0.
    """

    cost: np.ndarray
    barrier_kind: np.ndarray
    barrier_id: np.ndarray

    def __post_init__(self):
        self.cost = np.ascontiguousarray(self.cost, dtype=np.float32)
        self.barrier_kind = np.ascontiguousarray(self.barrier_kind, dtype=np.int8)
        self.barrier_id = np.ascontiguousarray(self.barrier_id, dtype=np.int64)

    def take(self, edges) -> "EdgeProfile":
        """The profile of the listed edges."""
        return EdgeProfile(self.cost[edges], self.barrier_kind[edges], self.barrier_id[edges])


@dataclass(frozen=True)
class Island:
    """A piece of street network cut off from the main one (left out of the routing graph).

    ``lon``/``lat`` (degrees) is a point in its middle, for a map or a
    message; ``way_ids`` names up to five of its OSM ways.
    """

    edges: int
    length_m: float
    lon: float
    lat: float
    way_ids: tuple[int, ...] = ()


@dataclass(eq=False)
class WalkGraph:
    """An undirected pedestrian network with edge shapes and a CSR routing view.

    Build one with :func:`lifecircle.geo.osm.load_network`,
    :meth:`WalkGraph.from_polylines` or :meth:`WalkGraph.load`; the
    constructor takes the arrays described in the module docstring.
    """

    node_lon: np.ndarray
    node_lat: np.ndarray
    node_osmid: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_way: np.ndarray
    edge_name: np.ndarray
    edge_highway: np.ndarray
    names: list[str]
    highways: list[str]
    geom_offsets: np.ndarray
    geom_lon: np.ndarray
    geom_lat: np.ndarray
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None
    weights: np.ndarray | None = None
    slot_edge: np.ndarray | None = None
    profile_costs: dict[str, EdgeProfile] = field(default_factory=dict)
    #: The profile the CSR weights follow (``standard``: edge lengths).
    profile: str = "standard"
    #: What the tags left unknown (:class:`lifecircle.geo.profiles.TagAudit` as a dict), if read from OSM.
    tag_audit: dict = field(default_factory=dict)
    #: Accessibility tags kept as attributes (module docstring), by OSM way and node id.
    access_tags: dict = field(default_factory=dict)
    #: Street names in other languages, parallel to ``names`` (module docstring): ``{"en": [...], ...}``.
    name_translations: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        for key, dtype in _DTYPES.items():
            value = getattr(self, key)
            if value is not None:
                setattr(self, key, np.ascontiguousarray(value, dtype=dtype))
        self.names = list(self.names)
        self.highways = list(self.highways)
        self.name_translations = {lang: list(forms) for lang, forms in self.name_translations.items()}
        for lang, forms in self.name_translations.items():
            if len(forms) != len(self.names):
                raise ValueError(f"name_translations[{lang!r}] has {len(forms)} names for {len(self.names)}")
        if self.indptr is None:
            self.indptr, self.indices, self.weights, self.slot_edge = _build_csr(
                self.n_nodes, self.edge_u, self.edge_v, self.edge_length)

    # ------------------------------------------------------------------ sizes
    @property
    def n_nodes(self) -> int:
        """Number of nodes (intersections and dead ends)."""
        return int(self.node_lon.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of undirected edges (each stored once, not per direction)."""
        return int(self.edge_u.shape[0])

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)`` of all edge shapes."""
        if self.geom_lon.size == 0:
            raise ValueError("the graph is empty")
        return (float(self.geom_lon.min()), float(self.geom_lat.min()),
                float(self.geom_lon.max()), float(self.geom_lat.max()))

    def __getstate__(self):
        # Caches (routing matrix, spatial indexes) are rebuilt on demand; don't ship them to workers.
        return {k: v for k, v in self.__dict__.items() if k in self.__dataclass_fields__}

    def cached(self, name: str, build):
        """The cached value ``name`` (a spatial index, say), made by ``build(self)`` on first use."""
        value = self.__dict__.get(name)
        if value is None:
            value = self.__dict__[name] = build(self)
        return value

    def prepare(self) -> "WalkGraph":
        """Build now the spatial indexes that snapping and local walks (isochrones, a click's
        facilities) otherwise build on first use: a server prepares its networks at start-up
        rather than on its first requests. Returns the graph."""
        from .snapping import SegmentIndex
        from .subgraph import LocalSearch

        SegmentIndex.for_graph(self)
        LocalSearch.for_graph(self)
        return self

    def clear_caches(self) -> None:
        """Drop the cached routing matrix and spatial indexes (they are rebuilt when next needed)."""
        for key in [k for k in self.__dict__ if k not in self.__dataclass_fields__]:
            del self.__dict__[key]

    def __repr__(self) -> str:
        return f"<WalkGraph {self.n_nodes} nodes, {self.n_edges} edges>"

    # ------------------------------------------------------------- accessors
    def edge_coords(self, edge: int) -> np.ndarray:
        """The shape of ``edge`` as an ``(k, 2)`` array of ``[lon, lat]``, from u to v."""
        a, b = self.geom_offsets[edge], self.geom_offsets[edge + 1]
        return np.column_stack((self.geom_lon[a:b], self.geom_lat[a:b]))

    def edge_name_str(self, edge: int, language: str | None = None) -> str | None:
        """The street name of ``edge``, or ``None`` if it has none.

        Parameters
        ----------
        edge
            Edge id.
        language
            A language code ("en", "en-us", "zh-hans"): the street's name in that language where
            the network has it (:data:`NAME_LANGUAGES`), else its OSM ``name``. ``None``: ``name``.
        """
        i = int(self.edge_name[edge])
        translated = self.name_translations.get((language or "").split("-")[0].lower())
        return (translated[i] if translated else "") or self.names[i] or None

    def edge_names(self, edge: int) -> dict[str, str | None]:
        """The street names of ``edge``: ``{"name": ..., "name_en": ..., "name_zh": ...}``, ``None`` where unmapped.

        One key per language of :data:`NAME_LANGUAGES`, whether this graph
        has names in it or not (a graph saved before they were kept has none).
        """
        i = int(self.edge_name[edge])
        forms = {"name": self.names[i] or None}
        for lang in NAME_LANGUAGES:
            translated = self.name_translations.get(lang)
            forms[f"name_{lang}"] = (translated[i] if translated else "") or None
        return forms

    def edge_access(self, edge: int) -> dict:
        """The kept accessibility tags of an edge: its way's (``wheelchair``, ``tactile_paving``), and
        per end node that has any, ``{"u": {...}, "v": {...}}``; ``{}`` when none are mapped."""
        ways, nodes = self.access_tags.get("ways", {}), self.access_tags.get("nodes", {})
        found = dict(ways.get(str(int(self.edge_way[edge])), {}))
        for end, node in (("u", self.edge_u[edge]), ("v", self.edge_v[edge])):
            tags = nodes.get(str(int(self.node_osmid[node])))
            if tags:
                found[end] = dict(tags)
        return found

    def edge_highway_str(self, edge: int) -> str:
        """The OSM ``highway`` value of ``edge``."""
        return self.highways[self.edge_highway[edge]]

    def edge_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-edge extent: arrays ``(min_lon, min_lat, max_lon, max_lat)``."""
        if self.n_edges == 0:
            empty = np.zeros(0)
            return empty, empty, empty, empty
        starts = self.geom_offsets[:-1]
        return (np.minimum.reduceat(self.geom_lon, starts), np.minimum.reduceat(self.geom_lat, starts),
                np.maximum.reduceat(self.geom_lon, starts), np.maximum.reduceat(self.geom_lat, starts))

    def edge_lines(self, edges=None) -> np.ndarray:
        """Edge shapes as an array of shapely LineStrings (all edges, or those listed)."""
        import shapely

        edges = np.arange(self.n_edges) if edges is None else np.asarray(edges, dtype=np.int64)
        n_points = np.diff(self.geom_offsets)[edges]
        starts = np.concatenate(([0], np.cumsum(n_points)))
        point_index = np.repeat(self.geom_offsets[edges] - starts[:-1], n_points) + np.arange(starts[-1])
        coords = np.column_stack((self.geom_lon[point_index], self.geom_lat[point_index]))
        return shapely.linestrings(coords, indices=np.repeat(np.arange(edges.size), n_points))

    @property
    def profile_names(self) -> list[str]:
        """The walking profiles this graph can be walked with, ``standard`` first."""
        return ["standard", *[name for name in self.profile_costs if name != "standard"]]

    @property
    def edge_cost(self) -> np.ndarray:
        """Metres of walking per edge under :attr:`profile` (``inf`` impassable; the length for standard)."""
        if self.profile == "standard":
            return self.edge_length
        return self.profile_costs[self.profile].cost

    def for_profile(self, name: str) -> "WalkGraph":
        """This network walked with profile ``name``: the same arrays, the profile's CSR weights.

        Cached: the view (and the spatial indexes and routing matrix it
        builds) is made once per profile.

        Raises
        ------
        ProfileError
            No profile of that name; or a graph saved before walking
            profiles existed (it has the standard profile only -- rebuild it
            from its OSM file).
        """
        from .profiles import ProfileError

        if name == self.profile:
            return self
        base = self.__dict__.get("_base")
        if base is None:  # a view sent to another process loses its base; rebuild the standard CSR
            base = self if self.profile == "standard" else replace(
                self, indptr=None, indices=None, weights=None, slot_edge=None, profile="standard")
        if name == "standard":
            return base
        if name not in base.profile_costs:
            if not base.profile_costs:
                raise ProfileError(f"this network has only the standard walking profile (it was built or saved "
                                   f"before walking profiles existed); rebuild it from its OSM file to walk it "
                                   f"as {name!r}")
            raise ProfileError(f"unknown walking profile {name!r}; this network has {', '.join(base.profile_names)}")
        return base.cached(f"_profile_{name}", lambda g: g._profile_view(name))

    def _profile_view(self, name: str) -> "WalkGraph":
        indptr, indices, weights, slot_edge = _build_csr(self.n_nodes, self.edge_u, self.edge_v,
                                                         self.profile_costs[name].cost)
        if indices.shape != self.indices.shape:  # cannot happen: same pairs, same order
            raise AssertionError("a profile's CSR differs in structure from the standard one")
        view = replace(self, weights=weights, slot_edge=slot_edge, profile=name)
        view.__dict__["_base"] = self
        return view

    def cost_scale(self, edges) -> np.ndarray:
        """Walking metres per metre of length along ``edges`` under :attr:`profile` (``inf`` impassable)."""
        if self.profile == "standard":
            return np.ones(np.shape(edges))
        length = self.edge_length[edges].astype(np.float64)
        cost = self.edge_cost[edges].astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(length > 0, cost / np.where(length > 0, length, 1.0), np.where(cost > 0, np.inf, 1.0))

    @cached_property
    def csgraph(self):
        """The routing view as a ``scipy.sparse.csr_array`` of float64 metres.

        Cached: scipy's shortest-path routines work in float64 and would
        otherwise convert the float32 weights on every call.
        """
        from scipy.sparse import csr_array

        return csr_array((self.weights.astype(np.float64), self.indices, self.indptr),
                         shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def segment_edge(self) -> np.ndarray:
        """For every shape segment (``geom`` point ``i`` to ``i + 1``), its edge id.

        Segments that would join the last point of one edge to the first of
        the next get ``-1``.
        """
        seg_edge = np.repeat(np.arange(self.n_edges, dtype=np.int32), np.diff(self.geom_offsets))[:-1]
        seg_edge = seg_edge.copy()
        seg_edge[self.geom_offsets[1:-1] - 1] = -1
        return seg_edge

    # --------------------------------------------------------------- building
    @classmethod
    def from_polylines(cls, offsets, refs, lon, lat, way_ids=None, name_index=None,
                       highway_index=None, names=None, highways=None, line_factor=None, point_penalty=None,
                       tag_audit=None, access_tags=None, name_translations=None) -> "WalkGraph":
        """Build a graph from street polylines, splitting them where they meet.

        Polyline ``i`` is the run of points ``offsets[i]:offsets[i+1]`` in
        ``refs`` (node ids), ``lon`` and ``lat``. A point becomes a graph node
        if it ends a polyline or if its node id occurs twice or more across
        all polylines (a junction, or a way that crosses itself); the points
        between two graph nodes become the shape of one edge.

        ``way_ids``, ``name_index`` and ``highway_index`` give each polyline's
        OSM way id and its indices into ``names`` and ``highways``.

        Walking profiles: ``line_factor[name]`` multiplies each polyline's
        length (``inf``: impassable) and ``point_penalty[name]`` adds metres
        for passing each point (``inf``: impassable), half on each side of a
        point that ends an edge, so a walk through it pays it once. Profiles
        named in either dict get an :class:`EdgeProfile`. ``access_tags``:
        the accessibility tags kept as attributes (module docstring).
        ``name_translations``: other-language forms of ``names`` (module docstring).
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        refs = np.asarray(refs, dtype=np.int64)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        n_lines = offsets.shape[0] - 1
        way_ids = np.zeros(n_lines, np.int64) if way_ids is None else np.asarray(way_ids, np.int64)
        name_index = np.zeros(n_lines, np.int32) if name_index is None else np.asarray(name_index, np.int32)
        highway_index = np.zeros(n_lines, np.int16) if highway_index is None else np.asarray(highway_index, np.int16)
        names = [""] if names is None else list(names)
        highways = ["footway"] if highways is None else list(highways)

        line_of = np.repeat(np.arange(n_lines), np.diff(offsets))
        # A node repeated back to back (a mapping slip) would make a zero-length edge.
        keep = np.ones(refs.shape[0], dtype=bool)
        keep[1:] = ~((refs[1:] == refs[:-1]) & (line_of[1:] == line_of[:-1]))
        refs, lon, lat, line_of = refs[keep], lon[keep], lat[keep], line_of[keep]
        point_penalty = {k: np.asarray(v, dtype=np.float64)[keep] for k, v in (point_penalty or {}).items()}
        counts_per_line = np.bincount(line_of, minlength=n_lines)
        offsets = np.concatenate(([0], np.cumsum(counts_per_line)))

        is_node = np.zeros(refs.shape[0], dtype=bool)
        if refs.size:
            _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
            is_node = counts[inverse] >= 2
            nonempty = counts_per_line > 0
            is_node[offsets[:-1][nonempty]] = True
            is_node[offsets[1:][nonempty] - 1] = True

        split = np.flatnonzero(is_node)
        same_line = line_of[split[:-1]] == line_of[split[1:]]
        start, end = split[:-1][same_line], split[1:][same_line]
        edge_line = line_of[start]

        seg = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]) if refs.size > 1 else np.zeros(0)
        cumulative = np.concatenate(([0.0], np.cumsum(seg)))
        length = cumulative[end] - cumulative[start]

        n_points = end - start + 1
        geom_offsets = np.concatenate(([0], np.cumsum(n_points)))
        point_index = np.repeat(start - geom_offsets[:-1], n_points) + np.arange(geom_offsets[-1])

        node_osmid, first = np.unique(refs[split], return_index=True)
        u = np.searchsorted(node_osmid, refs[start])
        v = np.searchsorted(node_osmid, refs[end])
        profiles = {}
        for name in dict.fromkeys([*(line_factor or {}), *point_penalty]):  # in the table's order
            factor = np.ones(n_lines) if name not in (line_factor or {}) else np.asarray(line_factor[name], np.float64)
            penalty = point_penalty.get(name, np.zeros(refs.shape[0]))
            profiles[name] = _edge_profile(length, factor[edge_line], penalty, start, end, refs,
                                           way_ids[edge_line])
        graph = cls(
            node_lon=lon[split][first], node_lat=lat[split][first], node_osmid=node_osmid,
            edge_u=u, edge_v=v, edge_length=length, edge_way=way_ids[edge_line],
            edge_name=name_index[edge_line], edge_highway=highway_index[edge_line],
            names=names, highways=highways, geom_offsets=geom_offsets,
            geom_lon=lon[point_index], geom_lat=lat[point_index],
            profile_costs=profiles, tag_audit=dict(tag_audit or {}), access_tags=dict(access_tags or {}),
            name_translations=dict(name_translations or {}),
        )
        return graph.edge_subgraph(~((u == v) & (length == 0.0)))

    def edge_subgraph(self, keep: np.ndarray) -> "WalkGraph":
        """A new graph with only the edges where ``keep`` is true (and their nodes)."""
        keep = np.asarray(keep, dtype=bool)
        if keep.all():
            return self
        edges = np.flatnonzero(keep)
        used = np.zeros(self.n_nodes, dtype=bool)
        used[self.edge_u[edges]] = True
        used[self.edge_v[edges]] = True
        new_id = np.cumsum(used) - 1
        n_points = np.diff(self.geom_offsets)[edges]
        geom_offsets = np.concatenate(([0], np.cumsum(n_points)))
        point_index = np.repeat(self.geom_offsets[edges] - geom_offsets[:-1], n_points) + np.arange(geom_offsets[-1])
        return WalkGraph(
            node_lon=self.node_lon[used], node_lat=self.node_lat[used], node_osmid=self.node_osmid[used],
            edge_u=new_id[self.edge_u[edges]], edge_v=new_id[self.edge_v[edges]],
            edge_length=self.edge_length[edges], edge_way=self.edge_way[edges],
            edge_name=self.edge_name[edges], edge_highway=self.edge_highway[edges],
            names=self.names, highways=self.highways, geom_offsets=geom_offsets,
            geom_lon=self.geom_lon[point_index], geom_lat=self.geom_lat[point_index],
            profile_costs={name: p.take(edges) for name, p in self.profile_costs.items()},
            tag_audit=self.tag_audit, access_tags=_access_kept(self.access_tags, self.edge_way[edges],
                                                              self.node_osmid[used]),
            name_translations=self.name_translations,
        ).for_profile(self.profile)

    def component_labels(self) -> np.ndarray:
        """Connected-component label of every node."""
        from scipy.sparse.csgraph import connected_components

        return connected_components(self.csgraph, directed=False)[1]

    def largest_component(self) -> "WalkGraph":
        """The graph restricted to its largest connected component.

        Fragments cut off from the rest (a courtyard path whose link was
        outside the extract, say) would otherwise capture snapped homes and
        report them as unable to reach anything. :meth:`split_islands` also
        says what was left out.
        """
        return self.split_islands()[0]

    def split_islands(self) -> tuple["WalkGraph", list["Island"]]:
        """The largest connected component, and every other piece as an :class:`Island`.

        Islands are listed longest first. The main piece is the one with the
        most nodes (as in :meth:`largest_component`).
        """
        if self.n_edges == 0:
            return self, []
        labels = self.component_labels()
        biggest = np.bincount(labels).argmax()
        edge_label = labels[self.edge_u]
        length = self.edge_length.astype(np.float64)
        islands = []
        for label in np.unique(edge_label[edge_label != biggest]):
            edges = np.flatnonzero(edge_label == label)
            weight = length[edges]
            # The length-weighted mean of the edges' midpoints (between their ends), in degrees.
            first, last = self.geom_offsets[edges], self.geom_offsets[edges + 1] - 1
            total = float(weight.sum())
            w = weight if total > 0 else np.ones_like(weight)
            islands.append(Island(
                edges=int(edges.size), length_m=total,
                lon=float(np.average((self.geom_lon[first] + self.geom_lon[last]) / 2, weights=w)),
                lat=float(np.average((self.geom_lat[first] + self.geom_lat[last]) / 2, weights=w)),
                way_ids=tuple(int(x) for x in np.unique(self.edge_way[edges])[:5])))
        islands.sort(key=lambda island: -island.length_m)
        return self.edge_subgraph(edge_label == biggest), islands

    # ---------------------------------------------------------------- output
    def to_geojson(self, precision: int = 6) -> dict:
        """The network as a GeoJSON FeatureCollection, one LineString per edge.

        Coordinates are ``[lon, lat]`` rounded to ``precision`` decimals
        (6 decimals is about 0.1 m). Properties: ``name`` (``None`` when
        unnamed), ``name_en`` and ``name_zh`` (its OSM ``name:en`` and
        ``name:zh``, ``None`` when unmapped), ``highway``, ``length_m`` and the
        OSM ``way_id``; and the way's ``wheelchair`` and ``tactile_paving``
        where they are mapped.
        """
        way_access = self.access_tags.get("ways", {})
        # Whole arrays to lists once, and each distinct name's forms once: a sub-district's 1,700
        # streets are its first map layer, written per edge they took 15 ms.
        points = np.column_stack([np.round(self.geom_lon, precision), np.round(self.geom_lat, precision)]).tolist()
        offsets = self.geom_offsets.tolist()
        lengths = np.round(self.edge_length.astype(np.float64), 1).tolist()
        ways = self.edge_way.tolist()
        highways = [self.highways[h] for h in self.edge_highway.tolist()]
        name_of_edge = self.edge_name.tolist()
        name_forms = {}
        for e, i in enumerate(name_of_edge):
            if i not in name_forms:
                name_forms[i] = self.edge_names(e)
        features = [{
            "type": "Feature",
            "id": e,
            "geometry": {"type": "LineString", "coordinates": points[offsets[e]:offsets[e + 1]]},
            "properties": {
                **name_forms[i],
                "highway": highways[e],
                "length_m": lengths[e],
                "way_id": ways[e],
                **way_access.get(str(ways[e]), {}),
            },
        } for e, i in enumerate(name_of_edge)]
        return {"type": "FeatureCollection", "features": features}

    # ------------------------------------------------------------ save / load
    def save(self, path: str | os.PathLike) -> None:
        """Write the graph to ``path`` (an uncompressed ``.npz``), atomically.

        The file is written next to its destination and renamed into place,
        so a reader never sees a half-written graph.
        """
        path = os.fspath(path)
        arrays = {key: getattr(self, key) for key in _DTYPES}
        arrays["names_blob"], arrays["names_offsets"] = _pack_strings(self.names)
        arrays["highways_blob"], arrays["highways_offsets"] = _pack_strings(self.highways)
        arrays["format"] = np.frombuffer(FORMAT.encode(), dtype=np.uint8)
        arrays["profiles_blob"], arrays["profiles_offsets"] = _pack_strings(list(self.profile_costs))
        for i, profile in enumerate(self.profile_costs.values()):
            arrays[f"profile{i}_cost"] = profile.cost
            arrays[f"profile{i}_barrier_kind"] = profile.barrier_kind
            arrays[f"profile{i}_barrier_id"] = profile.barrier_id
        arrays["tag_audit"] = np.frombuffer(json.dumps(self.tag_audit).encode(), dtype=np.uint8)
        arrays["access_tags"] = np.frombuffer(json.dumps(self.access_tags).encode(), dtype=np.uint8)
        arrays["name_languages_blob"], arrays["name_languages_offsets"] = _pack_strings(list(self.name_translations))
        for i, forms in enumerate(self.name_translations.values()):
            arrays[f"names{i}_blob"], arrays[f"names{i}_offsets"] = _pack_strings(forms)
        with atomic_write(path, "wb") as f:
            np.savez(f, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "WalkGraph":
        """Read a graph written by :meth:`save`; raises :class:`GraphFileError` if it can't."""
        path = os.fspath(path)
        if not os.path.exists(path):
            raise GraphFileError("no such file", path)
        try:
            with np.load(path, allow_pickle=False) as data:
                if "format" not in data.files:
                    raise GraphFileError("not a lifecircle walk graph (no format marker)", path)
                found = bytes(data["format"]).decode(errors="replace")
                if found not in _READABLE_FORMATS:
                    raise GraphFileError(f"unsupported graph format {found!r} (expected {FORMAT!r})", path)
                missing = [k for k in (*_DTYPES, "names_blob", "names_offsets") if k not in data.files]
                if missing:
                    raise GraphFileError(f"graph file lacks arrays {', '.join(missing)}", path)
                arrays = {key: data[key] for key in _DTYPES}
                names = _unpack_strings(data["names_blob"], data["names_offsets"])
                highways = _unpack_strings(data["highways_blob"], data["highways_offsets"])
                profiles, tag_audit, access_tags, translations = {}, {}, {}, {}
                if "name_languages_blob" in data.files:  # graphs saved before other languages were kept have none
                    languages = _unpack_strings(data["name_languages_blob"], data["name_languages_offsets"])
                    for i, lang in enumerate(languages):
                        translations[lang] = _unpack_strings(data[f"names{i}_blob"], data[f"names{i}_offsets"])
                if "access_tags" in data.files:  # files saved before the attributes were kept have none
                    access_tags = json.loads(bytes(data["access_tags"]).decode())
                if "profiles_blob" in data.files:
                    for i, name in enumerate(_unpack_strings(data["profiles_blob"], data["profiles_offsets"])):
                        profiles[name] = EdgeProfile(data[f"profile{i}_cost"], data[f"profile{i}_barrier_kind"],
                                                     data[f"profile{i}_barrier_id"])
                    tag_audit = json.loads(bytes(data["tag_audit"]).decode())
        except GraphFileError:
            raise
        except Exception as exc:  # zipfile, OSError, ValueError: all mean "unreadable"
            raise GraphFileError(f"cannot read graph file ({exc})", path) from exc
        _check_consistent(arrays, len(names), len(highways), path)
        if any(len(forms) != len(names) for forms in translations.values()):
            raise GraphFileError("inconsistent graph file: street names in other languages do not match the names",
                                 path)
        if any(p.cost.shape[0] != arrays["edge_u"].shape[0] for p in profiles.values()):
            raise GraphFileError("inconsistent graph file: walking-profile costs do not match the edges", path)
        return cls(**arrays, names=names, highways=highways, profile_costs=profiles, tag_audit=tag_audit,
                   access_tags=access_tags, name_translations=translations)


# ---------------------------------------------------------------------- helpers
def _access_kept(access_tags, way_ids, node_ids) -> dict:
    """``access_tags`` of the ways and nodes still in a subgraph (the others would only take room)."""
    if not access_tags:
        return {}
    kept = {}
    for kind, present in (("ways", way_ids), ("nodes", node_ids)):
        tagged = access_tags.get(kind, {})
        ids = np.fromiter((int(k) for k in tagged), dtype=np.int64, count=len(tagged))
        inside = np.isin(ids, present)  # the tagged objects are few; the graph's ids may be millions
        kept[kind] = {k: v for (k, v), keep in zip(tagged.items(), inside.tolist()) if keep}
    return kept


def _build_csr(n_nodes, u, v, length):
    """Both directions of every non-loop edge, shortest parallel edge only."""
    edge_id = np.arange(u.shape[0], dtype=np.int32)
    real = u != v
    rows = np.concatenate((u[real], v[real]))
    cols = np.concatenate((v[real], u[real]))
    w = np.concatenate((length[real], length[real]))
    slot_edge = np.concatenate((edge_id[real], edge_id[real]))
    order = np.lexsort((w, cols, rows))
    rows, cols, w, slot_edge = rows[order], cols[order], w[order], slot_edge[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, w, slot_edge = rows[first], cols[first], w[first], slot_edge[first]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_nodes), out=indptr[1:])
    if indptr[-1] >= np.iinfo(np.int32).max:
        raise ValueError("graph too large for int32 CSR indices")
    return indptr.astype(np.int32), cols.astype(np.int32), w.astype(np.float32), slot_edge


def _edge_profile(length, factor, penalty, start, end, refs, edge_way) -> EdgeProfile:
    """Per-edge cost of one profile from per-edge factors and per-point penalties (see from_polylines)."""
    blocked = np.isinf(penalty)
    finite = np.where(blocked, 0.0, penalty)
    cumulative = np.concatenate(([0.0], np.cumsum(finite)))
    interior = cumulative[end] - cumulative[start + 1]  # points strictly between start and end
    cost = length * factor + interior + 0.5 * (finite[start] + finite[end])
    cum_blocked = np.concatenate(([0], np.cumsum(blocked)))
    node_blocked = (cum_blocked[end + 1] - cum_blocked[start]) > 0
    way_blocked = np.isinf(factor)
    cost[node_blocked] = np.inf
    kind = np.where(way_blocked, BARRIER_WAY, np.where(node_blocked, BARRIER_NODE, BARRIER_NONE))
    barrier_id = np.zeros(length.shape[0], dtype=np.int64)
    nodes = np.flatnonzero(node_blocked & ~way_blocked)
    if nodes.size:  # the first blocking point of each such edge
        blocked_at = np.flatnonzero(blocked)
        barrier_id[nodes] = refs[blocked_at[np.searchsorted(blocked_at, start[nodes])]]
    return EdgeProfile(np.maximum(cost, length), kind, barrier_id)


def _pack_strings(strings):
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


def _unpack_strings(blob, offsets):
    raw = bytes(blob)
    return [raw[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]


def _check_consistent(arrays, n_names, n_highways, path):
    """Reject a file whose arrays don't describe one graph (hand-edited, mixed up)."""
    n_nodes = arrays["node_lon"].shape[0]
    n_edges = arrays["edge_u"].shape[0]
    problems = []
    if not (arrays["node_lat"].shape[0] == arrays["node_osmid"].shape[0] == n_nodes):
        problems.append("node arrays differ in length")
    if any(arrays[k].shape[0] != n_edges for k in _EDGE_ARRAYS):
        problems.append("edge arrays differ in length")
    if arrays["geom_offsets"].shape[0] != n_edges + 1 or (
            n_edges and arrays["geom_offsets"][-1] != arrays["geom_lon"].shape[0]):
        problems.append("edge shapes do not match the edges")
    if arrays["indptr"].shape[0] != n_nodes + 1 or arrays["indptr"][-1] != arrays["indices"].shape[0]:
        problems.append("CSR arrays do not match the nodes")
    if n_edges and (max(arrays["edge_u"].max(), arrays["edge_v"].max()) >= n_nodes
                    or min(arrays["edge_u"].min(), arrays["edge_v"].min()) < 0):
        problems.append("edges refer to nodes that do not exist")
    if arrays["indices"].size and (arrays["indices"].max() >= n_nodes or arrays["indices"].min() < 0):
        problems.append("CSR refers to nodes that do not exist")
    if n_edges and (arrays["edge_name"].max() >= n_names or arrays["edge_highway"].max() >= n_highways):
        problems.append("edge names or highway values out of range")
    if problems:
        raise GraphFileError("inconsistent graph file: " + "; ".join(problems), path)
