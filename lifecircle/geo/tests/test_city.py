"""City-scale runs: area by area equals one whole-city run, on a real 2-process Dask cluster too.

The seams are the point: origins are scattered densely along area borders, the
areas are irregular (Voronoi cells on a generated city, squares on Helsinki),
and every figure is compared with one whole-graph run.
"""

import json
import os
import signal

import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from distributed.diagnostics.plugin import WorkerPlugin

from lifecircle.geo import city
from lifecircle.geo.accessibility import accessibility
from lifecircle.geo.city import CityAreas, CityPlan, Points, WalkingStandard
from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.errors import InputError
from lifecircle.geo.graph import WalkGraph
from lifecircle.geo.snapping import snap_points

from .conftest import HELSINKI_PBF, nodes_xml, osm_xml, way_xml

CATEGORIES = ("clinic", "market", "school")


def small_standard(thresholds=(120.0, 200.0, 300.0)) -> WalkingStandard:
    return WalkingStandard(CATEGORIES, {"clinic": 5, "market": 10, "school": 15}, tuple(thresholds), "test")


def square_areas(bounds, nx, ny) -> CityAreas:
    x0, y0, x1, y1 = bounds
    polygons = [shapely.box(x0 + (x1 - x0) * i / nx, y0 + (y1 - y0) * j / ny,
                            x0 + (x1 - x0) * (i + 1) / nx, y0 + (y1 - y0) * (j + 1) / ny)
                for i in range(nx) for j in range(ny)]
    codes = [f"sq{k}" for k in range(len(polygons))]
    return CityAreas(codes, [f"区{k}" for k in range(len(polygons))], polygons, [None] * len(polygons))


def near_borders(areas: CityAreas, rng, n, within_deg) -> Points:
    """``n`` points scattered within ``within_deg`` of the borders between areas."""
    region = shapely.union_all(areas.polygons)
    borders = shapely.union_all([p.boundary for p in areas.polygons]).difference(region.boundary.buffer(1e-9))
    along = shapely.line_interpolate_point(borders, rng.uniform(0, 1, n), normalized=True)
    lon = shapely.get_x(along) + rng.uniform(-within_deg, within_deg, n)
    lat = shapely.get_y(along) + rng.uniform(-within_deg, within_deg, n)
    return Points(np.array([f"o{i}" for i in range(n)], dtype=object), lon, lat, {"population": rng.integers(1, 9, n) * 1.0})


def random_facilities(bounds, rng, n) -> Points:
    x0, y0, x1, y1 = bounds
    return Points(np.array([f"f{i}" for i in range(n)], dtype=object), rng.uniform(x0, x1, n), rng.uniform(y0, y1, n),
                  {"category": np.array(CATEGORIES, dtype=object)[rng.integers(0, 3, n)],
                   "capacity": rng.integers(0, 50, n) * 1.0})


def whole_city(graph, origins: Points, facilities: Points, standard: WalkingStandard, reach):
    return accessibility(graph, snap_points(graph, origins.lon, origins.lat), snap_points(graph, facilities.lon, facilities.lat),
                         facilities.values["category"].astype(str), standard.thresholds_m,
                         capacity=facilities.values["capacity"], max_distance_m=reach,
                         category_names=list(standard.categories))


def assert_equals_whole_run(out, origins: Points, whole, standard: WalkingStandard):
    table = city.read_results(out).to_pydict()
    row_of = {origin_id: i for i, origin_id in enumerate(table["origin_id"])}
    assert len(row_of) == len(table["origin_id"])
    inside = [i for i, origin_id in enumerate(origins.id) if origin_id in row_of]
    rows = [row_of[origins.id[i]] for i in inside]
    np.testing.assert_array_equal(np.array(table["on_network"])[rows], whole.origin_ok[inside])
    for c, category in enumerate(standard.categories):
        got = np.array([np.inf if v is None else v for v in table[f"{category}_nearest_m"]])[rows]
        expected = np.where(whole.origin_ok[inside], whole.nearest_m[inside, c], np.inf)
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        for t, threshold in enumerate(standard.thresholds_m):
            counts = np.array([0 if v is None else v for v in table[f"{category}_count_{threshold:g}m"]])[rows]
            np.testing.assert_array_equal(counts, whole.count[inside, c, t])
            capacity = np.array([0 if v is None else v for v in table[f"{category}_capacity_{threshold:g}m"]])[rows]
            np.testing.assert_allclose(capacity, whole.capacity[inside, c, t], rtol=1e-6)
    return len(inside)


