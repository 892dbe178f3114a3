"""Fuzzy c-means (Bezdek), step by step.

Every point belongs to every cluster to a degree. Under centres ``c_j`` the memberships
minimising the fuzzy objective ``J_m = sum_ij u_ij^m |x_i - c_j|^2`` (rows summing to 1)
are

    u_ij = 1 / sum_l (d_ij / d_il)^(2 / (m - 1)),

and under memberships the best centres are the weighted means

    c_j = sum_i u_ij^m x_i / sum_i u_ij^m.

A state is the centres; its evaluation holds the memberships, so that the objective of a
state is ``J_m`` at its best memberships and never increases from one state to the next.
Since ``u_ij`` falls as ``d_ij`` grows, a point's largest membership is that of its
nearest centre: the hard labels are those of k-means, and the regions Voronoi cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import Capabilities
from clusteranim.algorithms.kmeans import CentreStartOptions, KMeans, column_means, relative_to
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import FloatArray, IntArray

# Per-cluster arrays are kept as (k, n), one contiguous row per cluster: numpy reduces
# over k rows far faster than along the short rows of an (n, k) array.


def squared_distances_to(X: FloatArray, centers: FloatArray) -> FloatArray:
    """Squared Euclidean distances of shape (k, n), from the differences themselves.

    The expansion ``|x|^2 - 2 x.c + |c|^2`` loses the small distances of points near a
    centre, and the memberships there depend on them the most.
    """
    distances = np.empty((centers.shape[0], X.shape[0]))
    for row, center in zip(distances, centers, strict=True):
        difference = relative_to(X, center)
        np.einsum("ij,ij->i", difference, difference, out=row)
    return distances


def fuzzy_memberships(squared: FloatArray, closest: FloatArray, fuzzifier: float) -> FloatArray:
    """Memberships of shape (k, n) from squared distances (k, n) and their column minima.

    Each point's distances are scaled by its nearest one first, so that no power
    overflows or underflows to nothing: the nearest centre gets weight 1 and the others
    less. A point exactly on centres (distance 0) belongs to them alone, in equal
    shares: the textbook's special case, which the formula's limit agrees with.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        weights: FloatArray = np.power(closest / squared, 1.0 / (fuzzifier - 1.0))
    on_center = closest == 0.0
    if on_center.any():
        weights[:, on_center] = squared[:, on_center] == 0.0
    weights /= weights.sum(axis=0)
    return weights


def first_nearest(squared: FloatArray, closest: FloatArray) -> IntArray:
    """Index of each point's nearest centre (the first of equals), from (k, n) distances."""
    labels = np.empty(squared.shape[1], dtype=np.intp)
    for cluster in range(squared.shape[0] - 1, -1, -1):
        labels[squared[cluster] == closest] = cluster
    return labels


@dataclass(frozen=True, eq=False)
class FuzzyCMeans:
    """Fuzzy c-means with fuzzifier ``m``.

    Parameters
    ----------
    n_clusters : int
    fuzzifier : float
        ``m > 1``: near 1 the memberships are almost hard (k-means); larger values blur
        them.
    init : {"random", "kmeans++"} or ndarray of shape (k, d)
        Starting centres as k-means chooses them: ``random`` k data points at distinct
        indices, ``kmeans++`` greedy k-means++ seeding, or an array in data coordinates.
    tol : float
        Stop when no membership changes by more than ``tol`` from one state to the next
        (the largest entry of the change of the membership matrix, Bezdek's criterion).
    seed : int
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        objective="fuzzy objective", soft=True, nearest_center=True
    )

    n_clusters: int
    fuzzifier: float
    init: Literal["random", "kmeans++"] | FloatArray
    tol: float
    seed: int

    def initialize(self, X: FloatArray, scaling: Scaling) -> State:
        start = KMeans(n_clusters=self.n_clusters, init=self.init, tol=self.tol, seed=self.seed)
        return start.initialize(X, scaling)

    def evaluate(self, X: FloatArray, state: State) -> Evaluation:
        squared = squared_distances_to(X, state.centers)
        closest = squared.min(axis=0)
        memberships = fuzzy_memberships(squared, closest, self.fuzzifier)
        objective = float(np.einsum("ij,ij->", memberships**self.fuzzifier, squared))
        return Evaluation(labels=first_nearest(squared, closest), objective=objective, statistics=memberships)

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> State:
        # Weighted means about the data's mean: sums of data far from the origin would
        # round off its spread. A cluster with no weight at all keeps its centre.
        weights = evaluation.statistics**self.fuzzifier
        totals = weights.sum(axis=1)
        origin = column_means(X)
        centers = state.centers.copy()
        held = totals > 0.0
        centers[held] = (weights[held] @ relative_to(X, origin)) / totals[held, None] + origin
        return State(centers)

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        change = np.abs(current[1].statistics - previous[1].statistics)
        return float(change.max()) <= self.tol

    def responsibilities(self, X: FloatArray, state: State) -> FloatArray:
        memberships: FloatArray = self.evaluate(X, state).statistics.T
        return memberships


class FuzzyCMeansOptions(CentreStartOptions):
    """Fuzzy c-means: graded memberships, centres as membership-weighted means."""

    summary = "fuzzy c-means: graded memberships with fuzzifier m, weighted-mean centres"
    display_name = "fuzzy c-means"
    centre_noun = "centre"
    capabilities = FuzzyCMeans.capabilities

    name: Literal["fuzzy_cmeans"] = "fuzzy_cmeans"
    m: float = Field(
        2.0,
        gt=1,
        le=100,
        description="Fuzzifier, > 1: near 1 the memberships are almost hard (k-means);"
        " larger values share each point more evenly.",
    )
    tol: float = Field(
        1e-4,
        ge=0,
        description="Stop when no membership changes by more than this between two iterations"
        " (the largest change in the membership matrix).",
    )

    def build(self, seed: int) -> FuzzyCMeans:
        return FuzzyCMeans(n_clusters=self.k, fuzzifier=self.m, init=self.start(), tol=self.tol, seed=seed)
