"""Bounded walks on the cells within reach: the same distances however much of the graph is cut."""

import numpy as np

from lifecircle.geo.snapping import snap_points
from lifecircle.geo.subgraph import LocalSearch

START = (24.944, 60.170)


def test_a_walk_over_most_of_the_graph_walks_the_whole_graph_with_the_same_distances(helsinki_graph):
    """Cells holding more than half the nodes are walked as the whole graph (nodes in their own
    order), and every node within the limit gets the distance that the cut around it gives."""
    search = LocalSearch(helsinki_graph, cell_m=100.0)
    snap = snap_points(helsinki_graph, [START[0]], [START[1]])
    legs = ([snap.offset_m[0] + snap.dist_u[0]], [snap.offset_m[0] + snap.dist_v[0]])
    cells = search.grid.cells_within(snap.street_lon[0], snap.street_lat[0], 250.0)
    nodes, dist, (located,) = search.search(cells, snap.u, snap.v, *legs, 250.0, locate=(snap.u,))
    assert 2 * nodes.size < helsinki_graph.n_nodes  # cut out
    every = np.arange(search.grid.n_cells)
    whole, whole_dist, (whole_located,) = search.search(every, snap.u, snap.v, *legs, 250.0, locate=(snap.u,))
    assert np.array_equal(whole, np.arange(helsinki_graph.n_nodes))
    expected = np.full(helsinki_graph.n_nodes + 1, np.inf)
    expected[nodes] = dist[0, :nodes.size]
    assert np.isfinite(expected).sum() > 50 and np.array_equal(whole_dist[0], expected)
    assert whole_located[0] == snap.u[0] and dist[0, located[0]] == whole_dist[0, whole_located[0]]
