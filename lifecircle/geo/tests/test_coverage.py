"""Coverage shares and gap lists."""

import numpy as np
import pytest

from lifecircle.geo.accessibility import accessibility
from lifecircle.geo.coverage import coverage
from lifecircle.geo.snapping import snap_points

NEAREST = np.array([
    [100.0, 900.0],    # home 0: clinic close, market far
    [400.0, 200.0],    # home 1
    [np.inf, 50.0],    # home 2: no clinic reachable
    [np.nan, np.nan],  # home 3: off the network
])


def test_shares_and_gaps_by_hand():
    result = coverage(NEAREST, ["clinic", "market"], population=[10, 30, 20, 40],
                      groups=["A", "A", "B", "B"], thresholds_m={"clinic": 300, "market": 500})
    assert result.groups == ["A", "B"]
    np.testing.assert_allclose(result.population, [40, 60])
    np.testing.assert_allclose(result.covered_population, [[10, 30], [0, 20]])
    np.testing.assert_allclose(result.share, [[0.25, 0.75], [0.0, 20 / 60]])
    gaps = sorted(zip(result.gap_origin.tolist(), result.gap_category.tolist()))
    assert gaps == [(0, 1), (1, 0), (2, 0), (3, 0), (3, 1)]
    records = result.gap_records()
    assert records[0] == {"origin": 2, "category": "clinic", "distance_m": float("inf"), "shortfall_m": float("inf")}
    assert {"origin": 1, "category": "clinic", "distance_m": 400.0, "shortfall_m": 100.0} in records
    assert {"origin": 3, "category": "market", "distance_m": None, "shortfall_m": None} in records
    rows = result.share_records()
    assert rows[0] == {"group": "A", "category": "clinic", "threshold_m": 300.0, "population": 40.0,
                       "covered_population": 10.0, "share": 0.25}


def test_threshold_forms_and_empty_groups():
    one = coverage(NEAREST, ["clinic", "market"], [1, 1, 1, 1], ["g"] * 4, 450)
    seq = coverage(NEAREST, ["clinic", "market"], [1, 1, 1, 1], ["g"] * 4, [450, 450])
    np.testing.assert_array_equal(one.covered_population, seq.covered_population)
    zero = coverage(NEAREST, ["clinic", "market"], [0, 0, 1, 1], ["empty", "empty", "b", "b"], 450)
    assert np.isnan(zero.share[zero.groups.index("empty")]).all()
    assert [r["share"] for r in zero.share_records() if r["group"] == "empty"] == [None, None]


@pytest.mark.parametrize("kwargs, message", [
    ({"population": [1, 2, 3]}, "population weights"),
    ({"population": [1, -2, 3, 4]}, "non-negative"),
    ({"groups": ["a"]}, "group labels"),
    ({"thresholds_m": {"clinic": 300}}, "no threshold given"),
    ({"thresholds_m": [300]}, "thresholds for 2 categories"),
    ({"thresholds_m": -5}, "positive"),
])
def test_bad_input(kwargs, message):
    args = {"population": [1, 1, 1, 1], "groups": ["a"] * 4, "thresholds_m": 300}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        coverage(NEAREST, ["clinic", "market"], **args)


def test_from_accessibility_on_helsinki(helsinki_graph):
    rng = np.random.default_rng(2)
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    homes = snap_points(helsinki_graph, rng.uniform(min_lon, max_lon, 500), rng.uniform(min_lat, max_lat, 500))
    shops = snap_points(helsinki_graph, rng.uniform(min_lon, max_lon, 8), rng.uniform(min_lat, max_lat, 8))
    acc = accessibility(helsinki_graph, homes, shops, ["shop"] * 4 + ["clinic"] * 4, [300.0])
    pop = rng.integers(1, 100, 500).astype(float)
    grid = np.where(homes.street_lon < (min_lon + max_lon) / 2, "west", "east")
    result = coverage(acc.nearest_m, acc.categories, pop, grid, 300.0)
    for gi, g in enumerate(result.groups):
        for ci in range(2):
            mine = grid == g
            within = acc.count[:, ci, 0] > 0  # counts and nearest must agree on coverage
            assert result.covered_population[gi, ci] == pytest.approx(pop[mine & within].sum())
    assert len(result.gap_origin) == int((acc.count[:, :, 0] == 0).sum())
