"""Staff spreadsheets: Chinese and English headers, CSV (UTF-8, GBK) and .xlsx, declared coordinates."""
import json
from pathlib import Path

import openpyxl
import pytest

from lifecircle.community import spreadsheets
from lifecircle.community.spreadsheets import SpreadsheetError, opening_hours, read_compounds, read_facilities
from lifecircle.geo.distance import haversine_m

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
STANDARD = json.loads((ROOT / "data" / "standards" / "shanghai-2016.json").read_text(encoding="utf-8"))
CATEGORIES = spreadsheets.category_spellings(STANDARD["rows"])
JIANGNING = {
    f["properties"]["code"]: f["geometry"]["coordinates"]
    for f in json.loads((ROOT / "data" / "packs" / "jiangning-road" / "facilities.geojson").read_text())["features"]
}


def write_csv(tmp_path, text, name="sheet.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("fixture, system", [("jiangning-facilities-gcj02.csv", "GCJ-02"),
                                             ("jiangning-facilities-bd09.xlsx", "BD-09")])
def test_chinese_map_coordinates_land_within_a_metre_of_the_wgs84_positions(fixture, system):
    sheet = read_facilities(DATA / fixture, CATEGORIES, system)
    assert not sheet.rejected and len(sheet.rows) == 6
    for row in sheet.rows:
        assert row.values["code"] in JIANGNING
        wgs = JIANGNING[row.values["code"]]
        assert haversine_m(row.lon, row.lat, *wgs) < 1.0, row.where


def test_the_same_sheet_read_as_wgs84_is_hundreds_of_metres_off():
    """Why the system must be declared: the GCJ-02 sheet taken for WGS84 misplaces every facility."""
    sheet = read_facilities(DATA / "jiangning-facilities-gcj02.csv", CATEGORIES, "wgs84")
    assert all(haversine_m(r.lon, r.lat, *JIANGNING[r.values["code"]]) > 300 for r in sheet.rows)


def test_gbk_csv_with_a_title_row_chinese_headers_and_units(tmp_path):
    path = write_csv(tmp_path, "江宁路街道小区信息表\n"
                     "小区名称,地址,户数（户）,常住人口（人）,60岁及以上,0～3岁,备注,经度,纬度\n"
                     "恒德里,静安区常德路633弄,\"1,081户\",2600人,457,16,老小区,121.4449613,31.2312717\n"
                     ",,,,,,,,\n"
                     "修德坊,静安区武定路930弄,329,771,331,11,,,\n", encoding="gbk")
    sheet = read_compounds(path, "wgs84")
    assert not sheet.rejected
    first, second = sheet.rows
    assert first.row == 3 and second.row == 5  # the numbers the planner sees in Excel
    assert first.values == {"name": "恒德里", "address": "静安区常德路633弄", "households": 1081,
                            "population": 2600, "aged_60_plus": 457, "aged_0_3": 16}
    assert (first.lon, first.lat) == (121.4449613, 31.2312717)
    assert second.lon is None  # to be matched to an OSM address


