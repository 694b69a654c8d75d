"""Accessibility: exact distances and counts, checked against a networkx oracle."""

import numpy as np
import pytest

from lifecircle.geo import WalkGraph
from lifecircle.geo.accessibility import accessibility, facilities_within, nearest_facilities
from lifecircle.geo.snapping import snap_nodes, snap_points
from lifecircle.geo.walking import minutes_to_metres

from .oracle import oracle_distances, random_graph

CATEGORIES = np.array(["clinic", "market", "school"])


def expected_from_oracle(dist, codes, n_cat, thresholds, capacity):
    n = dist.shape[0]
    nearest = np.full((n, n_cat), np.inf)
    count = np.zeros((n, n_cat, len(thresholds)), dtype=int)
    cap = np.zeros((n, n_cat, len(thresholds)))
    for c in range(n_cat):
        cols = dist[:, codes == c]
        cols = np.where(np.isnan(cols), np.inf, cols)
        if cols.shape[1]:
            nearest[:, c] = cols.min(axis=1)
        for t, limit in enumerate(thresholds):
            within = cols <= limit
            count[:, c, t] = within.sum(axis=1)
            cap[:, c, t] = (within * capacity[codes == c]).sum(axis=1)
    return nearest, count, cap


def random_points(rng, graph, n, spread=1.3):
    min_lon, min_lat, max_lon, max_lat = graph.bounds
    cx, cy = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    return (cx + (rng.random(n) - 0.5) * (max_lon - min_lon) * spread,
            cy + (rng.random(n) - 0.5) * (max_lat - min_lat) * spread)


def check_against_oracle(graph, origins, facilities, labels, thresholds, capacity, tile_m=None):
    dist = oracle_distances(graph, origins, facilities)
    names, codes = np.unique(labels, return_inverse=True)
    ok_f = facilities.ok
    nearest, count, cap = expected_from_oracle(dist[:, ok_f], codes[ok_f], len(names), thresholds, capacity[ok_f])
    result = accessibility(graph, origins, facilities, labels, thresholds, capacity=capacity)
    ok = origins.ok
    assert result.categories == list(names)
    assert np.isnan(result.nearest_m[~ok]).all()
    np.testing.assert_allclose(result.nearest_m[ok], nearest[ok], rtol=1e-9, atol=1e-6)
    # Counts compare distances to thresholds; skip pairs within a rounding hair of one.
    near_tie = np.zeros(count.shape, dtype=bool)
    for t, limit in enumerate(thresholds):
        for c in range(len(names)):
            cols = dist[:, ok_f][:, codes[ok_f] == c]
            near_tie[:, c, t] = (np.abs(cols - limit) < 1e-6).any(axis=1)
    assert np.array_equal(result.count[ok][~near_tie[ok]], count[ok][~near_tie[ok]])
    np.testing.assert_allclose(result.capacity[ok][~near_tie[ok]], cap[ok][~near_tie[ok]])
    assert (result.count[~ok] == 0).all()
    if tile_m is not None:
        small_tiles, _ = facilities_within(graph, origins, facilities, thresholds, categories=labels, tile_m=tile_m)
        assert np.array_equal(small_tiles, result.count)
    return result


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_match_oracle(seed):
    rng = np.random.default_rng(seed)
    graph = random_graph(seed)
    origins = snap_points(graph, *random_points(rng, graph, 80), max_snap_m=150)
    facilities = snap_points(graph, *random_points(rng, graph, 25), max_snap_m=150)
    labels = CATEGORIES[rng.integers(0, 3, 25)]
    capacity = rng.integers(1, 50, 25).astype(float)
    assert not origins.ok.all()  # some points fall beyond max_snap_m and must be reported
    result = check_against_oracle(graph, origins, facilities, labels, [150.0, 400.0, 700.0], capacity, tile_m=60)
    assert result.count[..., -1].sum() > 0  # the test exercises reachable facilities


def test_graph_nodes_as_origins_match_oracle():
    rng = np.random.default_rng(11)
    graph = random_graph(11)
    origins = snap_nodes(graph)
    facilities = snap_points(graph, *random_points(rng, graph, 20, spread=1.0))
    labels = CATEGORIES[rng.integers(0, 3, 20)]
    result = check_against_oracle(graph, origins, facilities, labels, [200.0, 500.0], np.ones(20))
    via_none = accessibility(graph, None, facilities, labels, [200.0, 500.0])
    np.testing.assert_array_equal(via_none.nearest_m, result.nearest_m)
    np.testing.assert_array_equal(via_none.count, result.count)
    # The island's nodes can reach nothing.
    island = np.isin(graph.node_osmid, [900, 901])
    assert np.isinf(result.nearest_m[island]).all()


def long_street():
    """A 1 km street 0-1 that bends far north, and a 200 m shortcut between its ends."""
    refs = [0, 50, 51, 1, 0, 1]
    lon = [121.440, 121.440, 121.442, 121.442, 121.440, 121.442]
    lat = [31.230, 31.2335, 31.2335, 31.230, 31.230, 31.230]
    return WalkGraph.from_polylines([0, 4, 6], refs, lon, lat)


def test_same_edge_direct_walk():
    graph = long_street()
    bend = int(np.argmax(graph.edge_length))
    # Both points near the far end of the bend: walking along it beats the shortcut.
    origin = snap_points(graph, [121.4405], [31.2336])
    facility = snap_points(graph, [121.4415], [31.2336])
    assert origin.edge[0] == facility.edge[0] == bend
    result = accessibility(graph, origin, facility, ["clinic"], [100.0, 200.0])
    expected = origin.offset_m[0] + facility.offset_m[0] + abs(origin.dist_u[0] - facility.dist_u[0])
    assert result.nearest_m[0, 0] == pytest.approx(expected)
    assert 110 < expected < 125  # 95 m along the street plus two 11 m legs
    assert result.count[0, 0].tolist() == [0, 1]


