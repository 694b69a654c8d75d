"""Walking access from many origins to facilities of many categories.

Two questions, both answered with exact network distances in metres:

* **How far is the nearest facility of each category?**
  (:func:`nearest_facilities`)
* **How many facilities of each category -- and how much capacity -- lie
  within each walking distance** (e.g. the 5/10/15-minute thresholds)?
  (:func:`facilities_within`)

:func:`accessibility` answers both at once.

Exact means the walk is the off-street leg from the origin to its street,
along the street to an end of its edge, through the network, along the
facility's edge and the facility's own off-street leg -- or, when origin
and facility share an edge, straight along it, whichever is shorter.

How it is fast at city scale (1,000,000 nodes, 10,000 facilities):

* Nearest: one Dijkstra per category from a *virtual source* joined to
  every facility's edge ends by its leg lengths. scipy's C Dijkstra
  covers a million nodes in ~0.15 s. When the nearest only matters up to
  the largest threshold, it falls out of the counting searches for free.
* Within distance: a Dijkstra bounded at the largest threshold from every
  facility. Each search runs on a small subgraph cut out around the
  facility's tile, because scipy's cost per search is proportional to the
  whole graph it is handed; a walk of length ``T`` never leaves a disc of
  radius ``T`` around its start, so the cut loses nothing. Counts are then
  added to the origins the searches reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from .graph import WalkGraph
from .snapping import SnapResult, snap_nodes
from .subgraph import Buckets, LocalSearch, min_entries
from .walking import DEFAULT_PROFILE, metres_to_minutes


@dataclass(eq=False)
class AccessibilityResult:
    """Per origin and category: nearest distance, and counts within thresholds.

    Attributes
    ----------
    categories
        Category labels; column ``c`` of every array is ``categories[c]``.
    thresholds_m
        Distances (metres, ascending) that ``count`` and ``capacity`` use.
    nearest_m
        ``(n_origins, n_categories)`` metres to the nearest facility; ``inf``
        if none is reachable (within ``max_distance_m`` if one was given),
        ``nan`` for origins that could not be snapped.
    count
        ``(n_origins, n_categories, n_thresholds)`` facilities within each
        threshold.
    capacity
        Same shape, total capacity within each threshold (``None`` if no
        capacity was given).
    origin_ok
        Which origins were snapped to the network.
    """

    categories: list[str]
    thresholds_m: np.ndarray
    nearest_m: np.ndarray
    count: np.ndarray | None
    capacity: np.ndarray | None
    origin_ok: np.ndarray

    def nearest_minutes(self, profile: str | float = DEFAULT_PROFILE) -> np.ndarray:
        """``nearest_m`` as walking minutes (see :mod:`lifecircle.geo.walking`)."""
        return metres_to_minutes(self.nearest_m, profile)


@dataclass(eq=False)
class Facilities:
    """Snapped facilities that made it onto the network, with category codes.

    Public so that other searches over facilities (the origin-destination
    matrix of :mod:`lifecircle.geo.odmatrix`) share one preparation.

    Attributes
    ----------
    snap
        The snapped facilities that reached the network (``SnapResult.take``).
    code
        Category index of each, into ``categories``.
    capacity
        Capacity of each (places, beds ...), or ``None`` when not weighted.
    categories
        Category labels, in the order ``code`` counts them.
    """

    snap: SnapResult
    code: np.ndarray
    capacity: np.ndarray | None
    categories: list[str]

    @classmethod
    def prepare(cls, facilities: SnapResult, categories, capacity=None, category_names=None):
        """Keep the facilities that snapped, and code their categories.

        Parameters
        ----------
        facilities
            Snapped facilities; those off the network are dropped here (they
            are in ``facilities.far_index``).
        categories
            One label per facility.
        capacity
            Optional finite capacity per facility.
        category_names
            Optional fixed order of every category (a report's columns); each
            facility's label must be in it.

        Raises
        ------
        ValueError
            When the labels or capacities do not match the facilities, or a
            label is not in ``category_names``.
        """
        labels = np.asarray(categories).astype(str)
        if labels.shape != (len(facilities),):
            raise ValueError(f"got {labels.shape[0] if labels.ndim else 1} category labels for "
                             f"{len(facilities)} facilities")
        names, code = np.unique(labels, return_inverse=True)
        names = [str(n) for n in names]
        if category_names is not None:  # a fixed column order, e.g. every category of a report
            category_names = [str(n) for n in category_names]
            missing = sorted(set(names) - set(category_names))
            if missing:
                raise ValueError(f"facility categories {missing} are not in category_names")
            code = np.array([category_names.index(n) for n in names], dtype=np.int64)[code]
            names = category_names
        if capacity is not None:
            capacity = np.asarray(capacity, dtype=np.float64)
            if capacity.shape != (len(facilities),):
                raise ValueError(f"got {capacity.size} capacities for {len(facilities)} facilities")
            if not np.isfinite(capacity).all():
                raise ValueError("facility capacities must be finite numbers")
        ok = facilities.ok
        return cls(facilities.take(ok), code[ok], None if capacity is None else capacity[ok], names)


def accessibility(graph: WalkGraph, origins: SnapResult | None, facilities: SnapResult, categories,
                  thresholds_m=(300.0, 600.0, 900.0), capacity=None, max_distance_m: float | None = None,
                  category_names=None, progress: bool = False) -> AccessibilityResult:
    """Nearest distance and counts within thresholds, per origin and category.

    Parameters
    ----------
    graph
        The walking network.
    origins
        Snapped origins (:func:`~lifecircle.geo.snapping.snap_points`), or
        ``None`` for every graph node.
    facilities
        Snapped facilities; those that could not be snapped are ignored
        (they are in ``facilities.far_index``).
    categories
        One label per facility.
    thresholds_m
        Walking distances to count within (see :mod:`lifecircle.geo.walking`
        to get them from minutes).
    capacity
        Optional number per facility (beds, places) to total within thresholds.
    max_distance_m
        Stop nearest-facility searches here (``inf`` beyond); default
        unbounded. At or below the largest threshold it costs nothing extra:
        the nearest comes out of the searches that count.
    category_names
        Optional fixed list of categories (columns), so categories with no
        facility still get a column.
    """
    origins = snap_nodes(graph) if origins is None else origins
    fac = Facilities.prepare(facilities, categories, capacity, category_names)
    thresholds = _check_thresholds(thresholds_m)
    if max_distance_m is not None and max_distance_m <= thresholds[-1]:
        # The bounded searches for the counts already see every facility this
        # close: take the nearest from them instead of searching again.
        nearest = np.full((len(origins), len(fac.categories)), np.inf)
        nearest[~origins.ok] = np.nan
        count, cap = _count_within(graph, origins, fac, thresholds, None, progress, nearest)
        nearest[nearest > max_distance_m] = np.inf
    else:
        nearest = nearest_facilities(graph, origins, fac, max_distance_m=max_distance_m, progress=progress)
        count, cap = _count_within(graph, origins, fac, thresholds, None, progress)
    return AccessibilityResult(fac.categories, thresholds, nearest, count, cap, origins.ok.copy())


def nearest_facilities(graph: WalkGraph, origins: SnapResult, facilities, categories=None,
                       max_distance_m: float | None = None, progress: bool = False) -> np.ndarray:
    """Metres from each origin to the nearest facility of each category.

    ``facilities`` is a :class:`SnapResult` with ``categories`` labels (or
    the internal prepared form). Returns ``(n_origins, n_categories)`` with
    categories in sorted label order; ``inf`` where none is reachable,
    ``nan`` for unsnapped origins.
    """
    fac = facilities if isinstance(facilities, Facilities) else Facilities.prepare(facilities, categories)
    n_nodes, n_cat = graph.n_nodes, len(fac.categories)
    limit = np.inf if max_distance_m is None else float(max_distance_m)
    base = graph.csgraph
    # One virtual source per category, with edges to its facilities' edge ends.
    f = fac.snap
    rows = np.concatenate((fac.code, fac.code))
    cols = np.concatenate((f.u, f.v)).astype(np.int64)
    legs = np.concatenate((f.offset_m + f.dist_u, f.offset_m + f.dist_v))
    vptr, vcol, vval = min_entries(rows, cols, legs, n_cat)
    # int32 indices, as scipy's Dijkstra wants: anything else is converted on every call.
    graph_aug = csr_array(
        (np.concatenate((base.data, vval)),
         np.concatenate((base.indices, vcol)).astype(np.int32),
         np.concatenate((base.indptr, vptr[1:] + base.indptr[-1])).astype(np.int32)),
        shape=(n_nodes + n_cat, n_nodes + n_cat))

    ok = origins.ok
    a, b = origins.u[ok], origins.v[ok]
    du, dv, off = origins.dist_u[ok], origins.dist_v[ok], origins.offset_m[ok]
    nearest = np.full((len(origins), n_cat), np.nan)
    columns = range(n_cat)
    if progress:
        from tqdm import tqdm

        columns = tqdm(columns, desc="nearest facility", unit=" category")
    for c in columns:
        if not (fac.code == c).any():
            nearest[ok, c] = np.inf
            continue
        d = dijkstra(graph_aug, directed=True, indices=n_nodes + c, limit=limit)
        nearest[ok, c] = off + np.minimum(du + d[a], dv + d[b])
    # A facility on the origin's own edge can be reached without an end node.
    o, j = _same_edge_pairs(origins.edge, f.edge)
    if o.size:
        direct = (origins.offset_m[o] + f.offset_m[j] + np.abs(origins.dist_u[o] - f.dist_u[j]))
        direct[direct > limit] = np.inf
        np.minimum.at(nearest, (o, fac.code[j]), direct)
    if limit < np.inf:
        nearest[nearest > limit] = np.inf
    return nearest


def facilities_within(graph: WalkGraph, origins: SnapResult, facilities, thresholds_m, categories=None,
                      capacity=None, tile_m: float | None = None, progress: bool = False):
    """Count (and total capacity of) facilities within each threshold of each origin.

    Returns ``(count, capacity)``: arrays of shape ``(n_origins,
    n_categories, n_thresholds)``; ``capacity`` is ``None`` when the
    facilities have none. Capacity totals are float32 (exact for whole
    numbers up to 16 million), which keeps a city-wide result small.
    ``tile_m`` is the side of the squares facilities are grouped in to share
    one subgraph (default: three times the largest threshold); it changes speed,
    never results.
    """
    fac = (facilities if isinstance(facilities, Facilities)
           else Facilities.prepare(facilities, categories, capacity))
    return _count_within(graph, origins, fac, _check_thresholds(thresholds_m), tile_m, progress)


def _count_within(graph, origins, fac, thresholds, tile_m, progress, nearest=None):
    """The work of :func:`facilities_within`; also lowers ``nearest[o, c]`` to
    the closest category-``c`` facility within the largest threshold, if given."""
    n_cat, n_thr = len(fac.categories), thresholds.size
    count = np.zeros((len(origins), n_cat, n_thr), dtype=np.int32)
    cap = None if fac.capacity is None else np.zeros((len(origins), n_cat, n_thr), dtype=np.float32)
    if len(fac.snap) == 0 or len(origins) == 0:
        return count, cap
    reach = float(thresholds[-1])
    tiles = FacilityTiles(graph, origins, fac, reach, group_m=tile_m or 3.0 * reach, cell_m=max(reach / 2.0, 50.0))
    groups = tiles.facility_groups()
    if progress:
        from tqdm import tqdm

        groups = tqdm(groups, desc="facilities within reach", unit=" tile")
    # Each (origin, facility) pair within reach adds one to the bin of the
    # smallest threshold it meets; a cumulative sum over thresholds at the
    # end turns "first met at t" into "within t".
    flat_count = count.reshape(-1)
    flat_cap = None if cap is None else cap.reshape(-1)
    for members in groups:
        org, dist = tiles.distances(members)
        fi, oi = np.nonzero(dist <= reach)
        if fi.size == 0:
            continue
        tier = np.searchsorted(thresholds, dist[fi, oi], side="left")
        key = (org[oi] * n_cat + fac.code[members[fi]]) * n_thr + tier
        _scatter_add(flat_count, key, None)
        if flat_cap is not None:
            _scatter_add(flat_cap, key, fac.capacity[members[fi]])
        if nearest is not None:
            np.minimum.at(nearest.reshape(-1), org[oi] * n_cat + fac.code[members[fi]], dist[fi, oi])
    np.cumsum(count, axis=2, out=count)
    if cap is not None:
        np.cumsum(cap, axis=2, out=cap)
    return count, cap


class FacilityTiles:
    """Facilities grouped by square, each group searched on the subgraph within reach.

    Small cells (half the reach) bucket nodes and origins; larger squares
    (``group_m``) group facilities so that one subgraph serves several.
    Public so that the origin-destination matrix runs the same bounded search.

    Parameters
    ----------
    graph
        The walking network.
    origins
        Snapped origins; those off the network are never reached.
    fac
        Prepared facilities (:meth:`Facilities.prepare`).
    reach
        Largest walking distance searched, in metres.
    group_m
        Side of the squares grouping facilities, in metres.
    cell_m
        Side of the cells bucketing nodes and origins, in metres.
    """

    MAX_GROUP = 256  # facilities per search batch: bounds the dense (k x n) matrices

    def __init__(self, graph: WalkGraph, origins: SnapResult, fac: Facilities, reach: float,
                 group_m: float, cell_m: float):
        self.origins, self.fac, self.reach = origins, fac, reach
        self.search = LocalSearch(graph, cell_m)
        grid = self.search.grid
        self.origin_ids = np.flatnonzero(origins.ok)
        self.origin_cells = Buckets(grid.cell_of(origins.street_lon[self.origin_ids],
                                                 origins.street_lat[self.origin_ids]), grid.n_cells)
        per_group = max(int(round(group_m / cell_m)), 1)
        cell = grid.cell_of(fac.snap.street_lon, fac.snap.street_lat)
        self.fac_group = (cell // grid.ny // per_group) * (grid.ny // per_group + 1) + (cell % grid.ny) // per_group

    def facility_groups(self) -> list[np.ndarray]:
        """Facility indices in batches of at most ``MAX_GROUP``, one square's facilities together."""
        order = np.argsort(self.fac_group, kind="stable")
        bounds = np.flatnonzero(np.diff(self.fac_group[order])) + 1
        groups = []
        for members in np.split(order, bounds):
            for start in range(0, members.size, self.MAX_GROUP):
                groups.append(members[start:start + self.MAX_GROUP])
        return groups

    def distances(self, members):
        """Origins near a group of facilities, and the ``(k, n)`` walking metres to them."""
        f, o = self.fac.snap, self.origins
        cells = self.search.grid.cells_within(f.street_lon[members], f.street_lat[members], self.reach)
        org = self.origin_ids[self.origin_cells.members(cells)]
        _, d, (la, lb) = self.search.search(
            cells, f.u[members], f.v[members], f.offset_m[members] + f.dist_u[members],
            f.offset_m[members] + f.dist_v[members], self.reach, locate=(o.u[org], o.v[org]))
        dist = o.offset_m[org] + np.minimum(o.dist_u[org] + d[:, la], o.dist_v[org] + d[:, lb])
        oi, fj = _same_edge_pairs(o.edge[org], f.edge[members])
        if oi.size:
            direct = o.offset_m[org][oi] + f.offset_m[members][fj] + np.abs(
                o.dist_u[org][oi] - f.dist_u[members][fj])
            dist[fj, oi] = np.minimum(dist[fj, oi], direct)
        return org, dist


def _scatter_add(target, key, weights):
    """``target[key] += weights`` (or ``+= 1``), repeated keys adding up.

    ``np.add.at`` costs ~50 ns a key; a full-length ``bincount`` costs ~1 ns
    a bin. Use whichever is cheaper for this batch.
    """
    if key.size * 32 > target.size:
        added = np.bincount(key, weights=weights, minlength=target.size)
        target += added.astype(target.dtype, copy=False)
    else:
        np.add.at(target, key, 1 if weights is None else weights.astype(target.dtype))


def _same_edge_pairs(edge_a, edge_b):
    """All ``(i, j)`` with ``edge_a[i] == edge_b[j] >= 0``."""
    edge_a, edge_b = np.asarray(edge_a, np.int64), np.asarray(edge_b, np.int64)
    order = np.argsort(edge_b, kind="stable")
    sorted_b = edge_b[order]
    lo = np.searchsorted(sorted_b, edge_a, side="left")
    hi = np.searchsorted(sorted_b, edge_a, side="right")
    size = np.where(edge_a >= 0, hi - lo, 0)
    i = np.repeat(np.arange(edge_a.size), size)
    j = order[np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())]
    return i, j


def _check_thresholds(thresholds_m) -> np.ndarray:
    thresholds = np.atleast_1d(np.asarray(thresholds_m, dtype=np.float64))
    if thresholds.size == 0 or not np.isfinite(thresholds).all() or (thresholds <= 0).any():
        raise ValueError(f"thresholds must be positive distances in metres, got {thresholds_m!r}")
    if (np.diff(thresholds) <= 0).any():
        raise ValueError(f"thresholds must be strictly increasing, got {thresholds_m!r}")
    return thresholds
