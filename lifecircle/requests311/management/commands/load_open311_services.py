"""manage.py load_open311_services: add (or refresh) the default kinds of residents' request."""
from django.core.management.base import BaseCommand

from lifecircle.requests311.defaults import install


class Command(BaseCommand):
    help = "Add or update the default Open311 services (street lights, manhole covers, help for the elderly, ...)."

    def handle(self, *args, **options):
        count = install()
        self.stdout.write(self.style.SUCCESS(f"{count} services are defined."))
