"""What every data source returns, and the options they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from clusteranim.options import LIVE, NamedOptions


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
    feature_names : tuple of str or None
        Names of the columns, where the source has them.
    """

    X: NDArray[np.float64]
    labels: NDArray[np.intp] | None = None
    files: tuple[Path, ...] = field(default_factory=tuple)
    feature_names: tuple[str, ...] | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])


def labelled(rng: np.random.Generator, parts: list[NDArray[np.float64]], noise: float = 0.0) -> Dataset:
    """One dataset from point sets, each set its own class, with noise, shuffled.

    Parameters
    ----------
    rng : Generator
    parts : list of ndarray of shape (n_i, d)
        The points of class 0, 1, ...
    noise : float
        Standard deviation of Gaussian noise added to every coordinate.
    """
    X = np.concatenate(parts)
    labels = np.repeat(np.arange(len(parts)), [len(part) for part in parts])
    if noise > 0:
        X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(labels.size)
    return Dataset(X=X[order], labels=labels[order])


def split_counts(n_samples: int, weights: NDArray[np.float64]) -> NDArray[np.intp]:
    """``n_samples`` split in proportion to ``weights`` (largest remainders first)."""
    exact = n_samples * weights / weights.sum()
    counts: NDArray[np.intp] = np.floor(exact).astype(np.intp)
    shortfall = n_samples - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:shortfall]] += 1
    return counts


class DataOptions(NamedOptions):
    """Options every data source has; subclasses add their own and implement ``load``."""

    kind_key: ClassVar[str] = "generator"

    seed: int | None = Field(
        None,
        ge=0,
        json_schema_extra=LIVE,
        description="Seed of the data (any integer >= 0); defaults to the scenario's top-level seed.",
    )

    def input_files(self, base_dir: Path) -> tuple[Path, ...]:
        """The files the source will read, known before reading them (none for a generator)."""
        return ()

    def expected_points(self) -> int | None:
        """How many points the source will give, where that is known before loading."""
        n_samples = getattr(self, "n_samples", None)
        if isinstance(n_samples, int):
            return n_samples
        if isinstance(n_samples, list):
            return sum(n_samples)
        return None

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        """Make or read the data.

        Parameters
        ----------
        seed : int
            The data seed (``data.seed`` or the scenario seed).
        base_dir : Path
            The scenario file's folder, against which relative paths resolve.
        max_points : int
            Most points allowed (``limits.max_points``). A source whose size is known
            before loading (see :meth:`expected_points`) is checked against it earlier
            and may ignore it; a file stops reading at the first row beyond it.
        """
        raise NotImplementedError
