from django.core.management.base import BaseCommand, CommandError

from lifecircle.accessibility.compute import NotComputable, compute
from lifecircle.community.models import SubDistrict


class Command(BaseCommand):
    help = (
        "Recompute walking accessibility for every compound and category, with a progress bar. "
        "Results replace the old ones in one short transaction at the end, so pages keep working meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subdistrict", help="code of one sub-district (default: all)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, subdistrict=None, no_progress=False, **options):
        targets = SubDistrict.objects.all()
        if subdistrict:
            targets = targets.filter(code=subdistrict)
            if not targets.exists():
                raise CommandError(f"no sub-district with code '{subdistrict}'")
        for target in targets:
            try:
                run = compute(target, reason="compute_accessibility command", progress=not no_progress)
            except NotComputable as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(self.style.SUCCESS(
                f"{target.name}: {run.origins} compounds × {len(run.categories)} categories "
                f"({run.facilities} facilities) in {run.seconds:.2f} s"
            ))
