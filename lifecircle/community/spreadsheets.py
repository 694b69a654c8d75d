"""Staff spreadsheets of compounds and facilities, read as sub-district offices keep them.

A sheet is a CSV file (UTF-8, or GBK as Excel saves it in China) or an Excel workbook (.xlsx, its
first worksheet), with Chinese or English column headers (``小区名称``, ``常住人口``, ``60岁以上``,
``设施名称``, ``类别``, ``床位``, ``开放时间``, ``经度``/``纬度``, or ``name``, ``population``, …).
Title rows above the header are skipped; a header is the first row naming the sheet's name column.

Invariants:

- Reading writes nothing. Each data row becomes either a :class:`SheetRow` (typed values,
  coordinates converted to WGS84, or none when the row gives no coordinates) or a
  :class:`Rejected` naming the file, the row number the planner sees in Excel, and the reason.
- A problem with the whole sheet (unreadable file, unknown column, no name column, a coordinate
  system not declared or unknown) raises :class:`SpreadsheetError`; no row of it is used.
- Each sheet declares its coordinate system (WGS84, GCJ-02 or BD-09): a coordinate copied from
  Amap or Baidu is hundreds of metres off OpenStreetMap, so it is never guessed.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lifecircle.directory import hours
from lifecircle.geo.coordinates import WGS84, in_china, parse_system, to_wgs84
from lifecircle.geography import check_lon_lat

#: Accepted headers per field, compared after :func:`_header_key` (NFKC, lower case, no spaces or units).
COMMON_COLUMNS = {
    "code": ("code", "id", "编号", "编码", "代码", "序号"),
    "name_en": ("name_en", "englishname", "nameen", "英文名称", "英文名"),
    "address": ("address", "地址", "详细地址", "门牌地址", "小区地址", "设施地址"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "coordinates": ("coordinates", "coords", "location", "坐标", "经纬度", "经纬度坐标"),
    "notes": ("notes", "note", "remarks", "comment", "备注", "说明"),
}
COMPOUND_COLUMNS = {
    **COMMON_COLUMNS,
    "name": ("name", "compound", "compoundname", "小区名称", "小区名", "小区", "名称", "居住小区"),
    "households": ("households", "户数", "住户数", "总户数", "居民户数"),
    "population": ("population", "residents", "人口", "常住人口", "人口数", "总人口", "居民人数"),
    "aged_60_plus": ("aged_60_plus", "aged60+", "60+", "over60", "60岁以上", "60岁及以上", "60周岁以上",
                     "60岁以上人口", "60岁及以上人口", "60岁以上老人", "老年人口"),
    "aged_0_3": ("aged_0_3", "aged0-3", "0-3", "0-3岁", "0至3岁", "0-3岁儿童", "0-3岁婴幼儿", "婴幼儿"),
}
FACILITY_COLUMNS = {
    **COMMON_COLUMNS,
    "name": ("name", "facility", "facilityname", "设施名称", "设施名", "名称", "机构名称", "场所名称"),
    "category": ("category", "type", "类别", "类型", "设施类别", "设施类型", "服务类别"),
    "capacity": ("capacity", "places", "beds", "seats", "容量", "床位", "床位数", "座位", "座位数", "名额", "规模"),
    "opening_hours": ("opening_hours", "openinghours", "hours", "开放时间", "营业时间", "服务时间", "开放时段"),
    "phone": ("phone", "telephone", "tel", "电话", "联系电话", "咨询电话"),
    "operator": ("operator", "运营方", "运营单位", "举办单位", "运营机构"),
}
_COUNTS = ("households", "population", "aged_60_plus", "aged_0_3", "capacity")
_UNITS = re.compile(r"[(（][^)）]*[)）]$")  # 人口（人）, 床位(张)


class SpreadsheetError(ValueError):
    """A sheet that cannot be read at all; the message names the file and says why."""


@dataclass
class SheetRow:
    """One accepted row: ``values`` typed by field; ``lon``/``lat`` in WGS84, or None to be matched."""

    file: str
    row: int
    values: dict
    lon: float | None = None
    lat: float | None = None

    @property
    def where(self):
        return f"{self.file}, row {self.row}"

    def stable_code(self, prefix):
        """The row's code: its ``code`` column, else one derived from its name and address."""
        if self.values.get("code"):
            return self.values["code"]
        digest = hashlib.sha1(f"{self.values['name']}|{self.values.get('address', '')}".encode()).hexdigest()
        return f"{prefix}-{digest[:10]}"


@dataclass
class Rejected:
    file: str
    row: int
    reason: str

    def __str__(self):
        return f"{self.file}, row {self.row}: {self.reason}"


@dataclass
class Sheet:
    file: str
    system: str | None
    rows: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def read_compounds(path, system=None):
    """Read a compounds sheet; see the module docstring. ``system`` names its coordinate system."""
    return _read(path, system, COMPOUND_COLUMNS, _compound_values)


