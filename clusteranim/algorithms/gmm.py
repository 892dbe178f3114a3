"""Gaussian mixture fitted by expectation-maximisation, step by step.

The formulas follow scikit-learn's ``GaussianMixture`` for each covariance type (the
same estimators, the same ``reg_covar`` on the diagonal, Cholesky factors of the
precisions, the E-step in log space), so that a trace can be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.algorithms.base import AlgorithmOptions, Capabilities, iterate
from clusteranim.algorithms.kmeans import CHUNK_ROWS, KMeans, column_means, relative_to
from clusteranim.algorithms.scaling import Scaling
from clusteranim.algorithms.state import Evaluation, State
from clusteranim.arrays import FloatArray
from clusteranim.options import LIVE, OptionError
from clusteranim.sums import one_hot

CovarianceType = Literal["full", "tied", "diag", "spherical"]


def logsumexp(values: FloatArray) -> FloatArray:
    """``log(sum(exp(values), axis=1))`` without overflow; rows of -inf give -inf."""
    peak = values.max(axis=1)
    finite_peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        total: FloatArray = np.log(np.exp(values - finite_peak[:, None]).sum(axis=1)) + finite_peak
    return total


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """EM for a mixture of k Gaussians.

    Parameters
    ----------
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    init : {"random", "kmeans"} or State
        ``random``: k data points as means, the data covariance for every component,
        equal weights; ``kmeans``: the parameters of a k-means fit's clusters; a State:
        explicit parameters in data coordinates (missing covariances and weights as for
        ``random``).
    reg_covar : float
        Added to the diagonal of every covariance.
    tol : float
        Stop when the mean log-likelihood changes by less than ``tol``.
    seed : int
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        objective="mean log-likelihood",
        maximize=True,
        soft=True,
        weights=True,
        covariances=True,
        member="component",
    )

    n_components: int
    covariance_type: CovarianceType
    init: Literal["random", "kmeans"] | State
    reg_covar: float
    tol: float
    seed: int

    # ------------------------------------------------------------------ protocol

    def initialize(self, X: FloatArray, scaling: Scaling) -> State:
        n_samples, n_features = X.shape
        if isinstance(self.init, State):
            if self.init.centers.shape[1] != n_features:
                raise OptionError(
                    "means",
                    f"means have {self.init.centers.shape[1]} coordinates but the data has {n_features}",
                )
            explicit = scaling.to_fit_state(self.init)
            covariances = explicit.covariances
            if covariances is None:
                covariances = self._data_covariances(X)
            weights = explicit.weights
            if weights is None:
                weights = np.full(self.n_components, 1.0 / self.n_components)
            return self._checked(State(explicit.centers, weights, covariances))
        if self.init == "kmeans":
            # As scikit-learn's init_params="kmeans": one k-means++ run, its clusters'
            # weights, means and covariances.
            kmeans = KMeans(self.n_components, "kmeans++", tol=1e-4, seed=self.seed)
            *_, (_, fitted, _) = iterate(kmeans, X, Scaling.identity(n_features), max_iter=300)
            return self._estimate(X, one_hot(fitted.labels, self.n_components))
        rng = np.random.default_rng(self.seed)
        means = X[rng.choice(n_samples, size=self.n_components, replace=False)].copy()
        weights = np.full(self.n_components, 1.0 / self.n_components)
        return self._checked(State(means, weights, self._data_covariances(X)))

    def evaluate(self, X: FloatArray, state: State) -> Evaluation:
        # About the data's mean, as in ``_estimate``: the densities do not move with the
        # origin, but the products they are computed from keep their precision.
        origin = column_means(X)
        shifted = State(state.centers - origin, state.weights, state.covariances)
        log_resp = np.empty((X.shape[0], self.n_components))
        total = 0.0
        for start in range(0, X.shape[0], CHUNK_ROWS):
            weighted = self._weighted_log_prob(relative_to(X[start : start + CHUNK_ROWS], origin), shifted)
            norm = logsumexp(weighted)
            log_resp[start : start + CHUNK_ROWS] = weighted - norm[:, None]
            total += float(norm.sum())
        return Evaluation(labels=log_resp.argmax(axis=1), objective=total / X.shape[0], statistics=log_resp)

    def step(self, X: FloatArray, state: State, evaluation: Evaluation) -> State:
        return self._estimate(X, np.exp(evaluation.statistics))

    def has_converged(
        self,
        previous: tuple[State, Evaluation],
        current: tuple[State, Evaluation],
        X: FloatArray,
    ) -> bool:
        return abs(current[1].objective - previous[1].objective) < self.tol

    def responsibilities(self, X: FloatArray, state: State) -> FloatArray:
        log_resp: FloatArray = self.evaluate(X, state).statistics
        return np.exp(log_resp)

    # ----------------------------------------------------------------- internals

    def _data_covariances(self, X: FloatArray) -> FloatArray:
        """The covariance of the whole data, as every component's starting covariance."""
        covariance = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
        covariance.flat[:: X.shape[1] + 1] += self.reg_covar
        native = {
            "full": np.broadcast_to(covariance, (self.n_components, *covariance.shape)),
            "tied": covariance,
            "diag": np.broadcast_to(np.diag(covariance), (self.n_components, X.shape[1])),
            "spherical": np.full(self.n_components, np.diag(covariance).mean()),
        }[self.covariance_type]
        return self._full(np.array(native), X.shape[1])

    def _estimate(self, X: FloatArray, resp: FloatArray) -> State:
        """The M-step: weights, means and covariances from responsibilities (n, k).

        Computed in the data centred on its mean: ``X.T @ X`` and the weighted sums of
        data far from the origin (near 1e9, say) would round off its spread.
        """
        origin = column_means(X)
        X = relative_to(X, origin)
        n_features = X.shape[1]
        counts = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
        means = resp.T @ X / counts[:, None]
        if self.covariance_type == "full":
            covariances = np.empty((self.n_components, n_features, n_features))
            for component in range(self.n_components):
                centred = X - means[component]
                covariances[component] = (resp[:, component] * centred.T) @ centred / counts[component]
                covariances[component].flat[:: n_features + 1] += self.reg_covar
            native = covariances
        elif self.covariance_type == "tied":
            tied = X.T @ X - (counts * means.T) @ means
            tied /= counts.sum()
            tied.flat[:: n_features + 1] += self.reg_covar
            native = tied
        else:
            variances = (resp.T @ (X * X)) / counts[:, None] - means**2 + self.reg_covar
            native = variances if self.covariance_type == "diag" else variances.mean(axis=1)
        weights = counts / counts.sum()
        return self._checked(State(means + origin, weights, self._full(native, n_features)))

    def _full(self, native: FloatArray, n_features: int) -> FloatArray:
        return full_covariances(native, self.covariance_type, self.n_components, n_features)

    def _precision_cholesky(self, state: State) -> FloatArray:
        """Cholesky factors of the precisions, in the native shape of the type."""
        assert state.covariances is not None
        covariances = state.covariances
        if self.covariance_type in ("diag", "spherical"):
            variances = np.diagonal(covariances, axis1=1, axis2=2)
            if self.covariance_type == "spherical":
                variances = variances[:, 0]
            if np.any(variances <= 0.0):
                raise self._ill_defined()
            return 1.0 / np.sqrt(variances)
        matrices = covariances[:1] if self.covariance_type == "tied" else covariances
        try:
            factors = np.linalg.cholesky(matrices)
        except np.linalg.LinAlgError:
            raise self._ill_defined() from None
        identity = np.eye(covariances.shape[1])
        precisions: FloatArray = np.linalg.solve(factors, np.broadcast_to(identity, factors.shape))
        precisions = precisions.transpose(0, 2, 1)
        return precisions[0] if self.covariance_type == "tied" else precisions

    def _checked(self, state: State) -> State:
        self._precision_cholesky(state)
        return state

    def _weighted_log_prob(self, X: FloatArray, state: State) -> FloatArray:
        """``log N(x | mean_k, cov_k) + log weight_k`` of shape (n, k)."""
        assert state.weights is not None
        n_features = X.shape[1]
        factors = self._precision_cholesky(state)
        means = state.centers
        if self.covariance_type in ("full", "tied"):
            log_prob = np.empty((X.shape[0], self.n_components))
            for component in range(self.n_components):
                factor = factors if self.covariance_type == "tied" else factors[component]
                projected = X @ factor - means[component] @ factor
                log_prob[:, component] = np.square(projected).sum(axis=1)
            diagonals = np.diagonal(factors) if self.covariance_type == "tied" else None
            if diagonals is not None:
                log_det = np.full(self.n_components, np.log(diagonals).sum())
            else:
                log_det = np.log(np.diagonal(factors, axis1=1, axis2=2)).sum(axis=1)
        elif self.covariance_type == "diag":
            precisions = factors**2
            log_prob = (
                np.sum(means**2 * precisions, axis=1)
                - 2.0 * (X @ (means * precisions).T)
                + (X**2) @ precisions.T
            )
            log_det = np.log(factors).sum(axis=1)
        else:
            precisions = factors**2
            log_prob = (
                np.sum(means**2, axis=1) * precisions
                - 2.0 * (X @ means.T * precisions)
                + np.outer(np.einsum("ij,ij->i", X, X), precisions)
            )
            log_det = n_features * np.log(factors)
        with np.errstate(divide="ignore"):
            log_weights = np.log(state.weights)
        weighted: FloatArray = -0.5 * (n_features * np.log(2 * np.pi) + log_prob) + log_det + log_weights
        return weighted

    def _ill_defined(self) -> OptionError:
        return OptionError(
            "reg_covar",
            "a component's covariance is not positive definite (it collapsed onto too few"
            f" points); increase reg_covar (now {self.reg_covar:g}), reduce k, or normalize the data",
        )