# ------------------------------------------------------------ problems
@pytest.fixture(scope="module")
def helsinki_problem(helsinki_graph):
    rng = np.random.default_rng(12)
    areas = square_areas(helsinki_graph.bounds, 3, 2)
    origins = near_borders(areas, rng, 900, 0.0015)
    facilities = random_facilities(helsinki_graph.bounds, rng, 120)
    standard = small_standard()
    whole = whole_city(helsinki_graph, origins, facilities, standard, 300.0)
    return helsinki_graph, areas, origins, facilities, standard, whole


def grid_city(side=60, spacing_m=80.0, seed=3, hole=None) -> WalkGraph:
    """A jittered street grid near Shanghai with some links removed (and an optional street-free hole)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    x = np.arange(side)[None, :] * spacing_m + rng.normal(0, spacing_m * 0.15, (side, side))
    y = np.arange(side)[:, None] * spacing_m + rng.normal(0, spacing_m * 0.15, (side, side))
    lat = 31.1 + y.ravel() / METRES_PER_DEGREE
    lon = 121.3 + x.ravel() / (METRES_PER_DEGREE * np.cos(np.radians(31.1)))
    u = np.concatenate((ids[:, :-1].ravel(), ids[:-1, :].ravel()))
    v = np.concatenate((ids[:, 1:].ravel(), ids[1:, :].ravel()))
    keep = rng.random(u.size) >= 0.12
    if hole is not None:  # (i0, i1, j0, j1) grid cells with no streets
        i0, i1, j0, j1 = hole
        col, row = ids % side, ids // side
        in_hole = ((col >= i0) & (col <= i1) & (row >= j0) & (row <= j1)).ravel()
        keep &= ~(in_hole[u] | in_hole[v])
    u, v = u[keep], v[keep]
    refs = np.column_stack((u, v)).ravel()
    return WalkGraph.from_polylines(np.arange(0, refs.size + 1, 2), refs, lon[refs], lat[refs],
                                    way_ids=np.arange(u.size)).largest_component()


@pytest.fixture(scope="module")
def generated_problem():
    rng = np.random.default_rng(5)
    graph = grid_city()
    x0, y0, x1, y1 = graph.bounds
    seeds = shapely.multipoints(np.column_stack((rng.uniform(x0, x1, 14), rng.uniform(y0, y1, 14))))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(x0, y0, x1, y1)))
    polygons = [shapely.intersection(c, shapely.box(x0, y0, x1, y1)) for c in cells]
    areas = CityAreas([f"v{i}" for i in range(len(polygons))], [f"v{i}" for i in range(len(polygons))], polygons,
                      [None] * len(polygons))
    origins = near_borders(areas, rng, 3000, 0.002)
    facilities = random_facilities(graph.bounds, rng, 400)
    standard = small_standard((300.0, 500.0, 1000.0))
    whole = whole_city(graph, origins, facilities, standard, 1000.0)
    return graph, areas, origins, facilities, standard, whole


# --------------------------------------------------------------- exactness
@pytest.mark.parametrize("problem", ["helsinki_problem", "generated_problem"])
def test_areas_equal_one_whole_city_run_at_the_seams(problem, request, tmp_path):
    graph, areas, origins, facilities, standard, whole = request.getfixturevalue(problem)
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    run = city.run_city(plan, tmp_path, client=None, progress=False)
    assert sorted(run.computed) == sorted(areas.codes) and not run.failed
    compared = assert_equals_whole_run(tmp_path, origins, whole, standard)
    outside = int((plan.origin_area < 0).sum())
    assert compared == origins.lon.size - outside and compared > 0.9 * origins.lon.size
    # The seams are really exercised: many origins are near a facility of another area.
    assert (whole.count[..., -1] > 0).sum() > origins.lon.size


def test_a_smaller_halo_would_be_wrong(generated_problem, tmp_path, monkeypatch):
    """The halo of reach + snapping distance is needed: a halo of half the reach changes the figures."""
    graph, areas, origins, facilities, standard, whole = generated_problem
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    real_grow = city.grow_polygon
    monkeypatch.setattr(city, "grow_polygon", lambda polygon, metres: real_grow(polygon, metres / 2))
    city.run_city(plan, tmp_path, client=None, progress=False)
    with pytest.raises(AssertionError):
        assert_equals_whole_run(tmp_path, origins, whole, standard)


@pytest.mark.parametrize("lat", [31.1, 60.17, 70.0])
def test_grown_polygon_holds_every_point_within_the_distance(lat):
    from lifecircle.geo.areas import grow_polygon
    from lifecircle.geo.distance import haversine_m

    rng = np.random.default_rng(int(lat))
    polygon = shapely.Polygon([(24.90, lat), (25.05, lat + 0.02), (24.98, lat + 0.12), (24.92, lat + 0.06)])
    grown = grow_polygon(polygon, 1300.0)
    # Points 1299.9 m (great-circle) from a vertex or an edge point of the polygon, in every direction.
    on_rim = shapely.line_interpolate_point(polygon.exterior, rng.uniform(0, 1, 4000), normalized=True)
    lon0, lat0 = shapely.get_x(on_rim), shapely.get_y(on_rim)
    bearing = rng.uniform(0, 2 * np.pi, lon0.size)
    dlat = 1299.9 * np.cos(bearing) / METRES_PER_DEGREE
    dlon = 1299.9 * np.sin(bearing) / (METRES_PER_DEGREE * np.cos(np.radians(lat0 + dlat / 2)))
    lon, lat1 = lon0 + dlon, lat0 + dlat
    assert np.all(haversine_m(lon0, lat0, lon, lat1) <= 1300.0)
    assert shapely.contains_xy(grown, lon, lat1).all()
    assert grown.area < shapely.box(*grow_polygon(polygon, 1300.0).bounds).area  # a shape, not a box


def test_summary_is_population_weighted_coverage(generated_problem, tmp_path):
    graph, areas, origins, facilities, standard, whole = generated_problem
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    city.run_city(plan, tmp_path, client=None, progress=False)
    summary = pq.read_table(tmp_path / "summary.parquet").to_pylist()
    assert len(summary) == len(areas) * len(CATEGORIES) * 3
    row = next(r for r in summary if r["area_code"] == "v3" and r["category"] == "market" and r["tier_minutes"] == 10)
    members = np.flatnonzero(plan.origin_area == 3)
    population = origins.values["population"][members]
    covered = population[whole.origin_ok[members] & (whole.nearest_m[members, 1] <= 500.0)].sum()
    assert row["population"] == pytest.approx(population.sum())
    assert row["covered_population"] == pytest.approx(covered)
    assert row["share"] == pytest.approx(covered / population.sum())
    assert row["required_tier"] is True  # market is a 10-minute category in this standard
    geo = json.loads(pq.read_schema(tmp_path / "origins" / "area=v3.parquet").metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"


# ----------------------------------------------------------------- resuming
def test_rerun_skips_finished_areas_and_redoes_missing_or_corrupt_ones(helsinki_problem, tmp_path):
    graph, areas, origins, facilities, standard, whole = helsinki_problem
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    city.run_city(plan, tmp_path, client=None, progress=False)
    folder = city.OutputFolder(tmp_path)
    kept_mtime = os.path.getmtime(folder.area_path("sq0"))
    os.unlink(folder.area_path("sq1"))
    with open(folder.area_path("sq2"), "r+b") as f:  # a file cut short, as by a full disk
        f.truncate(100)
    again = city.run_city(plan, tmp_path, client=None, progress=False)
    assert sorted(again.computed) == ["sq1", "sq2"] and len(again.skipped) == len(areas) - 2
    assert os.path.getmtime(folder.area_path("sq0")) == kept_mtime
    assert_equals_whole_run(tmp_path, origins, whole, standard)


def test_changed_facility_recomputes_only_the_areas_it_reaches(generated_problem, tmp_path):
    graph, areas, origins, facilities, _, _ = generated_problem
    standard = small_standard()  # a 600 m halo: a corner of the 4.8 km city reaches few areas
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    # Each task carries its area's piece of the city, never the whole graph.
    assert max(job.graph.n_nodes for job in plan.jobs()) < 0.5 * graph.n_nodes
    city.run_city(plan, tmp_path, client=None, progress=False)
    moved = facilities.take(np.arange(facilities.lon.size))
    x0, y0, _, _ = graph.bounds
    moved.lon[0], moved.lat[0] = x0 + 0.0005, y0 + 0.0005  # into the south-west corner
    again = city.run_city(CityPlan.build(graph, areas, origins, moved, standard), tmp_path, client=None, progress=False)
    corner = city.assign_to_areas(areas.polygons, [x0 + 0.0005], [y0 + 0.0005])[0]
    assert areas.codes[corner] in again.computed and len(again.skipped) >= len(areas) // 2
    assert_equals_whole_run(tmp_path, origins, whole_city(graph, origins, moved, standard, 300.0), standard)


@pytest.mark.parametrize("trouble, raised, kept", [
    # A task fails (its worker ran out of memory): the run goes on and reports it at the end.
    (MemoryError("worker out of memory"), city.CityRunError, 5),
    # The run is stopped (Ctrl-C) while the third area computes.
    (KeyboardInterrupt(), KeyboardInterrupt, 2),
])
def test_a_failed_or_interrupted_run_keeps_what_it_finished(helsinki_problem, tmp_path, monkeypatch, trouble,
                                                            raised, kept):
    graph, areas, origins, facilities, standard, whole = helsinki_problem
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    real = city.compute_area

    def troubled(job):
        if job.code == "sq2":
            raise trouble
        return real(job)

    monkeypatch.setattr(city, "compute_area", troubled)
    with pytest.raises(raised) as caught:
        city.run_city(plan, tmp_path, client=None, progress=False)
    if raised is city.CityRunError:
        assert "sq2: MemoryError: worker out of memory" in str(caught.value)
        assert "The 5 finished areas are saved; run the same command again" in str(caught.value)
    assert not os.path.exists(city.OutputFolder(tmp_path).area_path("sq2"))
    assert len(os.listdir(tmp_path / "origins")) == kept
    monkeypatch.setattr(city, "compute_area", real)
    again = city.run_city(plan, tmp_path, client=None, progress=False)
    assert "sq2" in again.computed and len(again.computed) == len(areas.codes) - kept
    assert len(again.skipped) == kept
    assert_equals_whole_run(tmp_path, origins, whole, standard)


def test_a_second_run_on_the_same_folder_at_once_is_refused(helsinki_problem, tmp_path, monkeypatch):
    graph, areas, origins, facilities, standard, _ = helsinki_problem
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    real = city.compute_area
    refused = []

    def meanwhile(job):
        if not refused:  # another run starts on the same folder while this one works
            with pytest.raises(InputError, match="another run is writing to this folder") as caught:
                city.run_city(plan, tmp_path, client=None, progress=False)
            refused.append(caught.value)
        return real(job)

    monkeypatch.setattr(city, "compute_area", meanwhile)
    run = city.run_city(plan, tmp_path, client=None, progress=False)
    assert refused and len(run.computed) == len(areas.codes)


# ---------------------------------------------------------------- bad input
def test_area_outside_the_extract_is_refused(helsinki_problem):
    graph, areas, origins, facilities, standard, _ = helsinki_problem
    far = CityAreas(areas.codes + ["shanghai"], areas.names + ["上海"], areas.polygons + [shapely.box(121, 31, 121.1, 31.1)],
                    areas.population + [None])
    with pytest.raises(InputError, match=r"1 area\(s\) lie outside the street network.*shanghai \(上海\)"):
        CityPlan.build(graph, far, origins, facilities, standard)


def test_area_without_streets_reports_its_origins_off_the_network(tmp_path):
    graph = grid_city(side=60, hole=(10, 50, 10, 50))
    x0, y0, x1, y1 = graph.bounds
    middle = shapely.box(x0 + (x1 - x0) * 0.45, y0 + (y1 - y0) * 0.45, x0 + (x1 - x0) * 0.55, y0 + (y1 - y0) * 0.55)
    rest = shapely.box(x0, y0, x1, y1).difference(middle)
    areas = CityAreas(["lake", "rest"], ["湖", "rest"], [middle, rest], [None, None])
    rng = np.random.default_rng(1)
    origins = Points(np.array([f"o{i}" for i in range(200)], dtype=object), rng.uniform(x0, x1, 200),
                     rng.uniform(y0, y1, 200), {"population": np.ones(200)})
    plan = CityPlan.build(graph, areas, origins, random_facilities(graph.bounds, rng, 30), small_standard())
    run = city.run_city(plan, tmp_path, client=None, progress=False)
    lake = next(r for r in run.reports if r["area_code"] == "lake")
    assert lake["origins"] > 0 and lake["origins_on_network"] == 0
    assert any("area lake: no walkable street" in w for w in run.warnings)
    table = pq.read_table(city.OutputFolder(tmp_path).area_path("lake")).to_pydict()
    assert not any(table["on_network"]) and all(v is None for v in table["clinic_count_120m"])


def test_origins_outside_every_area_are_counted_and_listed(helsinki_problem, tmp_path):
    graph, areas, origins, facilities, standard, _ = helsinki_problem
    some = CityAreas(areas.codes[:2], areas.names[:2], areas.polygons[:2], areas.population[:2])
    plan = CityPlan.build(graph, some, origins, facilities, standard)
    n_out = int((plan.origin_area < 0).sum())
    assert n_out > 0 and any(f"{n_out} of {origins.lon.size} origins lie outside every area" in w for w in plan.warnings)
    city.run_city(plan, tmp_path, client=None, progress=False)
    listed = (tmp_path / "outside-areas.csv").read_text().splitlines()
    assert len(listed) == n_out + 1


def test_every_origin_is_answered_once_even_on_a_shared_border(helsinki_problem):
    areas = helsinki_problem[1]
    x = areas.polygons[0].bounds[2]  # the border between sq0 and the next column
    assigned = city.assign_to_areas(areas.polygons, np.array([x, x]), np.array([60.166, 60.176]))
    assert list(assigned) == [0, 1]  # the first area in input order wins a tie


def test_output_folder_of_another_run_is_refused(helsinki_problem, tmp_path):
    graph, areas, origins, facilities, standard, _ = helsinki_problem
    city.run_city(CityPlan.build(graph, areas, origins, facilities, standard), tmp_path, client=None, progress=False)
    other = CityAreas(["x"], ["x"], [areas.polygons[0]], [None])
    with pytest.raises(InputError, match="holds results of 6 area"):
        city.run_city(CityPlan.build(graph, other, origins, facilities, standard), tmp_path, client=None,
                      progress=False)


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(city.ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        city.connect("tcp://127.0.0.1:9", timeout_s=2)


def test_standard_file_is_read_like_the_platform():
    standard = WalkingStandard.read(city.DEFAULT_STANDARD)
    assert standard.thresholds_m == (300.0, 500.0, 1000.0)
    assert standard.category_tier["senior_day_care"] == 5 and "library" in standard.categories


# ------------------------------------------------------------ real cluster
class KillWorkerOnce(WorkerPlugin):
    """A Dask worker plugin: the first task to start once two areas are saved kills its worker."""

    def __init__(self, origin_dir, marker):
        self.origin_dir, self.marker = str(origin_dir), str(marker)

    def setup(self, worker):
        pass

    def teardown(self, worker):
        pass

    def transition(self, key, start, finish, **kwargs):
        if (finish == "executing" and not os.path.exists(self.marker) and os.path.isdir(self.origin_dir)
                and len(os.listdir(self.origin_dir)) >= 2):
            with open(self.marker, "w") as f:
                f.write(str(key))
            os.kill(os.getpid(), signal.SIGKILL)


def test_two_worker_processes_survive_a_killed_worker_and_resume(helsinki_problem, tmp_path):
    graph, _, origins, facilities, standard, whole = helsinki_problem
    areas = square_areas(graph.bounds, 4, 3)
    plan = CityPlan.build(graph, areas, origins, facilities, standard)
    out, marker = tmp_path / "out", tmp_path / "killed"
    client, cluster = city.connect(workers=2, memory_limit="1GB")
    try:
        assert len(cluster.workers) == 2
        pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids  # real processes, not threads of this one
        client.register_plugin(KillWorkerOnce(out / "origins", marker))
        run = city.run_city(plan, out, client, progress=False)
        assert marker.exists(), "no worker was killed: the test proved nothing"
        assert sorted(run.computed) == sorted(areas.codes) and not run.failed
        assert all(peak > 50 for peak in run.worker_peaks_mb().values())
        assert_equals_whole_run(out, origins, whole, standard)
        # A run stopped part-way: some areas saved, the rest resumed on the cluster.
        folder = city.OutputFolder(out)
        for code in areas.codes[5:]:
            os.unlink(folder.area_path(code))
        again = city.run_city(plan, out, client, progress=False)
        assert sorted(again.computed) == sorted(areas.codes[5:]) and sorted(again.skipped) == sorted(areas.codes[:5])
        assert_equals_whole_run(out, origins, whole, standard)
    finally:
        city.close(client, cluster)


# ------------------------------------------------------------ command line
ADMIN_OSM = """{nodes}
  <node id="8" lon="121.3021" lat="31.1010"><tag k="amenity" v="clinic"/></node>
{streets}
  <relation id="900"><member type="way" ref="501" role="outer"/>
    <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/>
    <tag k="name" v="西区"/></relation>
  <relation id="901"><member type="way" ref="502" role="outer"/>
    <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/>
    <tag k="name" v="东区"/></relation>
