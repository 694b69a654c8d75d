"""make_pack: a pack from an OSM extract, a boundary and staff spreadsheets, that load_pack accepts."""
import json
from pathlib import Path

import osmium
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lifecircle.accessibility.models import CompoundAccess
from lifecircle.cli import main as lifecircle_main
from lifecircle.community.makepack import MakePackError, Source, make_pack
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.community.packs import load_pack, read_pack
from lifecircle.community.tests.test_packs import database_snapshot
from lifecircle.directory.models import Facility, PointOfInterest
from lifecircle.geo.distance import haversine_m
from lifecircle.geo.osm import is_walkable

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
HELSINKI = ROOT / "lifecircle" / "geo" / "tests" / "data" / "Helsinki.osm.pbf"
JIANGNING = ROOT / "data" / "packs" / "jiangning-road"
KESKUSTA = {"code": "keskusta", "name": "赫尔辛基市中心", "name_en": "Helsinki Centre", "city": "Helsinki",
            "district": "Uusimaa"}


def helsinki_pack(folder, **options):
    arguments = {
        "osm": HELSINKI, "boundary": DATA / "helsinki-keskusta.geojson", "subdistrict": KESKUSTA,
        "compounds": Source(DATA / "helsinki-compounds-gcj02.csv", "gcj02"),
        "facilities": Source(DATA / "helsinki-facilities-bd09.xlsx", "bd09"), "buffer_m": 300,
    }
    return make_pack(folder, **{**arguments, **options})


