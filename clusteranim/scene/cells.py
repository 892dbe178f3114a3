"""Decision regions without a per-pixel argmin.

Nearest-centre methods (k-means) split the plane into convex cells: in view coordinates
``u``, a point of the fitting space is ``A u + b`` (the projection lifted, then scaled),
so "nearer to centre j than to centre i" is a half-plane, and each cell is the view
rectangle clipped by k - 1 half-planes: O(k^2) per frame, drawn as polygons.

Other methods (mixtures) are labelled on a coarse lattice of pixel centres; a cell of the
lattice whose four corners agree takes their label, the others are labelled pixel by
pixel. Only pixels near a boundary are computed exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clusteranim.arrays import FloatArray, IntArray
from clusteranim.scene.grid import PixelGrid

#: Pixels between two points of the coarse lattice.
LATTICE_STEP = 4


def clip(polygon: FloatArray, normal: FloatArray, offset: float) -> FloatArray:
    """The part of a convex polygon (m, 2) where ``normal . u + offset <= 0``."""
    values = polygon @ normal + offset
    kept = []
    for index in range(len(polygon)):
        nxt = (index + 1) % len(polygon)
        here, there = values[index], values[nxt]
        if here <= 0:
            kept.append(polygon[index])
        if (here <= 0) != (there <= 0):
            kept.append(polygon[index] + (polygon[nxt] - polygon[index]) * (here / (here - there)))
    return np.array(kept).reshape(-1, 2)


def voronoi_cells(
    centers: FloatArray, lift: FloatArray, origin: FloatArray, box: FloatArray
) -> list[tuple[int, FloatArray]]:
    """The cell of each centre within ``box``, as (cluster, polygon in view coordinates).

    Parameters
    ----------
    centers : ndarray of shape (k, d)
        Centres in the fitting space; a row of NaN is a cluster that does not exist.
    lift, origin : ndarrays of shape (d, 2) and (d,)
        The view point ``u`` is the fitting-space point ``lift @ u + origin``.
    box : ndarray of shape (4, 2)
        The corners of the view rectangle, in order.

    Ties go to the lower index, as an argmin does.
    """
    exists = [index for index in range(len(centers)) if not np.isnan(centers[index]).any()]
    squares = {index: float(centers[index] @ centers[index]) for index in exists}
    cells = []
    for j in exists:
        polygon = box
        for i in exists:
            if i == j:
                continue
            # |z - c_j|^2 - |z - c_i|^2 = 2 (c_i - c_j) . z + |c_j|^2 - |c_i|^2 <= 0
            difference = centers[i] - centers[j]
            normal = 2 * (lift.T @ difference)
            offset = 2 * float(difference @ origin) + squares[j] - squares[i]
            if not np.any(normal):  # the same centre: the lower index takes the cell
                if offset > 0 or (offset == 0 and i < j):
                    polygon = polygon[:0]
                    break
                continue
            polygon = clip(polygon, normal, offset)
            if len(polygon) < 3:
                break
        if len(polygon) >= 3:
            cells.append((j, polygon))
    return cells


def refined_labels(
    grid: PixelGrid, label: Callable[[FloatArray], IntArray], step: int = LATTICE_STEP
) -> IntArray:
    """The label of every pixel of ``grid`` (rows bottom up), computed exactly only in the
    lattice cells whose corners disagree.

    Parameters
    ----------
    grid : PixelGrid
    label : callable
        Labels of data points (m, d).
    step : int
        Pixels between lattice points.
    """
    rows, columns = grid.shape
    lattice_rows = np.unique(np.r_[np.arange(0, rows, step), rows - 1])
    lattice_columns = np.unique(np.r_[np.arange(0, columns, step), columns - 1])
    if len(lattice_rows) < 2 or len(lattice_columns) < 2:
        return label(grid.data).reshape(rows, columns)
    view = grid.view.reshape(rows, columns, 2)
    corners = label(grid.projection.lift(view[np.ix_(lattice_rows, lattice_columns)].reshape(-1, 2)))
    corners = corners.reshape(len(lattice_rows), len(lattice_columns))
    agree = (
        (corners[:-1, :-1] == corners[1:, :-1])
        & (corners[:-1, :-1] == corners[:-1, 1:])
        & (corners[:-1, :-1] == corners[1:, 1:])
    )
    row_cell = np.minimum(np.arange(rows) // step, len(lattice_rows) - 2)
    column_cell = np.minimum(np.arange(columns) // step, len(lattice_columns) - 2)
    labels: IntArray = corners[:-1, :-1][np.ix_(row_cell, column_cell)]
    exact = ~agree[np.ix_(row_cell, column_cell)]
    if exact.any():
        labels[exact] = label(grid.projection.lift(view[exact]))
    return labels
