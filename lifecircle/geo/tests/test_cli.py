"""The command line, end to end on the Helsinki extract."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from lifecircle.geo import WalkGraph
from lifecircle.geo.cli import main
from lifecircle.geo.standard import DEFAULT_STANDARD

from .conftest import HELSINKI_PBF

ORIGINS = "id,lon,lat,population,group\na,24.944,60.170,100,g1\nb,24.950,60.175,50,g2\nfar,25.5,60.5,10,g2\n"
FACILITIES = "id,lon,lat,category,capacity\n1,24.945,60.171,clinic,10\n2,24.940,60.168,market,3\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    assert main(["build-graph", HELSINKI_PBF, str(d / "h.npz"), "--quiet"]) == 0
    (d / "o.csv").write_text(ORIGINS)
    (d / "f.csv").write_text(FACILITIES)
    return d


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_build_graph_with_boundary(tmp_path):
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[24.940, 60.168], [24.945, 60.168], [24.945, 60.171],
                                            [24.940, 60.171], [24.940, 60.168]]]}}))
    out = tmp_path / "g.npz"
    assert main(["build-graph", HELSINKI_PBF, str(out), "--boundary", str(area), "--buffer-m", "100",
                 "--quiet"]) == 0
    small = WalkGraph.load(out)
    assert 0 < small.n_edges < 2000


def test_build_graph_says_what_it_left_out(tmp_path, capsys):
    assert main(["build-graph", HELSINKI_PBF, str(tmp_path / "g.npz"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning: " + HELSINKI_PBF + ": 30 piece(s) of street with 1.6 km in all are cut off" in err
    assert "largest: 208 m near 60.16616, 24.95278" in err
    assert "176 way(s) run out of the extract" in err


def test_build_graph_refuses_a_boundary_without_streets(tmp_path, capsys):
    area = tmp_path / "area.geojson"  # from the extract's east edge far out to sea
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [[[24.955, 60.16], [25.05, 60.16],
                                                                    [25.05, 60.19], [24.955, 60.19], [24.955, 60.16]]]}))
    assert main(["build-graph", HELSINKI_PBF, str(tmp_path / "g.npz"), "--boundary", str(area), "--quiet"]) == 2
    assert "the street network does not cover the boundary" in capsys.readouterr().err
    assert not (tmp_path / "g.npz").exists()
    assert main(["build-graph", HELSINKI_PBF, str(tmp_path / "g.npz"), "--boundary", str(area), "--quiet",
                 "--min-street-coverage", "0"]) == 0
    assert "of the boundary area lies within 200 m" in capsys.readouterr().err


def test_accessibility_csv(workdir):
    out, far = workdir / "r.csv", workdir / "far.csv"
    assert main(["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                 "--facilities", str(workdir / "f.csv"), "--out", str(out), "--far", str(far), "--quiet"]) == 0
    rows = read_csv(out)
    assert [r["id"] for r in rows] == ["a", "b", "far"]
    # The tiers are the standard's distances (as on the platform), not 5/10/15 min at 60 m/min.
    assert set(rows[0]) >= {"clinic_nearest_m", "clinic_count_300m", "market_count_500m", "market_capacity_1000m"}
    assert not any(name.endswith("_900m") for name in rows[0])
    assert 150 < float(rows[0]["clinic_nearest_m"]) < 300 and rows[0]["clinic_count_300m"] == "1"
    assert rows[2]["clinic_nearest_m"] == "" and rows[2]["clinic_count_300m"] == ""
    assert [r["id"] for r in read_csv(far)] == ["far"]


def test_accessibility_minutes_and_profile(workdir, capsys):
    out = workdir / "r2.csv"
    assert main(["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                 "--facilities", str(workdir / "f.csv"), "--out", str(out), "--minutes", "5",
                 "--profile", "elderly", "--quiet"]) == 0
    assert "clinic_count_270m" in read_csv(out)[0]
    assert "distances: 270 m (5 min at 54 m/min, given with --minutes)" in capsys.readouterr().err


def test_distances_say_where_they_come_from(workdir, tmp_path, capsys):
    out = workdir / "r3.csv"
    args = ["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
            "--facilities", str(workdir / "f.csv"), "--out", str(out), "--quiet"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "distances: 300 m, 500 m, 1000 m (5 min = 300 m, 10 min = 500 m, 15 min = 1000 m (standard " \
           "shanghai-15min-2016 version 1," in err and "shanghai-2016.json" in err
    # Another standard (an admin's 800 m version): the 15-minute tier follows it.
    standard = json.loads(DEFAULT_STANDARD.read_text(encoding="utf-8"))
    for row in standard["rows"]:
        if row["tier_minutes"] == 15:
            row["threshold_m"] = 800
    mine = tmp_path / "s.json"
    mine.write_text(json.dumps(standard))
    assert main([*args, "--standard", str(mine)]) == 0
    assert "market_count_800m" in read_csv(out)[0]
    mine.write_text(json.dumps({**standard, "rows": [r for r in standard["rows"] if r["tier_minutes"] != 15]}))
    assert main([*args, "--standard", str(mine)]) == 2
    assert "no rows for the 15-minute tier" in capsys.readouterr().err


def test_coverage_csv(workdir):
    out, gaps = workdir / "c.csv", workdir / "g.csv"
    assert main(["coverage", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                 "--facilities", str(workdir / "f.csv"), "--out", str(out), "--gaps", str(gaps),
                 "--category-minutes", "clinic=5", "--quiet"]) == 0
    rows = {(r["group"], r["category"]): r for r in read_csv(out)}
    assert rows[("g1", "clinic")]["share"] == "1.0000" and rows[("g1", "clinic")]["threshold_m"] == "300.0"
    assert rows[("g2", "clinic")]["population"] == "60"
    gap_rows = read_csv(gaps)
    assert {(r["origin_id"], r["category"]) for r in gap_rows} == {
        ("b", "clinic"), ("b", "market"), ("far", "clinic"), ("far", "market")}


def test_isochrone_to_file_and_stdout(workdir, capsys):
    out = workdir / "iso.geojson"
    assert main(["isochrone", str(workdir / "h.npz"), "24.944", "60.170", "--out", str(out),
                 "--distances-m", "200", "400"]) == 0
    fc = json.loads(out.read_text())
    assert [f["properties"]["distance_m"] for f in fc["features"]] == [400.0, 200.0]
    assert main(["isochrone", str(workdir / "h.npz"), "24.944", "60.170", "--minutes", "5"]) == 0
    assert json.loads(capsys.readouterr().out)["features"][0]["properties"]["minutes"] == 5.0


def test_geojson_export(workdir):
    out = workdir / "streets.geojson"
    assert main(["geojson", str(workdir / "h.npz"), str(out)]) == 0
    fc = json.loads(out.read_text())
    assert len(fc["features"]) == WalkGraph.load(workdir / "h.npz").n_edges


@pytest.mark.parametrize("content, message", [
    ("lon,lat\n24.94,60.17\n", "missing column(s) category"),
    ("lon,lat,category\n24.94,sixty,clinic\n", "line 2: column 'lat' is not a number: 'sixty'"),
    ("lon,lat,category\n24.94,60.17,\n", "line 2: column 'category' is empty"),
    ("", "file is empty"),
])
def test_bad_csv_is_one_clear_line(workdir, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    out = tmp_path / "r.csv"
    status = main(["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                   "--facilities", str(bad), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and message in err and str(bad) in err
    assert not out.exists()  # nothing half-written


def test_bad_inputs_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    assert main(["build-graph", str(empty), str(tmp_path / "x.npz"), "--quiet"]) == 2
    assert "file is empty" in capsys.readouterr().err
    assert main(["isochrone", str(tmp_path / "nope.npz"), "1", "2"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_python_dash_m(workdir):
    import os

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    result = subprocess.run([sys.executable, "-m", "lifecircle.geo", "isochrone", str(workdir / "h.npz"),
                             "24.944", "60.170", "--minutes", "5"], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stderr
    fc = json.loads(result.stdout)
    coords = np.array(fc["features"][0]["geometry"]["coordinates"][0])
    assert coords.shape[1] == 2


def test_points_far_from_the_streets_are_a_warning_naming_the_file(workdir, tmp_path, capsys):
    # Ten homes 1-2 km north of the extract, all on the same side: far, and offset the same way.
    origins = tmp_path / "shifted.csv"
    origins.write_text("id,lon,lat\n" + "".join(f"h{i},{24.936 + i * 0.0015},{60.19 + i * 0.001}\n"
                                                   for i in range(10)))
    assert main(["accessibility", str(workdir / "h.npz"), "--origins", str(origins),
                 "--facilities", str(workdir / "f.csv"), "--out", str(tmp_path / "r.csv"), "--quiet",
                 "--max-snap-m", "5000"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {origins}: 100% of the 10 origins are more than 150 m from any walkable street" in err
    assert "to the south of them" in err and "Check that the coordinates are WGS84" in err
    assert str(workdir / "f.csv") not in err  # the facilities are fine


def test_walking_profiles_on_the_command_line(workdir, capsys, tmp_path):
    graph = str(workdir / "h.npz")
    assert main(["accessibility", graph, "--origins", str(workdir / "o.csv"), "--facilities",
                 str(workdir / "f.csv"), "--out", str(tmp_path / "std.csv"), "--quiet"]) == 0
    assert main(["accessibility", graph, "--origins", str(workdir / "o.csv"), "--facilities",
                 str(workdir / "f.csv"), "--out", str(tmp_path / "bf.csv"), "--quiet", "--walk", "barrier-free"]) == 0
    err = capsys.readouterr().err
    assert "walking profile: barrier-free" in err and "have no kerb mapped" in err
    standard, free = read_csv(tmp_path / "std.csv"), read_csv(tmp_path / "bf.csv")
    # Origin a walks round Helsinki's steps to the market (407.5 m -> 448.3 m); the clinic barely moves.
    assert [r["market_nearest_m"] for r in standard[:2]] == ["407.5", "1136.4"]
    assert [r["market_nearest_m"] for r in free[:2]] == ["448.3", "1177.4"]
    assert [r["clinic_nearest_m"] for r in free[:2]] == ["245.8", "624.5"]
    assert main(["isochrone", graph, "24.944", "60.170", "--walk", "wheelchair"]) == 2
    assert "unknown walking profile 'wheelchair'" in capsys.readouterr().err
