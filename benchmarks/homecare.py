"""Home-care rounds: VROOM on the engine's walking matrix against a nearest-next baseline.

A day of ``--visits`` visits (default 300) for ``--carers`` carers (default 12) from one provider,
with time windows (insulin 07:00-07:45, morning care 08:00-11:00, lunch 11:00-12:00, the rest
08:00-16:00), a nursing skill a third of the carers have, and two shifts (07:00-15:00, 08:00-16:00),
on two networks:

* the demo pack's street network (Jiangning Road), clients scattered over it;
* a generated district of about 200,000 nodes (``benchmarks/synthetic_city.py``), clients within
  1.5 km of the provider.

For each: the matrix time (the engine's exact walking metres, :func:`rounds.travel_matrix`), the
solve time and the total travel time and visits served by

* ``nearest-next``: each free carer walks to the nearest visit they can still make in time;
* ``vroom (app)``: :func:`lifecircle.homecare.rounds.solve` as the app runs it (exploration level 5,
  stopped after ``rounds.TIMEOUT_S`` seconds with the best rounds found), and ``vroom, no limit``:
  the same search run to its end -- the longer run the app's answer is measured against, and
* the check a sub-district day needs: 150 visits on the demo network, matrix plus solve, under 2 s.

Run::

    .venv/bin/python benchmarks/homecare.py            # both networks
    .venv/bin/python benchmarks/homecare.py --quick    # the demo network only
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic_city import grid_city  # noqa: E402
from lifecircle.geo import build_network  # noqa: E402
from lifecircle.geo.distance import METRES_PER_DEGREE  # noqa: E402
from lifecircle.homecare import rounds as solver  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "packs" / "jiangning-road" / "network.osm"
H = 3600
WINDOWS = [((7 * H, 7 * H + 45 * 60), 15 * 60, True), ((8 * H, 11 * H), 25 * 60, False),
           ((11 * H, 12 * H), 5 * 60, False), ((8 * H, 16 * H), 15 * 60, False)]
SHARE = [0.12, 0.25, 0.30, 0.33]


def day(graph, n_visits, n_carers, radius_m=None, seed=0):
    """(lon, lat of provider + homes, stops, carers) for one generated day."""
    rng = np.random.default_rng(seed)
    min_lon, min_lat, max_lon, max_lat = graph.bounds
    c_lon, c_lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    n_homes = max(1, int(n_visits * 0.6))
    # Homes sit beside the streets: a node's position moved up to 30 m (the way compounds sit).
    kx = METRES_PER_DEGREE * np.cos(np.radians(c_lat))
    near = np.hypot((graph.node_lon - c_lon) * kx, (graph.node_lat - c_lat) * METRES_PER_DEGREE)
    pool = np.flatnonzero(near <= radius_m) if radius_m is not None else np.arange(graph.n_nodes)
    nodes = rng.choice(pool, size=n_homes)
    lon = graph.node_lon[nodes] + rng.uniform(-30, 30, n_homes) / kx
    lat = graph.node_lat[nodes] + rng.uniform(-30, 30, n_homes) / METRES_PER_DEGREE
    kinds = rng.choice(len(WINDOWS), size=n_visits, p=SHARE)
    homes = rng.integers(0, n_homes, n_visits)
    stops = [solver.Stop(i, 1 + int(homes[i]), WINDOWS[k][0], WINDOWS[k][1],
                         frozenset({"nursing"}) if WINDOWS[k][2] else frozenset())
             for i, k in enumerate(kinds)]
    carers = [solver.Carer(j, (7 * H, 15 * H) if j % 2 == 0 else (8 * H, 16 * H),
                           frozenset({"nursing"}) if j % 3 == 0 else frozenset()) for j in range(n_carers)]
    return np.concatenate(([c_lon], lon)), np.concatenate(([c_lat], lat)), stops, carers


def nearest_next(matrix, stops, carers):
    """The naive baseline: whichever carer is free first walks to the nearest visit they can still make."""
    started = time.perf_counter()
    left = {s.key: s for s in stops if solver.impossible([s], carers, matrix) == {}}
    state = {c.key: (c.shift[0], 0, 0) for c in carers}  # time, place, travel seconds
    active = {c.key: c for c in carers}
    served = 0
    while active and left:
        key = min(active, key=lambda k: state[k][0])
        carer, (now, place, travel) = active[key], state[key]
        legs = solver.seconds(matrix.metres[place], carer.profile)
        best = None
        for stop in left.values():
            if not stop.skills <= carer.skills:
                continue
            start = max(now + legs[stop.place], stop.window[0])
            back = solver.seconds(matrix.metres[stop.place, 0], carer.profile)
            if start > stop.window[1] or start + stop.service_s + back > carer.shift[1]:
                continue
            if best is None or legs[stop.place] < best[0]:
                best = (legs[stop.place], start, stop)
        if best is None:
            state[key] = (now, place, travel + int(solver.seconds(matrix.metres[place, 0], carer.profile)))
            del active[key]
            continue
        leg, start, stop = best
        state[key] = (start + stop.service_s, stop.place, travel + int(leg))
        del left[stop.key]
        served += 1
    for key in active:
        now, place, travel = state[key]
        state[key] = (now, place, travel + int(solver.seconds(matrix.metres[place, 0], "walk")))
    return served, sum(s[2] for s in state.values()), time.perf_counter() - started


def run(label, graph, n_visits, n_carers, radius_m=None):
    lon, lat, stops, carers = day(graph, n_visits, n_carers, radius_m)
    t0 = time.perf_counter()
    matrix = solver.travel_matrix(graph, lon, lat)
    matrix_s = time.perf_counter() - t0
    off = int((~matrix.on_network).sum())
    print(f"\n{label}: {graph.n_nodes:,} nodes, {n_visits} visits at {len(lon) - 1} homes, {n_carers} carers; "
          f"matrix {matrix_s:.2f} s ({off} homes off the network)")
    served, travel, secs = nearest_next(matrix, stops, carers)
    print(f"  {'nearest-next':<16} served {served:>4}  travel {travel / 3600:6.2f} h  "
          f"({travel / 60 / max(served, 1):4.1f} min a visit)  solve {secs:7.3f} s")
    for label, timeout in (("vroom (app)", solver.TIMEOUT_S), ("vroom, no limit", None)):
        solution = solver.solve(matrix, stops, carers, timeout_s=timeout)
        done = sum(len(r.stops) for r in solution.rounds)
        reasons = {}
        for code in solution.unassigned.values():
            reasons[code] = reasons.get(code, 0) + 1
        print(f"  {label:<16} served {done:>4}  travel {solution.walk_s / 3600:6.2f} h  "
              f"({solution.walk_s / 60 / max(done, 1):4.1f} min a visit)  solve {solution.solve_s:7.3f} s  unassigned {reasons}")
    return matrix_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--carers", type=int, default=12)
    parser.add_argument("--side", type=int, default=448, help="generated grid side (448: about 200k nodes)")
    parser.add_argument("--quick", action="store_true", help="the demo network only")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    demo = build_network(DEMO).graph
    run("demo network", demo, args.visits, args.carers)
    lon, lat, stops, carers = day(demo, 150, 8)
    t0 = time.perf_counter()
    matrix = solver.travel_matrix(demo, lon, lat)
    solution = solver.solve(matrix, stops, carers, timeout_s=solver.TIMEOUT_S)
    total = time.perf_counter() - t0
    print(f"\nsub-district day: 150 visits, 8 carers, matrix + solve {total:.2f} s "
          f"({'under' if total < 2 else 'OVER'} 2 s), {len(solution.unassigned)} unassigned")
    if not args.quick:
        t0 = time.perf_counter()
        city = grid_city(args.side)
        print(f"\ngenerated district built in {time.perf_counter() - t0:.1f} s")
        run("generated district", city, args.visits, args.carers, radius_m=1500.0)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
