"""Serving under load: an open-loop generator at fixed arrival rates against `manage.py serve`.

    .venv/bin/python benchmarks/load.py --profiles mixed --rates 50,100,200 [--seconds 10] [--postgres]
    .venv/bin/python benchmarks/load.py --subdistricts 200 --profiles isochrone --rates 20,50

It builds a throw-away site in a temporary folder (migrate, the demo pack, ``--requests`` stored
Open311 requests, an api_key and a logged-in resident), starts ``manage.py serve`` (gunicorn,
``--workers`` processes × ``--threads`` threads, DEBUG off) on a free port — on SQLite, or with
``--postgres`` on a private PostgreSQL server it starts the way ``bin/test`` does; the workers
share a private redis-server as their cache unless ``--no-redis`` — and sends each profile at each
rate for ``--seconds``. ``--url`` drives a server that is already running instead (then pass
``--api-key``; the resident pages are skipped without ``--session``). ``--repo`` serves another
checkout of lifecircle (e.g. the code before a change) with the same data and generator.
``--keep`` keeps the folder (its database, logs and ``site.json``); ``--site FOLDER`` serves such a
folder again, with its database as left and every cache empty, so that server settings
(``--workers``, ``--threads``) or two checkouts (``--repo``) can be compared on one city without
building it again (about 1.5 minutes each time).

A city (``--subdistricts N``, Shanghai has about 200): the site holds the demo sub-district and
N-1 copies of the demo pack moved side by side on a grid (benchmarks/city_packs.py: each with its
own code, ``jiangning-road-017``, and name, "… copy 17", within ±1° of the original), loaded with
the same loader (``load_pack``) in the temporary folder. The service apps' demo content
(``load_*_demo``: meals, bookings, eldercare…) is the first sub-district's only, as with N=1. The
facility lists and GeoJSON layers then name a random sub-district (``?subdistrict=``, as the map
does), and isochrone clicks land near a random junction of a random sub-district's network without
naming it, as the map's clicks do (the server finds whose network the point joins;
``--name-subdistrict`` names it). The resident pages and Open311 stay as they are. The isochrone
shapes are warmed only for N=1 (``--warm``/``--no-warm`` override): warming takes about 14 s per
sub-district on 2 cores (standard and elderly, about 1,100 junctions each), so a city's clicks start
cold, which is the harder city case: a click then draws its shapes (about 4.5 ms). The header says
how many sub-districts, facilities and network nodes the site holds; building N=200 takes about
1.5 minutes on 2 cores.

Every run starts with empty caches, as a server does after its Redis was emptied; in a city most
list and layer requests are then the first for their sub-district (thousands of them: each
category of each of 200). ``--prefill`` asks every public list and layer once before the steps,
as a server that has run a while has them cached until something they show changes (the isochrone
shapes, Open311's lists and the signed-in pages are not prefilled).

Why not locust: its ``constant_throughput`` is closed-loop — each simulated user waits for its
answer before the next request, so a slow server is sent less, and latency is timed from when a
request was actually sent; both hide queueing ("coordinated omission"). k6 and wrk2 are open-loop
but are not Python packages. So this is a small asyncio generator on uvloop: request *i* of a
step is due at ``start + i / rate`` (or at Poisson arrival times with ``--poisson``) whatever
happened before, and its latency is measured **from that scheduled time** to the end of the
answer, so time spent waiting behind a slow request counts. ``lag`` reports how late the
generator itself sent (its own CPU share on a small machine); a step whose lag p99 is more than a
few milliseconds measured the generator, not the server.

Each request goes on a connection of its own and asks the server to close it after the answer
(``Connection: close``), which gunicorn's sync workers do to every connection anyway; the answer is
read to that close, its status taken from its first line and its body neither parsed nor unzipped
(a browser unzips on its own machine). The generator shares the server's two cores, so it is kept
this thin: aiohttp's client, used before, took 20-21 % of a core at 200 req/s of the city's mixed
profile, this one 10-11 % in the runs alternating with it (the rest is uvloop opening and closing
the connections).

Per step it prints the achieved rate (answers in the step's time), p50/p95/p99/max latency, the
error rate, and the generator's own CPU (a share of one core), the server's CPU per request
(its workers, PostgreSQL and Redis, read from /proc) and the share of the machine's CPU time the
host took from it during the step (``steal``). A 5xx, a timeout (``--timeout``) or a connection
failure is an error; so is any answer other than the profile's expected status.

The same code costs more CPU in a slow hour than in a fast one on this shared machine (the city's
mixed steps 4.2 ms per request in one hour, 5.2-5.8 in the next, with no CPU time stolen and a
tight loop of plain Python as fast in both), so compare runs made back to back. ``--busy 0.3``
keeps 30 % of one core busy in a process beside the server during the steps, which says how much
room the server leaves in that hour.
"""
import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import numpy as np
import uvloop

