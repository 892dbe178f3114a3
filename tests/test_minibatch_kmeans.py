"""Mini-batch k-means against its update rule written out here independently, against
scikit-learn's MiniBatchKMeans fed the same batches (``partial_fit``) and left to draw its
own (``fit``), and the batch layer that shows each step's batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import MiniBatchKMeans as ReferenceMiniBatchKMeans
from sklearn.datasets import make_blobs

import clusteranim
from clusteranim.algorithms.minibatch_kmeans import MiniBatchKMeans, MiniBatchKMeansOptions
from clusteranim.algorithms.scaling import Scaling
from clusteranim.errors import ScenarioError
from clusteranim.scene.animation import Assignment
from clusteranim.scene.base import Frame
from clusteranim.scene.layers.batch import batch_step
from clusteranim.trace import Trace, record

PETALS = Path(__file__).resolve().parent.parent / "configs" / "data" / "petals.csv"


def dataset(name: str, seed: int) -> np.ndarray:
    if name == "petals":
        return np.genfromtxt(PETALS, delimiter=",", skip_header=1, usecols=(0, 1, 2, 3))
    n_features = {"blobs2d": 2, "blobs5d": 5}[name]
    X, _ = make_blobs(600, n_features=n_features, centers=4, cluster_std=1.5, random_state=seed)
    return np.asarray(X, dtype=np.float64)


def fit(X: np.ndarray, k: int, seed: int, batch_size: int, steps: int, **options: object) -> Trace:
    algorithm = MiniBatchKMeansOptions(k=k, batch_size=batch_size, max_iter=steps, **options).build(seed)
    return record(algorithm, X, steps)


def direct_steps(X: np.ndarray, start: np.ndarray, batches: list[np.ndarray]) -> list[np.ndarray]:
    """The centres after each batch by scikit-learn's rule, cluster by cluster: a centre
    that receives points becomes (centre * count + their sum) / (count + their number)."""
    centers, counts = start.copy(), np.zeros(len(start))
    states = [centers.copy()]
    for indices in batches:
        points = X[indices]
        nearest = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        new = centers.copy()
        for j in range(len(centers)):
            members = points[nearest == j]
            if len(members):
                new[j] = (centers[j] * counts[j] + members.sum(axis=0)) / (counts[j] + len(members))
                counts[j] += len(members)
        centers = new
        states.append(centers.copy())
    return states


def algorithm_of(trace: Trace) -> MiniBatchKMeans:
    assert trace.rule is not None and isinstance(trace.rule.algorithm, MiniBatchKMeans)
    return trace.rule.algorithm


@pytest.mark.parametrize("name", ["blobs2d", "blobs5d", "petals"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_step_follows_the_rule_on_the_same_batches(name: str, seed: int) -> None:
    X = dataset(name, seed)
    trace = fit(X, k=4, seed=seed, batch_size=50, steps=25, init="kmeans++")
    batches = [algorithm_of(trace).batch(len(X), step) for step in range(trace.n_iter)]
    expected = direct_steps(X, trace.centers[0], batches)
    for step, centers in enumerate(expected):
        np.testing.assert_allclose(trace.centers[step], centers, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["blobs2d", "blobs5d", "petals"])
@pytest.mark.parametrize("seed", [0, 3])
def test_matches_scikit_learn_fed_the_same_batches(name: str, seed: int) -> None:
    X = dataset(name, seed)
    trace = fit(X, k=3, seed=seed, batch_size=40, steps=30)
    reference = ReferenceMiniBatchKMeans(
        3, init=trace.centers[0], n_init=1, batch_size=40, reassignment_ratio=0.0, random_state=seed
    )
    for step in range(trace.n_iter):
        reference.partial_fit(X[algorithm_of(trace).batch(len(X), step)])
        np.testing.assert_allclose(
            trace.centers[step + 1], reference.cluster_centers_, rtol=1e-10, atol=1e-10
        )


@pytest.mark.parametrize("name", ["blobs2d", "blobs5d", "petals"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_final_inertia_is_close_to_scikit_learns(name: str, seed: int) -> None:
    X = dataset(name, seed)
    batch_size, epochs = 30, 4
    steps = epochs * len(X) // batch_size  # how scikit-learn counts its steps
    trace = fit(X, k=4, seed=seed, batch_size=batch_size, steps=steps, init="kmeans++")
    reference = ReferenceMiniBatchKMeans(
        4,
        init=trace.centers[0],
        n_init=1,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        max_no_improvement=None,
        reassignment_ratio=0.0,
        random_state=seed,
    ).fit(X)
    assert reference.n_steps_ == trace.n_iter == steps
    assert trace.objective[-1] == pytest.approx(reference.inertia_, rel=0.03)
    inertia = ((X - trace.centers[-1][trace.labels(trace.n_iter)]) ** 2).sum()
    assert trace.objective[-1] == pytest.approx(inertia, rel=1e-12)


def test_batches_are_reproducible_and_differ_from_step_to_step() -> None:
    first = MiniBatchKMeansOptions(k=3, batch_size=64).build(5)
    again = MiniBatchKMeansOptions(k=3, batch_size=64, max_iter=3).build(5)
    np.testing.assert_array_equal(first.batch(1000, 7), again.batch(1000, 7))
    assert not np.array_equal(first.batch(1000, 7), first.batch(1000, 8))
    assert not np.array_equal(
        first.batch(1000, 7), MiniBatchKMeansOptions(k=3, batch_size=64).build(6).batch(1000, 7)
    )
    # Drawn with replacement, as scikit-learn does: a batch may be larger than the data.
    assert len(first.batch(10, 0)) == 64 and first.batch(10, 0).max() < 10
    X = dataset("blobs2d", 0)
    np.testing.assert_array_equal(fit(X, 4, 9, 32, 12).centers, fit(X, 4, 9, 32, 12).centers)


def test_in_a_normalised_space_the_rule_applies_there() -> None:
    X = dataset("blobs2d", 4) * [1.0, 1000.0] + [5.0, -3e6]
    algorithm = MiniBatchKMeansOptions(k=4, batch_size=25, max_iter=20, normalize="standard").build(4)
    scaling = Scaling.fit(X, "standard")
    trace = record(algorithm, X, 20, scaling)
    Z = scaling.to_fit(X)
    batches = [algorithm.batch(len(X), step) for step in range(trace.n_iter)]
    expected = direct_steps(Z, scaling.to_fit(trace.centers[0]), batches)
    np.testing.assert_allclose(scaling.to_fit(trace.centers[-1]), expected[-1], rtol=1e-9, atol=1e-9)


def test_tol_stops_when_the_centres_barely_move_and_zero_never_stops() -> None:
    X = dataset("blobs2d", 1)
    assert fit(X, 4, 1, 100, 300).n_iter == 300
    stopped = fit(X, 4, 1, 100, 300, tol=1e-3)
    assert stopped.converged and stopped.n_iter < 300
    shift = np.square(stopped.centers[-1] - stopped.centers[-2]).sum()
    assert shift <= 1e-3 * np.var(X, axis=0).mean()


def test_degenerate_data() -> None:
    rng = np.random.default_rng(0)
    same = np.tile([[2.5, -1.0]], (40, 1))
    trace = fit(same, k=3, seed=0, batch_size=16, steps=10)
    np.testing.assert_array_equal(trace.centers[-1], np.tile([2.5, -1.0], (3, 1)))
    assert trace.objective[-1] == 0.0 and trace.n_iter == 10
    # k = n: every point starts as a centre, and stays one (its batch points are itself)
    X = rng.normal(size=(12, 2))
    trace = fit(X, k=12, seed=1, batch_size=8, steps=15)
    np.testing.assert_allclose(np.sort(trace.centers[-1], axis=0), np.sort(X, axis=0), atol=1e-12)
    # k = 1: the centre is the mean of every batch point so far, with repeats
    X = rng.normal(size=(50, 3))
    trace = fit(X, k=1, seed=2, batch_size=7, steps=6)
    seen = np.concatenate([algorithm_of(trace).batch(50, step) for step in range(6)])
    np.testing.assert_allclose(trace.centers[-1, 0], X[seen].mean(axis=0), rtol=1e-12, atol=1e-12)
    # one point far away: a centre that starts on it never moves, the rest fit the blobs
    X = np.vstack([dataset("blobs2d", 3), [[1e6, 1e6]]])
    trace = fit(
        X, k=4, seed=3, batch_size=64, steps=40, init=[[1e6, 1e6], [0.0, 0.0], [5.0, 5.0], [-5.0, 0.0]]
    )
    assert np.isfinite(trace.centers).all()
    batches = [algorithm_of(trace).batch(len(X), step) for step in range(trace.n_iter)]
    np.testing.assert_allclose(trace.centers[-1], direct_steps(X, trace.centers[0], batches)[-1], rtol=1e-12)


def scenario(**style: object) -> dict[str, object]:
    return {
        "seed": 2,
        "data": {"generator": "blobs", "n_samples": 300, "centers": 3},
        "algorithm": {"name": "minibatch_kmeans", "k": 3, "batch_size": 20, "max_iter": 4},
        "style": {"width": 240, "height": 180, "layers": ["points", "batch", "centroids"], **style},
    }


def test_the_layer_shows_the_batch_of_the_move_under_way() -> None:
    trace = clusteranim.run(clusteranim.load_scenario(scenario()))
    assert batch_step(Frame(trace, 0)) is None  # the start
    assert batch_step(Frame(trace, 0, 0.5)) == 0  # moving from state 0 with batch 0
    assert batch_step(Frame(trace, 2)) == 1  # state 2, which batch 1 reached
    assert batch_step(Frame(trace, 3, 0.5, "done")) == 3  # the last move
    assert batch_step(Frame(trace, 4, phase="done")) is None  # the result
    assert batch_step(Frame(trace, 2, 0.3, "update", Assignment(2, 2))) == 2
    assert batch_step(Frame(trace, 3, 0.0, "update", Assignment(2, 2))) == 2
    assert batch_step(Frame(trace, 1, 0.0, "assign", Assignment(0, 1, 0.5))) == 1
    assert batch_step(Frame(trace, 4, 0.0, "assign", Assignment(3, 4, 1.0))) is None  # no update follows
    assert batch_step(Frame(trace, 0, 0.0, "init", Assignment(None, 0, 0.0))) is None
    assert batch_step(Frame(trace, 4, 0.0, "update", Assignment(3, 3))) == 3  # the last update's end
    assert batch_step(Frame(trace, 4, 0.0, "done", Assignment(4, 4))) is None


def test_the_layer_draws_the_same_frames_with_any_number_of_jobs(tmp_path: Path) -> None:
    batches = {**scenario(), "output": {"tween": 1}}
    one = clusteranim.render(batches, output=f"{tmp_path}/one/", jobs=1)
    two = clusteranim.render(batches, output=f"{tmp_path}/two/", jobs=2)
    assert one.frames == two.frames == 9
    for path in sorted((tmp_path / "one").glob("frame_*.png")):
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()
    plain = clusteranim.render(
        {**scenario(layers=["points", "centroids"]), "output": {"tween": 1}}, output=f"{tmp_path}/plain/"
    )
    assert plain.frames == 9
    # The batch shows from the second frame to the one before the last.
    differs = [
        (tmp_path / "one" / path.name).read_bytes() != path.read_bytes()
        for path in sorted((tmp_path / "plain").glob("frame_*.png"))
    ]
    assert differs == [False, *[True] * 7, False]


def test_the_layer_is_refused_for_other_algorithms() -> None:
    other = scenario()
    other["algorithm"] = {"name": "kmeans", "k": 3}
    with pytest.raises(ScenarioError, match="batch needs mini-batch k-means"):
        clusteranim.load_scenario(other)
