"""CPU per request, in-process, on a site that ``load.py --keep`` built: where a worker's time goes.

    .venv/bin/python benchmarks/cpu_per_request.py FOLDER [--profiles mixed] [--requests 400]
    .venv/bin/python benchmarks/cpu_per_request.py FOLDER --profiles isochrone --cprofile 25

FOLDER is the site folder ``load.py --keep`` printed (``/tmp/lifecircle-load-…``).

``load.py`` says how fast the server answers under load; this says what each kind of request costs
the worker's CPU, without the network, the other worker or the generator sharing the cores. It
starts the kept site's PostgreSQL and Redis again (``load.start_services``), loads the site as a
gunicorn worker does (``lifecircle.wsgi``: networks and facilities prepared, start-up objects frozen), then sends each
profile's requests (the same request makers as ``load.py``) through Django's WSGI handler one by
one, and prints the thread CPU time (``time.thread_time``) and the number of database queries per
request, by profile and by path. Each profile runs twice and the first round is not counted, so
what is printed is a warm worker; a city's requests are still mostly the first of their kind (a
sub-district and minute, a junction), as under load. ``--cprofile N`` prints the N costliest
functions of the counted round (cProfile's times are wall-clock: waits on the database count), and
``--paths`` sends chosen paths, signed in (``--anonymous``: signed out), instead of profiles. ``--first-asks`` empties the cached
answers (the shared cache's and the worker's; topic versions and what the worker keeps parsed
stay) before each request, so each list and layer is made as the first ask for it in a
sub-district is, which is most of a city's lists and layers after its cache was emptied.
"""
import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]


def environ(method, path, form, cookies):
    from django.test.client import RequestFactory

    path, _, query = path.partition("?")
    body = urlencode(form or {}, doseq=True).encode()
    extra = {"HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items()),
             "HTTP_ACCEPT_ENCODING": "gzip", "HTTP_ACCEPT_LANGUAGE": "zh-hans", "HTTP_HOST": "127.0.0.1"}
    if method == "POST":
        extra.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)))
    env = RequestFactory()._base_environ(PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=method, **extra)
    env["wsgi.input"] = io.BytesIO(body)
    return env


def shape(path):
    """The path with its ids, coordinates and codes blanked: the rows of the per-path table."""
    path = re.sub(r"/\d+\.json", "/N.json", path)
    path = re.sub(r"(lon|lat|subdistrict|page|category)=[^&]*", r"\1=…", path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="a site folder kept by load.py --keep")
    parser.add_argument("--profiles", default="mixed")
    parser.add_argument("--requests", type=int, default=400, help="counted requests per profile")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--paths", help="instead of profiles: these paths (comma-separated), GET, signed in")
    parser.add_argument("--anonymous", action="store_true", help="send --paths signed out")
    parser.add_argument("--sort", default="tottime", help="cProfile's order (tottime, cumulative)")
    parser.add_argument("--cprofile-file", help="also write the counted round's profile here (pstats), "
                                                 "for pstats' callers and callees")
    parser.add_argument("--first-asks", action="store_true",
                        help="empty the cached answers before each request: every list and layer is made anew")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    import load

    site = json.loads(Path(args.folder, "site.json").read_text(encoding="utf-8"))
    env, stop = load.start_services(argparse.Namespace(repo=str(REPO), conn_max_age=60, redis=True), args.folder,
                                    kept=site)
    try:
        os.environ.update(env)
        started = time.perf_counter()
        from lifecircle.wsgi import application  # as a gunicorn worker: prepared, start-up objects frozen
        print(f"worker loaded in {time.perf_counter() - started:.1f} s", flush=True)
        from django.db import connection

        from lifecircle import caching

        def forget_answers():
            """Delete every cached answer: the shared cache's keys (Redis, through the client Django's
            cache holds) and those this worker keeps."""
            client = caching.cache._cache.get_client(write=True)
            for key in client.scan_iter(match="*caching:response:*"):
                client.delete(key)
            caching.kept_answers.clear()

        rng = random.Random(args.seed)
        makers = load.profiles(site, rng)
        statuses = []

        def start_response(status, headers, exc_info=None):
            statuses.append(int(status.split()[0]))

        if args.paths:
            paths = args.paths.split(",")
            cookies = None if args.anonymous else {"sessionid": site["session"]}
            makers = {"paths": lambda: ("GET", rng.choice(paths), None, cookies, 200)}
        for name in makers if args.paths else args.profiles.split(","):
            per_path = collections.defaultdict(list)
            profiler = cProfile.Profile() if args.cprofile else None
            for counted in (False, True):
                for _ in range(args.requests):
                    method, path, form, cookies, expected = makers[name]()
                    env = environ(method, path, form, cookies)
                    if args.first_asks:
                        forget_answers()
                    queries = []

                    def counted_query(execute, sql, *rest):
                        queries.append(sql)
                        return execute(sql, *rest)

                    with connection.execute_wrapper(counted_query):
                        if profiler and counted:
                            profiler.enable()
                        cpu = time.thread_time()
                        response = application(env, start_response)
                        b"".join(response)
                        response.close()
                        cpu = time.thread_time() - cpu
                        if profiler and counted:
                            profiler.disable()
                    if statuses[-1] != expected:
                        print(f"  {method} {path}: {statuses[-1]}, not {expected}", file=sys.stderr)
                    if counted:
                        per_path[f"{method} {shape(path)}"].append((cpu * 1000, len(queries)))
            every = [c for rows in per_path.values() for c, _ in rows]
            print(f"\n{name}: {len(every)} requests, CPU per request mean {statistics.mean(every):.2f} ms, "
                  f"median {statistics.median(every):.2f} ms")
            print("| path | requests | CPU mean ms | CPU median ms | queries mean |\n|---|---:|---:|---:|---:|")
            for path, rows in sorted(per_path.items(), key=lambda item: -sum(c for c, _ in item[1])):
                cpus = [c for c, _ in rows]
                print(f"| {path[:70]} | {len(rows)} | {statistics.mean(cpus):.2f} | {statistics.median(cpus):.2f} "
                      f"| {statistics.mean(q for _, q in rows):.1f} |")
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
                print(out.getvalue())
                if args.cprofile_file:
                    profiler.dump_stats(args.cprofile_file)
        print(json.dumps({"statuses": dict(collections.Counter(statuses))}))
    finally:
        from django.db import connections

        connections.close_all()
        stop()


if __name__ == "__main__":
    main()
