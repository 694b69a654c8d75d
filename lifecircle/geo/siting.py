"""Where to put new facilities: optimal siting on the walking network.

Three classic location models, each solved *exactly* as a mixed-integer
program with the HiGHS solver (``highspy``), under a time limit; every
result reports the solver's status, the objective, the best bound and the
optimality gap, so a planner knows whether "best" is proven or merely the
best found in the time given.

* **Maximal covering** (:func:`maximal_covering`, Church & ReVelle 1974):
  open ``k`` sites so that the most people *not already covered* live within
  the walking threshold ``T`` of a facility. Existing facilities cover whom
  they reach, so the model spends new sites on the gaps.
* **Set covering** (:func:`set_covering`, Toregas et al. 1971): the fewest
  sites that put every person who *can* be covered within ``T``; people no
  candidate can reach are reported, not silently dropped.
* **p-median** (:func:`p_median`, Hakimi 1964): ``k`` sites minimising the
  total population-weighted walk to the nearest open facility, existing
  ones included; optionally **capacitated** (each facility serves at most
  its capacity; demand may be split, or ``single_source=True`` sends each
  demand point to exactly one facility).

Demand points are origins (residential compounds, buildings) with a
population weight; candidate sites are given points (vacant units, say) or
every node of the network. Distances are exact walking metres from the
engine (:mod:`lifecircle.geo.odmatrix`), within the threshold for covering
and within ``max_distance_m`` (default: unbounded) for p-median.

Each model also has a matrix-level form (:class:`SitingInstance`, then
:func:`solve_mclp`, :func:`solve_lscp`, :func:`solve_pmedian`) for callers
that already hold distances, for tests and for benchmarks.

Formulations (``i`` demand, ``j`` candidate, ``w`` population, ``y_j``
binary "open", ``N_i`` candidates within ``T`` of ``i``, ``d0_i`` walk to
the nearest existing facility):

* MCLP: max sum w_i z_i; z_i <= sum_{j in N_i} y_j; sum y_j = k; z in [0, 1]
  (only people not covered by existing facilities carry a z).
* LSCP: min sum y_j; sum_{j in N_i} y_j >= 1 for every coverable i with w_i > 0.
* p-median: min sum w_i (sum_j d_ij x_ij + d0_i s_i); sum_j x_ij + s_i = 1;
  x_ij <= y_j; sum y_j = k. Without capacities only pairs with
  d_ij < d0_i are needed (a closer existing facility is always as good);
  with capacities every existing facility is its own column with
  sum_i w_i x_ie <= c_e, and sum_i w_i x_ij <= c_j y_j.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .graph import WalkGraph
from .odmatrix import distance_pairs
from .snapping import SnapResult, snap_nodes

MODELS = {
    "mclp": "maximal covering",
    "lscp": "set covering",
    "pmedian": "p-median",
}
DEFAULT_TIME_LIMIT_S = 60.0


# --------------------------------------------------------------------- instance
@dataclass(eq=False)
class SitingInstance:
    """Distances from candidate sites (and existing facilities) to demand points.

    Distances are sparse pairs: candidate ``cand[p]`` is ``dist[p]`` metres
    from demand ``dem[p]``; a pair not listed is beyond ``max_distance_m``
    or unreachable. ``existing_*`` is the same for the facilities already
    there; ``existing_nearest_m`` is each demand point's walk to the nearest
    of them (``inf``: none within the bound).
    """

    n_candidates: int
    population: np.ndarray
    cand: np.ndarray
    dem: np.ndarray
    dist: np.ndarray
    existing_nearest_m: np.ndarray
    candidate_ok: np.ndarray
    demand_ok: np.ndarray
    n_existing: int = 0
    ex: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ex_dem: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ex_dist: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_distance_m: float = np.inf
    matrix_seconds: float = 0.0

    @property
    def n_demand(self) -> int:
        return int(self.population.shape[0])

    @classmethod
    def from_matrix(cls, cost, population, existing_cost=None) -> "SitingInstance":
        """An instance from dense distances.

        ``cost`` is ``(n_candidates, n_demand)`` metres (``inf`` or NaN:
        unreachable); ``existing_cost`` the same for existing facilities.
        """
        cost = np.asarray(cost, dtype=np.float64)
        if cost.ndim != 2:
            raise InputError(f"the cost matrix must be 2-dimensional (candidates x demand), got shape {cost.shape}")
        population = check_population(population, cost.shape[1])
        cand, dem = np.nonzero(np.isfinite(cost))
        if (cost[cand, dem] < 0).any():
            raise InputError("distances must not be negative")
        nearest = np.full(cost.shape[1], np.inf)
        ex = ex_dem = np.zeros(0, np.int64)
        ex_dist = np.zeros(0)
        n_existing = 0
        if existing_cost is not None:
            existing_cost = np.asarray(existing_cost, dtype=np.float64).reshape(-1, cost.shape[1])
            n_existing = existing_cost.shape[0]
            ex, ex_dem = np.nonzero(np.isfinite(existing_cost))
            ex_dist = existing_cost[ex, ex_dem]
            np.minimum.at(nearest, ex_dem, ex_dist)
        return cls(cost.shape[0], population, cand.astype(np.int64), dem.astype(np.int64), cost[cand, dem],
                   nearest, np.ones(cost.shape[0], bool), np.ones(cost.shape[1], bool), n_existing,
                   ex.astype(np.int64), ex_dem.astype(np.int64), ex_dist)

    def dense(self) -> np.ndarray:
        """``(n_candidates, n_demand)`` metres, ``inf`` for pairs not listed."""
        out = np.full((self.n_candidates, self.n_demand), np.inf)
        out[self.cand, self.dem] = self.dist
        return out


def check_population(population, n_demand: int) -> np.ndarray:
    """Population weights as floats, or :class:`InputError` naming the bad rows."""
    try:
        weight = np.asarray(population, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("population weights must be numbers") from None
    if weight.shape != (n_demand,):
        raise InputError(f"got {weight.size} population weights for {n_demand} demand points")
    bad = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
    if bad.size:
        shown = ", ".join(f"#{i} ({weight[i]:g})" for i in bad[:5])
        raise InputError(f"population must be a finite number >= 0; {bad.size} demand point(s) are not: {shown}")
    return weight


def build_instance(graph: WalkGraph, demand: SnapResult, population, candidates: SnapResult | None = None,
                   existing: SnapResult | None = None, max_distance_m: float | None = None) -> SitingInstance:
    """Walking distances for a siting problem on ``graph``.

    ``candidates=None`` makes every network node a candidate (see
    :func:`candidate_nodes`). Only pairs within ``max_distance_m`` are kept
    (``None``: all connected pairs).
    """
    population = check_population(population, len(demand))
    if candidates is None:
        candidates = candidate_nodes(graph)
    if len(candidates) == 0:
        raise InputError("no candidate sites were given")
    if not candidates.ok.any():
        raise InputError(f"none of the {len(candidates)} candidate sites is within "
                         f"{candidates.max_snap_m:g} m of a walkable street")
    started = time.perf_counter()
    pairs = distance_pairs(graph, candidates, demand, max_distance_m)
    nearest = np.full(len(demand), np.inf)
    n_existing = 0
    ex = ex_dem = np.zeros(0, np.int64)
    ex_dist = np.zeros(0)
    if existing is not None and len(existing) and existing.ok.any():
        n_existing = len(existing)
        found = distance_pairs(graph, existing, demand, max_distance_m)
        ex, ex_dem, ex_dist = found.source, found.target, found.metres
        np.minimum.at(nearest, ex_dem, ex_dist)
    elif existing is not None:
        n_existing = len(existing)
    return SitingInstance(
        len(candidates), population, pairs.source, pairs.target, pairs.metres, nearest,
        candidates.ok.copy(), demand.ok.copy(), n_existing, ex, ex_dem, ex_dist,
        np.inf if max_distance_m is None else float(max_distance_m), time.perf_counter() - started)


def candidate_nodes(graph: WalkGraph, nodes=None) -> SnapResult:
    """Network nodes (all, or those listed) as candidate sites, already on the network."""
    if graph.n_edges == 0:
        raise InputError("the street graph is empty")
    return snap_nodes(graph, nodes)


# ----------------------------------------------------------------------- result
@dataclass(eq=False)
class SitingResult:
    """What a siting model chose, how good it is, and how sure the solver is.

    ``status`` is ``"optimal"`` (proven), ``"time_limit"`` (best found when
    time ran out; see ``gap``) or another HiGHS status. ``objective`` is
    people newly covered (MCLP), sites opened (LSCP) or total
    person-metres walked (p-median); ``bound`` is the solver's proven bound
    on it and ``gap`` the relative distance between them (0 = optimal).
    """

    model: str
    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    matrix_seconds: float
    chosen: np.ndarray
    k: int | None
    threshold_m: float | None
    total_population: float
    covered_before: float | None
    covered_after: float | None
    uncoverable: np.ndarray
    uncoverable_population: float
    off_network: np.ndarray
    nearest_after_m: np.ndarray
    assigned_m: np.ndarray | None = None
    n_variables: int = 0
    n_constraints: int = 0
    load: np.ndarray | None = None  # p-median with capacities: people assigned to each chosen site

    @property
    def mean_distance_m(self) -> float | None:
        """p-median: population-weighted mean walk of the people served."""
        if self.model != "pmedian" or self.objective is None:
            return None
        served = self.total_population - self.uncoverable_population
        return self.objective / served if served > 0 else None

    def to_dict(self) -> dict:
        """Plain JSON-ready values."""
        def number(x):
            return None if x is None or not np.isfinite(x) else float(x)
        return {
            "model": self.model, "model_name": MODELS[self.model], "status": self.status,
            "has_solution": self.has_solution, "objective": number(self.objective), "bound": number(self.bound),
            "gap": number(self.gap), "seconds": round(self.seconds, 4), "matrix_seconds": round(self.matrix_seconds, 4),
            "chosen": [int(j) for j in self.chosen], "k": self.k, "threshold_m": self.threshold_m,
            "total_population": float(self.total_population), "covered_before": number(self.covered_before),
            "covered_after": number(self.covered_after), "uncoverable": [int(i) for i in self.uncoverable],
            "uncoverable_population": float(self.uncoverable_population),
            "off_network": [int(i) for i in self.off_network], "mean_distance_m": number(self.mean_distance_m),
            "load": None if self.load is None else [float(x) for x in self.load],
            "variables": self.n_variables, "constraints": self.n_constraints,
        }


# ------------------------------------------------------------------ the models
def maximal_covering(graph: WalkGraph, demand: SnapResult, population, k: int, threshold_m: float,
                     candidates: SnapResult | None = None, existing: SnapResult | None = None,
                     time_limit_s: float = DEFAULT_TIME_LIMIT_S, mip_gap: float = 0.0) -> SitingResult:
    """Open ``k`` of the candidates to cover the most people not yet within ``threshold_m``."""
    threshold = _check_threshold(threshold_m)
    population = check_population(population, len(demand))
    _check_k(k, None)
    inst = build_instance(graph, demand, population, candidates, existing, max_distance_m=threshold)
    return solve_mclp(inst, k, threshold, time_limit_s, mip_gap)


def set_covering(graph: WalkGraph, demand: SnapResult, population, threshold_m: float,
                 candidates: SnapResult | None = None, existing: SnapResult | None = None,
                 time_limit_s: float = DEFAULT_TIME_LIMIT_S, mip_gap: float = 0.0) -> SitingResult:
    """The fewest candidates that put everyone coverable within ``threshold_m`` of a facility."""
    threshold = _check_threshold(threshold_m)
    population = check_population(population, len(demand))
    inst = build_instance(graph, demand, population, candidates, existing, max_distance_m=threshold)
    return solve_lscp(inst, threshold, time_limit_s, mip_gap)


def p_median(graph: WalkGraph, demand: SnapResult, population, k: int, candidates: SnapResult | None = None,
             existing: SnapResult | None = None, max_distance_m: float | None = None, capacity=None,
             existing_capacity=None, single_source: bool = False,
             time_limit_s: float = DEFAULT_TIME_LIMIT_S, mip_gap: float = 0.0) -> SitingResult:
    """Open ``k`` candidates minimising the population-weighted walk to the nearest facility.

    With ``capacity`` (per candidate, or one number for all) each facility
    serves at most that many people; ``existing_capacity`` gives the
    existing facilities' (``inf`` = unlimited). Walks longer than
    ``max_distance_m`` are not allowed (default: no limit).
    """
    population = check_population(population, len(demand))
    _check_k(k, None)
    if max_distance_m is not None:
        _check_threshold(max_distance_m, "max_distance_m")
    inst = build_instance(graph, demand, population, candidates, existing, max_distance_m=max_distance_m)
    return solve_pmedian(inst, k, capacity, existing_capacity, single_source, time_limit_s, mip_gap)


def solve_mclp(inst: SitingInstance, k: int, threshold_m: float, time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               mip_gap: float = 0.0) -> SitingResult:
    """Maximal covering on a prepared instance (see the module docstring)."""
    threshold = _check_threshold(threshold_m)
    k = _check_k(k, int(inst.candidate_ok.sum()))
    _check_solver(time_limit_s, mip_gap)
    _check_reach(inst, threshold)
    w = inst.population
    n, m = inst.n_demand, inst.n_candidates
    covered_before = inst.existing_nearest_m <= threshold
    within = inst.dist <= threshold
    cand, dem = inst.cand[within], inst.dem[within]
    open_demand = np.flatnonzero((~covered_before) & (w > 0) & inst.demand_ok)
    coverable = np.zeros(n, bool)
    coverable[dem] = True
    z_of = np.full(n, -1, np.int64)
    rows_demand = open_demand[coverable[open_demand]]
    z_of[rows_demand] = np.arange(rows_demand.size)
    keep = z_of[dem] >= 0
    cand, dem = cand[keep], dem[keep]
    n_z = rows_demand.size
    # Columns: y_0..y_{m-1}, then z for each coverable, uncovered demand point.
    # Rows: one per such demand point (z_i - sum y_j <= 0), then sum y = k.
    r = np.concatenate((z_of[dem], np.arange(n_z), np.full(m, n_z)))
    c = np.concatenate((cand, m + np.arange(n_z), np.arange(m)))
    v = np.concatenate((-np.ones(cand.size), np.ones(n_z), np.ones(m)))
    cost = np.concatenate((np.zeros(m), w[rows_demand]))
    col_upper = np.concatenate((inst.candidate_ok.astype(float), np.ones(n_z)))
    row_lo = np.concatenate((np.full(n_z, -np.inf), [k]))
    row_hi = np.concatenate((np.zeros(n_z), [k]))
    integer = np.concatenate((np.ones(m, bool), np.zeros(n_z, bool)))
    solved = _solve(cost, r, c, v, n_z + 1, row_lo, row_hi, np.zeros(m + n_z), col_upper, integer, True,
                    time_limit_s, mip_gap)
    chosen = solved.chosen(m)
    nearest = _nearest_after(inst, chosen)
    ok = inst.demand_ok
    uncoverable = np.flatnonzero(ok & ~covered_before & (w > 0) & ~coverable)
    return SitingResult(
        "mclp", solved.status, solved.has_solution, solved.objective, solved.bound, solved.gap, solved.seconds,
        inst.matrix_seconds, chosen, k, threshold, float(w.sum()), float(w[covered_before & ok].sum()),
        float(w[(nearest <= threshold) & ok].sum()) if solved.has_solution else None,
        uncoverable, float(w[uncoverable].sum()), np.flatnonzero(~ok), nearest,
        n_variables=m + n_z, n_constraints=n_z + 1)


def solve_lscp(inst: SitingInstance, threshold_m: float, time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               mip_gap: float = 0.0) -> SitingResult:
    """Set covering on a prepared instance: fewest sites covering every coverable person."""
    threshold = _check_threshold(threshold_m)
    _check_solver(time_limit_s, mip_gap)
    _check_reach(inst, threshold)
    if not inst.candidate_ok.any():
        raise InputError("no candidate site is on the network")
    w = inst.population
    n, m = inst.n_demand, inst.n_candidates
    ok = inst.demand_ok
    covered_before = inst.existing_nearest_m <= threshold
    within = inst.dist <= threshold
    cand, dem = inst.cand[within], inst.dem[within]
    need = ok & ~covered_before & (w > 0)
    coverable = np.zeros(n, bool)
    coverable[dem] = True
    uncoverable = np.flatnonzero(need & ~coverable)
    rows_demand = np.flatnonzero(need & coverable)
    row_of = np.full(n, -1, np.int64)
    row_of[rows_demand] = np.arange(rows_demand.size)
    keep = row_of[dem] >= 0
    solved = _solve(np.ones(m), row_of[dem[keep]], cand[keep], np.ones(int(keep.sum())), rows_demand.size,
                    np.ones(rows_demand.size), np.full(rows_demand.size, np.inf), np.zeros(m),
                    inst.candidate_ok.astype(float), np.ones(m, bool), False, time_limit_s, mip_gap)
    chosen = solved.chosen(m)
    nearest = _nearest_after(inst, chosen)
    return SitingResult(
        "lscp", solved.status, solved.has_solution, solved.objective, solved.bound, solved.gap, solved.seconds,
        inst.matrix_seconds, chosen, None, threshold, float(w.sum()), float(w[covered_before & ok].sum()),
        float(w[(nearest <= threshold) & ok].sum()) if solved.has_solution else None,
        uncoverable, float(w[uncoverable].sum()), np.flatnonzero(~ok), nearest,
        n_variables=m, n_constraints=rows_demand.size)


def solve_pmedian(inst: SitingInstance, k: int, capacity=None, existing_capacity=None, single_source: bool = False,
                  time_limit_s: float = DEFAULT_TIME_LIMIT_S, mip_gap: float = 0.0) -> SitingResult:
    """p-median (optionally capacitated) on a prepared instance."""
    k = _check_k(k, int(inst.candidate_ok.sum()))
    _check_solver(time_limit_s, mip_gap)
    w = inst.population
    n, m = inst.n_demand, inst.n_candidates
    ok = inst.demand_ok
    capacitated = capacity is not None
    if existing_capacity is not None and not capacitated:
        raise InputError("existing_capacity was given without candidate capacity")
    need = ok & (w > 0)
    reachable = np.zeros(n, bool)
    reachable[inst.dem] = True
    reachable |= np.isfinite(inst.existing_nearest_m)
    uncoverable = np.flatnonzero(need & ~reachable)
    served = need & reachable
    row_of = np.full(n, -1, np.int64)
    rows_demand = np.flatnonzero(served)
    row_of[rows_demand] = np.arange(rows_demand.size)
    n_rows_a = rows_demand.size

    if not capacitated:
        # Only candidates strictly closer than the nearest existing facility can matter.
        keep = (row_of[inst.dem] >= 0) & (inst.dist < inst.existing_nearest_m[inst.dem])
        xc, xd, xdist = inst.cand[keep], inst.dem[keep], inst.dist[keep]
        sd = rows_demand[np.isfinite(inst.existing_nearest_m[rows_demand])]
        sdist = inst.existing_nearest_m[sd]
        s_fac = np.full(sd.size, -1, np.int64)
        cap_c = cap_e = None
    else:
        cap_c = _capacities(capacity, m, "capacity", allow_inf=False)
        cap_e = (np.full(inst.n_existing, np.inf) if existing_capacity is None
                 else _capacities(existing_capacity, inst.n_existing, "existing_capacity", allow_inf=True))
        keep = row_of[inst.dem] >= 0
        xc, xd, xdist = inst.cand[keep], inst.dem[keep], inst.dist[keep]
        keep_e = row_of[inst.ex_dem] >= 0
        s_fac, sd, sdist = inst.ex[keep_e], inst.ex_dem[keep_e], inst.ex_dist[keep_e]
        demand_total = float(w[rows_demand].sum())
        usable = np.sort(cap_c[inst.candidate_ok])[::-1]
        supply = float(cap_e.sum() + usable[:k].sum())
        if demand_total > supply * (1 + 1e-12) + 1e-9:
            raise InputError(
                f"infeasible: {demand_total:g} people must be served, but the existing facilities and the "
                f"{k} largest candidate sites hold only {supply:g} places")

    n_x, n_s = xc.size, sd.size
    # Columns: y (m), x pairs (n_x), s pairs (n_s).
    # Rows: assignment (n_rows_a, = 1); x <= y (n_x); sum y = k; capacities (m + n_existing, if any).
    col_x = m + np.arange(n_x)
    col_s = m + n_x + np.arange(n_s)
    r = [row_of[xd], row_of[sd], n_rows_a + np.arange(n_x), n_rows_a + np.arange(n_x),
         np.full(m, n_rows_a + n_x)]
    c = [col_x, col_s, col_x, xc, np.arange(m)]
    v = [np.ones(n_x), np.ones(n_s), np.ones(n_x), -np.ones(n_x), np.ones(m)]
    n_rows = n_rows_a + n_x + 1
    row_lo = [np.ones(n_rows_a), np.full(n_x, -np.inf), [k]]
    row_hi = [np.ones(n_rows_a), np.zeros(n_x), [k]]
    if capacitated:
        base = n_rows
        r += [base + xc, base + np.arange(m), base + m + s_fac]
        c += [col_x, np.arange(m), col_s]
        v += [w[xd], -cap_c, w[sd]]
        row_lo += [np.full(m, -np.inf), np.full(inst.n_existing, -np.inf)]
        row_hi += [np.zeros(m), cap_e]
        n_rows += m + inst.n_existing
    cost = np.concatenate((np.zeros(m), w[xd] * xdist, w[sd] * sdist))
    col_upper = np.concatenate((inst.candidate_ok.astype(float), np.ones(n_x + n_s)))
    integer = np.concatenate((np.ones(m, bool), np.full(n_x + n_s, single_source and capacitated)))
    solved = _solve(cost, np.concatenate(r), np.concatenate(c), np.concatenate(v), n_rows,
                    np.concatenate(row_lo), np.concatenate(row_hi), np.zeros(m + n_x + n_s), col_upper, integer,
                    False, time_limit_s, mip_gap)
    if solved.status == "infeasible":
        what = "within capacity and " if capacitated else ""
        bound = "" if not np.isfinite(inst.max_distance_m) else f" (at most {inst.max_distance_m:g} m)"
        raise InputError(f"infeasible: no choice of {k} sites can serve every demand point {what}within "
                         f"walking reach{bound}")
    chosen = solved.chosen(m)
    nearest = _nearest_after(inst, chosen)
    assigned = load = None
    if solved.has_solution:
        x = solved.x[m:m + n_x]
        s = solved.x[m + n_x:]
        assigned = np.full(n, np.nan)
        weighted = np.zeros(n)
        np.add.at(weighted, xd, x * xdist)
        np.add.at(weighted, sd, s * sdist)
        assigned[rows_demand] = weighted[rows_demand]
        if capacitated:
            load_all = np.zeros(m)
            np.add.at(load_all, xc, x * w[xd])
            load = load_all[chosen]
    result = SitingResult(
        "pmedian", solved.status, solved.has_solution, solved.objective, solved.bound, solved.gap, solved.seconds,
        inst.matrix_seconds, chosen, k, None, float(w.sum()), None, None, uncoverable, float(w[uncoverable].sum()),
        np.flatnonzero(~ok), nearest, assigned, m + n_x + n_s, n_rows, load)
    return result


# ----------------------------------------------------------------------- helpers
@dataclass
class _Solved:
    status: str
    has_solution: bool
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float

    def chosen(self, m: int) -> np.ndarray:
        if not self.has_solution:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.x[:m] > 0.5)


def _solve(cost, rows, cols, values, n_rows, row_lo, row_hi, col_lo, col_hi, integer, maximize,
           time_limit_s, mip_gap) -> _Solved:
    """Solve one MILP with HiGHS; the matrix is given as (row, col, value) triplets."""
    import highspy
    from scipy.sparse import coo_array

    n_cols = cost.size
    if n_rows == 0:  # HiGHS wants at least one row: add an empty one
        rows, cols, values, n_rows = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 1
        row_lo, row_hi = np.array([-np.inf]), np.array([np.inf])
    matrix = coo_array((values, (rows, cols)), shape=(n_rows, n_cols)).tocsc()
    matrix.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(n_cols), int(n_rows)
    lp.col_cost_ = np.asarray(cost, np.float64)
    lp.col_lower_ = np.asarray(col_lo, np.float64)
    lp.col_upper_ = np.asarray(col_hi, np.float64)
    lp.row_lower_ = np.asarray(row_lo, np.float64)
    lp.row_upper_ = np.asarray(row_hi, np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = int(n_cols), int(n_rows)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.passModel(lp)
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    names = {highspy.HighsModelStatus.kOptimal: "optimal", highspy.HighsModelStatus.kTimeLimit: "time_limit",
             highspy.HighsModelStatus.kInfeasible: "infeasible",
             highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible"}
    name = names.get(status, h.modelStatusToString(status).lower().replace(" ", "_"))
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    gap = float(info.mip_gap) if has_solution and np.isfinite(info.mip_gap) else None
    if name == "optimal":
        bound = objective if bound is None else bound
        gap = 0.0 if gap is None else max(gap, 0.0)
    return _Solved(name, has_solution, x, objective, bound, gap, seconds)


def _nearest_after(inst: SitingInstance, chosen: np.ndarray) -> np.ndarray:
    """Each demand point's walk to the nearest existing or chosen facility (inf: none within reach)."""
    nearest = inst.existing_nearest_m.copy()
    is_chosen = np.zeros(inst.n_candidates, bool)
    is_chosen[chosen] = True
    pick = is_chosen[inst.cand]
    np.minimum.at(nearest, inst.dem[pick], inst.dist[pick])
    nearest[~inst.demand_ok] = np.nan
    return nearest


