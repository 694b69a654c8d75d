"""Isochrones: shape, nesting, and that they cover what is reachable."""

import time

import numpy as np
import pytest
import shapely

from lifecircle.geo import SnapError
from lifecircle.geo.accessibility import accessibility
from lifecircle.geo.isochrones import isochrones
from lifecircle.geo.snapping import snap_points

START = (24.944, 60.170)


def shapes(fc):
    return [shapely.geometry.shape(f["geometry"]) for f in fc["features"]]


def test_geojson_form_and_nesting(helsinki_graph):
    fc = isochrones(helsinki_graph, *START)
    assert fc["type"] == "FeatureCollection"
    props = [f["properties"] for f in fc["features"]]
    assert [p["distance_m"] for p in props] == [900.0, 600.0, 300.0]  # largest first, drawn underneath
    assert [p["minutes"] for p in props] == [15.0, 10.0, 5.0]
    big, mid, small = shapes(fc)
    assert all(s.is_valid and s.geom_type in ("Polygon", "MultiPolygon") for s in (big, mid, small))
    assert big.area > mid.area > small.area > 0
    # Nested, up to the outline simplification (a few metres).
    assert mid.difference(big).area < 0.01 * mid.area and small.difference(mid).area < 0.01 * small.area
    lon, lat = shapely.get_coordinates(big).T
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    assert (min_lon - 0.01 < lon).all() and (lon < max_lon + 0.01).all()  # [lon, lat] order
    assert (min_lat - 0.01 < lat).all() and (lat < max_lat + 0.01).all()


def test_reachable_points_inside_unreachable_outside(helsinki_graph):
    """Street points walkable within d are inside the d-isochrone; those well beyond are outside."""
    g = helsinki_graph
    rng = np.random.default_rng(4)
    min_lon, min_lat, max_lon, max_lat = g.bounds
    probes = snap_points(g, rng.uniform(min_lon, max_lon, 1500), rng.uniform(min_lat, max_lat, 1500))
    probes = probes.take(probes.ok)
    start = snap_points(g, [START[0]], [START[1]])
    walk = accessibility(g, probes, start, ["start"], [1.0]).nearest_m[:, 0] - probes.offset_m
    fc = isochrones(g, *START, distances_m=[400.0])
    shape = shapes(fc)[0]
    on_street = shapely.points(probes.street_lon, probes.street_lat)
    inside = shapely.contains_xy(shape, probes.street_lon, probes.street_lat)
    assert inside[walk <= 380].mean() > 0.99  # a cell's width of tolerance at the edge
    # Outside unless a reachable street passes within the 30 m band (+ a cell).
    reach = shapes(isochrones(g, *START, distances_m=[400.0], buffer_m=1.0, fill_holes_m2=0))[0]
    far = walk > 450
    near_reachable = shapely.distance(reach, on_street[far]) < 45
    assert not inside[far][~near_reachable].any()


def test_point_far_from_streets(helsinki_graph):
    with pytest.raises(SnapError, match="from the nearest walkable street"):
        isochrones(helsinki_graph, 25.5, 60.5)


def test_bad_distances(helsinki_graph):
    with pytest.raises(ValueError, match="positive"):
        isochrones(helsinki_graph, *START, distances_m=[-1])


def test_fast_enough(helsinki_graph):
    """Interactive use: ~10 ms each on this ~3,000-node graph.

    Measured in CPU time, with a generous bound, so a busy CI machine does not fail it.
    """
    rng = np.random.default_rng(0)
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    isochrones(helsinki_graph, *START)  # warm the caches
    times = []
    for lon, lat in zip(rng.uniform(min_lon, max_lon, 40), rng.uniform(min_lat, max_lat, 40)):
        t = time.process_time()
        try:
            isochrones(helsinki_graph, lon, lat)
        except SnapError:
            continue
        times.append(time.process_time() - t)
    assert np.percentile(times, 95) < 0.1


