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


def default_workers():
    """One worker process per core and one more (to use a core while another waits on the database)."""
    return (os.cpu_count() or 1) + 1


class Command(BaseCommand):
    help = ("Serve lifecircle with gunicorn (static files by WhiteNoise), for production or the demo, "
            "with DEBUG off, and run the scheduled jobs (lifecircle.scheduler) in this one process.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        # One process per core and one more, each serving one request at a time (gunicorn's sync
        # worker): requests here are CPU-bound, so threads in a worker only take turns at the GIL,
        # and a threaded worker keeps each connection alive on the worker that accepted it, so a busy
        # worker is sent more while another idles. On two cores, a city's mixed load at 200 req/s:
        # p99 30–46 ms with 3 single-threaded workers, 136–199 ms with 3 threaded ones of one
        # thread, 231–279 ms with 2 workers of 2 threads (README, "Serving under load").
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 0) or None,
                            help="Worker processes (default: the cores + 1, or WEB_CONCURRENCY).")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS") or 1),
                            help="Threads per worker (default 1, or WEB_THREADS). With more than one, gunicorn's "
                                 "threaded workers keep connections alive, for serving without a buffering proxy.")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Do not run the scheduled jobs here (another server runs them).")

    def handle(self, bind, workers, threads, no_collectstatic, no_scheduler, **options):
        # A served site never shows Django's debug page (settings, source) on an error; DEBUG is
        # for `runserver` on a developer's machine only. The workers fork after this line.
        settings.DEBUG = False
        workers = workers or default_workers()
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not no_scheduler:
            # In gunicorn's master process, before the workers are forked: one scheduler per server.
            Scheduler().start()
        self.stdout.write(f"lifecircle is served at http://{bind}/ (Ctrl+C stops it)")
        self.stdout.flush()
        WSGIServer({
            "bind": bind, "workers": workers, "threads": threads, "timeout": 60,
            # The site is loaded once, here, before the workers are forked (lifecircle.wsgi: the
            # networks, facilities and compiled pages, frozen out of the collector), so they share
            # its memory: a city of 200 took 1.26 GB in the master and 3 workers (PSS), 0.59 GB
            # preloaded; the server is ready sooner, and a worker that dies is replaced at once.
            # New code needs a restart (a HUP reloads the workers, not the code).
            "preload_app": True,
            "accesslog": "-", "errorlog": "-", "logger_class": "lifecircle.logredact.GunicornLogger",
            # gunicorn's default line, and which worker (process id) answered
            "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s',
        }).run()
