"""k-means by Lloyd's algorithm, step by step."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.algorithms.base import AlgorithmOptions, Capabilities
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import LIVE, OptionError
from clusteranim.sums import cluster_counts, cluster_sums, one_hot

# Rows per block when computing point-to-centre distances: bounds the temporary
# (rows x k) matrices so that a million points need only a few megabytes at a time.
CHUNK_ROWS = 65_536
# Blocks of the assignment step are smaller, to stay in cache, and spread over threads:
# numpy releases the GIL in these loops.
ASSIGN_ROWS = 16_384


def column_means(X: FloatArray) -> FloatArray:
    """Mean of each column of ``X`` (n, d): the origin about which distances are taken.

    Column by column, as numpy's ``mean(axis=0)`` of a tall, narrow array is many times
    slower.
    """
    return np.array([column.mean() for column in X.T])


def relative_to(X: FloatArray, origin: FloatArray) -> FloatArray:
    """``X - origin`` for the rows of ``X`` (n, d), as one flat subtraction: numpy
    broadcasts a short row slowly, d elements at a time."""
    difference: FloatArray = X.reshape(-1) - np.tile(origin, X.shape[0])
    return difference.reshape(X.shape)


def squared_distances(X: FloatArray, centers: FloatArray) -> FloatArray:
    """Squared Euclidean distances of shape (n, k), never negative."""
    distances: FloatArray = (
        np.einsum("ij,ij->i", X, X)[:, None] - 2.0 * (X @ centers.T) + np.einsum("ij,ij->i", centers, centers)
    )
    np.maximum(distances, 0.0, out=distances)
    return distances


def nearest_centers(X: FloatArray, centers: FloatArray) -> tuple[IntArray, float]:
    """Index of each point's nearest centre, and the inertia of that assignment.

    Points are compared by ``|c|^2 - 2 x.c`` (the ``|x|^2`` term is the same for every
    centre), as scikit-learn does, and about the mean of ``X`` as scikit-learn centres
    the data in ``KMeans.fit``: for data far from the origin (near 1e9, say) the products
    would otherwise dwarf, and round away, the differences between centres. The inertia
    is summed from the exact differences so that it matches a direct computation to
    rounding. Blocks run on a thread pool and are summed in order, so the result does
    not depend on the number of threads.
    """
    labels = np.empty(X.shape[0], dtype=np.intp)
    origin = column_means(X)
    shifted = centers - origin
    scaled = np.ascontiguousarray(-2.0 * shifted.T)
    norms = np.einsum("ij,ij->i", shifted, shifted)

    def assign(start: int) -> float:
        block = X[start : start + ASSIGN_ROWS]
        scores = relative_to(block, origin) @ scaled
        scores += norms
        block_labels = scores.argmin(axis=1)
        labels[start : start + ASSIGN_ROWS] = block_labels
        difference = block - centers[block_labels]
        return float(np.einsum("ij,ij->", difference, difference))

    inertia = sum(_pool().map(assign, range(0, X.shape[0], ASSIGN_ROWS)), 0.0)
    return labels, inertia


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="clusteranim")


# A forked child has no threads: let it start its own pool.
os.register_at_fork(after_in_child=_pool.cache_clear)


def cluster_means(X: FloatArray, labels: IntArray, previous: FloatArray) -> FloatArray:
    """Mean of each cluster's points; an empty cluster keeps its previous centre.

    A second pass adds the mean difference of the points from the first estimate: plain
    sums of data far from the origin round off its spread, and the correction makes the
    mean of identical points exactly that point.
    """
    n_clusters = previous.shape[0]
    counts = cluster_counts(labels, n_clusters)
    occupied = counts > 0
    means: FloatArray = previous.copy()
    for estimate, column in zip(means.T, X.T, strict=True):  # views: columns of means, of X
        sums = cluster_sums(labels, column, n_clusters)
        estimate[occupied] = sums[occupied] / counts[occupied]
        residuals = estimate.take(labels)
        np.subtract(column, residuals, out=residuals)
        corrections = cluster_sums(labels, residuals, n_clusters)
        estimate[occupied] += corrections[occupied] / counts[occupied]
    return means


def kmeans_plusplus(X: FloatArray, n_clusters: int, rng: np.random.Generator) -> FloatArray:
    """Greedy k-means++ seeding with ``2 + log k`` local trials, as scikit-learn does it.

    Distances are taken in the data centred on its mean (see ``nearest_centers``); the
    centres are rows of ``X`` itself.
    """
    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))
    shifted = relative_to(X, column_means(X))
    chosen = np.empty(n_clusters, dtype=np.intp)
    chosen[0] = rng.integers(n_samples)
    closest = squared_distances(shifted, shifted[chosen[:1]])[:, 0]
    potential = closest.sum()
    for index in range(1, n_clusters):
        targets = rng.uniform(size=n_local_trials) * potential
        candidates = np.minimum(np.searchsorted(np.cumsum(closest), targets), n_samples - 1)
        candidate_closest = np.minimum(closest, squared_distances(shifted, shifted[candidates]).T)
        candidate_potentials = candidate_closest.sum(axis=1)
        best = int(np.argmin(candidate_potentials))
        potential = candidate_potentials[best]
        closest = candidate_closest[best]
        chosen[index] = candidates[best]
    return X[chosen]


@dataclass(frozen=True, eq=False)
class KMeans:
    """Lloyd's k-means.

    Parameters
    ----------
    n_clusters : int
    init : {"random", "kmeans++"} or ndarray of shape (k, d)
        ``random`` picks k data points at distinct indices; an array gives the
        starting centroids in data coordinates.
    tol : float
        Stop when the summed squared centroid shift is at most ``tol`` times the
        mean per-column variance of the data (scikit-learn's convention).
    seed : int
    """

    capabilities: ClassVar[Capabilities] = Capabilities(objective="inertia", nearest_center=True)

    n_clusters: int
    init: Literal["random", "kmeans++"] | FloatArray
    tol: float
    seed: int

    def initialize(self, X: FloatArray, scaling: Scaling) -> State:
        rng = np.random.default_rng(self.seed)
        if isinstance(self.init, np.ndarray):
            if self.init.shape[1] != X.shape[1]:
                raise OptionError(
                    "init",
                    f"centroids have {self.init.shape[1]} coordinates but the data has {X.shape[1]}",
                )
            return scaling.to_fit_state(State(self.init.astype(np.float64)))
        if self.init == "kmeans++":
            return State(kmeans_plusplus(X, self.n_clusters, rng))
        return State(X[rng.choice(X.shape[0], size=self.n_clusters, replace=False)].copy())

    def evaluate(self, X: FloatArray, state: State) -> Evaluation:
        labels, inertia = nearest_centers(X, state.centers)
        return Evaluation(labels=labels, objective=inertia)

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> State:
        return State(cluster_means(X, evaluation.labels, state.centers))

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        if np.array_equal(previous[1].labels, current[1].labels):
            return True
        shift = float(np.square(current[0].centers - previous[0].centers).sum())
        return shift <= self.tol * float(np.mean(np.var(X, axis=0)))

    def responsibilities(self, X: FloatArray, state: State) -> FloatArray:
        labels, _ = nearest_centers(X, state.centers)
        return one_hot(labels, self.n_clusters)


class CentreStartOptions(AlgorithmOptions):
    """Options of a method that starts from k centres: k data points at random, k-means++
    seeding, or a list (k-means and the methods built on its start)."""

    #: What one centre is called in messages ("centroid", "centre").
    centre_noun: ClassVar[str] = "centroid"

    init: Literal["random", "kmeans++"] | list[list[float]] = Field(
        "random",
        json_schema_extra=LIVE,
        description="random (k data points), kmeans++ (greedy k-means++), or a list of k"
        " starting centres in data coordinates.",
    )

    def start_description(self) -> str:
        if isinstance(self.init, list):
            return "the given list"
        return "k-means++ seeding" if self.init == "kmeans++" else "a random choice of data points"

    @model_validator(mode="after")
    def _check_init(self) -> CentreStartOptions:
        noun = self.centre_noun
        if isinstance(self.init, list):
            if len(self.init) != self.k:
                raise OptionError("init", f"lists {len(self.init)} {noun}s but k is {self.k}")
            if len({len(point) for point in self.init}) != 1 or not self.init[0]:
                raise OptionError("init", f"every {noun} must have the same number (>= 1) of coordinates")
        return self

    def start(self) -> Literal["random", "kmeans++"] | FloatArray:
        """The start as the algorithm takes it: a name, or the listed centres as an array."""
        return np.asarray(self.init, dtype=np.float64) if isinstance(self.init, list) else self.init


class KMeansOptions(CentreStartOptions):
    """k-means (Lloyd): assign each point to its nearest centroid, move centroids to means."""

    summary = "k-means by Lloyd's algorithm"
    display_name = "k-means"
    capabilities = KMeans.capabilities

    name: Literal["kmeans"] = "kmeans"

    def build(self, seed: int) -> KMeans:
        return KMeans(n_clusters=self.k, init=self.start(), tol=self.tol, seed=seed)
