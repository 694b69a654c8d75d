"""Who a walking profile leaves out, and which barrier to fix first.

:func:`profile_losses` compares a profile (``barrier-free``, say) with the
standard walk: per origin and category, whether the nearest facility is
within the category's threshold on the standard network but not on the
profile's. :func:`rank_barrier_fixes` then names the barriers responsible --
the steps way or the kerb node that makes an edge impassable -- and ranks
them by how much coverage ramping each one alone would give back.

How the ranking stays cheap: a barrier can only matter if some lost origin
could walk through it to a facility within the threshold on the standard
network, which two Dijkstra searches per category decide for every barrier
at once (origin side and facility side, meeting across the barrier's
edge). Only those candidates, closest first and at most
``max_candidates``, are tried exactly: the barrier's edges are given their
plain length and the lost origins' nearest facilities are searched again.
Each barrier is judged alone; fixing two may give back more than the sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .accessibility import nearest_facilities
from .graph import BARRIER_NODE, BARRIER_WAY, EdgeProfile, WalkGraph
from .snapping import SnapResult, snap_nodes, snap_points


@dataclass
class ProfileLosses:
    """Standard against profile nearest distances, per origin and category.

    ``standard_m`` and ``profile_m`` are ``(n_origins, n_categories)``
    metres (``inf`` none reachable, ``nan`` not placed on the network);
    ``lost`` marks pairs covered (within ``thresholds_m``) on the standard
    network but not with the profile.
    """

    categories: list[str]
    thresholds_m: np.ndarray
    standard_m: np.ndarray
    profile_m: np.ndarray
    origins: SnapResult
    facilities: SnapResult
    origin_lonlat: tuple = ()
    facility_lonlat: tuple = ()
    facility_labels: np.ndarray | None = None

    @property
    def lost(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (self.standard_m <= self.thresholds_m) & ~(self.profile_m <= self.thresholds_m)


@dataclass
class BarrierFix:
    """One barrier and the coverage that ramping it alone would give back.

    ``kind`` is ``"way"`` (the way itself: unramped steps, a gravel path) or
    ``"node"`` (a raised kerb, a ``wheelchair=no`` gate); ``osm_id`` its
    OSM id; ``lon``/``lat`` a point on it; ``highway`` the ``highway`` value
    of its (first) edge; ``regained`` the ``(origin, category)`` pairs that
    would be covered again; ``score`` their total ``weight``.
    """

    kind: str
    osm_id: int
    lon: float
    lat: float
    highway: str
    edges: np.ndarray
    regained: list[tuple[int, int]] = field(default_factory=list)
    score: float = 0.0


def profile_losses(graph: WalkGraph, profile: str, origin_lon, origin_lat, facility_lon, facility_lat,
                   categories, thresholds_m) -> ProfileLosses:
    """Nearest facility per origin and category on the standard network and with ``profile``.

    ``thresholds_m`` maps each category label to its threshold in metres;
    categories without one are left out. Origins and facilities are placed
    on the streets each way of walking can use (a profile's impassable
    edges take no one).
    """
    labels = np.asarray(categories).astype(str)
    names = sorted(set(labels) & set(thresholds_m))
    keep = np.isin(labels, names)
    base = graph.for_profile("standard")
    walked = graph.for_profile(profile)
    f_lon, f_lat = np.asarray(facility_lon, float)[keep], np.asarray(facility_lat, float)[keep]
    out = []
    for g in (base, walked):
        origins = snap_points(g, origin_lon, origin_lat)
        places = snap_points(g, f_lon, f_lat)
        # Columns in sorted label order: ``names``.
        nearest = (nearest_facilities(g, origins, places, labels[keep]) if names
                   else np.full((len(origins), 0), np.inf))
        out.append((origins, places, nearest))
    thresholds = np.array([float(thresholds_m[n]) for n in names])
    origin_lonlat = (np.atleast_1d(np.asarray(origin_lon, float)), np.atleast_1d(np.asarray(origin_lat, float)))
    return ProfileLosses(names, thresholds, out[0][2], out[1][2], out[1][0], out[1][1], origin_lonlat,
                         (f_lon, f_lat), labels[keep])


def rank_barrier_fixes(graph: WalkGraph, profile: str, losses: ProfileLosses, weight=None,
                       max_candidates: int = 40, top: int = 20) -> list[BarrierFix]:
    """The barriers of ``profile`` whose ramping alone gives back the most lost coverage, best first.

    Parameters
    ----------
    graph
        The network (any profile's view of it).
    profile
        The profile whose barriers are ranked.
    losses
        From :func:`profile_losses` on the same graph and profile.
    weight
        Per origin, what a regained pair is worth (residents aged 60+ and
        0-3, say); default 1.
    max_candidates
        How many barriers to try exactly (the closest to lost origins first).
    top
        How many to return; barriers that give back nothing are left out.
    """
    base = graph.for_profile("standard")
    walked = graph.for_profile(profile)
    lost = losses.lost
    if not lost.any():
        return []
    n_origins = lost.shape[0]
    weight = np.ones(n_origins) if weight is None else np.asarray(weight, dtype=np.float64)
    barrier_edges = np.flatnonzero(np.isin(walked.profile_costs[profile].barrier_kind, (BARRIER_WAY, BARRIER_NODE)))
    if barrier_edges.size == 0:
        return []
    labels = losses.facility_labels
    nodes = snap_nodes(base)
    slack = np.full(barrier_edges.size, -np.inf)
    for c in np.flatnonzero(lost.any(axis=0)):
        name = losses.categories[c]
        who = np.flatnonzero(lost[:, c])
        to_facility = _node_distances(base, nodes, _snap_standard(base, losses.facilities, labels == name))
        to_origin = _node_distances(base, nodes, _snap_standard(base, losses.origins, np.isin(np.arange(n_origins), who)))
        u, v = base.edge_u[barrier_edges], base.edge_v[barrier_edges]
        length = base.edge_length[barrier_edges].astype(np.float64)
        through = np.minimum(to_origin[u] + length + to_facility[v], to_origin[v] + length + to_facility[u])
        slack = np.maximum(slack, losses.thresholds_m[c] - through)
    useful = slack >= 0
    barrier_edges, slack = barrier_edges[useful], slack[useful]
    fixes = _group(walked, profile, barrier_edges, slack)[:max_candidates]

    cost = walked.profile_costs[profile]
    lost_origins = np.flatnonzero(lost.any(axis=1))
    origin_lon, origin_lat = (a[lost_origins] for a in losses.origin_lonlat)
    for fix in fixes:
        fixed = cost.cost.copy()
        fixed[fix.edges] = base.edge_length[fix.edges]
        trial = replace(base, profile_costs={"trial": EdgeProfile(fixed, cost.barrier_kind, cost.barrier_id)})
        trial = trial.for_profile("trial")
        # Placed again: a home whose nearest street was the barrier itself now joins it.
        origins = snap_points(trial, origin_lon, origin_lat)
        places = snap_points(trial, *losses.facility_lonlat)
        within = nearest_facilities(trial, origins, places, labels) <= losses.thresholds_m
        for row, o in enumerate(lost_origins):
            for c in np.flatnonzero(lost[o]):
                if within[row, c]:
                    fix.regained.append((int(o), int(c)))
                    fix.score += float(weight[o])
    fixes = [f for f in fixes if f.regained]
    fixes.sort(key=lambda f: (-f.score, -len(f.regained), f.kind, f.osm_id))
    return fixes[:top]


def _snap_standard(base, snap: SnapResult, rows) -> SnapResult:
    """Some snapped points of the profile, their legs in plain metres (for standard-network searches)."""
    picked = snap.take(np.flatnonzero(np.asarray(rows) & snap.ok))
    scale = base.edge_length[picked.edge].astype(np.float64)
    total = picked.dist_u + picked.dist_v
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, picked.dist_u / total, 0.0)
    return replace(picked, dist_u=share * scale, dist_v=(1 - share) * scale)


def _node_distances(base, nodes, points: SnapResult) -> np.ndarray:
    """Standard walking metres from every node to the nearest of ``points``."""
    if len(points) == 0:
        return np.full(base.n_nodes, np.inf)
    return nearest_facilities(base, nodes, points, np.zeros(len(points), dtype=int))[:, 0]


def _group(walked, profile, edges, slack) -> list[BarrierFix]:
    """One :class:`BarrierFix` per OSM object, the closest to a lost walk first."""
    costs = walked.profile_costs[profile]
    kind = costs.barrier_kind[edges]
    osm_id = np.where(kind == BARRIER_WAY, walked.edge_way[edges], costs.barrier_id[edges])
    fixes = {}
    for e, k, i, s in sorted(zip(edges.tolist(), kind.tolist(), osm_id.tolist(), slack.tolist()), key=lambda t: -t[3]):
        key = ("way" if k == BARRIER_WAY else "node", i)
        if key not in fixes:
            if k == BARRIER_NODE:
                at = np.flatnonzero(walked.node_osmid == i)
                lon, lat = ((walked.node_lon[at[0]], walked.node_lat[at[0]]) if at.size
                            else _middle(walked, e))
            else:
                lon, lat = _middle(walked, e)
            fixes[key] = BarrierFix(key[0], int(i), float(lon), float(lat), walked.edge_highway_str(e), np.zeros(0, int))
        fixes[key].edges = np.append(fixes[key].edges, e)
    # Every edge of the object, not only those near a lost walk, is fixed by ramping it.
    for (k, i), fix in fixes.items():
        same = (walked.edge_way == i) if k == "way" else (costs.barrier_id == i)
        fix.edges = np.flatnonzero(same & np.isin(costs.barrier_kind, (BARRIER_WAY if k == "way" else BARRIER_NODE,)))
    return list(fixes.values())


def _middle(graph, edge):
    coords = graph.edge_coords(edge)
    return coords[len(coords) // 2]