class GaussianMixtureOptions(AlgorithmOptions):
    """A Gaussian mixture fitted by expectation-maximisation."""

    summary = "Gaussian mixture fitted by expectation-maximisation"
    display_name = "GMM"
    capabilities = GaussianMixture.capabilities

    name: Literal["gmm"] = "gmm"
    tol: float = Field(1e-3, ge=0, description="Stop when the mean log-likelihood changes by less.")
    covariance_type: CovarianceType = Field(
        "full",
        description="full: one matrix per component; tied: one shared matrix; diag: one"
        " diagonal per component; spherical: one variance per component.",
    )
    reg_covar: float = Field(1e-6, ge=0, description="Added to every covariance's diagonal.")
    init: Literal["random", "kmeans", "explicit"] = Field(
        "random",
        json_schema_extra=LIVE,
        description="random: k data points as means, the data covariance, equal weights;"
        " kmeans: from a k-means fit; explicit: means (and optionally covariances, weights).",
    )
    means: list[list[float]] | None = Field(None, description="Starting means (init: explicit), k points.")
    covariances: list[list[list[float]]] | list[list[float]] | list[float] | None = Field(
        None,
        description="Starting covariances (init: explicit) in the shape of covariance_type:"
        " full k x d x d, tied d x d, diag k x d, spherical k.",
    )
    weights: list[float] | None = Field(
        None, description="Starting weights (init: explicit), k summing to 1."
    )

    def start_description(self) -> str:
        return {
            "random": "random data points as means and the data's covariance",
            "kmeans": "a k-means fit",
            "explicit": "the given parameters",
        }[self.init]

    @model_validator(mode="after")
    def _check_explicit(self) -> GaussianMixtureOptions:
        explicit = {"means": self.means, "covariances": self.covariances, "weights": self.weights}
        if self.init != "explicit":
            for key, value in explicit.items():
                if value is not None:
                    raise OptionError(key, "is only used with init: explicit")
            return self
        if self.means is None:
            raise OptionError("means", "is required with init: explicit")
        if len(self.means) != self.k:
            raise OptionError("means", f"lists {len(self.means)} means but k is {self.k}")
        n_features = len(self.means[0])
        if n_features == 0 or any(len(mean) != n_features for mean in self.means):
            raise OptionError("means", "every mean must have the same number (>= 1) of coordinates")
        if self.weights is not None:
            weights = np.asarray(self.weights)
            if weights.shape != (self.k,) or np.any(weights < 0) or abs(weights.sum() - 1) > 1e-6:
                raise OptionError("weights", f"must be {self.k} non-negative numbers summing to 1")
        if self.covariances is not None:
            _check_covariances(self.covariances, self.covariance_type, self.k, n_features)
        return self

    def build(self, seed: int) -> GaussianMixture:
        init: Literal["random", "kmeans"] | State
        if self.init == "explicit":
            assert self.means is not None
            means = np.asarray(self.means, dtype=np.float64)
            covariances = None
            if self.covariances is not None:
                native = np.asarray(self.covariances, dtype=np.float64)
                covariances = full_covariances(native, self.covariance_type, self.k, means.shape[1])
            weights = None if self.weights is None else np.asarray(self.weights, dtype=np.float64)
            init = State(means, weights, covariances)
        else:
            init = self.init
        return GaussianMixture(
            n_components=self.k,
            covariance_type=self.covariance_type,
            init=init,
            reg_covar=self.reg_covar,
            tol=self.tol,
            seed=seed,
        )


