"""The fast per-pixel layers against exact full-resolution computations on small frames.

Regions of nearest-centre methods are polygons and those of other methods are labelled
on a coarse lattice refined at boundaries; density clouds are computed on a coarse grid
and upsampled. Each must match the exact picture but for a few pixels, all of them at a
boundary (or, for clouds, within a small tolerance everywhere).
"""

from __future__ import annotations

import numpy as np
import pytest

from clusteranim.algorithms.gmm import GaussianMixture
from clusteranim.algorithms.kmeans import KMeans
from clusteranim.algorithms.scaling import Scaling
from clusteranim.data.base import Dataset
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace, record


def blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 6.0], [7.0, 7.0]])
    return np.concatenate([rng.normal(centre, [1.2, 0.8], size=(150, 2)) for centre in centres])


def scene(trace: Trace, X: np.ndarray, layers: list[object], width: int = 240, height: int = 180) -> Scene:
    style = StyleOptions.model_validate({"width": width, "height": height, "layers": layers, "ticks": False})
    return Scene(style, trace, Dataset(X), "test")


def drawn_and_exact(built: Scene, trace: Trace, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The drawn pixels of the axes, the exact colours and the exact labels (rows top down),
    but for the rim of two pixels that the axes frame covers."""
    image = built.draw(Frame(trace, step))
    grid = built.context.grid()
    rows, columns = grid.shape
    labels = trace.labels_of(grid.data, trace.state(step)).reshape(rows, columns)[::-1]
    drawn = grid.block(image)[:, :, :3].astype(int)
    exact = np.rint(built.context.colors[labels, :3] * 255).astype(int)
    inner = (slice(2, -2), slice(2, -2))
    return drawn[inner], exact[inner], labels[inner]


def near_boundary(labels: np.ndarray, reach: int) -> np.ndarray:
    """Pixels within ``reach`` pixels (in rows or columns) of a pixel of another label."""
    near = np.zeros(labels.shape, bool)
    for axis in (0, 1):
        changes = np.diff(labels, axis=axis) != 0
        low = np.zeros(labels.shape, bool)
        high = np.zeros(labels.shape, bool)
        if axis == 0:
            low[:-1], high[1:] = changes, changes
        else:
            low[:, :-1], high[:, 1:] = changes, changes
        near |= low | high
    for _ in range(reach - 1):
        grown = near.copy()
        grown[1:] |= near[:-1]
        grown[:-1] |= near[1:]
        grown[:, 1:] |= near[:, :-1]
        grown[:, :-1] |= near[:, 1:]
        near = grown
    return near


@pytest.mark.parametrize("normalize", ["none", "standard"])
def test_kmeans_regions_are_exact_but_at_boundaries(normalize: str) -> None:
    X = blobs()
    scaling = Scaling.fit(X, normalize)  # type: ignore[arg-type]
    trace = record(KMeans(4, "random", 0.0, 3), X, 3, scaling)
    assert trace.capabilities.nearest_center
    built = scene(trace, X, [{"regions": {"alpha": 1.0}}])
    for step in range(len(trace)):
        drawn, exact, labels = drawn_and_exact(built, trace, step)
        differs = np.abs(drawn - exact).max(axis=2) > 2
        # Antialiased polygon edges: only pixels a boundary crosses or touches differ.
        assert differs.mean() < 0.03, differs.mean()
        assert not (differs & ~near_boundary(labels, 2)).any()


def test_mixture_regions_are_exact_but_at_boundaries() -> None:
    X = blobs(1)
    trace = record(GaussianMixture(4, "full", "random", 1e-6, 0.0, 2), X, 4)
    assert not trace.capabilities.nearest_center
    built = scene(trace, X, [{"regions": {"alpha": 1.0}}], width=320, height=240)
    for step in range(len(trace)):
        drawn, exact, labels = drawn_and_exact(built, trace, step)
        differs = np.abs(drawn - exact).max(axis=2) > 1
        # Labelled on a lattice of 4 pixels: a pixel may only be wrong in a lattice cell
        # whose corners all agree, that a boundary crosses nonetheless (a thin sliver).
        assert differs.mean() < 0.001, differs.mean()
        assert not (differs & ~near_boundary(labels, 4)).any()


def exact_clouds(built: Scene, trace: Trace, step: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The density layer at full resolution, computed directly: each cluster's points binned
    on the pixel grid, blurred, scaled to its peak, colours mixed by intensity."""
    layer = built.layers[0]
    grid = built.context.grid()
    rows, columns = grid.shape
    left, right, _, _ = grid.extent
    width = layer.options.kernel_width(built.context.points, right - left)
    sigma = (width / grid.pixel_size[1], width / grid.pixel_size[0])
    position = grid.to_pixels(built.context.points)
    column = np.floor(position[:, 0]).astype(int)
    row = rows - 1 - np.floor(position[:, 1]).astype(int)  # from the bottom, as the grid
    inside = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
    bins = row * columns + column
    weights = trace.memberships(step)
    frequencies = (np.fft.fftfreq(rows * 3)[:, None], np.fft.fftfreq(columns * 3)[None, :])
    transfer = np.exp(
        -2 * np.pi**2 * (sigma[0] ** 2 * frequencies[0] ** 2 + sigma[1] ** 2 * frequencies[1] ** 2)
    )
    intensities = []
    for cloud in range(weights.shape[1]):
        counts = np.bincount(bins[inside], weights=weights[inside, cloud], minlength=rows * columns)
        padded = np.zeros((rows * 3, columns * 3))
        padded[rows : 2 * rows, columns : 2 * columns] = counts.reshape(rows, columns)
        blurred = np.real(np.fft.ifft2(np.fft.fft2(padded) * transfer))[
            rows : 2 * rows, columns : 2 * columns
        ]
        intensities.append(np.clip(blurred / blurred.max(), 0, 1))
    intensity = np.stack(intensities)
    total = intensity.sum(axis=0)
    colors = built.context.colors[: len(intensity), :3]
    rgb = np.einsum("kij,kc->ijc", intensity, colors) / np.maximum(total, 1e-12)[:, :, None]
    opacity = alpha * np.clip(total, 0, 1)
    return rgb[::-1], opacity[::-1]


def test_density_clouds_match_the_full_resolution_computation() -> None:
    X = blobs(2)
    trace = record(GaussianMixture(4, "full", "random", 1e-6, 0.0, 1), X, 3)
    built = scene(trace, X, [{"density": {"alpha": 0.9}}], width=320, height=240)
    for step in range(len(trace)):
        image = built.draw(Frame(trace, step))
        grid = built.context.grid()
        drawn = grid.block(image)[2:-2, 2:-2, :3] / 255  # the axes frame covers the rim
        rgb, opacity = exact_clouds(built, trace, step, 0.9)
        exact = (1 + (rgb - 1) * opacity[:, :, None])[2:-2, 2:-2]  # over the white background
        difference = np.abs(drawn - exact)
        # Upsampled from a grid of a sixteenth of the pixels here: a fifth of a percent
        # on average, at most 4% (10 levels of 255) where the clouds curve most.
        assert difference.mean() < 0.003, difference.mean()
        assert difference.max() < 0.04, difference.max()


def test_density_over_another_layer_blends_with_it() -> None:
    X = blobs(3)
    trace = record(GaussianMixture(4, "full", "random", 1e-6, 0.0, 1), X, 2)
    beneath = scene(trace, X, [{"regions": {"alpha": 0.5}}], width=320, height=240)
    built = scene(trace, X, [{"regions": {"alpha": 0.5}}, {"density": {"alpha": 0.9}}], width=320, height=240)
    density = scene(trace, X, [{"density": {"alpha": 0.9}}], width=320, height=240)
    for step in range(len(trace)):
        grid = built.context.grid()
        below = grid.block(beneath.draw(Frame(trace, step)))[2:-2, 2:-2, :3] / 255
        drawn = grid.block(built.draw(Frame(trace, step)))[2:-2, 2:-2, :3] / 255
        rgb, opacity = exact_clouds(density, trace, step, 0.9)
        exact = below + (rgb[2:-2, 2:-2] - below) * opacity[2:-2, 2:-2, None]
        difference = np.abs(drawn - exact)
        assert difference.mean() < 0.003, difference.mean()
        assert difference.max() < 0.04, difference.max()
        # Where the clouds fade out, no step of the coarse grid shows: neighbouring pixels
        # differ from each other about as the exact picture's do.
        steps = np.abs(np.diff(drawn, axis=1)) - np.abs(np.diff(exact, axis=1))
        assert steps.max() < 0.03, steps.max()


@pytest.mark.parametrize("size", [(320, 240), (641, 479), (333, 250)])
def test_pixel_layers_meet_the_axes_frame_on_every_side(size: tuple[int, int]) -> None:
    X = blobs(1)
    trace = record(GaussianMixture(4, "full", "random", 1e-6, 0.0, 2), X, 1)
    built = scene(trace, X, [{"regions": {"alpha": 1.0}}], *size)
    image = built.draw(Frame(trace, 0))[:, :, :3].astype(int)
    box = built.context.axes.get_window_extent()
    height = image.shape[0]
    middle_row, middle_column = height - round((box.y0 + box.y1) / 2), round((box.x0 + box.x1) / 2)
    white = np.array([255, 255, 255])
    # Walking in from outside the frame on each side: background, the frame's line, then
    # the region colour at once, with no background between them.
    for line in (
        image[middle_row, :middle_column],
        image[middle_row, middle_column:][::-1],
        image[:middle_row, middle_column],
        image[middle_row:, middle_column][::-1],
    ):
        dark = int(np.flatnonzero(line.sum(axis=1) < 3 * 170)[0])  # the frame line
        inside = line[dark + 1 : dark + 3]
        assert not (inside >= white - 12).all(axis=1).any(), inside  # no near-white gap
