import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifecircle.community.models import Compound, Grid, PedestrianNetwork, SubDistrict
from lifecircle.community.packs import PackError, load_pack
from lifecircle.directory.models import Facility, PointOfInterest, Room, Standard

MINI = Path(__file__).parent / "packs" / "mini"
STANDARD = Path(__file__).resolve().parents[3] / "data" / "standards" / "shanghai-2016.json"


def database_snapshot():
    """Every row the loader writes, as plain values, to prove a failed load changed nothing."""
    from django.apps import apps

    snapshot = {}
    for label in ("community", "directory"):
        for model in apps.get_app_config(label).get_models():
            # updated_at records when a row was last saved (HSDS last_modified), not what it holds
            snapshot[model.__name__] = sorted(
                json.dumps({k: v for k, v in row.items() if k != "updated_at"}, sort_keys=True, default=str)
                for row in model.objects.values()
            )
    return snapshot


def copy_pack(source, folder):
    """A writable copy of the pack in ``source`` whose standard path still resolves."""
    shutil.copytree(source, folder)
    manifest = json.loads((folder / "pack.json").read_text())
    manifest["standard"] = str(STANDARD)
    (folder / "pack.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return folder


@pytest.fixture
def pack_copy(tmp_path):
    return copy_pack(MINI, tmp_path / "pack")


def edit_feature(folder, filename, index, **properties):
    path = folder / filename
    data = json.loads(path.read_text())
    data["features"][index]["properties"].update(properties)
    path.write_text(json.dumps(data))


@pytest.mark.django_db
def test_mini_pack_loads_everything_and_places_it_in_grids():
    subdistrict = load_pack(MINI)
    assert subdistrict.illustrative
    assert Grid.objects.count() == 2
    assert {c.code: c.grid.code for c in Compound.objects.all()} == {"a": "west", "b": "east", "c": "east"}
    canteen = Facility.objects.get(code="canteen")
    assert canteen.grid.code == "west"
    assert [c.slug for c in canteen.all_categories()] == ["senior_meals", "senior_day_care"]
    assert canteen.hours_exceptions.get().reason == "国庆"
    assert Room.objects.filter(facility__code="center", bookable=True).count() == 2
    assert PointOfInterest.objects.get(code="books").opening_hours == "24/7"
    network = PedestrianNetwork.objects.get(subdistrict=subdistrict)
    assert network.node_count == 12 and network.attribution.startswith("Test network")
    standard = Standard.objects.get(active=True)
    assert standard.rows.count() == 15 and standard.is_published


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load_pack(MINI)
    first = database_snapshot()
    load_pack(MINI)
    assert database_snapshot() == first


@pytest.mark.django_db
def test_reloading_an_edited_pack_updates_in_place(pack_copy):
    load_pack(pack_copy)
    edit_feature(pack_copy, "facilities.geojson", 0, capacity=350)
    load_pack(pack_copy)
    assert Facility.objects.get(code="canteen").capacity == 350
    assert Facility.objects.count() == 3


BAD_INPUTS = {
    "bad GeoJSON": (lambda f: (f / "compounds.geojson").write_text('{"type": "FeatureCollection", "features": [}'),
                    "compounds.geojson: not valid JSON (line 1"),
    "not a FeatureCollection": (lambda f: (f / "pois.geojson").write_text('{"type": "Feature"}'),
                                "pois.geojson: not a GeoJSON FeatureCollection"),
    "latitude out of range": (lambda f: _set_point(f, "compounds.geojson", 1, [121.44, 95.0]),
                              "compounds.geojson, feature 1 (b): latitude 95.0 is out of range"),
    "longitude out of range": (lambda f: _set_point(f, "facilities.geojson", 0, [200.0, 31.2]),
                               "facilities.geojson, feature 0 (canteen): longitude 200.0 is out of range"),
    "unknown category": (lambda f: edit_feature(f, "facilities.geojson", 1, category="spa"),
                         "facilities.geojson, feature 1 (babycare): unknown category 'spa'"),
    "duplicate id": (lambda f: edit_feature(f, "pois.geojson", 1, code="old-house"),
                     "pois.geojson, feature 1 (old-house): duplicate code 'old-house'"),
    "bad opening hours": (lambda f: edit_feature(f, "facilities.geojson", 2, opening_hours="Monday 9-5"),
                          "facilities.geojson, feature 2 (center): opening_hours: rule 'Monday 9-5'"),
    "age group above population": (lambda f: edit_feature(f, "compounds.geojson", 0, aged_60_plus=5000),
                                   "compounds.geojson, feature 0 (a): 'aged_60_plus' (5000) exceeds the population"),
    "invalid grid polygon": (lambda f: _set_geometry(f, "grids.geojson", 0, {"type": "Polygon", "coordinates": [
        [[121.44, 31.23], [121.45, 31.236], [121.45, 31.23], [121.44, 31.236], [121.44, 31.23]]]}),
        "grids.geojson, feature 0 (west): boundary polygon is invalid: Self-intersection"),
    "truncated OSM file": (lambda f: (f / "network.osm").write_text((f / "network.osm").read_text()[:300]),
                           "network.osm:"),
}


def _set_geometry(folder, filename, index, geometry):
    path = folder / filename
    data = json.loads(path.read_text())
    data["features"][index]["geometry"] = geometry
    path.write_text(json.dumps(data))


def _set_point(folder, filename, index, coordinates):
    _set_geometry(folder, filename, index, {"type": "Point", "coordinates": coordinates})


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_names_the_place_and_reason_and_changes_nothing(case, pack_copy):
    load_pack(MINI)
    before = database_snapshot()
    # Change good fields too, so a partial write would show.
    edit_feature(pack_copy, "facilities.geojson", 0, name="改过的名字", capacity=1)
    breaks, message = BAD_INPUTS[case]
    breaks(pack_copy)
    with pytest.raises(PackError) as error:
        load_pack(pack_copy)
    assert message in str(error.value)
    assert database_snapshot() == before


@pytest.mark.django_db
def test_load_pack_command_reports_problems_as_a_command_error(pack_copy):
    edit_feature(pack_copy, "facilities.geojson", 1, category="spa")
    with pytest.raises(CommandError, match="unknown category 'spa'"):
        call_command("load_pack", str(pack_copy))
    assert not SubDistrict.objects.exists()


@pytest.mark.django_db
def test_missing_folder_is_reported(tmp_path):
    with pytest.raises(PackError, match="not a folder"):
        load_pack(tmp_path / "nowhere")


# ---------------------------------------------------------------- no silent data problems
DEMO = Path(__file__).resolve().parents[3] / "data" / "packs" / "jiangning-road"


def _move_points(folder, filename, convert):
    path = folder / filename
    data = json.loads(path.read_text())
    for feature in data["features"]:
        feature["geometry"]["coordinates"] = list(convert(*feature["geometry"]["coordinates"]))
    path.write_text(json.dumps(data, ensure_ascii=False))


def _osm_body(folder, old, new):
    path = folder / "network.osm"
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.django_db
def test_compound_in_no_grid_is_refused_unless_kept(pack_copy):
    _set_point(pack_copy, "compounds.geojson", 2, [121.4505, 31.2331])  # just east of the east grid
    before = database_snapshot()
    with pytest.raises(PackError) as error:
        load_pack(pack_copy)
    text = str(error.value)
    assert "compounds.geojson, feature 2 (c): lies outside the sub-district boundary" in text
    assert "1 compound(s) or facility(ies) lie outside the boundary or in no grid" in text and "--keep-outside" in text
    assert database_snapshot() == before
    subdistrict = load_pack(pack_copy, keep_outside=True)
    assert Compound.objects.get(code="c").grid is None
    assert any(w.startswith("compounds.geojson, feature 2 (c): lies outside") for w in subdistrict.pack_warnings)


@pytest.mark.django_db
def test_facility_inside_the_boundary_but_in_no_grid_is_named(pack_copy):
    # Shrink the west grid so the canteen falls between the grids.
    _set_geometry(pack_copy, "grids.geojson", 0, {"type": "Polygon", "coordinates": [
        [[121.44, 31.23], [121.442, 31.23], [121.442, 31.236], [121.44, 31.236], [121.44, 31.23]]]})
    with pytest.raises(PackError, match=r"facilities.geojson, feature 0 \(canteen\): lies in no grid"):
        load_pack(pack_copy)


@pytest.mark.django_db
def test_network_of_another_area_is_refused(pack_copy):
    # Pudong's boundary with Puxi's streets: the same small network, drawn 3 km west of the boundary.
    path = pack_copy / "network.osm"
    path.write_text(path.read_text().replace('lon="121.44', 'lon="121.41'))
    with pytest.raises(PackError) as error:
        load_pack(pack_copy)
    assert "network.osm: only 0% of the sub-district's area lies within 200 m of a walkable street" in str(error.value)
    assert "does not cover the boundary" in str(error.value)
    assert not SubDistrict.objects.exists()


@pytest.mark.django_db
def test_car_only_network_islands_and_negative_ids_are_reported(pack_copy):
    path = pack_copy / "network.osm"
    text = path.read_text().replace('v="footway"', 'v="residential"')
    # JOSM-style negative ids, and one footway on its own far from the rest.
    text = text.replace('id="1" ', 'id="-1" ').replace('ref="1"/>', 'ref="-1"/>')
    text = text.replace("</osm>", '  <node id="50" lat="31.2345" lon="121.4480"/><node id="51" lat="31.2348" '
                        'lon="121.4480"/>\n  <way id="50"><nd ref="50"/><nd ref="51"/><tag k="highway" v="service"/>'
                        "</way>\n</osm>")
    path.write_text(text)
    subdistrict = load_pack(pack_copy)
    assert PedestrianNetwork.objects.get(subdistrict=subdistrict).node_count == 12
    warnings = "\n".join(subdistrict.pack_warnings)
    assert "network.osm: 1 piece(s) of street with 0.0 km in all are cut off from the main network" in warnings
    assert "31.23465, 121.44800" in warnings
    assert "network.osm: only 0 footway, path, steps or pedestrian way(s) (0% of" in warnings
    assert "looks like a network for cars" in warnings


@pytest.fixture
def demo_copy(tmp_path):
    return copy_pack(DEMO, tmp_path / "demo")


def test_demo_pack_reads_without_warnings():
    from lifecircle.community.packs import read_pack

    assert read_pack(DEMO).warnings == []


def test_baidu_coordinates_declared_as_wgs84_are_refused_unless_accepted(demo_copy):
    import prcoords

    from lifecircle.community.packs import read_pack

    for name in ("compounds.geojson", "facilities.geojson", "pois.geojson", "grids.geojson"):
        if name != "grids.geojson":
            _move_points(demo_copy, name, lambda lon, lat: tuple(reversed(prcoords.wgs_bd((lat, lon)))))
    with pytest.raises(PackError) as error:
        read_pack(demo_copy, keep_outside=True)
    text = str(error.value)
    assert "compounds.geojson: " in text and "They look like BD-09 coordinates (used by Baidu maps)" in text
    assert "--accept-offsets" in text
    pack = read_pack(demo_copy, keep_outside=True, accept_offsets=True)
    assert any(w.startswith("facilities.geojson: ") and "BD-09" in w for w in pack.warnings)


def test_amap_coordinates_on_a_dense_network_are_at_least_a_warning(demo_copy):
    import prcoords

    from lifecircle.community.packs import read_pack

    for name in ("compounds.geojson", "facilities.geojson", "pois.geojson"):
        _move_points(demo_copy, name, lambda lon, lat: tuple(reversed(prcoords.wgs_gcj((lat, lon)))))
    pack = read_pack(demo_copy, keep_outside=True)
    assert any("look like GCJ-02 coordinates" in w for w in pack.warnings)


@pytest.mark.django_db
def test_load_pack_command_options_and_warnings(pack_copy):
    from io import StringIO

    _set_point(pack_copy, "facilities.geojson", 1, [121.4505, 31.2331])
    with pytest.raises(CommandError, match="--keep-outside"):
        call_command("load_pack", str(pack_copy))
    out, err = StringIO(), StringIO()
    call_command("load_pack", str(pack_copy), "--keep-outside", stdout=out, stderr=err)
    assert "Loaded" in out.getvalue()
    assert "warning: facilities.geojson, feature 1 (babycare): lies outside the sub-district boundary" in err.getvalue()


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the English wording of the messages (zh-hans is the site's default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
