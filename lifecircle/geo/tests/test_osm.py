"""OSM import: walkability rules, splitting, boundaries, and bad input."""

import bz2
import os

import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from lifecircle.geo import BoundaryError, OSMError, WalkGraph, is_walkable, load_network
from lifecircle.geo.osm import build_network
from lifecircle.geo.distance import haversine_m

from .conftest import HELSINKI_PBF, nodes_xml, osm_xml, way_xml

# A plus-shaped crossing near Jiangning Road: ways 1 (west-east) and 2
# (south-north) meet at node 5; node 2 is a mere shape point of way 1.
PLUS_NODES = {
    1: (121.440, 31.230), 2: (121.441, 31.2302), 5: (121.442, 31.230), 3: (121.444, 31.230),
    4: (121.442, 31.228), 6: (121.442, 31.232),
}


def plus_body(tags1=None, tags2=None):
    tags1 = tags1 or {"highway": "residential", "name": "Jiangning Road"}
    tags2 = tags2 or {"highway": "footway"}
    return nodes_xml(PLUS_NODES) + "\n" + way_xml(1, [1, 2, 5, 3], **tags1) + "\n" + way_xml(2, [4, 5, 6], **tags2)


@pytest.mark.parametrize("tags, expected", [
    ({"highway": "footway"}, True),
    ({"highway": "footway", "footway": "crossing"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "corridor"}, True),
    ({"highway": "living_street"}, True),
    ({"highway": "track"}, True),
    ({"highway": "secondary_link"}, True),
    ({"highway": "residential", "oneway": "yes"}, True),
    ({"highway": "motorway"}, False),
    ({"highway": "motorway_link", "foot": "yes"}, False),
    ({"highway": "trunk"}, False),
    ({"highway": "trunk", "sidewalk": "both"}, True),
    ({"highway": "trunk_link", "sidewalk:left": "yes"}, True),
    ({"highway": "trunk", "sidewalk": "separate"}, False),
    ({"highway": "trunk", "sidewalk": "no"}, False),
    ({"highway": "residential", "access": "private"}, False),
    ({"highway": "service", "access": "no"}, False),
    ({"highway": "service", "access": "no", "foot": "yes"}, True),
    ({"highway": "primary", "foot": "no"}, False),
    ({"highway": "footway", "foot": "private"}, False),
    ({"highway": "cycleway"}, False),
    ({"highway": "cycleway", "foot": "designated"}, True),
    ({"highway": "construction", "foot": "yes"}, False),
    ({"building": "yes"}, False),
    # Car tunnels and expressways closed to walkers are not walkable; underpasses are.
    ({"highway": "primary", "tunnel": "yes"}, False),
    ({"highway": "residential", "tunnel": "yes"}, False),
    ({"highway": "service", "tunnel": "yes"}, False),
    ({"highway": "primary", "tunnel": "yes", "sidewalk": "both"}, True),
    ({"highway": "secondary", "tunnel": "yes", "foot": "yes"}, True),
    ({"highway": "residential", "tunnel": "building_passage"}, True),
    ({"highway": "footway", "tunnel": "yes"}, True),
    ({"highway": "steps", "tunnel": "yes"}, True),
    ({"highway": "primary", "motorroad": "yes"}, False),
    ({"highway": "trunk", "motorroad": "yes", "sidewalk": "both"}, False),
    ({"highway": "primary", "motorroad": "yes", "foot": "yes"}, False),
])
def test_walkability_rules(tags, expected):
    assert is_walkable(tags) is expected


def test_ways_split_at_shared_nodes_keep_shape_points(write_osm):
    graph = load_network(write_osm(plus_body()))
    assert graph.n_nodes == 5  # node 2 is only a shape point
    assert graph.n_edges == 4
    assert sorted(graph.node_osmid.tolist()) == [1, 3, 4, 5, 6]
    west = next(e for e in range(graph.n_edges)
                if {graph.node_osmid[graph.edge_u[e]], graph.node_osmid[graph.edge_v[e]]} == {1, 5})
    coords = graph.edge_coords(west)
    assert len(coords) == 3 and [121.441, 31.2302] in coords.tolist()
    expected = haversine_m(121.440, 31.230, 121.441, 31.2302) + haversine_m(121.441, 31.2302, 121.442, 31.230)
    assert graph.edge_length[west] == pytest.approx(expected, rel=1e-6)
    assert graph.edge_name_str(west) == "Jiangning Road"
    assert graph.edge_way[west] == 1


