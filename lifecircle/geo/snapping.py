"""Attach points (homes, facilities, a clicked map position) to the street network.

A point is attached to the *nearest point on the nearest edge*, not to the
nearest node: a clinic halfway along a 300 m block is 150 m from either
corner, and snapping it to a corner would be off by that much.

Each snapped point carries what an exact walking distance needs:

* ``edge``, ``u``, ``v`` -- the edge and its two end nodes;
* ``dist_u``, ``dist_v`` -- metres along the edge from the attachment point
  to ``u`` and to ``v`` (they add up to the edge length);
* ``offset_m`` -- the straight off-street leg from the point to the street,
  which is part of the walk.

On a graph walked with a profile (:meth:`WalkGraph.for_profile`), points
attach only to edges the profile can pass, and ``dist_u``/``dist_v`` are
walking metres of that profile (the length scaled by the edge's cost).

How the nearest edge is found: every edge segment is sampled at most
``sample_spacing_m`` apart into a :class:`scipy.spatial.cKDTree`. If the
nearest sample is ``r`` away, the nearest segment is at most ``r`` away, and
its closest point lies within half a spacing of one of its samples, so every
segment that can win has a sample within ``r + spacing / 2``. Those
candidates are then measured exactly (projection onto the segment, in a
projection centred on the query point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distance import METRES_PER_DEGREE, LocalProjection, haversine_m
from .errors import SnapError
from .graph import WalkGraph

#: Points farther than this from every walkable street are reported, not snapped.
DEFAULT_MAX_SNAP_M = 300.0

_CHUNK = 100_000


@dataclass(eq=False)
class SnapResult:
    """Where each input point joins the network.

    Arrays have one entry per input point. Points that could not be snapped
    (farther than ``max_snap_m`` from any street) have ``edge == -1``,
    ``u == v == -1`` and NaN distances; they are listed in ``far_index`` with
    their distance to the nearest street in ``far_distance_m``.
    """

    edge: np.ndarray
    u: np.ndarray
    v: np.ndarray
    dist_u: np.ndarray
    dist_v: np.ndarray
    offset_m: np.ndarray
    street_lon: np.ndarray
    street_lat: np.ndarray
    far_index: np.ndarray
    far_distance_m: np.ndarray
    max_snap_m: float

    def __len__(self) -> int:
        return int(self.edge.shape[0])

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of the points that were snapped."""
        return self.edge >= 0

    def far_report(self) -> list[dict]:
        """The unsnapped points as ``[{"index": i, "distance_m": d}, ...]``."""
        return [{"index": int(i), "distance_m": float(d)}
                for i, d in zip(self.far_index, self.far_distance_m)]

    def take(self, index) -> "SnapResult":
        """The snap results of a subset of the points (far-report indices renumbered)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        position = np.full(len(self), -1, dtype=np.int64)
        position[index] = np.arange(index.size)
        keep = position[self.far_index] >= 0
        return SnapResult(self.edge[index], self.u[index], self.v[index], self.dist_u[index],
                          self.dist_v[index], self.offset_m[index], self.street_lon[index],
                          self.street_lat[index], position[self.far_index[keep]],
                          self.far_distance_m[keep], self.max_snap_m)


class SegmentIndex:
    """A spatial index over the edge segments of one graph (built once, reused).

    Use :meth:`for_graph` to get the cached index of a graph.
    """

    def __init__(self, graph: WalkGraph, sample_spacing_m: float = 60.0):
        from scipy.spatial import cKDTree

        if graph.n_edges == 0:
            raise SnapError("the street graph is empty")
        self.graph = graph
        self.spacing = float(sample_spacing_m)
        seg_edge = graph.segment_edge
        passable = np.isfinite(graph.edge_cost)
        if not passable.any():
            raise SnapError(f"no street of the network can be walked with the {graph.profile!r} profile")
        # index of each segment's first point; a profile's impassable edges take no points
        self.segments = np.flatnonzero((seg_edge >= 0) & passable[np.maximum(seg_edge, 0)])
        self.segment_edge = seg_edge[self.segments]
        a = self.segments
        lon, lat = graph.geom_lon, graph.geom_lat
        self.segment_length = haversine_m(lon[a], lat[a], lon[a + 1], lat[a + 1])
        # Metres from the edge's u end to each segment's start, measured like edge_length.
        cumulative = np.concatenate(([0.0], np.cumsum(self.segment_length)))
        self.along_start = cumulative[:-1] - cumulative[np.searchsorted(self.segment_edge, self.segment_edge)]
        del cumulative

        # Samples every <= spacing metres along each segment, in a projection
        # of the whole graph (its small distortion is allowed for in `nearest`).
        self.projection = LocalProjection.around(lon, lat)
        ax, ay = self.projection.forward(lon[a], lat[a])
        bx, by = self.projection.forward(lon[a + 1], lat[a + 1])
        bx -= ax
        by -= ay
        n_samples = np.maximum(1, np.ceil(np.hypot(bx, by) / self.spacing)).astype(np.int32)
        owner = np.repeat(np.arange(a.size, dtype=np.int32), n_samples)
        first = np.cumsum(n_samples) - n_samples
        fraction = (np.arange(owner.size, dtype=np.float64) - first[owner] + 0.5) / n_samples[owner]
        del first
        samples = np.empty((owner.size, 2))
        samples[:, 0] = ax[owner] + fraction * bx[owner]
        samples[:, 1] = ay[owner] + fraction * by[owner]
        del ax, ay, bx, by, fraction
        self.sample_segment = owner
        self.tree = cKDTree(samples, balanced_tree=False, compact_nodes=False, copy_data=False)
        # The index projection stretches distances by up to this factor across the data.
        lat_span = np.radians(np.abs(lat - self.projection.lat0).max())
        self.distortion = 1.0 + 2.0 * lat_span * np.tan(np.radians(np.abs(lat).max())) + 1e-6

    @classmethod
    def for_graph(cls, graph: WalkGraph) -> "SegmentIndex":
        """The cached index of ``graph`` (built on first use)."""
        return graph.cached("_segment_index", cls)

    def nearest(self, lon, lat, k: int = 12):
        """For each point: nearest segment (position in ``self.segments``), fraction along it, distance in metres."""
        qx, qy = self.projection.forward(lon, lat)
        queries = np.column_stack((qx, qy))
        n = queries.shape[0]
        best_seg = np.zeros(n, dtype=np.int64)
        best_t = np.zeros(n)
        best_d = np.full(n, np.inf)
        todo = np.arange(n)
        k = min(k, self.tree.n)
        while todo.size:
            dist, idx = self.tree.query(queries[todo], k=k)
            dist, idx = dist.reshape(todo.size, k), idx.reshape(todo.size, k)
            seg = self.sample_segment[idx]
            t, d = self._project(seg, lon[todo], lat[todo])
            pick = np.argmin(d, axis=1)
            rows = np.arange(todo.size)
            best_seg[todo] = seg[rows, pick]
            best_t[todo] = t[rows, pick]
            best_d[todo] = d[rows, pick]
            # If the k-th sample is still within reach of a closer segment, look further.
            reach = (best_d[todo] + self.spacing / 2) * self.distortion + 0.01
            unsure = (dist[:, -1] <= reach) & (k < self.tree.n)
            todo = todo[unsure]
            k = min(k * 4, self.tree.n)
        return best_seg, best_t, best_d

    def _project(self, seg, lon, lat):
        """Exact distance from each point to each of its candidate segments.

        Works in an equirectangular projection centred on each query point,
        which is exact to first order at street scale anywhere on Earth.
        """
        g = self.graph
        a = self.segments[seg]
        kx = METRES_PER_DEGREE * np.cos(np.radians(lat))[:, None]
        ax = (g.geom_lon[a] - lon[:, None]) * kx
        ay = (g.geom_lat[a] - lat[:, None]) * METRES_PER_DEGREE
        bx = (g.geom_lon[a + 1] - lon[:, None]) * kx
        by = (g.geom_lat[a + 1] - lat[:, None]) * METRES_PER_DEGREE
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        return t, np.hypot(ax + t * dx, ay + t * dy)


def snap_points(graph: WalkGraph, lon, lat, max_snap_m: float = DEFAULT_MAX_SNAP_M,
                source: str | None = None) -> SnapResult:
    """Attach points to the nearest point of the nearest edge of ``graph``.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees (array-likes of equal length).
    max_snap_m
        Points farther than this from every edge are not snapped; they are
        reported in ``far_index`` / ``far_distance_m``.
    source
        Name of the input (a file path) used in error messages.

    Raises
    ------
    SnapError
        Coordinates that are not finite numbers in lon/lat range, or arrays
        of different lengths.
    """
    lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    _check_coordinates(lon, lat, source)
    n = lon.shape[0]
    if n == 0:
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        return SnapResult(empty_i, empty_i, empty_i, empty_f, empty_f, empty_f, empty_f, empty_f,
                          np.zeros(0, np.int64), empty_f, float(max_snap_m))
    index = SegmentIndex.for_graph(graph)
    # In chunks: each query point holds a few dozen candidates in flight.
    parts = [index.nearest(lon[i:i + _CHUNK], lat[i:i + _CHUNK]) for i in range(0, n, _CHUNK)]
    seg, t, dist = (np.concatenate(p) for p in zip(*parts))
    edge = index.segment_edge[seg].astype(np.int32)
    along = index.along_start[seg] + t * index.segment_length[seg]
    length = graph.edge_length[edge].astype(np.float64)
    scale = graph.cost_scale(edge)
    dist_u = np.minimum(along, length) * scale
    dist_v = np.maximum(length - along, 0.0) * scale
    a = index.segments[seg]
    street_lon = graph.geom_lon[a] + t * (graph.geom_lon[a + 1] - graph.geom_lon[a])
    street_lat = graph.geom_lat[a] + t * (graph.geom_lat[a + 1] - graph.geom_lat[a])

    far = dist > max_snap_m
    far_index = np.flatnonzero(far)
    far_distance = dist[far]
    edge[far] = -1
    u, v = graph.edge_u[edge].copy(), graph.edge_v[edge].copy()
    u[far] = v[far] = -1
    for arr in (dist_u, dist_v, dist, street_lon, street_lat):
        arr[far] = np.nan
    return SnapResult(edge, u, v, dist_u, dist_v, dist, street_lon, street_lat,
                      far_index, far_distance, float(max_snap_m))


def snap_nodes(graph: WalkGraph, nodes=None) -> SnapResult:
    """Treat graph nodes themselves as points already on the network.

    Each node is attached at the ``u`` end of one incident edge, with no
    off-street leg: a walk from it is the same as a walk from the node.
    """
    nodes = np.arange(graph.n_nodes) if nodes is None else np.asarray(nodes, dtype=np.int64)
    # Any incident edge will do; pick each node's first as u, else as v, passable ones last so they win.
    incident = np.full(graph.n_nodes, -1, dtype=np.int64)
    passable = np.isfinite(graph.edge_cost)
    for chosen in (~passable, passable):
        ids = np.flatnonzero(chosen)[::-1]
        incident[graph.edge_v[ids]] = ids
        incident[graph.edge_u[ids]] = ids
    edge = incident[nodes]
    at_u = graph.edge_u[edge] == nodes
    cost = graph.edge_cost[edge].astype(np.float64)
    dist_u = np.where(at_u, 0.0, cost)
    dist_v = np.where(at_u, cost, 0.0)
    zeros = np.zeros(nodes.size)
    return SnapResult(edge.astype(np.int32), graph.edge_u[edge].copy(), graph.edge_v[edge].copy(),
                      dist_u, dist_v, zeros, graph.node_lon[nodes], graph.node_lat[nodes],
                      np.zeros(0, np.int64), np.zeros(0), 0.0)


def street_names(graph: WalkGraph, lon, lat, language: str | None = None,
                 max_snap_m: float = DEFAULT_MAX_SNAP_M) -> list[str | None]:
    """The name of the street each point is on, in ``language`` where the network has it.

    A point on an unnamed path is named by a named street meeting that path at either end (a
    site or a door on a lane is found from the street the lane opens onto).

    Parameters
    ----------
    graph
        The walking network.
    lon, lat
        The points (WGS84 degrees).
    language
        As :meth:`WalkGraph.edge_name_str`: "en", "zh-hans", ...; ``None`` gives OSM ``name``.
    max_snap_m
        Points farther than this from every street get ``None``.

    Returns
    -------
    list
        One name per point; ``None`` where the point is off the network or no street there has a
        name (names are only as complete as the OSM extract).
    """
    snap = snap_points(graph, lon, lat, max_snap_m=max_snap_m)
    names = []
    for ok, edge, u, v in zip(snap.ok, snap.edge, snap.u, snap.v):
        name = graph.edge_name_str(int(edge), language) if ok else None
        for node in (int(u), int(v)) if ok and not name else ():
            slots = range(graph.indptr[node], graph.indptr[node + 1])
            name = next(filter(None, (graph.edge_name_str(int(graph.slot_edge[s]), language) for s in slots)), None)
            if name:
                break
        names.append(name)
    return names


def _check_coordinates(lon, lat, source):
    if lon.shape != lat.shape or lon.ndim != 1:
        raise SnapError(f"longitude and latitude arrays differ in shape ({lon.shape} vs {lat.shape})", source)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(f"#{i} ({lon[i]}, {lat[i]})" for i in rows[:5])
        more = f" and {rows.size - 5} more" if rows.size > 5 else ""
        raise SnapError(f"{rows.size} point(s) have coordinates that are not lon/lat degrees: {shown}{more}",
                        source)
