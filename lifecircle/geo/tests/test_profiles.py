"""Walking profiles: the tag table, per-profile costs, and routing checked against networkx."""

import json

import networkx as nx
import numpy as np
import osmium
import pytest

from lifecircle.geo import WalkGraph, build_network
from lifecircle.geo.accessibility import accessibility
from lifecircle.geo.graph import BARRIER_NODE, BARRIER_NONE, BARRIER_WAY, EdgeProfile
from lifecircle.geo.isochrones import isochrones
from lifecircle.geo.profiles import DEFAULT_TABLE, ProfileError, ProfileTable, incline_percent
from lifecircle.geo.snapping import snap_nodes, snap_points

from .conftest import HELSINKI_PBF as HELSINKI, way_xml
from .oracle import random_graph
from .test_accessibility import CATEGORIES, check_against_oracle, random_points

D = 0.001  # degrees between the made network's grid lines (about 95 m east-west, 111 m north-south)


def node(i, x, y, **tags):
    tag_xml = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'  <node id="{i}" lon="{121.44 + x * D}" lat="{31.23 + y * D}">{tag_xml}</node>'


@pytest.fixture
def made_network(write_osm):
    """Two sidewalks joined by steps, ramped steps and a signalised crossing with a raised kerb;
    a footway over a primary road with no crossing; gravel, a steep path, a wheelchair=no node."""
    nodes = [
        node(1, 0, 0), node(2, 1, 0, kerb="raised", barrier="kerb"), node(3, 2, 0), node(13, 3, 0),
        node(4, 0, 1), node(5, 1, 1), node(6, 2, 1), node(14, 3, 1),
        node(9, 0.5, 0.5), node(7, 1, 0.5, highway="crossing", crossing="traffic_signals"),
        node(12, 3, 0.5), node(10, 3.5, 0.5),
        node(15, 1, 2), node(16, 2, 2), node(17, 3, 2), node(18, -1, 1, wheelchair="no"), node(19, -2, 1),
        node(21, 4, 0, kerb="raised"), node(22, 4, -1),
    ]
    ways = [
        way_xml(100, [1, 2, 3, 13], highway="footway", surface="paving_stones"),
        way_xml(101, [4, 5, 6, 14], highway="footway", surface="asphalt"),
        way_xml(102, [1, 4], highway="steps"),
        way_xml(103, [3, 6], highway="steps", ramp__wheelchair="yes"),
        way_xml(104, [2, 7, 5], highway="footway", footway="crossing"),
        way_xml(105, [9, 7, 12, 10], highway="primary"),
        way_xml(107, [13, 12, 14], highway="footway"),
        way_xml(108, [5, 15], highway="footway", surface="gravel"),
        way_xml(109, [6, 16], highway="footway", incline="12%"),
        way_xml(110, [14, 17], highway="footway", surface="moonrock"),
        way_xml(111, [4, 18, 19], highway="footway"),
        way_xml(112, [21, 22], highway="footway", surface="asphalt"),
        way_xml(113, [13, 21], highway="residential", surface="asphalt"),
    ]
    return build_network(write_osm("\n".join(nodes + ways)))


def edge_between(graph, a, b):
    u, v = np.searchsorted(graph.node_osmid, [a, b])
    found = np.flatnonzero(((graph.edge_u == u) & (graph.edge_v == v)) | ((graph.edge_u == v) & (graph.edge_v == u)))
    assert found.size == 1, (a, b)
    return int(found[0])


