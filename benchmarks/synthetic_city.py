"""A generated city-scale street network and facility set for benchmarks.

The network is a jittered street grid at Shanghai's latitude with a share
of its blocks merged (links removed), so it has dead ends, uneven blocks and
varied edge lengths rather than a perfect lattice. Facilities sit exactly on
nodes so that tools which attach points to nodes (pandana, cityseer) and
lifecircle (which attaches to edges) answer the same question.
"""

from __future__ import annotations

import numpy as np

from lifecircle.geo import WalkGraph
from lifecircle.geo.graph import BARRIER_NODE, BARRIER_NONE, BARRIER_WAY, EdgeProfile
from lifecircle.geo.distance import METRES_PER_DEGREE

LON0, LAT0 = 121.30, 31.10  # south-west corner, in the Shanghai area


def grid_city(side: int, spacing_m: float = 80.0, drop_share: float = 0.12, seed: int = 0) -> WalkGraph:
    """A ``side`` x ``side`` jittered grid (about ``side**2`` nodes), largest component only."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    x = np.arange(side)[None, :] * spacing_m + rng.normal(0, spacing_m * 0.15, (side, side))
    y = np.arange(side)[:, None] * spacing_m + rng.normal(0, spacing_m * 0.15, (side, side))
    lat = LAT0 + y.ravel() / METRES_PER_DEGREE
    lon = LON0 + x.ravel() / (METRES_PER_DEGREE * np.cos(np.radians(LAT0)))
    u = np.concatenate((ids[:, :-1].ravel(), ids[:-1, :].ravel()))
    v = np.concatenate((ids[:, 1:].ravel(), ids[1:, :].ravel()))
    keep = rng.random(u.size) >= drop_share
    u, v = u[keep], v[keep]
    refs = np.column_stack((u, v)).ravel()
    offsets = np.arange(0, refs.size + 1, 2)
    graph = WalkGraph.from_polylines(offsets, refs, lon[refs], lat[refs], way_ids=np.arange(u.size),
                                     highway_index=np.zeros(u.size, np.int16), highways=["residential"])
    return graph.largest_component()


def facilities_on_nodes(graph: WalkGraph, n: int, n_categories: int = 10, seed: int = 1):
    """``n`` facilities at random distinct nodes: (node ids, category labels, capacities)."""
    rng = np.random.default_rng(seed)
    nodes = rng.choice(graph.n_nodes, size=n, replace=False)
    labels = np.array([f"cat{c:02d}" for c in range(n_categories)])[rng.integers(0, n_categories, n)]
    capacity = rng.integers(1, 100, n).astype(np.float64)
    return nodes, labels, capacity


def with_barriers(graph: WalkGraph, steps_share: float = 0.02, kerb_share: float = 0.04,
                  rough_share: float = 0.05, seed: int = 2) -> WalkGraph:
    """``graph`` with a generated ``barrier-free`` walking profile.

    A ``steps_share`` of edges become unramped steps and a ``kerb_share``
    get a raised kerb at one end (both impassable, as in the shipped profile
    table); a ``rough_share`` get a rough surface (1.5 times as long).
    """
    rng = np.random.default_rng(seed)
    draw = rng.random(graph.n_edges)
    steps = draw < steps_share
    kerb = (draw >= steps_share) & (draw < steps_share + kerb_share)
    rough = (draw >= steps_share + kerb_share) & (draw < steps_share + kerb_share + rough_share)
    cost = graph.edge_length.astype(np.float64) * np.where(rough, 1.5, 1.0)
    cost[steps | kerb] = np.inf
    kind = np.where(steps, BARRIER_WAY, np.where(kerb, BARRIER_NODE, BARRIER_NONE))
    barrier_id = np.where(kerb, graph.node_osmid[graph.edge_u], 0)
    graph.profile_costs = {**graph.profile_costs, "barrier-free": EdgeProfile(cost, kind, barrier_id)}
    return graph
