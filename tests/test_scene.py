"""Layers, checked by the pixels they must change, and the scene's fixed framing."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from clusteranim.algorithms import State
from clusteranim.algorithms.gmm import GaussianMixture
from clusteranim.algorithms.kmeans import KMeans
from clusteranim.data.base import Dataset
from clusteranim.scene.animation import AnimationOptions, plan
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record

BLUE, ORANGE = np.array(to_rgb("tab:blue")), np.array(to_rgb("tab:orange"))
WHITE = np.ones(3)


def two_component_trace(X: np.ndarray, max_iter: int = 0) -> Trace:
    """A mixture starting symmetric around the origin: a point at (0, 0) is split 50/50."""
    start = State(
        centers=np.array([[-3.0, 0.0], [3.0, 0.0]]),
        weights=np.array([0.5, 0.5]),
        covariances=np.repeat(np.eye(2)[None], 2, axis=0),
    )
    return record(GaussianMixture(2, "full", start, 1e-6, 0.0, 0), X, max_iter)


def symmetric_data() -> Dataset:
    rng = np.random.default_rng(0)
    left = rng.normal([-3.0, 0.0], 0.6, size=(150, 2))
    X = np.concatenate([left, left * [-1, 1], [[0.0, 0.0]]])
    labels = np.concatenate([np.zeros(150, int), np.ones(150, int), [0]])
    return Dataset(X=X, labels=labels)


def scene(dataset: Dataset, trace: Trace, **style: Any) -> Scene:
    """A scene in ``style``; ``layers=[]`` (which a scenario refuses) draws the bare axes,
    the reference the tests compare a layer against."""
    options = {"width": 400, "height": 400, "palette": ["tab:blue", "tab:orange"], **style}
    bare = options.get("layers") == []
    if bare:
        del options["layers"]
    validated = StyleOptions.model_validate(options)
    return Scene(validated.model_copy(update={"layers": []}) if bare else validated, trace, dataset, "GMM")


def pixel(image: np.ndarray, built: Scene, point: tuple[float, float]) -> np.ndarray:
    x, y = built.context.axes.transData.transform(point)
    return image[round(image.shape[0] - y - 0.5), round(x - 0.5), :3].astype(float) / 255


def hue(rgb: np.ndarray) -> float:
    from matplotlib.colors import rgb_to_hsv

    return float(rgb_to_hsv(rgb)[0])


def frame(built: Scene, trace: Trace, index: int = 0, fraction: float = 0.0) -> np.ndarray:
    return built.draw(Frame(trace, index, fraction))


def test_responsibility_colours_are_convex_mixes() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    responsibilities = trace.memberships(0)[-1]
    assert np.allclose(responsibilities, [0.5, 0.5])
    layers = [{"points": {"color_by": "responsibility", "size": 600, "alpha": 1.0}}]
    built = scene(data, trace, layers=layers)
    image = frame(built, trace)
    assert np.allclose(pixel(image, built, (0.0, 0.0)), (BLUE + ORANGE) / 2, atol=1.5 / 255)
    owned = data.X[np.argmax(trace.memberships(0)[:, 0])]
    assert np.allclose(pixel(image, built, tuple(owned)), BLUE, atol=1.5 / 255)


def test_points_by_truth_and_plain() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    truth = scene(data, trace, layers=[{"points": {"color_by": "truth", "size": 300, "alpha": 1.0}}])
    image = frame(truth, trace)
    right = data.X[np.argmax(data.X[:, 0])]
    assert np.allclose(pixel(image, truth, tuple(right)), ORANGE, atol=1.5 / 255)
    plain = scene(
        data, trace, layers=[{"points": {"color_by": "none", "color": "black", "size": 300, "alpha": 1.0}}]
    )
    assert np.allclose(pixel(frame(plain, trace), plain, tuple(right)), 0.0, atol=1.5 / 255)
    empty = scene(data, trace, layers=[])
    assert np.allclose(pixel(frame(empty, trace), empty, tuple(right)), WHITE)


def test_centroids_in_cluster_or_fixed_colour() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    own = scene(data, trace, layers=[{"centroids": {"size": 400}}])
    image = frame(own, trace)
    assert np.allclose(pixel(image, own, (-3.0, 0.0)), BLUE, atol=1.5 / 255)
    assert np.allclose(pixel(image, own, (3.0, 0.0)), ORANGE, atol=1.5 / 255)
    fixed = scene(data, trace, layers=[{"centroids": {"size": 400, "color": "black"}}])
    assert np.allclose(pixel(frame(fixed, trace), fixed, (3.0, 0.0)), 0.0, atol=1.5 / 255)


def test_regions_colour_every_pixel_at_their_alpha() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    built = scene(data, trace, layers=[{"regions": {"alpha": 0.3}}])
    image = frame(built, trace)
    for point, color in [((-2.0, 3.0), BLUE), ((2.0, -3.0), ORANGE)]:
        expected = 0.3 * color + 0.7 * WHITE
        assert np.allclose(pixel(image, built, point), expected, atol=1.5 / 255)
    # The boundary of two equal components is the vertical axis x = 0.
    left, right = pixel(image, built, (-0.1, 2.0)), pixel(image, built, (0.1, 2.0))
    assert np.allclose(left, 0.3 * BLUE + 0.7 * WHITE, atol=1.5 / 255)
    assert np.allclose(right, 0.3 * ORANGE + 0.7 * WHITE, atol=1.5 / 255)


def test_kmeans_regions_are_nearest_centroid_cells() -> None:
    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, size=(300, 2))
    trace = record(KMeans(3, "random", 0.0, 1), X, 10)
    built = Scene(
        StyleOptions.model_validate({"width": 300, "height": 300, "layers": [{"regions": {"alpha": 1.0}}]}),
        trace,
        Dataset(X),
        "k-means",
    )
    last = len(trace) - 1
    image = frame(built, trace, last)
    probes = rng.uniform(-4.5, 4.5, size=(200, 2))
    nearest = np.argmin(((probes[:, None] - trace.centers[last][None]) ** 2).sum(axis=2), axis=1)
    distances = np.sort(((probes[:, None] - trace.centers[last][None]) ** 2).sum(axis=2), axis=1)
    clear = distances[:, 1] - distances[:, 0] > 0.5  # not on a boundary pixel
    colors = built.context.colors[:, :3]
    for probe, cluster in zip(probes[clear], nearest[clear], strict=True):
        assert np.allclose(pixel(image, built, tuple(probe)), colors[cluster], atol=1.5 / 255)


def test_density_clouds_carry_their_hue_and_blend() -> None:
    rng = np.random.default_rng(2)
    left = rng.normal([-1.5, 0.0], 0.9, size=(3000, 2))
    data = Dataset(X=np.concatenate([left, left * [-1, 1]]), labels=np.repeat([0, 1], 3000))
    trace = two_component_trace(data.X)
    built = scene(data, trace, layers=[{"density": {"alpha": 1.0, "weight_by": "truth"}}])
    image = frame(built, trace)
    assert built.layers[0].fixed  # weighted by the true classes, the clouds never move
    # At a cloud's centre the pixel carries that cluster's hue.
    assert abs(hue(pixel(image, built, (-1.5, 0.0))) - hue(BLUE)) < 0.02
    assert abs(hue(pixel(image, built, (1.5, 0.0))) - hue(ORANGE)) < 0.02
    # Where the two clouds are equally dense, the colour is their mean, faded towards
    # the background by the clouds' strength: white + a (mean - white) for one a.
    middle = pixel(image, built, (0.0, 0.0))
    mean = (BLUE + ORANGE) / 2
    strength = (1 - middle) / (1 - mean)
    assert 0.2 < strength[0] <= 1 and np.allclose(strength, strength[0], atol=0.05)
    assert np.allclose(pixel(image, built, (0.0, 4.8)), WHITE, atol=0.03)
    moving = scene(data, trace, layers=[{"density": {"alpha": 1.0}}])
    assert not moving.layers[0].fixed
    assert abs(hue(pixel(frame(moving, trace), moving, (-1.5, 0.0))) - hue(BLUE)) < 0.02


def test_ellipses_at_their_n_sigma_radius() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    without = frame(scene(data, trace, layers=[]), trace)
    built = scene(data, trace, layers=[{"ellipses": {"levels": [1, 2], "linewidth": 3, "alpha": 1.0}}])
    image = frame(built, trace)
    for radius in (1.0, 2.0):  # identity covariance: circles of radius 1 and 2
        assert np.allclose(pixel(image, built, (-3.0, radius)), BLUE, atol=0.05)
        assert np.allclose(pixel(image, built, (3.0 + radius, 0.0)), ORANGE, atol=0.05)
    assert np.allclose(pixel(image, built, (-3.0, 1.5)), WHITE)
    assert np.allclose(pixel(without, built, (-3.0, 2.0)), WHITE)


def test_kmeans_ellipses_come_from_each_clusters_points() -> None:
    rng = np.random.default_rng(3)
    X = np.concatenate(
        [rng.normal([-4, 0], [2.0, 0.5], size=(400, 2)), rng.normal([4, 0], [0.5, 2.0], size=(400, 2))]
    )
    trace = record(KMeans(2, np.array([[-4.0, 0.0], [4.0, 0.0]]), 0.0, 0), X, 5)
    built = Scene(
        StyleOptions.model_validate(
            {
                "width": 400,
                "height": 400,
                "layers": [{"ellipses": {"levels": [1], "linewidth": 3, "alpha": 1}}],
            }
        ),
        trace,
        Dataset(X),
        "k-means",
    )
    patches = built.layers[0].artists
    frame(built, trace, len(trace) - 1)
    widths = sorted((patch.get_width(), patch.get_height()) for patch in patches)  # type: ignore[attr-defined]
    labels = trace.labels(len(trace) - 1)
    spreads = [X[labels == cluster].std(axis=0) for cluster in range(2)]
    expected = sorted((2 * max(s), 2 * min(s)) for s in spreads)
    assert np.allclose(widths, expected, rtol=0.02)


def test_trails_follow_the_centroids() -> None:
    data = symmetric_data()
    trace = record(KMeans(2, np.array([[-0.5, 3.0], [0.5, -3.0]]), 0.0, 0), data.X, 5)
    built = scene(data, trace, layers=[{"trails": {"linewidth": 4, "alpha": 1.0, "marker": None}}])
    start, end = trace.centers[0][0], trace.centers[-1][0]
    assert np.linalg.norm(start - end) > 1
    last = frame(built, trace, len(trace) - 1)
    first = frame(built, trace, 0)
    middle = tuple((start + trace.centers[1][0]) / 2)
    assert np.allclose(pixel(last, built, middle), BLUE, atol=0.05)
    assert np.allclose(pixel(first, built, middle), WHITE)


def test_title_and_corner_label_change_per_frame() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X, max_iter=3)
    titled = scene(data, trace, layers=["title"], title="iteration {iteration} of {n_iter}")
    assert titled.context.axes.title.get_text() == "iteration 3 of 3"
    first, second = frame(titled, trace, 0), frame(titled, trace, 1)
    top = slice(0, 30)
    assert not np.array_equal(first[top], second[top])
    assert np.array_equal(first[100:], second[100:])
    labelled = scene(data, trace, layers=[{"title": {"corner_label": True}}])
    first, second = frame(labelled, trace, 0), frame(labelled, trace, 2)
    assert labelled.layers[0].artists[0].get_text() == "i = 2"  # type: ignore[attr-defined]
    assert np.array_equal(first[:15], second[:15])  # no title above the axes
    assert not np.array_equal(first[15:80, :150], second[15:80, :150])  # the label, top left


def test_legend_shows_each_cluster_colour() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    without = frame(scene(data, trace, layers=[]), trace)
    built = scene(data, trace, layers=[{"legend": {"loc": "upper right"}}])
    image = frame(built, trace)
    corner = (slice(0, 120), slice(250, 400))
    assert not np.array_equal(without[corner], image[corner])
    region = image[corner][:, :, :3].reshape(-1, 3).astype(float) / 255
    for color in (BLUE, ORANGE):
        assert np.min(np.abs(region - color).sum(axis=1)) < 0.03
    texts = [text.get_text() for text in built.layers[0].artists[0].get_texts()]  # type: ignore[attr-defined]
    assert texts == ["component 1", "component 2"]


def test_objective_panel_grows_with_the_iterations() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X, max_iter=6)
    built = scene(data, trace, layers=[{"objective": {"corner": "lower right"}}])
    early, late = frame(built, trace, 1), frame(built, trace, 6)
    panel = (slice(250, 390), slice(250, 390))
    assert not np.array_equal(early[panel], late[panel])
    line = built.layers[0].line  # type: ignore[attr-defined]
    assert np.array_equal(line.get_ydata(), trace.objective)
    without = frame(scene(data, trace, layers=[]), trace, 6)
    assert not np.array_equal(without[panel], late[panel])


def test_axis_limits_hold_for_every_frame() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 2))
    far_start = np.array([[40.0, 40.0], [-30.0, 5.0]])
    trace = record(KMeans(2, far_start, 0.0, 0), X, 10)
    built = Scene(
        StyleOptions.model_validate({"layers": ["points", "centroids", "trails", "title"]}),
        trace,
        Dataset(X),
        "k-means",
    )
    limits = (built.context.axes.get_xlim(), built.context.axes.get_ylim())
    assert limits[0][1] > 40 and limits[0][0] < -30  # every centroid position is in view
    for index in range(len(trace)):
        frame(built, trace, index)
        assert (built.context.axes.get_xlim(), built.context.axes.get_ylim()) == limits


def test_tween_moves_smoothly_and_switches_labels_halfway() -> None:
    shots = plan(AnimationOptions(), 3, True, 2, 2.0, 0.0)
    assert [(shot.step, shot.fraction) for shot in shots] == [
        (0, 0.0),
        (0, 1 / 3),
        (0, 2 / 3),
        (1, 0.0),
        (1, 1 / 3),
        (1, 2 / 3),
        (2, 0.0),
    ]
    data = symmetric_data()
    trace = two_component_trace(data.X, max_iter=2)
    quarter = Frame(trace, 0, 0.25)
    assert np.allclose(quarter.state.centers, 0.75 * trace.centers[0] + 0.25 * trace.centers[1])
    assert quarter.state.covariances is not None and trace.covariances is not None
    assert np.allclose(quarter.state.covariances, 0.75 * trace.covariances[0] + 0.25 * trace.covariances[1])
    assert quarter.iteration == 0 and np.array_equal(quarter.labels, trace.labels(0))
    assert Frame(trace, 0, 0.5).iteration == 1 and np.array_equal(
        Frame(trace, 0, 0.5).labels, trace.labels(1)
    )


def test_dark_theme_and_hidden_axes() -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X)
    dark = scene(data, trace, layers=["points"], theme="dark")
    image = frame(dark, trace)
    assert np.allclose(pixel(image, dark, (0.0, 4.0)), to_rgb("#16191d"), atol=1 / 255)
    bare = scene(data, trace, layers=[], axes=False)
    assert np.all(frame(bare, trace) == 255)
    no_ticks = scene(data, trace, layers=[], ticks=False)
    assert no_ticks.context.axes.get_xticks().size == 0


@pytest.mark.parametrize("palette", ["hsv", "viridis", "tab20"])
def test_palettes_give_distinct_colours(palette: str) -> None:
    from clusteranim.scene.palette import cluster_colors

    colors = cluster_colors(palette, 12)
    assert colors.shape == (12, 4)
    assert len({tuple(np.round(color, 4)) for color in colors}) == 12
    with pytest.raises(ValueError, match="tab10 has 10 colours but 12 are needed"):
        cluster_colors("tab10", 12)


def test_qualitative_palette_sizes_are_matplotlibs() -> None:
    from matplotlib import colormaps, colors

    from clusteranim.scene.names import COLORMAPS, QUALITATIVE_SIZES

    listed = {
        name: colormaps[name].N
        for name in COLORMAPS
        if isinstance(colormaps[name], colors.ListedColormap) and colormaps[name].N <= 20
    }
    assert listed == QUALITATIVE_SIZES


OPTION_CHANGES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"layers": ["points", "title"]}, {"dpi": 150}),
    ({"layers": ["points", "title"]}, {"font_size": 16}),
    ({"layers": ["points"]}, {"padding": 0.5}),
    ({"layers": ["points"]}, {"aspect": "auto", "width": 400, "height": 200}),
    ({"layers": ["points"]}, {"palette": ["black", "red"]}),
    ({"layers": [{"points": {}}]}, {"layers": [{"points": {"size": 60}}]}),
    ({"layers": [{"points": {}}]}, {"layers": [{"points": {"alpha": 0.3}}]}),
    ({"layers": [{"points": {}}]}, {"layers": [{"points": {"marker": "s"}}]}),
    ({"layers": [{"centroids": {}}]}, {"layers": [{"centroids": {"marker": "D"}}]}),
    ({"layers": [{"centroids": {}}]}, {"layers": [{"centroids": {"size": 400}}]}),
    ({"layers": [{"centroids": {}}]}, {"layers": [{"centroids": {"linewidth": 5}}]}),
    ({"layers": [{"centroids": {}}]}, {"layers": [{"centroids": {"edgecolor": "red"}}]}),
    ({"layers": [{"trails": {}}]}, {"layers": [{"trails": {"marker": None}}]}),
    ({"layers": [{"trails": {}}]}, {"layers": [{"trails": {"markersize": 8}}]}),
    ({"layers": [{"trails": {}}]}, {"layers": [{"trails": {"alpha": 0.2}}]}),
    ({"layers": [{"trails": {}}]}, {"layers": [{"trails": {"linewidth": 5}}]}),
    ({"layers": [{"ellipses": {}}]}, {"layers": [{"ellipses": {"fill": 0.5}}]}),
    ({"layers": [{"ellipses": {}}]}, {"layers": [{"ellipses": {"linewidth": 5}}]}),
    ({"layers": [{"ellipses": {}}]}, {"layers": [{"ellipses": {"source": "points"}}]}),
    ({"layers": [{"legend": {}}]}, {"layers": [{"legend": {"labels": ["left", "right"]}}]}),
    ({"layers": [{"legend": {}}]}, {"layers": [{"legend": {"title": "components"}}]}),
    ({"layers": [{"legend": {}}]}, {"layers": [{"legend": {"loc": "lower left"}}]}),
    ({"layers": [{"objective": {}}]}, {"layers": [{"objective": {"corner": "upper left"}}]}),
    ({"layers": [{"objective": {}}]}, {"layers": [{"objective": {"width": 0.6, "height": 0.5}}]}),
    (
        {"layers": [{"title": {"corner_label": True}}]},
        {"layers": [{"title": {"corner_label": True, "corner": "lower right"}}]},
    ),
    ({"layers": [{"density": {}}]}, {"layers": [{"density": {"bandwidth": 2.0}}]}),
    ({"layers": [{"density": {}}]}, {"layers": [{"density": {"alpha": 0.3}}]}),
    ({"layers": [{"regions": {}}]}, {"layers": [{"regions": {"alpha": 0.8}}]}),
]


@pytest.mark.parametrize(
    ("base", "change"), OPTION_CHANGES, ids=[json.dumps(change) for _, change in OPTION_CHANGES]
)
def test_every_style_option_changes_the_picture(base: dict[str, Any], change: dict[str, Any]) -> None:
    data = symmetric_data()
    trace = two_component_trace(data.X, max_iter=3)
    before = frame(scene(data, trace, **base), trace, 2)
    after = frame(scene(data, trace, **{**base, **change}), trace, 2)
    assert before.shape != after.shape or not np.array_equal(before, after)
