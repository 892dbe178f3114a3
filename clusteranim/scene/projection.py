"""The linear map from the data's d dimensions to the 2-D view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from clusteranim.arrays import FloatArray
from clusteranim.options import OptionError


def view_columns(spec: Literal["first2"] | Sequence[int], n_features: int) -> tuple[int, int]:
    """The two data columns a view shows (-1: none, for 1-D data).

    Raises
    ------
    OptionError
        When a column index does not exist.
    """
    columns = (0, 1) if spec == "first2" else (int(spec[0]), int(spec[1]))
    if spec == "first2" and n_features == 1:
        return (0, -1)
    for column in columns:
        if not 0 <= column < n_features:
            raise OptionError(
                "projection",
                f"column {column} does not exist; the data has {n_features} (0 to {n_features - 1})",
            )
    return columns


#: Half the height of a strip (1-D data), as a share of the data's span along it.
STRIP_HALF_HEIGHT = 0.25
#: The seed of the strip's jitter: fixed, so that a scenario draws the same bytes each time.
STRIP_SEED = 1


@dataclass(frozen=True, eq=False)
class Strip:
    """How 1-D data is drawn: along the view's x axis, each point at a random height
    (its jitter) within a band about y = 0, on which centres lie.

    Parameters
    ----------
    data : ndarray of shape (n, d)
        The data the view was fitted on: drawn with its jitter when projected.
    jitter : ndarray of shape (n,)
        The height of each of its points, in [-half_height, half_height].
    half_height : float
        Half the band's height in view units.
    """

    data: FloatArray
    jitter: FloatArray
    half_height: float

    @classmethod
    def of(cls, X: FloatArray, along: FloatArray) -> Strip:
        """The strip of data ``X`` whose positions along the view are ``along`` (n,)."""
        span = float(np.ptp(along)) if len(along) else 0.0
        half_height = STRIP_HALF_HEIGHT * (span if span > 0 else 1.0)
        jitter = np.random.default_rng(STRIP_SEED).uniform(-half_height, half_height, len(X))
        return cls(X, jitter, half_height)


@dataclass(frozen=True, eq=False)
class Projection:
    """``view = (x - mean) @ components``: points, centres and covariances alike.

    Parameters
    ----------
    mean : ndarray of shape (d,)
    components : ndarray of shape (d, 2)
        A column of zeros shows 1-D data along a line.
    axis_labels : (str, str) or None
        What the two view axes show, when there is something to say.
    strip : Strip or None
        For a view with one axis (1-D data): the jitter of the data's points across
        the line, so that they do not hide each other.
    """

    mean: FloatArray
    components: FloatArray
    axis_labels: tuple[str, str] | None = None
    strip: Strip | None = None

    @classmethod
    def fit(
        cls,
        X: FloatArray,
        spec: Literal["pca", "first2"] | Sequence[int] | None,
        feature_names: tuple[str, ...] | None = None,
    ) -> Projection:
        """The view ``spec`` asks for on data ``X`` of shape (n, d).

        Parameters
        ----------
        X : ndarray of shape (n, d)
        spec : {"pca", "first2"}, pair of column indices, or None
            None means ``pca`` when d > 2, else ``first2``.
        feature_names : tuple of str, optional
            Column names, to label the axes.

        Raises
        ------
        OptionError
            When a column index does not exist.
        """
        projection = cls._fit(X, spec, feature_names)
        if projection.components[:, 1].any():
            return projection
        strip = Strip.of(X, projection.points(X)[:, 0])
        return cls(projection.mean, projection.components, projection.axis_labels, strip)

    @classmethod
    def _fit(
        cls,
        X: FloatArray,
        spec: Literal["pca", "first2"] | Sequence[int] | None,
        feature_names: tuple[str, ...] | None,
    ) -> Projection:
        n_features = X.shape[1]
        if spec is None:
            spec = "pca" if n_features > 2 else "first2"
        if spec == "pca":
            return cls._pca(X)
        columns = view_columns(spec, n_features)
        components = np.zeros((n_features, 2))
        # The columns shown keep their values; the others sit at their mean when a view
        # point is lifted back into the data space.
        mean = X.mean(axis=0)
        for axis, column in enumerate(columns):
            if column >= 0:
                components[column, axis] = 1.0
                mean[column] = 0.0
        labels = None
        if feature_names is not None:
            labels = (feature_names[columns[0]], feature_names[columns[1]] if columns[1] >= 0 else "")
        return cls(mean, components, labels)

    @classmethod
    def _pca(cls, X: FloatArray) -> Projection:
        """The two principal axes, each signed so that its largest loading is positive."""
        mean = X.mean(axis=0)
        centred = X - mean
        covariance = np.atleast_2d(centred.T @ centred) / max(len(X), 1)
        variances, vectors = np.linalg.eigh(covariance)
        order = np.argsort(variances)[::-1]
        variances, vectors = variances[order], vectors[:, order]
        signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])
        vectors = vectors * np.where(signs == 0, 1.0, signs)
        components = np.zeros((X.shape[1], 2))
        n_axes = min(2, X.shape[1])
        components[:, :n_axes] = vectors[:, :n_axes]
        total = float(variances.sum()) or 1.0
        shares = [100 * float(variance) / total for variance in variances[:2]]
        labels = tuple(f"PC {index + 1} ({share:.0f}% of variance)" for index, share in enumerate(shares))
        return cls(mean, components, (labels[0], labels[1] if len(labels) > 1 else ""))

    def points(self, X: FloatArray) -> FloatArray:
        """Points of shape (..., d) in the view, shape (..., 2); the data the view was
        fitted on (that very array), on a strip, at its jitter's heights."""
        view: FloatArray = (np.asarray(X) - self.mean) @ self.components
        if self.strip is not None and X is self.strip.data:
            view[:, 1] = self.strip.jitter
        return view

    def lift(self, view: FloatArray) -> FloatArray:
        """View points of shape (m, 2) back in data coordinates: the point of the viewed
        plane (the components are orthonormal or zero)."""
        lifted: FloatArray = self.mean + view @ self.components.T
        return lifted

    def covariances(self, covariances: FloatArray) -> FloatArray:
        """Covariances of shape (..., d, d) in the view, shape (..., 2, 2)."""
        projected: FloatArray = self.components.T @ covariances @ self.components
        return projected
