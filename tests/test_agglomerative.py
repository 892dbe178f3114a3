"""Agglomerative clustering against ``scipy.cluster.hierarchy``: the linkage matrix row for
row (ids, sizes and heights), the cut, the leaf order and the truncated dendrogram; the
states recorded from it; the dendrogram layer drawn; every format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from scipy.cluster.hierarchy import cut_tree, dendrogram
from scipy.cluster.hierarchy import linkage as scipy_linkage
from sklearn.datasets import make_blobs

import clusteranim
from clusteranim.algorithms.agglomerative import (
    AUTO_STATES,
    MAX_POINTS,
    Agglomerative,
    AgglomerativeOptions,
    cut,
    leaf_offsets,
    linkage,
    merges_by_state,
)
from clusteranim.data.base import Dataset
from clusteranim.errors import ScenarioError
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.layers.dendrogram import Dendrogram, DendrogramLayer
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record_direct
from tests.conftest import ROOT

METHODS = ["ward", "complete", "average", "single"]
PETALS = np.loadtxt(ROOT / "configs" / "data" / "petals.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))


def normal(seed: int, n_samples: int = 200, n_features: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n_samples, n_features))


def blobs(seed: int, n_features: int = 2, n_samples: int = 150) -> np.ndarray:
    X, _ = make_blobs(n_samples, n_features=n_features, centers=4, cluster_std=1.2, random_state=seed)
    return np.asarray(X, dtype=np.float64)


DATASETS: dict[str, Callable[[], np.ndarray]] = {
    "normal 2-D seed 0": lambda: normal(0),
    "normal 2-D seed 1": lambda: normal(1),
    "normal 2-D seed 2": lambda: normal(2),
    "blobs 5-D": lambda: blobs(3, n_features=5),
    "petals 4-D": lambda: PETALS,  # one decimal: many equal distances, and duplicate rows
    "1-D": lambda: normal(4, 120, 1),
    "two points": lambda: np.array([[0.0, 0.0], [3.0, 4.0]]),
    "three points": lambda: np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]]),
    "duplicates": lambda: np.repeat(normal(5, 20), 3, axis=0),
    "lattice": lambda: np.stack(np.meshgrid(np.arange(7.0), np.arange(6.0)), axis=-1).reshape(-1, 2),
    "all identical": lambda: np.full((12, 3), 2.5),
    "far from the origin": lambda: normal(6, 100) + 1e6,
}


def same_partition(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two labelings group the points alike (whatever the numbers)."""
    pairs = set(zip(first.tolist(), second.tolist(), strict=True))
    return len(pairs) == len(set(first.tolist())) == len(set(second.tolist()))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(DATASETS))
def test_the_linkage_matrix_is_scipys(name: str, method: str) -> None:
    X = DATASETS[name]()
    ours, theirs = linkage(X, method), scipy_linkage(X, method)  # type: ignore[arg-type]
    assert ours.shape == theirs.shape == (len(X) - 1, 4)
    assert np.array_equal(ours[:, [0, 1, 3]], theirs[:, [0, 1, 3]])  # the same merges, in order
    np.testing.assert_allclose(ours[:, 2], theirs[:, 2], rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["normal 2-D seed 0", "petals 4-D", "lattice", "duplicates"])
def test_leaf_order_and_cuts_are_scipys(name: str, method: str) -> None:
    X = DATASETS[name]()
    tree = scipy_linkage(X, method)
    n_samples = len(X)
    order = np.empty(n_samples, dtype=np.intp)
    order[leaf_offsets(tree)[:n_samples]] = np.arange(n_samples)
    assert order.tolist() == dendrogram(tree, no_plot=True)["leaves"]
    for n_clusters in (1, 2, 3, 7, n_samples):
        clusters = cut(tree, n_clusters)[:n_samples]
        assert same_partition(clusters, cut_tree(tree, n_clusters=n_clusters)[:, 0])
        # Numbered from left to right in the dendrogram: cluster c first shows before c + 1.
        _, first = np.unique(clusters[order], return_index=True)
        assert len(first) == n_clusters and (np.diff(first) > 0).all()


