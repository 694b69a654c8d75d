"""Siting models: exact optima checked against brute force over every k-subset."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from lifecircle.geo.errors import InputError
from lifecircle.geo.odmatrix import distance_pairs
from lifecircle.geo.siting import (
    SitingInstance, build_instance, candidate_nodes, maximal_covering, p_median, set_covering, solve_lscp,
    solve_mclp, solve_pmedian,
)
from lifecircle.geo.snapping import snap_points

from .oracle import oracle_distances, random_graph

T = 300.0


def random_instance(seed, m=7, n=10, existing=0, unreachable=0.3):
    """Random distances (some pairs unreachable), integer populations (some zero)."""
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 800, (m, n))
    cost[rng.random((m, n)) < unreachable] = np.inf
    population = rng.integers(0, 60, n).astype(float)
    existing_cost = None
    if existing:
        existing_cost = rng.uniform(100, 1500, (existing, n))
        existing_cost[rng.random(existing_cost.shape) < unreachable] = np.inf
    return cost, population, existing_cost


def existing_nearest(existing_cost, n):
    return np.full(n, np.inf) if existing_cost is None else existing_cost.min(axis=0)


def brute_mclp(cost, w, existing_cost, k, threshold):
    before = existing_nearest(existing_cost, cost.shape[1]) <= threshold
    best = -1.0
    for subset in itertools.combinations(range(cost.shape[0]), k):
        covered = (cost[list(subset)] <= threshold).any(axis=0) & ~before
        best = max(best, float(w[covered].sum()))
    return best


def brute_lscp(cost, w, existing_cost, threshold):
    before = existing_nearest(existing_cost, cost.shape[1]) <= threshold
    need = (w > 0) & ~before & (cost <= threshold).any(axis=0)
    if not need.any():
        return 0
    for size in range(1, cost.shape[0] + 1):
        for subset in itertools.combinations(range(cost.shape[0]), size):
            if (cost[list(subset)] <= threshold).any(axis=0)[need].all():
                return size
    raise AssertionError("unreachable")


def brute_pmedian(cost, w, existing_cost, k):
    d0 = existing_nearest(existing_cost, cost.shape[1])
    reachable = np.isfinite(d0) | np.isfinite(cost).any(axis=0)
    best = np.inf
    for subset in itertools.combinations(range(cost.shape[0]), k):
        d = np.minimum(d0, cost[list(subset)].min(axis=0))
        served = (w > 0) & reachable
        if np.isinf(d[served]).any():
            continue  # this choice leaves someone with no facility in reach
        best = min(best, float((w[served] * d[served]).sum()))
    return best


def transport_cost(cost_open, capacity_open, w):
    """Cheapest split assignment of demand ``w`` to open facilities with capacities (an LP)."""
    n_f, n = cost_open.shape
    served = w > 0
    c = np.where(np.isfinite(cost_open), cost_open, 0.0)[:, served].ravel(order="F")
    bounds = [(0, 1 if np.isfinite(x) else 0) for x in cost_open[:, served].ravel(order="F")]
    k = served.sum()
    # variables x[f, i] in column-major order over (f, i): index = i * n_f + f
    a_eq = np.zeros((k, n_f * k))
    for i in range(k):
        a_eq[i, i * n_f:(i + 1) * n_f] = 1
    a_ub = np.zeros((n_f, n_f * k))
    for f in range(n_f):
        a_ub[f, f::n_f] = w[served]
    c = c * np.repeat(w[served], n_f)
    finite_cap = np.where(np.isfinite(capacity_open), capacity_open, 1e12)
    result = linprog(c, A_ub=a_ub, b_ub=finite_cap, A_eq=a_eq, b_eq=np.ones(k), bounds=bounds, method="highs")
    return result.fun if result.status == 0 else np.inf


def brute_capacitated(cost, w, existing_cost, capacity, existing_capacity, k, single_source):
    best = np.inf
    for subset in itertools.combinations(range(cost.shape[0]), k):
        rows = cost[list(subset)]
        caps = capacity[list(subset)]
        if existing_cost is not None:
            rows = np.vstack((rows, existing_cost))
            caps = np.concatenate((caps, existing_capacity))
        reachable = np.isfinite(cost).any(axis=0)
        if existing_cost is not None:
            reachable |= np.isfinite(existing_cost).any(axis=0)
        keep = (w > 0) & reachable
        if single_source:
            idx = np.flatnonzero(keep)
            for assignment in itertools.product(range(rows.shape[0]), repeat=idx.size):
                d = rows[list(assignment), idx]
                if np.isinf(d).any():
                    continue
                load = np.bincount(assignment, weights=w[idx], minlength=rows.shape[0])
                if (load <= caps + 1e-9).all():
                    best = min(best, float((w[idx] * d).sum()))
        else:
            best = min(best, transport_cost(rows[:, keep], caps, w[keep]))
    return best


# -------------------------------------------------------------- brute force
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("existing", [0, 2])
def test_maximal_covering_is_optimal(seed, existing):
    cost, w, ex = random_instance(seed, existing=existing)
    inst = SitingInstance.from_matrix(cost, w, ex)
    for k in (1, 2, 3):
        result = solve_mclp(inst, k, T)
        expected = brute_mclp(cost, w, ex, k, T)
        assert result.status == "optimal" and result.gap == pytest.approx(0, abs=1e-9)
        assert result.objective == pytest.approx(expected)
        assert len(result.chosen) == k
        # The chosen sites really cover that many people, existing coverage not counted twice.
        before = existing_nearest(ex, cost.shape[1]) <= T
        newly = (cost[result.chosen] <= T).any(axis=0) & ~before
        assert w[newly].sum() == pytest.approx(expected)
        assert result.covered_after == pytest.approx(w[before].sum() + expected)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("existing", [0, 2])
def test_set_covering_is_optimal_and_reports_who_cannot_be_covered(seed, existing):
    cost, w, ex = random_instance(seed, existing=existing, unreachable=0.5)
    result = solve_lscp(SitingInstance.from_matrix(cost, w, ex), T)
    assert result.status == "optimal"
    assert result.objective == brute_lscp(cost, w, ex, T) == len(result.chosen)
    before = existing_nearest(ex, cost.shape[1]) <= T
    coverable = (cost <= T).any(axis=0)
    need = (w > 0) & ~before
    assert set(result.uncoverable) == set(np.flatnonzero(need & ~coverable))
    assert result.uncoverable_population == pytest.approx(w[need & ~coverable].sum())
    if len(result.chosen):
        assert (cost[result.chosen] <= T).any(axis=0)[need & coverable].all()


def test_set_covering_with_a_demand_nobody_can_reach():
    cost = np.array([[100.0, np.inf, 900.0], [np.inf, 200.0, 800.0]])
    result = solve_lscp(SitingInstance.from_matrix(cost, [10, 20, 30]), T)
    assert result.objective == 2 and list(result.uncoverable) == [2] and result.uncoverable_population == 30


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("existing", [0, 2])
def test_p_median_is_optimal(seed, existing):
    cost, w, ex = random_instance(seed, existing=existing, unreachable=0.15)
    inst = SitingInstance.from_matrix(cost, w, ex)
    for k in (1, 2, 3):
        expected = brute_pmedian(cost, w, ex, k)
        if not np.isfinite(expected):
            with pytest.raises(InputError, match="infeasible"):
                solve_pmedian(inst, k)
            continue
        result = solve_pmedian(inst, k)
        assert result.status == "optimal" and result.objective == pytest.approx(expected, rel=1e-9)
        # The reported per-person walks add up to the objective.
        served = ~np.isnan(result.assigned_m)
        assert (w[served] * result.assigned_m[served]).sum() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("single_source", [False, True])
def test_capacitated_p_median_is_optimal_and_respects_capacity(seed, single_source):
    rng = np.random.default_rng(100 + seed)
    cost, w, ex = random_instance(100 + seed, m=5, n=6, existing=1, unreachable=0.1)
    capacity = rng.integers(40, 120, 5).astype(float)
    existing_capacity = np.array([30.0])
    inst = SitingInstance.from_matrix(cost, w, ex)
    k = 2
    expected = brute_capacitated(cost, w, ex, capacity, existing_capacity, k, single_source)
    if not np.isfinite(expected):
        with pytest.raises(InputError, match="infeasible"):
            solve_pmedian(inst, k, capacity, existing_capacity, single_source)
        return
    result = solve_pmedian(inst, k, capacity, existing_capacity, single_source)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, rel=1e-7)
    assert (result.load <= capacity[result.chosen] + 1e-6).all()


def test_capacity_binds_the_choice():
    # Two demand points of 100 people beside site 0 (capacity 100); site 1 is farther but big.
    cost = np.array([[10.0, 10.0], [500.0, 500.0], [20.0, 600.0]])
    inst = SitingInstance.from_matrix(cost, [100, 100])
    free = solve_pmedian(inst, 1)
    assert list(free.chosen) == [0] and free.objective == pytest.approx(2000)
    capped = solve_pmedian(inst, 1, capacity=[100, 250, 100])
    assert list(capped.chosen) == [1] and capped.objective == pytest.approx(100_000)
    assert capped.load == pytest.approx([200])
    # With two sites: site 0 fills up with point 1 (10 m) and site 2 takes point 0 (20 m).
    two = solve_pmedian(inst, 2, capacity=[100, 250, 100])
    assert list(two.chosen) == [0, 2] and two.objective == pytest.approx(100 * 10 + 100 * 20)
    assert two.load == pytest.approx([100, 100])


def test_existing_facilities_count_as_covering_and_as_nearest():
    cost = np.array([[100.0, 100.0, np.inf], [400.0, np.inf, 100.0]])
    existing = np.array([[np.inf, 50.0, np.inf]])
    inst = SitingInstance.from_matrix(cost, [10, 1000, 20], existing)
    # Site 0 would cover 1010 people without the existing facility, but 1000 are covered already.
    assert list(solve_mclp(inst, 1, T).chosen) == [1]
    pm = solve_pmedian(inst, 1)  # site 0 cannot reach point 2 at all
    assert list(pm.chosen) == [1] and pm.objective == pytest.approx(10 * 400 + 1000 * 50 + 20 * 100)
    assert pm.assigned_m[1] == 50.0  # served by the existing facility, not the new one


# -------------------------------------------------------------- on a network
def network_problem(seed, n_demand=25, n_cand=8, n_existing=2):
    graph = random_graph(seed, n_nodes=50)
    rng = np.random.default_rng(seed)
    lo_lon, lo_lat, hi_lon, hi_lat = graph.bounds

    def points(n):
        return snap_points(graph, lo_lon + rng.random(n) * (hi_lon - lo_lon) * 0.7,
                           lo_lat + rng.random(n) * (hi_lat - lo_lat))

    return graph, points(n_demand), points(n_cand), points(n_existing), rng.integers(1, 500, n_demand)


@pytest.mark.parametrize("seed", range(3))
def test_network_distances_match_the_oracle_and_models_are_optimal(seed):
    graph, demand, cands, existing, w = network_problem(seed)
    cost = oracle_distances(graph, demand, cands).T
    cost = np.where(np.isnan(cost), np.inf, cost)
    ex_cost = oracle_distances(graph, demand, existing).T
    ex_cost = np.where(np.isnan(ex_cost), np.inf, ex_cost)
    inst = build_instance(graph, demand, w, cands, existing)
    dense = inst.dense()
    assert np.array_equal(np.isinf(dense), np.isinf(cost))
    np.testing.assert_allclose(dense[np.isfinite(cost)], cost[np.isfinite(cost)], atol=1e-6)

    w = w.astype(float)
    mclp = maximal_covering(graph, demand, w, 2, T, cands, existing)
    assert mclp.objective == pytest.approx(brute_mclp(cost, w, ex_cost, 2, T))
    lscp = set_covering(graph, demand, w, T, cands, existing)
    assert lscp.objective == brute_lscp(cost, w, ex_cost, T)
    expected = brute_pmedian(cost, w, ex_cost, 2)
    pm = p_median(graph, demand, w, 2, cands, existing)
    assert pm.objective == pytest.approx(expected, rel=1e-9)


def test_every_network_node_can_be_a_candidate():
    graph, demand, _, existing, w = network_problem(5)
    result = maximal_covering(graph, demand, w, 3, T, candidates=None, existing=existing)
    nodes = candidate_nodes(graph)
    cost = distance_pairs(graph, nodes, demand, T).dense()
    ex = distance_pairs(graph, existing, demand, T).dense()
    # Brute force over all node triples is too slow; check the optimum against a fresh solve of the
    # same matrix, and that the chosen nodes really cover what is claimed.
    assert result.status == "optimal" and len(result.chosen) == 3
    before = ex.min(axis=0) <= T
    newly = (cost[result.chosen] <= T).any(axis=0) & ~before & demand.ok
    assert w[newly].sum() == pytest.approx(result.objective)
    assert result.objective == pytest.approx(solve_mclp(SitingInstance.from_matrix(cost, w, ex), 3, T).objective)


def test_demand_off_the_network_is_reported_not_covered():
    graph, demand, cands, _, w = network_problem(1, n_demand=5)
    far = snap_points(graph, [130.0], [31.2])  # nowhere near the network
    both = snap_points(graph, np.r_[demand.street_lon, 130.0], np.r_[demand.street_lat, 31.2])
    assert not far.ok[0]
    result = maximal_covering(graph, both, np.r_[w, 1000], 1, T, cands)
    assert list(result.off_network) == [5] and result.covered_after <= w.sum()


# -------------------------------------------------------------- bad input
def test_bad_input_is_refused_with_a_reason():
    cost, w, _ = random_instance(0)
    inst = SitingInstance.from_matrix(cost, w)
    with pytest.raises(InputError, match="k = 8 sites cannot be chosen from 7 candidate"):
        solve_mclp(inst, 8, T)
    with pytest.raises(InputError, match="whole number >= 1"):
        solve_pmedian(inst, 0)
    with pytest.raises(InputError, match="positive number of metres"):
        solve_mclp(inst, 2, -5)
    bad = w.copy()
    bad[3] = -4
    with pytest.raises(InputError, match=r"population must be a finite number >= 0; 1 demand point\(s\) are not: #3 \(-4\)"):
        SitingInstance.from_matrix(cost, bad)
    with pytest.raises(InputError, match="got 3 population weights for 10 demand points"):
        SitingInstance.from_matrix(cost, [1, 2, 3])
    with pytest.raises(InputError, match="time_limit_s must be > 0"):
        solve_lscp(inst, T, time_limit_s=0)
    graph, demand, _, _, pop = network_problem(2)
    with pytest.raises(InputError, match="no candidate sites were given"):
        maximal_covering(graph, demand, pop, 1, T, candidates=snap_points(graph, [], []))
    with pytest.raises(InputError, match="none of the 1 candidate sites is within 300 m"):
        maximal_covering(graph, demand, pop, 1, T, candidates=snap_points(graph, [130.0], [31.2]))
    with pytest.raises(InputError, match="population must be a finite number"):
        p_median(graph, demand, np.r_[pop[:-1], np.nan], 1)


def test_infeasible_capacities_are_refused_before_solving():
    inst = SitingInstance.from_matrix(np.array([[10.0, 10.0], [20.0, 20.0]]), [100, 100])
    with pytest.raises(InputError, match="200 people must be served, but .* hold only 150 places"):
        solve_pmedian(inst, 1, capacity=[150, 120])
    # Enough places in total, but no site can reach both points: the solver proves it.
    far = SitingInstance.from_matrix(np.array([[10.0, np.inf], [np.inf, 10.0]]), [100, 100])
    with pytest.raises(InputError, match="infeasible: no choice of 1 sites can serve every demand point"):
        solve_pmedian(far, 1, capacity=[500, 500])


def test_inputs_are_left_unchanged():
    cost, w, ex = random_instance(3, existing=1)
    cost0, w0 = cost.copy(), w.copy()
    inst = SitingInstance.from_matrix(cost, w, ex)
    solve_pmedian(inst, 2, capacity=np.full(7, 400.0))
    assert np.array_equal(cost, cost0) and np.array_equal(w, w0)


def test_a_time_limit_stops_the_solver_and_says_so():
    rng = np.random.default_rng(7)
    cost = rng.uniform(0, 2000, (120, 400))
    inst = SitingInstance.from_matrix(cost, rng.integers(1, 100, 400))
    result = solve_pmedian(inst, 12, time_limit_s=0.001)
    assert result.status == "time_limit"
    assert result.gap is None or result.gap >= 0
    assert result.to_dict()["status"] == "time_limit"
