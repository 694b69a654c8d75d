"""An independent, slow reference for walking distances, built on networkx.

Instead of the engine's virtual sources and end-node arithmetic, the oracle
*subdivides* every edge at the points attached to it, hangs each point off
its attachment by its off-street leg, and runs networkx's Dijkstra on the
result. Agreement between the two is strong evidence both are right.
"""

import networkx as nx
import numpy as np

from lifecircle.geo.distance import haversine_m


def random_graph(seed: int, n_nodes: int = 60, extent_deg: float = 0.01):
    """A random street-like WalkGraph: near-neighbour links with bent shapes,
    plus a parallel edge, a self-loop and a detached island."""
    from lifecircle.geo import WalkGraph

    rng = np.random.default_rng(seed)
    lon = 121.44 + rng.uniform(0, extent_deg, n_nodes)
    lat = 31.22 + rng.uniform(0, extent_deg, n_nodes)
    refs, plon, plat, offsets = [], [], [], [0]
    next_shape_id = 10_000

    def add_line(points):
        nonlocal next_shape_id
        for ref, x, y in points:
            if ref is None:
                ref, next_shape_id = next_shape_id, next_shape_id + 1
            refs.append(ref)
            plon.append(x)
            plat.append(y)
        offsets.append(len(refs))

    for i in range(n_nodes):
        d = haversine_m(lon[i], lat[i], lon, lat)
        for j in np.argsort(d)[1:4]:
            if j < i and rng.random() < 0.3:
                continue
            bends = [(None, lon[i] + (lon[j] - lon[i]) * t + rng.normal(0, 1e-4),
                      lat[i] + (lat[j] - lat[i]) * t + rng.normal(0, 1e-4))
                     for t in sorted(rng.uniform(0, 1, rng.integers(0, 3)))]
            add_line([(i, lon[i], lat[i]), *bends, (j, lon[j], lat[j])])
    # A parallel, longer way between nodes 0 and 1; a loop at node 2; an island.
    add_line([(0, lon[0], lat[0]), (None, lon[0] + 0.002, lat[0] + 0.002), (1, lon[1], lat[1])])
    add_line([(2, lon[2], lat[2]), (None, lon[2] + 5e-4, lat[2]), (None, lon[2], lat[2] + 5e-4), (2, lon[2], lat[2])])
    add_line([(900, 121.44 + extent_deg * 1.5, 31.22), (901, 121.44 + extent_deg * 1.5, 31.2205)])
    return WalkGraph.from_polylines(offsets, refs, plon, plat)


def subdivided_graph(graph, snaps):
    """networkx graph with every snapped point as node ``("p", k, i)`` (set k, point i)."""
    g = nx.Graph()
    on_edge = {}
    for k, snap in enumerate(snaps):
        for i in np.flatnonzero(snap.ok):
            on_edge.setdefault(int(snap.edge[i]), []).append((float(snap.dist_u[i]), ("a", k, int(i))))
            g.add_edge(("p", k, int(i)), ("a", k, int(i)), weight=float(snap.offset_m[i]))
    for e in range(graph.n_edges):
        u, v = ("n", int(graph.edge_u[e])), ("n", int(graph.edge_v[e]))
        length = float(graph.edge_cost[e])  # the length, or a walking profile's cost
        if not np.isfinite(length):
            continue  # the profile cannot pass here
        chain = [(0.0, u)] + sorted(on_edge.get(e, [])) + [(length, v)]
        for (d0, x), (d1, y) in zip(chain[:-1], chain[1:]):
            if x == y:
                continue
            w = max(d1 - d0, 0.0)
            if not g.has_edge(x, y) or g[x][y]["weight"] > w:
                g.add_edge(x, y, weight=w)
    return g


def oracle_distances(graph, origins, facilities):
    """``(n_origins, n_facilities)`` walking metres (inf if unreachable, nan if unsnapped)."""
    g = subdivided_graph(graph, [origins, facilities])
    out = np.full((len(origins), len(facilities)), np.inf)
    out[~origins.ok] = np.nan
    out[:, ~facilities.ok] = np.nan
    for j in np.flatnonzero(facilities.ok):
        lengths = nx.single_source_dijkstra_path_length(g, ("p", 1, int(j)), weight="weight")
        for i in np.flatnonzero(origins.ok):
            out[i, j] = lengths.get(("p", 0, int(i)), np.inf)
    return out
