from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lifecircle.community.packs import PackError, load_pack

from .load_pack import summary

DEMO_PACK = settings.PROJECT_DIR / "data" / "packs" / "jiangning-road"


class Command(BaseCommand):
    help = "Load the demo pack 'Jiangning Road Sub-district (illustrative)'. Safe to run again."

    def handle(self, **options):
        try:
            subdistrict = load_pack(DEMO_PACK)
        except PackError as exc:
            raise CommandError(f"{DEMO_PACK}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(summary(subdistrict)))
        self.stdout.write("The demo data is illustrative: positions, figures and hours are approximations.")
