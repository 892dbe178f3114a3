"""Mean-shift against scikit-learn's ``MeanShift`` (flat kernel) and against a direct,
window-by-window implementation written here (both kernels, every round)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from scipy.spatial.distance import cdist
from sklearn.cluster import MeanShift as SklearnMeanShift
from sklearn.cluster import estimate_bandwidth as sklearn_estimate_bandwidth
from sklearn.cluster import get_bin_seeds
from sklearn.datasets import make_blobs

import clusteranim
from clusteranim.algorithms.mean_shift import (
    MAX_MODES,
    Columns,
    MeanShift,
    bin_seeds,
    estimate_bandwidth,
    flat_sums,
)
from clusteranim.algorithms.scaling import Scaling
from clusteranim.errors import ScenarioError
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record_direct
from clusteranim.trace.checks import MAX_CLUSTERS
from tests.conftest import ROOT

PETALS = np.loadtxt(ROOT / "configs" / "data" / "petals.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))


def blobs(
    seed: int, n_features: int = 2, n_samples: int = 240, centers: int = 4, std: float = 1.0
) -> np.ndarray:
    X, _ = make_blobs(n_samples, n_features=n_features, centers=centers, cluster_std=std, random_state=seed)
    return np.asarray(X, dtype=np.float64)


DATASETS = {
    "blobs 2-D seed 0": (lambda: blobs(0), 1.5),
    "blobs 2-D seed 1": (lambda: blobs(1, std=1.6), 2.0),
    "blobs 2-D seed 2, narrow": (lambda: blobs(2, n_samples=300), 0.6),
    "blobs 5-D": (lambda: blobs(3, n_features=5), 4.0),
    "blobs 3-D": (lambda: blobs(4, n_features=3), 2.5),
    "petals 4-D": (lambda: PETALS, 0.9),
    "blobs 1-D": (lambda: blobs(5, n_features=1, n_samples=150), 0.8),
    "duplicates": (lambda: np.repeat(blobs(6, n_samples=60), 3, axis=0), 1.5),
    "far from the origin": (lambda: blobs(7, n_samples=150) + 1e4, 1.5),
    "outliers": (
        lambda: np.concatenate([blobs(8, n_samples=150, centers=2), [[40.0, 40.0], [-40.0, 35.0]]]),
        1.5,
    ),
}


def mean_shift(
    kernel: str = "flat",
    bandwidth: float | str = 1.0,
    bin_seeding: bool = False,
    min_bin_freq: int = 1,
    cluster_all: bool = True,
    quantile: float = 0.3,
    bandwidth_samples: int | None = None,
    seed: int = 0,
) -> MeanShift:
    return MeanShift(
        kernel=kernel,  # type: ignore[arg-type]
        bandwidth=bandwidth,  # type: ignore[arg-type]
        quantile=quantile,
        bandwidth_samples=bandwidth_samples,
        bin_seeding=bin_seeding,
        min_bin_freq=min_bin_freq,
        cluster_all=cluster_all,
        seed=seed,
    )


def mean_shift_trace(X: np.ndarray, max_iter: int = 301, **options: Any) -> Trace:
    return record_direct(mean_shift(**options), X, max_iter)


def direct_climb(
    X: np.ndarray, seeds: np.ndarray, bandwidth: float, kernel: str, max_iter: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each window on its own: its path, and the weight it held before its last move.

    A flat window moves to the mean of the points within ``bandwidth`` (distance at most
    it), a Gaussian one to the mean of all points weighted by exp(-d^2 / (2 bandwidth^2));
    it stops after a move of at most 1e-3 x bandwidth, after ``max_iter`` moves, or
    without moving when it holds no point (weight 0).
    """
    paths, weights = [], np.zeros(len(seeds))
    for index, seed in enumerate(seeds):
        path = [np.array(seed, dtype=np.float64)]
        for _ in range(max_iter):
            distances = cdist(path[-1][None, :], X)[0]
            if kernel == "flat":
                kernel_weights = (distances <= bandwidth).astype(float)
            else:
                kernel_weights = np.exp(-(distances**2) / (2 * bandwidth**2))
            if kernel_weights.sum() == 0:
                weights[index] = 0
                break
            weights[index] = kernel_weights.sum()
            path.append(kernel_weights @ X / kernel_weights.sum())
            if np.linalg.norm(path[-1] - path[-2]) <= 1e-3 * bandwidth:
                break
        paths.append(np.array(path))
    return paths, weights