import city_packs

REPO = Path(__file__).resolve().parents[1]

# ---- the site under test ------------------------------------------------------------------------

SEED = r'''
import datetime, json, pathlib, random, sys, time
import django
django.setup()
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from lifecircle.community.models import SubDistrict
from lifecircle.community import networks
from lifecircle.community.packs import load_pack
from lifecircle.directory.models import Facility, ServiceCategory
from lifecircle.requests311 import defaults
from lifecircle.requests311.models import ApiKey, RequestUpdate, Service, ServiceRequest

count, copies, warm = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "warm"
timings, started = {}, time.perf_counter()
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
timings["migrate and demo"] = time.perf_counter() - started
started = time.perf_counter()
for folder in sorted(pathlib.Path(copies).iterdir()) if copies else []:
    load_pack(folder)  # as manage.py load_pack does, less its printed report
timings["copies"] = time.perf_counter() - started
call_command("demo_login", stdout=open("/dev/null", "w"))
defaults.install()
services = list(Service.objects.filter(active=True))
rng, now = random.Random(7), timezone.now()
rows = [ServiceRequest(service=rng.choice(services), description=f"benchmark request {i}", lat=31.23, lon=121.45,
                       address_string=f"{i} benchmark road", routing="address_only",
                       requested_at=now - datetime.timedelta(minutes=rng.randrange(80 * 24 * 60)),
                       state=rng.choice(["open", "acknowledged", "closed"])) for i in range(count)]
for row in rows:
    row.updated_at = row.requested_at
created = ServiceRequest.objects.bulk_create(rows, batch_size=2000)
RequestUpdate.objects.bulk_create(
    [RequestUpdate(request=r, kind="state", state=r.state, note="benchmark", created_at=r.requested_at)
     for r in created if r.state != "open"], batch_size=2000)
key = ApiKey.issue(name="benchmark").plaintext if hasattr(ApiKey, "issue") else ApiKey.objects.create(name="benchmark").key
write = {"api_key": key, "description": "benchmark write", "lat": "31.2300", "long": "121.4500"}
service = Service.objects.get(service_code="noise")
write["service_code"] = service.service_code
for attribute in service.attributes.filter(required=True):
    values = list(attribute.values.values_list("key", flat=True))
    field = f"attribute[{attribute.code}]" + ("[]" if attribute.datatype == "multivaluelist" else "")
    write[field] = values[0] if values else ("12" if attribute.datatype == "number" else "x")
started = time.perf_counter()
try:  # the shapes a deployment computes once after loading its network (absent before this change)
    if warm:
        call_command("warm_isochrones", "--profile", "standard", "--profile", "elderly", "--no-progress",
                     stdout=open("/dev/null", "w"))
except Exception as exc:
    print(f"no warm_isochrones here: {exc}", file=sys.stderr)
timings["warm_isochrones"] = time.perf_counter() - started
client = Client()
client.force_login(__import__("django.contrib.auth", fromlist=["x"]).get_user_model().objects.get(username="demo-resident"))
# Each sub-district's junctions, for clicks near them; a sample where a network is large, to keep this small.
sample, subdistricts = random.Random(3), []
for subdistrict in SubDistrict.objects.exclude(network=None).select_related("network").order_by("pk"):
    graph = networks.load_graph(subdistrict.network)
    nodes = range(graph.n_nodes) if graph.n_nodes <= 2000 else sorted(sample.sample(range(graph.n_nodes), 2000))
    subdistricts.append({"code": subdistrict.code, "lon": [round(float(graph.node_lon[i]), 7) for i in nodes],
                         "lat": [round(float(graph.node_lat[i]), 7) for i in nodes]})
print(json.dumps({
    "write": write, "session": client.cookies["sessionid"].value,
    "categories": list(ServiceCategory.objects.values_list("slug", flat=True)),
    "facilities": list(Facility.objects.filter(active=True).values_list("code", flat=True)),
    "request_ids": list(ServiceRequest.objects.order_by("?").values_list("pk", flat=True)[:500]),
    "last_request_id": ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    "subdistricts": subdistricts, "timings": timings,
    "totals": {"subdistricts": SubDistrict.objects.count(), "facilities": Facility.objects.filter(active=True).count(),
               "nodes": SubDistrict.objects.aggregate(n=Sum("network__node_count"))["n"] or 0},
}))
'''

