"""Benchmark: lifecircle accessibility against pandana, cityseer and networkx.

The same work for every tool, on the same inputs:

* every graph node is an origin;
* facilities sit exactly on nodes (pandana and cityseer attach points to
  nodes or via nodes; this makes the question identical), in 10 categories;
* per origin and category: the network distance to the nearest facility
  (capped at the largest threshold, as pandana and cityseer require a cap)
  and the number of facilities within 300, 600 and 900 m (the 5/10/15-
  minute walks at the 60 m/min planning speed).

Cases: the Helsinki OSM extract shipped with the tests (300 facilities),
generated cities of ~90,000 nodes (1,000 facilities) and ~200,000 nodes
(2,000 facilities), and (unless ``--small``) a generated >=1,000,000-node
city with 10,000 facilities. Each tool runs in its own subprocess, so its
peak memory (``VmHWM``) is its own; preprocessing (work that depends
only on the network) and queries (everything involving facilities) are
timed separately. Answers are compared with lifecircle's.

``lifecircle-bf`` is lifecircle walking the ``barrier-free`` profile: the
same CSR graph with a second weight array (steps and raised kerbs
impassable). The generated cities get generated steps (2 % of edges),
raised kerbs (4 %) and rough surfaces (5 %); Helsinki has its own mapped
steps, surfaces and wheelchair tags. Its answers differ from lifecircle's
on purpose; the table says how many origin-category pairs lose a facility
within the largest threshold.

Run::

    python benchmarks/accessibility.py            # all cases, ~12 minutes on 2 cores
    python benchmarks/accessibility.py --small    # Helsinki and the 90k city, ~1 minute

pandana and cityseer are optional (pip install pandana==0.8 cityseer==5.8.0);
a tool that is missing is reported as such. Neither finishes the
million-node city in a useful time on 2 cores: pandana's contraction-
hierarchy preprocessing grows faster than linearly on grid-like networks
(5 s at 22k nodes, 43-74 s at 90k, 160-250 s at 200k), and cityseer's
per-node searches took 6-17 s at 90k nodes, 110-240 s at 200k and did not
finish within 15 minutes at 1M (timings vary with other load on the
machine). So on the million-node city only lifecircle runs, unless
``--all-tools-1m`` is given. Times are printed as wall seconds with CPU
seconds (all threads) beside them: on a shared machine the CPU figures
are the steadier ones.
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

THRESHOLDS = [300.0, 600.0, 900.0]
CAP = THRESHOLDS[-1]
TOOLS = ("lifecircle", "lifecircle-bf", "pandana", "cityseer", "networkx")


# ---------------------------------------------------------------------- inputs
def prepare_case(name: str, directory: str, side: int | None, n_facilities: int) -> str:
    """Build a case's graph and facilities and save them; returns the case path prefix."""
    from synthetic_city import facilities_on_nodes, grid_city, with_barriers

    from lifecircle.geo import load_network

    if side is None:
        graph = load_network(os.path.join(ROOT, "lifecircle/geo/tests/data/Helsinki.osm.pbf"))
    else:
        graph = with_barriers(grid_city(side))
    nodes, labels, capacity = facilities_on_nodes(graph, n_facilities)
    prefix = os.path.join(directory, name)
    graph.save(prefix + ".graph.npz")
    np.savez(prefix + ".facilities.npz", nodes=nodes, labels=labels, capacity=capacity)
    return prefix


def load_case(prefix: str):
    from lifecircle.geo import WalkGraph

    with np.load(prefix + ".facilities.npz") as f:
        nodes, labels, capacity = f["nodes"], f["labels"], f["capacity"]
    return prefix + ".graph.npz", nodes, labels, capacity, WalkGraph


def routing_edges(graph):
    """Each undirected routing edge once: (u, v, metres, edge id) from the CSR (no loops, shortest parallel)."""
    rows = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    once = rows < graph.indices
    return rows[once], graph.indices[once], graph.weights[once].astype(np.float64), graph.slot_edge[once]


# --------------------------------------------------------------------- workers
def run_lifecircle(prefix, profile="standard"):
    from lifecircle.geo.accessibility import accessibility
    from lifecircle.geo.snapping import SegmentIndex, snap_points

    graph_path, nodes, labels, capacity, WalkGraph = load_case(prefix)
    t0 = _clock()
    graph = WalkGraph.load(graph_path).for_profile(profile)
    graph.csgraph
    SegmentIndex.for_graph(graph)
    t1 = _clock()
    facilities = snap_points(graph, graph.node_lon[nodes], graph.node_lat[nodes])
    graph.clear_caches()  # the spatial index is not needed again; free it for the big arrays
    result = accessibility(graph, None, facilities, labels, THRESHOLDS, capacity=capacity, max_distance_m=CAP)
    t2 = _clock()
    return (t0, t1, t2), result.categories, result.nearest_m, result.count


