"""clusteranim.metrics against scikit-learn, to 1e-9: the same number from numpy alone."""

from __future__ import annotations

import ast
import functools
import itertools
import math
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances
from sklearn.mixture import GaussianMixture

from clusteranim.metrics import (
    SILHOUETTE_SAMPLE,
    adjusted_rand,
    aic,
    bic,
    calinski_harabasz,
    davies_bouldin,
    gmm_parameter_count,
    inertia,
    normalized_mutual_info,
    silhouette,
    silhouette_sample,
)
from tests.conftest import ROOT

close = functools.partial(np.testing.assert_allclose, rtol=1e-9, atol=1e-12)

# (shape, clusters, dimensions, singleton clusters added)
CASES = list(itertools.product(["blobs", "anisotropic"], [2, 5, 8], [1, 2, 5], [0, 2]))


def dataset(shape: str, k: int, d: int, singletons: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points and their true labels: ``k`` blobs (sheared and unequal for "anisotropic"),
    then ``singletons`` far points, each its own cluster k, k + 1, ..."""
    rng = np.random.default_rng(seed)
    std = rng.uniform(0.5, 2.5, size=k) if shape == "anisotropic" else 1.0
    X, truth = make_blobs(n_samples=40 * k, centers=k, n_features=d, cluster_std=std, random_state=seed)
    if shape == "anisotropic":
        X = X @ rng.normal(size=(d, d))
    far = rng.uniform(-30, 30, size=(singletons, d)) + 40
    return np.vstack([X, far]), np.concatenate([truth, np.arange(k, k + singletons)])


def shuffled(labels: np.ndarray, fraction: float, seed: int = 1) -> np.ndarray:
    """``labels`` with a ``fraction`` of them drawn again at random (a poor clustering)."""
    rng = np.random.default_rng(seed)
    labels = labels.copy()
    changed = rng.random(len(labels)) < fraction
    labels[changed] = rng.integers(0, labels.max() + 1, size=changed.sum())
    return labels


@pytest.fixture
def exact_davies_bouldin(monkeypatch: pytest.MonkeyPatch) -> None:
    """scikit-learn's Davies-Bouldin with exact distances.

    Its Euclidean distances (|a|² - 2a·b + |b|²) put a point a few 1e-7 from itself, the
    centre of its singleton cluster, where clusteranim says 0; the same code with
    difference-based distances (scipy's, via "minkowski") is the reference to 1e-9.
    """
    monkeypatch.setattr(
        "sklearn.metrics.cluster._unsupervised.pairwise_distances",
        functools.partial(pairwise_distances, metric="minkowski"),
    )


def same_or_nan(ours: float, reference: Callable[[], float]) -> None:
    """``ours`` is the reference's value, or NaN where scikit-learn raises."""
    try:
        expected = reference()
    except ValueError:
        assert math.isnan(ours)
    else:
        close(ours, expected)


@pytest.mark.parametrize(("shape", "k", "d", "singletons"), CASES)
def test_internal_metrics_match_scikit_learn(
    shape: str, k: int, d: int, singletons: int, exact_davies_bouldin: None
) -> None:
    X, truth = dataset(shape, k, d, singletons)
    for labels in (truth, shuffled(truth, 0.3)):
        close(silhouette(X, labels), sk.silhouette_score(X, labels))
        close(calinski_harabasz(X, labels), sk.calinski_harabasz_score(X, labels))
        close(davies_bouldin(X, labels), sk.davies_bouldin_score(X, labels))


@pytest.mark.parametrize(("shape", "k", "d", "singletons"), CASES)
def test_davies_bouldin_is_scikit_learn_s_up_to_its_distance_rounding(
    shape: str, k: int, d: int, singletons: int
) -> None:
    X, truth = dataset(shape, k, d, singletons)
    np.testing.assert_allclose(davies_bouldin(X, truth), sk.davies_bouldin_score(X, truth), rtol=1e-6)
    if singletons == 0:
        close(davies_bouldin(X, truth), sk.davies_bouldin_score(X, truth))


@pytest.mark.parametrize(("shape", "k", "d", "singletons"), CASES)
def test_inertia_and_external_metrics_match_scikit_learn(shape: str, k: int, d: int, singletons: int) -> None:
    X, truth = dataset(shape, k, d, singletons)
    model = KMeans(n_clusters=k + singletons, n_init=3, random_state=0).fit(X)
    close(inertia(X, model.labels_, model.cluster_centers_), model.inertia_)
    for labels in (model.labels_, shuffled(truth, 0.5), truth):
        close(adjusted_rand(truth, labels), sk.adjusted_rand_score(truth, labels))
        close(normalized_mutual_info(truth, labels), sk.normalized_mutual_info_score(truth, labels))
    assert adjusted_rand(truth, truth) == normalized_mutual_info(truth, truth) == 1.0


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    k=st.integers(1, 10),
    d=st.sampled_from([1, 2, 5]),
    on_grid=st.booleans(),
)
def test_random_data_and_labels_match_scikit_learn(seed: int, n: int, k: int, d: int, on_grid: bool) -> None:
    """Any labels of any points: few or many clusters, singletons, one cluster, and (on an
    integer grid, where scikit-learn's distances are exact) repeated points and ties."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=3.0, size=(n, d))
    if on_grid:
        X = np.round(X)
    labels = rng.integers(0, k, size=n)
    same_or_nan(silhouette(X, labels), lambda: sk.silhouette_score(X, labels))
    same_or_nan(calinski_harabasz(X, labels), lambda: sk.calinski_harabasz_score(X, labels))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "sklearn.metrics.cluster._unsupervised.pairwise_distances",
            functools.partial(pairwise_distances, metric="minkowski"),
        )
        same_or_nan(davies_bouldin(X, labels), lambda: sk.davies_bouldin_score(X, labels))


labelings = st.integers(0, 60).flatmap(
    lambda n: st.tuples(*[st.lists(st.integers(-1, 7), min_size=n, max_size=n)] * 2)
)


@settings(max_examples=300, deadline=None)
@given(pair=labelings)
def test_random_labelings_match_scikit_learn(pair: tuple[list[int], list[int]]) -> None:
    """-1 counts as one more cluster here, as in scikit-learn."""
    truth, labels = np.array(pair[0], dtype=np.intp), np.array(pair[1], dtype=np.intp)
    close(adjusted_rand(truth, labels), sk.adjusted_rand_score(truth, labels))
    close(normalized_mutual_info(truth, labels), sk.normalized_mutual_info_score(truth, labels))


@pytest.mark.parametrize(
    ("truth", "labels"),
    [
        ([], []),
        ([0, 0, 0], [1, 1, 1]),
        ([0, 0, 1, 1], [0, 0, 0, 0]),
        ([0, 0, 0, 0], [0, 1, 2, 3]),
        ([0, 1, 2, 3], [3, 2, 1, 0]),
        ([0, 0, 1, 1], [1, 1, 0, 0]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),
        ([5], [-1]),
    ],
)
def test_labeling_edge_cases_are_scikit_learn_s(truth: list[int], labels: list[int]) -> None:
    a, b = np.array(truth, dtype=np.intp), np.array(labels, dtype=np.intp)
    assert adjusted_rand(a, b) == sk.adjusted_rand_score(a, b)
    assert normalized_mutual_info(a, b) == sk.normalized_mutual_info_score(a, b)


def test_many_points_and_clusters_do_not_overflow() -> None:
    rng = np.random.default_rng(0)
    truth, labels = rng.integers(0, 50_000, size=(2, 300_000))
    close(adjusted_rand(truth, labels), sk.adjusted_rand_score(truth, labels))
    close(normalized_mutual_info(truth, labels), sk.normalized_mutual_info_score(truth, labels))
    close(adjusted_rand(truth, truth % 7), sk.adjusted_rand_score(truth, truth % 7))


def test_labelings_of_different_points_are_refused() -> None:
    with pytest.raises(ValueError, match="same n points"):
        adjusted_rand(np.zeros(3, dtype=np.intp), np.zeros(4, dtype=np.intp))
    with pytest.raises(ValueError, match="shape"):
        silhouette(np.zeros((3, 2)), np.zeros(4, dtype=np.intp))


def test_noise_is_left_out_of_the_internal_metrics(exact_davies_bouldin: None) -> None:
    X, _ = dataset("anisotropic", 4, 2, 2)
    model = KMeans(n_clusters=6, n_init=3, random_state=0).fit(X)
    labels = model.labels_.copy()
    noise = np.random.default_rng(2).random(len(X)) < 0.2
    labels[noise] = -1
    kept = ~noise
    close(silhouette(X, labels), sk.silhouette_score(X[kept], labels[kept]))
    close(calinski_harabasz(X, labels), sk.calinski_harabasz_score(X[kept], labels[kept]))
    close(davies_bouldin(X, labels), sk.davies_bouldin_score(X[kept], labels[kept]))
    centers = model.cluster_centers_
    close(inertia(X, labels, centers), ((X[kept] - centers[labels[kept]]) ** 2).sum())
    # Missing cluster numbers do not count as clusters.
    close(silhouette(X, labels * 3), silhouette(X, labels))


@pytest.mark.parametrize(
    "labels",
    [np.zeros(10, int), np.arange(10), np.full(10, -1), np.r_[np.zeros(8, int), -1, -1], np.r_[0, 1, -1]],
    ids=["one cluster", "all alone", "all noise", "one cluster and noise", "two points"],
)
def test_internal_metrics_are_nan_where_scikit_learn_raises(labels: np.ndarray) -> None:
    X = np.random.default_rng(0).normal(size=(len(labels), 2))
    kept = labels >= 0
    for ours, theirs in [
        (silhouette, sk.silhouette_score),
        (calinski_harabasz, sk.calinski_harabasz_score),
        (davies_bouldin, sk.davies_bouldin_score),
    ]:
        assert math.isnan(ours(X, labels))
        with pytest.raises(ValueError):
            theirs(X[kept], labels[kept])


def test_repeated_points_give_scikit_learn_s_limits() -> None:
    """Each cluster one point repeated: CH is 1 and DB 0 as in scikit-learn, and every
    silhouette is 1."""
    X = np.repeat([[0.0, 0.0], [3.0, 4.0], [-5.0, 1.0]], 4, axis=0)
    labels = np.repeat(np.arange(3), 4)
    assert calinski_harabasz(X, labels) == sk.calinski_harabasz_score(X, labels) == 1.0
    assert davies_bouldin(X, labels) == sk.davies_bouldin_score(X, labels) == 0.0
    assert silhouette(X, labels) == sk.silhouette_score(X, labels) == 1.0


def test_silhouette_of_many_points_uses_a_sample() -> None:
    X, labels = make_blobs(n_samples=50_000, centers=6, n_features=2, random_state=3)
    start = time.perf_counter()
    value = silhouette(X, labels)
    assert time.perf_counter() - start < 2.0
    sample = silhouette_sample(len(X), SILHOUETTE_SAMPLE, 0)
    assert sample is not None and len(np.unique(sample)) == SILHOUETTE_SAMPLE
    close(value, sk.silhouette_score(X[sample], labels[sample]))
    # The seed picks the sample; all the points with no sample.
    assert silhouette(X, labels, seed=1) != value
    small = np.arange(3000)
    assert silhouette_sample(3000, 3000, 0) is None and silhouette_sample(3000, None, 0) is None
    close(silhouette(X[small], labels[small], sample_size=None), sk.silhouette_score(X[small], labels[small]))


def test_the_sample_is_drawn_from_the_points_that_are_not_noise() -> None:
    X, labels = make_blobs(n_samples=5_000, centers=3, n_features=5, random_state=4)
    labels[::3] = -1
    kept = np.flatnonzero(labels >= 0)
    sample = kept[silhouette_sample(len(kept), 500, 7)]
    close(silhouette(X, labels, sample_size=500, seed=7), sk.silhouette_score(X[sample], labels[sample]))


def test_silhouette_is_fast_and_its_memory_bounded() -> None:
    X, labels = make_blobs(n_samples=2000, centers=5, n_features=2, random_state=0)
    silhouette(X, labels)
    start = time.perf_counter()
    silhouette(X, labels)
    assert time.perf_counter() - start < 0.5
    # 5000 points, unsampled: far less than the 200 MB of the 5000 x 5000 distances.
    X, labels = make_blobs(n_samples=5000, centers=5, n_features=2, random_state=0)
    tracemalloc.start()
    try:
        silhouette(X, labels, sample_size=None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40e6


@pytest.mark.parametrize(
    ("covariance_type", "d"), list(itertools.product(["full", "tied", "diag", "spherical"], [1, 2, 5]))
)
def test_information_criteria_match_gaussian_mixture(covariance_type: Any, d: int) -> None:
    X, _ = dataset("anisotropic", 3, d, 0)
    model = GaussianMixture(n_components=3, covariance_type=covariance_type, random_state=0).fit(X)
    n = len(X)
    count = gmm_parameter_count(3, d, covariance_type)
    assert count == model._n_parameters()
    close(bic(model.score(X) * n, n, count), model.bic(X))
    close(aic(model.score(X) * n, count), model.aic(X))


def test_an_unknown_covariance_type_is_refused() -> None:
    with pytest.raises(ValueError, match="full, tied, diag, spherical"):
        gmm_parameter_count(3, 2, "round")  # type: ignore[arg-type]


def test_the_package_imports_neither_scikit_learn_nor_scipy() -> None:
    probe = "import sys, clusteranim.metrics; print(sorted({m.split('.')[0] for m in sys.modules}))"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(ast.literal_eval(result.stdout))
    assert "numpy" in loaded and not loaded & {"sklearn", "scipy"}
