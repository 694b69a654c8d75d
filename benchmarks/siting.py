"""Siting: lifecircle's models against PySAL spopt on the same instances.

For each instance (a generated street grid, demand points with populations,
candidate sites on nodes) the walking distances are computed once with the
engine, then the same matrix is solved by

* lifecircle (:mod:`lifecircle.geo.siting`, HiGHS through ``highspy``), and
* spopt (``MCLP`` / ``LSCP`` / ``PMedian.from_cost_matrix``, PuLP with its
  HiGHS solver, or CBC with ``--spopt-solver cbc``),

for maximal covering, set covering and p-median. It checks the objectives
agree (both solve to proven optimality) and prints times and ratios.

    .venv/bin/python benchmarks/siting.py                 # the default sizes
    .venv/bin/python benchmarks/siting.py --sizes small   # a quick run
    .venv/bin/python benchmarks/siting.py --changes       # time per scenario change (demo, big city)

Times: "matrix" is the engine's bounded multi-source Dijkstra (shared by
both); the lifecircle and spopt columns are model building plus solving,
as each tool does it, in seconds; "ratio" is spopt's time over lifecircle's.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic_city import grid_city  # noqa: E402
from lifecircle.geo.siting import SitingInstance, build_instance, solve_lscp, solve_mclp, solve_pmedian  # noqa: E402
from lifecircle.geo.snapping import snap_nodes, snap_points  # noqa: E402

SIZES = {
    # name: (grid side, demand points, candidates, k, p-median demand, p-median candidates)
    "small": (40, 200, 100, 5, 150, 60),
    "medium": (80, 1000, 400, 10, 300, 120),
    "large": (140, 4000, 1500, 20, 500, 200),
}
THRESHOLD_M = 300.0


def instance(side, n_demand, n_cand, seed=0):
    graph = grid_city(side, seed=seed)
    rng = np.random.default_rng(seed + 1)
    min_lon, min_lat, max_lon, max_lat = graph.bounds
    lon = min_lon + rng.random(n_demand) * (max_lon - min_lon)
    lat = min_lat + rng.random(n_demand) * (max_lat - min_lat)
    demand = snap_points(graph, lon, lat)
    population = rng.integers(50, 1500, n_demand).astype(float)
    cand_nodes = rng.choice(graph.n_nodes, size=n_cand, replace=False)
    return graph, demand, population, snap_nodes(graph, cand_nodes)


def spopt_solver(name, time_limit):
    import pulp

    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    return pulp.HiGHS(msg=False, timeLimit=time_limit)


def run_spopt(kind, cost, weights, k, solver):
    """cost: (demand, candidates) as spopt wants it. Returns (objective, seconds); NaN if unsolved."""
    started = time.perf_counter()
    try:
        objective = _run_spopt(kind, cost, weights, k, solver)
    except RuntimeError as exc:  # spopt raises when PuLP reports no solution (e.g. out of time)
        print(f"  spopt {kind}: {exc}")
        objective = float("nan")
    return objective, time.perf_counter() - started


def _run_spopt(kind, cost, weights, k, solver):
    from spopt.locate import LSCP, MCLP, PMedian

    if kind == "mclp":
        model = MCLP.from_cost_matrix(cost, weights, THRESHOLD_M, p_facilities=k).solve(solver)
        chosen = [j for j in range(cost.shape[1]) if model.fac_vars[j].value() > 0.5]
        covered = (cost[:, chosen] <= THRESHOLD_M).any(axis=1)
        objective = float(weights[covered].sum())
    elif kind == "lscp":
        model = LSCP.from_cost_matrix(cost, THRESHOLD_M).solve(solver)
        objective = float(sum(v.value() > 0.5 for v in model.fac_vars))
    else:
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=k).solve(solver)
        objective = float(model.problem.objective.value())
    return objective


def timed(solve, *args, **kwargs):
    """Call a lifecircle solver; ``.wall`` is the whole call (model building and solving)."""
    started = time.perf_counter()
    result = solve(*args, **kwargs)
    result.wall = time.perf_counter() - started
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["small", "medium"], choices=list(SIZES))
    parser.add_argument("--spopt-solver", choices=["highs", "cbc"], default="highs")
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()

    import highspy
    import pulp
    import spopt

    print(f"lifecircle siting (highspy {highspy.Highs().version()}) vs spopt {spopt.__version__} "
          f"(PuLP {pulp.__version__}, solver {args.spopt_solver}); threshold {THRESHOLD_M:g} m")
    header = f"{'size':<7} {'model':<8} {'demand':>6} {'cands':>6} {'k':>3}  {'matrix s':>8}  " \
             f"{'lifecircle s':>12}  {'spopt s':>8}  {'ratio':>6}  objectives"
    print(header)
    print("-" * len(header))
    all_agree = True
    for size in args.sizes:
        side, n_demand, n_cand, k, pm_demand, pm_cand = SIZES[size]
        graph, demand, population, cands = instance(side, n_demand, n_cand)
        covering = build_instance(graph, demand, population, cands, max_distance_m=THRESHOLD_M)
        dense = covering.dense()  # (candidates, demand)
        big = np.where(np.isfinite(dense), dense, 1e9).T  # spopt: (demand, candidates), no inf
        coverable = np.isfinite(dense).any(axis=0)

        rows = []
        result = timed(solve_mclp, covering, k, THRESHOLD_M, args.time_limit)
        obj_s, t_s = run_spopt("mclp", big, population, k, spopt_solver(args.spopt_solver, args.time_limit))
        rows.append(("mclp", n_demand, n_cand, k, covering.matrix_seconds, result, result.objective, obj_s, t_s))

        # spopt's LSCP must cover every row it is given: give it the coverable demand only.
        result = timed(solve_lscp, covering, THRESHOLD_M, args.time_limit)
        obj_s, t_s = run_spopt("lscp", big[coverable], population[coverable], None,
                               spopt_solver(args.spopt_solver, args.time_limit))
        rows.append(("lscp", int(coverable.sum()), n_cand, "-", covering.matrix_seconds, result,
                     result.objective, obj_s, t_s))

        g2, d2, p2, c2 = instance(side, pm_demand, pm_cand, seed=3)
        full = build_instance(g2, d2, p2, c2)  # unbounded: every pair
        result = timed(solve_pmedian, full, k, time_limit_s=args.time_limit)
        obj_s, t_s = run_spopt("pmedian", full.dense().T, p2, k, spopt_solver(args.spopt_solver, args.time_limit))
        rows.append(("pmedian", pm_demand, pm_cand, k, full.matrix_seconds, result, result.objective, obj_s, t_s))

        for model, nd, nc, kk, matrix_s, res, obj_l, obj_s, t_s in rows:
            if obj_l is None or np.isnan(obj_s):
                agree, verdict = None, "not compared (a tool found no solution in time)"
            else:
                agree = abs(obj_l - obj_s) <= 1e-6 * max(1.0, abs(obj_s))
                verdict = "agree" if agree else "DIFFER"
                all_agree &= agree
            print(f"{size:<7} {model:<8} {nd:>6} {nc:>6} {kk!s:>3}  {matrix_s:>8.3f}  {res.wall:>12.3f}  "
                  f"{t_s:>8.3f}  {t_s / max(res.wall, 1e-9):>5.1f}x  "
                  f"{obj_l if obj_l is not None else float('nan'):.6g} vs {obj_s:.6g} {verdict} "
                  f"[{res.status}, gap {res.gap if res.gap is not None else '-'}]")
    print("all objectives agree" if all_agree else "SOME OBJECTIVES DIFFER")
    return 0 if all_agree else 1


def scenario_changes(side, n_compounds, n_facilities, changes):
    """Time per scenario change (add / move / close / reopen a facility) through the planning app:
    on the demo, then on a generated city of ``side`` x ``side`` nodes."""
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="lifecircle-bench-")
    os.environ.update(LIFECIRCLE_VAR_DIR=folder, DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
                      DJANGO_SETTINGS_MODULE="lifecircle.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from lifecircle.community import networks
    from lifecircle.community.models import Compound, PedestrianNetwork, SubDistrict
    from lifecircle.directory.models import Facility, ServiceCategory
    from lifecircle.planning import scenarios

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    demo = SubDistrict.objects.get()

    def run(subdistrict, label):
        graph = networks.load_graph(subdistrict.network)
        started = time.perf_counter()
        scenario = scenarios.create_scenario(subdistrict, f"bench {label}")
        created = time.perf_counter() - started
        rng = np.random.default_rng(5)
        facilities = list(scenario.facilities.filter(active=True))
        slugs = list(ServiceCategory.objects.values_list("slug", flat=True))
        times = {"add": [], "move": [], "close": [], "reopen": []}
        for i in range(changes):
            node = rng.integers(graph.n_nodes)
            lon, lat = float(graph.node_lon[node]), float(graph.node_lat[node])
            started = time.perf_counter()
            scenarios.add_facility(scenario, None, category=slugs[i % len(slugs)], lon=lon, lat=lat)
            times["add"].append(time.perf_counter() - started)
            f = facilities[i % len(facilities)]
            node = rng.integers(graph.n_nodes)
            started = time.perf_counter()
            scenarios.change_facility(scenario, None, f.code, lon=float(graph.node_lon[node]),
                                      lat=float(graph.node_lat[node]))
            times["move"].append(time.perf_counter() - started)
            started = time.perf_counter()
            scenarios.change_facility(scenario, None, f.code, active=False)
            times["close"].append(time.perf_counter() - started)
            started = time.perf_counter()
            scenarios.change_facility(scenario, None, f.code, active=True)
            times["reopen"].append(time.perf_counter() - started)
        print(f"{label}: {graph.n_nodes} nodes, {Compound.objects.filter(subdistrict=subdistrict).count()} compounds, "
              f"{len(facilities)} facilities; scenario created (copy + all categories) in {created:.2f} s")
        for action, values in times.items():
            values = np.array(values) * 1000
            print(f"  {action:<7} p50 {np.percentile(values, 50):7.1f} ms   p95 {np.percentile(values, 95):7.1f} ms   "
                  f"max {values.max():7.1f} ms   (whole change: checks, write, recompute, log)")

    run(demo, "demo")

    # A generated city: the demo's categories and standard, a big network, many compounds and facilities.
    graph = grid_city(side, seed=11)
    path = networks.network_folder() / "synthetic.npz"
    graph.save(path)
    city = SubDistrict.objects.create(code="synthetic", name="合成城市", city="-", district="-")
    PedestrianNetwork.objects.create(subdistrict=city, source="generated", attribution="generated",
                                     graph_file=path.name, node_count=graph.n_nodes, edge_count=graph.n_edges)
    rng = np.random.default_rng(12)
    nodes = rng.choice(graph.n_nodes, n_compounds + n_facilities, replace=False)
    Compound.objects.bulk_create(
        Compound(subdistrict=city, code=f"c{i}", name=f"小区{i}", lon=float(graph.node_lon[n]) + 1e-4,
                 lat=float(graph.node_lat[n]), population=int(rng.integers(200, 3000)))
        for i, n in enumerate(nodes[:n_compounds]))
    categories = list(ServiceCategory.objects.all())
    Facility.objects.bulk_create(
        Facility(subdistrict=city, code=f"f{i}", name=f"设施{i}", category=categories[i % len(categories)],
                 lon=float(graph.node_lon[n]), lat=float(graph.node_lat[n]) + 1e-4, capacity=100)
        for i, n in enumerate(nodes[n_compounds:]))
    run(city, "synthetic")


if __name__ == "__main__":
    if "--changes" in sys.argv:
        sys.exit(scenario_changes(side=700, n_compounds=5000, n_facilities=2000, changes=20))
    sys.exit(main())