def test_concurrent_requests_agree(helsinki_graph):
    """Web servers share one cached graph between request threads."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(7)
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    points = list(zip(rng.uniform(min_lon + 0.003, max_lon - 0.003, 24),
                      rng.uniform(min_lat + 0.002, max_lat - 0.002, 24)))

    def area(p):
        try:
            return shapes(isochrones(helsinki_graph, *p, distances_m=[300.0]))[0].area
        except SnapError:
            return None

    serial = [area(p) for p in points]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(area, points))
    assert parallel == serial


def test_outline_fills_small_holes_and_what_lay_in_them():
    """The outline of a raster's cells: a small hole (a block ringed by reachable streets) is
    filled, a part that lay in it is left out rather than overlapping, a large hole stays."""
    from lifecircle.geo.isochrones import _outline

    mask = np.zeros((50, 70), dtype=bool)
    mask[2:48, 2:38] = True  # a ring of 36 x 46 cells (10 m) ...
    mask[5:45, 5:35] = False  # ... around a large hole (300 m x 400 m: a park)
    mask[2:12, 42:68] = True  # a second part ...
    mask[4:10, 44:66] = False  # ... around a small hole (60 m x 220 m: a block)
    mask[6:8, 50:54] = True  # an island inside the small hole
    centres = (np.arange(70) + 0.5) * 10.0, (np.arange(50) + 0.5) * 10.0
    shape = _outline(mask, *centres, fill_holes_m2=100_000.0)
    assert shape.is_valid and shape.geom_type == "MultiPolygon" and len(shape.geoms) == 2
    park, block = sorted(shape.geoms, key=lambda p: p.bounds[0])
    assert len(park.interiors) == 1 and not block.interiors
    # Cell borders, with each ring's four corners cut by half a cell (12.5 m² each, off the
    # outer ring and off the hole alike).
    assert park.area == pytest.approx((36 * 46 - 30 * 40) * 100, abs=1e-6)
    assert block.area == pytest.approx(26 * 10 * 100 - 4 * 12.5, abs=1e-6)
    kept_all = _outline(mask, *centres, fill_holes_m2=0.0)
    assert len(kept_all.geoms) == 3 and kept_all.area < shape.area


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.5, 3.0, 4.2, 7.0])
def test_disc_minimum_is_the_disc_erosion(radius):
    """The rectangles' minima give exactly scipy's erosion with the disc footprint, borders and
    unreached (infinite) cells included."""
    from scipy import ndimage

    from lifecircle.geo.isochrones import disc_minimum

    rng = np.random.default_rng(int(radius * 10))
    field = rng.uniform(0, 900, (61, 47))
    field[rng.random(field.shape) < 0.6] = np.inf
    reach = int(np.floor(radius))
    yy, xx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    disc = xx * xx + yy * yy <= radius * radius
    expected = ndimage.grey_erosion(field, footprint=disc, mode="constant", cval=np.inf)
    assert np.array_equal(disc_minimum(field, radius), expected)


def test_outline_of_a_mask_is_traced_as_on_the_whole_raster():
    """The outline is traced on the True cells' box and a cell around it: the same shape as
    marching squares draw on the whole raster, wherever the cells lie in it."""
    from contourpy import FillType, contour_generator

    from lifecircle.geo.isochrones import _outline

    rng = np.random.default_rng(5)
    x, y = (np.arange(30) + 0.5) * 10.0, (np.arange(40) + 0.5) * 10.0
    for top, left, rows, columns in [(1, 1, 8, 6), (25, 18, 14, 11), (1, 1, 38, 28), (10, 3, 5, 20)]:
        mask = np.zeros((40, 30), dtype=bool)
        mask[top:top + rows, left:left + columns] = rng.random((rows, columns)) < 0.7
        whole = contour_generator(x, y, mask.astype(np.float64), name="serial", corner_mask=False,
                                  fill_type=FillType.OuterOffset)
        points, offsets = whole.filled(0.5, 1.5)
        expected = shapely.union_all([shapely.Polygon(p[o[0]:o[1]], [p[a:b] for a, b in zip(o[1:-1], o[2:])])
                                      for p, o in zip(points, offsets)])
        traced = _outline(mask, x, y, fill_holes_m2=0.0)
        assert traced.is_valid and traced.equals(expected)


def test_a_shape_that_rounding_would_make_invalid_is_snapped_to_the_grid_and_stays_valid():
    """Two parts 2 cm apart fall on one line at 6 decimals (about 10 cm): the plain rounding is an
    invalid MultiPolygon, so the geometry is snapped to that grid instead, and is valid."""
    from lifecircle.geo.distance import LocalProjection
    from lifecircle.geo.isochrones import _geojson_geometry

    projection = LocalProjection(121.45, 31.23)
    parts = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(10.02, 0, 20, 10)])
    plain = shapely.transform(parts, lambda xy: np.round(np.column_stack(projection.inverse(xy[:, 0], xy[:, 1])), 6))
    assert not plain.is_valid
    written = shapely.geometry.shape(_geojson_geometry(parts, projection, 6))
    assert written.is_valid and abs(written.area - plain.area) < 0.01 * plain.area


@pytest.mark.parametrize("shape", [(61, 47), (3, 2), (1, 9)])
def test_running_minimum_is_scipys_minimum_filter(shape):
    """Doubling gives exactly scipy's running minimum, along either axis, with ``inf`` beyond the
    raster, runs longer than the raster included."""
    from scipy import ndimage

    from lifecircle.geo.isochrones import running_minimum

    rng = np.random.default_rng(shape[0])
    field = rng.uniform(0, 900, shape)
    field[rng.random(shape) < 0.5] = np.inf
    for half in range(12):
        for axis in (0, 1):
            expected = ndimage.minimum_filter1d(field, 2 * half + 1, axis=axis, mode="constant", cval=np.inf)
            assert np.array_equal(running_minimum(field, half, axis), expected)


def test_ragged_array_of_one_shape_is_shapelys():
    """A shape's coordinates and offsets, counted from its rings, are what shapely's
    to_ragged_array gives: a polygon with holes, a multipolygon, one of a single part."""
    from lifecircle.geo.isochrones import _ragged_array

    holed = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)],
                            [[(2, 2), (3, 2), (3, 3)], [(5, 5), (6, 5), (6, 6), (5, 6)]])
    box = shapely.box(20, 20, 30, 30)
    for shape in (holed, box, shapely.MultiPolygon([box, holed]), shapely.MultiPolygon([holed])):
        kind, coords, offsets = shapely.to_ragged_array([shape])
        got_kind, got_coords, got_offsets = _ragged_array(shape)
        assert got_kind == kind and np.array_equal(got_coords, coords) and len(got_offsets) == len(offsets)
        assert all(np.array_equal(a, b) for a, b in zip(got_offsets, offsets))
