"""k-medoids against brute force and direct implementations of PAM and the alternate rule.

scikit-learn-extra's ``KMedoids`` is not installed (its last release, 0.3.0, is built for
numpy 1), so the references are written here: a PAM that tries every swap by recomputing
the total distance of each candidate medoid set, and the alternate rule on a full
``scipy.spatial.distance.cdist`` matrix.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.datasets import make_blobs

import clusteranim
from clusteranim.algorithms.kmeans import kmeans_plusplus
from clusteranim.algorithms.kmedoids import MAX_PAM_POINTS, KMedoids, KMedoidsOptions, medoid_indices
from clusteranim.algorithms.scaling import Scaling
from clusteranim.errors import ScenarioError
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record
from tests.conftest import ROOT

PETALS = np.loadtxt(ROOT / "configs" / "data" / "petals.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))


def blobs(seed: int, n_features: int = 2, n_samples: int = 200, centers: int = 3) -> np.ndarray:
    X, _ = make_blobs(n_samples, n_features=n_features, centers=centers, cluster_std=1.5, random_state=seed)
    return np.asarray(X, dtype=np.float64)


def total_distance(D: np.ndarray, medoids: Any) -> float:
    return float(D[:, list(medoids)].min(axis=1).sum())


def medoid_sets(trace: Trace) -> list[list[int]]:
    """Each state's medoids as indices of the trace's points."""
    return [medoid_indices(trace.X, trace.centers[index]).tolist() for index in range(len(trace))]


def kmedoids_trace(X: np.ndarray, k: int, method: str = "pam", init: str = "build", seed: int = 0) -> Trace:
    return record(KMedoids(k, method, init, 0.0, seed), X, 300)  # type: ignore[arg-type]


def naive_pam(X: np.ndarray, k: int, start: list[int] | None = None) -> list[list[int]]:
    """PAM as first described: BUILD, then each step the best of all k (n - k) swaps, each
    scored by the total distance of the whole new medoid set; every state's medoids."""
    D = cdist(X, X)
    n = X.shape[0]
    medoids = list(start) if start is not None else []
    while len(medoids) < k:  # BUILD: the candidate whose addition gives the least total
        candidates = [h for h in range(n) if h not in medoids]
        totals = [total_distance(D, [*medoids, h]) for h in candidates]
        medoids.append(candidates[int(np.argmin(totals))])
    states = [list(medoids)]
    while True:
        swaps = [(i, h) for i in range(k) for h in range(n) if h not in medoids]
        totals = [total_distance(D, [*medoids[:i], h, *medoids[i + 1 :]]) for i, h in swaps]
        best = int(np.argmin(totals))
        if not totals[best] < total_distance(D, medoids) * (1 - 1e-9):
            states.append(list(medoids))  # the step that finds no better swap
            return states
        i, h = swaps[best]
        medoids[i] = h
        states.append(list(medoids))


def naive_alternate(X: np.ndarray, start: list[int]) -> list[list[int]]:
    """The alternate rule on the full distance matrix: assign each point to its nearest
    medoid, then move each medoid to its cluster's point of least total distance to the
    cluster, if less than its own; every state's medoids."""
    D = cdist(X, X)
    medoids = list(start)
    states = [list(medoids)]
    while True:
        labels = D[:, medoids].argmin(axis=1)
        updated = list(medoids)
        for cluster, medoid in enumerate(medoids):
            members = np.flatnonzero(labels == cluster)
            if members.size:
                costs = D[np.ix_(members, members)].sum(axis=1)
                if costs.min() < D[members, medoid].sum() * (1 - 1e-9):
                    updated[cluster] = int(members[np.argmin(costs)])
        states.append(updated)
        if updated == medoids:
            return states
        medoids = updated


DATASETS = {
    "blobs 2-D seed 0": lambda: blobs(0),
    "blobs 2-D seed 1": lambda: blobs(1, centers=4),
    "blobs 2-D seed 2": lambda: blobs(2, n_samples=150),
    "blobs 5-D": lambda: blobs(3, n_features=5),
    "petals 4-D": lambda: PETALS,
    "duplicates": lambda: np.repeat(blobs(4, n_samples=40), 3, axis=0),
    "one far point": lambda: np.concatenate([blobs(5, n_samples=120), [[1e6, -1e6]]]),
}


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize(("method", "init"), [("pam", "build"), ("pam", "random"), ("alternate", "kmeans++")])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_medoids_are_data_points_and_the_total_never_rises(name: str, method: str, init: str, k: int) -> None:
    X = DATASETS[name]()
    trace = kmedoids_trace(X, k, method, init, seed=k)
    assert trace.converged
    for index in range(len(trace)):
        medoids = medoid_indices(X, trace.centers[index])
        assert len(set(medoids.tolist())) == k
        assert np.array_equal(X[medoids], trace.centers[index])  # exactly data points
    D = cdist(X, trace.centers[-1])
    assert trace.objective[-1] == pytest.approx(D.min(axis=1).sum(), rel=1e-12)
    assert np.all(np.diff(trace.objective) <= 1e-12 * trace.objective[:-1])
    assert np.array_equal(trace.labels(-1), D.argmin(axis=1))


