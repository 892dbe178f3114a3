"""Marks that must stay readable: outlined centroids, numbered clusters, titles and axis
labels inside the frame, and a palette whose colours stay apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb, to_rgba_array

from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.palette import cluster_colors, distinct_colors
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace

ROOT = Path(__file__).resolve().parent.parent


def build(dataset: Dataset, trace: Trace, **style: Any) -> Scene:
    options = {"width": 300, "height": 300, "palette": ["tab:blue", "tab:orange", "tab:green"], **style}
    return Scene(StyleOptions.model_validate(options), trace, dataset, "k-means")


def window(image: np.ndarray, built: Scene, point: tuple[float, float], radius: int) -> np.ndarray:
    """The RGB pixels (0 to 1) within ``radius`` pixels of the data point ``point``."""
    x, y = built.context.axes.transData.transform(point)
    row, column = round(image.shape[0] - y - 0.5), round(x - 0.5)
    return image[row - radius : row + radius + 1, column - radius : column + radius + 1, :3] / 255.0


def disc(n_samples: int, center: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    angles, radii = rng.uniform(0, 2 * np.pi, n_samples), np.sqrt(rng.uniform(0, 1, n_samples))
    return np.asarray(center) + np.column_stack([np.cos(angles), np.sin(angles)]) * radii[:, None]


@pytest.mark.parametrize("marker", ["x", "+", "o"])
def test_a_centroid_stands_out_over_points_of_its_own_colour(marker: str, rng: np.random.Generator) -> None:
    """Over a dense patch of its cluster's colour, a centroid marker shows its outline."""
    X = disc(2000, (0.0, 0.0), rng)
    trace = Trace.from_arrays(X, labels=np.zeros((1, len(X)), int), centers=np.zeros((1, 1, 2)))
    layers = [{"points": {"size": 60, "alpha": 1.0}}, {"centroids": {"marker": marker, "size": 200}}]
    built = build(Dataset(X=X), trace, layers=layers)
    around = window(built.draw(Frame(trace, 0)), built, (0.0, 0.0), 12)
    blue = np.abs(around - to_rgb("tab:blue")).max(axis=2) < 0.05
    outline = around.max(axis=2) < 0.15  # the default edge colour, black
    assert blue.mean() > 0.3, "the marker is drawn over its own colour"
    assert outline.sum() >= 20


def test_cluster_numbers_follow_their_centroids_and_leave_with_them() -> None:
    X = np.array([[-2.0, -2.0], [2.0, 2.0], [2.0, -2.0], [-2.0, 2.0]])
    centers = np.array([[[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0]], [[-1.0, 0.0], [1.0, 1.0], [np.nan, np.nan]]])
    labels = np.array([[0, 1, 2, 0], [0, 1, 1, 0]])
    active = np.array([[True, True, True], [True, True, False]])
    trace = Trace.from_arrays(X, labels=labels, centers=centers, active=active)

    def drawn(numbers: bool, step: int, fraction: float = 0.0) -> tuple[Scene, np.ndarray]:
        layers = [{"centroids": {"numbers": numbers, "size": 100}}]
        built = build(Dataset(X=X), trace, layers=layers)
        return built, built.draw(Frame(trace, step, fraction))

    built, numbered = drawn(True, 0)
    plain = drawn(False, 0)[1]
    layer = built.layers[0]
    texts = [artist.get_text() for artist in layer.artists[1:]]  # type: ignore[attr-defined]
    assert texts == ["1", "2", "3"]
    changed = np.argwhere((numbered != plain).any(axis=2))
    assert len(changed) > 0
    for center in centers[0]:
        x, y = built.context.axes.transData.transform(center)
        row, column = numbered.shape[0] - y, x
        # beside its marker: above and to the right of the centre, within 30 pixels
        near = (np.abs(changed[:, 0] - row + 12) < 14) & (np.abs(changed[:, 1] - column - 12) < 14)
        assert near.any()

    built, numbered = drawn(True, 0, 0.25)  # tweened: the numbers move with the markers
    assert built.layers[0].artists[1].xy == pytest.approx((-1.0, -0.75))  # type: ignore[attr-defined]

    built, numbered = drawn(True, 1)  # cluster 3 is gone, and so is its number
    plain = drawn(False, 1)[1]
    changed = np.argwhere((numbered != plain).any(axis=2))
    third = built.context.axes.transData.transform(centers[0, 2])
    distance_to_third = np.hypot(changed[:, 1] - third[0], changed[:, 0] - (numbered.shape[0] - third[1]))
    assert len(changed) > 0 and distance_to_third.min() > 30
    assert not built.layers[0].artists[3].get_visible()


