"""DBSCAN: clusters grown from core points, wave by wave; what no cluster reaches is noise.

A point is a core point when at least ``min_samples`` points (itself included) lie within
``eps`` of it (Euclidean, in the fitting space). Two core points within ``eps`` of each
other are in the same cluster; a point that is not core joins a cluster when it lies
within ``eps`` of one of the cluster's core points (a border point), and is noise when it
lies near no core point. Clusters are numbered as scikit-learn's ``DBSCAN`` numbers them,
in the order of their lowest-index core point, and a border point near core points of
several clusters joins the lowest-numbered one, as scikit-learn's scan in index order
gives it: the final labels are scikit-learn's.

Nothing here loops over points. The neighbours come from :mod:`.neighbours`; the clusters
are the connected components of the graph of core points, found by hooking each vertex's
root to the smallest label among its neighbours and halving paths until nothing changes
(a few dozen rounds of whole-array operations); the waves are a breadth-first search from
every cluster's lowest-index core point at once, one array operation per hop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clusteranim.algorithms.neighbours import Neighbourhoods, radius_neighbours, ranges
from clusteranim.arrays import BoolArray, FloatArray, IntArray

#: Wave of the points no cluster reaches (noise).
UNREACHED = -1


@dataclass(frozen=True, eq=False)
class Expansion:
    """The result of DBSCAN and how it was reached.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        Final cluster of each point, numbered as scikit-learn numbers them; -1 for noise.
    core : ndarray of shape (n,)
        Whether each point is a core point.
    waves : ndarray of shape (n,)
        The wave in which each point joins its cluster: 0 for the cluster's lowest-index
        core point (its seed), h for a core point h hops from the seed along core points
        within ``eps`` of each other, and one more than its nearest core point of the
        cluster for a border point; -1 for noise.
    """

    labels: IntArray
    core: BoolArray
    waves: IntArray

    @property
    def n_clusters(self) -> int:
        """Number of clusters found."""
        return int(self.labels.max(initial=-1)) + 1


def expand(X: FloatArray, eps: float, min_samples: int) -> Expansion:
    """DBSCAN on ``X``, with the wave in which each point joins its cluster.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    eps : float
        Radius of a neighbourhood, greater than 0.
    min_samples : int
        Points a neighbourhood must hold (its centre included) for its centre to be core.
    """
    n_samples = X.shape[0]
    neighbourhoods = radius_neighbours(X, eps)
    counts = neighbourhoods.counts
    core = counts >= min_samples
    core_graph = neighbourhoods.subset(core[neighbourhoods.indices] & np.repeat(core, counts))
    roots = components(core_graph)
    seeds = np.flatnonzero(core & (roots == np.arange(n_samples)))
    labels = np.full(n_samples, -1, dtype=np.intp)
    labels[core] = np.searchsorted(seeds, roots[core])
    waves = hops(core_graph, seeds)

    # Border points: the lowest-numbered cluster among their core neighbours, reached one
    # wave after the first of that cluster's core points near them.
    others = np.flatnonzero(~core)
    entries = ranges(neighbourhoods.indptr[others], counts[others])
    rows = np.repeat(others, counts[others])
    columns = neighbourhoods.indices[entries]
    near_core = core[columns]
    rows, columns = rows[near_core], columns[near_core]
    border = np.unique(rows)
    lowest = np.full(n_samples, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(lowest, rows, labels[columns])
    labels[border] = lowest[border]
    own = labels[columns] == labels[rows]
    np.minimum.at(lowest, rows[own], waves[columns[own]] + 1)
    waves[border] = lowest[border]
    return Expansion(labels, core, waves)


def components(graph: Neighbourhoods) -> IntArray:
    """The lowest index in the connected component of every point of ``graph``, whose
    rows hold each point itself or nothing.

    First every point takes the lowest index among its neighbours as its parent; then,
    round by round, the edges are carried to the roots of their ends (dropping those
    within one tree) and every root with an edge to a lower root is hooked to the lowest
    such, until no edge is left. Parents only ever point lower, so each tree's root is the
    lowest index in it; after each round the trees are flattened by pointer jumping.
    """
    n_samples = graph.indptr.size - 1
    parent = np.arange(n_samples, dtype=np.intp)
    linked = np.flatnonzero(graph.counts)
    if linked.size:
        parent[linked] = np.minimum.reduceat(graph.indices, graph.indptr[linked])
    flatten(parent)
    ends = parent[graph.indices], np.repeat(parent, graph.counts)
    while True:
        between = ends[0] != ends[1]
        if not between.any():
            return parent
        first, second = ends[0][between], ends[1][between]
        np.minimum.at(parent, np.maximum(first, second), np.minimum(first, second))
        flatten(parent)
        ends = parent[first], parent[second]


def flatten(parent: IntArray) -> None:
    """Point every entry of ``parent`` at its tree's root, in place, by pointer jumping."""
    while True:
        grandparent = parent[parent]
        if np.array_equal(grandparent, parent):
            return
        parent[:] = grandparent


def hops(graph: Neighbourhoods, seeds: IntArray) -> IntArray:
    """Number of edges of ``graph`` from the nearest of ``seeds`` to each point (-1 when
    none reaches it): a breadth-first search from every seed at once, one hop at a time."""
    distance = np.full(graph.indptr.size - 1, UNREACHED, dtype=np.intp)
    distance[seeds] = 0
    frontier = seeds
    marks = np.empty_like(distance)
    hop = 0
    while frontier.size:
        hop += 1
        starts = graph.indptr[frontier]
        reached = graph.indices[ranges(starts, graph.indptr[frontier + 1] - starts)]
        reached = reached[distance[reached] == UNREACHED]
        distance[reached] = hop
        # Each new point once: the last of its copies marks it, and only that copy stays.
        marks[reached] = np.arange(reached.size)
        frontier = reached[marks[reached] == np.arange(reached.size)]
    return distance
