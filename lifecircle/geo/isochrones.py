"""Walking isochrones: the area reachable within 5/10/15 minutes of a point.

How the shape is made:

1. Snap the point to the nearest street and walk outwards (bounded Dijkstra
   on the cells within reach, see :mod:`lifecircle.geo.subgraph`).
2. Sample every street within reach every few metres and give each sample
   its walking distance: along the street from whichever end is nearer on
   foot, so edges the walk only gets partway along count partway.
3. Burn the samples into a small raster (``cell_m``, 10 m by default) that
   keeps the shortest walk per cell, and spread each value over a disc of
   ``buffer_m`` (30 m: a street frontage, so buildings on a reachable street
   are inside). Every distance's shape is then just "cells <= distance",
   so 5, 10 and 15 minutes come from one pass.
4. Trace the cells' outline (contourpy's marching squares on the mask:
   the cell borders, corners cut diagonally), fill small holes (blocks
   ringed by reachable streets), simplify.

Drawing around the reachable streets, rather than a hull of reached
nodes, keeps the shape honest: a river or a rail line without a crossing
stays outside. Buffering and unioning thousands of street pieces with
vector geometry gives the same shape but takes seconds on a dense centre;
the raster takes milliseconds, at a resolution of one cell. Tracing the
outline with marching squares, rather than polygonizing every cell border,
halves the time of a shape (a city's map clicks start from junctions no
one has clicked before).
"""

from __future__ import annotations

import numpy as np
import shapely
from contourpy import FillType, LineType, SerialContourGenerator, ZInterp

from .distance import LocalProjection
from .errors import SnapError
from .graph import WalkGraph
from .snapping import DEFAULT_MAX_SNAP_M, SegmentIndex, snap_points
from .subgraph import LocalSearch, ranges
from .walking import DEFAULT_PROFILE, LIFE_CIRCLE_MINUTES, metres_to_minutes, minutes_to_metres


def isochrones(graph: WalkGraph, lon: float, lat: float, distances_m=None, buffer_m: float = 30.0,
               cell_m: float = 10.0, simplify_m: float = 5.0, fill_holes_m2: float = 100_000.0,
               max_snap_m: float = DEFAULT_MAX_SNAP_M, profile: str | float = DEFAULT_PROFILE,
               precision: int = 6) -> dict:
    """Walking isochrones around a point as a GeoJSON FeatureCollection.

    Parameters
    ----------
    lon, lat
        The starting point, degrees.
    distances_m
        Walking distances, ascending; default the 5/10/15-minute distances
        at ``profile`` speed (300/600/900 m for the ``planning`` profile).
    buffer_m
        Half-width of the band drawn around reachable streets.
    cell_m
        Raster resolution; outlines are accurate to about one cell.
    simplify_m
        Tolerance for simplifying the outline (0 to keep every vertex).
    fill_holes_m2
        Holes smaller than this (blocks enclosed by reachable streets) are
        filled; larger ones (a lake, a rail yard) stay.
    max_snap_m
        The point must be at most this far from a street.
    profile
        Walking speed profile used for the ``minutes`` property (and the
        default distances); see :mod:`lifecircle.geo.walking`.

    Returns
    -------
    dict
        A FeatureCollection with one (Multi)Polygon feature per distance,
        largest first so smaller ones draw on top; properties
        ``distance_m``, ``minutes`` and ``profile``. Coordinates are
        ``[lon, lat]``.
    """
    if distances_m is None:
        distances_m = minutes_to_metres(LIFE_CIRCLE_MINUTES, profile)
    distances = np.atleast_1d(np.asarray(distances_m, dtype=np.float64))
    if distances.size == 0 or not (np.isfinite(distances).all() and (distances > 0).all()):
        raise ValueError(f"isochrone distances must be positive metres, got {distances_m!r}")
    distances = np.sort(distances)
    snap = snap_points(graph, [lon], [lat], max_snap_m=max_snap_m)
    if not snap.ok[0]:
        raise SnapError(f"point ({lon}, {lat}) is {snap.far_distance_m[0]:.0f} m from the nearest walkable "
                        f"street (more than {max_snap_m:.0f} m)")

    samples = reachable_samples(graph, snap, float(distances[-1]))
    projection = LocalProjection(lon, lat)
    field, x, y = _walk_field(samples, projection, buffer_m, cell_m)
    features = []
    for d in distances[::-1]:
        geom = _outline(field <= d, x, y, fill_holes_m2)
        if simplify_m > 0:
            geom = _simplify(geom, simplify_m)
        features.append({
            "type": "Feature",
            "geometry": _geojson_geometry(geom, projection, precision),
            "properties": {"distance_m": float(d), "minutes": float(metres_to_minutes(d, profile)),
                           "profile": profile if isinstance(profile, str) else float(profile)},
        })
    return {"type": "FeatureCollection", "features": features}


