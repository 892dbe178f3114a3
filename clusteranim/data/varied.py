"""Gaussian blobs of clearly different spreads."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from clusteranim.data.blobs import BlobsLikeOptions


class VariedOptions(BlobsLikeOptions):
    """Blobs whose standard deviations differ, as in scikit-learn's k-means examples."""

    summary = "Gaussian blobs of different spreads"

    generator: Literal["varied"] = "varied"
    cluster_std: float | list[float] = Field(
        default_factory=lambda: [1.0, 2.5, 0.5], description="Standard deviation of each blob."
    )
