"""Clustering algorithms, registered by the name that ``algorithm.name`` selects."""

from __future__ import annotations

from clusteranim.algorithms.base import AlgorithmOptions, Evaluation, IterativeAlgorithm, State
from clusteranim.algorithms.gmm import GaussianMixtureOptions
from clusteranim.algorithms.kmeans import KMeansOptions

ALGORITHMS: dict[str, type[AlgorithmOptions]] = {
    algorithm.plugin_name(): algorithm for algorithm in (KMeansOptions, GaussianMixtureOptions)
}

__all__ = ["ALGORITHMS", "AlgorithmOptions", "Evaluation", "IterativeAlgorithm", "State"]
