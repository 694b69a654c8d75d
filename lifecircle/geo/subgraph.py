"""Bounded walks on small pieces of a big graph.

scipy's Dijkstra costs time proportional to the whole graph it is given,
even with a distance ``limit`` (it allocates and scans one row per node).
A 900 m walk in a million-node city touches a few hundred nodes, so
searching the whole city for it wastes 99.9 % of the work.

A walk of length ``d`` from a point never leaves the disc of radius ``d``
around it (no path is shorter than the straight line). So
:class:`LocalSearch` buckets nodes into square cells once, and for each
search cuts out just the cells within reach, builds that subgraph's CSR,
and runs Dijkstra there: the answer is identical, the cost is local.

Walks start from *virtual sources*: extra nodes joined to the two ends of
a snapped point's edge by the point's legs (off-street distance plus the
distance along the edge), so a search starts exactly at the point.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from .distance import METRES_PER_DEGREE
from .graph import WalkGraph


class Buckets:
    """Items grouped by integer cell id, for fast "all items in these cells"."""

    def __init__(self, cell: np.ndarray, n_cells: int):
        self.order = np.argsort(cell, kind="stable")
        self.start = np.searchsorted(cell[self.order], np.arange(n_cells + 1))

    def members(self, cells: np.ndarray) -> np.ndarray:
        lo, hi = self.start[cells], self.start[cells + 1]
        size = hi - lo
        return self.order[ranges(lo, size)]


class CellGrid:
    """A grid of square cells (``cell_m`` on a side) over a graph's extent."""

    def __init__(self, graph: WalkGraph, cell_m: float):
        self.lon0, self.lat0 = float(graph.geom_lon.min()), float(graph.geom_lat.min())
        lat1 = float(graph.geom_lat.max())
        self.dlat = cell_m / METRES_PER_DEGREE
        self.dlon = cell_m / (METRES_PER_DEGREE * np.cos(np.radians((self.lat0 + lat1) / 2.0)))
        self.nx = int((float(graph.geom_lon.max()) - self.lon0) / self.dlon) + 1
        self.ny = int((lat1 - self.lat0) / self.dlat) + 1
        # Degrees per metre, generous enough for any latitude in the data (+1 % for the sphere).
        max_abs_lat = max(abs(self.lat0), abs(lat1)) + 0.5
        self.deg_lat_per_m = 1.01 / METRES_PER_DEGREE
        self.deg_lon_per_m = 1.01 / (METRES_PER_DEGREE * max(np.cos(np.radians(min(max_abs_lat, 89.9))), 1e-6))

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    def cell_of(self, lon, lat) -> np.ndarray:
        cx = np.clip(((np.asarray(lon) - self.lon0) / self.dlon).astype(np.int64), 0, self.nx - 1)
        cy = np.clip(((np.asarray(lat) - self.lat0) / self.dlat).astype(np.int64), 0, self.ny - 1)
        return cx * self.ny + cy

    def cells_within(self, lon, lat, reach_m: float) -> np.ndarray:
        """Cells that hold any point within ``reach_m`` metres of the given points."""
        lon, lat = np.atleast_1d(lon), np.atleast_1d(lat)
        rx, ry = reach_m * self.deg_lon_per_m, reach_m * self.deg_lat_per_m
        x0 = max(int(np.floor((lon.min() - rx - self.lon0) / self.dlon)), 0)
        x1 = min(int(np.floor((lon.max() + rx - self.lon0) / self.dlon)), self.nx - 1)
        y0 = max(int(np.floor((lat.min() - ry - self.lat0) / self.dlat)), 0)
        y1 = min(int(np.floor((lat.max() + ry - self.lat0) / self.dlat)), self.ny - 1)
        if x0 > x1 or y0 > y1:
            return np.zeros(0, dtype=np.int64)
        return (np.arange(x0, x1 + 1)[:, None] * self.ny + np.arange(y0, y1 + 1)[None, :]).ravel()