def test_barrier_free_costs_of_steps_kerbs_surfaces_and_slopes(made_network):
    graph = made_network.graph
    free = graph.profile_costs["barrier-free"]
    length = graph.edge_length

    steps = edge_between(graph, 1, 4)
    assert np.isinf(free.cost[steps]) and free.barrier_kind[steps] == BARRIER_WAY
    ramped = edge_between(graph, 3, 6)
    assert free.cost[ramped] == length[ramped]
    # The raised kerb at node 2 blocks the crossing, not the sidewalk it stands on.
    crossing = edge_between(graph, 2, 7)
    assert np.isinf(free.cost[crossing]) and free.barrier_kind[crossing] == BARRIER_NODE
    assert free.barrier_id[crossing] == 2
    for a, b in ((1, 2), (2, 3)):
        e = edge_between(graph, a, b)
        assert free.cost[e] == length[e] and free.barrier_kind[e] == BARRIER_NONE
    assert np.isinf(free.cost[edge_between(graph, 5, 15)])  # gravel
    assert np.isinf(free.cost[edge_between(graph, 6, 16)])  # 12 % incline, limit 6 %
    assert free.cost[edge_between(graph, 14, 17)] == length[edge_between(graph, 14, 17)]  # unknown surface
    # A raised kerb where a lane meets a street blocks the lane, not the street.
    assert np.isinf(free.cost[edge_between(graph, 21, 22)])
    assert free.cost[edge_between(graph, 13, 21)] == length[edge_between(graph, 13, 21)]
    blocked = edge_between(graph, 4, 19)  # wheelchair=no on a node inside the edge
    assert np.isinf(free.cost[blocked]) and free.barrier_id[blocked] == 18
    # Standard walks everything at its length.
    assert np.isfinite(graph.edge_cost).all() and np.array_equal(graph.edge_cost, length)


def test_elderly_waits_at_signals_and_unmarked_wide_road_crossings(made_network):
    graph = made_network.graph
    elderly = graph.profile_costs["elderly"].cost.astype(float)
    length = graph.edge_length.astype(float)
    # Signalised crossing node 7: half the 40 m wait on each side, on the crossing way only.
    for a, b in ((2, 7), (7, 5)):
        e = edge_between(graph, a, b)
        assert elderly[e] == pytest.approx(length[e] + 20.0)
    for a, b in ((9, 7), (7, 12)):
        e = edge_between(graph, a, b)
        assert elderly[e] == pytest.approx(length[e])
    # Footway 107 crosses the primary road at node 12 with no crossing mapped: 120 m, half per side.
    for a, b in ((13, 12), (12, 14)):
        e = edge_between(graph, a, b)
        assert elderly[e] == pytest.approx(length[e] + 60.0)
    assert np.isfinite(elderly).all()


def test_tag_audit_counts_what_is_unknown(made_network):
    audit = made_network.tag_audit
    assert audit.unknown_values == {"surface": {"moonrock": 1}}
    assert audit.crossings == 1 and audit.crossings_kerb_unknown == 0  # the crossing's kerb is node 2
    mapped = ("paving_stones", "asphalt", "gravel")
    assert 0 < audit.surface_unknown_m < audit.length_m  # everything but the ways with a known surface
    assert audit.surface_unknown_m == pytest.approx(
        audit.length_m - sum(float(made_network.graph.edge_length[made_network.graph.edge_way == w].sum())
                             for w in (100, 101, 108, 112, 113)), rel=1e-6)
    assert all(value in DEFAULT_TABLE.read_text() for value in mapped)
    text = " ".join(made_network.profile_warnings)
    assert "surface=moonrock (1)" in text and "no known surface" in text
    assert made_network.graph.tag_audit["unknown_values"] == {"surface": {"moonrock": 1}}


def test_barrier_free_route_matches_networkx_and_detours_by_the_ramp(made_network):
    graph = made_network.graph
    free = graph.for_profile("barrier-free")
    origin = np.searchsorted(graph.node_osmid, [1])
    target = int(np.searchsorted(graph.node_osmid, 4))
    g = nx.Graph()
    for e in range(graph.n_edges):
        cost = float(graph.profile_costs["barrier-free"].cost[e])
        if np.isfinite(cost):
            g.add_edge(int(graph.edge_u[e]), int(graph.edge_v[e]), weight=cost)
    expected = nx.single_source_dijkstra_path_length(g, int(origin[0]), weight="weight")
    from scipy.sparse.csgraph import dijkstra

    got = dijkstra(free.csgraph, indices=int(origin[0]))
    for n in range(graph.n_nodes):
        assert got[n] == pytest.approx(expected.get(n, np.inf))
    standard = dijkstra(graph.csgraph, indices=int(origin[0]))
    # The steps are 111 m; without them the walk goes round by the ramp (about 500 m).
    assert standard[target] == pytest.approx(graph.edge_length[edge_between(graph, 1, 4)], rel=1e-6)
    assert got[target] > 3 * standard[target]
    assert (got >= standard - 1e-6).all()
    assert np.isinf(got[int(np.searchsorted(graph.node_osmid, 15))])  # only gravel leads there


