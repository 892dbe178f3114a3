"""The axes' pixel grid in data coordinates, for layers computed per pixel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.arrays import FloatArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from clusteranim.scene.projection import Projection


#: A pixel the axes cover by less than this share is left out of their grid.
EDGE = 0.5


@dataclass(frozen=True, eq=False)
class PixelGrid:
    """The pixels of the axes (those they cover at least half of), row 0 at the bottom.

    Parameters
    ----------
    shape : (int, int)
        (rows, columns).
    extent : (float, float, float, float)
        (left, right, bottom, top) of the grid in view coordinates, for ``imshow``.
    pixel_size : (float, float)
        Width and height of one pixel in view units.
    origin : (int, int)
        (row, column) of the grid's top-left pixel in the frame's buffer, whose rows run
        top to bottom: the grid's last row is the buffer block's first.
    """

    shape: tuple[int, int]
    extent: tuple[float, float, float, float]
    pixel_size: tuple[float, float]
    projection: Projection
    origin: tuple[int, int] = (0, 0)

    @classmethod
    def of(cls, axes: Axes, projection: Projection) -> PixelGrid:
        box = axes.get_window_extent()
        # The pixels the axes cover at least half of, so that a per-pixel layer meets the
        # axes frame (drawn over it) on every side and never shows beyond it.
        left, bottom = math.floor(box.x0 + EDGE), math.floor(box.y0 + EDGE)
        right, top = math.ceil(box.x1 - EDGE), math.ceil(box.y1 - EDGE)
        columns, rows = max(right - left, 1), max(top - bottom, 1)
        to_view = axes.transData.inverted()
        (x0, y0), (x1, y1) = to_view.transform([(left, bottom), (right, top)])
        pixel_width, pixel_height = (x1 - x0) / columns, (y1 - y0) / rows
        height = round(axes.figure.bbox.height)
        origin = (height - (bottom + rows), left)
        return cls((rows, columns), (x0, x1, y0, y1), (pixel_width, pixel_height), projection, origin)

    @cached_property
    def view(self) -> FloatArray:
        """Array of shape (rows * columns, 2): the view coordinates of each pixel's centre,
        row by row (made when a layer asks for it: polygons and coarse grids never do)."""
        rows, columns = self.shape
        x0, _, y0, _ = self.extent
        xs = x0 + (np.arange(columns) + 0.5) * self.pixel_size[0]
        ys = y0 + (np.arange(rows) + 0.5) * self.pixel_size[1]
        view: FloatArray = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        return view

    def block(self, buffer: np.ndarray) -> np.ndarray:
        """The grid's pixels in a frame buffer (height, width, channels), rows top down."""
        top, left = self.origin
        rows, columns = self.shape
        return buffer[top : top + rows, left : left + columns]

    def to_pixels(self, view: FloatArray) -> FloatArray:
        """View points (m, 2) as (column, row) positions on the grid, row 0 at the top, in
        pixels (a pixel's centre at +0.5)."""
        left, _, _, top = self.extent
        return np.stack(
            [(view[:, 0] - left) / self.pixel_size[0], (top - view[:, 1]) / self.pixel_size[1]], axis=1
        )

    @property
    def data(self) -> FloatArray:
        """Each pixel centre lifted back to data coordinates (through the projection)."""
        return self.projection.lift(self.view)
