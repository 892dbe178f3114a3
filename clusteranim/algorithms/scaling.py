"""Per-column normalisation: the space an algorithm fits in, and the way back."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from clusteranim.algorithms.state import State
from clusteranim.arrays import FloatArray


@dataclass(frozen=True, eq=False)
class Scaling:
    """The affine map ``z = (x - offset) / scale`` applied to every column.

    Parameters
    ----------
    offset : ndarray of shape (d,)
    scale : ndarray of shape (d,)
        Strictly positive; a constant column keeps scale 1.
    """

    offset: FloatArray
    scale: FloatArray

    @classmethod
    def identity(cls, n_features: int) -> Scaling:
        """The scaling that changes nothing."""
        return cls(np.zeros(n_features), np.ones(n_features))

    @classmethod
    def fit(cls, X: FloatArray, method: Literal["none", "minmax", "standard"]) -> Scaling:
        """The scaling ``method`` gives for data ``X`` of shape (n, d)."""
        n_features = X.shape[1]
        if method == "none":
            return cls.identity(n_features)
        if method == "minmax":
            offset = X.min(axis=0)
            span = X.max(axis=0) - offset
        else:
            offset = X.mean(axis=0)
            span = X.std(axis=0)
        return cls(offset, np.where(span > 0, span, 1.0))

    @cached_property
    def is_identity(self) -> bool:
        return bool(np.all(self.offset == 0) and np.all(self.scale == 1))

    def to_fit(self, X: FloatArray) -> FloatArray:
        """Points of shape (..., d) in data coordinates, mapped to the fitting space."""
        return X if self.is_identity else (X - self.offset) / self.scale

    def to_data_state(self, state: State) -> State:
        """A state of the fitting space expressed in data coordinates."""
        if self.is_identity:
            return state
        covariances = state.covariances
        if covariances is not None:
            covariances = covariances * np.multiply.outer(self.scale, self.scale)
        return State(state.centers * self.scale + self.offset, state.weights, covariances)

    def to_fit_state(self, state: State) -> State:
        """A state given in data coordinates expressed in the fitting space."""
        if self.is_identity:
            return state
        covariances = state.covariances
        if covariances is not None:
            covariances = covariances / np.multiply.outer(self.scale, self.scale)
        return State(self.to_fit(state.centers), state.weights, covariances)
