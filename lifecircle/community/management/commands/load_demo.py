from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from lifecircle.community.packs import PackError, load_pack

from .load_pack import summary, write_warnings

DEMO_PACK = settings.PROJECT_DIR / "data" / "packs" / "jiangning-road"


#: Starting data that apps need in any deployment (service definitions, skills), loaded for the demo too.
STARTING_DATA = ["load_open311_services", "load_volunteer_skills"]


def app_demo_commands():
    """Each service app may bring illustrative demo content as a `load_<app>_demo` command."""
    commands = get_commands()
    demo = sorted(name for name in commands if name.startswith("load_") and name.endswith("_demo") and name != "load_demo")
    return [name for name in STARTING_DATA if name in commands] + demo


class Command(BaseCommand):
    help = "Load the demo pack 'Jiangning Road Sub-district (illustrative)' and each app's demo content. Safe to run again."

    def handle(self, **options):
        try:
            subdistrict = load_pack(DEMO_PACK)
        except PackError as exc:
            raise CommandError(f"{DEMO_PACK}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(summary(subdistrict)))
        write_warnings(self, subdistrict)
        for name in app_demo_commands():
            call_command(name, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("The demo data is illustrative: positions, figures and hours are approximations.")