# A kept site served again (--site) starts with the Open311 requests it was built with: those that
# earlier runs' writes added are removed, so that every run reads and pages the same 10,000.
RESET = r'''
import sys
import django
django.setup()
from lifecircle.requests311.models import ServiceRequest
_, removed = ServiceRequest.objects.filter(pk__gt=int(sys.argv[1])).delete()
print(removed.get("requests311.ServiceRequest", 0))
'''

# PostgreSQL plans from the statistics autovacuum gathers about a minute after a load, on a server
# left running; a benchmark's database runs only while a benchmark does. Without them the planner
# took the 10,000 requests for two and sorted them all for each page of an Open311 list (6 ms of
# the database's CPU, against 0.1 to 1.3 ms with them). Run at the end of SEED and of RESET.
ANALYSE = r'''
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(folder, port=None):
    """A private PostgreSQL in ``folder`` (as bin/test starts one), or the one a kept site holds
    there (``port``: the port it was made with); returns (DATABASE_URL, stop)."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    initdb = Path(installed[-1] if installed else shutil.which("initdb")).resolve()
    bin_dir = initdb.parent
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    made = port is None
    if made:
        port = free_port()
        if as_pg:
            shutil.chown(folder, "postgres")
        subprocess.run([*as_pg, str(bin_dir / "initdb"), "-D", f"{folder}/pg", "-U", "postgres", "--auth=trust",
                        "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", f"{folder}/pg", "-l", f"{folder}/pg.log", "-w", "-o",
                    f"-k {folder} -p {port} -c listen_addresses='' -c max_connections=100 "
                    f"-c shared_buffers=128MB -c synchronous_commit=on", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    if made:
        subprocess.run([*as_pg, str(bin_dir / "createdb"), "-h", folder, "-p", str(port), "-U", "postgres",
                        "lifecircle"], check=True)

    def stop():
        subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", f"{folder}/pg", "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL)
    return f"postgres://postgres@/lifecircle?host={folder}&port={port}", stop


def start_services(args, folder, kept=None):
    """The site's environment and its private Redis and database, new or (``kept``: the site.json
    of a kept folder) the kept site's own; returns (env, stop). Redis starts empty either way, so
    every shared cache does."""
    env = {**os.environ, "LIFECIRCLE_VAR_DIR": folder, "DEBUG": "0", "PYTHONPATH": f"{args.repo}:{REPO / 'benchmarks'}",
           "DJANGO_SETTINGS_MODULE": "load_settings", "CONN_MAX_AGE": str(args.conn_max_age)}
    stops = []
    if args.redis and shutil.which("redis-server"):
        if os.path.exists(f"{folder}/redis.sock"):
            os.remove(f"{folder}/redis.sock")
        redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", f"{folder}/redis.sock",
                                  "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        env["REDIS_URL"] = f"unix://{folder}/redis.sock"
        for _ in range(50):
            if os.path.exists(f"{folder}/redis.sock"):
                break
            time.sleep(0.1)
        stops.append(lambda: (redis.terminate(), redis.wait(10)))
    database = kept["database"] if kept else None
    if database and database.startswith("postgres"):
        env["DATABASE_URL"], stop_db = start_postgres(folder, port=int(database.rsplit("port=", 1)[1]))
        stops.insert(0, stop_db)
    elif database:
        env["DATABASE_URL"] = database
    elif args.postgres:
        env["DATABASE_URL"], stop_db = start_postgres(folder)
        stops.insert(0, stop_db)
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder}/load.sqlite3"

    def stop():
        for each in stops:
            each()
    return env, stop


def build_site(args, folder):
    """Build the site in ``folder`` and serve it; returns (site, stop). The site's description is
    kept in ``folder/site.json``, so that ``--site`` can serve a kept folder again."""
    env, stop_services = start_services(args, folder)
    copies = ""
    if args.subdistricts > 1:
        started = time.perf_counter()
        copies = f"{folder}/packs"
        city_packs.write_copies(Path(args.repo) / "data" / "packs" / "jiangning-road", copies, args.subdistricts - 1)
        print(f"{args.subdistricts - 1} copies of the demo pack written in {time.perf_counter() - started:.1f} s",
              flush=True)
    started = time.perf_counter()
    try:
        seeded = subprocess.run([sys.executable, "-c", SEED + ANALYSE, str(args.requests), copies,
                                 "warm" if args.warm else "cold"], cwd=args.repo, env=env, check=True,
                                capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        stop_services()
        raise SystemExit(f"building the site failed:\n{exc.stderr[-3000:]}") from None
    site = json.loads(seeded.stdout.strip().splitlines()[-1])
    site["database"] = env["DATABASE_URL"]
    Path(folder, "site.json").write_text(json.dumps(site), encoding="utf-8")
    print(f"site built in {time.perf_counter() - started:.0f} s (" +
          ", ".join(f"{k} {v:.0f} s" for k, v in site["timings"].items()) + ")", flush=True)
    return serve(args, folder, env, site, stop_services)


def serve_kept_site(args, folder):
    """Serve a folder that ``--keep`` kept (its database as it was left, every cache empty)."""
    site = json.loads(Path(folder, "site.json").read_text(encoding="utf-8"))
    env, stop_services = start_services(args, folder, kept=site)
    print(f"serving the site kept in {folder}", flush=True)
    if "last_request_id" in site:  # (a site kept before this was recorded keeps what runs wrote)
        try:
            removed = subprocess.run([sys.executable, "-c", RESET + ANALYSE, str(site["last_request_id"])],
                                     cwd=args.repo, env=env, check=True, capture_output=True, text=True).stdout.split()[-1]
        except subprocess.CalledProcessError as exc:
            stop_services()
            raise SystemExit(f"could not remove earlier runs' Open311 requests:\n{exc.stderr[-3000:]}") from None
        print(f"{removed} Open311 requests that earlier runs wrote removed", flush=True)
    return serve(args, folder, env, site, stop_services)


def serve(args, folder, env, site, stop_services):
    """Start ``manage.py serve`` on the site and wait for its workers; returns (site, stop)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--threads", str(args.threads)],
        cwd=args.repo, env=env, stdout=open(f"{folder}/serve.log", "w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    site["url"] = f"http://127.0.0.1:{port}"
    site["server"] = {"group": server.pid, "folder": folder}  # whose CPU each step reports (server_cpu)
    # The site is prepared (a city's networks and facilities: seconds) and its pages compiled, each
    # logged in a line, by the master before it forks the workers, or in a checkout from before
    # that by each worker while gunicorn already listens. The first step must not measure start-up.
    # (A checkout from before the preparing logs nothing: then the listening socket is enough; one
    # from before the compiling logs only the first line.)
    start_up = "".join(path.read_text(encoding="utf-8") for name in ("wsgi.py", "startup.py")
                       if (path := Path(args.repo) / "lifecircle" / name).exists())
    announces = "prepared the walking networks" in start_up
    preloads = "preload_app" in (Path(args.repo) / "lifecircle" / "community" / "management" / "commands"
                                 / "serve.py").read_text(encoding="utf-8")
    last = ("page templates",) if "page templates" in start_up else ("prepared ", "could not prepare")
    started, ready = time.perf_counter(), []
    while len(ready) < (args.workers if announces and not preloads else 1):
        if server.poll() is not None or time.perf_counter() - started > 300:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
            stop_services()  # the database and Redis do not outlive a failed start
            raise SystemExit(f"the server did not start; see {folder}/serve.log")
        time.sleep(0.2)
        if announces:
            ready = [line.strip() for line in open(f"{folder}/serve.log", encoding="utf-8")
                     if any(words in line for words in last)]
        else:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                ready = ["listening"]
            except OSError:
                pass
    print(f"workers ready {time.perf_counter() - started:.1f} s after the start: {ready[-1]}", flush=True)

    def stop():
        os.killpg(server.pid, signal.SIGQUIT)  # gunicorn's quick stop: an overloaded queue is not worth waiting for
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # a worker stuck in a request: the server and its workers go anyway
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        stop_services()
    return site, stop


# ---- profiles -----------------------------------------------------------------------------------
# Each returns (method, path, form, cookies, expected status) for one request.

LAYERS = ["facilities", "pois", "grids", "compounds", "boundary", "network"]


def for_subdistrict(path, code):
    """``path`` naming sub-district ``code`` as the map does (``?subdistrict=`` last); ``path``
    itself without one (a site of one sub-district: the server takes the only one)."""
    return f"{path}{'&' if '?' in path else '?'}subdistrict={code}" if code else path


def profiles(site, rng, name_subdistrict=False):
    """The request makers; with several sub-districts each request is for a random one of them.

    The lists and layers name it (``?subdistrict=``, as the map's own requests do); an isochrone
    click names it only with ``name_subdistrict``: the map's click does not, so the server finds
    whose network the point joins (``accessibility.isochrones.subdistrict_at``).
    """
    subdistricts = [{"code": s["code"], "lon": np.asarray(s["lon"]), "lat": np.asarray(s["lat"])}
                    for s in site["subdistricts"]]
    several = len(subdistricts) > 1
    resident = {"sessionid": site["session"]} if site.get("session") else None

    def scoped(path):
        """``path`` for a random sub-district; with one, the path as it is (the server takes the only one)."""
        return for_subdistrict(path, rng.choice(subdistricts)["code"] if several else None)

    def get(*weighted):
        """GET one of the (weight, path) pairs; a path may be a function making one."""
        weights, paths = zip(*weighted)
        path = rng.choices(paths, weights=weights)[0]
        return "GET", path() if callable(path) else path, None, None, 200

    def facilities():
        return get((5, lambda: scoped("/api/facilities")),
                   (3, lambda: scoped(f"/api/facilities?category={rng.choice(site['categories'])}")),
                   (2, lambda: scoped("/api/facilities?open_now=true")))

    def geojson():
        return get((1, lambda: scoped(f"/api/geo/{rng.choice(LAYERS)}.geojson")))

    def isochrone():
        # a click near a random street junction, as clicks on a map are: a little off the street
        target = rng.choice(subdistricts) if several else subdistricts[0]
        node = rng.randrange(len(target["lon"]))
        lon, lat = target["lon"][node] + rng.gauss(0, 0.0002), target["lat"][node] + rng.gauss(0, 0.0002)
        profile = rng.choice(["standard", "standard", "elderly"])
        named = f"&subdistrict={target['code']}" if name_subdistrict and target["code"] else ""
        return get((1, f"/api/accessibility/isochrones?lon={lon:.6f}&lat={lat:.6f}&profile={profile}{named}"))

    def open311_read():
        return get((35, "/open311/v2/requests.json"),
                   (15, lambda: f"/open311/v2/requests.json?status=open&page={rng.randint(1, 3)}"),
                   (15, "/open311/v2/services.json"), (15, "/open311/v2/servicerequestupdates.json"),
                   (20, lambda: f"/open311/v2/requests/{rng.choice(site['request_ids'])}.json"))

    def open311_write():
        return "POST", "/open311/v2/requests.json", site["write"], None, 200

    def resident_pages():
        if resident is None:
            return "GET", "/", None, None, 200
        return "GET", rng.choice(["/accounts/me/", "/requests311/", "/"]), None, resident, 200

    def resident_map():
        """The map's lists and layers as a signed-in resident's browser asks them: with the cookie."""
        method, path, body, _, status = rng.choice([facilities, geojson])()
        return method, path, body, resident, status

    mixed_parts = [(facilities, 0.15), (geojson, 0.25), (isochrone, 0.15), (open311_read, 0.2),
                   (open311_write, 0.05), (resident_pages, 0.2)]

    def mixed():
        parts, weights = zip(*mixed_parts)
        return rng.choices(parts, weights=weights)[0]()

    return {"facilities": facilities, "geojson": geojson, "isochrone": isochrone, "open311-read": open311_read,
            "open311-write": open311_write, "resident": resident_pages, "resident-map": resident_map,
            "mixed": mixed}


# ---- the generator ------------------------------------------------------------------------------

class Server:
    """Where requests go: the host and port of an ``http://`` URL."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"the generator speaks plain HTTP to a server: {url!r} is not an http:// URL")
        self.host, self.port = parts.hostname, parts.port or 80

    def request(self, method, path, form=None, cookies=None):
        """The bytes of one request, asking the server to close the connection after its answer (as
        gunicorn's sync workers do anyway) and taking gzip, as a browser does."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept-Encoding: gzip",
                 "Connection: close"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        body = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else b""
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def send(self, request, timeout):
        """Send ``request`` on a connection of its own and read its answer to the end; returns the
        status (0 when the connection failed or ``timeout`` seconds passed first)."""
        loop = asyncio.get_running_loop()
        answered, transport = loop.create_future(), None
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(lambda: _Answer(request, answered), self.host, self.port)
                return await answered
        except (OSError, TimeoutError):
            return 0
        finally:
            if transport is not None and not answered.done():
                transport.abort()  # timed out: the server's late answer is not waited for


class _Answer(asyncio.Protocol):
    """One request's connection: writes the request, keeps the start of the answer for its status
    line and gives the status once the server has closed the connection (the answer's end)."""

    def __init__(self, request, answered):
        self.request, self.answered, self.head = request, answered, b""

    def connection_made(self, transport):
        transport.write(self.request)

    def data_received(self, data):
        if len(self.head) < 16:
            self.head += data[:16]

    def connection_lost(self, exc):
        if self.answered.done():
            return
        parts = self.head.split(b" ", 2)
        whole = exc is None and len(parts) == 3 and parts[0].startswith(b"HTTP/1.") and parts[1].isdigit()
        self.answered.set_result(int(parts[1]) if whole else 0)


async def run_step(server, make, rate, seconds, timeout, poisson, rng, connections):
    """Send ``rate`` requests a second for ``seconds``; latency from each request's scheduled time."""
    # Timed with perf_counter, not the loop's clock: uvloop's counts whole milliseconds.
    clock = time.perf_counter
    count = int(rate * seconds)
    gaps = [rng.expovariate(rate) for _ in range(count)] if poisson else [1.0 / rate] * count
    due = np.cumsum([0.0, *gaps[:-1]])
    results, lags = [], []
    start = clock() + 0.05
    open_at_once = asyncio.Semaphore(connections)

    async def fire(scheduled, method, path, form, cookies, expected):
        lags.append(clock() - scheduled)
        request = server.request(method, path, form, cookies)
        async with open_at_once:
            status = await server.send(request, timeout)
        results.append((clock() - scheduled, status == expected, status))

    tasks = []
    cpu = time.process_time()
    for offset in due:
        scheduled = start + offset
        delay = scheduled - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(scheduled, *make())))
    await asyncio.gather(*tasks)
    elapsed = max(clock() - start, seconds)
    cpu_share = (time.process_time() - cpu) / elapsed  # the generator's own CPU, of one core
    return results, lags, count, elapsed, cpu_share


SERVER_PARTS = ("workers", "database", "Redis")


def server_cpu(server):
    """CPU seconds each of the server's processes has used so far, {pid: (part, seconds)}, the part
    being its workers (gunicorn's process group), its PostgreSQL (the postmaster kept in its
    folder and the backends it started) or its Redis (the one on its folder's socket); read from
    /proc. None for a server this run did not start (``--url``)."""
    if not server:
        return None
    try:
        postmaster = int(Path(server["folder"], "pg", "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        postmaster = None  # SQLite: no database server
    socket_path = f"{server['folder']}/redis.sock"
    used = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            pid, ppid, group = int(entry.name), int(fields[1]), int(fields[2])
            part = ("workers" if group == server["group"] else
                    "database" if postmaster in (pid, ppid) else
                    "Redis" if socket_path in Path(entry.path, "cmdline").read_text(errors="replace") else None)
        except (OSError, IndexError, ValueError):  # a process that ended meanwhile
            continue
        if part:
            used[pid] = (part, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))  # utime + stime
    return used


def cpu_between(before, after):
    """Each part's CPU seconds from ``before`` to ``after`` (``server_cpu``): a process started
    meanwhile counts from nothing; one that ended meanwhile (a database connection closed after
    ``CONN_MAX_AGE``) is left out, its last moments uncounted."""
    used = dict.fromkeys(SERVER_PARTS, 0.0)
    for pid, (part, seconds) in after.items():
        used[part] += seconds - before.get(pid, (part, 0.0))[1]
    return used


def stolen_ticks():
    """The CPU time the host has taken from this virtual machine since it started (``steal`` in
    /proc/stat, in clock ticks), or None where the kernel does not say."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8])
    except (OSError, IndexError, ValueError):
        return None


def keep_busy(share, period=0.02):
    """Keep ``share`` of one core busy for ever: a loop that runs for that share of every
    ``period`` seconds and sleeps the rest (``--busy``, in a process of its own)."""
    while True:
        until = time.perf_counter() + share * period
        while time.perf_counter() < until:
            pass
        time.sleep(period * (1 - share))


def busy_beside(share):
    """A process keeping ``share`` of one core busy beside the server (``keep_busy``), or None for
    none; ``.terminate()`` stops it."""
    if not share:
        return None
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(target=keep_busy, args=(share,), daemon=True)
    process.start()
    return process


def summarise(profile, rate, results, lags, count, elapsed, cpu_share, server_used=None, stolen=None):
    latency = np.array([r[0] for r in results]) * 1000
    failed = [r for r in results if not r[1]]
    statuses = {}
    for _, _, status in failed:
        statuses[status] = statuses.get(status, 0) + 1
    p50, p95, p99 = np.percentile(latency, [50, 95, 99]) if latency.size else (np.nan,) * 3
    answered = max(len([r for r in results if r[2]]), 1)  # a status came back (not timed out)
    return {
        "profile": profile, "rate": rate, "sent": count, "answered": len(results),
        "achieved": len([r for r in results if r[1]]) / elapsed, "p50": p50, "p95": p95, "p99": p99,
        "max": latency.max() if latency.size else np.nan, "errors": len(failed) / max(count, 1),
        "error_statuses": statuses, "lag_p99": float(np.percentile(lags, 99)) * 1000 if lags else np.nan,
        "generator_cpu": cpu_share,
        "stolen": stolen,  # the share of the machine's CPU time the host took during the step
        # the server's CPU per request answered, by part (ms); a request that timed out may still be
        # served after the step, uncounted, so an overloaded step's figures are low
        "server_ms": ({part: 1000 * seconds / answered for part, seconds in server_used.items()}
                      if server_used else None),
    }


def print_row(row):
    statuses = ", ".join(f"{k or 'no answer'}×{v}" for k, v in sorted(row["error_statuses"].items()))
    server = " + ".join(f"{row['server_ms'][part]:.2f}" for part in SERVER_PARTS) if row["server_ms"] else "—"
    stolen = "—" if row["stolen"] is None else f"{100 * row['stolen']:.1f} %"
    print(f"| {row['profile']} | {row['rate']} | {row['achieved']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | "
          f"{row['p99']:.1f} | {row['max']:.0f} | {100 * row['errors']:.1f} %{' (' + statuses + ')' if statuses else ''} "
          f"| {row['lag_p99']:.1f} | {100 * row['generator_cpu']:.0f} % | "
          f"{server} | {stolen} |", flush=True)


async def drain(server, pause, limit=300.0):
    """Wait ``pause`` seconds, then until the server answers a cheap page within 100 ms (an
    overloaded step leaves a queue behind it that would otherwise be charged to the next step)."""
    await asyncio.sleep(pause)
    request = server.request("GET", "/open311/v2/discovery.json")
    until = time.perf_counter() + limit
    while time.perf_counter() < until:
        start = time.perf_counter()
        if await server.send(request, 5.0) and time.perf_counter() - start < 0.1:
            return
        await asyncio.sleep(0.5)


def public_paths(site):
    """Every public list and layer the profiles ask for (``--prefill``): each sub-district's facility
    lists (all, each category, open now) and its map layers, and Open311's service list."""
    codes = [s["code"] for s in site["subdistricts"]]
    lists = ["/api/facilities", "/api/facilities?open_now=true",
             *[f"/api/facilities?category={c}" for c in site["categories"]],
             *[f"/api/geo/{layer}.geojson" for layer in LAYERS]]
    return ["/open311/v2/services.json",
            *[for_subdistrict(path, code if len(codes) > 1 else None) for code in codes for path in lists]]


async def prefill(server, paths, concurrency=4):
    """Ask each path once, ``concurrency`` at a time; returns (seconds, failures)."""
    started, failures, queue = time.perf_counter(), [], list(paths)

    async def ask():
        while queue:
            path = queue.pop()
            status = await server.send(server.request("GET", path), 30.0)
            if status != 200:
                failures.append(f"{path}: {status or 'no answer'}")
    await asyncio.gather(*(ask() for _ in range(concurrency)))
    return time.perf_counter() - started, failures


async def drive(args, site):
    rng = random.Random(args.seed)
    makers = profiles(site, rng, args.name_subdistrict)
    server = Server(site["url"])
    rows = []
    if args.prefill:
        paths = public_paths(site)
        seconds, failures = await prefill(server, paths)
        print(f"prefilled: {len(paths)} public lists and layers asked once in {seconds:.0f} s"
              + (f"; {len(failures)} failed, e.g. {failures[0]}" if failures else ""), flush=True)
    for profile in args.profiles:
        # warm-up: each worker imports its views and fills the caches a real server has long had
        await run_step(server, makers[profile], min(args.rates[0], 20), args.warmup, args.timeout, False, rng,
                       args.connections)
        for rate in args.rates:
            before, ticks, started = server_cpu(site.get("server")), stolen_ticks(), time.perf_counter()
            step = await run_step(server, makers[profile], rate, args.seconds, args.timeout, args.poisson, rng,
                                  args.connections)
            after, ticks_after = server_cpu(site.get("server")), stolen_ticks()
            used = cpu_between(before, after) if before is not None else None
            stolen = (None if ticks is None or ticks_after is None else
                      (ticks_after - ticks) / os.sysconf("SC_CLK_TCK")
                      / ((time.perf_counter() - started) * (os.cpu_count() or 1)))
            row = summarise(profile, rate, *step, server_used=used, stolen=stolen)
            print_row(row)
            rows.append(row)
            await drain(server, args.pause)
            if row["errors"] > 0.5:  # overloaded: a higher rate would only lengthen the queue
                break
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", default="mixed",
                        help="comma-separated: facilities, geojson, isochrone, open311-read, open311-write, "
                             "resident, resident-map, mixed")
    parser.add_argument("--rates", default="20,50,100,200", help="arrival rates to step through, requests/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each step")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds at ≤20 req/s before a profile's steps")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds of quiet between steps")
    parser.add_argument("--timeout", type=float, default=5.0, help="a request unanswered after this is an error")
    parser.add_argument("--connections", type=int, default=512, help="most connections open at once")
    parser.add_argument("--poisson", action="store_true", help="Poisson arrivals instead of evenly spaced ones")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="drive this running server instead of building one")
    parser.add_argument("--api-key", help="with --url: the api_key for the write profile")
    parser.add_argument("--session", help="with --url: a sessionid cookie for the resident pages")
    parser.add_argument("--repo", default=str(REPO), help="the lifecircle checkout to serve")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="gunicorn workers (serve's default: the cores + 1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (serve's default: 1, gunicorn's sync worker)")
    parser.add_argument("--postgres", action="store_true", help="serve from a private PostgreSQL server")
    parser.add_argument("--no-redis", dest="redis", action="store_false",
                        help="use the settings' own cache instead of a private redis-server shared by the workers")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE for the server, seconds")
    parser.add_argument("--requests", type=int, default=10_000, help="Open311 requests stored before the run")
    parser.add_argument("--subdistricts", type=int, default=1,
                        help="sub-districts on the site: the demo one and N-1 moved copies of it (a city: ~200); "
                             "not with --url")
    parser.add_argument("--warm", action=argparse.BooleanOptionalAction, default=None,
                        help="warm_isochrones after loading (default: with one sub-district only)")
    parser.add_argument("--name-subdistrict", action="store_true",
                        help="isochrone clicks name their sub-district (the map's do not: the server finds it)")
    parser.add_argument("--prefill", action="store_true",
                        help="before the steps, ask every public list and layer once (each sub-district's facility "
                             "lists and map layers), as a server that has run a while has them cached; clicks, "
                             "Open311 lists and signed-in pages stay as they are")
    parser.add_argument("--busy", type=float, default=0.0,
                        help="during the steps, keep this share of one core busy in a process beside the server "
                             "(0.3: 30 %%), to measure how much room the server leaves for a slower hour")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    parser.add_argument("--site", help="serve a folder kept by --keep again instead of building a site "
                                       "(its database as left, the caches empty; --workers and --threads apply)")
    args = parser.parse_args()
    if args.subdistricts < 1 or (args.url and args.subdistricts > 1):
        parser.error("--subdistricts must be at least 1, and builds its own site (not with --url)")
    if not 0 <= args.busy < 1:
        parser.error("--busy is a share of one core, at least 0 and less than 1")
    if args.site:
        args.warm = False  # the kept site's shapes were in its Redis, which starts empty
    elif args.warm is None:
        args.warm = args.subdistricts == 1
    args.profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    args.rates = [float(r) if "." in r else int(r) for r in args.rates.split(",")]

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs", flush=True)
    folder, stop = args.site or tempfile.mkdtemp(prefix="lifecircle-load-"), None
    try:
        if args.url:
            site = {"url": args.url.rstrip("/"), "session": args.session, "categories": ["senior_meals"],
                    "facilities": [], "request_ids": [1],
                    "subdistricts": [{"code": None, "lon": [121.45], "lat": [31.23]}],
                    "write": {"api_key": args.api_key or "", "service_code": "noise", "attribute[source]": "other",
                              "description": "benchmark write", "address_string": "benchmark road"}}
        else:
            site, stop = serve_kept_site(args, folder) if args.site else build_site(args, folder)
            postgres = args.postgres or str(site.get("database", "")).startswith("postgres")  # a kept site's own
            print(f"server: {args.workers} gunicorn workers × {args.threads} threads, "
                  f"{'PostgreSQL' if postgres else 'SQLite'}, CONN_MAX_AGE={args.conn_max_age}, "
                  f"cache: {'Redis' if args.redis and shutil.which('redis-server') else 'the settings’ own'}, "
                  f"{args.requests} Open311 requests stored; folder {folder}", flush=True)
            totals = site["totals"]
            print(f"site: {totals['subdistricts']} sub-district{'s' if totals['subdistricts'] != 1 else ''}, {totals['facilities']} active facilities, "
                  f"{totals['nodes']} network nodes in all; isochrone shapes "
                  f"{'warmed' if args.warm else 'cold (not warmed)'}; clicks "
                  f"{'name' if args.name_subdistrict else 'do not name (as the map)'} their sub-district", flush=True)
        if args.busy:
            print(f"a process beside the server keeps {100 * args.busy:.0f} % of one core busy during the steps (--busy)",
                  flush=True)
        print("| profile | rate /s | achieved /s | p50 ms | p95 ms | p99 ms | max ms | errors | generator lag p99 ms "
              "| generator CPU (of a core) | server CPU ms per request: workers + database + Redis "
              "| CPU the host took (steal) |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|", flush=True)
        busy = busy_beside(args.busy)
        try:
            uvloop.run(drive(args, site))  # the generator shares the server's cores: the leaner loop spares them
        finally:
            if busy is not None:
                busy.terminate()
    finally:
        if stop:
            stop()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        if not (args.keep or args.site):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
