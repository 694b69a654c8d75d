from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from lifecircle.accessibility.compute import NotComputable, compute, unreached
from lifecircle.community.models import SubDistrict
from lifecircle.geo.snapping import DEFAULT_MAX_SNAP_M


class Command(BaseCommand):
    help = (
        "Recompute walking accessibility for every compound and category, with a progress bar. "
        "Results replace the old ones in one short transaction at the end, so pages keep working meanwhile. "
        "Says how many compounds and residents could not be reached; fails when none could."
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
