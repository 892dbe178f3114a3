"""The recorder: runs an iterative algorithm and keeps every state it goes through."""

from __future__ import annotations

import numpy as np

from clusteranim.algorithms.base import AlgorithmProfile, IterativeAlgorithm, iterate
from clusteranim.algorithms.scaling import Scaling
from clusteranim.arrays import FloatArray
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
