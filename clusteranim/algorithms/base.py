"""The protocol every iterative clustering algorithm follows, and the options they share.

An algorithm is a small object with explicit steps, in the manner of scikit-learn's
``BaseMixture.fit_predict``: ``initialize`` gives the state at index 0, ``evaluate``
scores a state (hard labels, objective, and whatever the next ``step`` needs), ``step``
performs one update, and ``has_converged`` compares two consecutive evaluations. The
recorder in :mod:`clusteranim.trace` drives this loop for every algorithm alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from clusteranim.options import NamedOptions

if TYPE_CHECKING:
    from clusteranim.algorithms.scaling import Scaling

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class State:
    """The parameters of a clustering at one iteration.

    Parameters
    ----------
    centers : ndarray of shape (k, d)
        Centroids, or the component means of a mixture.
    weights : ndarray of shape (k,) or None
        Mixture weights (mixtures only).
    covariances : ndarray of shape (k, d, d) or None
        Full covariance matrix of each component (mixtures only), whatever the
        covariance type the algorithm fits.
    """

    centers: FloatArray
    weights: FloatArray | None = None
    covariances: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What a state implies for the data.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        Hard assignment of each point under the state.
    objective : float
        k-means: inertia; mixtures: mean log-likelihood.
    statistics : object
        Whatever the algorithm's next ``step`` needs (e.g. responsibilities).
    """

    labels: IntArray
    objective: float
    statistics: Any = None


class IterativeAlgorithm(Protocol):
    """One clustering algorithm, fitted to data given to each call."""

    def initialize(self, X: FloatArray, scaling: Scaling) -> State:
        """The state at index 0, in the fitting space of ``X``.

        ``scaling`` maps explicit starting parameters, given in data coordinates, to
        that space.
        """
        ...

    def evaluate(self, X: FloatArray, state: State) -> Evaluation:
        """Labels and objective of ``state``, plus what ``step`` needs."""
        ...

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> State:
        """One update from ``state``, whose evaluation is given."""
        ...

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        """Whether the update from ``previous`` to ``current`` ends the run."""
        ...

    def responsibilities(self, X: FloatArray, state: State) -> FloatArray:
        """Soft assignment of shape (n, k), rows summing to 1 (one-hot for hard methods)."""
        ...


class AlgorithmOptions(NamedOptions):
    """Options every algorithm has; subclasses add their own and implement ``build``."""

    kind_key: ClassVar[str] = "name"
    #: How titles name the algorithm.
    display_name: ClassVar[str] = ""
    #: Whether its states carry covariances (mixtures), which ellipses can show.
    has_covariances: ClassVar[bool] = False

    k: int = Field(3, ge=1, description="Number of clusters or mixture components.")
    max_iter: int = Field(30, ge=1, description="Most updates to perform.")
    tol: float = Field(1e-4, ge=0, description="Convergence tolerance (see the algorithm).")
    seed: int | None = Field(
        None,
        ge=0,
        description="Seed of the initialisation (any integer >= 0); defaults to the scenario's"
        " top-level seed, so the starting state can be re-drawn without new data.",
    )
    normalize: Literal["none", "minmax", "standard"] = Field(
        "none",
        description="Fit in a normalised space (min-max to [0, 1], or zero mean and unit"
        " variance per column); the trace reports everything in data coordinates.",
    )

    def build(self, seed: int) -> IterativeAlgorithm:
        """The algorithm these options describe, seeded for its initialisation."""
        raise NotImplementedError