def test_street_names_keep_their_english_and_chinese_forms(write_osm, tmp_path):
    """name:en and name:zh (name:zh-Hans first) ride along with name, through save and load and into GeoJSON."""
    body = plus_body(tags1={"highway": "residential", "name": "江宁路", "name__en": "Jiangning Road"},
                     tags2={"highway": "footway", "name": "Lane 3", "name__zh": "三弄", "name__zh-Hans": "三号弄"})
    # A third way with the same Chinese name but no English one keeps its own (blank) English form.
    body += "\n" + nodes_xml({7: (121.444, 31.232)}) + "\n" + way_xml(3, [3, 7], highway="footway", name="江宁路")
    graph = load_network(write_osm(body))
    path = tmp_path / "graph.npz"
    graph.save(path)
    for g in (graph, WalkGraph.load(path)):
        forms = {int(g.edge_way[e]): g.edge_names(e) for e in range(g.n_edges)}
        assert forms[1] == {"name": "江宁路", "name_en": "Jiangning Road", "name_zh": None}
        assert forms[2] == {"name": "Lane 3", "name_en": None, "name_zh": "三号弄"}
        assert forms[3] == {"name": "江宁路", "name_en": None, "name_zh": None}
        names_in = {lang: {int(g.edge_way[e]): g.edge_name_str(e, lang) for e in range(g.n_edges)}
                    for lang in (None, "en-us", "zh-hans")}
        assert names_in == {None: {1: "江宁路", 2: "Lane 3", 3: "江宁路"},  # no translation: the name itself
                            "en-us": {1: "Jiangning Road", 2: "Lane 3", 3: "江宁路"},
                            "zh-hans": {1: "江宁路", 2: "三号弄", 3: "江宁路"}}
        properties = {f["properties"]["way_id"]: f["properties"] for f in g.to_geojson()["features"]}
        assert properties[1]["name_en"] == "Jiangning Road" and properties[3]["name_en"] is None


def test_a_network_without_other_languages_keeps_none(write_osm):
    graph = load_network(write_osm(plus_body()))
    assert graph.name_translations == {}
    assert {graph.edge_names(e)["name_en"] for e in range(graph.n_edges)} == {None}


def test_excluded_way_does_not_split_or_appear(write_osm):
    body = plus_body(tags2={"highway": "motorway"})
    graph = load_network(write_osm(body))
    assert graph.n_edges == 1  # way 1 is no longer split at node 5
    assert set(graph.node_osmid.tolist()) == {1, 3}
    assert graph.edge_length[0] == pytest.approx(
        haversine_m(121.440, 31.230, 121.441, 31.2302) + haversine_m(121.441, 31.2302, 121.442, 31.230)
        + haversine_m(121.442, 31.230, 121.444, 31.230), rel=1e-6)


@pytest.mark.parametrize("tags2, walkable", [
    ({"highway": "footway", "access": "private"}, False),
    ({"highway": "footway", "access": "no", "foot": "yes"}, True),
    ({"highway": "primary", "foot": "no"}, False),
    ({"highway": "trunk", "sidewalk": "right"}, True),
])
def test_access_rules_in_files(write_osm, tags2, walkable):
    graph = load_network(write_osm(plus_body(tags2=tags2)), largest_component=False)
    assert (graph.n_edges == 4) is walkable


def test_oneway_does_not_bind_walkers(write_osm):
    coords = {1: (121.44, 31.23), 2: (121.441, 31.23), 3: (121.442, 31.23)}
    body = nodes_xml(coords) + "\n" + way_xml(7, [1, 2, 3], highway="primary", oneway="yes") \
        + "\n" + way_xml(8, [2, 3], highway="footway", oneway="-1")
    graph = load_network(write_osm(body))
    dist = dijkstra(graph.csgraph, indices=np.arange(graph.n_nodes))
    assert np.isfinite(dist).all()
    assert np.allclose(dist, dist.T)


