"""The round solver on a hand-made matrix: windows, skills and shifts respected, reasons given."""
import numpy as np

from lifecircle.homecare import rounds as solver

HOUR = 3600


def line_matrix(n, step_m=600.0):
    """Places on a line ``step_m`` apart (place 0 is the provider)."""
    x = np.arange(n) * step_m
    return solver.Matrix(np.abs(x[:, None] - x[None, :]), np.ones(n, bool), np.zeros(n))


def test_time_windows_order_the_round_even_against_distance():
    matrix = line_matrix(3)
    stops = [solver.Stop("far-early", 2, (7 * HOUR, 7 * HOUR + 900), 600),
             solver.Stop("near-late", 1, (11 * HOUR, 12 * HOUR), 300)]
    solution = solver.solve(matrix, stops, [solver.Carer("a", (6 * HOUR, 14 * HOUR))])
    [found] = solution.rounds
    assert [s.key for s in found.stops] == ["far-early", "near-late"]
    for stop, original in zip(found.stops, stops):
        assert original.window[0] <= stop.start_s <= original.window[1]
    assert found.walk_m == 2400.0  # 1200 out, 600 back to place 1, 600 home: network metres, not guesses


def test_skills_decide_who_goes():
    matrix = line_matrix(3)
    stops = [solver.Stop("insulin", 1, (7 * HOUR, 8 * HOUR), 900, frozenset({"nursing"})),
             solver.Stop("lunch", 2, (11 * HOUR, 12 * HOUR), 300)]
    carers = [solver.Carer("aide", (6 * HOUR, 14 * HOUR)), solver.Carer("nurse", (6 * HOUR, 14 * HOUR),
                                                                          frozenset({"nursing"}))]
    solution = solver.solve(matrix, stops, carers)
    who = {s.key: r.carer for r in solution.rounds for s in r.stops}
    assert who["insulin"] == "nurse"


def test_impossible_stops_come_back_with_their_reason():
    matrix = line_matrix(4)
    matrix.on_network[3] = False
    stops = [solver.Stop("skill", 1, (8 * HOUR, 9 * HOUR), 600, frozenset({"rehabilitation"})),
             solver.Stop("night", 1, (22 * HOUR, 23 * HOUR), 600),
             solver.Stop("off", 3, (8 * HOUR, 9 * HOUR), 600),
             solver.Stop("too-soon", 2, (6 * HOUR, 6 * HOUR + 60), 600)]
    carer = solver.Carer("a", (6 * HOUR, 14 * HOUR))
    solution = solver.solve(matrix, stops, [carer])
    assert solution.unassigned == {"skill": solver.NO_SKILL, "night": solver.OUTSIDE_SHIFTS,
                                   "off": solver.OFF_NETWORK, "too-soon": solver.UNREACHABLE}
    assert solution.rounds == []


def test_a_full_shift_leaves_the_rest_with_no_time():
    matrix = line_matrix(3)
    stops = [solver.Stop(i, 1 + i % 2, (8 * HOUR, 9 * HOUR), 45 * 60) for i in range(3)]
    solution = solver.solve(matrix, stops, [solver.Carer("a", (8 * HOUR, 10 * HOUR))])
    assert sum(len(r.stops) for r in solution.rounds) == 2
    assert list(solution.unassigned.values()) == [solver.NO_TIME]


def test_ebike_is_faster_than_walking():
    matrix = line_matrix(2, 2400.0)
    stop = [solver.Stop("x", 1, (8 * HOUR, 12 * HOUR), 600)]
    walk = solver.solve(matrix, stop, [solver.Carer("w", (8 * HOUR, 12 * HOUR))]).walk_s
    bike = solver.solve(matrix, stop, [solver.Carer("b", (8 * HOUR, 12 * HOUR), profile="ebike")]).walk_s
    assert walk == 4000 and bike == 1200


def test_the_search_bound_is_twice_the_longest_straight_line_plus_a_kilometre():
    from lifecircle.geo.distance import METRES_PER_DEGREE

    lat = [31.0, 31.0 + 1000 / METRES_PER_DEGREE]
    assert abs(solver.reach_m([121.0, 121.0], lat) - 3000.0) < 1e-6


def test_a_carer_sets_off_from_where_they_are():
    matrix = line_matrix(4)
    stop = [solver.Stop("x", 2, (8 * HOUR, 12 * HOUR), 600)]
    there = solver.solve(matrix, stop, [solver.Carer("a", (9 * HOUR, 14 * HOUR), start_place=3)])
    [found] = there.rounds
    assert found.walk_m == 600 + 1200  # from place 3 to place 2, then back to the provider
    assert found.start_s == 9 * HOUR and found.stops[0].arrival_s == 9 * HOUR + 500
    home = solver.solve(matrix, stop, [solver.Carer("a", (9 * HOUR, 14 * HOUR))])
    assert home.rounds[0].walk_m == 2400


def test_a_carer_too_far_to_be_back_by_the_end_of_the_shift_is_not_sent():
    matrix = line_matrix(4, 1200.0)  # place 3 is 3.6 km, 50 minutes' walk, from the provider
    stop = [solver.Stop("x", 3, (9 * HOUR, 12 * HOUR), 600)]
    carer = solver.Carer("a", (9 * HOUR, 9 * HOUR + 55 * 60), start_place=3)  # at the door, due back at 9:55
    assert solver.solve(matrix, stop, [carer]).unassigned == {"x": solver.UNREACHABLE}
