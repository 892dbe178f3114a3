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


def sized_scene(
    X: np.ndarray,
    layers: list[Any],
    width: int,
    height: int,
    n_clusters: int,
    linkage_name: str = "ward",
    **style_options: Any,
) -> tuple[Scene, Trace]:
    algorithm = Agglomerative(n_clusters, linkage_name, "auto")
    trace = record_direct(algorithm, X, 0, profile=AgglomerativeOptions(k=n_clusters).profile())
    style = StyleOptions.model_validate({"width": width, "height": height, "layers": layers, **style_options})
    return Scene(style, trace, Dataset(X), "agglomerative clustering"), trace


def within(box: Any, outer: Any, slack: float = 0.5) -> bool:
    return bool(
        box.x0 >= outer.x0 - slack
        and box.y0 >= outer.y0 - slack
        and box.x1 <= outer.x1 + slack
        and box.y1 <= outer.y1 + slack
    )


def panel_texts(layer: DendrogramLayer) -> list[Any]:
    """Every text the panel draws: its title, axis labels, tick labels and the cut's label."""
    panel = layer.panel
    texts = [panel.title, panel.xaxis.label, panel.yaxis.label, *panel.texts]
    for axis in (panel.xaxis, panel.yaxis):
        low, high = sorted(axis.get_view_interval())
        for tick, location in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=True):
            if low <= location <= high:
                texts.append(tick.label1)
    return [text for text in texts if text.get_visible() and text.get_text()]


def tree_lines(layer: DendrogramLayer) -> np.ndarray:
    """The lines of the tree as drawn, (x0, y0, x1, y1) in pixels, each vertical or horizontal."""
    tree = layer.tree
    segments = [tree.links[:, :2], tree.links[:, 1:3], tree.links[:, 2:], tree.stems[tree.stems[:, 1, 1] > 0]]
    ends = np.concatenate(segments).reshape(-1, 2)
    pixels: np.ndarray = layer.panel.transData.transform(ends).reshape(-1, 4)
    return pixels


def crosses(box: Any, lines: np.ndarray, clearance: float = 0.0) -> bool:
    """Whether a line comes within ``clearance`` pixels of ``box``."""
    low = np.minimum(lines[:, :2], lines[:, 2:])
    high = np.maximum(lines[:, :2], lines[:, 2:])
    return bool(
        (
            (low[:, 0] < box.x1 + clearance)
            & (high[:, 0] > box.x0 - clearance)
            & (low[:, 1] < box.y1 + clearance)
            & (high[:, 1] > box.y0 - clearance)
        ).any()
    )


def two_moons() -> np.ndarray:
    from sklearn.datasets import make_moons

    X, _ = make_moons(400, noise=0.06, random_state=3)
    return np.asarray(X, dtype=np.float64)