def test_parallel_edges_route_on_the_shorter(write_osm):
    coords = {1: (121.44, 31.23), 2: (121.442, 31.23), 3: (121.441, 31.231)}
    body = nodes_xml(coords) + "\n" + way_xml(1, [1, 2], highway="footway") \
        + "\n" + way_xml(2, [1, 3, 2], highway="footway")
    graph = load_network(write_osm(body))
    assert graph.n_edges == 2 and graph.n_nodes == 2
    assert len(graph.indices) == 2  # one slot per direction, not two
    assert graph.weights[0] == pytest.approx(haversine_m(121.44, 31.23, 121.442, 31.23), rel=1e-6)
    assert len(graph.to_geojson()["features"]) == 2


def test_loop_way_is_split_where_it_closes(write_osm):
    # A footway round a pond (1-2-3-1) joined by a path at node 1.
    coords = {1: (121.44, 31.23), 2: (121.441, 31.23), 3: (121.4405, 31.231), 4: (121.439, 31.23)}
    body = nodes_xml(coords) + "\n" + way_xml(1, [1, 2, 3, 1], highway="footway") \
        + "\n" + way_xml(2, [4, 1], highway="path")
    graph = load_network(write_osm(body))
    assert graph.n_edges == 2
    loop = int(np.flatnonzero(graph.edge_u == graph.edge_v)[0])
    assert len(graph.edge_coords(loop)) == 4


def test_way_leaving_the_extract_is_cut_not_dropped(write_osm):
    # Node 99 is referenced but not in the file, as at the edge of an extract.
    coords = {1: (121.44, 31.23), 2: (121.441, 31.23), 3: (121.442, 31.23), 4: (121.443, 31.23)}
    body = nodes_xml(coords) + "\n" + way_xml(1, [1, 2, 99, 3, 4], highway="residential")
    graph = load_network(write_osm(body), largest_component=False)
    assert graph.n_edges == 2
    assert set(graph.node_osmid.tolist()) == {1, 2, 3, 4}
    assert load_network(write_osm(body)).n_edges == 1


def test_car_tunnel_in_a_file_is_left_out(write_osm):
    graph = load_network(write_osm(plus_body(tags1={"highway": "primary", "tunnel": "yes", "layer": "-1"})),
                         largest_component=False)
    assert set(graph.edge_way.tolist()) == {2}


def test_negative_ids_as_josm_and_osmnx_write_them(write_osm):
    # JOSM and osmnx number new objects negatively; libosmium's location index cannot hold them.
    coords = {-1: (121.440, 31.230), -2: (121.442, 31.230), -3: (121.442, 31.232), 4: (121.440, 31.232)}
    body = (nodes_xml(coords) + "\n" + way_xml(-10, [-1, -2], highway="residential")
            + "\n" + way_xml(-11, [-2, -3], highway="footway") + "\n" + way_xml(12, [-3, 4, -1], highway="footway"))
    build = build_network(write_osm(body))
    graph = build.graph
    assert sorted(graph.edge_way.tolist()) == [-11, -10, 12]
    assert sorted(graph.node_osmid.tolist()) == [-3, -2, -1]  # node 4 is a shape point of way 12
    assert graph.edge_length.sum() == pytest.approx(
        2 * haversine_m(121.440, 31.230, 121.442, 31.230) + 2 * haversine_m(121.442, 31.230, 121.442, 31.232),
        rel=1e-5)
    assert build.ways_cut == 0 and build.warnings == []


def test_ways_cut_at_missing_nodes_are_counted(write_osm):
    coords = {1: (121.44, 31.23), 2: (121.441, 31.23), 3: (121.442, 31.23), 4: (121.443, 31.23)}
    body = nodes_xml(coords) + "\n" + way_xml(1, [1, 2, 99, 3, 4], highway="residential")
    build = build_network(write_osm(body), largest_component=False)
    assert build.ways_cut == 1
    assert any("1 way(s) run out of the extract" in w for w in build.warnings)


