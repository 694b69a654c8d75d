"""Walking distances between two sets of points, as sparse (source, target, metres) pairs.

What the siting models need: the distance from every candidate site to every
demand point within a walking bound (the coverage threshold, or a planning
horizon for p-median). It is computed with the engine's own machinery -- the
tiled, bounded, multi-source Dijkstra of
:func:`lifecircle.geo.accessibility.facilities_within`, with the same exact
legs (off-street, along the edge, same-edge shortcuts) -- so a distance here
is the distance everywhere else in the engine.

Only pairs within the bound are returned, which keeps a "every node of the
network is a candidate" problem small: a 300 m threshold pairs each demand
point with the few hundred nodes around it, not with the whole city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .accessibility import Facilities, FacilityTiles
from .graph import WalkGraph
from .snapping import SnapResult


@dataclass(eq=False)
class DistancePairs:
    """Walking metres for the (source, target) pairs within ``max_distance_m``.

    ``source``, ``target`` and ``metres`` are parallel arrays; pairs not
    listed are farther than the bound or not connected. Sources and targets
    that could not be snapped to the network appear in no pair.
    """

    n_sources: int
    n_targets: int
    source: np.ndarray
    target: np.ndarray
    metres: np.ndarray
    max_distance_m: float

    def dense(self) -> np.ndarray:
        """``(n_sources, n_targets)`` metres, ``inf`` for pairs not listed."""
        out = np.full((self.n_sources, self.n_targets), np.inf)
        out[self.source, self.target] = self.metres
        return out


def network_diameter_bound(graph: WalkGraph) -> float:
    """A distance no shortest walk on ``graph`` can exceed: the total street length."""
    return float(graph.edge_length.astype(np.float64).sum())


def distance_pairs(graph: WalkGraph, sources: SnapResult, targets: SnapResult,
                   max_distance_m: float | None = None) -> DistancePairs:
    """Exact walking metres from each source to each target, for pairs within ``max_distance_m``.

    ``max_distance_m=None`` means no bound (every connected pair); that
    searches the whole graph from every source, which is fine for a
    sub-district and costly for a city.
    """
    n_src, n_tgt = len(sources), len(targets)
    if max_distance_m is None:
        legs = np.concatenate((sources.offset_m[sources.ok], targets.offset_m[targets.ok], [0.0]))
        edges = np.concatenate((sources.dist_u[sources.ok], sources.dist_v[sources.ok], [0.0]))
        limit = network_diameter_bound(graph) + 2 * float(legs.max()) + 2 * float(edges.max()) + 1.0
    else:
        limit = float(max_distance_m)
        if not np.isfinite(limit) or limit <= 0:
            raise ValueError(f"max_distance_m must be a positive number of metres, got {max_distance_m!r}")
    empty = DistancePairs(n_src, n_tgt, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                          limit if max_distance_m is not None else np.inf)
    src_ok = np.flatnonzero(sources.ok)
    if src_ok.size == 0 or not targets.ok.any() or graph.n_edges == 0:
        return empty
    fac = Facilities.prepare(sources, np.zeros(n_src, dtype=np.int64))
    tiles = FacilityTiles(graph, targets, fac, limit, group_m=3.0 * limit, cell_m=max(limit / 2.0, 50.0))
    parts_s, parts_t, parts_d = [], [], []
    for members in tiles.facility_groups():
        org, dist = tiles.distances(members)
        fi, oi = np.nonzero(dist <= limit)
        parts_s.append(src_ok[members[fi]])
        parts_t.append(org[oi])
        parts_d.append(dist[fi, oi])
    if not parts_s:
        return empty
    return DistancePairs(n_src, n_tgt, np.concatenate(parts_s).astype(np.int64),
                         np.concatenate(parts_t).astype(np.int64), np.concatenate(parts_d),
                         empty.max_distance_m)