@pytest.mark.parametrize(
    "name", ["blobs 2-D seed 0", "blobs 5-D", "petals 4-D", "duplicates", "one far point"]
)
@pytest.mark.parametrize("k", [2, 4])
def test_pam_makes_the_swaps_a_direct_pam_makes(name: str, k: int) -> None:
    X = DATASETS[name]()[:60]
    assert medoid_sets(kmedoids_trace(X, k)) == naive_pam(X, k)


@pytest.mark.parametrize("seed", range(6))
def test_pam_from_a_random_start_makes_the_same_swaps(seed: int) -> None:
    X = blobs(seed, n_samples=50)
    trace = kmedoids_trace(X, 3, init="random", seed=seed)
    start = medoid_sets(trace)[0]
    assert medoid_sets(trace) == naive_pam(X, 3, start)


def test_pam_reaches_the_brute_force_optimum_on_small_clustered_sets() -> None:
    # PAM is a local search: on 2 of these 180 sets it stops at a state that no single
    # swap improves but that is not the best k-subset. The PAM of the kmedoids package
    # (Schubert's, on the same distance matrices) stops on the same two.
    missed = []
    for k, n_samples, seed in itertools.product([2, 3], [7, 10, 12], range(30)):
        X, _ = make_blobs(n_samples, centers=k, cluster_std=1.0, random_state=seed)
        D = cdist(X, X)
        best = min(total_distance(D, subset) for subset in itertools.combinations(range(n_samples), k))
        reached = kmedoids_trace(X, k).objective[-1]
        assert reached >= best * (1 - 1e-12)
        if reached > best * (1 + 1e-12):
            missed.append((k, n_samples, seed))
    assert missed == [(3, 7, 12), (3, 10, 1)]


@pytest.mark.parametrize("seed", range(20))
def test_pam_ends_where_no_swap_helps(seed: int) -> None:
    # On points without clusters PAM can stop above the optimum (as every PAM does:
    # 39 of 300 such sets of 5 to 12 points, with the kmedoids package's PAM on the same
    # sets): what holds is that no single swap lowers the total further.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 2))
    D = cdist(X, X)
    medoids = medoid_sets(kmedoids_trace(X, 3))[-1]
    reached = total_distance(D, medoids)
    for position, replacement in itertools.product(range(3), range(12)):
        swapped = [*medoids[:position], replacement, *medoids[position + 1 :]]
        assert total_distance(D, swapped) >= reached * (1 - 1e-12)


@pytest.mark.parametrize(
    "name", ["blobs 2-D seed 0", "blobs 2-D seed 1", "blobs 5-D", "petals 4-D", "one far point"]
)
@pytest.mark.parametrize("init", ["kmeans++", "random", "build"])
def test_alternate_follows_the_direct_rule(name: str, init: str) -> None:
    X = DATASETS[name]()
    trace = kmedoids_trace(X, 4, "alternate", init, seed=7)
    states = medoid_sets(trace)
    assert states == naive_alternate(X, states[0])


def test_inits_pick_what_they_say() -> None:
    X = blobs(0)
    D = cdist(X, X)
    assert medoid_sets(kmedoids_trace(X, 3))[0] == naive_pam(X, 3)[0]
    seeded = kmedoids_trace(X, 3, "alternate", "kmeans++", seed=9).centers[0]
    assert np.array_equal(seeded, kmeans_plusplus(X, 3, np.random.default_rng(9)))
    random = medoid_sets(kmedoids_trace(X, 3, "pam", "random", seed=9))[0]
    assert random == np.random.default_rng(9).choice(len(X), size=3, replace=False).tolist()
    assert total_distance(D, random) > 0


def test_k_equal_to_n_puts_a_medoid_on_every_point_even_duplicates() -> None:
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 2.0], [1.0, 2.0], [5.0, 5.0]])
    for method, init in [("pam", "build"), ("alternate", "kmeans++"), ("alternate", "random")]:
        trace = kmedoids_trace(X, 5, method, init)
        assert trace.objective.tolist() == [0.0, 0.0]
        assert sorted(medoid_sets(trace)[-1]) == [0, 1, 2, 3, 4]


def test_all_points_identical() -> None:
    X = np.ones((6, 3))
    trace = kmedoids_trace(X, 2)
    assert trace.converged and trace.objective[-1] == 0.0
    assert np.array_equal(trace.centers[-1], np.ones((2, 3)))


def test_one_far_point_leaves_a_single_medoid_in_the_blob() -> None:
    X = np.concatenate([blobs(5, n_samples=99, centers=1), [[1e6, 1e6]]])
    trace = kmedoids_trace(X, 1)
    D = cdist(X, X)
    assert np.array_equal(trace.centers[-1][0], X[np.argmin(D.sum(axis=1))])
    assert np.abs(trace.centers[-1][0]).max() < 50  # the mean is near 1e4