def test_a_long_title_stays_inside_a_narrow_frame() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    trace = Trace.from_arrays(X, labels=np.zeros((1, 2), int), centers=np.full((1, 1, 2), 0.5))
    title = "k-means on a very long table of petal measurements in four dimensions, iteration {iteration}"
    built = build(Dataset(X=X), trace, width=200, height=200, title=title, layers=["points", "title"])
    built.draw(Frame(trace, 0))
    renderer = built.canvas.get_renderer()
    box = built.context.axes.title.get_window_extent(renderer)
    figure = built.figure.bbox
    assert figure.x0 <= box.x0 and box.x1 <= figure.x1 and figure.y0 <= box.y0 and box.y1 <= figure.y1
    assert built.context.axes.get_window_extent().y1 <= box.y0  # above the axes, not over them


def test_axis_labels_and_tick_labels_stay_inside_the_frame() -> None:
    """The petals' last two columns: equal aspect widens the y range to negative values,
    whose tick labels (a minus sign more) pushed the y label out of a layout made for the
    first limits. A column name too long for the frame is cut short."""
    table = np.loadtxt(ROOT / "configs" / "data" / "petals.csv", delimiter=",", skiprows=1, usecols=(2, 3))
    long_name = "petal width in millimetres, measured by hand on the greenhouse bench " * 2
    for names, size in (
        ((("petal_length", "petal_width")), (640, 480)),
        (("petal_length", long_name), (320, 240)),
    ):
        dataset = Dataset(X=table, feature_names=names)
        trace = Trace.from_arrays(
            table, labels=np.zeros((1, len(table)), int), centers=table.mean(axis=0)[None, None]
        )
        built = build(dataset, trace, width=size[0], height=size[1], layers=["points", "centroids", "title"])
        built.draw(Frame(trace, 0))
        axes = built.context.axes
        renderer = built.canvas.get_renderer()
        figure = built.figure.bbox
        # the axes' tight box holds the axis labels and the tick labels drawn
        box = axes.get_tightbbox(renderer)
        assert box is not None
        assert axes.yaxis.label.get_window_extent(renderer).x0 >= box.x0
        assert figure.x0 <= box.x0 and box.x1 <= figure.x1, names
        assert figure.y0 <= box.y0 and box.y1 <= figure.y1, names
    assert axes.yaxis.label.get_text().endswith("\u2026")


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB in [0, 1], written apart from the library's conversion: the
    IEC 61966-2-1 matrix to seven places and the CIE's exact epsilon and kappa."""
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    matrix = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    white = matrix.sum(axis=1)
    ratios = (linear @ matrix.T) / white
    epsilon, kappa = 216 / 24389, 24389 / 27
    f = np.where(ratios > epsilon, ratios ** (1 / 3), (kappa * ratios + 16) / 116)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


def test_thirty_distinct_colours_stay_apart() -> None:
    colors = cluster_colors("distinct", 30)[:, :3]
    points = lab(colors)
    gaps = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 30.0  # CIE76 Delta E: 2.3 is a just-noticeable difference
    avoided = lab(to_rgba_array(["white", "black", "#9a9a9a", "#16191d", "#5c636b"])[:, :3])
    assert np.linalg.norm(points[:, None] - avoided[None], axis=2).min() >= 30.0
    assert np.array_equal(distinct_colors(12), distinct_colors(30)[:12])  # k grows, colours stay


def test_auto_palette_is_tab10_then_distinct() -> None:
    assert StyleOptions().palette == "auto"
    assert np.array_equal(cluster_colors("auto", 10), cluster_colors("tab10", 10))
    assert np.array_equal(cluster_colors("auto", 11), cluster_colors("distinct", 11))
    with pytest.raises(ValueError, match="use auto or distinct"):
        cluster_colors("tab10", 11)
