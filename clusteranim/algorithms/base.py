"""The protocol every iterative clustering algorithm follows, and the options they share.

An algorithm is a small object with explicit steps, in the manner of scikit-learn's
``BaseMixture.fit_predict``: ``initialize`` gives the state at index 0, ``evaluate``
scores a state (hard labels, objective, and whatever the next ``step`` needs), ``step``
performs one update, and ``has_converged`` compares two consecutive evaluations.
:func:`iterate` drives this loop for every algorithm alike; the recorder in
:mod:`clusteranim.trace` keeps what it yields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import Field, model_validator

from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import BoolArray, FloatArray, IntArray
from clusteranim.options import LIVE, NamedOptions, OptionError


@dataclass(frozen=True)
class Capabilities:
    """What an algorithm's trace holds, for the layers to ask instead of guessing.

    Parameters
    ----------
    objective : str or None
        What the objective measures, as titles and the objective plot name it; None
        when there is none.
    maximize : bool
        Whether a better state has a higher objective (log-likelihood) rather than a
        lower one (inertia).
    optimized : bool
        Whether the algorithm optimises its objective, rather than only reporting it
        (agglomerative clustering's merge height).
    soft : bool
        Whether points have graded memberships (responsibilities), not only labels.
    centers, weights, covariances : bool
        Whether states carry these parameters.
    varying_k : bool
        Whether the number of clusters can change from one state to the next.
    noise : bool
        Whether points can be left out of every cluster (label -1).
    merge_tree : bool
        Whether states record merges of two clusters.
    assigns_any_point : bool
        Whether a state assigns any point of the plane, not only the data (decision
        regions need it).
    nearest_center : bool
        Whether a state assigns each point to its nearest centre in the fitting space:
        its regions are then convex polygons (a Voronoi diagram), drawn as such.
    member : str
        What one cluster is called in legends: "cluster" or "component".
    """

    objective: str | None = None
    maximize: bool = False
    optimized: bool = True
    soft: bool = False
    centers: bool = True
    weights: bool = False
    covariances: bool = False
    varying_k: bool = False
    noise: bool = False
    merge_tree: bool = False
    assigns_any_point: bool = True
    nearest_center: bool = False
    member: str = "cluster"

    def describe(self) -> str:
        """What the algorithm gives, in a line: ``objective: inertia (lower is better);
        states: centers; assignments: hard``."""
        held = [name for name in ("centers", "weights", "covariances") if getattr(self, name)]
        parts = []
        if self.objective is not None:
            better = ("higher" if self.maximize else "lower") + " is better"
            reading = better if self.optimized else "reported, not optimised"
            parts.append(f"objective: {self.objective} ({reading})")
        parts.append("states: " + (", ".join(held) or "labels only"))
        parts.append("assignments: " + ("soft" if self.soft else "hard"))
        parts += [
            text
            for flag, text in (
                (self.noise, "noise"),
                (self.varying_k, "a varying number of clusters"),
                (self.merge_tree, "merges"),
            )
            if flag
        ]
        return "; ".join(parts)


@dataclass(frozen=True)
class AlgorithmProfile:
    """What the layers may know of the algorithm behind a trace, before it runs.

    Parameters
    ----------
    name : str
        As titles show it ("k-means").
    capabilities : Capabilities
    n_clusters : int
        Number of cluster identities (k for a fixed number of clusters); 0 before the run
        for an algorithm that finds the number itself (DBSCAN, mean-shift).
    key : str
        The name the algorithm is registered under (``algorithm.name``), or "" for a
        trace made by an algorithm clusteranim does not know.
    """

    name: str
    capabilities: Capabilities
    n_clusters: int
    key: str = ""

    @property
    def finds_k(self) -> bool:
        """Whether the run finds the number of clusters (``n_clusters`` is 0 until it has)."""
        return self.n_clusters == 0


class IterativeAlgorithm(Protocol):
    """One clustering algorithm, fitted to data given to each call."""

    #: What its states and assignments hold.
    capabilities: ClassVar[Capabilities]

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
    #: What its states and assignments hold (those of the algorithm ``build`` makes).
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Default caption templates of its own, by kind of step ("update", ...), over those
    #: that its capabilities choose (see the caption layer).
    captions: ClassVar[dict[str, str]] = {}
    #: Why explain mode (each step as an assignment and an update) does not fit the
    #: algorithm, as the message refusing it says; empty when it fits.
    unexplained: ClassVar[str] = ""
    #: The layers drawn when the scenario names none (``style.layers``).
    layers: ClassVar[tuple[str, ...]] = ("points", "centroids", "title")

    k: int = Field(3, ge=1, json_schema_extra=LIVE, description="Number of clusters or mixture components.")
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
        json_schema_extra=LIVE,
        description="Fit in a normalised space (min-max to [0, 1], or zero mean and unit"
        " variance per column); the trace reports everything in data coordinates.",
    )

    def profile(self) -> AlgorithmProfile:
        """The name, capabilities and number of clusters of the algorithm."""
        return AlgorithmProfile(self.display_name, self.capabilities, self.k, self.plugin_name())

    def start_description(self) -> str:
        """How the starting state is chosen, in a few words (for captions)."""
        return "its initialisation"

    def build(self, seed: int) -> IterativeAlgorithm:
        """The algorithm these options describe, seeded for its initialisation."""
        raise NotImplementedError


def iterate(
    algorithm: IterativeAlgorithm, X: FloatArray, scaling: Scaling, max_iter: int
) -> Iterator[tuple[State, Evaluation, bool]]:
    """Every state from the initial one, with its evaluation and whether the run has
    converged with it; at most ``max_iter`` updates.

    Parameters
    ----------
    algorithm : IterativeAlgorithm
    X : ndarray of shape (n, d)
        The data in the fitting space.
    scaling : Scaling
        The map from data coordinates to that space (for explicit starting parameters).
    max_iter : int
    """
    state = algorithm.initialize(X, scaling)
    evaluation = algorithm.evaluate(X, state)
    yield state, evaluation, False
    for _ in range(max_iter):
        new_state = algorithm.step(X, state, evaluation)
        new_evaluation = algorithm.evaluate(X, new_state)
        converged = algorithm.has_converged((state, evaluation), (new_state, new_evaluation), X)
        yield new_state, new_evaluation, converged
        if converged:
            return
        state, evaluation = new_state, new_evaluation


@dataclass(frozen=True, eq=False)
class Recording:
    """Every state of a run of a direct algorithm, in the fitting space.

    Parameters
    ----------
    labels : ndarray of shape (T + 1, n)
        The cluster of each point at each state: 0 to k - 1, a cluster's identity (its
        colour from state to state), or -1 for a point in no cluster (noise, or not yet
        reached).
    centers : ndarray of shape (T + 1, k, d)
        Centres in the fitting space; a row of NaN where a cluster does not exist (every
        row, for an algorithm without centres).
    objective : ndarray of shape (T + 1,)
        NaN when the algorithm has none.
    converged : bool
        Whether the run ended by itself rather than at a limit.
    active : ndarray of shape (T + 1, k), optional
        Which clusters exist at each state (all, when absent).
    memberships : ndarray of shape (T + 1, n, k), optional
        Soft assignments, for soft methods.
    merges : ndarray of shape (m, 4), optional
        Each merge of two clusters as (state, cluster a, cluster b, the cluster they became).
    extras : mapping of str to ndarray
        The algorithm's own arrays, as :data:`clusteranim.trace.checks.EXTRAS` declares
        them (coordinates in the fitting space).
    """

    labels: IntArray
    centers: FloatArray
    objective: FloatArray
    converged: bool
    active: BoolArray | None = None
    memberships: FloatArray | None = None
    merges: IntArray | None = None
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_states(self) -> int:
        return int(self.labels.shape[0])

    @property
    def n_clusters(self) -> int:
        return int(self.centers.shape[1])


class DirectAlgorithm(Protocol):
    """A clustering algorithm that records every state in one go (DBSCAN's expansion,
    mean-shift's windows, agglomerative merges): its states are not parameters from which
    labels follow by a rule, so the labels of each state are stored."""

    #: What its states and assignments hold.
    capabilities: ClassVar[Capabilities]

    def record(self, X: FloatArray, max_iter: int) -> Recording:
        """Every state of a run on ``X`` (n, d), in the fitting space."""
        ...


class DirectOptions(AlgorithmOptions):
    """Options of a direct algorithm; subclasses implement ``recorder``."""

    #: Keys every algorithm has that this one does not use ("k", "max_iter", "tol"), each
    #: with the reason its message gives ("it finds the number of clusters itself"):
    #: giving one is an error, and neither ``clusteranim list`` nor the schema shows them.
    unused: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _refuse_unused(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in cls.unused:
                if key in data:
                    raise OptionError(key, f"is not used by {cls.display_name}: {cls.unused[key]}")
        return data

    @classmethod
    def parameters(cls) -> dict[str, Any]:
        return {name: value for name, value in super().parameters().items() if name not in cls.unused}

    def profile(self) -> AlgorithmProfile:
        n_clusters = 0 if "k" in self.unused else self.k
        return AlgorithmProfile(self.display_name, self.capabilities, n_clusters, self.plugin_name())

    def build(self, seed: int) -> IterativeAlgorithm:
        raise TypeError(f"{self.display_name} is a direct algorithm: use recorder()")

    def recorder(self, seed: int) -> DirectAlgorithm:
        """The algorithm these options describe, seeded where it draws at random."""
        raise NotImplementedError
