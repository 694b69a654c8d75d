"""Daily rounds: visits assigned to carers and ordered, on the street network's walking times.

No Django here, so the benchmark can run it on a generated city. Two steps:

1. :func:`travel_matrix` -- walking metres between every pair of places of the day (the provider
   first, then each client's home), with the geo engine's exact shortest paths
   (:func:`lifecircle.geo.odmatrix.distance_pairs`: bounded multi-source Dijkstra on the CSR graph,
   with the off-street legs), never straight lines. A place the engine cannot snap to a street is
   reported, not guessed.
2. :func:`solve` -- the vehicle-routing problem with time windows, skills and shift limits, handed to
   VROOM (pyvroom) with one duration matrix per speed profile (walking, e-bike). Before the solver
   runs, every stop that no carer could ever serve is set aside with the reason (no carer with the
   skill, window outside every shift, window closed before anyone can walk there); whatever the
   solver itself leaves out is reported as "no time left in any capable carer's shift". A carer
   may set off from any place of the matrix (``Carer.start_place``: the last door of the morning
   when a day is re-planned mid-way) and always ends back at the provider.

Times are seconds after midnight of the day; durations are whole seconds, as VROOM wants.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from lifecircle.geo.distance import METRES_PER_DEGREE
from lifecircle.geo.odmatrix import distance_pairs
from lifecircle.geo.snapping import snap_points

#: Metres a second per speed profile. Walking: the engine's elderly-inclusive design pace is for
#: residents; carers are working adults at 1.2 m/s. E-bike: 4 m/s (about 15 km/h) in lanes and
#: alleys, including stopping to lock up.
SPEEDS = {"walk": 1.2, "ebike": 4.0}

#: How long the app lets VROOM search (seconds): a sub-district day (150 visits) must plan in under
#: 2 s with the matrix; the benchmark compares the answer with an unlimited run.
TIMEOUT_S = 1.5

#: How much longer than the straight line a street walk between two places may be (see reach_m).
DETOUR = 2.0

#: Why a stop was left out (codes; the app turns them into sentences).
OFF_NETWORK = "off_network"
NO_SKILL = "no_skill"
OUTSIDE_SHIFTS = "outside_shifts"
UNREACHABLE = "unreachable_in_window"
NO_TIME = "no_time_left"


@dataclass
class Stop:
    """One visit or delivery: where (index into the places), when it may start, how long it takes."""

    key: object
    place: int
    window: tuple[int, int]
    service_s: int
    skills: frozenset = frozenset()


@dataclass
class Carer:
    """A carer for the solver. ``shift`` is when they are free to go (seconds after midnight) and
    when they must be back at the provider; ``start_place`` where they are when free: the provider
    (0) at the start of the day, or the last home they called at when a day is re-planned mid-way."""

    key: object
    shift: tuple[int, int]
    skills: frozenset = frozenset()
    profile: str = "walk"
    start_place: int = 0


@dataclass
class RoundStop:
    key: object
    arrival_s: int
    start_s: int
    leave_s: int
    walk_s: int


@dataclass
class Round:
    carer: object
    stops: list[RoundStop]
    start_s: int
    end_s: int
    walk_s: int
    walk_m: float


@dataclass
class Solution:
    rounds: list[Round]
    unassigned: dict = field(default_factory=dict)
    solve_s: float = 0.0

    @property
    def walk_s(self):
        return sum(r.walk_s for r in self.rounds)


@dataclass
class Matrix:
    """Walking metres between places (``inf``: not connected) and which places are on the network."""

    metres: np.ndarray
    on_network: np.ndarray
    snap_m: np.ndarray


def travel_matrix(graph, lon, lat, max_snap_m=150.0, max_distance_m=None):
    """Exact walking metres between every pair of the given places on ``graph``.

    Parameters
    ----------
    lon, lat
        Degrees (WGS84), one per place; place 0 is the provider.
    max_snap_m
        A place farther than this from every street is off the network.
    max_distance_m
        Pairs farther apart than this on the streets are left unconnected (``inf``). None: twice the
        longest straight line between two of the places plus 1 km (:func:`reach_m`), which keeps
        each search local on a city-sized graph.
    """
    snap = snap_points(graph, lon, lat, max_snap_m=max_snap_m)
    bound = reach_m(lon, lat) if max_distance_m is None else max_distance_m
    metres = distance_pairs(graph, snap, snap, bound).dense()
    np.fill_diagonal(metres, np.where(snap.ok, 0.0, np.inf))
    return Matrix(metres, snap.ok.copy(), np.asarray(snap.offset_m, dtype=float))


def reach_m(lon, lat, detour=DETOUR, slack_m=1000.0):
    """The longest street walk worth searching between the places: ``detour`` times the longest
    straight line between two of them, plus ``slack_m``.

    A walk longer than that (a river with no bridge near, a closed estate) is treated as no walk:
    no carer would take it, and the place is reported as not connected rather than searched for
    across the whole city (an unbounded search on a 200k-node district costs 50 s, a bounded one
    under a second or two).
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    kx = METRES_PER_DEGREE * np.cos(np.radians(lat.mean())) if lat.size else METRES_PER_DEGREE
    x, y = lon * kx, lat * METRES_PER_DEGREE
    longest = float(np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]).max()) if x.size else 0.0
    return detour * longest + slack_m


