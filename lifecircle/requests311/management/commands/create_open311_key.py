"""manage.py create_open311_key NAME: a new Open311 api_key for a client, printed once."""
from django.core.management.base import BaseCommand, CommandError

from lifecircle.requests311.models import ApiKey


class Command(BaseCommand):
    help = ("Create an Open311 api_key for a client (an app, a kiosk, a partner) and print it once; only its "
            "hash is stored. --reissue NAME replaces the key of an existing client.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="who will use the key, e.g. 'WeChat mini-program'")
        parser.add_argument("--contact", default="", help="who to call about this client")
        parser.add_argument("--reissue", action="store_true", help="replace the key of the client with this name")

    def handle(self, name, contact, reissue, **options):
        if reissue:
            found = ApiKey.objects.filter(name=name)
            if found.count() != 1:
                raise CommandError(f"{found.count()} clients are named '{name}'; exactly one is needed to reissue.")
            key = found.get()
            plaintext = key.reissue()
        else:
            key = ApiKey.issue(name=name, contact=contact)
            plaintext = key.plaintext
        self.stderr.write(f"api_key for '{key.name}' (shown only now; only its hash is stored):")
        self.stdout.write(plaintext)
