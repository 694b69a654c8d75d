import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class WSGIServer(BaseApplication):
    """Gunicorn run in-process, so `serve` needs no separate configuration file."""

    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.servers.basehttp import get_internal_wsgi_application

        return get_internal_wsgi_application()  # settings.WSGI_APPLICATION, as runserver loads it


class Command(BaseCommand):
    help = "Serve lifecircle with gunicorn (static files by WhiteNoise), for production or the demo."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, bind, workers, no_collectstatic, **options):
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"lifecircle is served at http://{bind}/ (Ctrl+C stops it)")
        WSGIServer({
            "bind": bind, "workers": workers, "threads": 4, "timeout": 60,
            "accesslog": "-", "errorlog": "-",
        }).run()