def read_facilities(path, categories, system=None):
    """Read a facilities sheet. ``categories`` maps every accepted spelling of a category to its slug."""
    return _read(path, system, FACILITY_COLUMNS, lambda values: _facility_values(values, categories))


def category_spellings(standard_rows):
    """Every spelling a sheet may use for the standard's categories: slug, Chinese and English name."""
    spellings = {}
    for row in standard_rows:
        for text in (row.get("slug"), row.get("name"), row.get("name_en")):
            if text:
                spellings[_header_key(text)] = row["slug"]
    return spellings


def _read(path, system, columns, typed):
    path = Path(path)
    name = path.name
    table, notes = _cells(path)
    header_at, fields = _find_header(table, columns, name)
    has_coordinates = any(f in fields.values() for f in ("lon", "lat", "coordinates"))
    if has_coordinates and not system:
        raise SpreadsheetError(f"{name}: has coordinate columns but no declared coordinate system; "
                               "say which map they came from (make_pack's --compounds-crs or --facilities-crs): "
                               "WGS84 (GPS, OpenStreetMap), GCJ-02 (Amap/高德, Tencent/腾讯) or BD-09 (Baidu/百度)")
    if system:
        try:
            system = parse_system(system)
        except ValueError as exc:
            raise SpreadsheetError(f"{name}: {exc}") from None
    sheet = Sheet(file=name, system=system, notes=notes)
    for index in range(header_at + 1, len(table)):
        cells = table[index]
        row_number = index + 1
        raw = {}
        for column, value in enumerate(cells):
            value = _clean(value)
            if value == "":
                continue
            if column not in fields:
                sheet.rejected.append(Rejected(name, row_number, f"a value ({value}) in a column without a header"))
                break
            raw[fields[column]] = value
        else:
            if not raw or set(raw) <= {"notes"}:
                continue  # an empty row (or a remark only) is not data
            try:
                values = typed(raw)
                lon, lat = _coordinates(raw, system)
            except ValueError as exc:
                sheet.rejected.append(Rejected(name, row_number, str(exc)))
                continue
            sheet.rows.append(SheetRow(name, row_number, values, lon, lat))
    return sheet


