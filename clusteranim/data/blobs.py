"""Isotropic Gaussian blobs, with the meanings of scikit-learn's ``make_blobs``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.options import LIVE, FloatPair, OptionError

Point = list[float]


class BlobsLikeOptions(DataOptions):
    """Gaussian blobs around given or random centres: the keys every blob source has."""

    n_samples: int | list[int] = Field(
        300,
        json_schema_extra=LIVE,
        description="Total number of points, split as evenly as possible over the centres,"
        " or a list with the number of points of each centre.",
    )
    centers: int | list[Point] | None = Field(
        None,
        description="Number of centres drawn uniformly in center_box, or their coordinates;"
        " by default one per entry of an n_samples list, else 3.",
    )
    cluster_std: float | list[float] = Field(
        1.0, description="Standard deviation of every blob, or one per blob."
    )
    center_box: FloatPair = Field(
        default_factory=lambda: [-10.0, 10.0],
        description="Bounds (low, high) of each coordinate of random centres.",
    )
    n_features: int = Field(
        2, ge=1, le=1_000, description="Dimension of random centres (ignored when centers is a list)."
    )

    @model_validator(mode="after")
    def _check_consistent(self) -> BlobsLikeOptions:
        if isinstance(self.n_samples, int):
            if self.n_samples < 1:
                raise OptionError("n_samples", f"must be >= 1, got {self.n_samples}")
        else:
            if not self.n_samples or any(count < 0 for count in self.n_samples):
                raise OptionError("n_samples", "must be a non-empty list of counts >= 0")
            if sum(self.n_samples) < 1:
                raise OptionError("n_samples", "must add up to at least 1 point")
        if isinstance(self.centers, int):
            if self.centers < 1:
                raise OptionError("centers", f"must be >= 1, got {self.centers}")
            points = sum(self.n_samples) if isinstance(self.n_samples, list) else self.n_samples
            if self.centers > points:
                raise OptionError("centers", f"must be at most n_samples ({points:,}), got {self.centers:,}")
        elif isinstance(self.centers, list):
            if not self.centers:
                raise OptionError("centers", "must list at least one centre")
            dims = {len(point) for point in self.centers}
            if len(dims) != 1 or 0 in dims:
                raise OptionError("centers", "every centre must have the same number (>= 1) of coordinates")
        if isinstance(self.n_samples, list) and self.n_centers != len(self.n_samples):
            raise OptionError("n_samples", f"lists {len(self.n_samples)} counts for {self.n_centers} centres")
        stds = self.cluster_std if isinstance(self.cluster_std, list) else [self.cluster_std]
        if any(std < 0 for std in stds):
            raise OptionError("cluster_std", "must be >= 0")
        if isinstance(self.cluster_std, list) and len(self.cluster_std) != self.n_centers:
            raise OptionError(
                "cluster_std",
                f"lists {len(self.cluster_std)} values for {self.n_centers} centres",
            )
        if self.center_box[0] >= self.center_box[1]:
            raise OptionError("center_box", "must be (low, high) with low < high")
        return self

    @property
    def n_centers(self) -> int:
        if isinstance(self.centers, list):
            return len(self.centers)
        if isinstance(self.centers, int):
            return self.centers
        if isinstance(self.n_samples, list):
            return len(self.n_samples)
        return 3

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        return self.sample(np.random.default_rng(seed))

    def sample(self, rng: np.random.Generator) -> Dataset:
        """Draw the blobs with ``rng``."""
        if isinstance(self.centers, list):
            centers = np.asarray(self.centers, dtype=np.float64)
        else:
            centers = rng.uniform(
                self.center_box[0], self.center_box[1], size=(self.n_centers, self.n_features)
            )
        if isinstance(self.n_samples, list):
            counts = np.asarray(self.n_samples)
        else:
            counts = np.full(self.n_centers, self.n_samples // self.n_centers)
            counts[: self.n_samples % self.n_centers] += 1
        stds = np.broadcast_to(np.asarray(self.cluster_std, dtype=np.float64), (self.n_centers,))
        labels = np.repeat(np.arange(self.n_centers), counts)
        noise = rng.standard_normal((labels.size, centers.shape[1]))
        X = centers[labels] + noise * stds[labels, None]
        order = rng.permutation(labels.size)
        return Dataset(X=X[order], labels=labels[order])


class BlobsOptions(BlobsLikeOptions):
    """Isotropic Gaussian blobs."""

    summary = "isotropic Gaussian blobs (scikit-learn's make_blobs)"

    generator: Literal["blobs"] = "blobs"
