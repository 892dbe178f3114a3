"""A frame drawn as parts (for players that switch layers off): the cut into parts, the
transparent blend of per-pixel layers, and parts that lay over each other into the frame
drawn whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clusteranim
from clusteranim.drawing import build_scene, schedule_of
from clusteranim.pipeline import load_data, run
from clusteranim.scene.base import Frame
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.overlay import blend_transparent
from clusteranim.scene.parts import Part, compose, parts_of
from clusteranim.scene.projection import Projection
from clusteranim.scene.raster import ImageRaster, IndexedRaster, SparseRaster

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def test_no_switch_is_the_whole_frame() -> None:
    assert parts_of(["points", "centroids"], []) == (Part((0, 1), base=True, frame_lines=True),)
    assert parts_of(["points", "centroids"], ["regions"])[0].whole


def test_each_switch_is_a_part_and_the_layers_between_share_one() -> None:
    parts = parts_of(["regions", "points", "trails", "centroids", "title"], ["regions", "centroids"])
    assert parts == (
        Part((), base=True),  # the bare axes beneath regions
        Part((0,), "regions"),
        Part((1, 2), ""),
        Part((3,), "centroids"),
        Part((4,), "", frame_lines=True),
    )


def test_the_axes_frame_gets_a_part_of_its_own_above_a_switch_on_top() -> None:
    parts = parts_of(["points", "legend"], ["legend"])
    assert parts == (Part((0,), base=True), Part((1,), "legend"), Part((), frame_lines=True))


def test_a_layer_named_twice_is_switched_as_one() -> None:
    parts = parts_of(["points", "points", "centroids", "points"], ["points"])
    assert [(part.layers, part.toggle) for part in parts] == [
        ((), ""),
        ((0, 1), "points"),
        ((2,), ""),
        ((3,), "points"),
        ((), ""),
    ]


def grid(rows: int, columns: int) -> PixelGrid:
    projection = Projection.fit(np.zeros((2, 2)), None, None)
    return PixelGrid((rows, columns), (0.0, 1.0, 0.0, 1.0), (1.0, 1.0), projection, (1, 2))


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["indexed", "image", "sparse"]),
    alpha=st.floats(0.02, 1.0),
    seed=st.integers(0, 2**16),
)
def test_a_transparent_blend_laid_over_a_frame_is_the_blend_into_it(
    kind: str, alpha: float, seed: int
) -> None:
    """Whatever lies beneath, drawing a per-pixel layer into a transparent part and laying
    the part over the frame gives what blending it into the frame gives."""
    rng = np.random.default_rng(seed)
    rows, columns = 12, 16
    pixel_grid = grid(rows, columns)
    item: Any
    if kind == "indexed":
        item = IndexedRaster(pixel_grid, rng.integers(0, 3, (rows, columns)), rng.random((3, 3)), alpha)
    elif kind == "image":
        coarse = (rows // 4 + 1, columns // 4 + 1)
        rgb = rng.random((*coarse, 3)).astype(np.float32)
        item = ImageRaster(pixel_grid, rgb, (rng.random(coarse) * alpha).astype(np.float32), 4)
    else:
        pixels = rng.choice((rows + 2) * (columns + 4), size=30, replace=False)
        opacity = rng.integers(1, 257, (30, 1)).astype(np.uint32)
        item = SparseRaster(pixels, rng.random((30, 3)), opacity)
    frame = rng.integers(0, 256, (rows + 2, columns + 4, 4), dtype=np.uint8)
    frame[:, :, 3] = 255
    expected = frame.copy()
    item.blend(expected)
    part = np.zeros_like(frame)
    blend_transparent(item, part)
    assert np.abs(compose([frame, part]).astype(int) - expected).max() <= 2
    # Over something already in the part (straight alpha), the result is the same.
    beneath = rng.integers(0, 256, frame.shape, dtype=np.uint8)
    beneath[:, :, 3] = rng.choice([0, 128, 255], frame.shape[:2])
    both = beneath.copy()
    blend_transparent(item, both)
    assert np.abs(compose([frame, both]).astype(int) - compose([compose([frame, beneath]), part])).max() <= 3


@pytest.mark.parametrize(
    "config",
    [
        "01_two_blobs_density.yaml",  # density: a smooth per-pixel layer
        "03_kmeans_regions.yaml",  # regions: a palette per pixel
        "08_explain_kmeans.yaml",  # explain: changes and caption (text overlays), tweened
        "14_dbscan.yaml",  # eps circles, core points
        "02_gmm_em.yaml",  # the dark theme, a smaller font: the bare axes' ticks as the whole frame's
    ],
)
def test_parts_lay_over_each_other_into_the_frame(config: str) -> None:
    overrides: dict[str, Any] = {"style.width": 320, "style.height": 240}
    if config.startswith("02"):
        overrides.update({"style.theme": "dark", "style.font_size": 7})
    scenario = clusteranim.load_scenario(CONFIGS / config, overrides)
    dataset = load_data(scenario)
    trace = run(scenario, dataset)
    names = [layer.plugin_name() for layer in scenario.drawn_style.layers]
    parts = scenario.frame_parts(names)  # every layer apart
    assert len(parts) == len(names) + 2
    scene = build_scene(scenario, trace, dataset, scenario.drawn_style)
    schedule = schedule_of(scenario, trace)
    seen: dict[Part, bool] = {}
    for index in [*range(0, len(schedule), max(1, len(schedule) // 6)), len(schedule) - 1]:
        frame = Frame.of(trace, schedule[index])
        whole = scene.draw(frame).astype(int)
        drawn = [scene.draw(frame, part=part) for part in parts]
        assert (drawn[0][:, :, 3] == 255).all()
        difference = np.abs(compose(drawn).astype(int) - whole)
        assert difference.max() <= 6, config
        assert difference.mean() < 0.5, config
        for part, image in zip(parts, drawn, strict=True):
            seen[part] = seen.get(part, False) or bool((image[:, :, 3] > 0).any())
        # The whole frame is drawn as before, after the parts.
        assert np.array_equal(scene.draw(frame), whole)
    assert all(seen.values()), seen  # each part drew something in one of the frames
