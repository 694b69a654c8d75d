"""Latency of the isochrone API on the demo (the map calls it on every click).

Loads the demo into a throw-away SQLite database, then asks /api/accessibility/isochrones for
random points on the network through Django's full request path, and prints p50/p95/max.

    .venv/bin/python benchmarks/isochrone_latency.py [--requests 300]
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", default="standard")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="lifecircle-bench-")
    os.environ.update(LIFECIRCLE_VAR_DIR=folder, DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
                      DJANGO_SETTINGS_MODULE="lifecircle.settings", ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from lifecircle.community import networks
    from lifecircle.community.models import SubDistrict

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    graph = networks.load_graph(SubDistrict.objects.get().network)
    rng = np.random.default_rng(7)
    nodes = rng.integers(0, graph.n_nodes, args.requests)
    # Points a little off the street, as clicks on a map are.
    lons = graph.node_lon[nodes] + rng.normal(0, 0.0002, nodes.size)
    lats = graph.node_lat[nodes] + rng.normal(0, 0.0002, nodes.size)
    client = Client()
    client.get(f"/api/accessibility/isochrones?lon={lons[0]}&lat={lats[0]}&profile={args.profile}")  # warm caches
    times, failures = [], 0
    for lon, lat in zip(lons, lats):
        start = time.perf_counter()
        response = client.get(f"/api/accessibility/isochrones?lon={lon}&lat={lat}&profile={args.profile}")
        times.append((time.perf_counter() - start) * 1000)
        failures += response.status_code != 200
    times = np.array(times)
    print(f"isochrone API on the demo ({graph.n_nodes} nodes, {graph.n_edges} edges), "
          f"{args.requests} requests, profile {args.profile}:")
    print(f"  p50 {np.percentile(times, 50):.1f} ms   p95 {np.percentile(times, 95):.1f} ms   "
          f"max {times.max():.1f} ms   non-200: {failures}")


if __name__ == "__main__":
    main()
