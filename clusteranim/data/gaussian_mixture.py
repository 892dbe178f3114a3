"""Points drawn from a Gaussian mixture with given means, covariances and weights."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset, labelled, split_counts
from clusteranim.options import LIVE, OptionError

CLASSIC_MEANS = [[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0]]
CLASSIC_COVARIANCES = [[[0.8, 0.2], [0.2, 0.5]], [[0.6, -0.2], [-0.2, 0.6]], [[0.5, 0.0], [0.0, 0.9]]]
CLASSIC_WEIGHTS = [0.4, 0.35, 0.25]


class GaussianMixtureDataOptions(DataOptions):
    """A Gaussian mixture; the defaults are the classic three-component scene."""

    summary = "a Gaussian mixture with given means, covariances and weights"

    generator: Literal["gaussian_mixture"] = "gaussian_mixture"
    n_samples: int = Field(400, ge=1, json_schema_extra=LIVE, description="Number of points.")
    means: list[list[float]] = Field(
        default_factory=lambda: [list(mean) for mean in CLASSIC_MEANS],
        description="One mean per component.",
    )
    covariances: list[list[list[float]]] = Field(
        default_factory=lambda: [[list(row) for row in matrix] for matrix in CLASSIC_COVARIANCES],
        description="One d x d covariance per component, symmetric positive semi-definite.",
    )
    weights: list[float] = Field(
        default_factory=lambda: list(CLASSIC_WEIGHTS),
        description="One weight per component, summing to 1; each component gets"
        " round(weight x n_samples) points (largest remainders first).",
    )

    @model_validator(mode="after")
    def _check_consistent(self) -> GaussianMixtureDataOptions:
        n_components = len(self.means)
        if n_components == 0:
            raise OptionError("means", "must list at least one mean")
        n_features = len(self.means[0])
        if n_features == 0 or any(len(mean) != n_features for mean in self.means):
            raise OptionError("means", "every mean must have the same number (>= 1) of coordinates")
        if len(self.covariances) != n_components:
            raise OptionError(
                "covariances", f"lists {len(self.covariances)} matrices for {n_components} means"
            )
        for index, matrix in enumerate(self.covariances):
            check_covariance(matrix, n_features, f"covariances.{index}")
        if len(self.weights) != n_components:
            raise OptionError("weights", f"lists {len(self.weights)} weights for {n_components} means")
        if any(weight < 0 for weight in self.weights) or abs(sum(self.weights) - 1.0) > 1e-6:
            raise OptionError(
                "weights", f"must be non-negative and sum to 1, they sum to {sum(self.weights):g}"
            )
        return self

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        rng = np.random.default_rng(seed)
        counts = split_counts(self.n_samples, np.asarray(self.weights))
        parts = [
            rng.multivariate_normal(mean, covariance, size=count, method="eigh")
            for mean, covariance, count in zip(self.means, self.covariances, counts, strict=True)
        ]
        return labelled(rng, parts)


def check_covariance(matrix: list[list[float]], n_features: int, key: str) -> None:
    """Raise OptionError at ``key`` unless ``matrix`` is a d x d symmetric PSD matrix."""
    array = np.asarray(matrix, dtype=np.float64) if all(len(row) == n_features for row in matrix) else None
    if array is None or array.shape != (n_features, n_features):
        raise OptionError(key, f"must be a {n_features} x {n_features} matrix")
    if not np.allclose(array, array.T):
        raise OptionError(key, "must be symmetric")
    smallest = float(np.linalg.eigvalsh(array).min())
    if smallest < -1e-10 * max(1.0, float(np.abs(array).max())):
        raise OptionError(key, f"must be positive semi-definite (it has eigenvalue {smallest:.3g})")
