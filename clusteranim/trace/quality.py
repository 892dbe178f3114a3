"""Quality measures of every state of a run, to compare runs (of a sweep over k, say).

Internal measures are computed in the space the algorithm fitted in (after
``normalize``; in the data's own for a sweep of ``normalize``), on the hard labels of
each state; see :mod:`clusteranim.metrics` for what
each says. External ones compare the labels with the data's true labels, when it has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from clusteranim import metrics
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.trace.core import Trace


@dataclass(frozen=True)
class Measure:
    """A quality measure: its key, how a chart names it, and which way is better."""

    key: str
    label: str
    better: Literal["higher", "lower", "elbow"]


MEASURES = {
    measure.key: measure
    for measure in (
        Measure("inertia", "inertia (elbow)", "elbow"),
        Measure("bic", "BIC", "lower"),
        Measure("aic", "AIC", "lower"),
        Measure("silhouette", "silhouette", "higher"),
        Measure("calinski_harabasz", "Calinski-Harabasz", "higher"),
        Measure("davies_bouldin", "Davies-Bouldin", "lower"),
        Measure("ari", "ARI vs truth", "higher"),
        Measure("nmi", "NMI vs truth", "higher"),
        Measure("noise", "noise share", "lower"),
    )
}


def measure_keys(trace: Trace, truth: IntArray | None, mixture: bool) -> list[str]:
    """The measures a run has: inertia for centre-based methods, BIC and AIC for a
    Gaussian mixture, the internal ones for all, ARI and NMI with true labels, the share
    of noise points for methods that leave some out (DBSCAN)."""
    keys = []
    if mixture:
        keys += ["bic", "aic"]
    elif trace.capabilities.centers:
        keys.append("inertia")
    keys += ["silhouette", "calinski_harabasz", "davies_bouldin"]
    if truth is not None:
        keys += ["ari", "nmi"]
    if trace.capabilities.noise:
        keys.append("noise")
    return keys


def measure_states(
    trace: Trace,
    truth: IntArray | None,
    keys: list[str],
    mixture_parameters: int | None = None,
    seed: int = 0,
    fit_space: bool = True,
) -> dict[str, FloatArray]:
    """Each measure of ``keys`` at every state of ``trace``: arrays of shape (T + 1,).

    Parameters
    ----------
    trace : Trace
    truth : ndarray or None
        The data's true labels.
    keys : list of str
        From :func:`measure_keys`.
    mixture_parameters : int, optional
        A Gaussian mixture's number of free parameters (for BIC and AIC), whose
        objective is the mean log-likelihood.
    seed : int
        Of the silhouette's sample of points, above :data:`metrics.SILHOUETTE_SAMPLE`.
    fit_space : bool
        Measure in the space the algorithm fitted in (else in the data's own coordinates,
        to compare runs that fitted in different spaces).
    """
    X = trace.fit_X if fit_space else trace.X
    values = {key: np.full(len(trace), np.nan) for key in keys}
    for index in range(len(trace)):
        labels = trace.labels(index)
        row = _state_measures(trace, X, labels, index, truth, keys, mixture_parameters, seed, fit_space)
        for key, value in row.items():
            values[key][index] = value
    return values


def _state_measures(
    trace: Trace,
    X: FloatArray,
    labels: IntArray,
    index: int,
    truth: IntArray | None,
    keys: list[str],
    mixture_parameters: int | None,
    seed: int,
    fit_space: bool,
) -> dict[str, float]:
    row: dict[str, float] = {}
    if "inertia" in keys:
        centers = trace.fit_centers(index) if fit_space else trace.centers[index]
        kept = labels >= 0
        row["inertia"] = metrics.inertia(X[kept], labels[kept], np.nan_to_num(centers))
    if mixture_parameters is not None and ("bic" in keys or "aic" in keys):
        total = float(trace.objective[index]) * len(X)
        row["bic"] = metrics.bic(total, len(X), mixture_parameters)
        row["aic"] = metrics.aic(total, mixture_parameters)
    if "silhouette" in keys:
        row["silhouette"] = metrics.silhouette(X, labels, seed=seed)
    if "calinski_harabasz" in keys:
        row["calinski_harabasz"] = metrics.calinski_harabasz(X, labels)
    if "davies_bouldin" in keys:
        row["davies_bouldin"] = metrics.davies_bouldin(X, labels)
    if "noise" in keys:
        row["noise"] = float(np.mean(labels < 0))
    if truth is not None and "ari" in keys:
        row["ari"] = metrics.adjusted_rand(truth, labels)
        row["nmi"] = metrics.normalized_mutual_info(truth, labels)
    return row


@dataclass(frozen=True)
class SweepTable:
    """The measures of every run of a sweep, state by state.

    Parameters
    ----------
    key : str
        The dotted key swept.
    values : list
        Its value in each run.
    keys : list of str
        The measures, those every run has (see :data:`MEASURES`).
    states : list of dict
        Each run's measures at each of its states.
    n_iter : list of int
    converged : list of bool
    """

    key: str
    values: list[object]
    keys: list[str]
    states: list[dict[str, FloatArray]]
    n_iter: list[int]
    converged: list[bool]

    def at(self, step: int) -> list[dict[str, float]]:
        """Each run's measures at ``step`` (its last state once it has ended)."""
        return [
            {key: float(measures[key][min(step, n_iter)]) for key in self.keys}
            for measures, n_iter in zip(self.states, self.n_iter, strict=True)
        ]

    def rows(self) -> list[dict[str, object]]:
        """One row per run, at its last state: the value swept, how the run ended and
        each measure (None where it is not a number)."""
        rows = []
        for value, measures, n_iter, converged in zip(
            self.values, self.at(max(self.n_iter)), self.n_iter, self.converged, strict=True
        ):
            row: dict[str, object] = {"value": value, "n_iter": n_iter, "converged": converged}
            row.update({key: number if np.isfinite(number) else None for key, number in measures.items()})
            rows.append(row)
        return rows


def sweep_table(
    key: str, values: list[object], runs: list[tuple[Trace, IntArray | None, int | None]], seed: int = 0
) -> SweepTable:
    """The :class:`SweepTable` of ``runs``, each (trace, true labels or None, a mixture's
    number of parameters or None), one per value of ``key``; a sweep of ``normalize``
    is measured in the data's own coordinates (each run fitted in another space)."""
    fit_space = key != "algorithm.normalize"
    keys: list[str] | None = None
    for trace, truth, parameters in runs:
        own = measure_keys(trace, truth, parameters is not None)
        keys = own if keys is None else [name for name in keys if name in own]
    assert keys is not None
    states = [
        measure_states(trace, truth, keys, parameters, seed, fit_space) for trace, truth, parameters in runs
    ]
    return SweepTable(
        key,
        list(values),
        keys,
        states,
        [trace.n_iter for trace, _, _ in runs],
        [trace.converged for trace, _, _ in runs],
    )