@pytest.mark.parametrize("seed", range(4))
def test_random_profiles_match_oracle(seed):
    """Impassable edges, slow edges and a blocked shorter parallel edge, against networkx."""
    rng = np.random.default_rng(100 + seed)
    base = with_straight_twin(random_graph(seed), 0, 1)
    factor = np.where(rng.random(base.n_edges) < 0.15, np.inf, 1.0 + rng.random(base.n_edges) * rng.integers(0, 2, base.n_edges))
    # Block the shorter of the parallel ways between nodes 0 and 1: the profile must take the longer.
    u0, u1 = np.searchsorted(base.node_osmid, [0, 1])
    parallel = np.flatnonzero(((base.edge_u == u0) & (base.edge_v == u1)) | ((base.edge_u == u1) & (base.edge_v == u0)))
    assert parallel.size >= 2
    factor[parallel] = 1.0
    factor[parallel[np.argmin(base.edge_length[parallel])]] = np.inf
    longer = np.sort(base.edge_length[parallel])[1]
    cost = base.edge_length * factor
    kind = np.where(np.isinf(factor), BARRIER_WAY, BARRIER_NONE)
    graph = WalkGraph(**{k: getattr(base, k) for k in base.__dataclass_fields__
                         if k not in ("profile_costs", "indptr", "indices", "weights", "slot_edge")},
                      profile_costs={"test": EdgeProfile(cost, kind, np.zeros(base.n_edges))})
    view = graph.for_profile("test")
    assert view.indices is graph.indices and view.indptr is graph.indptr  # the same CSR, new weights
    slot = np.flatnonzero((graph.indices == u1) & (np.arange(graph.indices.size) >= graph.indptr[u0])
                          & (np.arange(graph.indices.size) < graph.indptr[u0 + 1]))
    assert view.weights[slot] == pytest.approx(longer)
    assert graph.weights[slot] == pytest.approx(base.edge_length[parallel].min())
    origins = snap_points(view, *random_points(rng, view, 60), max_snap_m=150)
    facilities = snap_points(view, *random_points(rng, view, 20), max_snap_m=150)
    assert np.isfinite(view.edge_cost[origins.edge[origins.ok]]).all()  # nobody is placed on a blocked edge
    labels = CATEGORIES[rng.integers(0, 3, 20)]
    result = check_against_oracle(view, origins, facilities, labels, [150.0, 400.0, 700.0],
                                  rng.integers(1, 9, 20).astype(float), tile_m=80)
    assert result.count[..., -1].sum() > 0
    nodes = accessibility(view, snap_nodes(view), facilities, labels, [400.0])
    assert (np.isinf(nodes.nearest_m) | (nodes.nearest_m >= 0)).all()


def with_straight_twin(graph, a, b):
    """``graph`` plus a straight edge between OSM nodes ``a`` and ``b`` (beside the ways already there)."""
    from lifecircle.geo.distance import haversine_m

    u, v = np.searchsorted(graph.node_osmid, [a, b])
    lon, lat = graph.node_lon[[u, v]], graph.node_lat[[u, v]]
    length = haversine_m(lon[0], lat[0], lon[1], lat[1])
    return WalkGraph(
        node_lon=graph.node_lon, node_lat=graph.node_lat, node_osmid=graph.node_osmid,
        edge_u=np.append(graph.edge_u, u), edge_v=np.append(graph.edge_v, v),
        edge_length=np.append(graph.edge_length, length), edge_way=np.append(graph.edge_way, 7),
        edge_name=np.append(graph.edge_name, 0), edge_highway=np.append(graph.edge_highway, 0),
        names=graph.names, highways=graph.highways,
        geom_offsets=np.append(graph.geom_offsets, graph.geom_offsets[-1] + 2),
        geom_lon=np.concatenate((graph.geom_lon, lon)), geom_lat=np.concatenate((graph.geom_lat, lat)))


