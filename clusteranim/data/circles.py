"""A small circle inside a large one, as scikit-learn's ``make_circles``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from clusteranim.data.base import DataOptions, Dataset, labelled
from clusteranim.options import LIVE


class CirclesOptions(DataOptions):
    """Two concentric circles."""

    summary = "a small circle inside a large one (scikit-learn's make_circles)"

    generator: Literal["circles"] = "circles"
    n_samples: int = Field(
        300, ge=2, json_schema_extra=LIVE, description="Total points, half on each circle."
    )
    noise: float = Field(0.05, ge=0, description="Standard deviation of Gaussian noise added to the points.")
    factor: float = Field(
        0.5, gt=0, lt=1, description="Radius of the inner circle relative to the outer one."
    )

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        rng = np.random.default_rng(seed)
        n_outer = self.n_samples // 2
        n_inner = self.n_samples - n_outer
        outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
        inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
        parts = [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            self.factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
        return labelled(rng, parts, self.noise)
