"""k-means and EM against scikit-learn, monotone objectives, and degenerate data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans as ReferenceKMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture as ReferenceMixture

from clusteranim.algorithms import State
from clusteranim.algorithms.gmm import GaussianMixture, GaussianMixtureOptions
from clusteranim.algorithms.kmeans import KMeans, KMeansOptions, kmeans_plusplus
from clusteranim.algorithms.scaling import Scaling
from clusteranim.options import OptionError
from clusteranim.trace import Trace, record

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def blobs(seed: int, n_features: int, n_centers: int, n_samples: int = 400) -> np.ndarray:
    X, _ = make_blobs(n_samples, n_features=n_features, centers=n_centers, cluster_std=1.5, random_state=seed)
    return np.asarray(X, dtype=np.float64)


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


def kmeans_trace(X: np.ndarray, k: int, seed: int, init: str = "random", max_iter: int = 300) -> Trace:
    return record(KMeans(n_clusters=k, init=init, tol=0.0, seed=seed), X, max_iter)


@pytest.mark.parametrize("n_features", [1, 2, 5])
@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_scikit_learn_lloyd(n_features: int, k: int, seed: int) -> None:
    X = blobs(seed, n_features, n_centers=4)
    trace = kmeans_trace(X, k, seed)
    labels = np.stack([trace.labels(index) for index in range(len(trace))])
    counts = np.stack([np.bincount(row, minlength=k) for row in labels])
    # scikit-learn relocates empty clusters where we keep the old centroid: compare
    # only runs where no cluster emptied (every seed here qualifies).
    assert counts.min() > 0
    reference = ReferenceKMeans(
        n_clusters=k, init=trace.centers[0], n_init=1, algorithm="lloyd", tol=0.0, max_iter=300
    ).fit(X)
    assert trace.converged
    assert relative_error(trace.centers[-1], reference.cluster_centers_) <= 1e-9
    assert trace.objective[-1] == pytest.approx(reference.inertia_, rel=1e-9)
    assert np.array_equal(trace.labels(-1), reference.labels_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 5])
@pytest.mark.parametrize(("k", "seed"), [(2, 0), (3, 1), (4, 2)])
def test_gmm_matches_scikit_learn_em(covariance_type: str, n_features: int, k: int, seed: int) -> None:
    X = blobs(seed, n_features, n_centers=3)
    n_steps = 8
    model = GaussianMixture(k, covariance_type, "random", reg_covar=1e-6, tol=0.0, seed=seed)  # type: ignore[arg-type]
    trace = record(model, X, n_steps)
    start = trace.fit_states[0]
    assert start.covariances is not None and start.weights is not None
    inverse = np.linalg.inv(start.covariances)
    precisions = {
        "full": inverse,
        "tied": inverse[0],
        "diag": np.diagonal(inverse, axis1=1, axis2=2),
        "spherical": inverse[:, 0, 0],
    }[covariance_type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: we stop it on purpose
        reference = ReferenceMixture(
            k,
            covariance_type=covariance_type,
            means_init=start.centers,
            weights_init=start.weights,
            precisions_init=precisions,
            reg_covar=1e-6,
            tol=0.0,
            max_iter=n_steps,
        ).fit(X)
    assert trace.n_iter == reference.n_iter_ == n_steps
    final = trace.fit_states[-1]
    assert final.covariances is not None and final.weights is not None
    covariances = {
        "full": final.covariances,
        "tied": final.covariances[0],
        "diag": np.diagonal(final.covariances, axis1=1, axis2=2),
        "spherical": final.covariances[:, 0, 0],
    }[covariance_type]
    assert relative_error(final.centers, reference.means_) <= 1e-8
    assert relative_error(covariances, reference.covariances_) <= 1e-8
    assert relative_error(final.weights, reference.weights_) <= 1e-8
    assert trace.objective[-1] == pytest.approx(reference.score(X), rel=1e-8)


@pytest.mark.parametrize("seed", range(5))
def test_objectives_are_monotone(seed: int) -> None:
    X = blobs(seed, 2, n_centers=5, n_samples=600)
    kmeans = kmeans_trace(X, 5, seed, max_iter=50)
    assert np.all(np.diff(kmeans.objective) <= 1e-9 * kmeans.objective[0])
    for covariance_type in COVARIANCE_TYPES:
        model = GaussianMixture(5, covariance_type, "random", 1e-6, 0.0, seed)  # type: ignore[arg-type]
        mixture = record(model, X, 40)
        assert np.all(np.diff(mixture.objective) >= -1e-9), covariance_type


def test_kmeans_plus_plus_spreads_the_start(rng: np.random.Generator) -> None:
    # Four tight, far-apart groups: k-means++ puts one centroid in each, random rarely.
    X = np.concatenate(
        [rng.normal(center, 0.01, size=(50, 2)) for center in [(0, 0), (0, 50), (50, 0), (50, 50)]]
    )
    for seed in range(10):
        centers = kmeans_plusplus(X, 4, np.random.default_rng(seed))
        groups = {(round(x / 50), round(y / 50)) for x, y in centers}
        assert len(groups) == 4
        assert all(any(np.array_equal(center, point) for point in X) for center in centers)


def test_kmeans_tolerance_stops_early() -> None:
    X = blobs(3, 2, n_centers=3)
    exact = kmeans_trace(X, 3, seed=3)
    loose = record(KMeans(3, "random", tol=10.0, seed=3), X, 300)
    assert loose.converged and loose.n_iter < exact.n_iter


def test_kmeans_stops_at_max_iter_unconverged() -> None:
    X = blobs(4, 2, n_centers=6, n_samples=2000)
    trace = kmeans_trace(X, 6, seed=4, max_iter=2)
    assert trace.n_iter == 2 and not trace.converged and len(trace) == 3


def test_explicit_init_is_the_first_state() -> None:
    X = blobs(0, 2, n_centers=3)
    start = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -2.0]])
    options = KMeansOptions(k=3, init=start.tolist())
    trace = record(options.build(0), X, 10)
    assert np.array_equal(trace.centers[0], start)


def test_explicit_init_of_the_wrong_dimension() -> None:
    X = blobs(0, 3, n_centers=3)
    with pytest.raises(OptionError, match="centroids have 2 coordinates but the data has 3"):
        record(KMeansOptions(k=2, init=[[0.0, 0.0], [1.0, 1.0]]).build(0), X, 5)


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_normalised_kmeans_reports_data_coordinates(method: str) -> None:
    X = blobs(1, 2, n_centers=3) * np.array([1.0, 100.0]) + np.array([5.0, -300.0])
    scaling = Scaling.fit(X, method)  # type: ignore[arg-type]
    trace = record(KMeans(3, "random", tol=0.0, seed=1), X, 100, scaling)
    Z = scaling.to_fit(X)
    if method == "minmax":
        assert np.allclose(Z.min(axis=0), 0) and np.allclose(Z.max(axis=0), 1)
    else:
        assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z.std(axis=0), 1)
    reference = ReferenceKMeans(3, init=trace.fit_states[0].centers, n_init=1, tol=0.0).fit(Z)
    expected = reference.cluster_centers_ * scaling.scale + scaling.offset
    assert relative_error(trace.centers[-1], expected) <= 1e-9
    # Every centre is the mean of its points in data coordinates too.
    labels = trace.labels(-1)
    for cluster in range(3):
        assert np.allclose(trace.centers[-1][cluster], X[labels == cluster].mean(axis=0))


def test_normalised_mixture_covariances_come_back_to_data_units() -> None:
    X = blobs(2, 2, n_centers=2) * np.array([1.0, 1000.0])
    scaling = Scaling.fit(X, "standard")
    trace = record(GaussianMixture(2, "full", "kmeans", 1e-6, 1e-6, 0), X, 50, scaling)
    covariances = trace.covariances
    assert covariances is not None
    # EM is affine-equivariant: the last M-step, redone in data coordinates from the
    # previous state's responsibilities, gives the reported parameters.
    resp = trace.memberships(len(trace) - 2)
    counts = resp.sum(axis=0)
    means = resp.T @ X / counts[:, None]
    assert np.allclose(trace.centers[-1], means, rtol=1e-9)
    for component in range(2):
        centred = X - means[component]
        expected = (resp[:, component] * centred.T) @ centred / counts[component]
        expected += 1e-6 * np.diag(scaling.scale**2)
        assert np.allclose(covariances[-1][component], expected, rtol=1e-8)


def test_gmm_kmeans_init_estimates_from_the_clusters() -> None:
    X = blobs(5, 2, n_centers=3)
    model = GaussianMixture(3, "full", "kmeans", 1e-6, 1e-3, 5)
    start = model.initialize(X, Scaling.fit(X, "none"))
    fitted = record(KMeans(3, "kmeans++", 1e-4, 5), X, 300)
    labels = fitted.labels(-1)
    assert start.weights is not None and start.covariances is not None
    for component in range(3):
        members = X[labels == component]
        assert np.allclose(start.centers[component], members.mean(axis=0))
        assert np.isclose(start.weights[component], len(members) / len(X))
        expected = np.cov(members, rowvar=False, bias=True) + 1e-6 * np.eye(2)
        assert np.allclose(start.covariances[component], expected)


def test_gmm_explicit_init_options() -> None:
    options = GaussianMixtureOptions(
        k=2,
        init="explicit",
        covariance_type="diag",
        means=[[0.0, 0.0], [5.0, 5.0]],
        covariances=[[1.0, 2.0], [3.0, 4.0]],
        weights=[0.25, 0.75],
    )
    X = blobs(0, 2, n_centers=2)
    state = options.build(0).initialize(X, Scaling.fit(X, "none"))
    assert np.array_equal(state.centers, [[0, 0], [5, 5]])
    assert state.weights is not None and np.array_equal(state.weights, [0.25, 0.75])
    assert state.covariances is not None
    assert np.array_equal(state.covariances[1], np.diag([3.0, 4.0]))


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"means": [[0, 0]]}, "means", "is only used with init: explicit"),
        ({"init": "explicit"}, "means", "is required with init: explicit"),
        ({"init": "explicit", "means": [[0, 0]]}, "means", "lists 1 means but k is 2"),
        ({"init": "explicit", "means": [[0, 0], [1, 1]], "weights": [0.5, 0.6]}, "weights", "summing to 1"),
        (
            {
                "init": "explicit",
                "means": [[0, 0], [1, 1]],
                "covariances": [[[1, 2], [2, 1]], [[1, 0], [0, 1]]],
            },
            "covariances",
            "positive definite",
        ),
        (
            {"init": "explicit", "means": [[0, 0], [1, 1]], "covariances": [1.0]},
            "covariances",
            "shape 2 x 2 x 2",
        ),
    ],
)
def test_gmm_explicit_init_is_validated(changes: dict[str, object], key: str, message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        GaussianMixtureOptions.model_validate({"k": 2, **changes})
    error = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, OptionError) and error.key == key and message in error.message


# ------------------------------------------------------------------ degenerate data


def assert_finite(trace: Trace) -> None:
    assert np.all(np.isfinite(trace.centers)) and np.all(np.isfinite(trace.objective))
    if trace.covariances is not None:
        assert np.all(np.isfinite(trace.covariances))
        assert trace.weights is not None and np.all(np.isfinite(trace.weights))
    for index in range(len(trace)):
        assert np.all(np.isfinite(trace.memberships(index)))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_duplicate_points_stay_finite(covariance_type: str) -> None:
    X = np.repeat(np.array([[0.0, 0.0], [3.0, 3.0], [0.0, 5.0]]), 40, axis=0)
    assert_finite(kmeans_trace(X, 3, seed=0))
    model = GaussianMixture(3, covariance_type, "random", 1e-6, 0.0, 0)  # type: ignore[arg-type]
    assert_finite(record(model, X, 20))


def test_all_points_identical() -> None:
    X = np.ones((30, 2))
    assert_finite(kmeans_trace(X, 3, seed=0))
    assert_finite(record(GaussianMixture(3, "full", "random", 1e-6, 0.0, 0), X, 10))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_k_equal_to_n(covariance_type: str, rng: np.random.Generator) -> None:
    X = rng.normal(size=(6, 2))
    trace = kmeans_trace(X, 6, seed=0)
    assert trace.objective[-1] == 0.0 and sorted(trace.labels(-1)) == list(range(6))
    model = GaussianMixture(6, covariance_type, "random", 1e-6, 0.0, 0)  # type: ignore[arg-type]
    assert_finite(record(model, X, 10))


def test_empty_cluster_keeps_its_centroid() -> None:
    X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]])
    far = [100.0, -100.0]
    options = KMeansOptions(k=3, init=[[0.0, 0.0], [10.0, 10.0], far])
    trace = record(options.build(0), X, 10)
    assert trace.converged
    assert np.array_equal(trace.centers[-1][2], far)
    assert np.allclose(trace.centers[-1][:2], [[0.05, 0.0], [10.05, 10.0]])


def test_collapsing_component_is_held_by_reg_covar() -> None:
    # One component starts on an isolated point and shrinks onto it.
    X = np.concatenate([np.random.default_rng(0).normal(size=(100, 2)), [[50.0, 50.0]]])
    start = State(np.array([[0.0, 0.0], [50.0, 50.0]]), None, None)
    trace = record(GaussianMixture(2, "full", start, 1e-6, 0.0, 0), X, 10)
    assert_finite(trace)
    covariances = trace.covariances
    assert covariances is not None
    assert np.allclose(covariances[-1][1], 1e-6 * np.eye(2), rtol=1e-3)


def test_collapse_without_regularisation_says_what_to_try() -> None:
    X = np.concatenate([np.random.default_rng(0).normal(size=(100, 2)), [[50.0, 50.0]]])
    start = State(np.array([[0.0, 0.0], [50.0, 50.0]]), None, None)
    with pytest.raises(OptionError, match="increase reg_covar") as caught:
        record(GaussianMixture(2, "full", start, 0.0, 0.0, 0), X, 10)
    assert caught.value.key == "reg_covar"


def test_trace_arrays_follow_the_contract() -> None:
    X = blobs(0, 3, n_centers=3, n_samples=90)
    trace = record(GaussianMixture(3, "diag", "random", 1e-6, 0.0, 0), X, 4)
    arrays = trace.arrays()
    assert arrays["X"].shape == (90, 3)
    assert arrays["centers"].shape == (5, 3, 3)
    assert arrays["labels"].shape == (5, 90)
    assert arrays["objective"].shape == (5,)
    assert arrays["weights"].shape == (5, 3)
    assert arrays["covariances"].shape == (5, 3, 3, 3)
    assert int(arrays["n_iter"]) == 4 and not bool(arrays["converged"])
    for index in range(5):
        assert np.array_equal(arrays["labels"][index], trace.labels(index))
