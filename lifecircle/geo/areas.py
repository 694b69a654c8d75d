"""Split a study region into areas that can be computed independently.

For a city too big for one machine, or to use every core of a cluster:

1. :func:`split_region` cuts the region into square *areas*. Each area has
   a *core* (the origins it answers for: every origin falls in exactly one
   core) and a *halo* (the core grown by the walking reach plus the snapping
   distance: everything a walk from the core can touch).
2. :func:`compute_area` answers accessibility for one area's origins
   using only the part of the graph and the facilities in its halo. It
   reads nothing but its arguments and writes nothing shared, so areas can
   run in any order, in threads, processes or on other machines.
3. :func:`merge_areas` puts the pieces back in the original origin order.

Why a halo of ``reach_m + max_snap_m`` is enough -- the merged result
equals one whole-graph run with ``max_distance_m=reach_m`` (nearest
distances up to the reach exact, farther ones ``inf``; counts within every
threshold ``<= reach_m`` exact), for origins right on a border too:

* *Origins snap the same.* An origin in the core that the whole graph
  snaps joins an edge at most ``max_snap_m`` from it; that edge overlaps
  the halo, so the halo graph holds it and nothing nearer was dropped. An
  origin farther than ``max_snap_m`` from every street is unsnapped in both.
* *Walks stay inside.* A walk is the origin's off-street leg, a path along
  streets and the facility's leg. Every point of it lies no farther in a
  straight line from the origin than the walk so far, so a walk of at
  most ``reach_m`` stays within ``reach_m`` of the core, and every edge it
  uses overlaps the halo.
* *Facilities that count snap the same.* A facility reached within
  ``reach_m`` is at most ``reach_m`` from the core in a straight line (the
  legs are straight, the street path is no shorter than a straight line),
  and its street is at most ``max_snap_m`` further: inside the halo. A
  facility near the halo's rim may snap to a different street than in the
  whole graph, but its walk is at least its straight-line distance, more
  than ``reach_m``: it cannot count, and the nearest is capped at the reach.

So the halo must be at least the largest threshold (the reach) plus the
snapping distance; any larger halo only costs time. :func:`grow_polygon`
grows an area of any shape by *at least* a distance: it buffers in a
local projection, whose east-west stretch and whose polygonal circles
(chords inside the arcs) it makes up for with a factor, plus a metre.

:func:`compute_by_area` runs all three steps with any executor that has a
``map`` method -- ``concurrent.futures`` pools, or a dask cluster::

    from dask.distributed import Client          # optional, not a dependency
    client = Client("scheduler:8786")
    result = compute_by_area(graph, areas, ..., executor=client.get_executor())
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .accessibility import AccessibilityResult, accessibility
from .distance import METRES_PER_DEGREE
from .graph import WalkGraph
from .snapping import DEFAULT_MAX_SNAP_M, snap_points


@dataclass(frozen=True)
class Area:
    """One square of a region: ``core`` and ``halo`` are ``(min_lon, min_lat, max_lon, max_lat)``.

    The core is half-open (includes its south/west edges, not its north/east
    ones), so neighbouring cores never share an origin.
    """

    index: int
    core: tuple[float, float, float, float]
    halo: tuple[float, float, float, float]

    def holds(self, lon, lat) -> np.ndarray:
        """Which of the points fall in this area's core."""
        x0, y0, x1, y1 = self.core
        lon, lat = np.asarray(lon), np.asarray(lat)
        return (lon >= x0) & (lon < x1) & (lat >= y0) & (lat < y1)

    def sees(self, lon, lat) -> np.ndarray:
        """Which of the points fall in this area's halo."""
        x0, y0, x1, y1 = self.halo
        lon, lat = np.asarray(lon), np.asarray(lat)
        return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


@dataclass(eq=False)
class AreaResult:
    """Accessibility for the origins of one area (``origin_index`` into the full origin list)."""

    area: Area
    origin_index: np.ndarray
    result: AccessibilityResult


def split_region(bounds, tile_m: float, reach_m: float, max_snap_m: float = DEFAULT_MAX_SNAP_M,
                 boundary=None) -> list[Area]:
    """Cut ``bounds`` ``(min_lon, min_lat, max_lon, max_lat)`` into ``tile_m`` squares.

    Each area's halo is its core grown by ``reach_m + max_snap_m``. With a
    shapely ``boundary`` (lon/lat), squares that miss it are left out.
    """
    min_lon, min_lat, max_lon, max_lat = map(float, bounds)
    if not (tile_m > 0 and reach_m >= 0):
        raise ValueError("tile_m must be positive and reach_m non-negative")
    mid_lat = (min_lat + max_lat) / 2.0
    dlat = tile_m / METRES_PER_DEGREE
    dlon = tile_m / (METRES_PER_DEGREE * np.cos(np.radians(mid_lat)))
    glon, glat = _grow_degrees(bounds, reach_m + max_snap_m)
    nx = max(int(np.ceil((max_lon - min_lon) / dlon)), 1)
    ny = max(int(np.ceil((max_lat - min_lat) / dlat)), 1)
    areas = []
    for i in range(nx):
        for j in range(ny):
            x0, y0 = min_lon + i * dlon, min_lat + j * dlat
            # The last row/column reaches past the bounds so the max edge is in some core.
            x1 = x0 + dlon if i < nx - 1 else np.nextafter(max(max_lon, x0 + dlon), np.inf)
            y1 = y0 + dlat if j < ny - 1 else np.nextafter(max(max_lat, y0 + dlat), np.inf)
            if boundary is not None:
                import shapely

                if not shapely.intersects(boundary, shapely.box(x0, y0, x1, y1)):
                    continue
            areas.append(Area(len(areas), (x0, y0, x1, y1), (x0 - glon, y0 - glat, x1 + glon, y1 + glat)))
    return areas


