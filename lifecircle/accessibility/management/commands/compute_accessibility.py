from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from lifecircle.accessibility.compute import NotComputable, compute, compute_all, standard_shares, unreached
from lifecircle.community.models import SubDistrict
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M


class Command(BaseCommand):
    help = (
        "Recompute walking accessibility for every compound and category, with a progress bar. "
        "Results replace the old ones in one short transaction at the end, so pages keep working meanwhile. "
        "Says how many compounds and residents could not be reached; fails when none could. "
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
        failed = []
        for target in targets:
            try:
                run = compute(target, reason="compute_accessibility command", progress=not no_progress)
            except NotComputable as exc:
                raise CommandError(str(exc)) from None
            lines, none_reached = reach_lines(target)
            summary = (f"{target.name}: {run.origins} compounds × {len(run.categories)} categories "
                       f"({run.facilities} facilities) in {run.seconds:.2f} s")
            if none_reached:
                failed.append(target)
                self.stderr.write(self.style.ERROR(summary))
            else:
                self.stdout.write(self.style.SUCCESS(summary))
            for line in lines:
                self.stderr.write(self.style.WARNING(line))
        if failed:
            raise CommandError(gettext(
                "No compound could reach any facility in %(places)s: check that the street network covers the "
                "sub-district and that the coordinates are WGS84 (load_pack checks both).") % {
                "places": ", ".join(str(t) for t in failed)})


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
        for outcome in outcomes:
            if not outcome.error:
                for line in reach_lines(outcome.subdistrict)[0]:
                    self.stderr.write(self.style.WARNING(f"{outcome.subdistrict.code}: {line}"))
        failed = [o for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} sub-districts were not computed (see the table); "
                               "the others are stored")


def _people(compounds):
    return sum(c.population or 0 for c in compounds)


def _names(items, limit=10):
    shown = ", ".join(items[:limit])
    return shown + (gettext(" and %(n)d more") % {"n": len(items) - limit} if len(items) > limit else "")


def reach_lines(subdistrict):
    """The warnings for compounds and facilities left out, and whether no compound was reached at all."""
    left = unreached(subdistrict)
    lines = []
    off, nothing, total = left["off_network"], left["reach_nothing"], left["compounds"]
    if off:
        lines.append(ngettext(
            "%(n)d of %(total)d compounds (%(people)d residents) is more than %(metres)d m from any walkable "
            "street and could not be placed on the network: %(names)s",
            "%(n)d of %(total)d compounds (%(people)d residents) are more than %(metres)d m from any walkable "
            "street and could not be placed on the network: %(names)s", len(off)) % {
            "n": len(off), "total": total, "people": _people(off), "metres": DEFAULT_MAX_SNAP_M,
            "names": _names([c.code for c in off])})
    if nothing:
        lines.append(ngettext(
            "%(n)d of %(total)d compounds (%(people)d residents) reaches no facility of any category on foot: "
            "%(names)s",
            "%(n)d of %(total)d compounds (%(people)d residents) reach no facility of any category on foot: "
            "%(names)s", len(nothing)) % {
            "n": len(nothing), "total": total, "people": _people(nothing), "names": _names([c.code for c in nothing])})
    facilities = left["facilities_off_network"]
    if facilities:
        lines.append(ngettext(
            "%(n)d facility is more than %(metres)d m from any walkable street and counts for nobody: %(names)s",
            "%(n)d facilities are more than %(metres)d m from any walkable street and count for nobody: %(names)s",
            len(facilities)) % {"n": len(facilities), "metres": DEFAULT_MAX_SNAP_M, "names": _names(facilities)})
    return lines, bool(total) and len(off) + len(nothing) == total
