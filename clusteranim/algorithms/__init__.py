"""Clustering algorithms, registered by the name that ``algorithm.name`` selects."""

from __future__ import annotations

from clusteranim.algorithms.agglomerative import AgglomerativeOptions
from clusteranim.algorithms.base import AlgorithmOptions, Capabilities, IterativeAlgorithm
from clusteranim.algorithms.dbscan import DbscanOptions
from clusteranim.algorithms.fuzzy_cmeans import FuzzyCMeansOptions
from clusteranim.algorithms.gmm import GaussianMixtureOptions
from clusteranim.algorithms.kmeans import KMeansOptions
from clusteranim.algorithms.kmedoids import KMedoidsOptions
from clusteranim.algorithms.mean_shift import MeanShiftOptions
from clusteranim.algorithms.minibatch_kmeans import MiniBatchKMeansOptions
from clusteranim.algorithms.state import Evaluation, State

ALGORITHMS: dict[str, type[AlgorithmOptions]] = {
    algorithm.plugin_name(): algorithm
    for algorithm in (
        KMeansOptions,
        GaussianMixtureOptions,
        FuzzyCMeansOptions,
        MiniBatchKMeansOptions,
        KMedoidsOptions,
        MeanShiftOptions,
        AgglomerativeOptions,
        DbscanOptions,
    )
}

__all__ = ["ALGORITHMS", "AlgorithmOptions", "Capabilities", "Evaluation", "IterativeAlgorithm", "State"]
