"""Mini-batch k-means (Sculley 2010), with scikit-learn's per-centre counts.

Each step draws a batch of points at random (with replacement), assigns them to their
nearest centres, and moves each centre that received points to the mean of every point
it has received so far: with ``n_j`` points before and the batch's ``b_j`` points
``x_i``, ``c_j <- c_j + sum_i (x_i - c_j) / (n_j + b_j)``, the rule of scikit-learn's
``_mini_batch_step`` with unit sample weights. scikit-learn's random reassignment of
centres with few points is left out (its ``reassignment_ratio=0``).

The counts ``n_j`` are part of the state the next step starts from, so a state of this
algorithm is a :class:`BatchState`: a :class:`State` that also holds them and the number
of steps taken. The trace keeps these states as the algorithm made them (its
``fit_states``) and the centres, in data coordinates, for frames; no layer need know
the counts, and the weights of a mixture stay what they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.kmeans import KMeans, KMeansOptions, nearest_centers
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.sums import cluster_counts, cluster_sums


@dataclass(frozen=True, eq=False)
class BatchState(State):
    """Centres, with what the next mini-batch step needs.

    Parameters
    ----------
    counts : ndarray of shape (k,)
        How many batch points each centre has received so far (its centre is their mean).
    n_steps : int
        Steps taken to reach this state: the next one uses batch ``n_steps``.
    """

    counts: FloatArray | None = None
    n_steps: int = 0


@dataclass(frozen=True, eq=False)
class MiniBatchKMeans(KMeans):
    """k-means updated from one random batch of points per step.

    Parameters
    ----------
    n_clusters : int
    init : {"random", "kmeans++"} or ndarray of shape (k, d)
        As for :class:`KMeans`.
    tol : float
        Stop when a step moves the centres by a summed squared shift of at most ``tol``
        times the mean per-column variance of the data; 0 never stops early.
    seed : int
        Seeds the initialisation and, with the step's number, each batch.
    batch_size : int
        Points per batch, drawn with replacement (so it may exceed the number of points).
    """

    batch_size: int

    def batch(self, n_samples: int, step: int) -> IntArray:
        """Indices (with repeats) of the points of batch ``step`` (0 for the first update)
        among ``n_samples`` points: the same for a given seed and step, whatever came
        before, so a layer can ask for any one of them."""
        # The step's own child of the seed's SeedSequence: independent of the stream the
        # initialisation draws from (default_rng(seed)), and of every other step's.
        sequence = np.random.SeedSequence(self.seed, spawn_key=(step,))
        indices: IntArray = np.random.default_rng(sequence).integers(n_samples, size=self.batch_size)
        return indices

    def initialize(self, X: FloatArray, scaling: Scaling) -> BatchState:
        start = super().initialize(X, scaling)
        return BatchState(start.centers, counts=np.zeros(self.n_clusters))

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> BatchState:
        assert isinstance(state, BatchState) and state.counts is not None, "a state made by this algorithm"
        points = X[self.batch(X.shape[0], state.n_steps)]
        labels, _ = nearest_centers(points, state.centers)
        received = cluster_counts(labels, self.n_clusters)
        counts = state.counts + received
        # Sums of differences from the old centre, not of coordinates: exact for data far
        # from the origin, and an unchanged centre for a cluster the batch missed.
        pulls = cluster_sums(labels, points - state.centers[labels], self.n_clusters)
        moved = received > 0
        centers = state.centers.copy()
        centers[moved] += pulls[moved] / counts[moved, None]
        return BatchState(centers, counts=counts, n_steps=state.n_steps + 1)

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        # Unchanged labels prove nothing here: the next batch may still move the centres.
        if self.tol == 0:
            return False
        shift = float(np.square(current[0].centers - previous[0].centers).sum())
        return shift <= self.tol * float(np.mean(np.var(X, axis=0)))


class MiniBatchKMeansOptions(KMeansOptions):
    """Mini-batch k-means: each step moves the centres towards one random batch."""

    summary = "mini-batch k-means: each step assigns one random batch and moves its centres"
    display_name = "mini-batch k-means"
    captions: ClassVar[dict[str, str]] = {
        "update": "Update: each centroid moves towards the batch points it received, by 1/count"
        " of the way for each ({objective_name} {objective:,.6g}, {change:+,.6g})",
        "converged": "Converged at iteration {n_iter}: the centroids moved less than the tolerance ({tol:g})",
    }
    capabilities = MiniBatchKMeans.capabilities

    name: Literal["minibatch_kmeans"] = "minibatch_kmeans"  # type: ignore[assignment]
    batch_size: int = Field(
        1024,
        ge=1,
        description="Points drawn (with replacement) for each step; scikit-learn's default is 1024.",
    )
    max_iter: int = Field(
        100,
        ge=1,
        description="Most mini-batch steps (scikit-learn's max_iter counts passes over the data"
        " instead: n_samples / batch_size steps each).",
    )
    tol: float = Field(
        0.0,
        ge=0,
        description="Stop when a step's summed squared centre shift is at most tol times the mean"
        " per-column variance of the data; 0 (the default, as in scikit-learn) never stops early.",
    )

    def build(self, seed: int) -> MiniBatchKMeans:
        kmeans = super().build(seed)
        return MiniBatchKMeans(kmeans.n_clusters, kmeans.init, kmeans.tol, kmeans.seed, self.batch_size)
