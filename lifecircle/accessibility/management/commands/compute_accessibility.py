from django.core.management.base import BaseCommand, CommandError

from lifecircle.accessibility.compute import NotComputable, compute, compute_all, standard_shares
from lifecircle.community.models import SubDistrict


class Command(BaseCommand):
    help = (
        "Recompute walking accessibility for every compound and category, with a progress bar. "
        "Results replace the old ones in one short transaction at the end, so pages keep working meanwhile. "
        "--all computes every sub-district on a Dask cluster (--scheduler, or a local one) and prints a "
        "per-sub-district table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subdistrict", help="code of one sub-district (default: all)")
        parser.add_argument("--all", action="store_true",
                            help="every sub-district of the installation, in parallel on Dask")
        parser.add_argument("--scheduler", help="with --all: address of a running Dask scheduler (tcp://HOST:8786); "
                                                "default: a local cluster of this machine's cores")
        parser.add_argument("--workers", type=int, help="with --all and no --scheduler: local worker processes")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, subdistrict=None, no_progress=False, all=False, scheduler=None, workers=None, **options):
        if all:
            if subdistrict:
                raise CommandError("--all and --subdistrict exclude each other")
            return self.handle_all(scheduler, workers, not no_progress)
        if scheduler or workers:
            raise CommandError("--scheduler and --workers need --all")
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

    def handle_all(self, scheduler, workers, progress):
        from lifecircle.geo.errors import GeoError

        targets = list(SubDistrict.objects.order_by("code"))
        if not targets:
            raise CommandError("there are no sub-districts; load one with load_pack")
        try:
            outcomes = compute_all(targets, scheduler, workers, reason="compute_accessibility --all", progress=progress)
        except GeoError as exc:  # Dask missing, scheduler unreachable
            raise CommandError(str(exc)) from None
        header = ("sub-district", "name", "compounds", "off network", "facilities", "meets standard", "weakest category",
                  "seconds")
        rows = []
        for outcome in outcomes:
            sub = outcome.subdistrict
            if outcome.error:
                rows.append((sub.code, sub.name, "", "", "", "", f"not computed: {outcome.error}", ""))
                continue
            run, result = outcome.run, outcome.measured.result
            shares, weighted_by = standard_shares(outcome)
            mean = sum(shares.values()) / len(shares) if shares else None
            weakest = min(shares, key=shares.get) if shares else None
            rows.append((sub.code, sub.name, str(run.origins), str(int((~result.origin_ok).sum())), str(run.facilities),
                         "" if mean is None else f"{mean:.0%} of {weighted_by}",
                         "" if weakest is None else f"{weakest} {shares[weakest]:.0%}", f"{run.seconds:.2f}"))
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
        failed = [o for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} sub-districts were not computed (see the table); "
                               "the others are stored")
