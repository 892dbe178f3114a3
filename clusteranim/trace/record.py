"""The recorders: run an algorithm and keep every state it goes through.

An iterative algorithm is driven step by step (:func:`record`), and its labels are
computed from each state's parameters when a frame needs them; a direct algorithm
records its states itself (:func:`record_direct`), labels included.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from clusteranim.algorithms.base import AlgorithmProfile, DirectAlgorithm, IterativeAlgorithm, iterate
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import State
from clusteranim.arrays import FloatArray
from clusteranim.trace.checks import EXTRAS
from clusteranim.trace.core import Rule, Trace


def record(
    algorithm: IterativeAlgorithm,
    X: FloatArray,
    max_iter: int,
    scaling: Scaling | None = None,
    profile: AlgorithmProfile | None = None,
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
    profile : AlgorithmProfile, optional
        The algorithm's name and registry key (from its options); by default unnamed,
        with the capabilities the algorithm declares.

    Returns
    -------
    Trace
        ``n_iter + 1`` states; the labels of each are computed from its parameters.
    """
    scaling = scaling or Scaling.identity(X.shape[1])
    Z = scaling.to_fit(X)
    # Only the states and objectives are kept: an evaluation holds per-point arrays.
    fit_states, objective, converged = [], [], False
    for state, evaluation, done in iterate(algorithm, Z, scaling, max_iter):
        fit_states.append(state)
        objective.append(evaluation.objective)
        converged = done
    if profile is None:
        profile = AlgorithmProfile("", algorithm.capabilities, int(fit_states[0].centers.shape[0]))
    return Trace(
        X=X,
        states=[scaling.to_data_state(state) for state in fit_states],
        objective=np.asarray(objective),
        n_iter=len(fit_states) - 1,
        converged=converged,
        profile=profile,
        rule=Rule(algorithm, scaling),
        fit_states=fit_states,
    )


def record_direct(
    algorithm: DirectAlgorithm,
    X: FloatArray,
    max_iter: int,
    scaling: Scaling | None = None,
    profile: AlgorithmProfile | None = None,
) -> Trace:
    """Run a direct algorithm on ``X`` and keep the states it records.

    Parameters are those of :func:`record`; ``profile``'s number of clusters is replaced
    by the run's (an algorithm that finds k has none before).

    Returns
    -------
    Trace
        The recording's states in data coordinates, with stored labels.
    """
    scaling = scaling or Scaling.identity(X.shape[1])
    recording = algorithm.record(scaling.to_fit(X), max_iter)
    n_clusters = recording.n_clusters
    if profile is None:
        profile = AlgorithmProfile("", algorithm.capabilities, n_clusters)
    profile = dataclasses.replace(profile, n_clusters=n_clusters)
    capabilities = profile.capabilities
    centers = recording.centers * scaling.scale + scaling.offset
    extras = {}
    for name, values in recording.extras.items():
        role = EXTRAS[name].role
        extras[name] = (
            values * scaling.scale + scaling.offset
            if role == "points"
            else values * scaling.scale
            if role == "radius"
            else values
        )
    active = recording.active
    return Trace(
        X=X,
        states=[State(centers[index]) for index in range(recording.n_states)],
        objective=np.asarray(recording.objective, dtype=np.float64),
        n_iter=recording.n_states - 1,
        converged=recording.converged,
        profile=profile,
        stored_labels=recording.labels,
        stored_memberships=recording.memberships if capabilities.soft else None,
        active=None if active is None or active.all() else active,
        merges=np.zeros((0, 4), dtype=np.intp) if recording.merges is None else recording.merges,
        extras=extras,
        scaling=scaling,
    )
