"""1-D data drawn as a strip: values along x, each point at a jittered height in a band,
centres on the band's centre line, and every layer drawn as a function of x alone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from clusteranim.algorithms.gmm import GaussianMixture
from clusteranim.algorithms.kmeans import KMeans
from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.layers.ellipses import IntervalsLayer
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record

ALL_LAYERS = [
    "regions",
    "density",
    "ellipses",
    "trails",
    "points",
    "centroids",
    "objective",
    "legend",
    "title",
]


def strip_data() -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(-3.0, 0.8, 150), rng.normal(0.5, 0.6, 150), rng.normal(3.5, 1.0, 100)])[
        :, None
    ]


def traces() -> dict[str, Trace]:
    X = strip_data()
    return {
        "kmeans": record(KMeans(3, "random", 0.0, 1), X, 5),
        "gmm": record(GaussianMixture(3, "full", "random", 1e-6, 0.0, 1), X, 5),
    }


def scene(trace: Trace, layers: Sequence[object]) -> Scene:
    style = StyleOptions.model_validate({"width": 320, "height": 200, "layers": layers})
    return Scene(style, trace, Dataset(trace.X), "test")


def axes_block(built: Scene, trace: Trace) -> np.ndarray:
    """The axes' pixels of the last state, but for the rim the axes frame covers."""
    image = built.draw(Frame(trace, len(trace) - 1))
    return built.context.grid().block(image)[2:-2, 2:-2, :3].astype(int)


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_strip_jitters_points_in_a_band_with_centres_on_its_line(method: str) -> None:
    trace = traces()[method]
    built = scene(trace, ALL_LAYERS)
    strip = built.context.projection.strip
    assert strip is not None
    heights = built.context.points[:, 1]
    assert np.abs(heights).max() <= strip.half_height
    assert heights.std() > 0.4 * strip.half_height  # spread over the band, not on a line
    assert np.array_equal(built.context.points[:, 0], trace.X[:, 0])
    centres = built.context.projection.points(trace.centers)
    assert not np.nan_to_num(centres[..., 1]).any()
    assert len(built.context.axes.get_yticks()) == 0
    assert built.context.axes.get_ylabel() == ""
    first = built.draw(Frame(trace, len(trace) - 1))
    again = scene(trace, ALL_LAYERS).draw(Frame(trace, len(trace) - 1))
    assert np.array_equal(first, again)


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
@pytest.mark.parametrize("layer", ["regions", "density"])
def test_strip_regions_and_clouds_change_by_column_only(method: str, layer: str) -> None:
    trace = traces()[method]
    block = axes_block(scene(trace, [layer]), trace)
    assert (block == block[:1]).all()  # every row the same
    assert len(np.unique(block[0], axis=0)) >= 3  # and something drawn along it


def test_strip_ellipses_are_intervals_across_the_band() -> None:
    trace = traces()["gmm"]
    built = scene(trace, [{"ellipses": {"levels": [1.0, 2.0]}}])
    layer = built.layers[0]
    assert isinstance(layer, IntervalsLayer)
    last = Frame(trace, len(trace) - 1)
    layer.update(last)
    centers = last.state.centers[:, 0]
    deviations = np.sqrt(last.state.covariances[:, 0, 0])  # type: ignore[index]
    for cluster, row in enumerate(layer.patches):
        for patch, level in zip(row, (1.0, 2.0), strict=True):
            vertices = np.asarray(patch.get_path().vertices, dtype=float)
            low, high = vertices[:, 0].min(), vertices[:, 0].max()
            assert low == pytest.approx(centers[cluster] - level * deviations[cluster])
            assert high == pytest.approx(centers[cluster] + level * deviations[cluster])
            assert np.abs(vertices[:, 1]).max() > 0  # end caps across the centre line
    block = axes_block(built, trace)
    assert (block != block[0, 0]).any(axis=2).any()