def run_pandana(prefix):
    import pandas as pd
    import pandana

    from lifecircle.geo.distance import LocalProjection

    graph_path, nodes, labels, capacity, WalkGraph = load_case(prefix)
    graph = WalkGraph.load(graph_path)
    u, v, w, _ = routing_edges(graph)
    x, y = LocalProjection.around(graph.node_lon, graph.node_lat).forward(graph.node_lon, graph.node_lat)
    t0 = _clock()
    net = pandana.Network(pd.Series(x), pd.Series(y), pd.Series(u), pd.Series(v), pd.DataFrame({"m": w}),
                          twoway=True)
    net.precompute(CAP)
    t1 = _clock()
    categories = sorted(set(labels.tolist()))
    nearest = np.full((graph.n_nodes, len(categories)), np.inf)
    count = np.zeros((graph.n_nodes, len(categories), len(THRESHOLDS)), dtype=np.int32)
    for c, name in enumerate(categories):
        sel = nodes[labels == name]
        net.set_pois(category=name, maxdist=CAP, maxitems=1, x_col=pd.Series(x[sel]), y_col=pd.Series(y[sel]))
        found = net.nearest_pois(CAP, name, num_pois=1)[1].to_numpy()
        nearest[:, c] = np.where(found < CAP, found, np.inf)
        net.set(pd.Series(sel), variable=pd.Series(np.ones(sel.size)), name=name)
        for t, d in enumerate(THRESHOLDS):
            count[:, c, t] = np.rint(net.aggregate(d, type="sum", decay="flat", name=name).to_numpy())
    t2 = _clock()
    return (t0, t1, t2), categories, nearest, count


def run_cityseer(prefix):
    from cityseer import rustalgos

    from lifecircle.geo.distance import LocalProjection

    graph_path, nodes, labels, capacity, WalkGraph = load_case(prefix)
    graph = WalkGraph.load(graph_path)
    u, v, _, edge = routing_edges(graph)
    proj = LocalProjection.around(graph.geom_lon, graph.geom_lat)
    x, y = proj.forward(graph.node_lon, graph.node_lat)
    gx, gy = proj.forward(graph.geom_lon, graph.geom_lat)
    off = graph.geom_offsets
    t0 = _clock()
    ns = rustalgos.graph.NetworkStructure()
    for i in range(graph.n_nodes):
        ns.add_street_node(i, float(x[i]), float(y[i]), True, 1.0)
    for a, b, e in zip(u.tolist(), v.tolist(), edge.tolist()):
        pts = list(zip(gx[off[e]:off[e + 1]].tolist(), gy[off[e]:off[e + 1]].tolist()))
        if graph.edge_u[e] != a:
            pts.reverse()
        wkt = "LINESTRING (" + ", ".join(f"{p} {q}" for p, q in pts) + ")"
        ns.add_street_edge(a, b, 0, a, b, wkt)
        wkt_back = "LINESTRING (" + ", ".join(f"{p} {q}" for p, q in pts[::-1]) + ")"
        ns.add_street_edge(b, a, 0, b, a, wkt_back)
    ns.validate()
    ns.build_edge_rtree()
    t1 = _clock()
    _stage("cityseer network built", t0[0])
    data = rustalgos.data.DataMap()
    for j, n in enumerate(nodes.tolist()):
        data.insert(j, f"POINT ({x[n]} {y[n]})", None)
    data.assign_data_to_network(ns, 100.0, 50)
    _stage("cityseer facilities assigned", t1[0])
    categories = sorted(set(labels.tolist()))
    result = data.accessibility(ns, {j: str(labels[j]) for j in range(nodes.size)}, categories,
                                distances=[int(d) for d in THRESHOLDS], pbar_disabled=True)
    t2 = _clock()
    _stage("cityseer accessibility", t1[0])
    order = np.asarray(result.node_keys_py, dtype=np.int64)
    nearest = np.full((graph.n_nodes, len(categories)), np.inf)
    count = np.zeros((graph.n_nodes, len(categories), len(THRESHOLDS)), dtype=np.int32)
    for c, name in enumerate(categories):
        r = result.result[name]
        found = np.asarray(r.distance[int(CAP)], dtype=np.float64)
        nearest[order, c] = np.where(np.isfinite(found) & (found <= CAP), found, np.inf)
        for t, d in enumerate(THRESHOLDS):
            count[order, c, t] = np.rint(np.asarray(r.count[int(d)]))
    return (t0, t1, t2), categories, nearest, count