def direct_modes(ends: np.ndarray, weights: np.ndarray, bandwidth: float) -> np.ndarray:
    """Distinct end points by weight (then coordinates), heaviest first, each kept unless
    a kept one lies within ``bandwidth``."""
    weight_of = {tuple(end): weight for end, weight in zip(ends, weights, strict=True) if weight > 0}
    ordered = sorted(weight_of.items(), key=lambda item: (item[1], item[0]), reverse=True)
    kept: list[np.ndarray] = []
    for end, _ in ordered:
        if all(np.linalg.norm(np.array(end) - mode) > bandwidth for mode in kept):
            kept.append(np.array(end))
    return np.array(kept)


def padded(paths: list[np.ndarray]) -> np.ndarray:
    """Paths as (T + 1, s, d), each repeating its end once it has stopped."""
    length = max(len(path) for path in paths)
    return np.stack(
        [np.concatenate([path, np.repeat(path[-1:], length - len(path), axis=0)]) for path in paths], 1
    )


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("bin_seeding", [False, True])
def test_flat_kernel_finds_scikit_learns_modes_and_labels(name: str, bin_seeding: bool) -> None:
    make, bandwidth = DATASETS[name]
    X = make()
    trace = mean_shift_trace(X, bandwidth=bandwidth, bin_seeding=bin_seeding)
    reference = SklearnMeanShift(bandwidth=bandwidth, bin_seeding=bin_seeding).fit(X)
    assert trace.n_clusters == len(reference.cluster_centers_)
    np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
    assert np.array_equal(trace.labels(-1), reference.labels_)
    # One state per round: scikit-learn's n_iter_ counts the moves of the longest window but its last.
    assert trace.n_iter == reference.n_iter_ + 1 and trace.converged


@pytest.mark.parametrize("name", ["blobs 2-D seed 0", "blobs 5-D", "outliers", "blobs 1-D"])
@pytest.mark.parametrize("bin_seeding", [False, True])
def test_cluster_all_false_leaves_far_points_out_as_scikit_learn_does(name: str, bin_seeding: bool) -> None:
    make, bandwidth = DATASETS[name]
    X = make()
    trace = mean_shift_trace(X, bandwidth=bandwidth / 2, bin_seeding=bin_seeding, cluster_all=False)
    reference = SklearnMeanShift(bandwidth=bandwidth / 2, bin_seeding=bin_seeding, cluster_all=False).fit(X)
    np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
    assert np.array_equal(trace.labels(-1), reference.labels_)
    assert (reference.labels_ == -1).any()


@pytest.mark.parametrize("name", ["blobs 2-D seed 0", "blobs 3-D", "blobs 5-D", "petals 4-D", "duplicates"])
@pytest.mark.parametrize("kernel", ["flat", "gaussian"])
def test_every_window_moves_as_a_direct_implementation_moves_it(name: str, kernel: str) -> None:
    make, bandwidth = DATASETS[name]
    X = make()[::2]
    trace = mean_shift_trace(X, bandwidth=bandwidth, kernel=kernel)
    paths, weights = direct_climb(X, X, bandwidth, kernel, 301)
    np.testing.assert_allclose(trace.extras["windows"], padded(paths), rtol=0, atol=1e-9)
    modes = direct_modes(np.array([path[-1] for path in paths]), weights, bandwidth)
    np.testing.assert_allclose(trace.centers[-1], modes, rtol=0, atol=1e-9)
    assert np.array_equal(trace.labels(-1), cdist(X, modes).argmin(axis=1))


@pytest.mark.parametrize("seed", range(4))
def test_the_gaussian_kernel_from_bins_finds_the_direct_modes(seed: int) -> None:
    X = blobs(seed, n_samples=200, std=1.3)
    trace = mean_shift_trace(X, kernel="gaussian", bandwidth=1.0, bin_seeding=True)
    seeds = get_bin_seeds(X, 1.0)
    paths, weights = direct_climb(X, seeds, 1.0, "gaussian", 301)
    np.testing.assert_allclose(trace.extras["windows"], padded(paths), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        trace.centers[-1], direct_modes(np.array([p[-1] for p in paths]), weights, 1.0), rtol=0, atol=1e-9
    )


