"""WalkGraph: save/load, GeoJSON, and building from polylines."""

import json
import os
import zipfile

import numpy as np
import pytest

from lifecircle.geo import GraphFileError, WalkGraph


def test_save_load_round_trip(helsinki_graph, tmp_path):
    path = tmp_path / "helsinki.npz"
    helsinki_graph.save(path)
    loaded = WalkGraph.load(path)
    for key in ("node_lon", "node_lat", "node_osmid", "edge_u", "edge_v", "edge_length", "edge_way",
                "edge_name", "edge_highway", "geom_offsets", "geom_lon", "geom_lat",
                "indptr", "indices", "weights", "slot_edge"):
        assert np.array_equal(getattr(loaded, key), getattr(helsinki_graph, key)), key
    assert loaded.names == helsinki_graph.names and loaded.highways == helsinki_graph.highways
    assert [p.name for p in tmp_path.iterdir()] == ["helsinki.npz"]  # no temp file left behind


def test_save_does_not_replace_on_failure(helsinki_graph, tmp_path, monkeypatch):
    path = tmp_path / "graph.npz"
    path.write_bytes(b"previous contents")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        helsinki_graph.save(path)
    assert path.read_bytes() == b"previous contents"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.npz"]


def test_load_rejects_bad_files(tmp_path, helsinki_graph):
    with pytest.raises(GraphFileError, match="no such file"):
        WalkGraph.load(tmp_path / "missing.npz")
    text = tmp_path / "text.npz"
    text.write_text("not a zip")
    with pytest.raises(GraphFileError, match="cannot read graph file") as err:
        WalkGraph.load(text)
    assert str(text) in str(err.value)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(GraphFileError, match="format marker"):
        WalkGraph.load(other)
    good = tmp_path / "good.npz"
    helsinki_graph.save(good)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[: os.path.getsize(good) // 2])
    with pytest.raises(GraphFileError):
        WalkGraph.load(cut)
    # Same arrays, but the CSR of another graph: caught, not a crash later.
    mixed = tmp_path / "mixed.npz"
    with zipfile.ZipFile(good) as z:
        arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
    arrays["indptr"] = arrays["indptr"][:-5]
    np.savez(mixed, **arrays)
    with pytest.raises(GraphFileError, match="CSR arrays do not match"):
        WalkGraph.load(mixed)


def test_graphs_saved_before_other_language_names_still_load(tmp_path):
    """A file without the name-language arrays (saved before they were kept) loads with no translations."""
    g = WalkGraph.from_polylines([0, 2, 4], [1, 2, 2, 3], [0.0, 0.001, 0.001, 0.002], [0.0] * 4,
                                 name_index=[1, 2], names=["", "中路", "北路"],
                                 name_translations={"en": ["", "Middle Road", ""]})
    good = tmp_path / "good.npz"
    g.save(good)
    assert WalkGraph.load(good).name_translations == {"en": ["", "Middle Road", ""]}
    with zipfile.ZipFile(good) as z:
        arrays = {name[:-4]: np.load(z.open(name)) for name in z.namelist()}
    old = tmp_path / "old.npz"
    np.savez(old, **{k: v for k, v in arrays.items() if not k.startswith(("name_languages", "names0"))})
    loaded = WalkGraph.load(old)
    assert loaded.name_translations == {} and loaded.names == ["", "中路", "北路"]
    assert [f["properties"]["name_en"] for f in loaded.to_geojson()["features"]] == [None, None]
    # One language's names cut short: refused as inconsistent, not an IndexError on a map later.
    arrays["names0_offsets"] = arrays["names0_offsets"][:-1]
    short = tmp_path / "short.npz"
    np.savez(short, **arrays)
    with pytest.raises(GraphFileError, match="other languages do not match"):
        WalkGraph.load(short)


def test_geojson_one_feature_per_edge(helsinki_graph):
    fc = helsinki_graph.to_geojson()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == helsinki_graph.n_edges
    min_lon, min_lat, max_lon, max_lat = helsinki_graph.bounds
    for feature in fc["features"][:200]:
        assert feature["geometry"]["type"] == "LineString"
        coords = np.array(feature["geometry"]["coordinates"])
        assert coords.shape[1] == 2 and len(coords) >= 2
        assert (coords[:, 0] >= min_lon - 1e-6).all() and (coords[:, 0] <= max_lon + 1e-6).all()  # lon first
        assert (coords[:, 1] >= min_lat - 1e-6).all() and (coords[:, 1] <= max_lat + 1e-6).all()
        assert set(feature["properties"]) >= {"name", "highway"}
    named = [f for f in fc["features"] if f["properties"]["name"] == "Mannerheimintie"]
    assert named and all(f["properties"]["highway"] for f in named)
    json.dumps(fc)  # serialisable as is


def test_from_polylines_grid():
    # Two polylines crossing at node 10 in their middle, plus a dead end.
    refs = [1, 10, 2, 3, 10, 4, 4, 5]
    lon = [0.0, 0.001, 0.002, 0.001, 0.001, 0.001, 0.001, 0.0015]
    lat = [0.0, 0.0, 0.0, -0.001, 0.0, 0.001, 0.001, 0.0015]
    g = WalkGraph.from_polylines([0, 3, 6, 8], refs, lon, lat, way_ids=[100, 200, 300])
    assert g.n_edges == 5 and g.n_nodes == 6
    assert sorted(g.edge_way.tolist()) == [100, 100, 200, 200, 300]
    assert g.indptr[-1] == 10
    assert np.allclose(np.sort(g.edge_length[g.edge_way == 100]), [111.2, 111.2], atol=0.1)


def test_largest_component_drops_islands():
    refs = [1, 2, 3, 7, 8]
    lon = [0.0, 0.001, 0.002, 1.0, 1.0005]
    lat = [0.0, 0.0, 0.0, 1.0, 1.0]
    g = WalkGraph.from_polylines([0, 3, 5], refs, lon, lat)
    assert g.n_edges == 2
    big = g.largest_component()
    assert big.n_edges == 1 and set(big.node_osmid.tolist()) == {1, 3}
