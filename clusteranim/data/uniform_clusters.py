"""Cluster centres drawn uniformly in a box, each with a Gaussian cloud of points."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.options import FloatPair, OptionError


class UniformClustersOptions(DataOptions):
    """The defaults are the classic scene: 12 clusters of 100 points in [-4, 4]^2."""

    summary = "cluster centres drawn uniformly inside bounds, a Gaussian cloud around each"

    generator: Literal["uniform_clusters"] = "uniform_clusters"
    n_clusters: int = Field(12, ge=1, description="Number of clusters.")
    points_per_cluster: int = Field(100, ge=1, description="Points around each centre.")
    bounds: list[FloatPair] = Field(
        default_factory=lambda: [[-4.0, 4.0], [-4.0, 4.0]],
        description="[[xmin, xmax], [ymin, ymax], ...]: the box the centres are drawn in;"
        " its length is the dimension.",
    )
    variance: float = Field(
        0.01, gt=0, description="Variance of each cloud, as a fraction of the span of the bounds."
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> UniformClustersOptions:
        if not self.bounds:
            raise OptionError("bounds", "must list at least one [min, max] pair")
        for index, (low, high) in enumerate(self.bounds):
            if not low < high:
                raise OptionError(
                    f"bounds.{index}", f"must be [min, max] with min < max, got [{low:g}, {high:g}]"
                )
        return self

    def expected_points(self) -> int:
        return self.n_clusters * self.points_per_cluster

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        rng = np.random.default_rng(seed)
        bounds = np.asarray(self.bounds, dtype=np.float64)
        centers = rng.uniform(bounds[:, 0], bounds[:, 1], size=(self.n_clusters, len(bounds)))
        spreads = np.sqrt(self.variance * (bounds[:, 1] - bounds[:, 0]))
        labels = np.repeat(np.arange(self.n_clusters), self.points_per_cluster)
        X = centers[labels] + rng.standard_normal((labels.size, len(bounds))) * spreads
        return Dataset(X=X, labels=labels)