def test_dropped_islands_are_reported_with_their_place(write_osm):
    # The plus, and two separate footways: 111 m near 31.25 N and 95 m near 31.26 N.
    far = {10: (121.45, 31.25), 11: (121.45, 31.251), 12: (121.46, 31.26), 13: (121.461, 31.26)}
    body = (plus_body() + "\n" + nodes_xml(far) + "\n" + way_xml(20, [10, 11], highway="footway")
            + "\n" + way_xml(21, [12, 13], highway="path"))
    build = build_network(write_osm(body))
    assert build.graph.n_edges == 4
    assert [i.way_ids for i in build.islands] == [(20,), (21,)]
    first = build.islands[0]
    assert first.length_m == pytest.approx(haversine_m(121.45, 31.25, 121.45, 31.251), rel=1e-6)
    assert (first.lon, first.lat) == pytest.approx((121.45, 31.2505), abs=6e-4)
    assert build.islands_length_m == pytest.approx(first.length_m + haversine_m(121.46, 31.26, 121.461, 31.26))
    message = build.warnings[0]
    assert message.startswith("2 piece(s) of street with 0.2 km in all are cut off") and "31.25" in message
    kept = build_network(write_osm(body), largest_component=False)
    assert kept.islands == [] and kept.graph.n_edges == 6


def test_car_only_network_is_flagged(write_osm):
    car = build_network(write_osm(plus_body(tags2={"highway": "secondary"})))
    assert car.pedestrian.ways == 0 and car.pedestrian.lacking
    assert any("looks like a network for cars" in w for w in car.warnings)
    walk = build_network(write_osm(plus_body()))
    assert walk.pedestrian.ways == 1 and walk.pedestrian.share == pytest.approx(0.5, abs=0.05)
    assert not walk.pedestrian.lacking and walk.warnings == []


def test_boundary_the_network_does_not_cover_is_refused(write_osm):
    # The plus spans 121.440-121.444; a boundary mostly east of it (Pudong's boundary with Puxi's
    # streets) overlaps the buffer, but most of it is far from any street.
    path = write_osm(plus_body())
    with pytest.raises(BoundaryError, match="does not cover the boundary") as err:
        build_network(path, boundary=shapely.box(121.443, 31.226, 121.475, 31.234))
    assert err.value.path == path and "of the boundary area lies within 200 m" in str(err.value)
    thin = build_network(path, boundary=shapely.box(121.443, 31.226, 121.475, 31.234), min_street_coverage=0)
    assert thin.street_coverage.share < 0.2 and any("boundary area" in w for w in thin.warnings)
    covered = build_network(path, boundary=shapely.box(121.4405, 31.2285, 121.4435, 31.2315))
    assert covered.street_coverage.share == 1.0 and covered.warnings == []


def test_reads_bz2_compressed_xml(tmp_path):
    path = tmp_path / "plus.osm.bz2"
    path.write_bytes(bz2.compress(osm_xml(plus_body()).encode()))
    assert load_network(str(path)).n_edges == 4


# ------------------------------------------------------------------ boundaries
def test_polygon_boundary_keeps_buffered_edges(write_osm):
    coords = {1: (121.440, 31.230), 2: (121.445, 31.230), 3: (121.450, 31.230), 4: (121.480, 31.230),
              5: (121.445, 31.235), 6: (121.450, 31.235)}
    body = nodes_xml(coords) + "\n" + way_xml(1, [1, 2, 3, 4], highway="footway") \
        + "\n" + way_xml(2, [2, 5], highway="footway") + "\n" + way_xml(3, [3, 6], highway="footway")
    path = write_osm(body)
    box = shapely.box(121.4395, 31.2295, 121.4405, 31.2305)  # around node 1 only
    # Node 2 is ~430 m east of the box: inside a 500 m buffer, outside a 100 m one.
    near = load_network(path, boundary=box, buffer_m=100)
    assert set(near.node_osmid.tolist()) == {1, 2}  # edge 1-2 touches the buffer: kept whole
    wide = load_network(path, boundary=box, buffer_m=500)
    assert set(wide.node_osmid.tolist()) == {1, 2, 3, 5}
    assert 4 not in wide.node_osmid and 6 not in wide.node_osmid