def reachable_samples(graph: WalkGraph, snap, reach: float, step_m: float = 4.0):
    """Points along every street within ``reach`` of a snapped point, with their walking distance.

    Returns ``(lon, lat, walk_m)`` arrays; samples lie at most ``step_m``
    apart along each street, and only those within ``reach`` are kept.
    """
    search = LocalSearch.for_graph(graph)
    leg = float(snap.offset_m[0])
    cells = search.grid.cells_within(snap.street_lon[0], snap.street_lat[0], reach)
    nodes, dist, _ = search.search(cells, snap.u[:1], snap.v[:1], [leg + snap.dist_u[0]],
                                   [leg + snap.dist_v[0]], reach)
    node_walk = np.full(graph.n_nodes, np.inf)
    node_walk[nodes] = dist[0, : nodes.size]
    reached = nodes[np.isfinite(dist[0, : nodes.size])]
    # Edges touching a reached node, through the CSR; self-loops are not in it. Each is marked in
    # a mask of the edges, which lists them in order once: np.unique took 0.14 ms of a city click
    # for its 2,000 slots, the mask 0.01.
    starts = graph.indptr[reached]
    degree = graph.indptr[reached + 1] - starts
    loops = np.flatnonzero(graph.edge_u == graph.edge_v)
    touched = np.zeros(graph.n_edges, dtype=bool)
    touched[graph.slot_edge[ranges(starts, degree)]] = True
    touched[loops[np.isfinite(node_walk[graph.edge_u[loops]])]] = True
    touched[snap.edge[0]] = True
    edges = np.flatnonzero(touched)

    index = SegmentIndex.for_graph(graph)
    first = np.searchsorted(index.segment_edge, edges, side="left")
    last = np.searchsorted(index.segment_edge, edges, side="right")
    seg = ranges(first, last - first)
    seg_len = index.segment_length[seg]
    n = np.maximum(np.ceil(seg_len / step_m).astype(np.int64), 1) + 1  # both ends included
    fraction = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n - 1, n)
    # What a segment's samples share (its ends, its edge's walk) is looked up and worked out once
    # per segment and repeated for its samples, not once per sample: the same numbers, 0.3 ms
    # against 0.45-0.6 for a city click's 11,000 samples on 2,000 segments.
    a = index.segments[seg]
    lon = np.repeat(graph.geom_lon[a], n) + fraction * np.repeat(graph.geom_lon[a + 1] - graph.geom_lon[a], n)
    lat = np.repeat(graph.geom_lat[a], n) + fraction * np.repeat(graph.geom_lat[a + 1] - graph.geom_lat[a], n)
    edge = index.segment_edge[seg]
    # Walking metres along the edge: its length scaled by the profile's cost (1 for standard).
    scale = graph.cost_scale(edge)
    along = (np.repeat(index.along_start[seg], n) + fraction * np.repeat(seg_len, n)) * np.repeat(scale, n)
    length = np.repeat(graph.edge_cost[edge].astype(np.float64), n)
    with np.errstate(invalid="ignore"):  # inf - inf on impassable edges: they are left out below
        walk = np.minimum(np.repeat(node_walk[graph.edge_u[edge]], n) + along,
                          np.repeat(node_walk[graph.edge_v[edge]], n) + np.maximum(length - along, 0.0))
    walk[np.repeat(~np.isfinite(scale), n)] = np.inf
    own = np.repeat(edge == snap.edge[0], n)  # the walker's own street, straight from where they join it
    walk[own] = np.minimum(walk[own], leg + np.abs(along[own] - snap.dist_u[0]))
    keep = walk <= reach
    return lon[keep], lat[keep], walk[keep]


