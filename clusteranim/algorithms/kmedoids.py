"""k-medoids: PAM (BUILD, then SWAP) and the alternate (Voronoi iteration) method.

Medoids are data points. Distances are Euclidean in the fitting space, and the objective
is the total distance: the sum over points of the distance to the nearest medoid. Both
methods only ever lower it.

PAM (Kaufman and Rousseeuw, 1990) starts from BUILD, a greedy choice of k points, and then
makes, each step, the single swap of a medoid for a non-medoid that lowers the total
distance most. The cost of every swap comes from one pass over the n x n distances (the
shared-gain decomposition of FastPAM1, Schubert and Rousseeuw 2019), computed block by
block, never stored whole: a step takes time O(n^2 d) and memory O(k n). The alternate
method (Park and Jun, 2009) assigns each point to its nearest medoid and moves each
medoid to the point of its cluster with the least total distance to the others, like
Lloyd's k-means: a step takes time O(sum of the squared cluster sizes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import AlgorithmOptions, Capabilities
from clusteranim.algorithms.kmeans import _pool, kmeans_plusplus
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import LIVE, OptionError
from clusteranim.sums import one_hot

#: Most points PAM accepts: BUILD and each swap read all n^2 distances (at 5,000 points
#: about 0.2 s a pass on one core, 16 times that at 20,000), and a run makes k passes to
#: build and usually about k swaps; ``alternate`` has no such limit.
MAX_PAM_POINTS = 5_000
#: Entries of one block of a distance matrix (16 MB), so that memory stays bounded.
BLOCK_ENTRIES = 1 << 21
#: A medoid moves only when the total distance falls by more than this fraction of it:
#: smaller differences are the rounding of sums, and ties must not swap back and forth.
IMPROVEMENT = 1e-9

Method = Literal["pam", "alternate"]
Init = Literal["build", "kmeans++", "random"]
T = TypeVar("T")


def distances(A: FloatArray, B: FloatArray) -> FloatArray:
    """Euclidean distances of shape (m, p) between the rows of ``A`` (m, d) and ``B`` (p, d).

    Summed from the exact coordinate differences, column by column: equal points are at
    distance 0 exactly, which the expansion ``|a|^2 - 2 a.b + |b|^2`` does not give.
    """
    total: FloatArray = np.subtract.outer(A[:, 0], B[:, 0])
    np.square(total, out=total)
    if A.shape[1] > 1:
        difference = np.empty_like(total)
        for column in range(1, A.shape[1]):
            np.subtract.outer(A[:, column], B[:, column], out=difference)
            np.square(difference, out=difference)
            total += difference
    return np.sqrt(total, out=total)


def by_blocks(n_rows: int, n_columns: int, work: Callable[[slice], T]) -> list[T]:
    """``work`` on consecutive blocks of ``n_rows`` rows, each of about
    :data:`BLOCK_ENTRIES` entries of ``n_columns`` columns, on the thread pool; the results
    in order, so that sums of them do not depend on the number of threads."""
    rows = max(1, BLOCK_ENTRIES // max(n_columns, 1))
    return list(_pool().map(lambda start: work(slice(start, start + rows)), range(0, n_rows, rows)))


def total_distances(points: FloatArray) -> FloatArray:
    """Each point's total distance to all of ``points`` (n, d), as an (n,) array."""

    def block(rows: slice) -> FloatArray:
        sums: FloatArray = distances(points[rows], points).sum(axis=1)
        return sums

    return np.concatenate(by_blocks(points.shape[0], points.shape[0], block))


def build(X: FloatArray, n_clusters: int) -> IntArray:
    """PAM's BUILD: the point of least total distance, then each time the point that
    lowers the total distance most (ties to the lowest index).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    n_clusters : int
        At most n.

    Returns
    -------
    ndarray of shape (k,)
        Distinct indices into ``X``.
    """
    chosen = [int(np.argmin(total_distances(X)))]
    nearest = distances(X, X[chosen])[:, 0]

    def gains(rows: slice) -> FloatArray:
        gain = nearest[rows, None] - distances(X[rows], X)
        np.maximum(gain, 0.0, out=gain)
        total: FloatArray = gain.sum(axis=0)
        return total

    for _ in range(1, n_clusters):
        gain = sum(by_blocks(X.shape[0], X.shape[0], gains), np.zeros(X.shape[0]))
        gain[chosen] = -np.inf
        best = int(np.argmax(gain))
        chosen.append(best)
        np.minimum(nearest, distances(X, X[best : best + 1])[:, 0], out=nearest)
    return np.array(chosen, dtype=np.intp)


