from django.core.management.base import BaseCommand

from lifecircle.babycare import services


class Command(BaseCommand):
    help = (
        "Expire baby-care offers that were not answered in time (each place goes to the next child in line, "
        "who is notified) and remind families once of offers that end within 24 hours. Run it every few "
        "minutes, e.g. from cron; running it twice does no harm."
    )

    def handle(self, **options):
        expired = services.expire_offers()
        reminded = services.send_reminders()
        self.stdout.write(f"Baby care: {len(expired)} offer(s) expired, {reminded} reminder(s) sent.")
