from django.core.management.base import BaseCommand

from lifecircle.bookings.services import send_reminders


class Command(BaseCommand):
    help = ("Remind residents of tomorrow's confirmed room bookings and event registrations. Each is "
            "reminded once, so running this more often (e.g. hourly from cron) sends nothing twice.")

    def handle(self, **options):
        counts = send_reminders()
        self.stdout.write(
            f"Reminders sent: {counts['bookings']} booking(s), {counts['registrations']} registration(s).")
