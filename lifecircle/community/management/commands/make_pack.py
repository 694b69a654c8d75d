from django.core.management.base import BaseCommand, CommandError

from lifecircle.community.makepack import (
    DEFAULT_MAPPING, DEFAULT_POI_MAPPING, DEFAULT_STANDARD, MakePackError, Source, make_pack,
)


class Command(BaseCommand):
    help = (
        "Make a data pack for a sub-district from an OpenStreetMap extract, its boundary and, optionally, "
        "grids and the staff's spreadsheets of compounds and facilities. Writes nothing unless every input "
        "is good (see 'Your own sub-district' in README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the new pack folder")
        parser.add_argument("--osm", required=True, help="OpenStreetMap extract (.osm.pbf or .osm)")
        parser.add_argument("--boundary", required=True,
                            help="OSM relation id of the sub-district in the extract, or a GeoJSON polygon file")
        parser.add_argument("--code", required=True, help="short code of the sub-district, e.g. jiangning-road")
        parser.add_argument("--name", required=True, help="name, e.g. 江宁路街道")
        parser.add_argument("--name-en", default="", help="English name")
        parser.add_argument("--city", required=True, help="city, e.g. 上海市")
        parser.add_argument("--district", required=True, help="district, e.g. 静安区")
        parser.add_argument("--data-notice", default="", help="a notice about the data shown with it")
        parser.add_argument("--grids", help="GeoJSON of the grids (网格); default one grid, the whole sub-district")
        parser.add_argument("--compounds", help="spreadsheet of compounds (.csv or .xlsx)")
        parser.add_argument("--facilities", help="spreadsheet of facilities (.csv or .xlsx)")
        for what in ("boundary", "grids", "compounds", "facilities"):
            parser.add_argument(f"--{what}-crs", default="wgs84" if what in ("boundary", "grids") else None,
                                help=f"coordinate system of --{what}: wgs84, gcj02 (Amap/高德, Tencent) or bd09 (Baidu)")
        parser.add_argument("--buffer", type=float, default=None,
                            help="metres of walking network kept around the boundary (default: the standard's "
                                 "largest walking threshold, 1000 m in Shanghai 2016)")
        parser.add_argument("--standard", default=DEFAULT_STANDARD,
                            help="a shipped standard (data/standards) or a standard file to copy into the pack")
        parser.add_argument("--mapping", default=str(DEFAULT_MAPPING), help="OSM tag → category mapping")
        parser.add_argument("--poi-mapping", default=str(DEFAULT_POI_MAPPING), help="OSM tag → point-of-interest kind")
        parser.add_argument("--skip-rejected", action="store_true",
                            help="write the pack without rejected spreadsheet rows (they are still listed)")
        parser.add_argument("--replace", action="store_true", help="replace the pack already in the folder")

    def handle(self, folder, **o):
        subdistrict = {"code": o["code"], "name": o["name"], "name_en": o["name_en"], "city": o["city"],
                       "district": o["district"], "data_notice": o["data_notice"]}
        try:
            report = make_pack(
                folder, osm=o["osm"], boundary=o["boundary"], boundary_system=o["boundary_crs"],
                subdistrict=subdistrict, grids=o["grids"], grids_system=o["grids_crs"],
                compounds=Source(o["compounds"], o["compounds_crs"]) if o["compounds"] else None,
                facilities=Source(o["facilities"], o["facilities_crs"]) if o["facilities"] else None,
                buffer_m=o["buffer"], mapping=o["mapping"], poi_mapping=o["poi_mapping"], standard=o["standard"],
                skip_rejected=o["skip_rejected"], replace=o["replace"],
            )
        except MakePackError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.text())
        self.stdout.write(self.style.SUCCESS(
            f"Wrote the pack {folder}. Load it with: manage.py load_pack {folder}"))