def _walk_field(samples, projection, buffer_m, cell_m):
    """Raster of the shortest walk reaching within ``buffer_m`` of each cell, over the samples'
    extent; returns it with its cells' centre coordinates (``x`` per column, ``y`` per row, metres
    in ``projection``). Cells beyond every sample's band are ``inf``, and so is a border of at
    least two cells, so every outline closes inside the raster."""
    lon, lat, walk = samples
    x, y = projection.forward(lon, lat)
    margin = buffer_m + 2 * cell_m
    x0, y0 = x.min() - margin, y.min() - margin
    nx = int(np.ceil((x.max() + margin - x0) / cell_m)) + 1
    ny = int(np.ceil((y.max() + margin - y0) / cell_m)) + 1
    ix = ((x - x0) / cell_m).astype(np.int64)
    iy = ((y - y0) / cell_m).astype(np.int64)
    field = np.full((ny, nx), np.inf)
    np.minimum.at(field, (iy, ix), walk)
    field = disc_minimum(field, buffer_m / cell_m)
    return field, x0 + (np.arange(nx) + 0.5) * cell_m, y0 + (np.arange(ny) + 0.5) * cell_m


def disc_minimum(field, radius):
    """Each cell's minimum over the cells within ``radius`` cells of it (a disc), ``inf`` beyond
    the raster: the same as scipy's ``grey_erosion`` with a disc footprint, in under half the time.

    A disc of cells is the union of a few centred rectangles, one per distinct row width (for
    radius 3: 7 x 1, 5 x 5 and 1 x 7), and the minimum over a union is the least of the minima
    over its parts. Each rectangle's minimum is two one-dimensional running minima
    (:func:`running_minimum`); the generic footprint filter visits every cell of the disc for
    every cell of the raster.
    """
    reach = int(np.floor(radius))
    rows = np.arange(reach + 1)
    widths = np.floor(np.sqrt(radius * radius - rows * rows) + 1e-9).astype(np.int64)
    result = None
    for width in np.unique(widths):
        height = rows[widths == width].max()  # the rectangle reaches the last row this wide
        part = running_minimum(running_minimum(field, int(width), axis=1), int(height), axis=0)
        result = part if result is None else np.minimum(result, part)
    return result


def running_minimum(field, half, axis):
    """Each cell's minimum over the ``half`` cells either side of it along ``axis`` and itself,
    ``inf`` beyond the raster (``field`` itself when ``half`` is 0).

    By doubling, on a copy padded with ``inf``: the minimum over a run of ``2w`` cells is that of
    its two halves, so a run of ``2 * half + 1`` cells takes about log2 of that many passes of
    ``np.minimum``. A city click's disc (radius 3 on about 29,000 cells: four running minima)
    took 0.49 ms this way against 0.67 with scipy's ``minimum_filter1d``, which runs line by line
    through a buffer; the same numbers.
    """
    if not half:
        return field
    size = 2 * half + 1
    shape = list(field.shape)
    shape[axis] += 2 * half
    run = np.full(shape, np.inf)
    lead = (slice(None),) * axis
    run[lead + (slice(half, half + field.shape[axis]),)] = field
    width = 1  # run[i] is the minimum over cells i .. i + width - 1 of the padded field
    while width < size:
        step = min(width, size - width)
        run = np.minimum(run[lead + (slice(None, -step),)], run[lead + (slice(step, None),)])
        width += step
    return run


def _outline(mask, x, y, fill_holes_m2):
    """(Multi)Polygon around the True cells of ``mask`` (row = y, column = x; cell centres at
    ``x``, ``y``), without its holes smaller than ``fill_holes_m2`` or what lay inside them.

    Marching squares at 0.5 on the mask runs along the cell borders and cuts each corner
    diagonally (half a cell).
    """
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return shapely.Polygon()
    # Only the True cells' bounding box and a cell around it: the shorter walks' shapes are a
    # fraction of the raster, and tracing costs what the traced area does.
    rows = slice(max(rows[0] - 1, 0), rows[-1] + 2)
    columns = slice(max(columns[0] - 1, 0), columns[-1] + 2)
    # The generator class itself, given what contour_generator() would make of its arguments: the
    # function checks them and masks the invalid values of z (a 0/1 mask has none) through numpy's
    # masked arrays, about 50 us of its 120 for a city click's outline (0.15 ms a drawing; 300
    # city clicks, the same JSON).
    generator = SerialContourGenerator(*np.meshgrid(x[columns], y[rows]), mask[rows, columns].astype(np.float64),
                                       None, corner_mask=False, line_type=LineType.SeparateCode,
                                       fill_type=FillType.ChunkCombinedOffsetOffset, quad_as_tri=False,
                                       z_interp=ZInterp.Linear)
    (points,), (ring_start,), (polygon_start,) = generator.filled(0.5, 1.5)
    ring_start, polygon_start = ring_start.astype(np.int64), polygon_start.astype(np.int64)
    # Each ring's area (shoelace; rings are closed), and which rings are holes (not a polygon's first).
    px, py = points[:, 0], points[:, 1]
    cross = px[:-1] * py[1:] - px[1:] * py[:-1]
    cross[ring_start[1:-1] - 1] = 0.0  # the step from one ring to the next
    area = 0.5 * np.abs(np.add.reduceat(cross, ring_start[:-1]))
    hole = np.ones(area.size, dtype=bool)
    hole[polygon_start[:-1]] = False
    filled = hole & (area < fill_holes_m2)
    rings = shapely.linearrings(points, indices=np.repeat(np.arange(area.size), np.diff(ring_start)))
    polygon_of_ring = np.repeat(np.arange(polygon_start.size - 1), np.diff(polygon_start))
    keep = ~filled
    if filled.any():
        # A part lying in a filled hole (a reachable street inside a block, apart from the rest)
        # is now inside its neighbour: leave it out rather than overlap.
        first_point = points[ring_start[polygon_start[:-1]]]  # of each part's outer ring
        inside = shapely.contains_xy(shapely.polygons(rings[filled])[:, None],
                                     first_point[:, 0], first_point[:, 1]).any(axis=0)
        keep &= ~inside[polygon_of_ring]
    parts = shapely.polygons(rings[keep], indices=polygon_of_ring[keep])
    return parts[0] if parts.size == 1 else shapely.MultiPolygon(list(parts))


