"""Per-cluster density clouds, blended where they overlap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.arrays import FloatArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.grid import PixelGrid, pixel_image
from clusteranim.sums import one_hot

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.image import AxesImage


def gaussian_blur(image: FloatArray, sigma_rows: float, sigma_columns: float) -> FloatArray:
    """``image`` convolved with a Gaussian (standard deviations in pixels), zero outside.

    Done in the frequency domain on a padded copy, so its cost does not grow with the
    bandwidth.
    """
    rows, columns = image.shape
    pad_rows, pad_columns = int(4 * sigma_rows) + 1, int(4 * sigma_columns) + 1
    padded = np.zeros((rows + 2 * pad_rows, columns + 2 * pad_columns))
    padded[pad_rows : pad_rows + rows, pad_columns : pad_columns + columns] = image
    row_frequencies = np.fft.fftfreq(padded.shape[0])[:, None]
    column_frequencies = np.fft.rfftfreq(padded.shape[1])[None, :]
    transfer = np.exp(
        -2 * np.pi**2 * (sigma_rows**2 * row_frequencies**2 + sigma_columns**2 * column_frequencies**2)
    )
    blurred = np.fft.irfft2(np.fft.rfft2(padded) * transfer, s=padded.shape)
    result: FloatArray = blurred[pad_rows : pad_rows + rows, pad_columns : pad_columns + columns]
    return result


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
        image = pixel_image(context.axes)
        return DensityLayer(self, context, image)

    def kernel_width(self, points: FloatArray, view_span: float) -> float:
        """The bandwidth, or Scott's rule (5% of the view when the points do not spread)."""
        if self.bandwidth is not None:
            return self.bandwidth
        spread = float(np.mean(np.std(points, axis=0)))
        if not spread > 0:
            return 0.05 * view_span
        return float(spread * len(points) ** (-1.0 / 6.0))


class DensityLayer:
    """The blended clouds as one image, recomputed per frame unless they cannot move."""

    def __init__(self, options: DensityOptions, context: SceneContext, image: AxesImage) -> None:
        self.options = options
        self.context = context
        self.image = image
        self.grid: PixelGrid | None = None
        self.static = options.weight_by == "truth" and context.true_labels is not None
        self.per_iteration = self.static
        self.artists: list[Artist] = [image]

    def update(self, frame: Frame) -> Sequence[Artist]:
        if self.grid is None:
            self.grid = self.context.grid()
            self.image.set_extent(self.grid.extent)
            self.bins, self.inside = self.grid.bin_index(self.context.points)
            left, right, _, _ = self.grid.extent
            width = self.options.kernel_width(self.context.points, right - left)
            # No kernel wider than the picture: past that, the cloud is flat anyway.
            rows, columns = self.grid.shape
            self.sigma = (
                min(width / self.grid.pixel_size[1], 2.0 * rows),
                min(width / self.grid.pixel_size[0], 2.0 * columns),
            )
        elif self.static:
            return self.artists
        if self.static:
            assert self.context.true_labels is not None
            weights = one_hot(self.context.true_labels, int(self.context.true_labels.max()) + 1)
        else:
            weights = frame.memberships
        colors = self.context.class_colors(weights.shape[1])[:, :3]
        rgba = self._blend(weights, colors)
        self.image.set_data(rgba)
        return self.artists

    def _blend(self, weights: FloatArray, colors: FloatArray) -> FloatArray:
        assert self.grid is not None
        rows, columns = self.grid.shape
        total = np.zeros((rows, columns))
        mixed = np.zeros((rows, columns, 3))
        for cloud in range(weights.shape[1]):
            counts = np.bincount(
                self.bins[self.inside], weights=weights[self.inside, cloud], minlength=rows * columns
            )
            density = gaussian_blur(counts.reshape(rows, columns).astype(np.float64), *self.sigma)
            peak = density.max()
            if peak <= 0:
                continue
            intensity = np.clip(density / peak, 0.0, 1.0)
            total += intensity
            mixed += intensity[:, :, None] * colors[cloud]
        rgba = np.zeros((rows, columns, 4))
        present = total > 0
        rgba[present, :3] = mixed[present] / total[present, None]
        rgba[:, :, 3] = self.options.alpha * np.clip(total, 0.0, 1.0)
        return rgba
