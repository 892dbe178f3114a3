"""The objective panel and the legend: wholly drawn, their labels on their own box, and
placed once, where the data is not."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from matplotlib.transforms import Bbox

from clusteranim.algorithms.kmeans import KMeans
from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record

LEFT_CORNERS = {"upper left", "lower left"}


def kmeans_scene(X: np.ndarray, start: np.ndarray, layers: list[Any], **style: Any) -> tuple[Scene, Trace]:
    trace = record(KMeans(len(start), start, 0.0, 0), X, 10)
    options = StyleOptions.model_validate({"width": 400, "height": 400, "layers": layers, **style})
    return Scene(options, trace, Dataset(X), "k-means"), trace


def right_heavy() -> np.ndarray:
    """Many points over the right half of the view, a few on the left to frame it."""
    rng = np.random.default_rng(3)
    right = rng.uniform([0.0, 0.0], [10.0, 10.0], size=(600, 2)) * [0.5, 1.0] + [5.0, 0.0]
    left = np.array([[0.0, 0.0], [0.0, 10.0], [1.0, 5.0], [2.0, 4.0]])
    return np.concatenate([right, left])


def inside(box: Bbox, outer: Bbox, slack: float = 0.5) -> bool:
    return bool(
        box.x0 >= outer.x0 - slack
        and box.y0 >= outer.y0 - slack
        and box.x1 <= outer.x1 + slack
        and box.y1 <= outer.y1 + slack
    )


def contains(box: Bbox, pixels: np.ndarray) -> np.ndarray:
    """Which of the pixel positions, shape (n, 2), lie in ``box``."""
    low, high = box.get_points()
    inside: np.ndarray = ((pixels >= low) & (pixels <= high)).all(axis=1)
    return inside


def under(pixels: np.ndarray, box: Bbox) -> int:
    """How many of the pixel positions lie in ``box``."""
    return int(np.count_nonzero(contains(box, pixels)))


@pytest.mark.parametrize("corner", ["lower right", "upper left"])
def test_the_current_marker_is_whole_at_the_first_and_last_iteration(corner: str) -> None:
    X = np.random.default_rng(0).normal(size=(200, 2))
    built, trace = kmeans_scene(X, X[:3].copy(), [{"objective": {"corner": corner}}])
    panel = built.layers[0].panel  # type: ignore[attr-defined]
    marker_rgb = np.array(built.context.colors[0][:3])
    for step in (0, len(trace) - 1):
        image = built.draw(Frame(trace, step))
        # The marker sits on the panel's edge at both ends (first iteration, last
        # iteration; highest and lowest objective).
        x, y = panel.transData.transform((step, trace.objective[step]))
        row, column = image.shape[0] - y, x
        rows, columns = np.mgrid[0 : image.shape[0], 0 : image.shape[1]] + 0.5
        disc = (rows - row) ** 2 + (columns - column) ** 2 <= 1.0**2 * 2.5
        assert disc.sum() >= 5
        colours = image[disc][:, :3].astype(float) / 255
        assert np.abs(colours - marker_rgb).max() < 0.05, step
        # Half of it lay outside the plot, where a clipped marker is not drawn.
        positions = np.stack([columns.ravel(), image.shape[0] - rows.ravel()], axis=1)
        outside_plot = disc & ~contains(panel.get_window_extent(), positions).reshape(disc.shape)
        assert outside_plot.any()


def test_the_panels_labels_lie_on_its_opaque_box() -> None:
    X = np.random.default_rng(1).uniform(0, 1000, size=(3000, 2))
    points = {"color_by": "none", "color": "#ff0000", "alpha": 1.0, "size": 30}
    built, trace = kmeans_scene(
        X, X[:4].copy(), [{"points": points}, {"objective": {"corner": "lower right"}}]
    )
    image = built.draw(Frame(trace, len(trace) - 1))
    layer = built.layers[1]
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box = layer.box.get_window_extent(renderer)  # type: ignore[attr-defined]
    panel = layer.panel  # type: ignore[attr-defined]
    labels = [
        tick.label1
        for axis in (panel.xaxis, panel.yaxis)
        for tick, location in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=True)
        if min(axis.get_view_interval()) <= location <= max(axis.get_view_interval())
    ]
    assert len(labels) >= 4
    for text in [*labels, panel.title]:
        assert inside(text.get_window_extent(renderer), box), text.get_text()
    assert inside(box, built.context.axes.get_window_extent())
    # No point shows through the box but faintly: inside it, the background, the plot's
    # line and marker, and text; a point drawn there would be pure red.
    top = image.shape[0]
    rows, columns = slice(round(top - box.y1), round(top - box.y0)), slice(round(box.x0), round(box.x1))
    redness = image[..., 0].astype(int) - image[..., 1]
    assert redness[rows, columns].max() < 60
    above = slice(rows.start - 30, rows.start - 2)
    assert redness[above, columns].max() > 200  # the points are there, beside the box


def test_auto_places_the_panel_and_the_legend_where_the_data_is_not() -> None:
    X = right_heavy()
    start = np.array([[6.0, 2.0], [8.0, 8.0]])
    built, trace = kmeans_scene(X, start, ["points", "centroids", "legend", "objective"])
    first = built.draw(Frame(trace, 0))
    last = built.draw(Frame(trace, len(trace) - 1))
    legend_layer, panel_layer = built.layers[2], built.layers[3]
    legend = legend_layer.legend  # type: ignore[attr-defined]
    corners = {legend_layer.look.loc, panel_layer.corner}  # type: ignore[attr-defined]
    assert corners == LEFT_CORNERS  # the defaults (upper right, lower right) are crowded
    axes = built.context.axes
    points = axes.transData.transform(X)
    centers = axes.transData.transform(trace.centers.reshape(-1, 2))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for box in (legend.get_window_extent(renderer), panel_layer.box.get_window_extent(renderer)):  # type: ignore[attr-defined]
        assert under(points, box) <= 2
        assert under(centers, box) == 0
    assert not np.array_equal(first, last)


def test_the_choice_holds_for_every_frame() -> None:
    # A centroid starts in the empty upper left corner and leaves it: the legend must not
    # go there, as it would cover the centroid in the first frames.
    X = right_heavy()
    start = np.array([[0.5, 9.5], [8.0, 5.0]])
    layers = ["points", "centroids", "legend", {"objective": {"corner": "lower left"}}]
    built, trace = kmeans_scene(X, start, layers)
    assert trace.centers[-1, 0, 0] > 2  # the centroid has left the corner
    boxes = []
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for step in (0, len(trace) - 1):
        built.draw(Frame(trace, step))
        boxes.append(built.layers[2].legend.get_window_extent(renderer).bounds)  # type: ignore[attr-defined]
    assert boxes[0] == boxes[1]
    centers = built.context.axes.transData.transform(trace.centers.reshape(-1, 2))
    assert under(centers, Bbox.from_bounds(*boxes[0])) == 0
    assert built.layers[2].look.loc != "upper left"  # type: ignore[attr-defined]


def test_explicit_corners_stay_where_they_are_put() -> None:
    X = right_heavy()
    layers = ["points", {"legend": {"loc": "upper right"}}, {"objective": {"corner": "lower right"}}]
    built, trace = kmeans_scene(X, np.array([[6.0, 2.0], [8.0, 8.0]]), layers)
    built.draw(Frame(trace, 0))
    axes = built.context.axes.get_window_extent()
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = built.layers[1].legend.get_window_extent(renderer)  # type: ignore[attr-defined]
    panel = built.layers[2].box.get_window_extent(renderer)  # type: ignore[attr-defined]
    assert axes.x1 - 20 < legend.x1 < axes.x1 and axes.y1 - 20 < legend.y1 < axes.y1
    assert axes.x1 - 20 < panel.x1 < axes.x1 and axes.y0 < panel.y0 < axes.y0 + 20


def test_a_crowded_view_puts_the_legend_outside_when_the_frame_has_room() -> None:
    X = np.random.default_rng(4).uniform(0, 10, size=(3000, 2))
    start = X[:3].copy()
    wide, trace = kmeans_scene(X, start, ["points", "legend"], width=640, height=400)
    wide.draw(Frame(trace, 0))
    renderer = wide.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = wide.layers[1].legend.get_window_extent(renderer)  # type: ignore[attr-defined]
    assert legend.x0 > wide.context.axes.get_window_extent().x1
    assert inside(legend, wide.figure.bbox)
    # Without room beside the axes, the least crowded corner.
    narrow, trace = kmeans_scene(X, start, ["points", "legend"], width=240, height=400)
    narrow.draw(Frame(trace, 0))
    renderer = narrow.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = narrow.layers[1].legend.get_window_extent(renderer)  # type: ignore[attr-defined]
    assert inside(legend, narrow.context.axes.get_window_extent())


@pytest.mark.parametrize(("width", "height"), [(300, 300), (160, 120)])
def test_a_legend_of_forty_clusters_stays_within_the_axes(width: int, height: int) -> None:
    X = np.random.default_rng(5).normal(size=(400, 2))
    built, trace = kmeans_scene(
        X, X[:40].copy(), ["points", "legend"], width=width, height=height, palette="hsv"
    )
    built.draw(Frame(trace, len(trace) - 1))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = built.layers[1].legend  # type: ignore[attr-defined]
    assert inside(legend.get_window_extent(renderer), built.context.axes.get_window_extent())
    texts = [text.get_text() for text in legend.get_texts()]
    if len(texts) < 40:  # entries left out are counted in the last one
        shown = len(texts) - 1
        assert texts[-1] == f"… {40 - shown} more"
        assert texts[:shown] == [f"cluster {index + 1}" for index in range(shown)]


def all_but_the_lower_right() -> np.ndarray:
    """Points everywhere but in the lower right corner of the view."""
    X = np.random.default_rng(6).uniform(0, 10, size=(4000, 2))
    return X[~((X[:, 0] > 6) & (X[:, 1] < 4))]


@pytest.mark.parametrize("legend_first", [True, False])
def test_a_panel_takes_its_corner_before_the_legend_which_then_goes_outside(legend_first: bool) -> None:
    X = all_but_the_lower_right()
    layers: list[Any] = ["points", "centroids", "legend", "objective"]
    if not legend_first:
        layers[2:] = ["objective", "legend"]
    built, trace = kmeans_scene(X, X[:6].copy(), layers, width=640, height=400, aspect="auto")
    built.draw(Frame(trace, 0))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    legend_layer = built.layers[layers.index("legend")]
    panel_layer = built.layers[layers.index("objective")]
    legend = legend_layer.legend.get_window_extent(renderer)  # type: ignore[attr-defined]
    panel = panel_layer.box.get_window_extent(renderer)  # type: ignore[attr-defined]
    axes = built.context.axes
    # The only free corner is the panel's; every other is crowded: the legend goes outside.
    assert panel_layer.corner == "lower right"  # type: ignore[attr-defined]
    assert under(axes.transData.transform(X), panel) <= 2
    assert under(axes.transData.transform(trace.centers.reshape(-1, 2)), panel) == 0
    assert legend.x0 > axes.get_window_extent().x1
    assert inside(legend, built.figure.bbox)
    assert not legend.overlaps(panel)


def agglomerative_scene(layers: list[Any], **changes: Any) -> tuple[Scene, Trace]:
    import clusteranim
    from clusteranim.drawing import build_scene
    from clusteranim.pipeline import load_data, run

    scenario = clusteranim.load_scenario(
        {
            "seed": 7,
            "data": {"generator": "blobs", "n_samples": 400, "centers": 4, "cluster_std": 1.5, **changes},
            "algorithm": {"name": "agglomerative", "k": 4, "linkage": "ward"},
            "style": {"width": 640, "height": 480, "layers": layers},
        }
    )
    dataset = load_data(scenario)
    trace = run(scenario, dataset)
    return build_scene(scenario, trace, dataset), trace


@pytest.mark.parametrize(
    "layers",
    [
        ["points", "centroids", "objective", "dendrogram", "legend", "title"],
        ["points", "centroids", "legend", "objective", "dendrogram", "title"],
        ["points", "centroids", "dendrogram", "legend", "title"],
    ],
    ids=["panels first", "legend first", "dendrogram"],
)
def test_the_legend_and_the_panels_keep_off_the_clusters_and_each_other(layers: list[Any]) -> None:
    import itertools

    built, trace = agglomerative_scene(layers)
    built.draw(Frame(trace, trace.n_iter))
    renderer = built.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = {"legend": built.layers[layers.index("legend")].legend.get_window_extent(renderer)}  # type: ignore[attr-defined]
    for name in ("objective", "dendrogram"):
        if name in layers:
            boxes[name] = built.layers[layers.index(name)].box.get_window_extent(renderer)  # type: ignore[attr-defined]
    axes = built.context.axes
    points = axes.transData.transform(built.context.points)
    centers = trace.centers.reshape(-1, 2)
    centers = axes.transData.transform(centers[~np.isnan(centers).any(axis=1)])
    for name, box in boxes.items():
        assert under(points, box) <= 0.01 * len(points), name
        assert under(centers, box) == 0, name
        assert inside(box, built.figure.bbox), name
    for (first, one), (second, other) in itertools.combinations(boxes.items(), 2):
        assert not one.overlaps(other), (first, second)