def record(X: np.ndarray, n_clusters: int, method: str, merges_per_state: int | str = "auto") -> Any:
    return Agglomerative(n_clusters, method, merges_per_state).record(X, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "method", "n_clusters", "merges_per_state"),
    [
        ("normal 2-D seed 0", "ward", 4, "auto"),
        ("normal 2-D seed 1", "single", 3, 7),
        ("blobs 5-D", "average", 4, "auto"),
        ("petals 4-D", "complete", 3, 1),
        ("1-D", "ward", 2, 5),
        ("duplicates", "average", 5, "auto"),
        ("three points", "complete", 2, 1),
    ],
)
def test_states_follow_scipys_merges(name: str, method: str, n_clusters: int, merges_per_state: Any) -> None:
    X = DATASETS[name]()
    n_samples = len(X)
    recording = record(X, n_clusters, method, merges_per_state)
    tree = scipy_linkage(X, method)
    np.testing.assert_allclose(recording.extras["linkage"], tree, rtol=1e-12, atol=1e-10)
    merged = recording.extras["merged"]
    assert merged[0] == 0 and merged[-1] == n_samples - n_clusters and (np.diff(merged) > 0).all()
    if merges_per_state != "auto":
        assert (np.diff(merged)[:-1] == merges_per_state).all()
    final = recording.labels[-1]
    assert same_partition(final, cut_tree(tree, n_clusters=n_clusters)[:, 0])
    for state, done in enumerate(merged):
        labels = recording.labels[state]
        joined = np.zeros(n_samples, dtype=bool)
        leaves = tree[:done, :2].ravel()
        joined[leaves[leaves < n_samples].astype(int)] = True
        if state < len(merged) - 1:
            assert np.array_equal(labels >= 0, joined)  # labelled once merged with anything
        assert np.array_equal(labels[labels >= 0], final[labels >= 0])  # with its final cluster
        for cluster in range(n_clusters):
            members = X[labels == cluster]
            assert recording.active[state, cluster] == (len(members) > 0)
            if len(members):
                np.testing.assert_allclose(recording.centers[state, cluster], members.mean(axis=0), rtol=1e-9)
            else:
                assert np.isnan(recording.centers[state, cluster]).all()
        assert recording.objective[state] == (tree[done - 1, 2] if done else 0.0)


def test_a_point_left_alone_at_the_cut_is_a_cluster_at_the_last_state() -> None:
    X = np.array([[0.0], [0.1], [0.2], [10.0]])
    recording = record(X, 2, "single", 1)
    assert recording.labels[:-1, 3].tolist() == [-1, -1]
    # The last merge joins point 3 (first, as the lower number) to the others' cluster: it
    # is leftmost in the dendrogram, so cluster 0.
    assert recording.labels[-1].tolist() == [1, 1, 1, 0]
    np.testing.assert_allclose(recording.centers[-1], [[10.0], [0.1]])


def test_k_equal_to_n_and_a_single_point() -> None:
    X = normal(0, 5)
    recording = record(X, 5, "ward")
    assert recording.extras["merged"].tolist() == [0]
    assert sorted(recording.labels[0].tolist()) == list(range(5))
    np.testing.assert_allclose(np.sort(recording.centers[0], axis=0), np.sort(X, axis=0))
    alone = record(X[:1], 1, "average")
    assert alone.labels.tolist() == [[0]] and alone.extras["linkage"].shape == (0, 4)


def test_states_by_merges() -> None:
    assert merges_by_state(10, 2, 3).tolist() == [0, 3, 6, 8]
    assert merges_by_state(10, 2, 100).tolist() == [0, 8]
    assert merges_by_state(10, 10, "auto").tolist() == [0]
    auto = merges_by_state(5_000, 4, "auto")
    steps = np.diff(auto)
    assert auto[0] == 0 and auto[-1] == 4_996 and len(auto) <= AUTO_STATES + 1
    # Many merges per state at first, one at the end.
    assert steps[0] > 100 * steps[-1] and steps[-1] == 1 and (np.diff(steps) <= 0).all()


@pytest.mark.parametrize("n_leaves", [5, 12, 30, 200])
@pytest.mark.parametrize("method", ["ward", "single"])
def test_the_dendrogram_is_scipys_truncated_one(method: str, n_leaves: int) -> None:
    X = blobs(1, n_samples=90)
    tree = scipy_linkage(X, method)
    merged = merges_by_state(90, 4, "auto")
    drawn = Dendrogram.of(tree, merged, 4, n_leaves)
    reference = dendrogram(tree, truncate_mode="lastp", p=n_leaves, no_plot=True)
    assert drawn.leaf_nodes.tolist() == reference["leaves"]
    # scipy's leaves are at x = 5, 15, 25, ...: each link's legs and bar alike.
    ours = {
        (round(10 * x0 + 5, 6), round(10 * x1 + 5, 6), round(height, 9))
        for (x0, _), (_, height), (x1, _), _ in drawn.links.tolist()
    }
    theirs = {
        (round(xs[0], 6), round(xs[3], 6), round(ys[1], 9))
        for xs, ys in zip(reference["icoord"], reference["dcoord"], strict=True)
    }
    assert ours == theirs
    assert drawn.cut_height is not None and tree[-4, 2] < drawn.cut_height < tree[-3, 2]
    # The leaves fill up to their own height by the end, from nothing at the start.
    assert (drawn.filled[0] == 0).all()
    np.testing.assert_allclose(drawn.filled[-1], drawn.stems[:, 1, 1])