def seconds(metres, profile):
    """Whole seconds to cover ``metres`` with ``profile``; unreachable becomes a day (never chosen)."""
    out = np.where(np.isfinite(metres), np.ceil(metres / SPEEDS[profile]), 86400 * 2)
    return out.astype(np.int64)


def impossible(stops, carers, matrix):
    """``{stop key: reason}`` for stops no carer could serve whatever the others do."""
    reasons = {}
    for stop in stops:
        if not matrix.on_network[stop.place] or not np.isfinite(matrix.metres[0, stop.place]):
            reasons[stop.key] = OFF_NETWORK
            continue
        able = [c for c in carers if stop.skills <= c.skills]
        if not able:
            reasons[stop.key] = NO_SKILL
            continue
        open_, close = stop.window
        overlapping = [c for c in able if c.shift[0] <= close and open_ + stop.service_s <= c.shift[1]]
        if not overlapping:
            reasons[stop.key] = OUTSIDE_SHIFTS
            continue

        def fits(c):
            there = seconds(matrix.metres[c.start_place, stop.place], c.profile)
            back = seconds(matrix.metres[stop.place, 0], c.profile)
            start = max(c.shift[0] + there, open_)
            return start <= close and start + stop.service_s + back <= c.shift[1]

        if not any(fits(c) for c in overlapping):
            reasons[stop.key] = UNREACHABLE
    return reasons


def solve(matrix, stops, carers, exploration_level=5, threads=1, timeout_s=None):
    """Assign ``stops`` to ``carers`` and order each round (VROOM), place 0 being the provider.

    ``timeout_s`` stops VROOM's local search and keeps the best rounds found so far (the app
    passes :data:`TIMEOUT_S` so a day is planned while the planner waits); None runs it to its end.
    """
    import datetime

    import vroom

    started = time.perf_counter()
    reasons = impossible(stops, carers, matrix)
    todo = [s for s in stops if s.key not in reasons]
    skill_ids = {}
    for skill in sorted({sk for s in stops for sk in s.skills} | {sk for c in carers for sk in c.skills}, key=str):
        skill_ids[skill] = len(skill_ids) + 1
    rounds = []
    if todo and carers:
        places = sorted({0} | {s.place for s in todo} | {c.start_place for c in carers})
        local = {p: i for i, p in enumerate(places)}
        sub = matrix.metres[np.ix_(places, places)]
        problem = vroom.Input()
        for profile in sorted({c.profile for c in carers}):
            problem.set_durations_matrix(profile=profile, matrix_input=seconds(sub, profile))
        for number, carer in enumerate(carers, 1):
            problem.add_vehicle(vroom.Vehicle(
                number, start=local[carer.start_place], end=0, profile=carer.profile, skills={skill_ids[s] for s in carer.skills},
                time_window=vroom.TimeWindow(*carer.shift)))
        jobs = []
        for number, stop in enumerate(todo, 1):
            jobs.append(vroom.Job(number, location=local[stop.place], default_service=stop.service_s,
                                  skills={skill_ids[s] for s in stop.skills},
                                  time_windows=[vroom.TimeWindow(*stop.window)]))
        problem.add_job(jobs)
        timeout = datetime.timedelta(seconds=timeout_s) if timeout_s else None
        answer = problem.solve(exploration_level=exploration_level, nb_threads=threads, timeout=timeout).to_dict()
        for route in answer.get("routes", []):
            carer = carers[route["vehicle"] - 1]
            steps, previous, walk_s, walk_m, out = route["steps"], carer.start_place, 0, 0.0, []
            for step in steps:
                place = places[step["location_index"]]
                leg_m = float(matrix.metres[previous, place])
                leg_s = int(seconds(np.array(leg_m), carer.profile))
                if step["type"] in ("job", "end"):
                    walk_s, walk_m = walk_s + leg_s, walk_m + leg_m
                if step["type"] == "job":
                    stop = todo[step["id"] - 1]
                    start = step["arrival"] + step.get("waiting_time", 0)
                    out.append(RoundStop(stop.key, step["arrival"], start, start + stop.service_s, leg_s))
                previous = place
            rounds.append(Round(carer.key, out, steps[0]["arrival"], steps[-1]["arrival"], walk_s, walk_m))
        for job in answer.get("unassigned", []):
            reasons[todo[job["id"] - 1].key] = NO_TIME
    return Solution(rounds, reasons, time.perf_counter() - started)
