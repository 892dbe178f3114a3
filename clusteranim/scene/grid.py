"""The axes' pixel grid in data coordinates, for layers computed per pixel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.arrays import FloatArray, IntArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage

    from clusteranim.scene.projection import Projection


@dataclass(frozen=True, eq=False)
class PixelGrid:
    """The whole pixels inside the axes, row 0 at the bottom.

    Parameters
    ----------
    view : ndarray of shape (rows * columns, 2)
        The view coordinates of each pixel's centre, row by row.
    shape : (int, int)
        (rows, columns).
    extent : (float, float, float, float)
        (left, right, bottom, top) of the grid in view coordinates, for ``imshow``.
    pixel_size : (float, float)
        Width and height of one pixel in view units.
    data : ndarray of shape (rows * columns, d)
        Each pixel centre lifted back to data coordinates (through the projection).
    """

    view: FloatArray
    shape: tuple[int, int]
    extent: tuple[float, float, float, float]
    pixel_size: tuple[float, float]
    projection: Projection

    @classmethod
    def of(cls, axes: Axes, projection: Projection) -> PixelGrid:
        box = axes.get_window_extent()
        left, bottom = math.ceil(box.x0), math.ceil(box.y0)
        right, top = math.floor(box.x1), math.floor(box.y1)
        columns, rows = max(right - left, 1), max(top - bottom, 1)
        to_view = axes.transData.inverted()
        (x0, y0), (x1, y1) = to_view.transform([(left, bottom), (right, top)])
        pixel_width, pixel_height = (x1 - x0) / columns, (y1 - y0) / rows
        xs = x0 + (np.arange(columns) + 0.5) * pixel_width
        ys = y0 + (np.arange(rows) + 0.5) * pixel_height
        view = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        return cls(view, (rows, columns), (x0, x1, y0, y1), (pixel_width, pixel_height), projection)

    @property
    def data(self) -> FloatArray:
        return self.projection.lift(self.view)

    def cells(self, points: FloatArray) -> tuple[IntArray, IntArray]:
        """(row, column) of the pixel each view point falls in, row 0 at the bottom; outside
        the grid for points outside it."""
        left, _, bottom, _ = self.extent
        column = np.floor((points[:, 0] - left) / self.pixel_size[0]).astype(np.intp)
        row = np.floor((points[:, 1] - bottom) / self.pixel_size[1]).astype(np.intp)
        return row, column

    def bin_index(self, points: FloatArray) -> tuple[np.ndarray, np.ndarray]:
        """Flat pixel index of each view point, and which points fall inside the grid."""
        row, column = self.cells(points)
        inside = (column >= 0) & (column < self.shape[1]) & (row >= 0) & (row < self.shape[0])
        return row * self.shape[1] + column, inside


def pixel_image(axes: Axes) -> AxesImage:
    """An empty image for a per-pixel layer; its data and extent come from a PixelGrid."""
    return axes.imshow(
        np.zeros((1, 1, 4)), interpolation="nearest", origin="lower", aspect="auto", extent=(0, 1, 0, 1)
    )