@pytest.fixture(scope="module")
def keskusta(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packs") / "keskusta"
    report = helsinki_pack(folder)
    return folder, report


def features(folder, name):
    return json.loads((folder / name).read_text(encoding="utf-8"))["features"]


@pytest.mark.django_db
def test_a_helsinki_pack_loads_next_to_jiangning_road_with_accessibility(keskusta):
    folder, _ = keskusta
    load_pack(JIANGNING)
    load_pack(folder)  # exactly as written: no edits
    call_command("compute_accessibility", "--no-progress")
    for code, compounds in (("jiangning-road", 20), ("keskusta", 4)):
        subdistrict = SubDistrict.objects.get(code=code)
        assert Compound.objects.filter(subdistrict=subdistrict).count() >= compounds
        assert Facility.objects.filter(subdistrict=subdistrict).exists()
        access = CompoundAccess.objects.filter(compound__subdistrict=subdistrict)
        assert access.filter(nearest_m__isnull=False).exists(), code
    keskusta_access = CompoundAccess.objects.filter(compound__subdistrict__code="keskusta", category__slug="library")
    assert keskusta_access.count() == 4 and all(a.nearest_m < 1500 for a in keskusta_access)
    staff = Facility.objects.get(subdistrict__code="keskusta", name="Keskusta canteen")
    assert (staff.category.slug, staff.capacity, staff.opening_hours) == ("senior_meals", 80, "Mo-Su 11:00-13:30")
    assert Facility.objects.get(name="Keskusta day care").opening_hours == "Mo-Fr 08:30-17:00"
    assert PointOfInterest.objects.filter(subdistrict__code="keskusta").count() > 10
    serves_both(Client())


def serves_both(client):
    """Each sub-district's pages and a map click answer from its own data, not the first loaded."""
    for code, own, other in (("keskusta", "Helsinki Centre", "江宁路"), ("jiangning-road", "江宁路", "Helsinki")):
        for page in (f"/s/{code}/", f"/s/{code}/planning/coverage/"):
            response = client.get(page, HTTP_ACCEPT_LANGUAGE="en" if code == "keskusta" else "zh-hans")
            text = response.content.decode()
            assert response.status_code == 200, page
            assert own in text and other not in text, page
        home = Compound.objects.filter(subdistrict__code=code).first()
        click = client.get("/api/accessibility/isochrones", {"lon": home.lon, "lat": home.lat})
        assert click.status_code == 200, click.content
        reached = {facility["code"] for facility in click.json()["reachable"]}
        own_facilities = set(Facility.objects.filter(subdistrict__code=code).values_list("code", flat=True))
        assert reached and reached <= own_facilities, code
    overview = client.get("/district/").content.decode()
    assert "keskusta" in overview and "jiangning-road" in overview


def test_staff_rows_are_converted_and_matched(keskusta):
    folder, report = keskusta
    compounds = {f["properties"]["name"]: f for f in features(folder, "compounds.geojson")}
    assert compounds["北区小区"]["properties"]["population"] == 260
    assert compounds["北区小区"]["geometry"]["coordinates"] == [24.9462, 60.1712]  # GCJ-02 is WGS84 abroad
    # No coordinates in the sheet: placed at the OSM node tagged addr:street=Mikonkatu, addr:housenumber=23.
    assert compounds["中区小区"]["geometry"]["coordinates"] == pytest.approx([24.9457455, 60.172137])
    assert "row 4 → osm-n93455942" in report.text()
    facilities = {f["properties"]["name"]: f for f in features(folder, "facilities.geojson")}
    lon, lat = facilities["Little steps"]["geometry"]["coordinates"]
    assert haversine_m(lon, lat, 24.9455, 60.1690) < 1  # BD-09 shifts abroad too; converted back
    assert facilities["Little steps"]["properties"]["category"] == "infant_care"
    assert facilities["Kansalliskirjasto"]["properties"]["code"].startswith("osm-")


def test_the_network_is_clipped_to_the_boundary_and_buffer(keskusta, tmp_path):
    folder, report = keskusta
    wide = tmp_path / "wide"
    helsinki_pack(wide, buffer_m=2000)
    near, far = (read_pack(f).network for f in (folder, wide))
    assert near.n_edges < far.n_edges
    assert "within 300 m of the boundary" in report.text() and "walkable ways further away left out" in report.text()
    pack = json.loads((folder / "pack.json").read_text())
    assert pack["standard"] == "shanghai-2016.json"
    assert (folder / "make_pack-report.txt").read_text().startswith("Network:")


def test_a_relation_in_the_extract_is_a_boundary(tmp_path):
    make_pack(tmp_path / "square", osm=HELSINKI, boundary="116162", subdistrict=KESKUSTA, buffer_m=200)
    boundary = json.loads((tmp_path / "square" / "boundary.geojson").read_text())
    assert boundary["geometry"]["type"] == "MultiPolygon"
    assert read_pack(tmp_path / "square").network.n_edges > 0


def test_the_jiangning_network_with_amap_and_baidu_sheets(tmp_path):
    """A real Chinese case: the sheets' GCJ-02 and BD-09 positions come back to the pack's WGS84 ones."""
    positions = {f["properties"]["code"]: f["geometry"]["coordinates"]
                 for f in features(JIANGNING, "facilities.geojson")}
    for fixture, system in (("jiangning-facilities-gcj02.csv", "高德"), ("jiangning-facilities-bd09.xlsx", "百度")):
        folder = tmp_path / system
        make_pack(folder, osm=JIANGNING / "network.osm", boundary=JIANGNING / "boundary.geojson",
                  subdistrict={**KESKUSTA, "code": "jn"}, facilities=Source(DATA / fixture, system))
        made = features(folder, "facilities.geojson")
        assert len(made) == 6
        for feature in made:
            lon, lat = feature["geometry"]["coordinates"]
            assert haversine_m(lon, lat, *positions[feature["properties"]["code"]]) < 1


def test_command_and_cli_write_a_pack(tmp_path, capsys):
    folder = tmp_path / "cli"
    lifecircle_main(["pack", "new", str(folder), "--osm", str(HELSINKI), "--boundary", "116162", "--code", "sq",
                     "--name", "广场", "--city", "Helsinki", "--district", "Helsinki", "--buffer", "100"])
    assert "Wrote the pack" in capsys.readouterr().out
    assert read_pack(folder).subdistrict["code"] == "sq"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


BAD = {
    "relation not in the extract": (lambda t: {"boundary": "999999999"},
                                    "relation 999999999 is not in the file"),
    "unknown coordinate system": (lambda t: {"compounds": Source(DATA / "helsinki-compounds-gcj02.csv", "UTM")},
                                  "helsinki-compounds-gcj02.csv: unknown coordinate system 'UTM'"),
    "broken spreadsheet": (lambda t: {"facilities": Source(write(t, "f.xlsx", "not a workbook"), "wgs84")},
                           "f.xlsx: not a readable .xlsx workbook"),
    "unknown column": (lambda t: {"compounds": Source(write(t, "c.csv", "小区名称,物业公司\n甲,乙\n"))},
                       "c.csv: unknown column(s) '物业公司'"),
    "unknown category": (lambda t: {"facilities": Source(write(t, "f.csv", "名称,类别\n洗衣房,洗衣\n"))},
                         "f.csv, row 2: unknown category '洗衣'"),
    "bad coordinate": (lambda t: {"compounds": Source(write(t, "c.csv", "名称,经度,纬度\n甲,200,60.17\n"), "wgs84")},
                       "c.csv, row 2: longitude 200.0 is out of range"),
    "place outside the sub-district": (
        lambda t: {"compounds": Source(write(t, "c.csv", "名称,经度,纬度\n甲,24.90,60.17\n"), "wgs84")},
        "c.csv, row 2: lies outside the sub-district (24.900000, 60.170000 in WGS84, about 1991 m away)"),
    "address not in the extract": (lambda t: {"compounds": Source(write(t, "c.csv", "名称,地址\n甲,Nowhere 1\n"))},
                                   "c.csv, row 2: no coordinates, and no OSM object in the sub-district"),
    "broken OSM file": (lambda t: {"osm": write(t, "x.osm", "<osm><node id='1' lat='60.1'")}, "x.osm"),
    "boundary file missing": (lambda t: {"boundary": t / "none.geojson"},
                              "neither an OSM relation id nor an existing GeoJSON file"),
    "standard not shipped": (lambda t: {"standard": "beijing-2030.json"}, "standard beijing-2030.json: cannot be read"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD)
def test_bad_input_names_the_place_and_writes_nothing(case, tmp_path):
    before = database_snapshot()
    options, message = BAD[case]
    target = tmp_path / "new" / "pack"
    with pytest.raises(MakePackError) as error:
        helsinki_pack(target, **options(tmp_path))
    assert message in str(error.value)
    assert not target.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
    assert database_snapshot() == before


def test_rejected_rows_write_nothing_unless_skipped_and_are_still_listed(tmp_path):
    sheet = write(tmp_path, "c.csv", "小区名称,人口,经度,纬度\n甲,100,24.946,60.171\n乙,很多,24.947,60.171\n")
    with pytest.raises(MakePackError, match=r"c.csv, row 3: population '很多' is not a number"):
        helsinki_pack(tmp_path / "pack", compounds=Source(sheet, "wgs84"))
    assert not (tmp_path / "pack").exists()
    report = helsinki_pack(tmp_path / "pack", compounds=Source(sheet, "wgs84"), skip_rejected=True)
    assert [f["properties"]["name"] for f in features(tmp_path / "pack", "compounds.geojson")] == ["甲"]
    assert "c.csv, row 3: population '很多' is not a number" in report.text()
    assert "row 3" in (tmp_path / "pack" / "make_pack-report.txt").read_text()


def test_an_existing_pack_is_kept_unless_replaced(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.json").write_text("{}")
    with pytest.raises(MakePackError, match="already holds files"):
        helsinki_pack(folder)
    assert (folder / "pack.json").read_text() == "{}"
    helsinki_pack(folder, replace=True)
    assert read_pack(folder).subdistrict["code"] == "keskusta"


@pytest.mark.django_db
def test_the_command_reports_problems_as_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="relation 424242 is not in the file"):
        call_command("make_pack", str(tmp_path / "p"), "--osm", str(HELSINKI), "--boundary", "424242",
                     "--code", "x", "--name", "x", "--city", "x", "--district", "x")


def test_the_network_file_is_walkable_ways_with_all_their_nodes(keskusta):
    """Kept ways are whole: every node the extract has for them is written (the extract itself is cut)."""
    folder, _ = keskusta
    written = {}
    for way in osmium.FileProcessor(str(folder / "network.osm"), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if way.is_way():
            assert is_walkable(way.tags), way.id
            written[way.id] = sum(node.location.valid() for node in way.nodes)
    source = osmium.FileProcessor(str(HELSINKI), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    in_extract = {way.id: sum(node.location.valid() for node in way.nodes)
                  for way in source.with_filter(osmium.filter.IdFilter(written)) if way.is_way()}
    assert len(written) > 1000 and written == in_extract


@pytest.mark.django_db
def test_grids_from_a_geojson_in_gcj02_place_the_compounds(tmp_path):
    from lifecircle.geo.coordinates import GCJ02, from_wgs84

    def square(west, east):
        ring = [(west, 60.166), (east, 60.166), (east, 60.175), (west, 60.175), (west, 60.166)]
        return [[list(from_wgs84(lon, lat, GCJ02)) for lon, lat in ring]]

    grids = tmp_path / "grids.geojson"
    grids.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"编号": "w", "网格名称": "西网格"},
         "geometry": {"type": "Polygon", "coordinates": square(24.936, 24.950)}},
        {"type": "Feature", "properties": {"code": "e", "name": "东网格"},
         "geometry": {"type": "Polygon", "coordinates": square(24.950, 24.956)}},
    ]}, ensure_ascii=False))
    helsinki_pack(tmp_path / "pack", grids=grids, grids_system="gcj02")
    load_pack(tmp_path / "pack")
    placed = {c.name: c.grid.code for c in Compound.objects.select_related("grid")}
    assert placed == {"北区小区": "w", "东区小区": "e", "中区小区": "w", "南区小区": "w"}


def test_a_broken_grid_is_named(tmp_path):
    grids = tmp_path / "grids.geojson"
    grids.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "bad", "name": "坏网格"},
         "geometry": {"type": "Polygon", "coordinates": [[[24.94, 60.17], [24.95, 60.175], [24.95, 60.17],
                                                          [24.94, 60.175], [24.94, 60.17]]]}}]}))
    with pytest.raises(MakePackError, match=r"grids grids.geojson, feature 0 \(bad\): boundary polygon is invalid"):
        helsinki_pack(tmp_path / "pack", grids=grids)
    assert not (tmp_path / "pack").exists()


def test_a_staff_row_replaces_the_osm_facility_it_describes(tmp_path):
    sheet = write(tmp_path, "f.csv", "设施名称,类别,容量,经度,纬度\nKansalliskirjasto,图书馆与阅读点,120,24.9494,60.1704\n")
    report = helsinki_pack(tmp_path / "pack", facilities=Source(sheet, "wgs84"), compounds=None)
    national = [f for f in features(tmp_path / "pack", "facilities.geojson")
                if f["properties"]["name"] == "Kansalliskirjasto"]
    assert [f["properties"].get("capacity") for f in national] == [120]
    assert "replaced by the staff's spreadsheet" in report.text()
