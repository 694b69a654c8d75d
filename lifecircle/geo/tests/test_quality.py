"""Data checks: shifted coordinates (GCJ-02/BD-09 declared as WGS84) and far points."""

import json
from pathlib import Path

import numpy as np
import prcoords
import pytest

from lifecircle.geo.osm import load_network
from lifecircle.geo.quality import coordinate_check

from .conftest import nodes_xml, way_xml

DEMO = Path(__file__).resolve().parents[3] / "data" / "packs" / "jiangning-road"


def to_gcj02(lon, lat):
    pairs = [prcoords.wgs_gcj((y, x)) for x, y in zip(lon, lat)]
    return np.array([p.lon for p in pairs]), np.array([p.lat for p in pairs])


def to_bd09(lon, lat):
    pairs = [prcoords.wgs_bd((y, x)) for x, y in zip(lon, lat)]
    return np.array([p.lon for p in pairs]), np.array([p.lat for p in pairs])


@pytest.fixture(scope="module")
def city_blocks(tmp_path_factory):
    """An irregular street grid (blocks 300-800 m) over 6 km in Shanghai, and 60 doors 5-20 m off it.

    A sparse network: a 500 m shift puts a door ~100 m (median) from the nearest street, where the
    doors sit at ~12 m. In a dense one the shift matters less (see the demo pack test below). The
    blocks are irregular so that no shift lands the doors on the next street by chance.
    """
    rng = np.random.default_rng(7)
    xs = 121.40 + np.cumsum(rng.uniform(0.003, 0.008, 10))
    ys = 31.20 + np.cumsum(rng.uniform(0.003, 0.008, 10))
    coords, ways, grid = {}, [], {}
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            grid[i, j] = len(coords) + 1
            coords[grid[i, j]] = (x, y)
    for i in range(len(xs)):
        ways.append(way_xml(1000 + i, [grid[i, j] for j in range(len(ys))], highway="residential"))
        ways.append(way_xml(2000 + i, [grid[j, i] for j in range(len(xs))], highway="footway"))
    path = tmp_path_factory.mktemp("blocks") / "blocks.osm"
    path.write_text('<?xml version="1.0"?>\n<osm version="0.6">\n' + nodes_xml(coords) + "\n"
                    + "\n".join(ways) + "\n</osm>\n", encoding="utf-8")
    graph = load_network(path)
    street = xs[rng.integers(2, len(xs) - 3, 60)]  # a north-south street, away from the edges
    lat = rng.uniform(ys[2], ys[-3], 60)
    side = rng.choice([-1, 1], 60) * rng.uniform(5, 20, 60) / (111_320 * np.cos(np.radians(31.2)))
    return graph, street + side, lat


def test_points_where_the_streets_are_pass(city_blocks):
    graph, lon, lat = city_blocks
    report = coordinate_check(graph, lon, lat)
    assert report.points == 60 and report.far_share == 0.0
    assert report.median_distance_m < 20
    assert report.suggestion is None and not report.strong and not report.worrying
    assert report.message("compounds") == ""


def test_gcj02_declared_as_wgs84_is_caught_and_named(city_blocks):
    graph, lon, lat = city_blocks
    g_lon, g_lat = to_gcj02(lon, lat)
    # The shift itself, as the issue measured it for Shanghai: about +0.0045° lon, -0.002° lat.
    assert np.mean(g_lon - lon) == pytest.approx(0.0046, abs=3e-4)
    assert np.mean(g_lat - lat) == pytest.approx(-0.0019, abs=3e-4)
    report = coordinate_check(graph, g_lon, g_lat)
    assert report.strong and report.suggestion.system == "GCJ-02"
    assert report.suggestion.closer_share >= 0.9
    text = report.message("compounds")
    assert "look like GCJ-02 coordinates" in text and "Amap" in text and "60 compounds" in text


def test_bd09_is_told_from_gcj02(city_blocks):
    graph, lon, lat = city_blocks
    report = coordinate_check(graph, *to_bd09(lon, lat))
    assert report.strong and report.suggestion.system == "BD-09" and "Baidu" in report.message()


def test_points_far_from_every_street_are_reported_with_their_direction(city_blocks):
    graph, lon, lat = city_blocks
    # Everything 1.5 km north of the network's north edge: far, and the streets all lie to the south.
    report = coordinate_check(graph, lon, np.full_like(lat, lat0_north_of(graph)))
    assert report.far_share == 1.0 and report.strong and report.suggestion is None
    assert report.consistency > 0.95 and report.mean_offset_north_m < -1000
    text = report.message("facilities")
    assert "100% of the 60 facilities are more than 150 m" in text and "to the south of them" in text
    assert "Check that the coordinates are WGS84" in text


def lat0_north_of(graph):
    return graph.bounds[3] + 0.0135  # 1.5 km north of the northernmost street


def test_few_points_are_not_judged(city_blocks):
    graph, lon, lat = city_blocks
    report = coordinate_check(graph, *to_gcj02(lon[:5], lat[:5]))
    assert not report.strong and not report.worrying


def test_outside_china_no_chinese_system_is_tried(helsinki_graph):
    lon, lat = helsinki_graph.node_lon[:50], helsinki_graph.node_lat[:50]
    report = coordinate_check(helsinki_graph, lon, lat)
    assert report.conversions == [] and not report.worrying


def test_demo_pack_is_clean_and_its_baidu_version_is_refused():
    """On the demo's dense (illustrative) network, its places pass; shifted to BD-09 they are refused,
    shifted to GCJ-02 they are at least suggested: a shifted point there still lies near some path."""
    points = []
    for name in ("compounds", "facilities", "pois"):
        features = json.loads((DEMO / f"{name}.geojson").read_text(encoding="utf-8"))["features"]
        points += [f["geometry"]["coordinates"] for f in features]
    lon, lat = np.array(points).T
    graph = load_network(DEMO / "network.osm")
    assert not coordinate_check(graph, lon, lat).worrying
    assert coordinate_check(graph, *to_bd09(lon, lat)).strong
    gcj = coordinate_check(graph, *to_gcj02(lon, lat))
    assert gcj.worrying and gcj.suggestion.system == "GCJ-02"