def test_save_load_keeps_profiles_and_old_files_say_rebuild(made_network, tmp_path):
    graph = made_network.graph
    graph.save(tmp_path / "g.npz")
    loaded = WalkGraph.load(tmp_path / "g.npz")
    assert loaded.profile_names == ["standard", "elderly", "barrier-free"]
    for name in ("elderly", "barrier-free"):
        np.testing.assert_array_equal(loaded.profile_costs[name].cost, graph.profile_costs[name].cost)
        np.testing.assert_array_equal(loaded.profile_costs[name].barrier_id, graph.profile_costs[name].barrier_id)
    assert loaded.tag_audit == graph.tag_audit
    # A file of format 1 (before profiles): loads, walks standard, refuses the others with a reason.
    with np.load(tmp_path / "g.npz") as data:
        old = {k: data[k] for k in data.files if not k.startswith("profile") and k != "tag_audit"}
    old["format"] = np.frombuffer(b"lifecircle.walkgraph/1", dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **old)
    legacy = WalkGraph.load(tmp_path / "old.npz")
    assert legacy.profile_names == ["standard"] and legacy.for_profile("standard") is legacy
    with pytest.raises(ProfileError, match="rebuild it from its OSM file"):
        legacy.for_profile("barrier-free")
    with pytest.raises(ProfileError, match="unknown walking profile 'wheelchair'.*standard, elderly, barrier-free"):
        graph.for_profile("wheelchair")


def test_subgraphs_keep_profiles(made_network):
    graph = made_network.graph
    keep = graph.edge_way != 111
    sub = graph.edge_subgraph(keep)
    np.testing.assert_array_equal(sub.profile_costs["barrier-free"].cost, graph.profile_costs["barrier-free"].cost[keep])
    view = graph.for_profile("barrier-free")
    assert view.edge_subgraph(keep).profile == "barrier-free"


def test_isochrone_shrinks_without_steps(made_network):
    graph = made_network.graph
    lon, lat = 121.44, 31.23 + 0.05 * D  # beside node 1, at the foot of the steps
    standard = isochrones(graph, lon, lat, distances_m=[200.0])
    free = isochrones(graph.for_profile("barrier-free"), lon, lat, distances_m=[200.0])
    import shapely

    area = [shapely.geometry.shape(fc["features"][0]["geometry"]).area for fc in (standard, free)]
    assert 0 < area[1] < area[0]


@pytest.mark.parametrize("change, message", [
    (lambda t: t["profiles"].pop("standard"), "needs a 'standard' profile"),
    (lambda t: t["profiles"]["elderly"].update(speed="jogging"), "speed 'jogging'"),
    (lambda t: t["profiles"]["barrier-free"]["way_rules"][0].update(factor=0.5, impassable=False), "at least 1"),
    (lambda t: t["profiles"]["barrier-free"]["way_rules"][0].update(impassable=False), "has no effect"),
    (lambda t: t["profiles"]["barrier-free"]["node_rules"][0].update(tags={"kerb": "raised"}), "non-empty lists"),
    (lambda t: t["profiles"]["barrier-free"].update(incline_max_percent=-3), "incline_max_percent"),
])
def test_bad_tables_are_refused(tmp_path, change, message):
    table = json.loads(DEFAULT_TABLE.read_text())
    change(table)
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(table))
    with pytest.raises(ProfileError, match=message):
        ProfileTable.load(path)


def test_unreadable_table_and_unknown_profile(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ProfileError, match="cannot read"):
        ProfileTable.load(tmp_path / "bad.json")
    with pytest.raises(ProfileError, match="choose one of standard, elderly, barrier-free"):
        ProfileTable.load().get("wheelchair")


@pytest.mark.parametrize("value, percent", [("10%", 10.0), ("-8%", -8.0), ("5°", 8.748866), ("up", None),
                                             ("steep", None), (None, None), ("4.5", 4.5)])
def test_incline_values(value, percent):
    got = incline_percent(value)
    assert got == pytest.approx(percent) if percent is not None else got is None


