"""Delete or empty personal data past its retention period (settings RETAIN_*_DAYS); run daily by
the scheduler in ``manage.py serve``. ``--dry-run`` counts and changes nothing."""
from django.core.management.base import BaseCommand

from lifecircle.accounts.pipl import apply_retention


class Command(BaseCommand):
    help = "Apply the retention periods for the audit log and closed records."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")

    def handle(self, *args, dry_run=False, **options):
        results = apply_retention(dry_run=dry_run)
        verb = "would be removed or emptied" if dry_run else "removed or emptied"
        for label, days, count in results:
            self.stdout.write(f"{label}: {count} {verb} (older than {days} days)")
        total = sum(count for _, _, count in results)
        self.stdout.write(f"{total} in all" + (" (dry run: nothing changed)" if dry_run else ""))