def test_english_xlsx_with_a_combined_coordinate_column(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Facility name", "Category", "Capacity", "Hours", "Telephone", "Coordinates"])
    workbook.active.append(["Day care", "Elderly day care", 30.0, "Mo-Fr 08:00-17:00", "021-1", "121.45, 31.23"])
    workbook.create_sheet("notes")
    workbook.save(tmp_path / "f.xlsx")
    sheet = read_facilities(tmp_path / "f.xlsx", CATEGORIES, "wgs84")
    assert sheet.rows[0].values == {"name": "Day care", "category": "senior_day_care", "capacity": 30,
                                    "opening_hours": "Mo-Fr 08:00-17:00", "phone": "021-1"}
    assert (sheet.rows[0].lon, sheet.rows[0].lat) == (121.45, 31.23)
    assert sheet.notes == ["f.xlsx: read the first worksheet 'Sheet'; not read: notes"]


@pytest.mark.parametrize("text, osm", [
    ("周一至周五 8:30-17:00", "Mo-Fr 08:30-17:00"),
    ("每天 7:00-19:00", "Mo-Su 07:00-19:00"),
    ("周一至周五 8:30-11:30，13:30-17:00；周六 9:00-12:00", "Mo-Fr 08:30-11:30,13:30-17:00; Sa 09:00-12:00"),
    ("全天开放", "24/7"),
    ("Mo-Sa 10:00-18:00", "Mo-Sa 10:00-18:00"),
])
def test_chinese_opening_hours_become_osm_syntax(text, osm):
    assert opening_hours(text) == osm


BAD_ROWS = [
    ("population 'many' is not a number", "名称,类别,容量\n食堂,社区助餐,many\n", "capacity 'many' is not a number"),
    ("unknown category", "名称,类别\n洗衣房,洗衣\n", "unknown category '洗衣'"),
    ("bad opening hours", "名称,类别,开放时间\n食堂,社区助餐,看情况\n", "opening hours '看情况' not understood"),
    ("latitude out of range", "名称,类别,经度,纬度\n食堂,社区助餐,121.4,95\n", "latitude 95.0 is out of range"),
    ("swapped", "名称,类别,经度,纬度\n食堂,社区助餐,31.23,121.45\n", "look swapped"),
    ("one coordinate", "名称,类别,经度,纬度\n食堂,社区助餐,121.45,\n", "only one of longitude and latitude"),
    ("not a number", "名称,类别,经度,纬度\n食堂,社区助餐,东经121度,31.2\n", "is not a pair of numbers"),
    ("value without header", "名称,类别\n食堂,社区助餐,多余\n", "a value (多余) in a column without a header"),
]


@pytest.mark.parametrize("case, text, reason", BAD_ROWS, ids=[case for case, _, _ in BAD_ROWS])
def test_bad_rows_are_rejected_with_file_row_and_reason(tmp_path, case, text, reason):
    path = write_csv(tmp_path, text + "好的食堂,社区助餐\n")
    sheet = read_facilities(path, CATEGORIES, "gcj02")
    assert [r.row for r in sheet.rejected] == [2]
    assert str(sheet.rejected[0]).startswith("sheet.csv, row 2: ") and reason in str(sheet.rejected[0])
    assert [r.values["name"] for r in sheet.rows] == ["好的食堂"]


def test_an_age_group_above_the_population_is_rejected(tmp_path):
    sheet = read_compounds(write_csv(tmp_path, "小区名称,人口,60岁以上\n甲,100,150\n"))
    assert str(sheet.rejected[0]) == "sheet.csv, row 2: aged_60_plus (150) exceeds the population (100)"


BAD_SHEETS = [
    ("unknown column", "小区名称,楼栋数\n甲,3\n", None, "sheet.csv: unknown column(s) '楼栋数'"),
    ("no name column", "地址,人口\n某路1号,3\n", None, "sheet.csv: no header row with a name column"),
    ("coordinates without a system", "小区名称,经度,纬度\n甲,121.4,31.2\n", None,
     "has coordinate columns but no declared coordinate system"),
    ("unknown system", "小区名称,经度,纬度\n甲,121.4,31.2\n", "CGCS2000", "unknown coordinate system 'CGCS2000'"),
    ("two name columns", "小区名称,名称\n甲,乙\n", None, "columns '小区名称' and '名称' both give the name"),
]


@pytest.mark.parametrize("case, text, system, message", BAD_SHEETS, ids=[c for c, _, _, _ in BAD_SHEETS])
def test_bad_sheets_are_refused_naming_the_file(tmp_path, case, text, system, message):
    with pytest.raises(SpreadsheetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_compounds(write_csv(tmp_path, text), system)


@pytest.mark.parametrize("name, content, message", [
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "broken.xlsx: not a readable .xlsx workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "old.xls: the old Excel format (.xls) is not read"),
    ("latin1.csv", "Name\nCaf\xe9 \x80\x81\xff\n".encode("latin-1") + b"\xff\xfe\xfd", "latin1.csv: not UTF-8 or GBK"),
    ("sheet.txt", b"name\n", "sheet.txt: not a spreadsheet"),
])
def test_broken_files_are_refused(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SpreadsheetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_compounds(tmp_path / name)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(SpreadsheetError, match="nowhere.csv: no such file"):
        read_compounds(tmp_path / "nowhere.csv")
