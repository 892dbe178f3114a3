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
are the connected components of the graph of core points, found by hooking every root to
the lowest root it has an edge to and pointer jumping, round by round (a few rounds of
whole-array operations); the waves are a breadth-first search from every cluster's
lowest-index core point at once, one pass of array operations per hop.

The trace starts with no point in a cluster (the core points already known), and each
state after it is one wave: every cluster reaches at once the points within ``eps`` of its
newest core points. When there are more waves than ``max_iter``, the states take about as
many waves each, evenly, and the last state is the result all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import Capabilities, DirectOptions, Recording
from clusteranim.algorithms.neighbours import (
    MAX_PAIRS,
    Neighbourhoods,
    TooManyPairsError,
    radius_neighbours,
    ranges,
)
from clusteranim.arrays import BoolArray, FloatArray, IntArray
from clusteranim.options import LIVE, OptionError

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
    labels[border] = lowest_by_row(rows, labels[columns], n_samples)[border]
    own = labels[columns] == labels[rows]
    waves[border] = lowest_by_row(rows[own], waves[columns[own]] + 1, n_samples)[border]
    return Expansion(labels, core, waves)


def lowest_by_row(rows: IntArray, values: IntArray, n_rows: int) -> IntArray:
    """The smallest of ``values`` given to each of ``n_rows`` rows (the largest integer
    for a row given none)."""
    lowest = np.full(n_rows, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(lowest, rows, values)
    return lowest


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


def wave_ends(n_waves: int, n_steps: int) -> IntArray:
    """The last wave each state after the start shows: every one of ``n_waves`` waves its
    own state, or, when there are more than ``n_steps``, ``n_steps`` states taking about
    as many waves each (the last state showing the last wave)."""
    if n_waves <= n_steps:
        return np.arange(n_waves, dtype=np.intp)
    ends: IntArray = np.arange(1, n_steps + 1, dtype=np.intp) * n_waves // n_steps - 1
    return ends


@dataclass(frozen=True, eq=False)
class Dbscan:
    """DBSCAN, recorded wave by wave.

    Parameters
    ----------
    eps : float
        Radius of a neighbourhood, in the fitting space.
    min_samples : int
        Points a neighbourhood must hold, its centre included, for its centre to be core.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        centers=False, noise=True, varying_k=True, assigns_any_point=False
    )

    eps: float
    min_samples: int

    def record(self, X: FloatArray, max_iter: int) -> Recording:
        """The start (no point in a cluster) and the waves of the expansion, at most
        ``max_iter`` states after the start."""
        try:
            expansion = expand(X, self.eps, self.min_samples)
        except TooManyPairsError as error:
            raise OptionError(
                "eps",
                f"is {self.eps:g}: more than {MAX_PAIRS:,} pairs of points lie within it (over"
                f" {MAX_PAIRS // error.n_samples:,} neighbours a point on average), more than DBSCAN"
                " keeps; lower eps",
            ) from None
        ends = wave_ends(int(expansion.waves.max(initial=UNREACHED)) + 1, max_iter)
        reached = (expansion.waves >= 0) & (expansion.waves <= np.concatenate([[UNREACHED], ends])[:, None])
        labels = np.where(reached, expansion.labels, -1)
        n_states, n_clusters = labels.shape[0], expansion.n_clusters
        active = np.ones((n_states, n_clusters), dtype=bool)
        active[0] = False  # every cluster starts from its seed in the first wave
        return Recording(
            labels=labels,
            centers=np.full((n_states, n_clusters, X.shape[1]), np.nan),
            objective=np.full(n_states, np.nan),
            converged=True,
            active=active,
            extras={"core": expansion.core, "eps_radius": np.full(X.shape[1], self.eps)},
        )


class DbscanOptions(DirectOptions):
    """DBSCAN: clusters grown from core points, the rest noise."""

    summary = "DBSCAN: clusters grown wave by wave from core points (eps, min_samples); the rest is noise"
    display_name = "DBSCAN"
    capabilities = Dbscan.capabilities
    unused: ClassVar[dict[str, str]] = {
        "k": "it finds the number of clusters itself (eps and min_samples decide it)",
        "tol": "its expansion ends when no cluster can grow",
        "seed": "it draws nothing at random",
    }
    captions: ClassVar[dict[str, str]] = {
        "init": "Start: the core points (enough neighbours within eps) are known; no cluster yet",
        "iteration": "Step {iteration}: the clusters spread from core point to core point within eps"
        " (joined: {changed})",
        "converged": "Done: k = {k}; the grey points lie within eps of no core point (noise)",
    }

    layers = ("points", "core", "title")
    unexplained = (
        "DBSCAN has no assignment and update to tell apart: each step is one wave of its"
        " expansion (leave explain off; the caption layer says what each step does)"
    )

    name: Literal["dbscan"] = "dbscan"
    eps: float = Field(
        0.5,
        gt=0,
        json_schema_extra=LIVE,
        description="Radius of a point's neighbourhood (Euclidean, in the fitting space: see normalize).",
    )
    min_samples: int = Field(
        5,
        ge=1,
        json_schema_extra=LIVE,
        description="Points a neighbourhood must hold, the point itself included, for the"
        " point to be a core point.",
    )
    max_iter: int = Field(
        60,
        ge=1,
        description="Most steps after the start: one per wave of the expansion, or, when there"
        " are more waves, about as many waves in each step, evenly (the result is the same).",
    )

    def recorder(self, seed: int) -> Dbscan:
        return Dbscan(eps=self.eps, min_samples=self.min_samples)
