"""The linear map from the data's d dimensions to the 2-D view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clusteranim.algorithms.base import FloatArray


@dataclass(frozen=True, eq=False)
class Projection:
    """``view = (x - mean) @ components``: points, centres and covariances alike.

    Parameters
    ----------
    mean : ndarray of shape (d,)
    components : ndarray of shape (d, 2)
    """

    mean: FloatArray
    components: FloatArray

    @classmethod
    def identity(cls, n_features: int) -> Projection:
        """The first two coordinates as they are (the second is 0 for 1-D data)."""
        components = np.zeros((n_features, 2))
        components[0, 0] = 1.0
        if n_features > 1:
            components[1, 1] = 1.0
        return cls(np.zeros(n_features), components)

    def points(self, X: FloatArray) -> FloatArray:
        """Points of shape (..., d) in the view, shape (..., 2)."""
        return (np.asarray(X) - self.mean) @ self.components

    def covariances(self, covariances: FloatArray) -> FloatArray:
        """Covariances of shape (..., d, d) in the view, shape (..., 2, 2)."""
        projected: FloatArray = self.components.T @ covariances @ self.components
        return projected
