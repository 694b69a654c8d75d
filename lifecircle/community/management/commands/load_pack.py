from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from lifecircle.community.packs import PackError, load_pack


class Command(BaseCommand):
    help = "Load a data pack folder (see data/packs/README.md). All or nothing; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--keep-outside", action="store_true",
                            help="load compounds and facilities outside the boundary or in no grid (without a grid)")
        parser.add_argument("--accept-offsets", action="store_true",
                            help="load places whose coordinates look shifted from the streets (e.g. GCJ-02 data)")

    def handle(self, folder, keep_outside=False, accept_offsets=False, **options):
        try:
            subdistrict = load_pack(folder, keep_outside=keep_outside, accept_offsets=accept_offsets)
        except PackError as exc:
            raise CommandError(f"{folder}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(summary(subdistrict)))
        write_warnings(self, subdistrict)


def write_warnings(command, subdistrict):
    """The pack's warnings, one a line, after the summary (what was left out or looks wrong)."""
    for warning in getattr(subdistrict, "pack_warnings", []):
        command.stderr.write(command.style.WARNING(gettext("warning: %(text)s") % {"text": warning}))


def summary(subdistrict):
    from lifecircle.directory.models import Facility, PointOfInterest

    network = getattr(subdistrict, "network", None)
    return (
        f"Loaded {subdistrict.name} ({subdistrict.name_en}): {subdistrict.grids.count()} grids, "
        f"{subdistrict.compounds.count()} compounds, "
        f"{Facility.objects.filter(subdistrict=subdistrict).count()} facilities, "
        f"{PointOfInterest.objects.filter(subdistrict=subdistrict).count()} points of interest"
        + (f", a pedestrian network of {network.node_count} nodes and {network.edge_count} edges" if network else "")
    )