def scene(X: np.ndarray, layers: list[Any], n_clusters: int = 3, **options: Any) -> tuple[Scene, Trace]:
    algorithm = Agglomerative(n_clusters, options.get("linkage", "ward"), options.get("merges_per_state", 1))
    profile = AgglomerativeOptions(k=n_clusters).profile()
    trace = record_direct(algorithm, X, 0, profile=profile)
    style = StyleOptions.model_validate({"width": 480, "height": 400, "layers": layers})
    return Scene(style, trace, Dataset(X), "agglomerative clustering"), trace


def pixel(image: np.ndarray, panel: Any, x: float, y: float) -> np.ndarray:
    column, row = panel.transData.transform((x, y))
    colour: np.ndarray = image[round(image.shape[0] - row - 0.5), round(column - 0.5), :3].astype(float) / 255
    return colour


def test_the_dendrogram_layer_draws_the_merges_done_in_their_colours() -> None:
    X = blobs(2, n_samples=24)
    built, trace = scene(X, ["points", {"dendrogram": {"corner": "upper right", "scale": "linear"}}])
    (layer,) = [layer for layer in built.layers if isinstance(layer, DendrogramLayer)]
    tree = layer.tree
    merged = trace.extras["merged"]
    final = built.draw(Frame(trace, trace.n_iter))
    panel = layer.panel
    colors = built.context.colors[:, :3]
    done = np.flatnonzero(tree.link_rows < merged[-1])
    assert len(done) == len(X) - 3
    for index in done:
        (x0, height), (x1, _) = tree.links[index, 1], tree.links[index, 2]
        colour = colors[tree.link_clusters[index]]
        assert np.abs(pixel(final, panel, (x0 + x1) / 2, height) - colour).max() < 0.08
    # At the start nothing is merged: the same bars are faint grey, not a cluster's colour.
    start = built.draw(Frame(trace, 0))
    (x0, height), (x1, _) = tree.links[0, 1], tree.links[0, 2]
    faint = pixel(start, panel, (x0 + x1) / 2, height)
    assert np.abs(faint - faint.mean()).max() < 0.02 and 0.5 < faint.mean() < 0.97
    # The dashed cut line crosses the panel in the text colour (snapped to a pixel row).
    assert tree.cut_height is not None
    _, row = panel.transData.transform((0, tree.cut_height))
    rows = final[round(final.shape[0] - row) - 2 : round(final.shape[0] - row) + 2, :, :3].min(axis=(0, 2))
    left, _ = panel.transData.transform((0, 0))
    right, _ = panel.transData.transform((tree.stems.shape[0] - 1, 0))
    dark = rows[round(left) : round(right)] < 80
    assert 0.4 < dark.mean() < 0.95  # dashes


def test_the_dendrogram_grows_by_state_and_truncates_large_trees() -> None:
    X = blobs(3, n_samples=400)
    built, trace = scene(
        X, [{"dendrogram": {"leaves": 20}}], n_clusters=4, linkage="average", merges_per_state="auto"
    )
    layer = built.layers[0]
    assert isinstance(layer, DendrogramLayer)
    assert layer.tree.stems.shape == (20, 2, 2)
    drawn = []
    for state in range(len(trace)):
        built.draw(Frame(trace, state))
        drawn.append(len(layer.done.get_segments()))
    assert drawn[0] == 0 and drawn == sorted(drawn)
    stems = int((layer.tree.stems[:, 1, 1] > 0).sum())
    assert drawn[-1] == stems + 19 - 3  # every stem, and every link below the cut
    assert layer.panel.get_title() == "dendrogram, top 20 clusters"


def test_a_scenario_records_in_the_fitting_space_and_reports_in_data_coordinates() -> None:
    scenario = {
        "data": {"generator": "blobs", "n_samples": 120, "centers": 3},
        "algorithm": {"name": "agglomerative", "k": 3, "linkage": "complete", "normalize": "standard"},
    }
    trace = clusteranim.run(clusteranim.load_scenario(scenario))
    scaled = (trace.X - trace.X.mean(axis=0)) / trace.X.std(axis=0)
    reference = scipy_linkage(scaled, "complete")
    np.testing.assert_allclose(trace.extras["linkage"], reference, rtol=1e-9, atol=1e-9)
    final = trace.labels(trace.n_iter)
    for cluster in range(3):
        np.testing.assert_allclose(trace.centers[-1, cluster], trace.X[final == cluster].mean(axis=0))
    assert trace.converged and trace.capabilities.merge_tree
    assert trace.capabilities.objective == "merge height"


