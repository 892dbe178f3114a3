"""Gaussian blobs sheared by a linear map: elongated, tilted clusters."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.data.base import Dataset
from clusteranim.data.blobs import BlobsLikeOptions
from clusteranim.options import OptionError


class AnisotropicOptions(BlobsLikeOptions):
    """Blobs under ``x -> x @ transformation``, as in scikit-learn's k-means examples."""

    summary = "Gaussian blobs under a linear map (elongated, tilted clusters)"

    generator: Literal["anisotropic"] = "anisotropic"
    transformation: list[list[float]] = Field(
        default_factory=lambda: [[0.6, -0.6], [-0.4, 0.8]],
        description="The d x d matrix every point is multiplied by (as a row vector).",
    )

    @model_validator(mode="after")
    def _check_transformation(self) -> AnisotropicOptions:
        n_features = len(self.centers[0]) if isinstance(self.centers, list) else self.n_features
        if len(self.transformation) != n_features or any(
            len(row) != n_features for row in self.transformation
        ):
            raise OptionError("transformation", f"must be a {n_features} x {n_features} matrix")
        return self

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        blobs = self.sample(np.random.default_rng(seed))
        return Dataset(X=blobs.X @ np.asarray(self.transformation), labels=blobs.labels)
