"""Write the spreadsheet fixtures of the pack-making tests (run again after changing them).

The Chinese coordinates are made by the forward transforms (WGS84 → GCJ-02 → BD-09) from the
WGS84 positions in the Jiangning Road pack, so reading them back must land within 1 m of those.

    PYTHONPATH=. python lifecircle/community/tests/data/make_fixtures.py
"""
import csv
import json
from pathlib import Path

import openpyxl

from lifecircle.geo.coordinates import BD09, GCJ02, from_wgs84

HERE = Path(__file__).parent
JIANGNING = HERE.parents[3] / "data" / "packs" / "jiangning-road"

# Helsinki: made-up compounds and facilities placed in the city centre of the test extract.
HELSINKI_COMPOUNDS = [
    # name, address, households, population, aged 60+, aged 0-3, WGS84 lon, lat (None: match the address)
    ("北区小区", "Kaisaniemenkatu 3", 120, 260, 70, 9, 24.9462, 60.1712),
    ("东区小区", "Snellmaninkatu 10", 200, 450, 150, 12, 24.9531, 60.1712),
    ("中区小区", "Mikonkatu 23", 90, 180, 40, 6, None, None),
    ("南区小区", "Eteläesplanadi 8", 150, 320, 110, 8, 24.9480, 60.1673),
]
HELSINKI_FACILITIES = [
    # name, category (slug, Chinese or English name as staff write it), address, capacity, hours, phone, lon, lat
    ("Keskusta day care", "senior_day_care", "Kaisaniemenkatu 5", 30, "周一至周五 8:30-17:00", "+358 9 000 0001",
     24.9470, 60.1708),
    ("Keskusta canteen", "社区助餐", "Mikonkatu 9", 80, "Mo-Su 11:00-13:30", "+358 9 000 0002", 24.9446, 60.1705),
    ("Little steps", "Infant care (0–3)", "Yliopistonkatu 4", 25, "Mo-Fr 07:30-17:30", "", 24.9455, 60.1690),
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path, header, rows, title=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])  # offices put a title above the header
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)


def main():
    write_csv(HERE / "helsinki-compounds-gcj02.csv", ["小区名称", "地址", "户数", "常住人口", "60岁以上", "0-3岁", "经度", "纬度"], [
        (name, address, hh, pop, old, baby, *(from_wgs84(lon, lat, GCJ02) if lon else ("", "")))
        for name, address, hh, pop, old, baby, lon, lat in HELSINKI_COMPOUNDS
    ])
    write_xlsx(HERE / "helsinki-facilities-bd09.xlsx",
               ["Name", "Category", "Address", "Capacity", "Opening hours", "Phone", "Longitude", "Latitude"], [
        (name, category, address, capacity, opening, phone, *from_wgs84(lon, lat, BD09))
        for name, category, address, capacity, opening, phone, lon, lat in HELSINKI_FACILITIES
    ], title="Keskusta facilities (BD-09)")

    facilities = json.loads((JIANGNING / "facilities.geojson").read_text(encoding="utf-8"))["features"][:6]
    header = ["编号", "设施名称", "类别", "地址", "容量", "开放时间", "联系电话", "经度", "纬度"]

    def rows(system):
        for feature in facilities:
            p = feature["properties"]
            lon, lat = from_wgs84(*feature["geometry"]["coordinates"], system)
            yield (p["code"], p["name"], p["category"], p.get("address", ""), p.get("capacity") or "",
                   p.get("opening_hours", ""), p.get("phone", ""), f"{lon:.7f}", f"{lat:.7f}")

    write_csv(HERE / "jiangning-facilities-gcj02.csv", header, rows(GCJ02), encoding="gb18030")
    write_xlsx(HERE / "jiangning-facilities-bd09.xlsx", header, rows(BD09), title="江宁路街道设施清单（百度坐标）")


if __name__ == "__main__":
    main()
