"""Snapping points to the nearest point of the nearest edge."""

import numpy as np
import pytest
import shapely

from lifecircle.geo import SnapError, WalkGraph
from lifecircle.geo.distance import LocalProjection, haversine_m
from lifecircle.geo.snapping import snap_nodes, snap_points


def test_matches_brute_force_on_helsinki(helsinki_graph):
    g = helsinki_graph
    rng = np.random.default_rng(0)
    min_lon, min_lat, max_lon, max_lat = g.bounds
    lon = rng.uniform(min_lon - 0.004, max_lon + 0.004, 400)
    lat = rng.uniform(min_lat - 0.002, max_lat + 0.002, 400)
    snap = snap_points(g, lon, lat, max_snap_m=150)
    lines = g.edge_lines()
    for i in range(400):
        proj = LocalProjection(lon[i], lat[i])
        dist = shapely.distance(proj.transform_geometry(lines), shapely.Point(0, 0))
        best = dist.min()
        if snap.ok[i]:
            assert snap.offset_m[i] == pytest.approx(best, abs=0.01)
            assert dist[snap.edge[i]] == pytest.approx(best, abs=0.01)
        else:
            assert best > 150
    far = dict(zip(snap.far_index.tolist(), snap.far_distance_m.tolist()))
    assert set(far) == set(np.flatnonzero(~snap.ok).tolist()) and len(far) > 10
    for i, d in far.items():
        proj = LocalProjection(lon[i], lat[i])
        assert d == pytest.approx(shapely.distance(proj.transform_geometry(lines), shapely.Point(0, 0)).min(),
                                  abs=0.01)


def test_attachment_point_splits_the_edge(helsinki_graph):
    g = helsinki_graph
    rng = np.random.default_rng(1)
    min_lon, min_lat, max_lon, max_lat = g.bounds
    snap = snap_points(g, rng.uniform(min_lon, max_lon, 500), rng.uniform(min_lat, max_lat, 500))
    ok = snap.ok
    np.testing.assert_allclose(snap.dist_u[ok] + snap.dist_v[ok], g.edge_length[snap.edge[ok]], rtol=1e-6)
    assert (snap.dist_u[ok] >= 0).all() and (snap.dist_v[ok] >= 0).all()
    assert np.array_equal(snap.u[ok], g.edge_u[snap.edge[ok]])
    # The street point really lies on the chosen edge, dist_u along it.
    lines = g.edge_lines(snap.edge[ok])
    pts = shapely.points(snap.street_lon[ok], snap.street_lat[ok])
    assert (shapely.distance(lines, pts) < 1e-9).all()
    proj = LocalProjection.around(g.geom_lon, g.geom_lat)
    along = shapely.line_locate_point(proj.transform_geometry(lines), proj.transform_geometry(pts))
    np.testing.assert_allclose(along, snap.dist_u[ok], rtol=5e-3, atol=0.05)


def test_point_on_a_node_and_far_points():
    g = WalkGraph.from_polylines([0, 3], [1, 2, 3], [121.44, 121.441, 121.442], [31.23, 31.23, 31.23])
    snap = snap_points(g, [121.441, 121.4425, 121.45, 121.441], [31.23, 31.23, 31.23, 31.2305], max_snap_m=100)
    assert snap.offset_m[0] == pytest.approx(0.0, abs=1e-6)
    assert snap.dist_u[0] == pytest.approx(g.edge_length[0] / 2, rel=1e-6)
    assert snap.dist_v[1] == 0.0 and snap.offset_m[1] == pytest.approx(47.6, abs=0.2)  # past the end
    assert snap.offset_m[3] == pytest.approx(55.6, abs=0.2)
    assert len(snap) == 4 and snap.far_index.tolist() == [2]
    to_end = haversine_m(121.442, 31.23, 121.45, 31.23)
    assert snap.far_report() == [{"index": 2, "distance_m": pytest.approx(to_end, rel=1e-4)}]
    assert snap.edge[2] == -1 and np.isnan(snap.dist_u[2])


def test_take_keeps_far_report_consistent(helsinki_graph):
    snap = snap_points(helsinki_graph, [24.94, 30.0, 24.945, 31.0], [60.17, 60.0, 60.171, 61.0])
    assert snap.far_index.tolist() == [1, 3]
    part = snap.take([3, 2])
    assert len(part) == 2 and part.far_index.tolist() == [0] and part.ok.tolist() == [False, True]


def test_bad_coordinates_are_reported(helsinki_graph):
    with pytest.raises(SnapError, match=r"homes\.csv: 2 point\(s\).*#1.*#3"):
        snap_points(helsinki_graph, [24.94, np.nan, 24.95, 200.0], [60.17, 60.17, 60.17, 60.17],
                    source="homes.csv")
    with pytest.raises(SnapError, match="differ in shape"):
        snap_points(helsinki_graph, [24.94, 24.95], [60.17])


def test_empty_input(helsinki_graph):
    snap = snap_points(helsinki_graph, [], [])
    assert len(snap) == 0 and snap.far_index.size == 0


def test_snap_nodes(helsinki_graph):
    g = helsinki_graph
    snap = snap_nodes(g)
    nodes = np.arange(g.n_nodes)
    at = np.where(snap.dist_u == 0, snap.u, snap.v)
    assert np.array_equal(at, nodes)
    assert (snap.offset_m == 0).all() and snap.ok.all()