def _cells(path):
    """The sheet as a list of rows of cell values, and notes about what was not read."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SpreadsheetError(f"{path.name}: no such file")
    if suffix == ".csv":
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SpreadsheetError(f"{path.name}: not UTF-8 or GBK text")
        try:
            return list(csv.reader(text.splitlines())), []
        except csv.Error as exc:
            raise SpreadsheetError(f"{path.name}: not a readable CSV file ({exc})") from None
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zip, XML and key errors for a broken file
            raise SpreadsheetError(f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
        try:
            sheet = workbook.worksheets[0]
            table = [list(row) for row in sheet.iter_rows(values_only=True)]
            others = [ws.title for ws in workbook.worksheets[1:]]
        except Exception as exc:
            raise SpreadsheetError(f"{path.name}: the workbook is damaged ({type(exc).__name__}: {exc})") from None
        finally:
            workbook.close()
        notes = [f"{path.name}: read the first worksheet '{sheet.title}'; not read: {', '.join(others)}"] if others else []
        return table, notes
    if suffix == ".xls":
        raise SpreadsheetError(f"{path.name}: the old Excel format (.xls) is not read; save it as .xlsx or CSV")
    raise SpreadsheetError(f"{path.name}: not a spreadsheet (.csv or .xlsx)")


def _find_header(table, columns, name):
    lookup = {_header_key(spelling): field_name for field_name, spellings in columns.items() for spelling in spellings}
    for index, cells in enumerate(table[:10]):
        keys = [_header_key(_clean(cell)) for cell in cells]
        if not any(lookup.get(key) == "name" for key in keys):
            continue
        fields, unknown, seen = {}, [], {}
        for column, (cell, key) in enumerate(zip(cells, keys)):
            if not key:
                continue
            field_name = lookup.get(key)
            if field_name is None:
                unknown.append(str(cell).strip())
            elif field_name in seen:
                raise SpreadsheetError(f"{name}: columns '{seen[field_name]}' and '{str(cell).strip()}' both give "
                                       f"the {field_name}; keep one")
            else:
                seen[field_name] = str(cell).strip()
                fields[column] = field_name
        if unknown:
            accepted = "; ".join(f"{f}: {', '.join(s[:4])}" for f, s in columns.items())
            raise SpreadsheetError(f"{name}: unknown column(s) {', '.join(repr(u) for u in unknown)} in the header "
                                   f"(row {index + 1}); rename or delete them. Accepted headers — {accepted}")
        if "category" in columns and "category" not in fields.values():
            raise SpreadsheetError(f"{name}: no category column (类别 or category)")
        return index, fields
    raise SpreadsheetError(f"{name}: no header row with a name column (e.g. "
                           f"{', '.join(columns['name'][:4])}) in the first 10 rows")


def _header_key(text):
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    text = _UNITS.sub("", text)
    text = re.sub(r"[—–~～至]", "-", text)
    return re.sub(r"[\s_:.]", "", text)


def _clean(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


def _count(label, text):
    number = re.sub(r"[,\s]|人|户|张|个|位|床", "", text)
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{label} '{text}' is not a number") from None
    if value < 0 or not value.is_integer():
        raise ValueError(f"{label} '{text}' must be a whole number ≥ 0")
    return int(value)


def _common_values(raw):
    values = {"name": raw["name"]} if raw.get("name") else None
    if values is None:
        raise ValueError("has no name")
    for key in ("code", "name_en", "address"):
        if raw.get(key):
            values[key] = raw[key]
    for key in _COUNTS:
        if raw.get(key):
            values[key] = _count(key, raw[key])
    return values


def _compound_values(raw):
    values = _common_values(raw)
    population = values.get("population")
    for key in ("aged_60_plus", "aged_0_3"):
        if population is not None and values.get(key, 0) > population:
            raise ValueError(f"{key} ({values[key]}) exceeds the population ({population})")
    return values


def _facility_values(raw, categories):
    values = _common_values(raw)
    category = categories.get(_header_key(raw.get("category")))
    if category is None:
        names = sorted(set(categories.values()))
        raise ValueError(f"unknown category '{raw.get('category', '')}' (use a category of the standard, by "
                         f"slug, Chinese or English name: {', '.join(names)})")
    values["category"] = category
    for key in ("phone", "operator"):
        if raw.get(key):
            values[key] = raw[key]
    if raw.get("opening_hours"):
        values["opening_hours"] = opening_hours(raw["opening_hours"])
    return values


_WEEKDAY_WORDS = {"一": "Mo", "二": "Tu", "三": "We", "四": "Th", "五": "Fr", "六": "Sa", "日": "Su", "天": "Su", "七": "Su"}


def opening_hours(text):
    """Opening hours in OSM syntax, also from common Chinese forms ("周一至周五 8:30-17:00", "每天", "全天")."""
    osm = unicodedata.normalize("NFKC", text).strip()
    osm = re.sub(r"(全天|24小时|二十四小时)(开放|营业)?", "24/7", osm)
    osm = re.sub(r"(每天|每日|全年|周一至周日|周一到周日)", "Mo-Su ", osm)
    osm = re.sub(r"(?:周|星期|礼拜)([一二三四五六日天七])", lambda m: _WEEKDAY_WORDS[m.group(1)], osm)
    osm = re.sub(r"\s*(?:至|到|—|–|~|～)\s*", "-", osm)
    osm = osm.replace("、", ",").replace("，", ",").replace("；", ";").replace("：", ":")
    osm = re.sub(r"(?<!\d)(\d):(\d\d)", r"0\1:\2", osm)
    osm = re.sub(r"([A-Z][a-z])(\d)", r"\1 \2", osm)
    osm = re.sub(r"\s*;\s*", "; ", re.sub(r"\s*,\s*", ",", osm))
    osm = re.sub(r"\s+", " ", osm).strip()
    try:
        hours.parse(osm)
    except hours.HoursError as exc:
        raise ValueError(f"opening hours '{text}' not understood ({exc}); write them like "
                         "'Mo-Fr 08:30-17:00; Sa 09:00-12:00' or '周一至周五 8:30-17:00'") from None
    return osm


def _coordinates(raw, system):
    """WGS84 (lon, lat) from the row's coordinate columns, or (None, None) when it gives none."""
    if raw.get("coordinates"):
        parts = re.split(r"[,，\s]+", raw["coordinates"].strip())
        if len(parts) != 2:
            raise ValueError(f"coordinates '{raw['coordinates']}' are not 'longitude,latitude'")
        lon, lat = parts
    else:
        lon, lat = raw.get("lon"), raw.get("lat")
        if not lon and not lat:
            return None, None
        if not lon or not lat:
            raise ValueError("gives only one of longitude and latitude")
    try:
        # Latitude beyond 90°, or a Chinese map's point that lands in China only once swapped.
        swapped = in_china(float(lat), float(lon)) and (
            abs(float(lat)) > 90 or (system != WGS84 and not in_china(float(lon), float(lat))))
    except ValueError:
        swapped = False  # check_lon_lat says what is wrong
    if swapped:
        raise ValueError(f"longitude {lon} and latitude {lat} look swapped")
    lon, lat = check_lon_lat(lon, lat)
    return to_wgs84(lon, lat, system)
