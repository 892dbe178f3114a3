"""The Trace: every state a clustering went through, whatever the algorithm.

A state's parameters are kept in data coordinates (a row of NaN centres marks a cluster
that does not exist at that state). Per-point labels and memberships are either stored
(a trace read from a file or built from arrays) or computed from the parameters by the
algorithm's own rule when a frame needs them (a recorded trace), so that memory stays
O(n + T k d^2) for the algorithms that have such a rule.

Clusters keep their identity across states: label ``j`` is the same cluster at every
state, so a cluster keeps its colour while others appear, merge or vanish.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, BinaryIO

import numpy as np

from clusteranim.algorithms.base import AlgorithmProfile, Capabilities, IterativeAlgorithm
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import State
from clusteranim.arrays import BoolArray, FloatArray, IntArray
from clusteranim.options import OptionError
from clusteranim.sums import one_hot
from clusteranim.trace.checks import CUSTOM, EXTRAS, FORMAT_VERSION, NOISE, TraceArrays, check_arrays


@dataclass(frozen=True, eq=False)
class Rule:
    """An algorithm's way of assigning any point under a state, and its fitting space.

    Parameters
    ----------
    algorithm : IterativeAlgorithm
    scaling : Scaling
        The map from data coordinates to the space the algorithm fits in.
    """

    algorithm: IterativeAlgorithm
    scaling: Scaling

    def labels(self, points: FloatArray, state: State) -> IntArray:
        """Hard assignment of ``points`` under ``state``, both in data coordinates."""
        fit_state = self.scaling.to_fit_state(state)
        return self.algorithm.evaluate(self.scaling.to_fit(points), fit_state).labels

    def memberships(self, points: FloatArray, state: State) -> FloatArray:
        """Soft assignment of shape (m, k) of ``points`` under ``state``."""
        fit_state = self.scaling.to_fit_state(state)
        return self.algorithm.responsibilities(self.scaling.to_fit(points), fit_state)


@dataclass(frozen=True)
class Events:
    """What happened at one state, compared with the one before.

    Parameters
    ----------
    changed : ndarray of int
        Points whose cluster changed (noise counting as a cluster).
    reached : ndarray of int
        Points that were noise before and belong to a cluster now.
    merges : ndarray of shape (m, 3)
        Each merge as (cluster a, cluster b, the cluster they became).
    """

    changed: IntArray
    reached: IntArray
    merges: IntArray


@dataclass(frozen=True, eq=False)
class Trace:
    """Every state a clustering went through, index 0 being the initial one.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The data, in its own coordinates.
    states : sequence of State
        The parameters of each state in data coordinates, ``k`` cluster identities each
        (NaN centres where a cluster does not exist, or when the trace has no centres).
    objective : ndarray of shape (T + 1,)
        Objective of each state (NaN when the algorithm has none).
    n_iter : int
        Updates performed (T).
    converged : bool
        Whether the run stopped by convergence rather than at its limit.
    profile : AlgorithmProfile
        The algorithm's name, capabilities and number of cluster identities.
    rule : Rule, optional
        Assigns any point from a state's parameters; without one, points are assigned
        to the nearest existing centre.
    fit_states : sequence of State, optional
        The states in the rule's fitting space, as the algorithm produced them (labels
        and memberships of the data are computed from these, exactly).
    labels : ndarray of shape (T + 1, n), optional
        Stored hard labels, signed (-1 for noise); computed by the rule when absent.
    memberships : ndarray of shape (T + 1, n, k), optional
        Stored soft assignments; computed by the rule, or one-hot, when absent.
    active : ndarray of shape (T + 1, k), optional
        Which clusters exist at each state (all of them when absent).
    merges : ndarray of shape (m, 4)
        Each merge as (state, cluster a, cluster b, the cluster they became).
    extras : mapping of str to ndarray
        The algorithm's own arrays (mean-shift's windows, DBSCAN's core points, the
        merge tree), in data coordinates, as ``clusteranim.trace.checks.EXTRAS`` declares.
    scaling : Scaling, optional
        The fitting space of a trace recorded without a rule (by a direct algorithm);
        with a rule, the rule's.
    """

    X: FloatArray
    states: Sequence[State]
    objective: FloatArray
    n_iter: int
    converged: bool
    profile: AlgorithmProfile
    rule: Rule | None = None
    fit_states: Sequence[State] | None = None
    stored_labels: IntArray | None = None
    stored_memberships: FloatArray | None = None
    active: BoolArray | None = None
    merges: IntArray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.intp))
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)
    scaling: Scaling | None = None
    #: The labels of the states asked for last (computed by the rule), by index.
    _labels: dict[int, IntArray] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_arrays(cls, X: Any, *, labels: Any, **arrays: Any) -> Trace:
        """A trace built from arrays, e.g. from your own loop in a notebook.

        Parameters
        ----------
        X : array of shape (n, d)
            The data.
        labels : array of shape (T + 1, n)
            The cluster of each point at each state: 0 to k - 1, or -1 for noise. A
            label is a cluster's identity, and keeps its colour from state to state.
        **arrays
            Any of ``centers`` (T + 1, k, d; a row of NaN: the cluster does not exist
            then), ``weights`` (T + 1, k), ``covariances`` (T + 1, k, d, d),
            ``memberships`` (T + 1, n, k), ``objective`` (T + 1,) with
            ``objective_name``, ``active`` (T + 1, k), ``merges`` (m, 4: state, a, b,
            into), ``converged``, ``display_name`` (as titles show the algorithm), and
            the algorithms' own arrays (``windows``, ``core``, ``linkage``, ...: see
            ``clusteranim.trace.checks.EXTRAS``).

        Raises
        ------
        OptionError
            (a ValueError) at the first array found wrong, its message naming it.
        """
        try:
            checked = check_arrays({"X": X, "labels": labels, **arrays}, from_file=False)
        except OptionError as error:
            raise OptionError(
                error.key, f"{error.key}: {error.message}" if error.key else error.message
            ) from None
        return cls.from_checked(checked)

    @classmethod
    def from_checked(
        cls,
        checked: TraceArrays,
        rule: Rule | None = None,
        profile: AlgorithmProfile | None = None,
        X: FloatArray | None = None,
    ) -> Trace:
        """The trace of checked arrays, assigning points by ``rule`` (the algorithm's, when
        it is registered), described by ``profile`` (by default what the arrays hold),
        over the points ``X`` (by default the arrays' own)."""
        arrays = checked.arrays
        active: BoolArray | None = arrays.get("active")
        centers = np.array(arrays["centers"], dtype=np.float64) if "centers" in arrays else None
        n_states, n_clusters = checked.n_states, (profile or checked.profile).n_clusters
        d = checked.X.shape[1]
        if centers is None:
            centers = np.full((n_states, n_clusters, d), np.nan)
        elif active is not None:
            centers[~active] = np.nan
        weights = arrays.get("weights")
        covariances = arrays.get("covariances")
        states = [
            State(
                centers[index],
                None if weights is None else np.asarray(weights[index], np.float64),
                None if covariances is None else np.asarray(covariances[index], np.float64),
            )
            for index in range(n_states)
        ]
        objective = arrays.get("objective")
        return cls(
            X=checked.X if X is None else X,
            states=states,
            objective=np.full(n_states, np.nan) if objective is None else np.asarray(objective, np.float64),
            n_iter=int(arrays.get("n_iter", n_states - 1)),
            converged=bool(arrays.get("converged", False)),
            profile=profile or checked.profile,
            rule=rule,
            stored_labels=arrays["labels"],
            stored_memberships=None
            if "memberships" not in arrays
            else np.asarray(arrays["memberships"], np.float64),
            active=None if active is None or active.all() else active,
            merges=np.asarray(arrays.get("merges", np.zeros((0, 4))), dtype=np.intp),
            extras={name: arrays[name] for name in EXTRAS if name in arrays},
        )

    def __len__(self) -> int:
        return len(self.states)

    @property
    def n_states(self) -> int:
        """T + 1: the initial state and one per update."""
        return len(self.states)

    @property
    def capabilities(self) -> Capabilities:
        return self.profile.capabilities

    @property
    def n_clusters(self) -> int:
        """Number of cluster identities over the whole trace."""
        return self.profile.n_clusters

    @cached_property
    def fit_X(self) -> FloatArray:  # noqa: N802  (X, as in scikit-learn)
        """The data in the rule's fitting space (computed once, used per frame)."""
        return self.X if self.rule is None else self.rule.scaling.to_fit(self.X)

    def state(self, index: int) -> State:
        """The state at ``index``, in data coordinates."""
        return self.states[index]

    def is_active(self, index: int) -> BoolArray:
        """Which clusters exist at the state at ``index``, shape (k,)."""
        if self.active is None:
            return np.ones(self.n_clusters, dtype=bool)
        active: BoolArray = self.active[index]
        return active

    def n_active(self, index: int) -> int:
        """Number of clusters at the state at ``index``."""
        return int(self.is_active(index).sum())

    @cached_property
    def centers(self) -> FloatArray:
        """Array of shape (T + 1, k, d): centres in data coordinates (NaN where absent)."""
        return np.stack([state.centers for state in self.states])

    @cached_property
    def weights(self) -> FloatArray | None:
        """Array of shape (T + 1, k) when states carry weights, else None."""
        if not self.capabilities.weights:
            return None
        return np.stack([state.weights for state in self.states if state.weights is not None])

    @cached_property
    def covariances(self) -> FloatArray | None:
        """Array of shape (T + 1, k, d, d) in data coordinates when states carry them, else None."""
        if not self.capabilities.covariances:
            return None
        return np.stack([state.covariances for state in self.states if state.covariances is not None])

    def labels(self, index: int, points: IntArray | None = None) -> IntArray:
        """Hard assignment of shape (n,) under the state at ``index`` (-1: noise), of every
        point or of the points at indices ``points`` (computing only theirs)."""
        if self.stored_labels is not None:
            labels: IntArray = self.stored_labels[index].astype(np.intp)
            return labels if points is None else labels[points]
        assert self.rule is not None, "a trace without stored labels has a rule"
        if points is not None:
            return self.rule.labels(self.X[points], self.states[index])
        kept = self._labels
        if index not in kept:
            if len(kept) >= 4:  # frames ask for the same few states in turn
                kept.pop(next(iter(kept)))
            kept[index] = self.rule.algorithm.evaluate(self.fit_X, self._fit_state(index)).labels
        return kept[index]

    def memberships(self, index: int, points: IntArray | None = None) -> FloatArray:
        """Soft assignment of shape (n, k) under the state at ``index``, of every point or of
        the points at indices ``points``; one-hot for hard assignments, a row of zeros
        for noise."""
        if self.stored_memberships is not None:
            stored: FloatArray = self.stored_memberships[index]
            return stored if points is None else stored[points]
        if self.rule is not None and (self.capabilities.soft or self.stored_labels is None):
            if points is not None:
                return self.rule.memberships(self.X[points], self.states[index])
            if self.stored_labels is None:
                return self.rule.algorithm.responsibilities(self.fit_X, self._fit_state(index))
            return self.rule.memberships(self.X, self.states[index])
        return one_hot(self.labels(index, points), self.n_clusters)

    def labels_of(self, points: FloatArray, state: State) -> IntArray:
        """Hard assignment of any points under a state, both in data coordinates."""
        if self.rule is not None:
            return self.rule.labels(points, state)
        return nearest_existing(points, state.centers)

    def events(self, index: int) -> Events:
        """What changed from the state before ``index`` (nothing at index 0)."""
        rows = self.merges[self.merges[:, 0] == index, 1:]
        if index == 0:
            empty = np.zeros(0, dtype=np.intp)
            return Events(empty, empty, rows)
        before, after = self.labels(index - 1), self.labels(index)
        return Events(
            changed=np.flatnonzero(before != after),
            reached=np.flatnonzero((before == NOISE) & (after != NOISE)),
            merges=rows,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays of the trace archive (see the README's trace section), by name."""
        capabilities = self.capabilities
        n_clusters = self.n_clusters
        signed = np.min_scalar_type(-n_clusters)  # the smallest signed type holding -1 to k - 1
        arrays: dict[str, np.ndarray] = {
            "format_version": np.asarray(FORMAT_VERSION),
            "algorithm": np.asarray(self.profile.key or CUSTOM),
            "display_name": np.asarray(self.profile.name),
            "X": self.X,
        }
        if capabilities.centers:
            arrays["centers"] = np.nan_to_num(self.centers, nan=0.0)
        arrays["labels"] = np.stack([self.labels(index).astype(signed) for index in range(len(self))])
        if capabilities.objective is not None:
            arrays["objective"] = self.objective
            arrays["objective_name"] = np.asarray(capabilities.objective)
        arrays["n_iter"] = np.asarray(self.n_iter)
        arrays["converged"] = np.asarray(self.converged)
        if (weights := self.weights) is not None:
            arrays["weights"] = weights
        if (covariances := self.covariances) is not None:
            arrays["covariances"] = covariances
        if self.stored_memberships is not None:
            arrays["memberships"] = self.stored_memberships
        if self.active is not None:
            arrays["active"] = self.active
        if len(self.merges):
            arrays["merges"] = self.merges
        arrays.update(self.extras)
        scaling = self.scaling if self.rule is None else self.rule.scaling
        if scaling is not None and not scaling.is_identity:
            arrays["fit_offset"] = scaling.offset
            arrays["fit_scale"] = scaling.scale
        return arrays

    def save(self, file: str | os.PathLike[str] | BinaryIO) -> None:
        """Write the trace as an uncompressed ``.npz`` archive (``render --trace`` reads it)."""
        np.savez(file, **self.arrays())  # type: ignore[arg-type]

    def fit_centers(self, index: int) -> FloatArray:
        """The centres at ``index`` in the space the algorithm fitted in (the data's own
        for a trace without a rule)."""
        if self.fit_states is None and self.rule is None:
            centers: FloatArray = self.centers[index]
            return centers
        return self._fit_state(index).centers

    def _fit_state(self, index: int) -> State:
        if self.fit_states is not None:
            return self.fit_states[index]
        assert self.rule is not None
        return self.rule.scaling.to_fit_state(self.states[index])


def nearest_existing(points: FloatArray, centers: FloatArray) -> IntArray:
    """Index of the nearest centre (rows of NaN are clusters that do not exist) of each
    point; -1 for every point when no centre exists."""
    exists = ~np.isnan(centers).any(axis=1)
    if not exists.any():
        return np.full(len(points), NOISE, dtype=np.intp)
    candidates = np.flatnonzero(exists)
    chosen = centers[candidates]
    distances = (
        np.einsum("ij,ij->i", points, points)[:, None]
        - 2.0 * (points @ chosen.T)
        + np.einsum("ij,ij->i", chosen, chosen)
    )
    nearest: IntArray = candidates[np.argmin(distances, axis=1)]
    return nearest
