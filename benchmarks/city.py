"""Benchmark: a whole metropolis, area by area on Dask, against one single-process run.

The case (defaults): a generated street grid of about 4 million nodes
(``--side 2030``, 80 m blocks, 162 km across), cut into 200 irregular
areas (Voronoi cells), 20,000 facilities on nodes in 10 categories, and
origins on a regular grid (``--origin-spacing-m 160``, about a million,
each with a population). The standard has the Shanghai tiers: 300, 500
and 1,000 m; nearest distances are reported up to 1,000 m.

Each run is its own subprocess, so its peak memory (``VmHWM``) is its own:

* ``whole``: :func:`lifecircle.geo.accessibility.accessibility` on the
  whole graph in one process (no areas, no Dask);
* ``dask-N``: :func:`lifecircle.geo.city.run_city` on a ``LocalCluster`` of
  N worker processes; the driver holds the city graph and cuts each area's
  piece; every worker reports its peak memory with each area it computes.

From the ``dask-1`` run's per-area task times it prints the distribution
(min, median, p90, max, total) and the scheduler's overhead per task,
measured by sending 400 empty tasks through the same streaming path, so
the wall time on N workers can be estimated::

    T(N) ~ max(largest task, total task time / N) + overhead per task x tasks / N + driver time

(the driver's time -- cutting each area's streets, sending it, writing its
file -- is serial: the ``dask-1`` run time minus its task times, as the driver
overlaps little with one worker; its CPU seconds are printed too).

Run::

    python benchmarks/city.py                      # the 4M-node metropolis, ~15 minutes on 2 cores
    python benchmarks/city.py --side 1000 --areas 50 --facilities 5000   # ~1M nodes, a few minutes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, HERE]

TIER_M = (300.0, 500.0, 1000.0)


def prepare(directory, side, n_areas, n_facilities, spacing_m, seed=7):
    """Generate and save the city, its areas, facilities and origins."""
    import shapely
    from synthetic_city import facilities_on_nodes, grid_city

    from lifecircle.geo.city import CityAreas, origins_on_grid

    started = time.perf_counter()
    graph = grid_city(side)
    graph.save(os.path.join(directory, "graph.npz"))
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = graph.bounds
    seeds = shapely.multipoints(np.column_stack((rng.uniform(x0, x1, n_areas), rng.uniform(y0, y1, n_areas))))
    frame = shapely.box(x0, y0, x1, y1)
    polygons = [shapely.intersection(c, frame) for c in shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))]
    areas = CityAreas([f"a{i:03d}" for i in range(len(polygons))], [f"area {i}" for i in range(len(polygons))],
                      polygons, [None] * len(polygons))
    origins = origins_on_grid(areas, spacing_m)
    nodes, labels, capacity = facilities_on_nodes(graph, n_facilities, n_categories=10)
    np.savez(os.path.join(directory, "inputs.npz"), areas=shapely.to_wkb(polygons),
             origin_lon=origins.lon, origin_lat=origins.lat,
             population=rng.integers(1, 200, origins.lon.size).astype(float),
             facility_lon=graph.node_lon[nodes], facility_lat=graph.node_lat[nodes], labels=labels, capacity=capacity)
    return {"nodes": graph.n_nodes, "edges": graph.n_edges, "areas": len(polygons), "origins": int(origins.lon.size),
            "facilities": n_facilities, "seconds": time.perf_counter() - started}


def load(directory):
    import shapely

    from lifecircle.geo import WalkGraph
    from lifecircle.geo.city import CityAreas, Points, WalkingStandard

    graph = WalkGraph.load(os.path.join(directory, "graph.npz"))
    with np.load(os.path.join(directory, "inputs.npz"), allow_pickle=True) as f:  # our own temporary file
        polygons = list(shapely.from_wkb(f["areas"]))
        n_o, n_f = f["origin_lon"].size, f["facility_lon"].size
        origins = Points(np.array([f"o{i}" for i in range(n_o)], dtype=object), f["origin_lon"], f["origin_lat"],
                         {"population": f["population"]})
        facilities = Points(np.array([f"f{i}" for i in range(n_f)], dtype=object), f["facility_lon"],
                            f["facility_lat"], {"category": f["labels"].astype(object), "capacity": f["capacity"]})
    categories = tuple(sorted(set(facilities.values["category"])))
    standard = WalkingStandard(categories, {c: (5, 10, 15)[i % 3] for i, c in enumerate(categories)}, TIER_M, "bench")
    areas = CityAreas([f"a{i:03d}" for i in range(len(polygons))], [f"area {i}" for i in range(len(polygons))],
                      polygons, [None] * len(polygons))
    return graph, areas, origins, facilities, standard


def run_whole(directory):
    """One process, the whole graph: snap everything, one accessibility call."""
    from lifecircle.geo.accessibility import accessibility
    from lifecircle.geo.city import peak_memory_mb
    from lifecircle.geo.snapping import snap_points

    started = time.perf_counter()
    graph, _, origins, facilities, standard = load(directory)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    o = snap_points(graph, origins.lon, origins.lat)
    f = snap_points(graph, facilities.lon, facilities.lat)
    graph.clear_caches()
    accessibility(graph, o, f, facilities.values["category"].astype(str), standard.thresholds_m,
                  capacity=facilities.values["capacity"], max_distance_m=TIER_M[-1],
                  category_names=list(standard.categories))
    done = time.perf_counter()
    return {"load_s": loaded - started, "compute_s": done - loaded, "compute_cpu_s": time.process_time() - loaded_cpu,
            "wall_s": done - started, "peak_mb": peak_memory_mb(), "nodes": graph.n_nodes}


def _noop(job):
    return job


def run_dask(directory, workers, memory_limit):
    """The area-by-area path on a local cluster of ``workers`` processes."""
    from lifecircle.geo import city

    started = time.perf_counter()
    graph, areas, origins, facilities, standard = load(directory)
    plan = city.CityPlan.build(graph, areas, origins, facilities, standard)
    planned = time.perf_counter()
    client, cluster = city.connect(workers=workers, memory_limit=memory_limit)
    try:
        connected, connected_cpu = time.perf_counter(), time.process_time()
        out = os.path.join(directory, f"out-{workers}")
        run = city.run_city(plan, out, client, progress=False)
        done, driver_cpu = time.perf_counter(), time.process_time() - connected_cpu
        # The scheduler's cost per task: empty tasks through the same streaming path.
        n_empty = 400
        t0 = time.perf_counter()
        for _ in city.stream(client, _noop, ((i, i) for i in range(n_empty))):
            pass
        overhead = (time.perf_counter() - t0) / n_empty
    finally:
        city.close(client, cluster)
    task_s = [r["seconds"] for r in run.reports]
    task_cpu_s = [r["cpu_seconds"] for r in run.reports]
    return {"load_and_plan_s": planned - started, "cluster_start_s": connected - planned,
            "run_s": done - connected, "driver_cpu_s": driver_cpu, "wall_s": done - started,
            "driver_peak_mb": city.peak_memory_mb(), "worker_peak_mb": run.worker_peaks_mb(), "task_s": task_s,
            "task_cpu_s": task_cpu_s, "overhead_per_task_s": overhead,
            "halo_nodes": [r["halo_nodes"] for r in run.reports], "computed": len(run.computed)}


def child(args):
    what, directory = args.child, args.dir
    if what == "prepare":
        result = prepare(directory, args.side, args.areas, args.facilities, args.origin_spacing_m)
    elif what == "whole":
        result = run_whole(directory)
    else:
        result = run_dask(directory, int(what.split("-")[1]), args.worker_memory)
    print("RESULT " + json.dumps(result))


def spawn(what, args, directory, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", what, "--dir", directory, "--side", str(args.side),
           "--areas", str(args.areas), "--facilities", str(args.facilities),
           "--origin-spacing-m", str(args.origin_spacing_m), "--worker-memory", args.worker_memory]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"{what}: did not finish within {timeout} s", file=sys.stderr)
        return None
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(f"{what} failed ({proc.returncode}):\n{proc.stderr[-3000:]}", file=sys.stderr)
        return None
    result = json.loads(lines[-1][7:])
    print(f"{what}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return result


def report(case, results, load_before, load_after):
    print(f"\nCase: {case['nodes']:,} nodes, {case['edges']:,} edges, {case['areas']} areas, "
          f"{case['origins']:,} origins, {case['facilities']:,} facilities in 10 categories "
          f"(generated in {case['seconds']:.0f} s)")
    print(f"Load average (1/5/15 min) before: {load_before}; after: {load_after}\n")
    print("| run | wall | of which computing (CPU) | peak memory |")
    print("|---|---:|---:|---|")
    whole = results.get("whole")
    if whole:
        print(f"| single process, whole city | {whole['wall_s']:.0f} s | {whole['compute_s']:.0f} s "
              f"({whole['compute_cpu_s']:.0f} s) | {whole['peak_mb']:,.0f} MB |")
    for what in ("dask-1", "dask-2"):
        r = results.get(what)
        if not r:
            continue
        peaks = ", ".join(f"{p:,.0f}" for p in sorted(r["worker_peak_mb"].values()))
        print(f"| Dask, {what[-1]} worker{'s' if what != 'dask-1' else ''} | {r['wall_s']:.0f} s "
              f"| {r['run_s']:.0f} s ({sum(r['task_cpu_s']):.0f} s in tasks, {r['driver_cpu_s']:.0f} s driver) "
              f"| workers {peaks} MB; driver {r['driver_peak_mb']:,.0f} MB |")
    r = results.get("dask-1") or results.get("dask-2")
    if r:
        t = np.array(r["task_s"])
        halo = np.array(r["halo_nodes"])
        print(f"\nPer-area task time ({t.size} areas): min {t.min():.2f} s, median {np.median(t):.2f} s, "
              f"p90 {np.percentile(t, 90):.2f} s, max {t.max():.2f} s, total {t.sum():.0f} s; "
              f"halo subgraphs {halo.min():,}-{halo.max():,} nodes (median {int(np.median(halo)):,})")
        cpu = np.array(r["task_cpu_s"])
        print(f"Per-area task CPU: median {np.median(cpu):.2f} s, max {cpu.max():.2f} s, total {cpu.sum():.0f} s")
        print(f"Scheduler overhead per task (empty tasks): {r['overhead_per_task_s'] * 1000:.1f} ms")
        driver = max(r["run_s"] - t.sum(), 0.0) if "dask-1" in results else 0.0
        for n in (1, 2, 8, 32, 128):
            estimate = max(t.max(), t.sum() / n) + r["overhead_per_task_s"] * t.size / n + driver
            print(f"  estimated run time on {n:>3} workers: {estimate:,.0f} s")
    if whole:
        per_node = whole["peak_mb"] / whole["nodes"]
        print(f"\nSingle process: {per_node * 1e6:,.0f} MB per million nodes at this origin density; 24 GB "
              f"would hold about {24 * 1024 / per_node / 1e6:,.0f} million nodes (linear extrapolation)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=2030, help="grid side: about side^2 nodes (2030 -> 4.1M)")
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--facilities", type=int, default=20_000)
    parser.add_argument("--origin-spacing-m", type=float, default=160.0)
    parser.add_argument("--worker-memory", default="6GB", help="Dask memory limit per worker")
    parser.add_argument("--runs", nargs="+", default=["whole", "dask-1", "dask-2"])
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per run")
    parser.add_argument("--child")
    parser.add_argument("--dir")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="lifecircle-city-bench-") as directory:
        case = spawn("prepare", args, directory, args.timeout)
        if case is None:
            return 1
        results = {}
        for what in args.runs:
            results[what] = spawn(what, args, directory, args.timeout)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report(case, results, load_before, load_after)
    print("\nRAW " + json.dumps({"case": case, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
