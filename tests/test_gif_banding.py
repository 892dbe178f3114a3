"""Density clouds through the GIF writer: no rings or seams once the dither is averaged.

A GIF has 255 colours; a cloud has thousands. The writer dithers between palette
entries, so seen from a little way off (over the 8 x 8 dither cell) the cloud must keep
its colours: a ring is where that average steps away from the drawn colour and back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clusteranim.algorithms.gmm import GaussianMixture
from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import record
from tests.test_writers import block_means, write_gif


def cloud_frame(width: int, height: int) -> np.ndarray:
    """Two overlapping density clouds, alone on the axes (RGB)."""
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal([-1.6, 0.0], 1.0, (250, 2)), rng.normal([1.6, 0.6], 1.2, (250, 2))])
    labels = np.repeat([0, 1], 250)
    trace = record(GaussianMixture(2, "full", "random", 1e-6, 0.0, 2), X, 1)
    style = StyleOptions.model_validate(
        {
            "width": width,
            "height": height,
            "ticks": False,
            "palette": ["tab:blue", "tab:orange"],
            "layers": [{"density": {"weight_by": "truth", "alpha": 0.9}}],
        }
    )
    scene = Scene(style, trace, Dataset(X, labels), "GMM")
    frame: np.ndarray = scene.draw(Frame(trace, 0))[:, :, :3].copy()
    return frame


def test_gif_cloud_keeps_its_colours_over_the_dither_cell(tmp_path: Path) -> None:
    drawn = cloud_frame(320, 240)
    assert len(np.unique(drawn.reshape(-1, 3), axis=0)) > 1000
    decoded = write_gif([drawn], tmp_path / "cloud.gif")[0]
    error = np.abs(block_means(decoded) - block_means(drawn)).max(axis=2)
    # Rings show where whole cells step away from the cloud's colour; the old palette
    # (most entries spent on the commonest colours) and pairing left cells 5 levels off.
    assert np.percentile(error, 99) <= 3.5
    assert error.mean() <= 0.5


MOVING_CLOUDS = {
    "seed": 2,
    "data": {"generator": "gaussian_mixture", "n_samples": 400},
    "algorithm": {"name": "gmm", "k": 3, "init": "random", "max_iter": 8, "tol": 0},
    "style": {"width": 240, "height": 240, "axes": False, "layers": ["density"]},
    "output": {"tween": 3},
}


def test_a_moving_cloud_keeps_no_contours_of_stale_pixels(tmp_path: Path) -> None:
    # Pixels whose colour moved little keep their palette entry (bytes). In a smooth
    # cloud, kept and updated pixels meet along a contour of the change: seen from a
    # little way off, each frame must look as the same frame mapped afresh would, to
    # within a few levels, or those contours show as rings that move with the cloud.
    from PIL import Image

    from clusteranim.writers import gif
    from tests.test_writers import drawn_frames

    frames = drawn_frames(MOVING_CLOUDS)
    assert len(frames) > 20
    path = tmp_path / "moving.gif"
    decoded = write_gif(frames, path)
    with Image.open(path) as image:
        table = np.asarray(image.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)
    mapper = gif.PaletteMapper(table[: gif.MAX_COLORS], frames[0].shape[1])
    stale = []
    for shown, drawn in zip(decoded, frames, strict=True):
        packed = gif.pack(drawn).ravel()
        fresh = table[mapper.indices(packed, np.arange(packed.size), packed)].reshape(drawn.shape)
        stale.append(np.percentile(np.abs(block_means(shown) - block_means(fresh)).max(axis=2), 99))
    assert max(stale) <= 4.5  # 5.5 when stale pixels were kept within 8 levels of the entry shown
