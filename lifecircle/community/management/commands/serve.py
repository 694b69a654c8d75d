import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from lifecircle.scheduler import Scheduler


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
    help = ("Serve lifecircle with gunicorn (static files by WhiteNoise), for production or the demo, "
            "with DEBUG off, and run the scheduled jobs (lifecircle.scheduler) in this one process.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        # Two threads per worker overlap a request's waits on the database and the cache; more only
        # queue CPU-bound requests behind the GIL (2 cores, mixed load at 200/s: p99 about 45 ms
        # with 2 threads, 70 with 4; README, "Serving under load"). A database on another machine,
        # with longer waits, may want more.
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "2")),
                            help="Threads per worker (default 2, or WEB_THREADS).")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Do not run the scheduled jobs here (another server runs them).")

    def handle(self, bind, workers, threads, no_collectstatic, no_scheduler, **options):
        # A served site never shows Django's debug page (settings, source) on an error; DEBUG is
        # for `runserver` on a developer's machine only. The workers fork after this line.
        settings.DEBUG = False
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not no_scheduler:
            # In gunicorn's master process, before the workers are forked: one scheduler per server.
            Scheduler().start()
        self.stdout.write(f"lifecircle is served at http://{bind}/ (Ctrl+C stops it)")
        self.stdout.flush()
        WSGIServer({
            "bind": bind, "workers": workers, "threads": threads, "timeout": 60,
            "accesslog": "-", "errorlog": "-", "logger_class": "lifecircle.logredact.GunicornLogger",
            # gunicorn's default line, and which worker (process id) answered
            "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s',
        }).run()