def test_same_edge_but_shortcut_is_shorter():
    graph = long_street()
    # On the bend, one just after its start and one just before its end:
    # going back to the ends and across the 190 m shortcut is shorter.
    origin = snap_points(graph, [121.4400], [31.2305])
    facility = snap_points(graph, [121.4420], [31.2305])
    assert origin.edge[0] == facility.edge[0]
    result = accessibility(graph, origin, facility, ["clinic"], [300.0])
    shortcut = float(graph.edge_length.min())
    expected = origin.offset_m[0] + origin.dist_u[0] + shortcut + facility.dist_v[0] + facility.offset_m[0]
    assert result.nearest_m[0, 0] == pytest.approx(expected, rel=1e-6)
    assert result.nearest_m[0, 0] < abs(origin.dist_u[0] - facility.dist_u[0])


def test_helsinki_matches_oracle(helsinki_graph):
    rng = np.random.default_rng(5)
    origins = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 300))
    facilities = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 30, spread=1.0))
    labels = CATEGORIES[rng.integers(0, 3, 30)]
    capacity = rng.integers(1, 100, 30).astype(float)
    thresholds = minutes_to_metres([5, 10, 15])
    check_against_oracle(helsinki_graph, origins, facilities, labels, thresholds, capacity, tile_m=150)


def test_max_distance_and_missing_categories(helsinki_graph):
    rng = np.random.default_rng(8)
    origins = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 50, spread=1.0))
    facilities = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 5, spread=1.0))
    full = accessibility(helsinki_graph, origins, facilities, ["clinic"] * 5, [300.0],
                         category_names=["clinic", "elderly_care"])
    capped = accessibility(helsinki_graph, origins, facilities, ["clinic"] * 5, [300.0], max_distance_m=250.0)
    assert full.categories == ["clinic", "elderly_care"]
    assert np.isinf(full.nearest_m[:, 1]).all() and (full.count[:, 1] == 0).all()
    near = full.nearest_m[:, 0] <= 250.0
    np.testing.assert_array_equal(capped.nearest_m[near, 0], full.nearest_m[near, 0])
    assert np.isinf(capped.nearest_m[~near, 0]).all()


def test_nearest_facilities_function_orders_categories(helsinki_graph):
    rng = np.random.default_rng(3)
    origins = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 20, spread=1.0))
    facilities = snap_points(helsinki_graph, *random_points(rng, helsinki_graph, 6, spread=1.0))
    labels = ["b", "a", "b", "a", "c", "c"]
    nearest = nearest_facilities(helsinki_graph, origins, facilities, labels)
    dist = oracle_distances(helsinki_graph, origins, facilities)
    for c, name in enumerate(["a", "b", "c"]):
        cols = [j for j, lab in enumerate(labels) if lab == name]
        np.testing.assert_allclose(nearest[:, c], dist[:, cols].min(axis=1), atol=1e-6)


@pytest.mark.parametrize("thresholds", [[], [300, 200], [0, 100], [np.nan]])
def test_bad_thresholds(helsinki_graph, thresholds):
    pts = snap_points(helsinki_graph, [24.94], [60.17])
    with pytest.raises(ValueError, match="thresholds"):
        accessibility(helsinki_graph, pts, pts, ["x"], thresholds)


def test_label_and_capacity_lengths_checked(helsinki_graph):
    pts = snap_points(helsinki_graph, [24.94, 24.945], [60.17, 60.171])
    with pytest.raises(ValueError, match="category labels"):
        accessibility(helsinki_graph, pts, pts, ["x"], [300])
    with pytest.raises(ValueError, match="capacities"):
        accessibility(helsinki_graph, pts, pts, ["x", "y"], [300], capacity=[1.0])


def test_no_facility_on_the_network(helsinki_graph):
    origins = snap_points(helsinki_graph, [24.944, 24.95], [60.17, 60.175])
    nowhere = snap_points(helsinki_graph, [26.0], [61.0])  # 100 km away: reported, not snapped
    result = accessibility(helsinki_graph, origins, nowhere, ["clinic"], [300.0])
    assert nowhere.far_index.tolist() == [0]
    assert np.isinf(result.nearest_m).all() and (result.count == 0).all()


@pytest.mark.parametrize("seed", range(3))
def test_capped_nearest_from_counting_searches_matches_oracle(seed):
    rng = np.random.default_rng(100 + seed)
    graph = random_graph(100 + seed)
    origins = snap_points(graph, *random_points(rng, graph, 80), max_snap_m=150)
    facilities = snap_points(graph, *random_points(rng, graph, 20), max_snap_m=150)
    labels = CATEGORIES[rng.integers(0, 3, 20)]
    dist = oracle_distances(graph, origins, facilities)
    result = accessibility(graph, origins, facilities, labels, [200.0, 450.0], max_distance_m=400.0)
    for c, name in enumerate(result.categories):
        cols = np.where(np.isnan(dist[:, labels == name]), np.inf, dist[:, labels == name])
        expected = cols.min(axis=1) if cols.shape[1] else np.full(len(origins), np.inf)
        expected[expected > 400.0] = np.inf
        ok = origins.ok
        np.testing.assert_allclose(result.nearest_m[ok, c], expected[ok], rtol=1e-9, atol=1e-6)
        assert np.isnan(result.nearest_m[~ok, c]).all()
