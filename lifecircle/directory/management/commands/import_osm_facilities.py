from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from shapely.geometry import Point
from shapely.prepared import prep

from lifecircle.community.models import SubDistrict
from lifecircle.directory import hours
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.geo.errors import GeoError
from lifecircle.geo.pois import read_facilities, read_mapping
from lifecircle.geography import polygon_from_geojson

DEFAULT_MAPPING = settings.PROJECT_DIR / "data" / "osm" / "tag-categories.json"


class Command(BaseCommand):
    help = (
        "Import facilities from an OpenStreetMap file (PBF or XML) through the tag-to-category mapping. "
        "Re-running updates the same facilities (codes osm-n<id>/osm-w<id>). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("osm_file")
        parser.add_argument("--subdistrict", required=True, help="code of the sub-district they belong to")
        parser.add_argument("--mapping", default=str(DEFAULT_MAPPING), help="tag-to-category mapping (JSON)")
        parser.add_argument("--everywhere", action="store_true", help="keep facilities outside the boundary too")
        parser.add_argument("--dry-run", action="store_true", help="report what would be imported, write nothing")

    def handle(self, osm_file, subdistrict, mapping, everywhere, dry_run, **options):
        target = SubDistrict.objects.filter(code=subdistrict).first()
        if target is None:
            raise CommandError(f"no sub-district with code '{subdistrict}'")
        try:
            rules = read_mapping(mapping)
            found = read_facilities(osm_file, rules)
        except GeoError as exc:
            raise CommandError(str(exc)) from None
        categories = {c.slug: c for c in ServiceCategory.objects.all()}
        unknown = sorted({rule.category for rule in rules} - set(categories))
        if unknown:
            raise CommandError(f"{mapping}: categories {unknown} do not exist; load a standard that has them")
        if target.boundary and not everywhere:
            inside = prep(polygon_from_geojson(target.boundary))
            found = [f for f in found if inside.covers(Point(f.lon, f.lat))]

        skipped_hours = []
        with transaction.atomic():
            for place in found:
                opening_hours = place.tags.get("opening_hours", "")
                try:
                    hours.parse(opening_hours)
                except hours.HoursError:
                    skipped_hours.append(place.code)  # OSM allows forms we do not read; keep the rest
                    opening_hours = ""
                capacity = place.tags.get("capacity", "")
                Facility.objects.update_or_create(
                    subdistrict=target, code=place.code,
                    defaults={
                        "name": place.tags.get("name:zh") or place.tags.get("name")
                        or f"{categories[place.category].name} (OSM {place.code})",
                        "name_en": place.tags.get("name:en", ""),
                        "category": categories[place.category], "lon": place.lon, "lat": place.lat,
                        "address": " ".join(filter(None, (place.tags.get("addr:street"), place.tags.get("addr:housenumber")))),
                        "opening_hours": opening_hours,
                        "capacity": int(capacity) if capacity.isdigit() else None,
                        "phone": place.tags.get("phone") or place.tags.get("contact:phone", ""),
                        "website": place.tags.get("website", "")[:200],
                        "operator": place.tags.get("operator", "")[:200],
                        "description": "© OpenStreetMap contributors, ODbL 1.0",
                    },
                )
            if dry_run:
                transaction.set_rollback(True)
        by_category = {}
        for place in found:
            by_category[place.category] = by_category.get(place.category, 0) + 1
        summary = ", ".join(f"{slug} {n}" for slug, n in sorted(by_category.items())) or "none"
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(found)} facilities from {osm_file}: {summary}"))
        if skipped_hours:
            self.stdout.write(f"Opening hours not understood, left empty: {', '.join(skipped_hours)}")
