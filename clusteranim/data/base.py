"""What every data source returns, and the options they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from clusteranim.options import NamedOptions


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points to cluster, with their true classes where the source knows them.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The points, float64.
    labels : ndarray of shape (n,) or None
        True class of each point, integers from 0.
    files : tuple of Path
        Every file the source read, so that build tools can track them.
    """

    X: NDArray[np.float64]
    labels: NDArray[np.intp] | None = None
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])


class DataOptions(NamedOptions):
    """Options every data source has; subclasses add their own and implement ``load``."""

    kind_key: ClassVar[str] = "generator"

    seed: int | None = Field(None, description="Seed of the data; defaults to the scenario's top-level seed.")

    def load(self, seed: int, base_dir: Path) -> Dataset:
        """Make or read the data.

        Parameters
        ----------
        seed : int
            The data seed (``data.seed`` or the scenario seed).
        base_dir : Path
            The scenario file's folder, against which relative paths resolve.
        """
        raise NotImplementedError
