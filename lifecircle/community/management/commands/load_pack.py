from django.core.management.base import BaseCommand, CommandError

from lifecircle.community.packs import PackError, load_pack


class Command(BaseCommand):
    help = "Load a data pack folder (see data/packs/README.md). All or nothing; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, folder, **options):
        try:
            subdistrict = load_pack(folder)
        except PackError as exc:
            raise CommandError(f"{folder}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(summary(subdistrict)))


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
