from django.core.management.base import BaseCommand, CommandError

from lifecircle.community.models import SubDistrict
from lifecircle.participation import demo


class Command(BaseCommand):
    help = ("Load illustrative participation data (the Happy 18 discussion bar, three processes, proposals, "
            "representatives) into the Jiangning Road demo. Run load_demo first. Safe to run again.")

    def handle(self, **options):
        if not SubDistrict.objects.filter(code=demo.SUBDISTRICT).exists():
            raise CommandError(f"sub-district '{demo.SUBDISTRICT}' is missing: run load_demo first")
        self.stdout.write(self.style.SUCCESS(demo.load()))
        self.stdout.write("The participation demo data is illustrative: the people and proposals are made up.")