def best_swap(X: FloatArray, medoids: IntArray, to_medoids: FloatArray) -> IntArray:
    """One step of PAM's SWAP: the medoids after the swap that lowers the total distance
    most, or the same medoids when none lowers it.

    Replacing medoid i by point h changes the total distance by

        sum over o of min(d(o, h) - d1(o), 0)                            (every i)
        + sum over o nearest to i of max(min(d(o, h), d2(o)) - d1(o), 0)

    with d1 and d2 the distances from o to its nearest and second-nearest medoid: one
    pass over the distances gives the change of all k (n - k) swaps.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    medoids : ndarray of shape (k,)
        Distinct indices into ``X``.
    to_medoids : ndarray of shape (n, k)
        Distances from every point to every medoid.
    """
    n_clusters = medoids.shape[0]
    labels = to_medoids.argmin(axis=1)
    nearest = to_medoids.min(axis=1)
    second = np.partition(to_medoids, 1, axis=1)[:, 1] if n_clusters > 1 else np.full_like(nearest, np.inf)

    def changes(rows: slice) -> tuple[FloatArray, FloatArray]:
        to_candidates = distances(X[rows], X)
        gain = to_candidates - nearest[rows, None]
        np.minimum(gain, 0.0, out=gain)
        np.minimum(to_candidates, second[rows, None], out=to_candidates)
        to_candidates -= nearest[rows, None]
        np.maximum(to_candidates, 0.0, out=to_candidates)
        loss: FloatArray = one_hot(labels[rows], n_clusters).T @ to_candidates
        return gain.sum(axis=0), loss

    blocks = by_blocks(X.shape[0], X.shape[0], changes)
    change = sum((gain for gain, _ in blocks), np.zeros(X.shape[0])) + sum(
        (loss for _, loss in blocks), np.zeros((n_clusters, X.shape[0]))
    )
    change[:, medoids] = np.inf
    removed, added = np.unravel_index(int(np.argmin(change)), change.shape)
    swapped: IntArray = medoids.copy()
    if change[removed, added] < -IMPROVEMENT * float(nearest.sum()):
        swapped[removed] = added
    return swapped


def alternate_update(X: FloatArray, medoids: IntArray, labels: IntArray) -> IntArray:
    """The alternate method's update: each medoid moves to the point of its cluster with
    the least total distance to the cluster's points, if that is less than its own (ties
    to the lowest index); an empty cluster keeps its medoid.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    medoids : ndarray of shape (k,)
    labels : ndarray of shape (n,)
        Each point's nearest medoid.
    """
    updated: IntArray = medoids.copy()
    for cluster, medoid in enumerate(medoids):
        members = np.flatnonzero(labels == cluster)
        if members.size == 0:
            continue
        points = X[members]
        costs = total_distances(points)
        best = int(np.argmin(costs))
        current = float(distances(points, X[medoid : medoid + 1]).sum())
        if costs[best] < current - IMPROVEMENT * current:
            updated[cluster] = members[best]
    return updated


def medoid_indices(X: FloatArray, centers: FloatArray) -> IntArray:
    """The data point of each centre: the nearest point not taken by an earlier centre
    (the centre's own point when it is one, whatever its duplicates)."""
    taken = np.zeros(X.shape[0], dtype=bool)
    indices = np.empty(centers.shape[0], dtype=np.intp)
    for cluster in range(centers.shape[0]):
        gaps = distances(X, centers[cluster : cluster + 1])[:, 0]
        gaps[taken] = np.inf
        indices[cluster] = int(np.argmin(gaps))
        taken[indices[cluster]] = True
    return indices