class LocalSearch:
    """Bounded Dijkstra from snapped points, run on the cells within reach only.

    Safe to share between threads (a web server's request threads): the
    scratch array that maps graph ids to subgraph ids is per thread.
    """

    def __init__(self, graph: WalkGraph, cell_m: float = 250.0):
        self.graph = graph
        self.grid = CellGrid(graph, cell_m)
        self.node_cells = Buckets(self.grid.cell_of(graph.node_lon, graph.node_lat), self.grid.n_cells)
        self.base = graph.csgraph
        self._scratch = threading.local()

    @property
    def local(self) -> np.ndarray:
        """This thread's scratch map from graph node id to subgraph id (-1 = not in it)."""
        local = getattr(self._scratch, "local", None)
        if local is None:
            local = self._scratch.local = np.full(self.graph.n_nodes, -1, dtype=np.int64)
        return local

    @classmethod
    def for_graph(cls, graph: WalkGraph) -> "LocalSearch":
        """The cached instance for ``graph`` (built on first use)."""
        return graph.cached("_local_search", cls)

    def search(self, cells, u, v, leg_u, leg_v, limit: float, locate=()):
        """Walk from ``k`` sources over the nodes of ``cells``.

        Source ``i`` joins node ``u[i]`` at ``leg_u[i]`` metres and ``v[i]``
        at ``leg_v[i]``. Returns ``(nodes, dist, located)``:

        * ``nodes`` -- global ids of the subgraph's nodes (every node of the
          graph when the cells hold more than half of them);
        * ``dist`` -- ``(k, len(nodes) + 1)`` walking metres, ``inf`` beyond
          ``limit``; the last column is always ``inf``, so indexing it with a
          local id of ``-1`` reads as unreachable;
        * ``located`` -- for each array of global node ids in ``locate``,
          their local ids (``-1`` outside the subgraph).
        """
        nodes = self.node_cells.members(cells)
        if 2 * nodes.size > self.graph.n_nodes:
            # Most of the graph is within reach (a sub-district's network walked 1 km, as a city's
            # map clicks are): the whole CSR with the sources added costs less than cutting that
            # much out, 0.25 ms against 0.4 on a 1,083-node network, and the walk is the same, as
            # nothing outside the cells is within the limit.
            nodes = np.arange(self.graph.n_nodes)
            lu, lv = np.asarray(u, np.int64), np.asarray(v, np.int64)
            located = [np.asarray(ids, np.int64) for ids in locate]
            sub = self._whole_graph(lu, lv, np.asarray(leg_u, float), np.asarray(leg_v, float))
        else:
            local = self.local
            local[nodes] = np.arange(nodes.size)
            try:
                lu, lv = local[np.asarray(u)], local[np.asarray(v)]
                located = [local[np.asarray(ids)] for ids in locate]
                sub = self._subgraph(nodes, lu, lv, np.asarray(leg_u, float), np.asarray(leg_v, float))
            finally:
                local[nodes] = -1
        k = lu.size
        dist = dijkstra(sub, directed=True, indices=nodes.size + np.arange(k), limit=limit)
        dist = dist[:, : nodes.size + 1]
        dist[:, nodes.size] = np.inf
        return nodes, dist, located

    def _subgraph(self, nodes, lu, lv, leg_u, leg_v):
        """CSR of the graph induced by ``nodes`` plus one virtual source per leg pair."""
        base, local = self.base, self.local
        starts = base.indptr[nodes]
        degree = base.indptr[nodes + 1] - starts
        slot = ranges(starts, degree)
        target = local[base.indices[slot]]
        inside = target >= 0
        row = np.repeat(np.arange(nodes.size), degree)[inside]
        vptr, vcol, vval = _sources(lu, lv, leg_u, leg_v)
        k = lu.size
        indptr = np.zeros(nodes.size + k + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=nodes.size), out=indptr[1:nodes.size + 1])
        indptr[nodes.size + 1:] = indptr[nodes.size] + vptr[1:]
        n = nodes.size + k
        # int32 indices, as scipy's Dijkstra wants: anything else is converted on every call.
        return csr_array((np.concatenate((base.data[slot][inside], vval)),
                          np.concatenate((target[inside], vcol)).astype(np.int32),
                          indptr.astype(np.int32)), shape=(n, n))

    def _whole_graph(self, lu, lv, leg_u, leg_v):
        """CSR of the whole graph plus one virtual source per leg pair."""
        base = self.base
        vptr, vcol, vval = _sources(lu, lv, leg_u, leg_v)
        n = self.graph.n_nodes + lu.size
        return csr_array((np.concatenate((base.data, vval)), np.concatenate((base.indices, vcol)).astype(np.int32),
                          np.concatenate((base.indptr, base.indptr[-1] + vptr[1:])).astype(np.int32)), shape=(n, n))


def _sources(lu, lv, leg_u, leg_v):
    """CSR parts ``(indptr, indices, data)`` of one virtual source row per leg pair, joined to the
    nodes ``lu`` and ``lv`` (those not ``-1``), the shorter leg where both are one node."""
    k = lu.size
    v_rows = np.concatenate((np.arange(k), np.arange(k)))
    v_cols = np.concatenate((lu, lv))
    v_legs = np.concatenate((leg_u, leg_v))
    keep = v_cols >= 0
    return min_entries(v_rows[keep], v_cols[keep], v_legs[keep], k)


def min_entries(rows, cols, values, n_rows):
    """CSR parts ``(indptr, indices, data)`` keeping the smallest value per (row, col).

    scipy would *sum* duplicate entries; of two legs to the same node only
    the shorter one matters.
    """
    rows, cols, values = np.asarray(rows, np.int64), np.asarray(cols, np.int64), np.asarray(values, np.float64)
    order = np.lexsort((values, cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, values = rows[first], cols[first], values[first]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr, cols, values


def ranges(starts, sizes) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for each start ``s`` and size ``n``."""
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.repeat(np.asarray(starts, np.int64) - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