def test_normalized_fit_keeps_data_points() -> None:
    X = blobs(6) * [1.0, 100.0]
    trace = record(KMedoids(3, "pam", "build", 0.0, 0), X, 100, Scaling.fit(X, "standard"))
    gaps = cdist(trace.centers[-1], X).min(axis=1)
    assert np.all(gaps <= 1e-9 * np.abs(X).max())
    plain = medoid_sets(
        record(KMedoids(3, "pam", "build", 0.0, 0), Scaling.fit(X, "standard").to_fit(X), 100)
    )
    assert medoid_indices(X, trace.centers[-1]).tolist() == plain[-1]


def test_tol_stops_when_a_step_gains_little() -> None:
    X = blobs(0, n_samples=300)
    exact = kmedoids_trace(X, 3, init="random", seed=1)
    loose = record(KMedoids(3, "pam", "random", 0.05, 1), X, 300)
    assert loose.n_iter < exact.n_iter
    gains = -np.diff(loose.objective)
    assert gains[-1] <= 0.05 * loose.objective[-2] and np.all(gains[:-1] > 0.05 * loose.objective[:-2])


def test_assigns_any_point_to_its_nearest_medoid() -> None:
    X = blobs(1)
    algorithm = KMedoids(3, "pam", "build", 0.0, 0)
    state = algorithm.initialize(X, Scaling.identity(2))
    grid = np.random.default_rng(0).uniform(-20, 20, size=(500, 2))
    labels = cdist(grid, state.centers).argmin(axis=1)
    assert np.array_equal(algorithm.evaluate(grid, state).labels, labels)
    assert np.array_equal(algorithm.responsibilities(grid, state), np.eye(3)[labels])


def test_pam_refuses_more_points_than_it_can_swap_in_time() -> None:
    X = np.random.default_rng(0).normal(size=(MAX_PAM_POINTS + 1, 2))
    with pytest.raises(OptionError) as caught:
        KMedoids(2, "pam", "build", 0.0, 0).initialize(X, Scaling.identity(2))
    assert caught.value.key == "method"
    scenario = {"data": {"n_samples": MAX_PAM_POINTS + 1}, "algorithm": {"name": "kmedoids"}}
    with pytest.raises(ScenarioError, match=r"algorithm\.method: pam reads all n. distances"):
        clusteranim.run(clusteranim.load_scenario(scenario))


def test_options_choose_the_start_by_method() -> None:
    assert KMedoidsOptions().build(0).init == "build"
    assert KMedoidsOptions(method="alternate").build(0).init == "kmeans++"
    assert KMedoidsOptions(method="alternate", init="random").build(0).init == "random"
    assert KMedoidsOptions(method="pam").start_description() == "PAM's greedy build"
    assert KMedoidsOptions(method="alternate").start_description() == "k-means++ seeding"


def test_alternate_on_twenty_thousand_points() -> None:
    scenario = {
        "data": {"generator": "blobs", "n_samples": 20_000},
        "algorithm": {"name": "kmedoids", "k": 4, "method": "alternate", "tol": 0},
    }
    trace = clusteranim.run(clusteranim.load_scenario(scenario))
    assert trace.converged
    gains = -np.diff(trace.objective)
    assert np.all(gains[:-1] > 0) and gains[-1] == 0  # the last step finds nothing to move


def test_medoids_layer_rings_each_medoid_in_its_colour(tmp_path: Path) -> None:
    X = np.array([[-3.0, 0.0], [-3.5, 0.5], [-2.5, -0.5], [3.0, 0.0], [3.5, 0.5], [2.5, -0.5]])
    trace = record(KMedoids(2, "pam", "build", 0.0, 0), X, 10)
    style = StyleOptions.model_validate(
        {"width": 400, "height": 400, "palette": ["tab:blue", "tab:orange"], "layers": ["medoids"]}
    )
    built = Scene(style, trace, clusteranim.data.Dataset(X=X), "k-medoids")
    image = built.draw(Frame(trace, trace.n_iter)).astype(float)[:, :, :3] / 255
    ring_radius = np.sqrt(300.0) / 2 * 100 / 72  # pixels at 100 dpi: half the marker's width
    for center, colour in zip(trace.centers[-1], [(0.122, 0.467, 0.706), (1.0, 0.498, 0.055)], strict=True):
        x, y = built.context.axes.transData.transform(center)
        row, column = round(image.shape[0] - y - 0.5), round(x - 0.5)
        assert np.allclose(image[row, column], colour, atol=0.02)  # the medoid's dot
        assert np.allclose(image[row, column + round(ring_radius)], colour, atol=0.02)  # the ring
        assert np.allclose(image[row, column + round(ring_radius / 2) + 1], 1.0, atol=0.02)  # hollow
