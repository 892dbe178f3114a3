"""Degenerate data: identical points, k equal to n, data far from the origin, one point.

Each case renders quickly to real frames, and ends with the labels scikit-learn (a test
oracle only) finds from the same starting state.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image
from sklearn.cluster import KMeans as ReferenceKMeans
from sklearn.mixture import GaussianMixture as ReferenceMixture

import clusteranim
from clusteranim.algorithms import State
from clusteranim.algorithms.gmm import GaussianMixture
from clusteranim.algorithms.kmeans import KMeans
from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record
from tests.conftest import ALL_LAYERS, run_cli

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
LAYERS = ALL_LAYERS
WIDTH, HEIGHT = 240, 180


def far_groups() -> np.ndarray:
    """Three groups 1e-2 apart with a spread of 1e-3, all near 1e9."""
    rng = np.random.default_rng(0)
    centers = 1e9 + np.array([[0.0, 0.0], [1e-2, 0.0], [0.0, 1e-2]])
    X: np.ndarray = centers[np.repeat([0, 1, 2], [70, 70, 60])] + rng.normal(scale=1e-3, size=(200, 2))
    return X


def two_points() -> np.ndarray:
    return np.repeat([[0.0, 0.0], [1.0, 2.0]], [30, 20], axis=0)


CASES: dict[str, tuple[np.ndarray, dict[str, Any]]] = {
    # The computed means of these differ from them by about 1e-14: a view that narrow took
    # a minute to draw the ellipses in.
    "identical-gmm": (np.tile([[0.1, 0.7]], (1000, 1)), {"name": "gmm", "k": 2}),
    "k-equals-n-gmm": (np.random.default_rng(1).normal(size=(5, 2)), {"name": "gmm", "k": 5}),
    "far-kmeans": (far_groups(), {"name": "kmeans", "k": 3, "init": "kmeans++"}),
    "far-gmm": (far_groups(), {"name": "gmm", "k": 3, "init": "kmeans"}),
    "one-point-kmeans": (np.array([[2.0, 3.0]]), {"name": "kmeans", "k": 1}),
    "one-point-gmm": (np.array([[2.0, 3.0]]), {"name": "gmm", "k": 1}),
    "two-points-kmeans-2": (two_points(), {"name": "kmeans", "k": 2}),
    "two-points-kmeans-3": (two_points(), {"name": "kmeans", "k": 3}),
    "two-points-gmm-2": (two_points(), {"name": "gmm", "k": 2}),
    "two-points-gmm-3": (two_points(), {"name": "gmm", "k": 3}),
}


def write_case(folder: Path, X: np.ndarray, algorithm: dict[str, Any]) -> Path:
    """A CSV of the points and a scenario that renders them with every per-point layer."""
    data = folder / "points.csv"
    np.savetxt(data, X, delimiter=",", header="a,b", comments="")
    scenario = {
        "seed": 3,
        "data": {"generator": "file", "path": data.name},
        "algorithm": algorithm,
        "style": {"width": WIDTH, "height": HEIGHT, "layers": LAYERS},
        "output": {"path": str(folder / "frames"), "format": "frames", "poster": str(folder / "poster.png")},
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


def reference_labels(trace: Trace, algorithm: dict[str, Any]) -> np.ndarray:
    """scikit-learn's final labels from the trace's starting state (in data coordinates)."""
    X, start, k = trace.X, trace.state(0), algorithm["k"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct clusters than k; stopped on purpose
        if algorithm["name"] == "kmeans":
            reference = ReferenceKMeans(
                n_clusters=k, init=start.centers, n_init=1, algorithm="lloyd", tol=1e-4, max_iter=30
            )  # our defaults
            return np.asarray(reference.fit(X).labels_)
        assert start.covariances is not None
        mixture = ReferenceMixture(
            k,
            means_init=start.centers,
            weights_init=start.weights,
            precisions_init=np.linalg.inv(start.covariances),
            reg_covar=1e-6,
            tol=0.0,
            max_iter=trace.n_iter,  # as many updates as the trace made
        )
        # scikit-learn wants two samples: one point taken twice has the same mixture
        # (every estimate is a weighted mean).
        return np.asarray(mixture.fit(X if len(X) > 1 else np.repeat(X, 2, axis=0)).predict(X))


def same_partition(labels: np.ndarray, other: np.ndarray) -> bool:
    """Whether two labellings group the points alike, whatever the cluster numbers."""
    pairs = set(zip(labels.tolist(), other.tolist(), strict=True))
    return len(pairs) == len(set(labels.tolist())) == len(set(other.tolist()))


@pytest.mark.parametrize("name", CASES)
def test_degenerate_data_renders_quickly_and_ends_as_scikit_learn_does(tmp_path: Path, name: str) -> None:
    X, algorithm = CASES[name]
    scenario = write_case(tmp_path, X, algorithm)
    trace = clusteranim.run(clusteranim.load_scenario(scenario))
    assert np.all(np.isfinite(trace.centers)) and np.all(np.isfinite(trace.objective))
    labels, expected = trace.labels(-1), reference_labels(trace, algorithm)
    # Where every cluster ends with points, the very labels; else the partition
    # (scikit-learn moves an empty cluster's centre where we keep it: only the names differ).
    assert same_partition(labels, expected)
    if len(set(labels.tolist())) == algorithm["k"]:
        assert np.array_equal(labels, expected)

    started = time.perf_counter()
    result = clusteranim.render(scenario, jobs=1)
    assert time.perf_counter() - started < 10.0
    frames = sorted((tmp_path / "frames").glob("*.png"))
    assert result.frames == len(frames) >= 2
    for path in [*frames, tmp_path / "poster.png"]:
        pixels = np.asarray(Image.open(path).convert("RGB"))
        assert pixels.shape == (HEIGHT, WIDTH, 3)
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20  # axes, clouds, points: not blank


def test_the_command_line_renders_identical_points_with_every_layer(tmp_path: Path) -> None:
    scenario = write_case(tmp_path, *CASES["identical-gmm"])
    process = run_cli("render", str(scenario), "--quiet", cwd=tmp_path, timeout=60)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "poster.png").is_file()


def test_far_groups_are_found_whole() -> None:
    # The distances of |x|^2 - 2 x.c + |c|^2 at 1e9 keep nothing of a spread of 1e-3.
    X = far_groups()
    truth = np.repeat([0, 1, 2], [70, 70, 60])
    kmeans = record(KMeans(3, "kmeans++", tol=1e-4, seed=0), X, 30)
    assert same_partition(kmeans.labels(-1), truth)
    assert np.all(np.abs(kmeans.centers[-1] - 1e9) < 2e-2)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_labels_do_not_depend_on_where_the_data_sits(covariance_type: str) -> None:
    X = far_groups() - 1e9
    means = np.array([[0.0, 0.0], [1e-2, 0.0], [0.0, 1e-2]])
    covariances = np.repeat(4e-6 * np.eye(2)[None], 3, axis=0)
    runs = []
    for offset in (0.0, 1e9):
        start = State(means + offset, np.full(3, 1 / 3), covariances)
        mixture = record(GaussianMixture(3, covariance_type, start, 1e-6, 0.0, 0), X + offset, 5)  # type: ignore[arg-type]
        kmeans = record(KMeans(3, means + offset, tol=0.0, seed=0), X + offset, 5)
        runs.append((mixture, kmeans))
    (near_mixture, near_kmeans), (far_mixture, far_kmeans) = runs
    for near, far in [(near_mixture, far_mixture), (near_kmeans, far_kmeans)]:
        assert len(far) == len(near)
        for index in range(len(near)):
            assert np.array_equal(far.labels(index), near.labels(index))
    assert np.allclose(far_mixture.centers - 1e9, near_mixture.centers, rtol=0, atol=1e-6)
    assert far_mixture.objective[-1] == pytest.approx(near_mixture.objective[-1], rel=1e-6)


def test_the_mean_of_identical_points_is_that_point() -> None:
    X = np.repeat([[0.1, 0.7], [1e9 + 0.3, 1 / 3]], [37, 91], axis=0)
    trace = record(KMeans(2, X[[0, -1]], tol=0.0, seed=0), X, 5)
    assert np.array_equal(trace.centers[-1], X[[0, -1]])
    assert trace.objective[-1] == 0.0


def scene_of(trace: Trace, X: np.ndarray, layers: list[Any]) -> Scene:
    style = StyleOptions.model_validate({"width": WIDTH, "height": HEIGHT, "layers": layers})
    return Scene(style, trace, Dataset(X), "GMM")


def test_a_single_point_is_framed_at_a_readable_scale() -> None:
    # The mixture's mean of one point differs from it in the last bits: not a spread.
    X = np.array([[2.0, 3.0]])
    trace = record(GaussianMixture(1, "full", "random", 1e-6, 1e-3, 0), X, 5)
    built = scene_of(trace, X, ["ellipses"])
    built.draw(Frame(trace, len(trace) - 1))
    (left, right), (bottom, top) = built.context.axes.get_xlim(), built.context.axes.get_ylim()
    assert right - left > 0.1 and top - bottom > 0.1
    (patch,) = built.layers[0].artists
    assert patch.get_window_extent().width < 10


def test_an_ellipse_around_the_whole_view_is_a_flat_face() -> None:
    # reg_covar (1e-6) dwarfs a spread of 1e-12: every 2-sigma ellipse holds the view.
    X = np.random.default_rng(1).normal(size=(80, 2)) * 1e-12
    trace = record(GaussianMixture(2, "full", "random", 1e-6, 1e-3, 0), X, 5)
    built = scene_of(trace, X, [{"ellipses": {"fill": 0.5, "linewidth": 6}}])
    started = time.perf_counter()
    image = built.draw(Frame(trace, len(trace) - 1))
    assert time.perf_counter() - started < 0.5
    for patch in built.layers[0].artists:
        assert patch.get_window_extent().width < 4 * WIDTH
    box = built.context.axes.get_window_extent()
    top, bottom, left, right = HEIGHT - int(box.y1), HEIGHT - int(box.y0), int(box.x0), int(box.x1)
    inside = image[top + 3 : bottom - 3, left + 3 : right - 3, :3].reshape(-1, 3)  # within the spines
    assert len(np.unique(inside, axis=0)) == 1  # no outline shows
    assert not np.array_equal(inside[0], [255, 255, 255])  # the faces do