def _expected_shape(covariance_type: CovarianceType, k: int, d: int) -> tuple[int, ...]:
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]


def full_covariances(native: FloatArray, covariance_type: CovarianceType, k: int, d: int) -> FloatArray:
    """Covariances in the native shape of ``covariance_type``, as (k, d, d) matrices."""
    if covariance_type == "full":
        return native
    if covariance_type == "tied":
        return np.repeat(native[None], k, axis=0)
    variances = native if covariance_type == "diag" else np.repeat(native[:, None], d, axis=1)
    full = np.zeros((k, d, d))
    full[:, np.arange(d), np.arange(d)] = variances
    return full


def _check_covariances(covariances: object, covariance_type: CovarianceType, k: int, d: int) -> None:
    expected = _expected_shape(covariance_type, k, d)
    try:
        native = np.asarray(covariances, dtype=np.float64)
    except ValueError:
        native = np.empty(0)
    if native.shape != expected:
        raise OptionError(
            "covariances",
            f"must have shape {' x '.join(map(str, expected))} for covariance_type {covariance_type}",
        )
    full = full_covariances(native, covariance_type, k, d)
    if not np.allclose(full, full.transpose(0, 2, 1)):
        raise OptionError("covariances", "must be symmetric")
    if np.any(np.linalg.eigvalsh(full).min(axis=1) <= 0):
        raise OptionError("covariances", "must be positive definite")