def test_relation_boundary(write_osm):
    far = {10: (121.50, 31.30), 11: (121.51, 31.30)}
    ring = {20: (121.4395, 31.2275), 21: (121.4445, 31.2275), 22: (121.4445, 31.2325), 23: (121.4395, 31.2325)}
    body = (plus_body() + "\n" + nodes_xml(far) + "\n" + way_xml(3, [10, 11], highway="footway")
            + "\n" + way_xml(5, [3, 10], highway="tertiary") + "\n" + nodes_xml(ring)
            + "\n" + way_xml(30, [20, 21, 22]) + "\n" + way_xml(31, [22, 23, 20])
            + '\n  <relation id="900"><member type="way" ref="30" role="outer"/>'
            '<member type="way" ref="31" role="outer"/><tag k="type" v="boundary"/>'
            '<tag k="boundary" v="administrative"/><tag k="name" v="Jiangning Road"/></relation>')
    path = write_osm(body)
    assert load_network(path).n_edges == 6
    graph = load_network(path, boundary=900, buffer_m=50)
    assert 11 not in graph.node_osmid.tolist()
    assert graph.n_edges == 5  # the plus, and the tertiary road that leaves it


def test_relation_not_in_file(write_osm):
    with pytest.raises(BoundaryError, match="relation 12345 is not in the file"):
        load_network(write_osm(plus_body()), boundary=12345)


def test_relation_with_missing_members(write_osm):
    body = plus_body() + '\n  <relation id="901"><member type="way" ref="77" role="outer"/>' \
        '<tag k="type" v="boundary"/></relation>'
    with pytest.raises(BoundaryError, match="cannot be assembled"):
        load_network(write_osm(body), boundary=901)


def test_boundary_that_misses_the_data(write_osm):
    path = write_osm(plus_body())
    with pytest.raises(BoundaryError, match="does not overlap") as err:
        load_network(path, boundary=shapely.box(120.0, 30.0, 120.01, 30.01))
    assert err.value.path == path


def test_boundary_in_wrong_units(write_osm):
    with pytest.raises(BoundaryError, match="lon/lat"):
        load_network(write_osm(plus_body()), boundary=shapely.box(350000, 3450000, 351000, 3451000))


# ------------------------------------------------------------------- bad input
def test_missing_file(tmp_path):
    with pytest.raises(OSMError, match="no such file"):
        load_network(tmp_path / "nope.osm.pbf")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(OSMError, match="empty") as err:
        load_network(path)
    assert str(path) in str(err.value)


