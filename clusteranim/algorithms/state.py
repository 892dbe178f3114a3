"""The parameters of a clustering at one iteration, and what they imply for the data.

Both the algorithms (which produce states) and the scaling between data and fitting
coordinates (which maps them) import these; neither imports the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clusteranim.arrays import FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class State:
    """The parameters of a clustering at one iteration.

    Parameters
    ----------
    centers : ndarray of shape (k, d)
        Centroids, or the component means of a mixture. In a trace, a row of NaN marks
        a cluster that does not exist at this iteration (or a trace without centres).
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