def run_networkx(prefix):
    import networkx as nx

    graph_path, nodes, labels, capacity, WalkGraph = load_case(prefix)
    graph = WalkGraph.load(graph_path)
    u, v, w, _ = routing_edges(graph)
    t0 = _clock()
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    t1 = _clock()
    categories = sorted(set(labels.tolist()))
    nearest = np.full((graph.n_nodes, len(categories)), np.inf)
    count = np.zeros((graph.n_nodes, len(categories), len(THRESHOLDS)), dtype=np.int32)
    for c, name in enumerate(categories):
        sel = nodes[labels == name].tolist()
        for node, d in nx.multi_source_dijkstra_path_length(g, sel, cutoff=CAP).items():
            nearest[node, c] = d
        for f in sel:
            reached = nx.single_source_dijkstra_path_length(g, f, cutoff=CAP)
            idx = np.fromiter(reached.keys(), dtype=np.int64, count=len(reached))
            dist = np.fromiter(reached.values(), dtype=np.float64, count=len(reached))
            for t, d in enumerate(THRESHOLDS):
                count[idx[dist <= d], c, t] += 1
    t2 = _clock()
    return (t0, t1, t2), categories, nearest, count


def _stage(what, since):
    """Progress of a long worker on stderr (shown if it fails or times out)."""
    print(f"{what}: {time.perf_counter() - since:.1f} s", file=sys.stderr, flush=True)


def run_lifecircle_barrier_free(prefix):
    return run_lifecircle(prefix, "barrier-free")


