import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or reset the demo's staff account with a fresh random password, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo-admin")

    def handle(self, username, **options):
        user, _ = get_user_model().objects.get_or_create(username=username)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        self.stdout.write(f"Staff login for the demo: user {username}, password {password}")
