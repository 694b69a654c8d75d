"""The command line, end to end on the Helsinki extract."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from lifecircle.geo import WalkGraph
from lifecircle.geo.cli import main

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


def test_accessibility_csv(workdir):
    out, far = workdir / "r.csv", workdir / "far.csv"
    assert main(["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                 "--facilities", str(workdir / "f.csv"), "--out", str(out), "--far", str(far), "--quiet"]) == 0
    rows = read_csv(out)
    assert [r["id"] for r in rows] == ["a", "b", "far"]
    assert set(rows[0]) >= {"clinic_nearest_m", "clinic_count_300m", "market_capacity_900m"}
    assert 150 < float(rows[0]["clinic_nearest_m"]) < 300 and rows[0]["clinic_count_300m"] == "1"
    assert rows[2]["clinic_nearest_m"] == "" and rows[2]["clinic_count_300m"] == ""
    assert [r["id"] for r in read_csv(far)] == ["far"]


def test_accessibility_minutes_and_profile(workdir):
    out = workdir / "r2.csv"
    assert main(["accessibility", str(workdir / "h.npz"), "--origins", str(workdir / "o.csv"),
                 "--facilities", str(workdir / "f.csv"), "--out", str(out), "--minutes", "5",
                 "--profile", "elderly", "--quiet"]) == 0
    assert "clinic_count_270m" in read_csv(out)[0]


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