def test_too_many_points_for_the_matrix_are_refused_before_any_work() -> None:
    scenario = {"data": {"n_samples": MAX_POINTS + 1}, "algorithm": {"name": "agglomerative"}}
    with pytest.raises(ScenarioError, match=r"algorithm\.linkage: ward keeps the distances between all"):
        clusteranim.run(clusteranim.load_scenario(scenario))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_iter": 5}, "algorithm.max_iter: is not used by agglomerative clustering"),
        ({"tol": 0.1}, "algorithm.tol: is not used by agglomerative clustering"),
        ({"seed": 3}, "algorithm.seed: is not used by agglomerative clustering"),
        ({"linkage": "median"}, "algorithm.linkage: must be 'ward', 'complete', 'average' or 'single'"),
        ({"merges_per_state": 0}, "algorithm.merges_per_state: must be >= 1 or 'auto'"),
        ({"merges_per_state": "all"}, "algorithm.merges_per_state"),
    ],
)
def test_options_are_checked_when_the_scenario_loads(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        clusteranim.load_scenario({"algorithm": {"name": "agglomerative", **changes}})


def test_explain_mode_is_refused() -> None:
    with pytest.raises(
        ScenarioError, match=r"animation\.explain: agglomerative clustering has no assignment"
    ):
        clusteranim.load_scenario({"algorithm": {"name": "agglomerative"}, "animation": {"explain": True}})


SMALL = {
    "seed": 2,
    "data": {"generator": "blobs", "n_samples": 60, "centers": 3},
    "algorithm": {"name": "agglomerative", "k": 3, "merges_per_state": 8},
    "style": {"width": 240, "height": 180, "layers": ["points", "centroids", "dendrogram", "title"]},
    "output": {"fps": 4},
}


@pytest.mark.parametrize("extension", ["gif", "mp4", "html"])
def test_every_format_renders(tmp_path: Path, extension: str) -> None:
    target = tmp_path / f"agglomerative.{extension}"
    result = clusteranim.render(SMALL, output=target, jobs=1)
    assert target.stat().st_size > 0 and result.n_iter == 8  # 57 merges, 8 a state (the last one)
    if extension == "gif":
        with Image.open(target) as image:
            assert image.n_frames == result.frames and image.size == (240, 180)
    if extension == "mp4":
        reader = imageio_ffmpeg.read_frames(str(target))
        assert next(reader)["size"] == (240, 180)
        assert sum(1 for _ in reader) == round(result.duration * 4)  # held frames repeat at 4 fps
    if extension == "html":
        assert "<html" in target.read_text(encoding="utf-8")[:500].lower()


def test_a_saved_trace_draws_the_same_frames(tmp_path: Path) -> None:
    trace = clusteranim.run(clusteranim.load_scenario(SMALL))
    trace.save(tmp_path / "tree.npz")
    first = clusteranim.render(SMALL, output=tmp_path / "a.gif", jobs=1)
    again = clusteranim.render(SMALL, output=tmp_path / "b.gif", trace=tmp_path / "tree.npz", jobs=1)
    assert first.frames == again.frames
    assert (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()


@pytest.mark.parametrize(
    ("X", "n_clusters"),
    [
        (np.array([[1.0, 2.0]]), 1),
        (np.array([[0.0, 0.0], [1.0, 1.0]]), 1),
        (np.array([[0.0, 0.0], [1.0, 1.0]]), 2),
        (np.zeros((5, 2)), 2),
        (np.array([[0.0], [1.0], [3.0]]), 3),
    ],
    ids=["one point", "two points, k = 1", "two points, k = 2", "all identical", "1-D, k = n"],
)
def test_tiny_and_degenerate_data_draw(X: np.ndarray, n_clusters: int) -> None:
    built, trace = scene(X, ["points", "centroids", "dendrogram", "title"], n_clusters=n_clusters)
    for state in range(len(trace)):
        image = built.draw(Frame(trace, state))
        assert image.shape == (400, 480, 4)
    assert (trace.labels(trace.n_iter) >= 0).all()


def test_the_default_layers_draw_the_dendrogram() -> None:
    scenario = clusteranim.load_scenario({"algorithm": {"name": "agglomerative"}})
    names = [layer.plugin_name() for layer in scenario.style.layers]
    assert names == ["points", "centroids", "dendrogram", "title"]


def test_list_algorithms_says_the_merge_height_is_reported_not_optimised() -> None:
    from clusteranim.catalog import describe

    listing = describe("algorithms")
    line = listing.split("  agglomerative:")[1].splitlines()[1]
    assert "merge height (reported, not optimised)" in line
    assert "inertia (lower is better)" in listing