@pytest.mark.parametrize("bin_size", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("min_bin_freq", [1, 3, 10])
@pytest.mark.parametrize("name", ["blobs 2-D seed 0", "blobs 5-D", "blobs 1-D", "duplicates"])
def test_bin_seeds_are_scikit_learns(name: str, bin_size: float, min_bin_freq: int) -> None:
    X = DATASETS[name][0]()
    with warnings.catch_warnings():
        # "Binning data failed ...": every point has a cell of its own, so the points are the seeds.
        warnings.simplefilter("ignore", UserWarning)
        expected = get_bin_seeds(X, bin_size, min_bin_freq)
    assert np.array_equal(bin_seeds(X, bin_size, min_bin_freq), expected.reshape(-1, X.shape[1]))


def test_when_every_point_has_a_cell_of_its_own_the_points_are_the_seeds() -> None:
    X = blobs(3, n_features=5)
    with pytest.warns(UserWarning, match="Binning data failed"):
        expected = get_bin_seeds(X, 0.3)
    assert expected is X
    assert np.array_equal(bin_seeds(X, 0.3, 1), X)


def test_min_bin_freq_drops_sparse_cells_as_scikit_learn_does() -> None:
    X = blobs(9, n_samples=400, std=1.5)
    trace = mean_shift_trace(X, bandwidth=1.0, bin_seeding=True, min_bin_freq=8)
    reference = SklearnMeanShift(bandwidth=1.0, bin_seeding=True, min_bin_freq=8).fit(X)
    np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
    assert np.array_equal(trace.labels(-1), reference.labels_)
    assert trace.extras["windows"].shape[1] == len(get_bin_seeds(X, 1.0, 8))


@pytest.mark.parametrize("quantile", [0.05, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("name", ["blobs 2-D seed 1", "blobs 5-D", "petals 4-D", "blobs 1-D", "duplicates"])
def test_the_bandwidth_estimate_is_scikit_learns(name: str, quantile: float) -> None:
    X = DATASETS[name][0]()
    expected = sklearn_estimate_bandwidth(X, quantile=quantile)
    assert estimate_bandwidth(X, quantile, None, 0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 5, 17])
def test_the_sampled_estimate_draws_scikit_learns_sample(seed: int) -> None:
    X = blobs(seed, n_samples=500)
    expected = sklearn_estimate_bandwidth(X, quantile=0.3, n_samples=120, random_state=seed)
    assert estimate_bandwidth(X, 0.3, 120, seed) == pytest.approx(expected, rel=1e-12)
    assert estimate_bandwidth(X, 0.3, 120, seed + 1) != pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("bin_seeding", [False, True])
def test_auto_bandwidth_runs_as_scikit_learns_default(bin_seeding: bool) -> None:
    X = blobs(10, n_samples=200, std=1.4)
    trace = mean_shift_trace(X, bandwidth="auto", bin_seeding=bin_seeding)
    # scikit-learn's own estimate is a numpy float, which keeps bin seeds in float64:
    # given as a Python float, the bins are float32 as in a run with a given bandwidth.
    bandwidth = float(sklearn_estimate_bandwidth(X))
    reference = SklearnMeanShift(bandwidth=bandwidth, bin_seeding=bin_seeding).fit(X)
    np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(trace.extras["window_radius"], [bandwidth, bandwidth], rtol=1e-12)


def test_max_iter_counts_moves_one_more_than_scikit_learns() -> None:
    X = blobs(11, n_samples=300, std=2.0)
    for theirs in (0, 1, 3):
        trace = mean_shift_trace(X, max_iter=theirs + 1, bandwidth=1.0)
        reference = SklearnMeanShift(bandwidth=1.0, max_iter=theirs).fit(X)
        assert trace.n_iter == theirs + 1 and not trace.converged
        np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
        assert np.array_equal(trace.labels(-1), reference.labels_)


def test_points_join_the_cluster_of_their_window_when_it_stops() -> None:
    X = blobs(12, n_samples=200)
    trace = mean_shift_trace(X, bandwidth=1.5)
    windows, window_labels = trace.extras["windows"], trace.extras["window_labels"]
    # A window stops at the first round that moves it by at most 1e-3 x bandwidth.
    small = np.linalg.norm(np.diff(windows, axis=0), axis=2) <= 1e-3 * 1.5
    stopped = small.argmax(axis=0) + 1
    for state in range(trace.n_iter):
        expected = np.where(stopped <= state, window_labels, -1)
        settled = expected >= 0
        assert np.array_equal(trace.labels(state)[settled], expected[settled])
    assert (trace.labels(0) == -1).all()
    # The centres follow, for each mode, a window that ends on it.
    for cluster in range(trace.n_clusters):
        (ending,) = np.flatnonzero((windows[-1] == trace.centers[-1][cluster]).all(axis=1))[:1]
        np.testing.assert_array_equal(trace.centers[:, cluster], windows[:, ending])
        assert window_labels[ending] == cluster
    # Each window joins a mode within the bandwidth of its end.
    gaps = np.linalg.norm(windows[-1] - trace.centers[-1][window_labels], axis=1)
    assert (gaps <= 1.5).all()


def test_bin_seeded_points_follow_the_window_of_their_own_bin() -> None:
    X = blobs(13, n_samples=300, std=1.2)
    trace = mean_shift_trace(X, bandwidth=1.0, bin_seeding=True)
    seeds = trace.extras["windows"][0]
    own = np.round(X / 1.0) * 1.0  # the centre of each point's bin, as a seed
    window_of = cdist(X, seeds).argmin(axis=1)
    np.testing.assert_allclose(seeds[window_of], own, atol=1e-6)
    last = trace.n_iter - 1
    settled = trace.labels(last) >= 0
    assert np.array_equal(trace.labels(last)[settled], trace.extras["window_labels"][window_of][settled])


@pytest.mark.parametrize("n_features", [1, 2, 3])
@pytest.mark.parametrize("bandwidth", [0.05, 0.7, 3.0])
def test_the_columns_find_the_same_points_as_the_blocks(
    rng: np.random.Generator, n_features: int, bandwidth: float
) -> None:
    X = rng.normal(size=(800, n_features)) * [3.0, 1.0, 0.5][:n_features]
    X[:100] = np.round(X[:100], 1)  # points on the columns' edges, and duplicates
    windows = np.concatenate(
        [
            X[:300] + rng.normal(scale=bandwidth / 3, size=(300, n_features)),
            rng.uniform(-12, 12, (50, n_features)),
        ]
    )
    windows[:20] = X[100:120]  # windows on points
    columns = Columns.of(X, bandwidth)
    assert columns is not None
    by_columns = flat_sums(X, columns, windows, bandwidth)
    by_blocks = flat_sums(X, None, windows, bandwidth)
    assert np.array_equal(by_columns[1], by_blocks[1])
    np.testing.assert_allclose(by_columns[0], by_blocks[0], rtol=1e-12, atol=1e-10)


def test_points_at_exactly_the_bandwidth_count_as_a_radius_search_counts_them() -> None:
    X = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 5.0], [5.0, 0.0], [-3.0, -4.0], [0.0, 5.000000001]])
    for columns in (Columns.of(X, 5.0), None):
        _, counts = flat_sums(X, columns, np.zeros((1, 2)), 5.0)
        assert counts.tolist() == [5.0]