@pytest.mark.parametrize(
    ("width", "height", "corner"),
    [
        (640, 480, "auto"),
        (320, 240, "auto"),
        (320, 240, "lower right"),
        (240, 180, "auto"),
        (200, 150, "auto"),
    ],
)
def test_the_dendrograms_texts_keep_inside_its_box_and_the_tree_keeps_most_of_it(
    width: int, height: int, corner: str
) -> None:
    import itertools

    X = two_moons()  # configs/15_agglomerative.yaml
    layers = [
        {"points": {"size": 14}},
        {"dendrogram": {"width": 0.36, "height": 0.32, "corner": corner}},
        "title",
    ]
    built, trace = sized_scene(X, layers, width, height, n_clusters=2, linkage_name="single", padding=0.1)
    (layer,) = [each for each in built.layers if isinstance(each, DendrogramLayer)]
    built.draw(Frame(trace, trace.n_iter))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = layer.box.get_window_extent(renderer)
    assert within(box, built.figure.bbox)
    texts = panel_texts(layer)
    extents = [text.get_window_extent(renderer) for text in texts]
    for text, extent in zip(texts, extents, strict=True):
        assert within(extent, box), (text.get_text(), extent, box)
    for (first, one), (second, other) in itertools.combinations(zip(texts, extents, strict=True), 2):
        assert not one.overlaps(other) or min(one.width, other.width) == 0, (
            first.get_text(),
            second.get_text(),
        )
    # The tree keeps a good part of the box, inside it.
    plot = layer.panel.get_window_extent(renderer)
    assert within(plot, box)
    assert plot.width >= 0.4 * box.width and plot.height >= 0.4 * box.height
    # The cut's label, when there is room for it, crosses no line of the tree.
    labels = [text for text in layer.panel.texts if text.get_visible() and "k = " in text.get_text()]
    for label in labels:
        extent = label.get_window_extent(renderer)
        assert not crosses(extent, tree_lines(layer), clearance=1.0)
        for text, other in zip(texts, extents, strict=True):
            if text is not label and other.width > 0:
                assert not extent.padded(1.0).overlaps(other), text.get_text()  # clear of the title
        # In the plot, or beside it: not across its frame.
        for edge in (plot.y0, plot.y1):
            assert not extent.y0 + 0.5 < edge < extent.y1 - 0.5
        for edge in (plot.x0, plot.x1):
            assert not extent.x0 + 0.5 < edge < extent.x1 - 0.5
    if width >= 640:
        # Room for every text: the title, the height axis' label, the ticks and the cut's label.
        shown = {text.get_text() for text in texts}
        assert {"dendrogram, top 30 clusters", "merge height"} <= shown and labels
    if width <= 200:
        # No room for text: the tree and the cut line alone, the box less its padding.
        assert texts == [] and plot.width >= 0.8 * box.width


def test_on_1d_data_the_dendrogram_keeps_off_the_strip() -> None:
    X = np.concatenate(
        [np.random.default_rng(seed).normal(6.0 * seed, 1.0, size=(40, 1)) for seed in range(3)]
    )
    built, trace = sized_scene(X, ["points", "centroids", "dendrogram", "title"], 640, 480, n_clusters=3)
    (layer,) = [each for each in built.layers if isinstance(each, DendrogramLayer)]
    built.draw(Frame(trace, trace.n_iter))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = layer.box.get_window_extent(renderer)
    points = built.context.axes.transData.transform(built.context.points)
    low, high = box.get_points()
    assert not ((points >= low) & (points <= high)).all(axis=1).any()
    assert within(box, built.figure.bbox)
    for text in panel_texts(layer):
        assert within(text.get_window_extent(renderer), box), text.get_text()


def test_with_k_equal_to_n_the_legend_keeps_off_the_dendrogram() -> None:
    X = blobs(4, n_samples=60)
    layers = ["points", "centroids", "dendrogram", "legend", "title"]
    built, trace = sized_scene(X, layers, 640, 480, n_clusters=60)
    (layer,) = [each for each in built.layers if isinstance(each, DendrogramLayer)]
    built.draw(Frame(trace, trace.n_iter))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = layer.box.get_window_extent(renderer)
    legend = built.layers[3].legend.get_window_extent(renderer)  # type: ignore[attr-defined]
    assert not legend.overlaps(box)
    for each in (legend, box):
        assert within(each, built.figure.bbox)
    for text in panel_texts(layer):
        assert within(text.get_window_extent(renderer), box), text.get_text()


def test_fewer_leaves_than_k_are_raised_to_k_as_documented() -> None:
    X = blobs(5, n_samples=80)
    built, _ = scene(X, [{"dendrogram": {"leaves": 2}}], n_clusters=5)
    layer = built.layers[0]
    assert isinstance(layer, DendrogramLayer)
    assert layer.tree.stems.shape[0] == 5
    from clusteranim.scene.layers.dendrogram import DendrogramOptions

    assert "raised to k" in (DendrogramOptions.model_fields["leaves"].description or "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| | `leaves` |")]
    assert "raised to k" in row and "at least k" not in row