def test_helsinki_steps_and_wheelchair_tags():
    """The Helsinki extract: every unramped steps edge is impassable barrier-free, and only the
    tags of the table make edges impassable."""
    build = build_network(HELSINKI, largest_component=False)
    graph = build.graph
    free = graph.profile_costs["barrier-free"]
    steps_ways, ramped = set(), set()
    wheelchair_no_nodes, wheelchair_nodes = set(), {}
    for obj in osmium.FileProcessor(HELSINKI, osmium.osm.WAY | osmium.osm.NODE):
        if obj.is_way() and obj.tags.get("highway") == "steps":
            steps_ways.add(obj.id)
            if any(obj.tags.get(k) == "yes" for k in ("ramp", "ramp:wheelchair", "ramp:stroller")):
                ramped.add(obj.id)
        elif obj.is_node() and "wheelchair" in obj.tags:
            wheelchair_nodes[obj.id] = obj.tags["wheelchair"]
            if obj.tags["wheelchair"] == "no":
                wheelchair_no_nodes.add(obj.id)
    assert len(steps_ways) == 141 and len(wheelchair_nodes) == 451
    # wheelchair=yes/limited (no cost) is kept as an attribute on every node of the network that has it.
    kept = {int(k): v["wheelchair"] for k, v in graph.access_tags["nodes"].items() if "wheelchair" in v}
    on_network = {n: v for n, v in wheelchair_nodes.items() if n in set(graph.node_osmid.tolist())}
    assert kept.items() >= on_network.items() and set(kept.values()) & {"yes", "limited"}
    assert set(kept.items()) <= set(wheelchair_nodes.items())
    on_steps = np.isin(graph.edge_way, list(steps_ways - ramped))
    assert on_steps.sum() > 100
    assert np.isinf(free.cost[on_steps]).all() and (free.barrier_kind[on_steps] == BARRIER_WAY).all()
    assert np.isfinite(free.cost[np.isin(graph.edge_way, list(ramped))]).all()
    node_blocked = free.barrier_kind == BARRIER_NODE
    assert set(free.barrier_id[node_blocked].tolist()) <= wheelchair_no_nodes | _raised_kerb_nodes()
    # Nothing assumed: Helsinki maps no kerbs, and the audit says so.
    assert build.tag_audit.crossings > 400 and build.tag_audit.kerb_unknown_share == 1.0
    assert 0 < build.tag_audit.surface_unknown_share < 1
    # Barrier-free walks are never shorter, and some places can no longer be reached.
    from scipy.sparse.csgraph import dijkstra

    main = graph.largest_component()
    start = int(np.argmax(np.bincount(main.edge_u)))
    standard = dijkstra(main.csgraph, indices=start, limit=2000)
    barrier_free = dijkstra(main.for_profile("barrier-free").csgraph, indices=start, limit=2000)
    assert (barrier_free >= standard - 1e-3).all()
    assert np.isinf(barrier_free[np.isfinite(standard)]).any() or (barrier_free > standard + 1).any()


def _raised_kerb_nodes():
    found = set()
    for obj in osmium.FileProcessor(HELSINKI, osmium.osm.NODE):
        if obj.tags.get("kerb") in ("raised", "rolled") or obj.tags.get("barrier") in (
                "stile", "turnstile", "kissing_gate", "full-height_turnstile"):
            found.add(obj.id)
    return found


def test_lost_coverage_and_the_barrier_to_fix_first(made_network):
    """Homes at the foot of the unramped and of the ramped steps; a clinic and a shop up top."""
    from lifecircle.geo.barriers import profile_losses, rank_barrier_fixes

    graph = made_network.graph
    homes_lon = [121.44 + 0.05 * D, 121.44 + 2 * D]
    homes_lat = [31.23 + 0.05 * D, 31.23 + 0.05 * D]
    places_lon = [121.44 + 0.05 * D, 121.44 + 1 * D]
    places_lat = [31.23 + 0.95 * D, 31.23 + 1.9 * D]
    labels = ["clinic", "shop"]
    losses = profile_losses(graph, "barrier-free", homes_lon, homes_lat, places_lon, places_lat, labels,
                            {"clinic": 300.0, "shop": 400.0})
    assert losses.categories == ["clinic", "shop"]
    # Home 0 walks up the steps to both (about 110 m and 310 m); barrier-free it goes round by the
    # ramp (about 490 m each). The shop stands on gravel: barrier-free it is reached from the
    # sidewalk 100 m away, its off-street leg counted. Home 1 uses the ramp either way.
    assert losses.lost.tolist() == [[True, True], [False, False]]
    assert np.isfinite(losses.profile_m).all()
    fixes = rank_barrier_fixes(graph, "barrier-free", losses, weight=[10.0, 1.0])
    # Ramping the steps gives home 0 both back; lowering the kerb at node 2 opens the crossing,
    # a longer way up that brings the shop within 400 m but not the clinic within 300 m.
    assert [(f.kind, f.osm_id, f.highway) for f in fixes] == [("way", 102, "steps"), ("node", 2, "footway")]
    assert sorted(fixes[0].regained) == [(0, 0), (0, 1)] and fixes[0].score == 20.0
    assert fixes[1].regained == [(0, 1)] and fixes[1].score == 10.0
    assert fixes[0].lon == pytest.approx(121.44, abs=1e-9)
    assert (fixes[1].lon, fixes[1].lat) == pytest.approx((121.44 + D, 31.23))