def test_far_or_many_dimensional_data_is_searched_by_blocks() -> None:
    assert Columns.of(np.array([[0.0, 0.0], [1e15, 1e15]]), 1e-3) is None  # too many columns
    assert Columns.of(np.zeros((3, 4)), 1.0) is None


def test_degenerate_data() -> None:
    # all points identical: one mode, there
    same = np.full((12, 2), 3.5)
    trace = mean_shift_trace(same, bandwidth=0.5)
    np.testing.assert_allclose(trace.centers[-1], [[3.5, 3.5]])
    assert (trace.labels(-1) == 0).all() and trace.converged
    with pytest.raises(OptionError, match=r"auto estimates 0 \(the 3 nearest of 12 points are") as caught:
        mean_shift_trace(same, bandwidth="auto")
    assert caught.value.key == "bandwidth"
    # a quantile that counts only the point itself: the quantile is to blame, not the data
    with pytest.raises(OptionError, match=r"quantile 0.01 of 12 points counts each point alone"):
        mean_shift_trace(np.arange(24.0).reshape(12, 2), bandwidth="auto", quantile=0.01)
    # one point, two points, far apart and near
    assert mean_shift_trace(np.array([[1.0, 2.0]]), bandwidth=1.0).n_clusters == 1
    assert mean_shift_trace(np.array([[0.0, 0.0], [5.0, 0.0]]), bandwidth=1.0).n_clusters == 2
    near = mean_shift_trace(np.array([[0.0, 0.0], [0.5, 0.0]]), bandwidth=1.0)
    np.testing.assert_allclose(near.centers[-1], [[0.25, 0.0]])
    # every point its own mode, beyond the clusters a trace may hold
    grid = np.stack(np.meshgrid(np.arange(40.0), np.arange(30.0)), axis=-1).reshape(-1, 2)
    with pytest.raises(OptionError, match=r"leaves 1,200 modes, more than the 1,000") as caught:
        mean_shift_trace(grid, bandwidth=0.4)
    assert MAX_MODES == MAX_CLUSTERS


