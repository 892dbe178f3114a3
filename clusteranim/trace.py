"""The recorder, which runs an algorithm and keeps every iteration, and the Trace it returns.

The recorder keeps parameters, not per-point arrays: labels and responsibilities are
computed from the parameters when a frame or an export needs them, so memory stays
O(n + T k d^2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import BinaryIO

import numpy as np

from clusteranim.algorithms.base import FloatArray, IntArray, IterativeAlgorithm, State
from clusteranim.algorithms.scaling import Scaling


@dataclass(frozen=True, eq=False)
class Trace:
    """Every state an algorithm went through, index 0 being the initial one.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The data, in its own coordinates.
    fit_states : list of State
        The states in the space the algorithm fitted in (see ``scaling``).
    objective : ndarray of shape (T + 1,)
        Objective of each state (k-means: inertia; mixtures: mean log-likelihood),
        in the fitting space.
    n_iter : int
        Updates performed (T).
    converged : bool
        Whether the run stopped by convergence rather than at ``max_iter``.
    algorithm : IterativeAlgorithm
        The algorithm, to derive labels and responsibilities from a state.
    scaling : Scaling
        The map from data coordinates to the fitting space.
    """

    X: FloatArray
    fit_states: list[State]
    objective: FloatArray
    n_iter: int
    converged: bool
    algorithm: IterativeAlgorithm
    scaling: Scaling

    def __len__(self) -> int:
        return len(self.fit_states)

    @property
    def n_clusters(self) -> int:
        return int(self.fit_states[0].centers.shape[0])

    @cached_property
    def fit_X(self) -> FloatArray:  # noqa: N802  (X, as in scikit-learn)
        """The data in the space the algorithm fitted in (computed once, used per frame)."""
        return self.scaling.to_fit(self.X)

    def state(self, index: int) -> State:
        """The state at ``index``, in data coordinates."""
        return self.scaling.to_data_state(self.fit_states[index])

    @cached_property
    def centers(self) -> FloatArray:
        """Array of shape (T + 1, k, d): centroids or means in data coordinates."""
        return np.stack([self.state(index).centers for index in range(len(self))])

    @cached_property
    def weights(self) -> FloatArray | None:
        """Array of shape (T + 1, k) for mixtures, else None."""
        if self.fit_states[0].weights is None:
            return None
        return np.stack([state.weights for state in self.fit_states if state.weights is not None])

    @cached_property
    def covariances(self) -> FloatArray | None:
        """Array of shape (T + 1, k, d, d) in data coordinates for mixtures, else None."""
        if self.fit_states[0].covariances is None:
            return None
        states = [self.state(index) for index in range(len(self))]
        return np.stack([state.covariances for state in states if state.covariances is not None])

    def labels(self, index: int) -> IntArray:
        """Hard assignment of shape (n,) under the state at ``index``."""
        return self.algorithm.evaluate(self.fit_X, self.fit_states[index]).labels

    def responsibilities(self, index: int) -> FloatArray:
        """Soft assignment of shape (n, k) under the state at ``index``."""
        return self.algorithm.responsibilities(self.fit_X, self.fit_states[index])

    def labels_of(self, points: FloatArray, state: State) -> IntArray:
        """Hard assignment of any points (data coordinates) under a state in data coordinates."""
        fit_state = self.scaling.to_fit_state(state)
        return self.algorithm.evaluate(self.scaling.to_fit(points), fit_state).labels

    def responsibilities_of(self, points: FloatArray, state: State) -> FloatArray:
        """Soft assignment of any points under a state, both in data coordinates."""
        fit_state = self.scaling.to_fit_state(state)
        return self.algorithm.responsibilities(self.scaling.to_fit(points), fit_state)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays of the trace contract in DESIGN.md, keyed by their names."""
        label_dtype = np.min_scalar_type(max(self.n_clusters - 1, 0))
        arrays: dict[str, np.ndarray] = {
            "X": self.X,
            "centers": self.centers,
            "labels": np.stack([self.labels(index).astype(label_dtype) for index in range(len(self))]),
            "objective": self.objective,
            "n_iter": np.asarray(self.n_iter),
            "converged": np.asarray(self.converged),
        }
        if (weights := self.weights) is not None:
            arrays["weights"] = weights
        if (covariances := self.covariances) is not None:
            arrays["covariances"] = covariances
        return arrays

    def save(self, file: str | os.PathLike[str] | BinaryIO) -> None:
        """Write the trace as an uncompressed ``.npz`` archive."""
        np.savez(file, **self.arrays())  # type: ignore[arg-type]


def record(
    algorithm: IterativeAlgorithm, X: FloatArray, max_iter: int, scaling: Scaling | None = None
) -> Trace:
    """Run ``algorithm`` on ``X`` and keep the state after every update.

    Parameters
    ----------
    algorithm : IterativeAlgorithm
    X : ndarray of shape (n, d)
        The data in its own coordinates.
    max_iter : int
        Most updates to perform.
    scaling : Scaling, optional
        Map to the space the algorithm fits in; identity by default.

    Returns
    -------
    Trace
        ``n_iter + 1`` states; the last one's labels are its own final assignment.
    """
    scaling = scaling or Scaling.fit(X, "none")
    Z = scaling.to_fit(X)
    state = algorithm.initialize(Z, scaling)
    evaluation = algorithm.evaluate(Z, state)
    states = [state]
    objective = [evaluation.objective]
    converged = False
    for _ in range(max_iter):
        new_state = algorithm.step(Z, state, evaluation)
        new_evaluation = algorithm.evaluate(Z, new_state)
        states.append(new_state)
        objective.append(new_evaluation.objective)
        if algorithm.has_converged((state, evaluation), (new_state, new_evaluation), Z):
            converged = True
            break
        state, evaluation = new_state, new_evaluation
    return Trace(
        X=X,
        fit_states=states,
        objective=np.asarray(objective),
        n_iter=len(states) - 1,
        converged=converged,
        algorithm=algorithm,
        scaling=scaling,
    )
