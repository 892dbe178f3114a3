"""Per-cluster density clouds, blended where they overlap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.arrays import FloatArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.raster import ImageRaster
from clusteranim.sums import one_hot

if TYPE_CHECKING:
    from matplotlib.artist import Artist

#: Pixels per cell of the grid the clouds are computed on, along each axis: at least 2
#: (a quarter of the pixels), and more for wide kernels, keeping at least this many cells
#: per kernel standard deviation; upsampled bilinearly, the clouds stay smooth.
MIN_FACTOR, MAX_FACTOR, CELLS_PER_SIGMA = 2, 8, 4.0


def fast_size(size: int) -> int:
    """The smallest length >= ``size`` whose only prime factors are 2, 3 and 5 (FFTs of
    such lengths are several times faster than of lengths with large prime factors)."""
    best = 2 * size
    power2 = 1
    while power2 < best:
        power3 = power2
        while power3 < best:
            power5 = power3
            while power5 < size:
                power5 *= 5
            best = min(best, power5)
            power3 *= 3
        power2 *= 2
    return max(best, 1)


class Blur:
    """A Gaussian blur of images of one shape (standard deviations in pixels), zero
    outside: in the frequency domain, on a padded copy of a fast size, with the transfer
    function computed once; its cost does not grow with the bandwidth."""

    def __init__(self, shape: tuple[int, int], sigma_rows: float, sigma_columns: float) -> None:
        rows, columns = shape
        self.shape = shape
        self.pad = (int(4 * sigma_rows) + 1, int(4 * sigma_columns) + 1)
        self.padded = (fast_size(rows + 2 * self.pad[0]), fast_size(columns + 2 * self.pad[1]))
        row_frequencies = np.fft.fftfreq(self.padded[0])[:, None]
        column_frequencies = np.fft.rfftfreq(self.padded[1])[None, :]
        self.transfer = np.exp(
            -2 * np.pi**2 * (sigma_rows**2 * row_frequencies**2 + sigma_columns**2 * column_frequencies**2)
        ).astype(np.float32)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        """Images of shape (m, rows, columns), blurred (float32)."""
        rows, columns = self.shape
        top, left = self.pad
        padded = np.zeros((len(images), *self.padded), np.float32)
        padded[:, top : top + rows, left : left + columns] = images
        spectrum = np.fft.rfft2(padded) * self.transfer
        blurred = np.fft.irfft2(spectrum, s=self.padded).astype(np.float32)
        return blurred[:, top : top + rows, left : left + columns]


class DensityOptions(LayerOptions):
    """A binned kernel density of each cluster's points, on the pixel grid, in its colour.

    Each cloud is scaled to its own peak, so a small cluster shows as clearly as a big
    one. Where clouds overlap, the colour is their mix weighted by their densities, so
    neither hides the other; where all are faint, the background shows through.
    """

    summary = "per-cluster kernel density clouds, colours blended where they overlap"
    display_name = "density clouds"

    name: Literal["density"] = "density"
    weight_by: Literal["responsibility", "truth"] = Field(
        "responsibility",
        description="responsibility: each point counts towards clusters by its soft (or, for"
        " k-means, hard) assignment, so clouds move with the algorithm; truth: by its true class.",
    )
    bandwidth: float | None = Field(
        None,
        gt=0,
        description="Kernel standard deviation in view units; by default Scott's rule on the drawn points.",
    )
    alpha: float = Field(0.85, ge=0, le=1, description="Opacity where the clouds are densest.")

    def build(self, context: SceneContext) -> DensityLayer:
        return DensityLayer(self, context)

    def kernel_width(self, points: FloatArray, view_span: float) -> float:
        """The bandwidth, or Scott's rule on points (n, d) (5% of the view when the points
        do not spread)."""
        if self.bandwidth is not None:
            return self.bandwidth
        spread = float(np.mean(np.std(points, axis=0)))
        if not spread > 0:
            return 0.05 * view_span
        return float(spread * len(points) ** (-1.0 / (points.shape[1] + 4)))


class DensityLayer:
    """The blended clouds, on a grid of a quarter of the pixels, upsampled smoothly and
    composited by numpy.

    The clouds are linear in the points' weights, and frames between two iterations mix
    those weights linearly: so each iteration's blurred clouds are computed once and
    frames mix two of them, then scale, colour and blend them.
    """

    static = False  # pixels, not artists: composited each frame

    def __init__(self, options: DensityOptions, context: SceneContext) -> None:
        self.options = options
        self.context = context
        self.fixed = options.weight_by == "truth" and context.true_labels is not None
        self.per_iteration = self.fixed
        self.artists: list[Artist] = []
        self.grid: PixelGrid | None = None
        self.clouds: dict[int, np.ndarray] = {}
        self.painted: ImageRaster | None = None

    def _setup(self) -> None:
        self.grid = grid = self.context.grid()
        rows, columns = grid.shape
        left, right, _, _ = grid.extent
        # On a strip (1-D data) the heights are jitter: a cloud is the density along x,
        # the same in every row (bands), computed on one row.
        strip = self.context.projection.strip is not None
        points = self.context.points[:, :1] if strip else self.context.points
        width = self.options.kernel_width(points, right - left)
        sigma_pixels = width / grid.pixel_size[0]
        if not strip:
            sigma_pixels = min(sigma_pixels, width / grid.pixel_size[1])
        self.factor = factor = int(np.clip(sigma_pixels // CELLS_PER_SIGMA, MIN_FACTOR, MAX_FACTOR))
        self.coarse = (-(-rows // factor), -(-columns // factor))
        self.cloud_shape = (1, self.coarse[1]) if strip else self.coarse
        view = grid.to_pixels(self.context.points)  # (column, row from the top) in pixels
        column = np.floor(view[:, 0] / factor).astype(np.intp)
        row = np.floor((rows - view[:, 1]) / factor).astype(np.intp)  # from the bottom, as the grid
        if strip:
            row = np.zeros_like(row)
        self.inside = (column >= 0) & (column < self.coarse[1]) & (row >= 0) & (row < self.coarse[0])
        self.bins = (row * self.coarse[1] + column)[self.inside]
        # No kernel wider than the picture: past that, the cloud is flat anyway.
        sigma_rows = 0.0 if strip else min(width / (grid.pixel_size[1] * factor), 2.0 * self.coarse[0])
        sigma_columns = min(width / (grid.pixel_size[0] * factor), 2.0 * self.coarse[1])
        self.blur = Blur(self.cloud_shape, sigma_rows, sigma_columns)

    def _clouds(self, weights: FloatArray) -> np.ndarray:
        """The blurred cloud of each column of ``weights`` (n, m): shape (m, rows, columns)
        (one row on a strip)."""
        size = self.cloud_shape[0] * self.cloud_shape[1]
        counts = np.stack(
            [np.bincount(self.bins, weights=column, minlength=size) for column in weights[self.inside].T]
        )
        return self.blur(counts.reshape(-1, *self.cloud_shape).astype(np.float32))

    def _state_clouds(self, step: int) -> np.ndarray:
        if step not in self.clouds:
            if len(self.clouds) >= 2:
                self.clouds.pop(next(iter(self.clouds)))
            self.clouds[step] = self._clouds(self.context.trace.memberships(step))
        return self.clouds[step]

    def update(self, frame: Frame) -> Sequence[ImageRaster]:
        if self.grid is None:
            self._setup()
        if self.fixed:
            if self.painted is None:
                labels = self.context.true_labels
                assert labels is not None
                self.painted = self._paint(self._clouds(one_hot(labels, int(labels.max()) + 1)))
            return [self.painted]
        first, second, fraction = frame.membership_mix
        clouds = self._state_clouds(first)
        if fraction:
            clouds = (1 - fraction) * clouds + fraction * self._state_clouds(second)
        return [self._paint(clouds)]

    def _paint(self, clouds: np.ndarray) -> ImageRaster:
        """Each cloud scaled to its own peak, the colours mixed by intensity."""
        assert self.grid is not None
        peaks = clouds.reshape(len(clouds), -1).max(axis=1)
        scale = np.where(peaks > 0, 1 / np.where(peaks > 0, peaks, 1), 0).astype(np.float32)
        intensity = np.clip(clouds * scale[:, None, None], 0.0, 1.0)
        total = intensity.sum(axis=0)
        colors = self.context.class_colors(len(clouds))[:, :3].astype(np.float32)
        mixed = np.einsum("kij,kc->ijc", intensity, colors)
        rgb = mixed / np.maximum(total, 1e-12)[:, :, None]
        alpha = (self.options.alpha * np.clip(total, 0.0, 1.0)).astype(np.float32)
        rows, columns = self.coarse
        rgb = np.broadcast_to(rgb.astype(np.float32), (rows, columns, 3))
        return ImageRaster(self.grid, rgb, np.broadcast_to(alpha, (rows, columns)), self.factor)