def test_a_lane_ending_at_a_wide_road_is_not_a_crossing(write_osm):
    nodes = [node(1, 0, 0), node(2, 1, 0), node(3, 2, 0), node(4, 1, 1), node(5, 2, -1)]
    ways = [way_xml(1, [1, 2, 3], highway="secondary"), way_xml(2, [2, 4], highway="footway"),
            way_xml(3, [3, 5], highway="footway"), way_xml(4, [5, 6], highway="footway")]
    nodes.append(node(6, 3, -1))
    graph = build_network(write_osm("\n".join(nodes + ways))).graph
    elderly = graph.profile_costs["elderly"].cost
    assert np.array_equal(elderly, graph.edge_length)  # lanes 2 and 3 only end at the road


def test_wheelchair_and_tactile_paving_are_kept_as_attributes(write_osm, tmp_path):
    """``wheelchair=yes|limited`` and ``tactile_paving`` change no cost; the graph keeps them, by OSM id,
    through saving, loading and subgraphs, and the network GeoJSON shows a way's."""
    nodes = [node(1, 0, 0), node(2, 1, 0, highway="crossing", tactile_paving="yes", wheelchair="yes"),
             node(3, 2, 0), node(4, 2, 1), node(5, 5, 5, tactile_paving="yes"), node(6, 1, -1)]  # 5: on no way
    ways = [way_xml(200, [1, 2, 3], highway="footway", wheelchair="limited", surface="asphalt"),
            way_xml(201, [3, 4], highway="footway", tactile_paving="no", surface="asphalt"),
            way_xml(202, [2, 6], highway="footway", surface="asphalt")]
    graph = build_network(write_osm("\n".join(nodes + ways))).graph
    assert graph.access_tags == {"ways": {"200": {"wheelchair": "limited"}, "201": {"tactile_paving": "no"}},
                                 "nodes": {"2": {"tactile_paving": "yes", "wheelchair": "yes"}}}
    limited = edge_between(graph, 1, 2)
    end = "u" if graph.node_osmid[graph.edge_u[limited]] == 2 else "v"
    assert graph.edge_access(limited) == {"wheelchair": "limited", end: {"tactile_paving": "yes", "wheelchair": "yes"}}
    assert graph.edge_access(edge_between(graph, 3, 4)) == {"tactile_paving": "no"}
    # Kept, not acted on: barrier-free walks the limited way at its length.
    free = graph.profile_costs["barrier-free"].cost
    assert np.allclose(free, graph.edge_length)
    path = tmp_path / "kept.npz"
    graph.save(path)
    again = WalkGraph.load(path)
    assert again.access_tags == graph.access_tags
    props = {f["properties"]["way_id"]: f["properties"] for f in again.to_geojson()["features"]}
    assert props[200]["wheelchair"] == "limited" and "wheelchair" not in props[201]
    # A subgraph keeps the tags of what it keeps, and only those.
    part = again.edge_subgraph(again.edge_way != 200)
    assert part.access_tags == {"ways": {"201": {"tactile_paving": "no"}},
                                "nodes": {"2": {"tactile_paving": "yes", "wheelchair": "yes"}}}
    part = again.edge_subgraph(again.edge_way == 201)
    assert part.access_tags == {"ways": {"201": {"tactile_paving": "no"}}, "nodes": {}}
    # A file saved before the attributes were kept loads with none.
    with np.load(path) as data:
        old = {k: data[k] for k in data.files if k != "access_tags"}
    with open(tmp_path / "old.npz", "wb") as f:
        np.savez(f, **old)
    assert WalkGraph.load(tmp_path / "old.npz").access_tags == {}
