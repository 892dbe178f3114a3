"""Two interleaving half circles, as scikit-learn's ``make_moons``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from clusteranim.data.base import DataOptions, Dataset, labelled
from clusteranim.options import LIVE


class MoonsOptions(DataOptions):
    """Two interleaving half circles: a shape k-means cannot separate."""

    summary = "two interleaving half circles (scikit-learn's make_moons)"

    generator: Literal["moons"] = "moons"
    n_samples: int = Field(300, ge=2, json_schema_extra=LIVE, description="Total points, half on each moon.")
    noise: float = Field(0.08, ge=0, description="Standard deviation of Gaussian noise added to the points.")

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        rng = np.random.default_rng(seed)
        n_outer = self.n_samples // 2
        n_inner = self.n_samples - n_outer
        outer = np.linspace(0, np.pi, n_outer)
        inner = np.linspace(0, np.pi, n_inner)
        parts = [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            np.column_stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5]),
        ]
        return labelled(rng, parts, self.noise)