@dataclass(frozen=True, eq=False)
class KMedoids:
    """k-medoids by PAM or the alternate method.

    Parameters
    ----------
    n_clusters : int
    method : {"pam", "alternate"}
    init : {"build", "kmeans++", "random"}
        ``build``: PAM's greedy BUILD; ``kmeans++``: k-means++ seeding (the points it
        picks); ``random``: k data points at distinct indices.
    tol : float
        Stop when a step lowers the total distance by at most ``tol`` times its value.
    seed : int
    """

    capabilities: ClassVar[Capabilities] = Capabilities(objective="total distance", nearest_center=True)

    n_clusters: int
    method: Method
    init: Init
    tol: float
    seed: int

    def initialize(self, X: FloatArray, scaling: Scaling) -> State:
        n_samples = X.shape[0]
        if self.method == "pam" and n_samples > MAX_PAM_POINTS:
            raise OptionError(
                "method",
                f"pam reads all n\N{SUPERSCRIPT TWO} distances at each step, so it takes at most"
                f" {MAX_PAM_POINTS:,} points and the data has {n_samples:,}; use method: alternate",
            )
        if self.init == "build":
            indices = build(X, self.n_clusters)
        elif self.init == "kmeans++":
            # Its picks are data points; two equal picks (from duplicates) become two points.
            seeds = kmeans_plusplus(X, self.n_clusters, np.random.default_rng(self.seed))
            indices = medoid_indices(X, seeds)
        else:
            indices = np.random.default_rng(self.seed).choice(n_samples, size=self.n_clusters, replace=False)
        return State(X[indices].copy())

    def evaluate(self, X: FloatArray, state: State) -> Evaluation:
        to_medoids = distances(X, state.centers)
        labels = to_medoids.argmin(axis=1)
        objective = float(np.take_along_axis(to_medoids, labels[:, None], axis=1).sum())
        return Evaluation(labels=labels, objective=objective, statistics=to_medoids)

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> State:
        medoids = medoid_indices(X, state.centers)
        if self.method == "pam":
            updated = best_swap(X, medoids, evaluation.statistics)
        else:
            updated = alternate_update(X, medoids, evaluation.labels)
        return State(X[updated].copy())

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        if np.array_equal(previous[0].centers, current[0].centers):
            return True
        return previous[1].objective - current[1].objective <= self.tol * previous[1].objective

    def responsibilities(self, X: FloatArray, state: State) -> FloatArray:
        return one_hot(self.evaluate(X, state).labels, self.n_clusters)


class KMedoidsOptions(AlgorithmOptions):
    """k-medoids: k data points as centres, chosen to lower the total distance."""

    summary = "k-medoids by PAM (build + swap) or the alternate method"
    display_name = "k-medoids"
    captions: ClassVar[dict[str, str]] = {
        "init": "Start: the medoids (k = {k}) from {init}",
        "first": "Assignment: each point joins its nearest medoid",
        "assign": "Assignment: each point joins its nearest medoid (changed cluster: {changed})",
        "update": "Update: medoids move to the data points that lower the total distance most"
        " ({objective_name} {objective:,.6g}, {change:+,.6g})",
        "converged": "Converged at iteration {n_iter}: no move of a medoid lowers the total distance",
    }
    capabilities = KMedoids.capabilities

    name: Literal["kmedoids"] = "kmedoids"
    method: Method = Field(
        "pam",
        description="pam: each step the best swap of a medoid for another point (up to"
        f" {MAX_PAM_POINTS:,} points); alternate: assign to the nearest medoid, move each medoid"
        " to its cluster's most central point (faster, any number of points, often a worse"
        " optimum).",
    )
    init: Init | None = Field(
        None,
        json_schema_extra=LIVE,
        description="build (PAM's greedy start), kmeans++ (k-means++ seeding) or random (k data"
        " points); by default build for pam, kmeans++ for alternate.",
    )

    @property
    def start(self) -> Init:
        """The initialisation used: ``init``, or the method's default."""
        if self.init is not None:
            return self.init
        return "build" if self.method == "pam" else "kmeans++"

    def start_description(self) -> str:
        return {
            "build": "PAM's greedy build",
            "kmeans++": "k-means++ seeding",
            "random": "a random choice of data points",
        }[self.start]

    def build(self, seed: int) -> KMedoids:
        return KMedoids(n_clusters=self.k, method=self.method, init=self.start, tol=self.tol, seed=seed)