def _capacities(values, size: int, name: str, allow_inf: bool) -> np.ndarray:
    try:
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), (size,)).copy()
    except (TypeError, ValueError):
        raise InputError(f"{name} must be one number or one number per site ({size})") from None
    bad = np.isnan(values) | (values < 0) | (np.isinf(values) if not allow_inf else False)
    if np.any(bad):
        raise InputError(f"{name} must be {'non-negative numbers (inf = unlimited)' if allow_inf else 'finite numbers >= 0'}")
    return values


def _check_threshold(threshold_m, name="threshold_m") -> float:
    try:
        value = float(threshold_m)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of metres, got {threshold_m!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive number of metres, got {threshold_m!r}")
    return value


def _check_k(k, n_candidates: int | None) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k (the number of sites to open) must be a whole number >= 1, got {k!r}")
    if n_candidates is not None and k > n_candidates:
        raise InputError(f"k = {k} sites cannot be chosen from {n_candidates} candidate site(s) on the network")
    return int(k)


def _check_solver(time_limit_s, mip_gap) -> None:
    try:
        ok = float(time_limit_s) > 0 and 0 <= float(mip_gap) < 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(f"time_limit_s must be > 0 and mip_gap in [0, 1), got {time_limit_s!r} and {mip_gap!r}")


def _check_reach(inst: SitingInstance, threshold: float) -> None:
    if threshold > inst.max_distance_m:
        raise InputError(f"the distances were computed only up to {inst.max_distance_m:g} m, "
                         f"less than the threshold {threshold:g} m")