def test_empty_bins_and_empty_windows_are_reported() -> None:
    X = blobs(14, n_samples=50)
    with pytest.raises(OptionError, match=r"no cell of side 1 \(the bandwidth\) holds 51 points") as caught:
        mean_shift_trace(X, bandwidth=1.0, bin_seeding=True, min_bin_freq=51)
    assert caught.value.key == "min_bin_freq"
    # in 6-D a bin's centre can be farther than the bandwidth from all of its points
    corners = np.array([[0.45] * 6, [0.45] * 6, [10.45] * 6, [10.45] * 6])
    with pytest.raises(OptionError, match=r"no point lies within 1 of any seed") as caught:
        mean_shift_trace(corners, bandwidth=1.0, bin_seeding=True)
    assert caught.value.key == "bandwidth"
    with pytest.raises(ValueError, match="No point was within bandwidth"):
        SklearnMeanShift(bandwidth=1.0, bin_seeding=True).fit(corners)


def test_in_a_normalised_space_windows_are_ellipses_in_data_units() -> None:
    X = blobs(15, n_samples=200) * [1.0, 50.0]
    scaling = Scaling.fit(X, "standard")
    trace = record_direct(mean_shift(bandwidth=0.5), X, 300, scaling)
    reference = SklearnMeanShift(bandwidth=0.5).fit(scaling.to_fit(X))
    np.testing.assert_allclose(scaling.to_fit(trace.centers[-1]), reference.cluster_centers_, atol=1e-6)
    np.testing.assert_allclose(trace.extras["window_radius"], 0.5 * scaling.scale)
    np.testing.assert_allclose(trace.extras["windows"][0], X, atol=1e-9)


def test_the_scenario_keys() -> None:
    loaded = clusteranim.load_scenario({"algorithm": {"name": "mean_shift", "bandwidth": 2}})
    assert loaded.algorithm.profile().finds_k
    recorder = loaded.algorithm.recorder(0)  # type: ignore[union-attr]
    assert (recorder.bandwidth, recorder.quantile, recorder.min_bin_freq) == (2, 0.3, 1)