def test_truncated_pbf(tmp_path):
    path = tmp_path / "cut.osm.pbf"
    with open(HELSINKI_PBF, "rb") as f:
        path.write_bytes(f.read()[: os.path.getsize(HELSINKI_PBF) // 2])
    with pytest.raises(OSMError, match="not a readable OSM file") as err:
        load_network(path)
    assert str(path) in str(err.value)


def test_truncated_xml(tmp_path):
    path = tmp_path / "cut.osm"
    path.write_text(osm_xml(plus_body())[:-40])
    with pytest.raises(OSMError, match="not a readable OSM file"):
        load_network(path)


def test_non_osm_files(tmp_path):
    csv = tmp_path / "facilities.osm"
    csv.write_text("name,lon,lat\nclinic,121.44,31.23\n")
    with pytest.raises(OSMError, match="not a readable OSM file"):
        load_network(csv)
    png = tmp_path / "map.osm.pbf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(OSMError, match="not a readable OSM file"):
        load_network(png)
    unknown = tmp_path / "streets.txt"
    unknown.write_text("hello")
    with pytest.raises(OSMError, match="detect file format"):
        load_network(unknown)


def test_file_without_walkable_ways(write_osm):
    body = nodes_xml(PLUS_NODES) + "\n" + way_xml(1, [1, 2, 5, 1], building="yes") \
        + "\n" + way_xml(2, [4, 5, 6], highway="motorway")
    with pytest.raises(OSMError, match="no walkable ways"):
        load_network(write_osm(body))


def test_osm_file_with_no_data(write_osm):
    with pytest.raises(OSMError, match="no OpenStreetMap data"):
        load_network(write_osm(""))


# -------------------------------------------------------------------- Helsinki
def test_helsinki_lengths_match_an_independent_reading():
    """Total graph length equals the summed haversine length of every walkable way."""
    import osmium

    total = 0.0
    for way in osmium.FileProcessor(HELSINKI_PBF).with_locations():
        if way.is_way() and is_walkable(way.tags):
            # Ways cut by the extract are broken at the gap; count only pieces that survive.
            runs, run = [], []
            for n in way.nodes:
                if n.location.valid():
                    run.append((n.lon, n.lat))
                else:
                    runs.append(run)
                    run = []
            runs.append(run)
            for run in runs:
                if len(run) > 1:
                    a = np.array(run)
                    total += haversine_m(a[:-1, 0], a[:-1, 1], a[1:, 0], a[1:, 1]).sum()
    graph = load_network(HELSINKI_PBF, largest_component=False)
    assert graph.edge_length.astype(np.float64).sum() == pytest.approx(total, rel=1e-5)


def test_helsinki_graph_is_consistent(helsinki_graph):
    g = helsinki_graph
    assert 2500 < g.n_nodes < 5000 and 3500 < g.n_edges < 7000
    assert (g.edge_length > 0).all()
    # Each edge's shape starts at u and ends at v.
    first, last = g.geom_offsets[:-1], g.geom_offsets[1:] - 1
    assert np.array_equal(g.geom_lon[first], g.node_lon[g.edge_u])
    assert np.array_equal(g.geom_lat[last], g.node_lat[g.edge_v])
    # The routing view is symmetric and connected.
    m = g.csgraph
    assert abs(m - m.T).max() == 0
    assert np.isfinite(dijkstra(m, indices=0)).all()
    min_lon, min_lat, max_lon, max_lat = g.bounds
    assert 24.93 < min_lon < max_lon < 24.96 and 60.16 < min_lat < max_lat < 60.18
    assert "Mannerheimintie" in g.names


def test_helsinki_boundary_polygon():
    box = shapely.box(24.940, 60.168, 24.945, 60.171)
    g = load_network(HELSINKI_PBF, boundary=box, buffer_m=100)
    full = load_network(HELSINKI_PBF)
    assert 0 < g.n_edges < full.n_edges / 2
    grown = shapely.box(24.940 - 0.0025, 60.168 - 0.0012, 24.945 + 0.0025, 60.171 + 0.0012)
    lines = g.edge_lines()
    assert shapely.intersects(grown, lines).all()



def test_street_names_in_a_language_and_from_the_street_a_path_opens_onto(write_osm):
    from lifecircle.geo import street_names

    # Way 1 is 江宁路 (Jiangning Road); way 2 an unnamed footway crossing it at node 5.
    graph = load_network(write_osm(plus_body(tags1={"highway": "residential", "name": "江宁路",
                                                    "name__en": "Jiangning Road"})))
    on_street, on_path, far_away = (121.4405, 31.2301), (121.442, 31.2315), (121.50, 31.30)
    lon, lat = zip(on_street, on_path, far_away)
    assert street_names(graph, lon, lat) == ["江宁路", "江宁路", None]  # the path is named by the street it meets
    assert street_names(graph, lon, lat, "en") == ["Jiangning Road", "Jiangning Road", None]
    assert street_names(graph, lon, lat, "zh-hans") == ["江宁路", "江宁路", None]
    assert street_names(graph, [121.4435], [31.2315]) == ["江宁路"]  # 140 m from the path
    assert street_names(graph, [121.4435], [31.2315], max_snap_m=50) == [None]  # beyond the distance asked
