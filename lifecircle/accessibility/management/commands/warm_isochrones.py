"""manage.py warm_isochrones: compute the isochrone shapes from every street junction ahead of the clicks."""
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from lifecircle.accessibility.isochrones import warm_isochrone_shapes
from lifecircle.community.models import SubDistrict
from lifecircle.geo.walking import SPEED_PROFILES_M_PER_MIN


class Command(BaseCommand):
    help = ("Compute and cache the 5/10/15-minute isochrone shapes from every junction of the pedestrian "
            "network (the map draws a click's shapes from its nearest junction), so no click waits for one. "
            "Run after loading or rebuilding a network; the cache must be the shared one (CACHES).")

    def add_arguments(self, parser):
        parser.add_argument("--subdistrict", help="its code (default: every sub-district with a network)")
        parser.add_argument("--profile", action="append", dest="profiles",
                            help="standard, or a walking speed profile; repeatable (default: all of them)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, subdistrict, profiles, no_progress, **options):
        profiles = profiles or ["standard", *SPEED_PROFILES_M_PER_MIN]
        unknown = [p for p in profiles if p != "standard" and p not in SPEED_PROFILES_M_PER_MIN]
        if unknown:
            raise CommandError(f"unknown profile {unknown[0]}; use standard or {', '.join(SPEED_PROFILES_M_PER_MIN)}")
        targets = SubDistrict.objects.exclude(network=None).select_related("network")
        if subdistrict:
            targets = targets.filter(code=subdistrict)
            if not targets:
                raise CommandError(f"no sub-district '{subdistrict}' with a pedestrian network")
        for target in targets:
            with tqdm(desc=f"{target.code} isochrones", disable=no_progress, unit=" shapes") as bar:
                count = warm_isochrone_shapes(target, profiles, progress=lambda n: bar.update(1))
            self.stdout.write(f"{target.code}: {count} shapes ({', '.join(profiles)}) are in the cache.")
