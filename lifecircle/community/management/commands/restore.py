from django.core.management.base import BaseCommand, CommandError

from lifecircle.community import backup


class Command(BaseCommand):
    help = ("Replace everything in the database with a backup made by `backup`. Stop the site (or expect "
            "requests during the restore to fail) and keep a backup of the present state first.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, path, database="default", interactive=True, **options):
        if interactive and input(f"This replaces all data in the database with {path}. Type 'yes' to go on: ") != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")
        backup.restore(path, database)
        self.stdout.write(f"Restored the database from {path}.")