def grow_bounds(bounds, metres: float) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` grown by at least ``metres`` on every side."""
    glon, glat = _grow_degrees(bounds, metres)
    min_lon, min_lat, max_lon, max_lat = map(float, bounds)
    return (min_lon - glon, min_lat - glat, max_lon + glon, max_lat + glat)


def grow_polygon(polygon, metres: float):
    """``polygon`` (lon/lat) grown by at least ``metres`` everywhere (a few per mille more)."""
    from .distance import LocalProjection

    x0, y0, x1, y1 = polygon.bounds
    projection = LocalProjection((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    # The projection measures east-west distances true at its centre latitude and too long
    # nearer the pole, by cos(lat0) / cos(lat): grow by the worst stretch in the grown extent.
    far_lat = min(max(abs(y0), abs(y1)) + 1.01 * metres / METRES_PER_DEGREE, 89.0)
    stretch = max(np.cos(np.radians(projection.lat0)) / np.cos(np.radians(far_lat)), 1.0)
    quad_segs = 16  # a buffer's arcs are chords, up to 1 - cos(pi / 64) short of the radius
    radius = metres * stretch / np.cos(np.pi / (4 * quad_segs)) + 1.0
    return projection.transform_geometry(
        projection.transform_geometry(polygon).buffer(radius, quad_segs=quad_segs), inverse=True)


class EdgeIndex:
    """A graph's edges sorted by their west end, to find the edges near one area of a big city.

    Finding them by testing every edge costs time in proportion to the
    city, for every area; here a search only reads the strip of edges
    whose west end lies between the area's sides (less the widest edge).
    """

    def __init__(self, graph: WalkGraph):
        self.graph = graph
        self.lo_lon, self.lo_lat, self.hi_lon, self.hi_lat = graph.edge_bounds()
        self.order = np.argsort(self.lo_lon, kind="stable")
        self.sorted_lo_lon = self.lo_lon[self.order]
        self.widest = float((self.hi_lon - self.lo_lon).max()) if graph.n_edges else 0.0

    def overlapping(self, bounds) -> np.ndarray:
        """Ids of the edges whose extent overlaps ``(min_lon, min_lat, max_lon, max_lat)``."""
        x0, y0, x1, y1 = bounds
        strip = self.order[np.searchsorted(self.sorted_lo_lon, x0 - self.widest, side="left"):
                           np.searchsorted(self.sorted_lo_lon, x1, side="right")]
        return strip[(self.hi_lon[strip] >= x0) & (self.hi_lat[strip] >= y0) & (self.lo_lat[strip] <= y1)]


def polygon_halo_graph(index: EdgeIndex, grown) -> WalkGraph:
    """The edges of ``index.graph`` that touch the polygon ``grown`` (lon/lat), e.g. from :func:`grow_polygon`."""
    import shapely

    from .subgraph import ranges

    graph = index.graph
    shapely.prepare(grown)
    candidates = index.overlapping(grown.bounds)
    n_points = graph.geom_offsets[candidates + 1] - graph.geom_offsets[candidates]
    points = ranges(graph.geom_offsets[candidates], n_points)
    inside = shapely.contains_xy(grown, graph.geom_lon[points], graph.geom_lat[points])
    touches = np.zeros(candidates.size, dtype=bool)
    touches[np.repeat(np.arange(candidates.size), n_points)[inside]] = True
    # A long straight edge can cross the polygon with no vertex inside it: test those as lines.
    crossing = np.flatnonzero(~touches)
    if crossing.size:
        touches[crossing] = shapely.intersects(grown, graph.edge_lines(candidates[crossing]))
    keep = np.zeros(graph.n_edges, dtype=bool)
    keep[candidates[touches]] = True
    return graph.edge_subgraph(keep)


def _grow_degrees(bounds, metres):
    lat = max(abs(float(bounds[1])), abs(float(bounds[3])))
    # +1 % margin and +0.5 degree of latitude: degrees per metre vary a little across the region.
    glat = 1.01 * metres / METRES_PER_DEGREE
    glon = 1.01 * metres / (METRES_PER_DEGREE * np.cos(np.radians(min(lat + 0.5, 89.0))))
    return glon, glat


def halo_graph(graph: WalkGraph, area: Area, edge_bounds=None) -> WalkGraph:
    """The edges of ``graph`` whose extent overlaps the area's halo.

    ``edge_bounds`` is ``graph.edge_bounds()``, passed in when many areas
    are cut from one graph so it is computed once.
    """
    x0, y0, x1, y1 = area.halo
    lo_lon, lo_lat, hi_lon, hi_lat = graph.edge_bounds() if edge_bounds is None else edge_bounds
    return graph.edge_subgraph((hi_lon >= x0) & (lo_lon <= x1) & (hi_lat >= y0) & (lo_lat <= y1))


def compute_area(area: Area, graph: WalkGraph | str, origin_lon, origin_lat, facility_lon, facility_lat,
                 categories, thresholds_m, reach_m: float, capacity=None, category_names=None,
                 max_snap_m: float = DEFAULT_MAX_SNAP_M) -> AreaResult:
    """Accessibility for the origins in ``area``'s core, from the graph and facilities in its halo.

    ``graph`` may be a :class:`WalkGraph` or the path of a saved one (so a
    remote worker can load it from shared storage instead of receiving it).
    ``category_names`` should list every category, so that all areas
    return the same columns.
    """
    if np.max(thresholds_m) > reach_m:
        raise ValueError(f"thresholds {thresholds_m!r} exceed the areas' reach of {reach_m} m")
    if not isinstance(graph, WalkGraph):
        graph = WalkGraph.load(graph)
    origin_index = np.flatnonzero(area.holds(origin_lon, origin_lat))
    facility_index = np.flatnonzero(area.sees(facility_lon, facility_lat))
    names = category_names if category_names is not None else np.unique(np.asarray(categories).astype(str))
    local = halo_graph(graph, area)
    origins = snap_points(local, np.asarray(origin_lon)[origin_index], np.asarray(origin_lat)[origin_index],
                          max_snap_m=max_snap_m)
    facilities = snap_points(local, np.asarray(facility_lon)[facility_index],
                             np.asarray(facility_lat)[facility_index], max_snap_m=max_snap_m)
    result = accessibility(
        local, origins, facilities, np.asarray(categories)[facility_index], thresholds_m,
        capacity=None if capacity is None else np.asarray(capacity)[facility_index],
        max_distance_m=reach_m, category_names=names)
    return AreaResult(area, origin_index, result)


def merge_areas(parts: list[AreaResult], n_origins: int) -> AccessibilityResult:
    """One :class:`AccessibilityResult` for all origins, in their original order."""
    if not parts:
        raise ValueError("no area results to merge")
    first = parts[0].result
    n_cat, n_thr = len(first.categories), first.thresholds_m.size
    nearest = np.full((n_origins, n_cat), np.nan)
    count = np.zeros((n_origins, n_cat, n_thr), dtype=np.int32)
    capacity = None if first.capacity is None else np.zeros((n_origins, n_cat, n_thr), dtype=np.float32)
    ok = np.zeros(n_origins, dtype=bool)
    seen = np.zeros(n_origins, dtype=bool)
    for part in parts:
        r, idx = part.result, part.origin_index
        if r.categories != first.categories or not np.array_equal(r.thresholds_m, first.thresholds_m):
            raise ValueError("area results disagree on categories or thresholds; pass category_names")
        if seen[idx].any():
            raise ValueError(f"area {part.area.index} repeats origins already answered by another area")
        seen[idx] = True
        nearest[idx], count[idx], ok[idx] = r.nearest_m, r.count, r.origin_ok
        if capacity is not None:
            capacity[idx] = r.capacity
    return AccessibilityResult(list(first.categories), first.thresholds_m, nearest, count, capacity, ok)


def compute_by_area(graph: WalkGraph | str, areas: list[Area], origin_lon, origin_lat, facility_lon,
                    facility_lat, categories, thresholds_m, reach_m: float, capacity=None,
                    max_snap_m: float = DEFAULT_MAX_SNAP_M, executor=None, progress: bool = False):
    """Run :func:`compute_area` for every area (through ``executor.map`` if given) and merge.

    Origins outside every area's core are left unanswered (NaN, not ok).
    """
    names = [str(c) for c in np.unique(np.asarray(categories).astype(str))]
    task = partial(compute_area, graph=graph, origin_lon=origin_lon, origin_lat=origin_lat,
                   facility_lon=facility_lon, facility_lat=facility_lat, categories=categories,
                   thresholds_m=thresholds_m, reach_m=reach_m, capacity=capacity, category_names=names,
                   max_snap_m=max_snap_m)
    runs = map(task, areas) if executor is None else executor.map(task, areas)
    if progress:
        from tqdm import tqdm

        runs = tqdm(runs, total=len(areas), desc="areas", unit=" area")
    return merge_areas(list(runs), len(np.asarray(origin_lon)))