def _simplify(shape, tolerance):
    """Douglas-Peucker, keeping the shape valid: the plain algorithm is ten times faster than the
    topology-preserving one and gives a valid outline nearly always; the slow one is the fallback."""
    simple = shapely.simplify(shape, tolerance, preserve_topology=False)
    return simple if simple.is_valid and not simple.is_empty else shapely.simplify(shape, tolerance)


def _geojson_geometry(shape, projection, precision):
    """GeoJSON geometry of a shape in ``projection``'s metres, as [lon, lat] rounded to ``precision``
    decimals (about 0.1 m at 6); should rounding make it invalid (two rings closer than that), it
    is snapped to that grid with shapely's ``set_precision``, which keeps it valid.

    The coordinates are converted as one array and the rounded shape is built from it once, rather
    than by two ``shapely.transform`` passes and a copy into a MultiPolygon: about 0.2 ms less per
    drawing (300 clicks on a city's networks, the same JSON).
    """
    if shape.is_empty:
        return {"type": "MultiPolygon", "coordinates": []}
    kind, xy, offsets = _ragged_array(shape)
    lon, lat = projection.inverse(xy[:, 0], xy[:, 1])
    coords = np.round(np.column_stack((lon, lat)), precision)
    if not shapely.from_ragged_array(kind, coords, offsets)[0].is_valid:
        degrees = shapely.from_ragged_array(kind, np.column_stack((lon, lat)), offsets)[0]
        parts = shapely.get_parts(shapely.set_precision(degrees, 10.0 ** -precision))
        kind, coords, offsets = shapely.to_ragged_array([shapely.MultiPolygon(list(parts))])
    ring_start = offsets[0]
    polygon_start = offsets[1] if kind == shapely.GeometryType.MULTIPOLYGON else [0, ring_start.size - 1]
    coords = coords.tolist()
    rings = [coords[a:b] for a, b in zip(ring_start[:-1], ring_start[1:])]
    polygons = [rings[a:b] for a, b in zip(polygon_start[:-1], polygon_start[1:])]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _ragged_array(shape):
    """``shapely.to_ragged_array([shape])`` of one non-empty Polygon or MultiPolygon: its kind, its
    coordinates and their offsets (rings; polygons; for a MultiPolygon, the one geometry's parts).

    Counted from the rings rather than from an index of every coordinate, as shapely's does for
    any number of geometries: 40 us against 90 for a city click's outline, three a drawing.
    """
    parts = shapely.get_parts(shape)
    rings = shapely.get_rings(parts)
    ring_start = np.concatenate(([0], np.cumsum(shapely.get_num_coordinates(rings))))
    polygon_start = np.concatenate(([0], np.cumsum(shapely.get_num_interior_rings(parts) + 1)))
    if shape.geom_type == "Polygon":  # its one polygon's rings are the geometry's
        return shapely.GeometryType.POLYGON, shapely.get_coordinates(rings), (ring_start, polygon_start)
    return (shapely.GeometryType.MULTIPOLYGON, shapely.get_coordinates(rings),
            (ring_start, polygon_start, np.array([0, parts.size])))