WORKERS = {"lifecircle": run_lifecircle, "lifecircle-bf": run_lifecircle_barrier_free, "pandana": run_pandana,
           "cityseer": run_cityseer,
           "networkx": run_networkx}


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: see :func:`lifecircle.geo.city.peak_memory_mb`)."""
    from lifecircle.geo.city import peak_memory_mb

    return peak_memory_mb()


def _clock():
    """(wall seconds, CPU seconds of this process, all threads)."""
    return time.perf_counter(), time.process_time()


def worker_main(tool, prefix, out):
    (t0, t1, t2), categories, nearest, count = WORKERS[tool](prefix)
    # Peak memory of the work itself, before saving answers for comparison (which copies them).
    rss_mb = peak_rss_mb()
    np.savez(out, nearest=nearest, count=count, categories=np.array(categories))
    print(json.dumps({"pre_s": t1[0] - t0[0], "query_s": t2[0] - t1[0], "pre_cpu_s": t1[1] - t0[1],
                      "query_cpu_s": t2[1] - t1[1], "maxrss_mb": rss_mb}))


# ---------------------------------------------------------------------- driver
def run_tool(tool, prefix, timeout):
    out = f"{prefix}.{tool}.npz"
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", tool, prefix, out]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:160]}
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    with np.load(out) as f:
        stats.update(nearest=f["nearest"], count=f["count"], categories=list(f["categories"]))
    return stats


def agreement(ref, other):
    """(max |difference| of nearest where both found, share of nearest found-ness agreeing, share of counts equal)."""
    a, b = ref["nearest"], other["nearest"]
    both = np.isfinite(a) & np.isfinite(b)
    max_diff = float(np.abs(a[both] - b[both]).max()) if both.any() else 0.0
    same_found = float((np.isfinite(a) == np.isfinite(b)).mean())
    same_count = float((ref["count"] == other["count"]).mean())
    return max_diff, same_found, same_count


def barrier_free_losses(ref, barrier_free):
    """Share of (origin, category) pairs with a facility within the cap standard, but none barrier-free."""
    return float((np.isfinite(ref["nearest"]) & ~np.isfinite(barrier_free["nearest"])).mean())


def available(tool):
    if tool in ("lifecircle", "lifecircle-bf", "networkx"):
        return True
    try:
        __import__(tool)
        return True
    except ImportError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="skip the million-node city")
    parser.add_argument("--side", type=int, default=1010, help="grid side of the big city (1010 -> ~1.02M nodes)")
    parser.add_argument("--facilities", type=int, default=10_000, help="facilities in the big city")
    parser.add_argument("--all-tools-1m", action="store_true",
                        help="also run pandana and cityseer on the million-node city (hours; see --timeout)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per tool run")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "CASE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(*args.worker)
        return 0

    cases = [("helsinki", None, 300, TOOLS), ("city-90k", 300, 1000, TOOLS)]
    if not args.small:
        cases.append(("city-200k", 450, 2000, ("lifecircle", "lifecircle-bf", "pandana", "cityseer")))
        big = ("lifecircle", "lifecircle-bf") + (("pandana", "cityseer") if args.all_tools_1m else ())
        cases.append((f"city-1m", args.side, args.facilities, big))
    rows = []
    with tempfile.TemporaryDirectory(prefix="lifecircle-bench-") as tmp:
        for name, side, n_fac, tools in cases:
            t = time.perf_counter()
            prefix = prepare_case(name, tmp, side, n_fac)
            from lifecircle.geo import WalkGraph

            g = WalkGraph.load(prefix + ".graph.npz")
            print(f"\n== {name}: {g.n_nodes:,} nodes, {g.n_edges:,} edges, {n_fac:,} facilities in 10 categories, "
                  f"all nodes as origins (inputs made in {time.perf_counter() - t:.1f} s; "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
            ref = None
            for tool in tools:
                if not available(tool):
                    print(f"  {tool:10s} not installed", flush=True)
                    rows.append((name, tool, None))
                    continue
                stats = run_tool(tool, prefix, args.timeout)
                if "error" in stats:
                    print(f"  {tool:10s} FAILED: {stats['error']}", flush=True)
                    rows.append((name, tool, stats))
                    continue
                if tool == "lifecircle":
                    ref = stats
                line = (f"  {tool:10s} preprocessing {stats['pre_s']:8.2f} s ({stats['pre_cpu_s']:.2f} CPU s)   "
                        f"queries {stats['query_s']:8.2f} s ({stats['query_cpu_s']:.2f} CPU s)   "
                        f"peak RSS {stats['maxrss_mb']:7.0f} MB")
                if ref is not None and tool == "lifecircle-bf":
                    lost = barrier_free_losses(ref, stats)
                    stats["lost"] = lost
                    line += f"   pairs losing all facilities within {CAP:.0f} m: {100 * lost:.2f} %"
                elif ref is not None and tool != "lifecircle":
                    max_diff, same_found, same_count = agreement(ref, stats)
                    stats["agree"] = (max_diff, same_found, same_count)
                    line += (f"   vs lifecircle: nearest max |diff| {max_diff:.3f} m, found-ness agrees "
                             f"{100 * same_found:.3f} %, counts equal {100 * same_count:.3f} %")
                print(line, flush=True)
                rows.append((name, tool, stats))
    print_table(rows)
    return 0


def print_table(rows):
    print("\nWall seconds (CPU seconds, all threads, in brackets). Speed-up = other tool's time / lifecircle's.")
    print("\n| case | tool | preprocessing s | queries s | total s | peak RSS MB | lifecircle speed-up, queries (CPU) | total (CPU) | answers vs lifecircle |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    ref = {case: stats for case, tool, stats in rows
           if tool == "lifecircle" and stats and "error" not in stats}
    for case, tool, stats in rows:
        if stats is None or "error" in stats:
            why = "not installed" if stats is None else stats["error"]
            print(f"| {case} | {tool} | {why} | | | | | | |")
            continue
        total, total_cpu = stats["pre_s"] + stats["query_s"], stats["pre_cpu_s"] + stats["query_cpu_s"]
        speed_q = speed_t = agree = ""
        if tool == "lifecircle-bf" and case in ref:
            r = ref[case]
            speed_q = f"{stats['query_s'] / r['query_s']:.2f}x of standard"
            speed_t = f"{total / (r['pre_s'] + r['query_s']):.2f}x of standard"
            agree = f"barrier-free: {100 * stats['lost']:.2f} % of pairs lose all within {CAP:.0f} m"
        elif tool != "lifecircle" and case in ref:
            r = ref[case]
            speed_q = f"{stats['query_s'] / r['query_s']:.0f}x ({stats['query_cpu_s'] / r['query_cpu_s']:.0f}x)"
            speed_t = (f"{total / (r['pre_s'] + r['query_s']):.0f}x "
                       f"({total_cpu / (r['pre_cpu_s'] + r['query_cpu_s']):.0f}x)")
            d, f, c = stats["agree"]
            agree = f"nearest max diff {d:.2f} m, found {100 * f:.2f} %; counts equal {100 * c:.2f} %"
        print(f"| {case} | {tool} | {stats['pre_s']:.2f} ({stats['pre_cpu_s']:.2f}) | "
              f"{stats['query_s']:.2f} ({stats['query_cpu_s']:.2f}) | {total:.2f} ({total_cpu:.2f}) | "
              f"{stats['maxrss_mb']:.0f} | {speed_q} | {speed_t} | {agree} |")


if __name__ == "__main__":
    sys.exit(main())
