"""DBSCAN against scikit-learn's ``DBSCAN``, its waves against a breadth-first search
written here, its radius neighbours against ``NearestNeighbors``; its layers drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path
from scipy.spatial.distance import cdist
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.neighbors import NearestNeighbors

import clusteranim
from clusteranim.algorithms.dbscan import Dbscan, DbscanOptions, expand, wave_ends
from clusteranim.algorithms.neighbours import _by_blocks, _by_grid, grid_cells, radius_neighbours
from clusteranim.algorithms.scaling import Scaling
from clusteranim.errors import ScenarioError
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.layers.eps import evenly
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, read_trace, record_direct
from tests.conftest import ROOT

PETALS = np.loadtxt(ROOT / "configs" / "data" / "petals.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))
MOONS_NOISE = np.loadtxt(
    ROOT / "configs" / "data" / "moons_noise.csv", delimiter=",", skiprows=1, usecols=(0, 1)
)


def blobs(seed: int, n_features: int = 2, n_samples: int = 300, centers: int = 4) -> np.ndarray:
    X, _ = make_blobs(n_samples, n_features=n_features, centers=centers, cluster_std=1.2, random_state=seed)
    return np.asarray(X, dtype=np.float64)


def moons(seed: int, n_samples: int = 400) -> np.ndarray:
    return np.asarray(make_moons(n_samples, noise=0.08, random_state=seed)[0], dtype=np.float64)


def circles(seed: int) -> np.ndarray:
    return np.asarray(make_circles(400, noise=0.05, factor=0.5, random_state=seed)[0], dtype=np.float64)


# (data, eps, min_samples): a few clusters, a little noise, a share of border points.
DATASETS: dict[str, tuple[Any, float, int]] = {
    "moons seed 0": (lambda: moons(0), 0.12, 6),
    "moons seed 1": (lambda: moons(1), 0.15, 10),
    "moons and noise": (lambda: MOONS_NOISE, 0.15, 12),
    "circles": (lambda: circles(2), 0.12, 5),
    "blobs 2-D seed 3": (lambda: blobs(3), 0.8, 8),
    "blobs 2-D seed 4": (lambda: blobs(4, centers=6), 0.6, 5),
    "blobs 3-D": (lambda: blobs(5, n_features=3), 1.2, 6),
    "blobs 5-D": (lambda: blobs(6, n_features=5), 2.0, 6),
    "petals 4-D": (lambda: PETALS, 0.4, 5),
    "1-D": (lambda: blobs(7, n_features=1), 0.15, 4),
    "duplicates": (lambda: np.repeat(moons(8, 100), 3, axis=0), 0.1, 5),
    "far from the origin": (lambda: moons(9) * 1e-3 + 1e6, 1.2e-4, 6),
    "one point": (lambda: np.array([[1.0, 2.0]]), 0.5, 1),
    "two points": (lambda: np.array([[0.0, 0.0], [0.3, 0.4]]), 0.5, 2),
    "all identical": (lambda: np.ones((7, 3)), 0.1, 3),
}


def scikit_learn(X: np.ndarray, eps: float, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    fitted = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    core = np.zeros(len(X), dtype=bool)
    core[fitted.core_sample_indices_] = True
    return np.asarray(fitted.labels_), core


def dbscan_trace(X: np.ndarray, eps: float, min_samples: int, max_iter: int = 1000) -> Trace:
    return record_direct(Dbscan(eps, min_samples), X, max_iter)


@pytest.mark.parametrize("name", DATASETS)
def test_core_points_noise_and_clusters_are_scikit_learns(name: str) -> None:
    data, eps, min_samples = DATASETS[name]
    X = data()
    expected, core = scikit_learn(X, eps, min_samples)
    expansion = expand(X, eps, min_samples)
    assert np.array_equal(expansion.core, core)
    assert np.array_equal(expansion.labels[core], expected[core])  # the same numbering
    assert np.array_equal(expansion.labels < 0, expected < 0)
    # A border point may join any cluster with a core point within eps (ours joins the
    # lowest-numbered, as scikit-learn's scan in index order does).
    near = cdist(X, X) <= eps
    for point in np.flatnonzero(~core & (expected >= 0)):
        allowed = set(expected[near[point] & core].tolist())
        assert expansion.labels[point] in allowed and expected[point] in allowed
    assert np.array_equal(expansion.labels, expected)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("min_samples", [1, 3, 8])
def test_random_data_at_several_radii(seed: int, min_samples: int) -> None:
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(size=(150, 2)), rng.uniform(-4, 4, size=(50, 2))])
    for eps in (0.05, 0.2, 0.5, 10.0):
        expected, core = scikit_learn(X, eps, min_samples)
        expansion = expand(X, eps, min_samples)
        assert np.array_equal(expansion.core, core) and np.array_equal(expansion.labels, expected)


def test_twenty_thousand_points_equal_scikit_learn() -> None:
    X = moons(10, 20_000)
    expected, core = scikit_learn(X, 0.05, 10)
    expansion = expand(X, 0.05, 10)
    assert np.array_equal(expansion.core, core) and np.array_equal(expansion.labels, expected)


def reference_waves(X: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """The wave of each point, from scikit-learn's clusters: the hops along core points
    within eps of each other from the cluster's lowest-index core point; for a border
    point one more than its nearest core neighbour in its cluster; -1 for noise."""
    labels, core = scikit_learn(X, eps, min_samples)
    near = cdist(X, X) <= eps
    graph = csr_matrix(near & core[:, None] & core[None, :])
    seeds = [int(np.flatnonzero(core & (labels == cluster))[0]) for cluster in range(labels.max() + 1)]
    waves = np.full(len(X), -1)
    if seeds:
        hops = shortest_path(graph, unweighted=True, indices=seeds).min(axis=0)
        waves[core] = hops[core]
    for point in np.flatnonzero(~core & (labels >= 0)):
        own = near[point] & core & (labels == labels[point])
        waves[point] = waves[own].min() + 1
    return waves


@pytest.mark.parametrize(
    "name", ["moons seed 0", "moons and noise", "circles", "blobs 5-D", "1-D", "duplicates"]
)
def test_waves_are_hops_from_each_clusters_first_core_point(name: str) -> None:
    data, eps, min_samples = DATASETS[name]
    X = data()
    assert np.array_equal(expand(X, eps, min_samples).waves, reference_waves(X, eps, min_samples))


@pytest.mark.parametrize("name", ["moons seed 1", "moons and noise", "petals 4-D"])
def test_each_state_is_one_wave(name: str) -> None:
    data, eps, min_samples = DATASETS[name]
    X = data()
    trace = dbscan_trace(X, eps, min_samples)
    waves = reference_waves(X, eps, min_samples)
    final, core = scikit_learn(X, eps, min_samples)
    assert len(trace) == waves.max() + 2 and trace.converged
    assert np.all(trace.labels(0) == -1)
    near = cdist(X, X) <= eps
    for state in range(1, len(trace)):
        labels = trace.labels(state)
        assert np.array_equal(labels, np.where((waves >= 0) & (waves < state), final, -1))
        # What a wave adds lies within eps of a core point of its cluster reached before.
        added = np.flatnonzero((labels >= 0) & (trace.labels(state - 1) < 0))
        assert added.size
        if state > 1:
            before = (trace.labels(state - 1) == labels[:, None]) & core
            assert np.all((near[added] & before[added]).any(axis=1))
    assert np.array_equal(trace.labels(len(trace) - 1), final)
    assert np.array_equal(trace.extras["core"], core)


def test_many_waves_are_grouped_evenly_into_max_iter_steps() -> None:
    # A line of points 1 apart: one cluster, a wave per point from the first.
    X = np.arange(100.0)[:, None]
    full = dbscan_trace(X, 1.0, 2)
    assert len(full) == 101
    trace = dbscan_trace(X, 1.0, 2, max_iter=7)
    assert len(trace) == 8
    reached = [int((trace.labels(state) >= 0).sum()) for state in range(8)]
    assert reached == [0, 14, 28, 42, 57, 71, 85, 100]
    assert np.array_equal(trace.labels(7), full.labels(100))
    assert wave_ends(5, 10).tolist() == [0, 1, 2, 3, 4]
    assert wave_ends(10, 3).tolist() == [2, 5, 9]
    assert wave_ends(0, 3).tolist() == []


def test_a_state_per_wave_up_to_max_iter_and_labels_never_change_once_given() -> None:
    X = MOONS_NOISE
    for max_iter in (1, 2, 5, 60, 1000):
        trace = dbscan_trace(X, 0.15, 12, max_iter)
        assert len(trace) <= max_iter + 1
        final = trace.labels(len(trace) - 1)
        previous = trace.labels(0)
        for state in range(1, len(trace)):
            labels = trace.labels(state)
            assert np.all((labels == -1) | (labels == final))
            assert np.all(labels[previous >= 0] >= 0) and (labels >= 0).sum() > (previous >= 0).sum()
            previous = labels


def test_the_recording_holds_what_the_layers_need() -> None:
    X = moons(11)
    recording = Dbscan(0.12, 6).record(X, 60)
    n_states = recording.n_states
    assert recording.n_clusters == 2
    assert recording.centers.shape == (n_states, 2, 2) and np.isnan(recording.centers).all()
    assert np.isnan(recording.objective).all() and recording.converged
    assert recording.active is not None
    assert not recording.active[0].any() and recording.active[1:].all()
    assert recording.extras["eps_radius"].tolist() == [0.12, 0.12]
    assert recording.extras["core"].dtype == bool


def test_no_core_point_means_no_cluster_and_one_state() -> None:
    X = blobs(12, n_samples=50)
    trace = dbscan_trace(X, 1e-3, 3)
    assert len(trace) == 1 and trace.n_clusters == 0
    assert np.all(trace.labels(0) == -1) and not trace.extras["core"].any()


def test_min_samples_one_makes_every_point_core() -> None:
    X = blobs(13, n_samples=80)
    expansion = expand(X, 0.3, 1)
    assert expansion.core.all() and (expansion.labels >= 0).all()
    assert np.array_equal(expansion.labels, scikit_learn(X, 0.3, 1)[0])


def test_normalised_fit_uses_eps_in_the_fitting_space() -> None:
    X = blobs(14) * [1.0, 1000.0]
    scaling = Scaling.fit(X, "minmax")
    trace = record_direct(Dbscan(0.05, 5), X, 60, scaling)
    expected, _ = scikit_learn(scaling.to_fit(X), 0.05, 5)
    assert np.array_equal(trace.labels(len(trace) - 1), expected)
    np.testing.assert_allclose(trace.extras["eps_radius"], 0.05 * (X.max(axis=0) - X.min(axis=0)))


@pytest.mark.parametrize(
    ("X", "radius"),
    [
        (np.random.default_rng(0).normal(size=(1500, 2)), 0.1),
        (np.random.default_rng(1).normal(size=(800, 1)), 0.02),
        (np.random.default_rng(2).normal(size=(1000, 3)), 0.3),
        (np.random.default_rng(3).normal(size=(600, 6)), 1.5),
        (np.repeat(np.random.default_rng(4).normal(size=(100, 2)), 4, axis=0), 0.2),
        (np.random.default_rng(5).normal(size=(60, 2)), 100.0),  # one cell holds all
        (np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]), 1.0),  # at the bound
    ],
)
def test_radius_neighbours_are_nearest_neighbours(X: np.ndarray, radius: float) -> None:
    found = radius_neighbours(X, radius)
    expected = NearestNeighbors(radius=radius).fit(X).radius_neighbors(X, return_distance=False)
    assert found.indptr[-1] == found.indices.size
    for point in range(len(X)):
        row = found.indices[found.indptr[point] : found.indptr[point + 1]]
        assert sorted(row.tolist()) == sorted(expected[point].tolist())
    blocks = _by_blocks(X, radius)
    assert np.array_equal(blocks.indptr, found.indptr)
    if X.shape[1] <= 3:  # the grid and the blocks find the same pairs
        grid = grid_cells(X, radius)
        assert grid is not None
        by_grid = _by_grid(X, radius, *grid)
        assert all(
            sorted(by_grid.indices[by_grid.indptr[i] : by_grid.indptr[i + 1]])
            == sorted(blocks.indices[blocks.indptr[i] : blocks.indptr[i + 1]])
            for i in range(len(X))
        )


def test_a_grid_too_fine_for_int64_falls_back_to_blocks() -> None:
    X = np.array([[0.0, 0.0], [1e-300, 0.0], [1e6, 1e6]])
    assert grid_cells(X, 1e-290) is None
    found = radius_neighbours(X, 1e-290)
    assert found.counts.tolist() == [2, 2, 1]
    assert radius_neighbours(np.zeros((0, 2)), 1.0).indptr.tolist() == [0]


def load(algorithm: dict[str, Any], **sections: Any) -> clusteranim.Scenario:
    return clusteranim.load_scenario(
        {
            "data": {"generator": "moons", "n_samples": 200},
            "algorithm": {"name": "dbscan", **algorithm},
            **sections,
        }
    )


@pytest.mark.parametrize(
    ("algorithm", "sections", "message"),
    [
        ({"eps": -1.0}, {}, r"algorithm\.eps: must be > 0"),
        ({"min_samples": 0}, {}, r"algorithm\.min_samples: must be >= 1"),
        ({"min_samples": 2.5}, {}, r"algorithm\.min_samples"),
        ({"max_iter": 0}, {}, r"algorithm\.max_iter: must be >= 1"),
        ({"k": 2}, {}, r"algorithm\.k: is not used by DBSCAN: it finds the number of clusters itself"),
        ({"tol": 0.1}, {}, r"algorithm\.tol: is not used by DBSCAN"),
        ({"seed": 3}, {}, r"algorithm\.seed: is not used by DBSCAN"),
        ({"metric": "manhattan"}, {}, r"algorithm\.metric"),
        ({}, {"animation": {"explain": True}}, r"animation\.explain: DBSCAN has no assignment and update"),
        (
            {},
            {"style": {"layers": ["points", "centroids"]}},
            r"centroids needs cluster centres: DBSCAN has none",
        ),
        ({}, {"style": {"layers": ["regions"]}}, r"regions needs a rule that assigns any point"),
    ],
)
def test_options_are_checked_when_the_scenario_loads(
    algorithm: dict[str, Any], sections: dict[str, Any], message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        load(algorithm, **sections)


@pytest.mark.parametrize("layer", ["core", "eps"])
def test_the_layers_are_refused_for_other_algorithms(layer: str) -> None:
    with pytest.raises(ScenarioError, match=rf"style\.layers\[1\]\.{layer}: {layer} needs DBSCAN"):
        clusteranim.load_scenario({"algorithm": {"name": "kmeans"}, "style": {"layers": ["points", layer]}})


def test_the_options_say_what_the_run_finds() -> None:
    options = DbscanOptions(eps=0.2, min_samples=4)
    assert options.profile().finds_k and options.profile().n_clusters == 0
    recorder = options.recorder(0)
    assert (recorder.eps, recorder.min_samples) == (0.2, 4)
    assert set(DbscanOptions.parameters()) == {"eps", "min_samples", "max_iter", "normalize"}


def test_without_layers_a_scenario_draws_points_core_points_and_the_title() -> None:
    scenario = load({"eps": 0.2})
    assert [layer.plugin_name() for layer in scenario.style.layers] == ["points", "core", "title"]
    assert [layer.plugin_name() for layer in load({}, style={"layers": ["points"]}).style.layers] == [
        "points"
    ]
    kmeans = clusteranim.load_scenario({"algorithm": {"name": "kmeans"}})
    assert [layer.plugin_name() for layer in kmeans.style.layers] == ["points", "centroids", "title"]


def test_a_scenario_runs_and_its_trace_reads_back(tmp_path: Path) -> None:
    scenario = load({"eps": 0.2, "min_samples": 5, "normalize": "standard"})
    trace = clusteranim.run(scenario)
    X = trace.X
    expected, core = scikit_learn(Scaling.fit(X, "standard").to_fit(X), 0.2, 5)
    assert np.array_equal(trace.labels(len(trace) - 1), expected)
    trace.save(tmp_path / "t.npz")
    back = read_trace(tmp_path / "t.npz", "t.npz", 10**6)
    assert np.array_equal(back.arrays["core"], core)
    np.testing.assert_allclose(back.arrays["eps_radius"], trace.extras["eps_radius"])
    assert back.profile.key == "dbscan"


def draw(
    trace: Trace, layers: list[Any], state: int, size: int = 400, **style: Any
) -> tuple[np.ndarray, Scene]:
    options = StyleOptions.model_validate(
        {"width": size, "height": size, "palette": ["tab:blue", "tab:orange"], "layers": layers, **style}
    )
    scene = Scene(options, trace, clusteranim.data.Dataset(X=trace.X), "DBSCAN")
    return scene.draw(Frame(trace, state)).astype(float)[:, :, :3] / 255, scene


def pixel(scene: Scene, image: np.ndarray, point: np.ndarray, dx: float = 0.0) -> np.ndarray:
    x, y = scene.context.axes.transData.transform(point)
    return image[round(image.shape[0] - y - 0.5), round(x - 0.5 + dx)]


BLUE, ORANGE, GREY = (0.122, 0.467, 0.706), (1.0, 0.498, 0.055), (0.6, 0.6, 0.6)


def two_groups() -> np.ndarray:
    """Two tight groups of five points and a border point beside each, and a lone point."""
    ring = np.array([[0.0, 0.0], [0.1, 0.0], [-0.1, 0.0], [0.0, 0.1], [0.0, -0.1]])
    shift = np.array([3.0, 0.0])
    return np.concatenate([ring - shift, ring + shift, [[-3.0, 0.55], [3.0, 0.55], [0.0, 3.0]]])


def test_core_points_are_drawn_larger_than_border_points() -> None:
    X = two_groups()
    trace = dbscan_trace(X, 0.5, 5)
    assert trace.extras["core"].tolist() == [True] * 10 + [False] * 3
    last = len(trace) - 1
    assert trace.labels(last).tolist() == [0] * 5 + [1] * 5 + [0, 1, -1]
    image, scene = draw(
        trace,
        [{"points": {"size": 12, "alpha": 1.0}}, {"core": {"size": 400, "linewidth": 0, "alpha": 1.0}}],
        last,
    )
    points_radius = np.sqrt(12) / 2 * 100 / 72  # pixels at 100 dpi
    core_radius = np.sqrt(400) / 2 * 100 / 72
    middle = (points_radius + core_radius) / 2
    assert np.allclose(pixel(scene, image, X[1], dx=0), BLUE, atol=0.03)
    assert np.allclose(pixel(scene, image, X[1], dx=middle), BLUE, atol=0.03)  # a large disc
    assert np.allclose(pixel(scene, image, X[11], dx=0), ORANGE, atol=0.03)  # a border point
    assert np.allclose(pixel(scene, image, X[11], dx=middle), 1.0, atol=0.03)  # small
    assert pixel(scene, image, X[12]).std() < 0.02 and pixel(scene, image, X[12]).mean() < 0.9  # noise: grey
    # At the start no point is in a cluster; core points already show, large and grey.
    first, scene = draw(
        trace,
        [{"points": {"size": 12, "alpha": 1.0}}, {"core": {"size": 400, "linewidth": 0, "alpha": 1.0}}],
        0,
    )
    grey = pixel(scene, first, X[1], dx=middle)
    assert grey.std() < 0.02 and grey.mean() < 0.9


def test_core_points_as_pixels_look_like_markers() -> None:
    X = two_groups()
    trace = dbscan_trace(X, 0.5, 5)
    last = len(trace) - 1
    layers = [{"points": {"size": 12}}, {"core": {"size": 400, "linewidth": 0, "alpha": 1.0}}]
    markers, _ = draw(trace, layers, last)
    layers[1]["core"]["raster_above"] = 0
    pixels, _ = draw(trace, layers, last)
    assert np.abs(markers - pixels).mean() < 0.01


def test_eps_circles_ring_the_front_at_radius_eps() -> None:
    X = two_groups()
    trace = dbscan_trace(X, 0.5, 5)
    # Seeds are the lowest-index core points: 0 and 5, the only front at state 1.
    layers: list[Any] = [{"eps": {"linewidth": 1.5, "alpha": 1.0, "fill": 0.0}}]
    image, scene = draw(trace, layers, 1, aspect="equal")
    start, end = (scene.context.axes.transData.transform(p) for p in ([0.0, 0.0], [0.5, 0.0]))
    radius = end[0] - start[0]
    assert np.allclose(pixel(scene, image, X[0], dx=radius), BLUE, atol=0.15)
    assert np.allclose(pixel(scene, image, X[5], dx=-radius), ORANGE, atol=0.15)
    assert np.allclose(pixel(scene, image, X[0], dx=radius / 2), 1.0, atol=0.02)  # hollow
    assert np.allclose(pixel(scene, image, X[1], dx=radius), 1.0, atol=0.02)  # X[1] is no front yet
    # The last wave reaches only border points, and the start none: no circle in either.
    assert np.array_equal(draw(trace, layers, len(trace) - 1)[0], draw(trace, layers, 0)[0])
    assert not np.array_equal(image, draw(trace, layers, 0)[0])
    reached, scene = draw(trace, [{"eps": {"show": "reached", "alpha": 1.0}}], len(trace) - 1)
    assert np.allclose(pixel(scene, reached, X[1], dx=radius), BLUE, atol=0.25)


def test_at_most_max_circles_chosen_evenly() -> None:
    assert evenly(np.arange(10), 3).tolist() == [0, 4, 9]
    assert evenly(np.arange(4), 10).tolist() == [0, 1, 2, 3]
    X = moons(15, 600)
    trace = dbscan_trace(X, 0.1, 5)
    options = StyleOptions.model_validate(
        {"width": 300, "height": 300, "layers": [{"eps": {"max_circles": 3}}]}
    )
    scene = Scene(options, trace, clusteranim.data.Dataset(X=X), "DBSCAN")
    layer = scene.layers[0]
    counts = [len(layer.due(Frame(trace, state))) for state in range(len(trace))]  # type: ignore[attr-defined]
    assert max(counts) == 3 and counts[0] == 0


def test_the_legend_shows_nothing_before_a_cluster_exists() -> None:
    X = two_groups()
    trace = dbscan_trace(X, 0.5, 5)
    with_legend, _ = draw(trace, ["points", "legend"], 0)
    without, _ = draw(trace, ["points"], 0)
    assert np.array_equal(with_legend, without)
    later, _ = draw(trace, ["points", "legend"], 1)
    assert not np.array_equal(later, draw(trace, ["points"], 1)[0])


@pytest.mark.parametrize("extension", ["gif", "mp4", "html"])
def test_renders_in_every_format_with_its_layers(tmp_path: Path, extension: str) -> None:
    document = {
        "seed": 4,
        "data": {"generator": "circles", "n_samples": 300},
        "algorithm": {"name": "dbscan", "eps": 0.15, "min_samples": 6, "max_iter": 8},
        "style": {
            "width": 240,
            "height": 180,
            "layers": ["points", "core", "eps", "legend", "title", "caption"],
        },
        "output": {"path": str(tmp_path / f"out.{extension}"), "fps": 4},
    }
    result = clusteranim.render(document)
    assert result.n_iter <= 8 and result.converged
    assert (tmp_path / f"out.{extension}").stat().st_size > 1000
    if extension == "gif":
        with Image.open(tmp_path / "out.gif") as image:
            assert image.n_frames == result.frames and image.size == (240, 180)


@pytest.mark.parametrize(
    "data",
    [
        {"generator": "blobs", "n_samples": 200, "n_features": 1},
        {"generator": "blobs", "n_samples": 200, "n_features": 5},
        {
            "generator": "file",
            "path": str(ROOT / "configs" / "data" / "petals.csv"),
            "label_column": "species",
        },
    ],
)
def test_one_and_more_dimensions_render(tmp_path: Path, data: dict[str, Any]) -> None:
    document = {
        "data": data,
        "algorithm": {"name": "dbscan", "eps": 1.0, "min_samples": 4},
        "style": {"width": 200, "height": 160, "layers": ["points", "core", "eps", "title"]},
        "output": {"path": str(tmp_path / "out.gif")},
    }
    assert clusteranim.render(document).frames >= 1


@pytest.mark.parametrize("n_features", [2, 5])  # the grid, then blocks of the distance matrix
def test_too_many_pairs_stop_early_with_a_line_naming_eps(
    monkeypatch: pytest.MonkeyPatch, n_features: int
) -> None:
    from clusteranim.algorithms import neighbours
    from clusteranim.pipeline import run

    X = np.random.default_rng(0).normal(size=(600, n_features))
    monkeypatch.setattr(neighbours, "MAX_PAIRS", 10_000)
    monkeypatch.setattr(neighbours, "BLOCK_PAIRS", 4_096)
    with pytest.raises(neighbours.TooManyPairsError) as raised:
        radius_neighbours(X, 100.0)  # every pair: 360,000
    assert 10_000 < raised.value.found < 360_000  # stopped block by block, not at the end
    monkeypatch.setattr("clusteranim.algorithms.dbscan.MAX_PAIRS", 10_000)
    document = {
        "data": {"generator": "blobs", "n_samples": 600, "n_features": n_features},
        "algorithm": {"name": "dbscan", "eps": 100.0},
    }
    with pytest.raises(ScenarioError) as refused:
        run(clusteranim.load_scenario(document))
    assert str(refused.value).endswith(
        "algorithm.eps: is 100: more than 10,000 pairs of points lie within it (over 16 neighbours a"
        " point on average), more than DBSCAN keeps; lower eps"
    )
    assert len(radius_neighbours(X, 0.1).indices) < 10_000  # a small eps still works


def test_its_trace_file_draws_the_same_bytes_captions_included(tmp_path: Path) -> None:
    """Its captions use no setting of the run that a trace file lacks (start, tolerance,
    limit): drawn from the file, they are the same."""
    from clusteranim.pipeline import run
    from clusteranim.trace import read_trace

    scenario = Path(__file__).parent.parent / "configs" / "14_dbscan.yaml"
    small = {"style.width": 320, "style.height": 240}
    direct = clusteranim.render(scenario, output=tmp_path / "direct.gif", jobs=1, **small)
    run(clusteranim.load_scenario(scenario)).save(tmp_path / "t.npz")
    assert read_trace(tmp_path / "t.npz", "t.npz", 10**6).profile.key == "dbscan"
    again = clusteranim.render(
        scenario, output=tmp_path / "again.gif", trace=tmp_path / "t.npz", jobs=1, **small
    )
    assert direct.frames == again.frames
    assert (tmp_path / "direct.gif").read_bytes() == (tmp_path / "again.gif").read_bytes()


def test_overlapping_eps_faces_are_filled_once() -> None:
    """Many circles over one place tint it as one circle does: the face opacity holds, and
    the points under it stay visible."""
    X = np.vstack([np.zeros((40, 2)) + np.linspace(0, 0.01, 40)[:, None], [[5.0, 5.0]]])
    trace = dbscan_trace(X, 3.0, 5)
    layers: list[Any] = [{"eps": {"show": "reached", "alpha": 0.0, "fill": 0.2, "max_circles": 40}}]
    image, scene = draw(trace, layers, len(trace) - 1, aspect="equal")
    tint = pixel(scene, image, X[0], dx=20)
    expected = 0.8 * np.ones(3) + 0.2 * np.array(BLUE)
    assert np.allclose(tint, expected, atol=0.03), tint  # 40 faces stacked: near-opaque blue