@pytest.mark.parametrize(
    ("algorithm", "message"),
    [
        ({"bandwidth": 0}, "algorithm.bandwidth"),
        ({"bandwidth": "wide"}, "algorithm.bandwidth"),
        ({"bandwidth": 1.0, "quantile": 0.2}, "algorithm.quantile: is only used with bandwidth: auto"),
        (
            {"bandwidth": 1.0, "bandwidth_samples": 50},
            "algorithm.bandwidth_samples: is only used with bandwidth: auto",
        ),
        ({"quantile": 0}, "algorithm.quantile"),
        ({"min_bin_freq": 2}, "algorithm.min_bin_freq: is only used with bin_seeding: true"),
        ({"bin_seeding": True, "min_bin_freq": 0}, "algorithm.min_bin_freq"),
        ({"kernel": "epanechnikov"}, "algorithm.kernel"),
        ({"k": 3}, "algorithm.k: is not used by mean-shift: it finds the number of clusters itself"),
        ({"tol": 0.1}, "algorithm.tol: is not used by mean-shift"),
        ({"max_iter": 0}, "algorithm.max_iter"),
    ],
)
def test_options_are_checked_when_the_scenario_loads(algorithm: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        clusteranim.load_scenario({"algorithm": {"name": "mean_shift", **algorithm}})


def test_a_run_failure_names_the_key() -> None:
    scenario = {
        "data": {"n_samples": 50},
        "algorithm": {"name": "mean_shift", "bandwidth": 1.0, "bin_seeding": True, "min_bin_freq": 60},
    }
    with pytest.raises(ScenarioError, match=r"algorithm\.min_bin_freq: no cell of side 1"):
        clusteranim.run(clusteranim.load_scenario(scenario))


def test_twenty_thousand_points_from_bins_match_scikit_learn() -> None:
    X = blobs(16, n_samples=20_000, std=1.5)
    trace = mean_shift_trace(X, bandwidth=2.0, bin_seeding=True)
    reference = SklearnMeanShift(bandwidth=2.0, bin_seeding=True).fit(X)
    np.testing.assert_allclose(trace.centers[-1], reference.cluster_centers_, rtol=0, atol=1e-6)
    assert np.array_equal(trace.labels(-1), reference.labels_)


def windows_scene(trace: Trace, X: np.ndarray, layer: dict[str, Any] | str = "windows") -> Scene:
    style = StyleOptions.model_validate(
        {"width": 400, "height": 400, "palette": ["tab:blue", "tab:orange", "tab:green"], "layers": [layer]}
    )
    return Scene(style, trace, clusteranim.data.Dataset(X=X), "mean-shift")


def test_the_layer_draws_each_window_as_a_circle_of_radius_bandwidth() -> None:
    X = np.array([[-3.0, 0.0], [-3.4, 0.4], [-2.6, -0.4], [3.0, 0.0], [3.4, 0.4], [2.6, -0.4]])
    trace = mean_shift_trace(X, bandwidth=1.5)
    assert trace.n_clusters == 2
    built = windows_scene(trace, X, {"windows": {"alpha": 1.0, "linewidth": 2.0, "centre_size": 0}})
    image = built.draw(Frame(trace, trace.n_iter)).astype(float)[:, :, :3] / 255
    axes = built.context.axes
    colours = {0: (0.122, 0.467, 0.706), 1: (1.0, 0.498, 0.055)}
    for center in trace.centers[-1]:
        label = trace.labels(-1)[np.argmin(np.linalg.norm(X - center, axis=1))]
        inward = -np.sign(center[0])  # the side of the circle towards the middle of the view
        x, y = axes.transData.transform(center + np.array([inward * 1.5, 0.0]))  # on the circle
        row, column = round(image.shape[0] - y - 0.5), round(x - 0.5)
        assert np.allclose(image[row, column], colours[int(label)], atol=0.05)
        x, y = axes.transData.transform(center + np.array([inward * 1.05, 0.0]))  # inside: faint
        row, column = round(image.shape[0] - y - 0.5), round(x - 0.5)
        assert image[row, column].min() > 0.9


def test_windows_in_one_place_are_drawn_once_and_circles_are_capped() -> None:
    X = blobs(17, n_samples=400, centers=3)
    trace = mean_shift_trace(X, bandwidth=2.0)
    built = windows_scene(trace, X, {"windows": {"max_circles": 25}})
    layer = next(layer for layer in built.layers if type(layer).__name__ == "WindowsLayer")
    built.draw(Frame(trace, 0))
    transform = built.context.axes.transData.transform
    assert len(layer.circles.get_offsets()) == 25  # type: ignore[attr-defined]
    dots = transform(layer.dots.get_offsets())  # type: ignore[attr-defined]
    # Windows a few pixels apart share a dot: every window is within 3 pixels of one.
    assert 300 < len(dots) < 400
    assert cdist(transform(trace.extras["windows"][0]), dots).min(axis=1).max() <= 3 * np.sqrt(2)
    built.draw(Frame(trace, 1, 0.5))
    assert len(layer.circles.get_offsets()) == 25  # type: ignore[attr-defined]
    built.draw(Frame(trace, trace.n_iter))
    last = layer.dots.get_offsets()  # type: ignore[attr-defined]
    assert trace.n_clusters <= len(last) < 40  # the windows have met in a few places
    assert len(layer.circles.get_offsets()) == len(last)  # type: ignore[attr-defined]


def test_the_layer_is_refused_for_other_algorithms() -> None:
    with pytest.raises(ScenarioError, match=r"windows needs mean-shift \(algorithm\.name: mean_shift\)"):
        clusteranim.load_scenario({"algorithm": {"name": "kmeans"}, "style": {"layers": ["windows"]}})


@pytest.mark.parametrize("extension", ["gif", "mp4", "html"])
def test_renders_in_every_format(tmp_path: Path, extension: str) -> None:
    scenario = {
        "seed": 2,
        "data": {"generator": "blobs", "n_samples": 150, "centers": 3, "n_features": 3},
        "algorithm": {"name": "mean_shift", "bandwidth": 2.5, "bin_seeding": True, "normalize": "standard"},
        "style": {"width": 240, "height": 180, "layers": ["points", "windows", "centroids", "title"]},
        "output": {"fps": 4, "tween": 1},
    }
    result = clusteranim.render(scenario, output=tmp_path / f"a.{extension}")
    assert result.frames >= 3 and (tmp_path / f"a.{extension}").stat().st_size > 0


def test_one_dimensional_windows_render(tmp_path: Path) -> None:
    scenario = {
        "data": {"generator": "blobs", "n_samples": 90, "centers": 2, "n_features": 1},
        "algorithm": {"name": "mean_shift", "bandwidth": 1.0},
        "style": {"width": 240, "height": 180, "layers": ["points", "windows", "centroids"]},
    }
    result = clusteranim.render(scenario, output=tmp_path / "a.gif")
    assert result.frames >= 3


def test_the_trace_file_keeps_the_windows(tmp_path: Path) -> None:
    document = {
        "data": {"generator": "blobs", "n_samples": 120, "centers": 3},
        "algorithm": {"name": "mean_shift", "bandwidth": 2.0, "bin_seeding": True},
        "style": {"width": 200, "height": 160, "layers": ["points", "windows", "centroids"]},
    }
    trace = clusteranim.run(clusteranim.load_scenario(document))
    trace.save(tmp_path / "t.npz")
    clusteranim.render(document, output=tmp_path / "a.gif")
    clusteranim.render(document, output=tmp_path / "b.gif", trace=tmp_path / "t.npz")
    assert (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()


def test_the_gif_keeps_the_colour_of_a_cluster_found_at_the_end(tmp_path: Path) -> None:
    # The points of a small cluster take its colour only in the last rounds, while
    # thousands of shades of moving circles pass: the held last frame still has it exactly.
    clusteranim.render(
        ROOT / "configs" / "13_mean_shift.yaml",
        output=tmp_path / "a.gif",
        output__poster=str(tmp_path / "a.png"),
    )
    from PIL import Image, ImageSequence

    with Image.open(tmp_path / "a.gif") as image:
        last = np.asarray([frame.convert("RGB") for frame in ImageSequence.Iterator(image)][-1])
    poster = np.asarray(Image.open(tmp_path / "a.png").convert("RGB"))
    for index in range(6):  # each cluster's colour: centroid faces, and points (opacity 0.85 on white)
        for opacity in (1.0, 0.85):
            colour = np.round((opacity * np.array(to_rgb(f"C{index}")) + 1 - opacity) * 255).astype(int)
            shown = np.all(np.abs(poster.astype(int) - colour) <= 2, axis=2)
            assert shown.sum() > 50
            near = np.abs(last[shown].astype(int) - colour).max(axis=1) <= 8
            assert near.mean() > 0.95, (index, opacity)


def test_explain_mode_tells_the_rounds_in_its_own_words(tmp_path: Path) -> None:
    from clusteranim.scene.layers.caption import default_templates

    templates = default_templates(MeanShift.capabilities, key="mean_shift")
    assert templates["update"].startswith("Each window moves to the mean")
    assert "Windows that stopped" in templates["assign"] and "window" in templates["first"]
    scenario = {
        "data": {"generator": "blobs", "n_samples": 120, "centers": 3},
        "algorithm": {"name": "mean_shift", "bandwidth": 2.5, "bin_seeding": True},
        "style": {"width": 240, "height": 200, "layers": ["points", "windows", "centroids", "caption"]},
        "animation": {"explain": True},
    }
    plain = clusteranim.render({**scenario, "animation": {}}, output=tmp_path / "plain.gif")
    explained = clusteranim.render(scenario, output=tmp_path / "explained.gif")
    assert explained.frames > plain.frames


def test_a_window_holding_the_whole_view_draws_no_outline() -> None:
    X = blobs(18, n_samples=60, centers=2)
    trace = mean_shift_trace(X, bandwidth=1e7)  # every window holds every point
    built = windows_scene(trace, X)
    layer = next(layer for layer in built.layers if type(layer).__name__ == "WindowsLayer")
    built.draw(Frame(trace, trace.n_iter))
    assert len(layer.circles.get_offsets()) == 0  # type: ignore[attr-defined]
    assert len(layer.dots.get_offsets()) == 1  # type: ignore[attr-defined]