"""


def test_command_line_with_admin_areas_from_the_extract(tmp_path, capsys):
    from lifecircle.geo.cli import main

    coords, ways = {}, []
    for i in range(11):  # a 11 x 3 ladder of streets 100 m apart, 121.3-121.31 E
        for j in range(3):
            coords[1000 + i * 3 + j] = (121.3 + i * 0.00105, 31.1 + j * 0.0009)
    for i in range(11):
        ways.append(way_xml(100 + i, [1000 + i * 3 + j for j in range(3)], highway="residential"))
    for j in range(3):
        ways.append(way_xml(200 + j, [1000 + i * 3 + j for i in range(11)], highway="residential"))
    coords.update({1: (121.2995, 31.0995), 2: (121.3053, 31.0995), 3: (121.3053, 31.1023), 4: (121.2995, 31.1023),
                   5: (121.3110, 31.0995), 6: (121.3110, 31.1023)})
    coords[7] = (121.3011, 31.1009)
    ways += [way_xml(501, [1, 2, 3, 4, 1]), way_xml(502, [2, 5, 6, 3, 2])]
    body = ADMIN_OSM.format(nodes=nodes_xml(coords), streets="\n".join(ways))
    osm = tmp_path / "city.osm"
    osm.write_text(osm_xml(body), encoding="utf-8")
    origins = tmp_path / "homes.csv"
    origins.write_text("id,lon,lat,population\nh1,121.3011,31.1009,100\nh2,121.3100,31.1010,50\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(["city", str(osm), "--areas", "admin:10", "--origins", str(origins), "--out", str(out),
                   "--workers", "1", "--quiet"])
    assert status == 0, capsys.readouterr().err
    table = city.read_results(out).to_pydict()
    by_id = dict(zip(table["origin_id"], zip(table["area_code"], table["health_station_nearest_m"])))
    assert by_id["h1"][0] == "r900" and by_id["h2"][0] == "r901"
    assert by_id["h1"][1] == pytest.approx(100, abs=25)  # ~95 m along the street, plus short legs
    assert by_id["h2"][1] == pytest.approx(753, abs=40)  # 0.0079 degrees east, along a straight street
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert "r900,西区,health_station,10,500.0,True,1,0,100.0,100.0,1.0000" in summary


def test_command_line_refuses_a_scheduler_it_cannot_reach(tmp_path, capsys):
    from lifecircle.geo.cli import main

    origins = tmp_path / "o.csv"
    origins.write_text("lon,lat\n24.94,60.17\n", encoding="utf-8")
    areas = tmp_path / "a.geojson"
    areas.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "k"},
         "geometry": shapely.geometry.mapping(shapely.box(24.93, 60.16, 24.96, 60.18))}]}))
    status = main(["city", HELSINKI_PBF, "--areas", str(areas), "--origins", str(origins), "--out", str(tmp_path / "o"),
                   "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "2", "--quiet"])
    assert status == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "o" / "origins").exists() or not os.listdir(tmp_path / "o" / "origins")


def test_grid_origins_share_each_areas_population(helsinki_problem):
    areas = helsinki_problem[1]
    with_people = CityAreas(areas.codes[:2], areas.names[:2], areas.polygons[:2], [1200.0, None])
    grid = city.origins_on_grid(with_people, 100.0)
    first = np.char.startswith(grid.id.astype(str), "sq0:")
    assert first.sum() > 10 and grid.values["population"][first].sum() == pytest.approx(1200.0)
    assert (grid.values["population"][~first] == 1.0).all()  # no population given: each point counts 1
    assert (city.assign_to_areas(with_people.polygons, grid.lon, grid.lat) == np.where(first, 0, 1)).all()


def _wait_then_return(seconds):
    import time

    time.sleep(seconds)
    return seconds


def test_a_cancelled_task_comes_back_as_an_error_not_as_an_empty_result():
    """A task the cluster gives up (its futures cancelled, as when the client loses its scheduler)
    is an error for its area: before, it came back with neither a result nor an error."""
    from distributed import Client, Future, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        seen = {}
        for key, result, error in city.stream(client, _wait_then_return, iter([("quick", 0.0), ("slow", 3.0)])):
            seen[key] = (result, error)
            if key == "quick":  # cancel what is still running, as a lost scheduler does
                client.cancel([Future(k, client) for k in list(client.futures)])
    assert seen["quick"] == (0.0, None)
    result, error = seen["slow"]
    assert result is None and isinstance(error, city.ClusterError) and "cancelled" in str(error)
