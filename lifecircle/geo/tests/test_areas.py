"""Area partitioning: merged per-area results equal one whole-graph run."""

import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
import shapely

from lifecircle.geo.accessibility import accessibility
from lifecircle.geo.areas import compute_by_area, split_region
from lifecircle.geo.snapping import snap_points

THRESHOLDS = [150.0, 300.0]
REACH = 400.0


@pytest.fixture(scope="module")
def problem(helsinki_graph):
    rng = np.random.default_rng(9)
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    olon, olat = rng.uniform(min_lon, max_lon, 600), rng.uniform(min_lat, max_lat, 600)
    flon, flat = rng.uniform(min_lon, max_lon, 40), rng.uniform(min_lat, max_lat, 40)
    labels = np.array(["clinic", "market", "school"])[rng.integers(0, 3, 40)]
    capacity = rng.integers(1, 20, 40).astype(float)
    whole = accessibility(helsinki_graph, snap_points(helsinki_graph, olon, olat),
                          snap_points(helsinki_graph, flon, flat), labels, THRESHOLDS,
                          capacity=capacity, max_distance_m=REACH)
    return olon, olat, flon, flat, labels, capacity, whole


def test_areas_cover_each_origin_once(helsinki_graph, problem):
    olon, olat = problem[0], problem[1]
    areas = split_region(helsinki_graph.bounds, tile_m=400, reach_m=REACH)
    held = np.sum([a.holds(olon, olat) for a in areas], axis=0)
    assert len(areas) > 4 and (held == 1).all()
    corner = split_region(helsinki_graph.bounds, 400, REACH)[-1]
    assert corner.holds(helsinki_graph.bounds[2], helsinki_graph.bounds[3])


@pytest.mark.parametrize("executor", [None, "threads", "processes"])
def test_merged_areas_equal_whole_run(helsinki_graph, problem, executor):
    olon, olat, flon, flat, labels, capacity, whole = problem
    areas = split_region(helsinki_graph.bounds, tile_m=500, reach_m=REACH)
    pool = {None: None, "threads": ThreadPoolExecutor(2), "processes": ProcessPoolExecutor(2)}[executor]
    try:
        merged = compute_by_area(helsinki_graph, areas, olon, olat, flon, flat, labels, THRESHOLDS,
                                 reach_m=REACH, capacity=capacity, executor=pool)
    finally:
        if pool is not None:
            pool.shutdown()
    assert merged.categories == whole.categories
    np.testing.assert_array_equal(merged.origin_ok, whole.origin_ok)
    np.testing.assert_allclose(merged.nearest_m, whole.nearest_m, rtol=1e-12)
    np.testing.assert_array_equal(merged.count, whole.count)
    np.testing.assert_allclose(merged.capacity, whole.capacity)


def test_boundary_drops_empty_squares(helsinki_graph):
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    corner = shapely.box(min_lon, min_lat, min_lon + 0.002, min_lat + 0.001)
    areas = split_region(helsinki_graph.bounds, 300, 500, boundary=corner)
    assert 1 <= len(areas) <= 4


def test_thresholds_beyond_reach_rejected(helsinki_graph, problem):
    olon, olat, flon, flat, labels, capacity, _ = problem
    areas = split_region(helsinki_graph.bounds, tile_m=800, reach_m=200)
    with pytest.raises(ValueError, match="exceed the areas' reach"):
        compute_by_area(helsinki_graph, areas, olon, olat, flon, flat, labels, [300.0], reach_m=200)


def test_graph_pickles_without_caches(helsinki_graph):
    snap_points(helsinki_graph, [24.94], [60.17])  # builds the spatial index cache
    assert "_segment_index" in helsinki_graph.__dict__
    copy = pickle.loads(pickle.dumps(helsinki_graph))
    assert "_segment_index" not in copy.__dict__ and copy.n_edges == helsinki_graph.n_edges
