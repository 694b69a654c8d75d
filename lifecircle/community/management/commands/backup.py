import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from lifecircle.community import backup


class Command(BaseCommand):
    help = ("Back up the database while the site runs: SQLite with its online backup API, PostgreSQL with "
            "pg_dump. Writes VAR_DIR/backups/lifecircle-<time>.sqlite3 (or .pgdump) unless given a path.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the backup")
        parser.add_argument("--database", default="default")

    def handle(self, path=None, database="default", **options):
        if path is None:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"lifecircle-{stamp}{backup.suffix(backup.settings_of(database))}"
        size = backup.backup(path, database)
        self.stdout.write(f"Backed up the database to {path} ({size / 1e6:.1f} MB).")
