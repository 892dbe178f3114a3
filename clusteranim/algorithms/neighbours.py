"""Radius neighbours: every pair of points within a distance of each other, without a
per-point loop.

In few dimensions the points are put in a grid of cells of side ``radius / 2``: a point's
neighbours lie within two cells of its own along every axis, and with the cells numbered
along the first axis fastest those cells form 5^(d-1) runs of consecutive numbers, so the
candidates of every point are a few ranges of the points sorted by cell. In more
dimensions (where the cells searched hold far more candidates than the ball does) the
distances are taken block by block of rows of the full distance matrix. Both ways compare the same
sum of squared coordinate differences, added in column order, with ``radius ** 2``, so
they find the same pairs; equal points are at distance 0 exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise, product

import numpy as np

from clusteranim.algorithms.kmeans import _pool
from clusteranim.arrays import BoolArray, FloatArray, IntArray

#: Most dimensions the grid is used in: the cells searched hold 3.7 times the ball's volume
#: at 3 dimensions, and the ratio grows fast from there.
GRID_DIMENSIONS = 3
#: Cells per ``radius`` along each axis: a point's neighbours lie within this many cells of
#: its own along every axis. Smaller cells fit the ball more closely (the square of 5 x 5
#: half-radius cells has 2.0 times the disc's area, of 3 x 3 whole-radius cells 2.9) at
#: the cost of more runs of cells to look up.
CELL_SPLIT = 2
#: Candidate pairs (or distance-matrix entries) handled at a time: bounds the temporary
#: arrays to some tens of megabytes.
BLOCK_PAIRS = 1 << 20
#: Largest cell number the grid may use (numbers are int64).
MAX_CELL_NUMBER = 1 << 62
#: Most pairs of neighbours kept (each costs 8 bytes, and DBSCAN holds a few arrays of
#: them): about 0.5 GB of indices, 3,300 neighbours a point at 20,000 points.
MAX_PAIRS = 1 << 26


class TooManyPairsError(ValueError):
    """More pairs of points lie within the radius than :data:`MAX_PAIRS`."""

    def __init__(self, found: int, n_samples: int) -> None:
        super().__init__(f"more than {found:,} pairs of points")
        self.found = found
        self.n_samples = n_samples


@dataclass(frozen=True, eq=False)
class Neighbourhoods:
    """The neighbours of every point, as compressed sparse rows.

    Parameters
    ----------
    indptr : ndarray of shape (n + 1,)
        The neighbours of point ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of shape (n_pairs,)
        Indices of neighbours, each row in no particular order; every point is its own
        neighbour.
    """

    indptr: IntArray
    indices: IntArray

    @property
    def counts(self) -> IntArray:
        """Number of neighbours of each point (itself included), of shape (n,)."""
        counts: IntArray = np.diff(self.indptr)
        return counts

    def subset(self, keep: BoolArray) -> Neighbourhoods:
        """Only the entries where ``keep`` (n_pairs,) holds, rows kept in place."""
        return Neighbourhoods(offsets(run_totals(keep, self.counts)), self.indices[keep])


def offsets(counts: IntArray) -> IntArray:
    """Start of each of consecutive runs of ``counts`` (m,) entries, and the end: (m + 1,)."""
    indptr = np.zeros(counts.size + 1, dtype=np.intp)
    np.cumsum(counts, out=indptr[1:])
    return indptr


def run_totals(keep: BoolArray, counts: IntArray) -> IntArray:
    """How many entries of ``keep`` hold in each of its consecutive runs of ``counts``."""
    kept = np.zeros(keep.size + 1, dtype=np.intp)
    np.cumsum(keep, out=kept[1:])
    totals: IntArray = np.diff(kept[offsets(counts)])
    return totals


def ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """The integers ``starts[i], ..., starts[i] + counts[i] - 1`` for every ``i``, one
    range after the other, as one flat array."""
    total = int(counts.sum())
    shift = np.repeat(starts - offsets(counts)[:-1], counts)
    flat: IntArray = np.arange(total, dtype=np.intp) + shift
    return flat


def radius_neighbours(X: FloatArray, radius: float) -> Neighbourhoods:
    """Every point within ``radius`` (Euclidean, bound included) of each point.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Finite coordinates.
    radius : float
        Greater than 0.

    Returns
    -------
    Neighbourhoods
        Point ``j`` is a neighbour of ``i`` when the sum of the squared differences of
        their coordinates is at most ``radius ** 2``.

    Raises
    ------
    TooManyPairsError
        When more than :data:`MAX_PAIRS` pairs lie within ``radius`` (found block by
        block: the memory stays bounded).
    """
    n_samples, n_features = X.shape
    if n_samples == 0:
        return Neighbourhoods(np.zeros(1, dtype=np.intp), np.zeros(0, dtype=np.intp))
    if n_features <= GRID_DIMENSIONS:
        grid = grid_cells(X, radius)
        if grid is not None:
            return _by_grid(X, radius, *grid)
    return _by_blocks(X, radius)


def grid_cells(X: FloatArray, radius: float) -> tuple[IntArray, IntArray] | None:
    """The number of the cell of side ``radius / CELL_SPLIT`` of each point, (n,), and the
    step in numbers along each axis, (d,): cells are numbered along the first axis
    fastest, with a margin of ``CELL_SPLIT`` cells on every side. None when the numbers
    would not fit in int64."""
    lower = X.min(axis=0)
    with np.errstate(over="ignore"):
        position = (X - lower) * (CELL_SPLIT / radius)
        extent = position.max(axis=0)
        cells_in_box = float(np.prod(extent + 2 * CELL_SPLIT + 1))
    if not np.isfinite(cells_in_box) or cells_in_box >= MAX_CELL_NUMBER:
        return None
    cells = np.floor(position).astype(np.intp) + CELL_SPLIT
    widths = np.floor(extent).astype(np.intp) + 2 * CELL_SPLIT + 1
    strides: IntArray = np.concatenate([[1], np.cumprod(widths[:-1])]).astype(np.intp)
    numbers: IntArray = cells @ strides
    return numbers, strides


def _by_grid(X: FloatArray, radius: float, cells: IntArray, strides: IntArray) -> Neighbourhoods:
    n_samples, n_features = X.shape
    # The runs of cells near a cell: one per step of -CELL_SPLIT to CELL_SPLIT on every
    # axis but the first, each as many cells before and after it along the first axis.
    steps = range(-CELL_SPLIT, CELL_SPLIT + 1)
    runs = np.array(
        [np.dot(step, strides[1:]) for step in product(steps, repeat=n_features - 1)], dtype=np.intp
    )
    order = np.argsort(cells, kind="stable")
    sorted_cells = cells[order]
    columns = [np.ascontiguousarray(column) for column in X.T]
    sorted_columns = [column[order] for column in columns]
    first = np.searchsorted(sorted_cells, cells[:, None] + runs - CELL_SPLIT, side="left")
    counts = np.searchsorted(sorted_cells, cells[:, None] + runs + CELL_SPLIT, side="right") - first
    per_point = counts.sum(axis=1)
    squared_radius = radius * radius

    def block(rows: slice) -> tuple[IntArray, IntArray]:
        candidates = ranges(first[rows].reshape(-1), counts[rows].reshape(-1))
        total: FloatArray | None = None
        for column, sorted_column in zip(columns, sorted_columns, strict=True):
            difference = np.repeat(column[rows], per_point[rows])
            difference -= sorted_column[candidates]
            np.square(difference, out=difference)
            total = difference if total is None else np.add(total, difference, out=total)
        assert total is not None
        near = total <= squared_radius
        found: IntArray = order[candidates[near]]
        return run_totals(near, per_point[rows]), found

    # Blocks of consecutive points with about BLOCK_PAIRS candidates each.
    bounds = np.searchsorted(
        np.cumsum(per_point), np.arange(0, int(per_point.sum()), BLOCK_PAIRS), side="right"
    )
    edges = np.unique(np.concatenate([[0], bounds, [n_samples]]))
    return _gathered(_pool().map(block, [slice(int(a), int(b)) for a, b in pairwise(edges)]), n_samples)


def _by_blocks(X: FloatArray, radius: float) -> Neighbourhoods:
    n_samples = X.shape[0]
    squared_radius = radius * radius
    rows_per_block = max(1, BLOCK_PAIRS // n_samples)

    def block(start: int) -> tuple[IntArray, IntArray]:
        rows = X[start : start + rows_per_block]
        total: FloatArray = np.square(np.subtract.outer(rows[:, 0], X[:, 0]))
        for column in range(1, X.shape[1]):
            total += np.square(np.subtract.outer(rows[:, column], X[:, column]))
        near = total <= squared_radius
        found: IntArray = np.nonzero(near)[1]
        return near.sum(axis=1), found

    return _gathered(_pool().map(block, range(0, n_samples, rows_per_block)), n_samples)


def _gathered(parts: Iterator[tuple[IntArray, IntArray]], n_samples: int) -> Neighbourhoods:
    """The blocks' counts and neighbours, in order, as one Neighbourhoods; stops with
    :class:`TooManyPairsError` as soon as they hold more than :data:`MAX_PAIRS` pairs."""
    counts, found, total = [], [], 0
    for part_counts, part_found in parts:
        total += len(part_found)
        if total > MAX_PAIRS:
            raise TooManyPairsError(total, n_samples)
        counts.append(part_counts)
        found.append(part_found)
    return Neighbourhoods(offsets(np.concatenate(counts)), np.concatenate(found))
