"""Fuzzy c-means against the textbook update equations, written out here independently,
and against scikit-learn's k-means as the fuzzifier tends to 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans as ReferenceKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

import clusteranim
from clusteranim.algorithms.fuzzy_cmeans import FuzzyCMeans, FuzzyCMeansOptions
from clusteranim.algorithms.scaling import Scaling
from clusteranim.options import OptionError
from clusteranim.trace import Trace, record

PETALS = Path(__file__).resolve().parent.parent / "configs" / "data" / "petals.csv"


def textbook_memberships(X: np.ndarray, centers: np.ndarray, m: float) -> np.ndarray:
    """u_ij = 1 / sum_l (d_ij / d_il)^(2 / (m - 1)); a point on a centre belongs to it
    alone (shared equally among centres that coincide)."""
    distances = np.sqrt(((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
    memberships = np.zeros_like(distances)
    on_center = (distances == 0).any(axis=1)
    away = ~on_center
    ratios = distances[away][:, :, None] / distances[away][:, None, :]
    memberships[away] = 1.0 / (ratios ** (2.0 / (m - 1.0))).sum(axis=2)
    hits = distances[on_center] == 0
    memberships[on_center] = hits / hits.sum(axis=1, keepdims=True)
    return memberships


def textbook_centers(X: np.ndarray, memberships: np.ndarray, m: float) -> np.ndarray:
    """c_j = sum_i u_ij^m x_i / sum_i u_ij^m."""
    weights = memberships**m
    return np.stack(
        [(weights[:, j, None] * X).sum(axis=0) / weights[:, j].sum() for j in range(weights.shape[1])]
    )


def textbook_objective(X: np.ndarray, centers: np.ndarray, memberships: np.ndarray, m: float) -> float:
    """J_m = sum_ij u_ij^m |x_i - c_j|^2."""
    squared = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return float((memberships**m * squared).sum())


def petals() -> np.ndarray:
    return np.genfromtxt(PETALS, delimiter=",", skip_header=1, usecols=(0, 1, 2, 3))


def dataset(name: str, seed: int) -> np.ndarray:
    if name == "petals":
        return petals()
    n_features = {"blobs2d": 2, "blobs5d": 5, "blobs1d": 1}[name]
    X, _ = make_blobs(300, n_features=n_features, centers=4, cluster_std=2.0, random_state=seed)
    return np.asarray(X, dtype=np.float64)


def fcm_trace(
    X: np.ndarray,
    k: int,
    seed: int,
    m: float = 2.0,
    init: object = "random",
    max_iter: int = 12,
    tol: float = 0.0,
) -> Trace:
    return record(FuzzyCMeans(k, m, init, tol, seed), X, max_iter)  # type: ignore[arg-type]


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


@pytest.mark.parametrize("name", ["blobs2d", "blobs5d", "blobs1d", "petals"])
@pytest.mark.parametrize("m", [1.5, 2.0, 3.0])
@pytest.mark.parametrize(("seed", "k", "init"), [(0, 3, "random"), (1, 4, "kmeans++"), (2, 5, "random")])
def test_every_step_matches_the_textbook_equations(name: str, m: float, seed: int, k: int, init: str) -> None:
    X = dataset(name, seed)
    trace = fcm_trace(X, k, seed, m=m, init=init)
    assert trace.n_iter == 12  # tol 0: every update is checked
    for index in range(len(trace)):
        memberships = textbook_memberships(X, trace.centers[index], m)
        assert np.max(np.abs(trace.memberships(index) - memberships)) <= 1e-10
        assert trace.objective[index] == pytest.approx(
            textbook_objective(X, trace.centers[index], memberships, m), rel=1e-10
        )
        if index + 1 < len(trace):
            assert relative_error(trace.centers[index + 1], textbook_centers(X, memberships, m)) <= 1e-10


@pytest.mark.parametrize("name", ["blobs2d", "blobs5d", "petals"])
@pytest.mark.parametrize("m", [1.2, 2.0, 4.0])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_objective_never_increases(name: str, m: float, seed: int) -> None:
    trace = fcm_trace(dataset(name, seed), 4, seed, m=m, max_iter=40)
    objective = trace.objective
    assert np.all(np.isfinite(objective))
    assert np.all(np.diff(objective) <= 1e-12 * objective[:-1])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_near_one_the_labels_are_those_of_kmeans(seed: int) -> None:
    blob_centers = np.array([[-8.0, -8.0], [8.0, -8.0], [-8.0, 8.0], [8.0, 8.0]])
    X, _ = make_blobs(400, centers=blob_centers, cluster_std=1.0, random_state=seed)
    start = 0.2 * blob_centers + np.random.default_rng(seed).normal(size=blob_centers.shape)
    trace = fcm_trace(X, 4, seed, m=1.01, init=start, max_iter=100, tol=1e-9)
    reference = ReferenceKMeans(4, init=start, n_init=1, algorithm="lloyd").fit(X)
    assert trace.converged
    assert adjusted_rand_score(reference.labels_, trace.labels(trace.n_iter)) == 1.0
    assert relative_error(trace.centers[-1], reference.cluster_centers_) <= 1e-9


def test_hard_labels_are_the_nearest_centre_and_the_largest_membership(rng: np.random.Generator) -> None:
    X = dataset("blobs2d", 5)
    trace = fcm_trace(X, 4, 5, max_iter=5)
    assert FuzzyCMeans.capabilities.nearest_center  # regions are drawn as Voronoi cells
    (low_x, low_y), (high_x, high_y) = X.min(axis=0) - 5, X.max(axis=0) + 5
    grid = np.column_stack([rng.uniform(low_x, high_x, 20_000), rng.uniform(low_y, high_y, 20_000)])
    for index in (0, 2, 5):
        state = trace.state(index)
        nearest = ((grid[:, None, :] - state.centers[None]) ** 2).sum(axis=2).argmin(axis=1)
        assert np.array_equal(trace.labels_of(grid, state), nearest)
        assert trace.rule is not None
        assert np.array_equal(trace.rule.memberships(grid, state).argmax(axis=1), nearest)
        assert np.array_equal(trace.labels(index), trace.memberships(index).argmax(axis=1))


def test_a_point_on_a_centre_belongs_to_it_alone() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [4.0, 4.0], [5.0, 5.0]])
    trace = fcm_trace(X, 2, 0, init=np.array([[1.0, 0.0], [5.0, 5.0]]), max_iter=3)
    memberships = trace.memberships(0)
    assert np.array_equal(memberships[1], [1.0, 0.0])
    assert np.array_equal(memberships[3], [0.0, 1.0])
    assert np.all(np.isfinite(trace.objective)) and np.all(np.isfinite(trace.centers))
    # Two centres on the same point share it.
    shared = fcm_trace(X, 2, 0, init=np.array([[4.0, 4.0], [4.0, 4.0]]), max_iter=3)
    assert np.array_equal(shared.memberships(0)[2], [0.5, 0.5])
    assert np.all(np.isfinite(shared.centers))


@pytest.mark.parametrize("m", [1.01, 2.0, 10.0])
def test_degenerate_data(m: float) -> None:
    duplicates = np.repeat([[1.0, 2.0], [3.0, -1.0]], 50, axis=0)
    for X, k in [
        (duplicates, 2),  # every point on a centre once the centres settle
        (duplicates, 3),  # more clusters than distinct points
        (np.ones((20, 2)), 3),  # all points identical: every centre on them, shared equally
        (np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]), 3),  # k = n
        (dataset("blobs2d", 0), 1),  # k = 1: the mean
        (np.vstack([dataset("blobs2d", 1), [[1e6, -1e6]]]), 4),  # one point far away
    ]:
        trace = fcm_trace(X, k, 3, m=m, max_iter=30, tol=1e-8)
        assert np.all(np.isfinite(trace.centers)) and np.all(np.isfinite(trace.objective))
        for index in (0, trace.n_iter):
            memberships = trace.memberships(index)
            assert np.all(np.isfinite(memberships))
            assert np.allclose(memberships.sum(axis=1), 1.0)
        if k == 1:
            assert trace.converged
            assert np.allclose(trace.centers[-1, 0], X.mean(axis=0))
        if len(X) == k:
            assert trace.converged and trace.objective[-1] == 0.0


def test_translation_far_from_the_origin() -> None:
    X = dataset("blobs2d", 2)
    near, far = fcm_trace(X, 3, 2), fcm_trace(X + 1e9, 3, 2)
    assert np.max(np.abs(far.centers - 1e9 - near.centers)) <= 1e-5
    assert np.max(np.abs(far.memberships(12) - near.memberships(12))) <= 1e-6


def test_tol_bounds_the_last_change_of_the_memberships() -> None:
    X = dataset("blobs2d", 4)
    trace = fcm_trace(X, 4, 4, max_iter=300, tol=1e-3)
    assert trace.converged
    changes = [np.abs(trace.memberships(t) - trace.memberships(t - 1)).max() for t in range(1, len(trace))]
    assert changes[-1] <= 1e-3 and min(changes[:-1]) > 1e-3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"m": 1}, "algorithm.m: must be > 1.0, got 1"),
        ({"init": [[0.0, 0.0]]}, "algorithm.init: lists 1 centres but k is 2"),
        (
            {"init": [[0.0, 0.0], [1.0]]},
            "algorithm.init: every centre must have the same number (>= 1) of coordinates",
        ),
    ],
)
def test_options_are_checked_when_the_scenario_loads(changes: dict[str, object], message: str) -> None:
    with pytest.raises(clusteranim.ScenarioError) as caught:
        clusteranim.load_scenario({"algorithm": {"name": "fuzzy_cmeans", "k": 2, **changes}})
    assert str(caught.value) == f"<scenario>: {message}"


def test_explicit_centres_must_fit_the_data() -> None:
    model = FuzzyCMeansOptions(k=2, init=[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]).build(0)
    with pytest.raises(OptionError, match="3 coordinates but the data has 2"):
        model.initialize(np.zeros((5, 2)), Scaling.identity(2))
    assert FuzzyCMeansOptions(init="kmeans++").start_description() == "k-means++ seeding"


def test_a_scenario_runs_in_normalised_space() -> None:
    scenario = clusteranim.load_scenario(
        {
            "seed": 3,
            "data": {"generator": "blobs", "n_samples": 200, "centers": 3},
            "algorithm": {
                "name": "fuzzy_cmeans",
                "k": 3,
                "m": 1.8,
                "normalize": "standard",
                "init": "kmeans++",
            },
        }
    )
    trace = clusteranim.run(scenario)
    assert trace.profile.name == "fuzzy c-means" and trace.capabilities.soft
    assert trace.rule is not None
    scaling = trace.rule.scaling
    Z = scaling.to_fit(trace.X)
    for index in (0, trace.n_iter):
        centers = scaling.to_fit(trace.centers[index])
        assert np.max(np.abs(trace.memberships(index) - textbook_memberships(Z, centers, 1.8))) <= 1e-10
