"""Mean-shift: windows climb the data's density until they settle on its modes.

A window of radius ``bandwidth`` starts at each seed (every data point, or the centre of
every occupied cell of a grid of side ``bandwidth``: bin seeding) and moves, again and
again, to the mean of the points it holds, weighted by the kernel: a flat kernel weighs
the points within ``bandwidth`` alike, a Gaussian kernel every point by
``exp(-|x - y|^2 / (2 bandwidth^2))``. A window stops when it moves by at most
``1e-3 * bandwidth``, or after ``max_iter`` moves; one that holds no point stops
where it is and is discarded. Then the windows' end points are sorted by the weight they
held, heaviest first, and each keeps its place as a mode unless a heavier mode lies
within ``bandwidth`` of it; each point joins its nearest mode. With the flat kernel this
is scikit-learn's ``MeanShift`` step for step.

All windows move together, one round at a time (a window's path does not depend on the
others, so moving them together and freezing each as it stops is the same as moving
them one by one). Windows at the same place are moved once. In up to three dimensions
the flat kernel finds each window's points through sorted columns of the data (see
:class:`Columns`), checking only those near the edge of its ball one by one; in more, it
looks at every point, block by block. The Gaussian kernel weighs every point, block by
block: a round takes time O(s n d) for s windows and n points.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.algorithms.base import Capabilities, DirectOptions, Recording
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import OptionError

Kernel = Literal["flat", "gaussian"]

#: A window stops when it moves by at most this share of the bandwidth (scikit-learn's).
STOP_SHARE = 1e-3
#: Entries of one block of window-by-point work (16 MB of float64), so memory stays bounded.
BLOCK_ENTRIES = 1 << 21
#: Columns per bandwidth along each of the first d - 1 axes, in 1 to 3 dimensions (see
#: :class:`Columns`): thin columns leave few points to check one by one, but each window
#: crosses more of them. These minimise the time on 20,000 blobs.
COLUMNS_PER_BANDWIDTH = {1: 1, 2: 10, 3: 3}
#: Most columns (a tiny bandwidth over a wide range falls back to blocks).
MAX_COLUMNS = 1 << 24
#: Safety margin of the columns, as a share of the data's magnitude: far beyond rounding.
MARGIN = 1e-8
#: Most modes: as many clusters as a trace may hold (``clusteranim.trace.checks.MAX_CLUSTERS``).
MAX_MODES = 1_000


def bin_seeds(X: FloatArray, bin_size: float, min_bin_freq: int) -> FloatArray:
    """scikit-learn's ``get_bin_seeds``: the centre of each cell of a grid of side
    ``bin_size`` (cells centred on its multiples) that holds at least ``min_bin_freq``
    points, in the order the points first reach them.

    As there, the centres are computed in float32, and when every point has a cell of its
    own the points themselves are the seeds.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    bin_size : float
        Greater than 0.
    min_bin_freq : int

    Returns
    -------
    ndarray of shape (s, d)
        Possibly empty, when no cell holds enough points.
    """
    # Adding 0.0 turns -0.0 into 0.0: the two are one cell, as they are one dict key there.
    cells = np.round(X / bin_size) + 0.0
    unique, first, counts = np.unique(cells, axis=0, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    chosen = order[counts[order] >= min_bin_freq]
    if chosen.size == X.shape[0]:
        points: FloatArray = X.copy()
        return points
    centres: FloatArray = (unique[chosen].astype(np.float32) * np.float32(bin_size)).astype(np.float64)
    return centres


def kth_distances(X: FloatArray, n_neighbors: int) -> FloatArray:
    """Each point's distance to its ``n_neighbors``-th nearest point of ``X``, itself
    included (at distance 0), block by block."""

    def block(rows: slice) -> FloatArray:
        distances = np.sqrt(squared_distances(X[rows], X))
        kth: FloatArray = np.partition(distances, n_neighbors - 1, axis=1)[:, n_neighbors - 1]
        return kth

    return np.concatenate(_by_blocks(X.shape[0], X.shape[0], block))


def estimate_bandwidth(X: FloatArray, quantile: float, n_samples: int | None, seed: int) -> float:
    """scikit-learn's ``estimate_bandwidth``: the mean over the points of the distance to
    their ``int(quantile * n)``-th nearest point (at least the first, themselves).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    quantile : float
        In [0, 1].
    n_samples : int or None
        Use only this many points, drawn as scikit-learn draws them with
        ``random_state=seed`` (a ``RandomState`` permutation); None: all.
    seed : int
    """
    if n_samples is not None and n_samples < X.shape[0]:
        X = X[np.random.RandomState(seed).permutation(X.shape[0])[:n_samples]]
    n_neighbors = max(int(X.shape[0] * quantile), 1)
    return float(kth_distances(X, n_neighbors).sum() / X.shape[0])


def squared_distances(A: FloatArray, B: FloatArray) -> FloatArray:
    """Squared Euclidean distances of shape (m, p) between the rows of ``A`` (m, d) and
    ``B`` (p, d), summed from the coordinate differences column by column, as a tree
    search sums them (equal points at distance 0 exactly)."""
    total: FloatArray = np.subtract.outer(A[:, 0], B[:, 0])
    np.square(total, out=total)
    difference = np.empty_like(total)
    for column in range(1, A.shape[1]):
        np.subtract.outer(A[:, column], B[:, column], out=difference)
        np.square(difference, out=difference)
        total += difference
    return total


def _by_blocks(n_rows: int, n_columns: int, work: Callable[[slice], FloatArray]) -> list[FloatArray]:
    """``work`` on consecutive blocks of rows of about :data:`BLOCK_ENTRIES` entries."""
    rows = max(1, BLOCK_ENTRIES // max(n_columns, 1))
    return [work(slice(start, start + rows)) for start in range(0, n_rows, rows)]


@dataclass(frozen=True, eq=False)
class Columns:
    """The points in columns, to sum those near a window without looking at most of them.

    The space of all coordinates but the last is cut into cells of side ``width`` (a
    fraction of the bandwidth); a column is the points of one cell, sorted by their last
    coordinate, with running sums. A window's ball crosses few columns; in each, the
    points whose last coordinate is near enough to the window's that they lie in the ball
    wherever they are in the cell form one range, summed from the running sums, and only
    the points in the two thin bands beyond it (in the ball or not, by where they are in
    the cell) are checked one by one, as a radius search checks them. Safety margins keep
    rounding from moving a point across: the points found are exactly those within the
    bandwidth. In 2-D with cells of a tenth of the bandwidth, about a tenth of a window's
    points are checked.

    Parameters
    ----------
    points : ndarray of shape (n, d)
        Sorted by column, then by last coordinate.
    keys : ndarray of shape (n,)
        Ascending: a point's column plus its last coordinate mapped to [0, 0.5], so that
        one sorted search finds a range within a column.
    prefix : ndarray of shape (n + 1, d)
        Running sums of the points minus their column's mean (which keeps them small).
    column_means : ndarray of shape (c, d)
    origin : ndarray of shape (d - 1,)
        The corner of column 0.
    width : float
    extents : tuple of int
        Columns along each of the first d - 1 axes.
    low, span : float
        The last coordinate's least value and range, for the keys.
    margin : float
        A length beyond any rounding of the data's coordinates.
    """

    points: FloatArray
    keys: FloatArray
    prefix: FloatArray
    column_means: FloatArray
    origin: FloatArray
    width: float
    extents: tuple[int, ...]
    low: float
    span: float
    margin: float

    @classmethod
    def of(cls, X: FloatArray, bandwidth: float) -> Columns | None:
        """The columns of ``X`` for windows of radius ``bandwidth``, or None when the data
        has more than three dimensions or the columns would be too many (a tiny bandwidth
        over a wide range): then the points are searched by blocks."""
        n_samples, n_features = X.shape
        if n_features not in COLUMNS_PER_BANDWIDTH:
            return None
        width = bandwidth / COLUMNS_PER_BANDWIDTH[n_features]
        lead = X[:, :-1]
        origin = lead.min(axis=0)
        with np.errstate(over="ignore"):
            counts = np.floor((lead.max(axis=0) - origin) / width) + 1
        if not np.all(np.isfinite(counts)) or float(np.prod(counts)) > MAX_COLUMNS:
            return None
        extents = tuple(int(count) for count in counts)
        cells = np.minimum(np.floor((lead - origin) / width).astype(np.int64), np.array(extents) - 1)
        column = (
            np.ravel_multi_index(tuple(cells.T), extents) if n_features > 1 else np.zeros(n_samples, np.int64)
        )
        last = X[:, -1]
        low, span = float(last.min()), float(np.ptp(last)) or 1.0
        order = np.lexsort((last, column))
        points, column = X[order], column[order]
        keys = column + 0.5 * ((points[:, -1] - low) / span)
        n_columns = int(np.prod(extents))
        sizes = np.maximum(np.bincount(column, minlength=n_columns), 1)
        column_means = np.stack(
            [np.bincount(column, weights=values, minlength=n_columns) / sizes for values in points.T], axis=1
        )
        prefix = np.zeros((n_samples + 1, n_features))
        np.cumsum(points - column_means[column], axis=0, out=prefix[1:])
        margin = MARGIN * (float(np.abs(X).max()) + bandwidth + span)
        return cls(points, keys, prefix, column_means, origin, width, extents, low, span, margin)

    def sums(self, windows: FloatArray, bandwidth: float) -> tuple[FloatArray, FloatArray]:
        """Sum and number of the points within ``bandwidth`` of each window, as (m, d) and (m,)."""
        n_windows, n_features = windows.shape
        sums, counts = np.zeros((n_windows, n_features)), np.zeros(n_windows)
        reach = 2 * COLUMNS_PER_BANDWIDTH[n_features] + 2 if n_features > 1 else 1
        offsets = list(itertools.product(range(reach), repeat=n_features - 1))
        steps = np.array(offsets, dtype=np.int64).reshape(len(offsets), n_features - 1)
        rows = max(1, BLOCK_ENTRIES // (8 * len(offsets)))
        for start in range(0, n_windows, rows):
            block = slice(start, start + rows)
            sums[block], counts[block] = self._block(windows[block], bandwidth, steps)
        return sums, counts

    def _block(self, windows: FloatArray, bandwidth: float, steps: IntArray) -> tuple[FloatArray, FloatArray]:
        n_windows = windows.shape[0]
        limit, margin = bandwidth * bandwidth, self.margin
        lead, last = windows[:, :-1], windows[:, -1:]
        extents = np.array(self.extents, dtype=np.int64)
        first = np.clip(np.floor((lead - bandwidth - margin - self.origin) / self.width), -1, extents)
        final = np.clip(np.floor((lead + bandwidth + margin - self.origin) / self.width), -1, extents)
        cells = first.astype(np.int64)[:, None, :] + steps[None, :, :]  # (m, columns, d - 1)
        crossed = np.all((cells <= final[:, None, :]) & (cells >= 0) & (cells < extents), axis=2)
        # Nearest and farthest squared distances from each window to each cell (grown by the margin).
        below = self.origin + cells * self.width - margin - lead[:, None, :]
        above = below + self.width + 2 * margin
        nearest = np.where(below > 0, below, np.where(above < 0, -above, 0.0))
        farthest = np.maximum(np.abs(below), np.abs(above))
        near, far = np.sum(nearest * nearest, axis=2), np.sum(farthest * farthest, axis=2)
        crossed &= near <= limit
        outer = np.sqrt(np.maximum(limit - near, 0.0)) + margin  # beyond: outside the ball
        inner = np.sqrt(np.maximum(limit - far, 0.0)) - margin  # within: inside the ball
        # Too thin a sure range would leave no room for rounding: check its points instead.
        sure = crossed & (inner > 1e3 * margin)
        clipped = tuple(np.moveaxis(np.clip(cells, 0, extents - 1), 2, 0))
        column = (
            np.ravel_multi_index(clipped, self.extents)
            if len(self.extents)
            else np.zeros(cells.shape[:2], np.intp)
        )

        def position(value: FloatArray, side: Literal["left", "right"]) -> IntArray:
            key = column + np.clip(0.5 * ((value - self.low) / self.span), -0.25, 0.75)
            found: IntArray = np.searchsorted(self.keys, key, side=side)
            return found

        outer_start = position(last - outer, "left")
        outer_end = np.where(crossed, position(last + outer, "right"), outer_start)
        inner_start = np.clip(
            np.where(sure, position(last - inner, "left"), outer_start), outer_start, outer_end
        )
        inner_end = np.clip(
            np.where(sure, position(last + inner, "right"), outer_start), inner_start, outer_end
        )
        held = (inner_end - inner_start).astype(np.float64)
        counts = held.sum(axis=1)
        sums = np.sum(
            self.prefix[inner_end] - self.prefix[inner_start] + held[:, :, None] * self.column_means[column],
            axis=1,
        )
        # The two bands of each column, point by point.
        starts = np.concatenate([outer_start, inner_end], axis=1).ravel()
        lengths = np.concatenate([inner_start - outer_start, outer_end - inner_end], axis=1).ravel()
        window_of = np.repeat(np.repeat(np.arange(n_windows), 2 * cells.shape[1]), lengths)
        before = np.cumsum(lengths) - lengths
        positions = np.arange(int(lengths.sum())) + np.repeat(starts - before, lengths)
        band_counts, band_sums = _inside(self.points[positions], windows, window_of, limit)
        return sums + band_sums, counts + band_counts


def _inside(
    points: FloatArray, windows: FloatArray, window_of: IntArray, limit: float
) -> tuple[FloatArray, FloatArray]:
    """Number and sum, per window, of the candidate ``points`` within squared distance
    ``limit`` of their window ``windows[window_of]``: the squared distance summed over
    the coordinates in order, as a radius search sums it."""
    gaps = points - windows[window_of]
    squared = gaps[:, 0] * gaps[:, 0]
    for column in range(1, windows.shape[1]):
        squared += gaps[:, column] * gaps[:, column]
    inside = squared <= limit
    held = window_of[inside]
    n_windows = windows.shape[0]
    counts = np.bincount(held, minlength=n_windows).astype(np.float64)
    sums = np.zeros((n_windows, windows.shape[1]))
    for column, values in enumerate(points[inside].T):
        sums[:, column] = np.bincount(held, weights=values, minlength=n_windows)
    return counts, sums


def flat_sums(
    X: FloatArray, columns: Columns | None, windows: FloatArray, bandwidth: float
) -> tuple[FloatArray, FloatArray]:
    """Sum and number of the points within ``bandwidth`` of each window (distance at most
    ``bandwidth``, as scikit-learn's radius search counts them): through ``columns``, or
    block by block over all points.

    Returns
    -------
    sums : ndarray of shape (m, d)
    counts : ndarray of shape (m,)
    """
    if columns is not None:
        return columns.sums(windows, bandwidth)
    limit = bandwidth * bandwidth
    n_windows, n_features = windows.shape

    def block(rows: slice) -> FloatArray:
        inside = (squared_distances(windows[rows], X) <= limit).astype(np.float64)
        result: FloatArray = np.hstack([inside @ X, inside.sum(axis=1)[:, None]])
        return result

    both = np.concatenate([np.zeros((0, n_features + 1)), *_by_blocks(n_windows, X.shape[0], block)])
    return both[:, :n_features], both[:, n_features]


def gaussian_sums(X: FloatArray, windows: FloatArray, bandwidth: float) -> tuple[FloatArray, FloatArray]:
    """Kernel-weighted sum and total weight of all points for each window, the weight of
    point y for window x being ``exp(-|x - y|^2 / (2 bandwidth^2))``."""
    n_features = windows.shape[1]
    scale = -0.5 / (bandwidth * bandwidth)

    def block(rows: slice) -> FloatArray:
        weights = squared_distances(windows[rows], X)
        weights *= scale
        np.exp(weights, out=weights)
        result: FloatArray = np.hstack([weights @ X, weights.sum(axis=1)[:, None]])
        return result

    if windows.shape[0] == 0:
        return np.zeros((0, n_features)), np.zeros(0)
    both = np.concatenate(_by_blocks(windows.shape[0], X.shape[0], block))
    return both[:, :n_features], both[:, n_features]


@dataclass(frozen=True, eq=False)
class Climb:
    """Every window's path.

    Parameters
    ----------
    windows : ndarray of shape (T + 1, s, d)
        Where each window is after each round (a window that stopped stays put).
    weights : ndarray of shape (s,)
        The kernel weight each window held before its last move (with the flat kernel,
        the number of points within the bandwidth): 0 for a window that held no point.
    stopped : ndarray of shape (s,)
        The round after which each window no longer moves.
    converged : bool
        Whether every window stopped by moving less than the threshold (or by holding no
        point), none by the limit on moves.
    """

    windows: FloatArray
    weights: FloatArray
    stopped: IntArray
    converged: bool


def climb(X: FloatArray, seeds: FloatArray, bandwidth: float, kernel: Kernel, max_iter: int) -> Climb:
    """Move a window from each seed until it stops, all windows one round at a time.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    seeds : ndarray of shape (s, d)
    bandwidth : float
    kernel : {"flat", "gaussian"}
    max_iter : int
        Most moves of a window (scikit-learn's ``max_iter`` allows one more).
    """
    columns = Columns.of(X, bandwidth) if kernel == "flat" else None
    threshold = STOP_SHARE * bandwidth
    positions = seeds.astype(np.float64, copy=True)
    history = [positions.copy()]
    weights = np.zeros(seeds.shape[0])
    stopped = np.zeros(seeds.shape[0], dtype=np.intp)
    moving = np.arange(seeds.shape[0])
    capped = False
    completed = 0
    while moving.size:
        current = positions[moving]
        places, inverse = np.unique(current, axis=0, return_inverse=True)
        if kernel == "flat":
            sums, totals = flat_sums(X, columns, places, bandwidth)
        else:
            sums, totals = gaussian_sums(X, places, bandwidth)
        held = totals > 0
        means = places.copy()
        means[held] = sums[held] / totals[held, None]
        shifts = np.sqrt(np.sum((means - places) ** 2, axis=1))
        done = (~held | (shifts <= threshold))[inverse]
        completed += 1
        if completed == max_iter:
            capped = not done.all()
            done[:] = True
        weights[moving] = totals[inverse]
        positions[moving] = means[inverse]
        stopped[moving[done]] = completed
        history.append(positions.copy())
        moving = moving[~done]
    return Climb(np.stack(history), weights, stopped, not capped)


@dataclass(frozen=True, eq=False)
class Modes:
    """The modes the windows found, and which mode each window joined.

    Parameters
    ----------
    centers : ndarray of shape (k, d)
        Heaviest first.
    window_labels : ndarray of shape (s,)
        The mode each window's end point became or was merged into (the heaviest mode
        within the bandwidth of it); -1 for a window that held no point.
    representatives : ndarray of shape (k,)
        For each mode, the first window that ends exactly on it.
    """

    centers: FloatArray
    window_labels: IntArray
    representatives: IntArray


def merge_modes(ends: FloatArray, weights: FloatArray, bandwidth: float) -> Modes:
    """scikit-learn's post-processing: end points that coincide are one candidate (with
    the weight of the last window, in seed order, that ends there); candidates sorted by
    weight, then by coordinates, heaviest first; each candidate not within
    ``bandwidth`` of a mode already kept becomes a mode.

    Parameters
    ----------
    ends : ndarray of shape (s, d)
        Each window's last position.
    weights : ndarray of shape (s,)
        As in :class:`Climb`; at least one must be positive.
    bandwidth : float
    """
    alive = np.flatnonzero(weights > 0)
    candidates, inverse = np.unique(ends[alive], axis=0, return_inverse=True)
    last = np.zeros(candidates.shape[0], dtype=np.intp)
    np.maximum.at(last, inverse, np.arange(alive.size))
    first = np.full(candidates.shape[0], alive.size, dtype=np.intp)
    np.minimum.at(first, inverse, np.arange(alive.size))
    candidate_weights = weights[alive][last]
    order = np.lexsort((*candidates.T[::-1], candidate_weights))[::-1]
    sorted_candidates = candidates[order]
    limit = bandwidth * bandwidth
    joined = np.full(order.size, -1, dtype=np.intp)
    kept: list[int] = []
    index = 0
    while index < order.size:  # once per mode
        rest = joined[index:]
        gaps = squared_distances(sorted_candidates[index : index + 1], sorted_candidates[index:])[0]
        rest[(rest < 0) & (gaps <= limit)] = len(kept)
        kept.append(index)
        free = np.flatnonzero(rest < 0)
        index += int(free[0]) if free.size else order.size
    candidate_labels = np.empty(order.size, dtype=np.intp)
    candidate_labels[order] = joined
    window_labels = np.full(ends.shape[0], -1, dtype=np.intp)
    window_labels[alive] = candidate_labels[inverse]
    kept_candidates = order[np.array(kept, dtype=np.intp)]
    return Modes(sorted_candidates[kept], window_labels, alive[first[kept_candidates]])


def nearest_modes(X: FloatArray, centers: FloatArray, bandwidth: float, cluster_all: bool) -> IntArray:
    """Each point's nearest mode (the first of equally near ones); with ``cluster_all``
    false, -1 for a point farther than ``bandwidth`` from every mode."""

    def block(rows: slice) -> FloatArray:
        squared = squared_distances(X[rows], centers)
        nearest = squared.argmin(axis=1)
        result: FloatArray = np.stack([nearest, np.sqrt(squared[np.arange(nearest.size), nearest])], axis=1)
        return result

    both = np.concatenate(_by_blocks(X.shape[0], centers.shape[0], block))
    labels: IntArray = both[:, 0].astype(np.intp)
    if not cluster_all:
        labels[both[:, 1] > bandwidth] = -1
    return labels


def nearest_seeds(X: FloatArray, seeds: FloatArray) -> IntArray:
    """Each point's nearest seed (the first of equally near ones)."""

    def block(rows: slice) -> FloatArray:
        nearest: FloatArray = squared_distances(X[rows], seeds).argmin(axis=1).astype(np.float64)
        return nearest

    return np.concatenate(_by_blocks(X.shape[0], seeds.shape[0], block)).astype(np.intp)


@dataclass(frozen=True, eq=False)
class MeanShift:
    """Mean-shift with a flat or Gaussian kernel.

    Parameters
    ----------
    kernel : {"flat", "gaussian"}
    bandwidth : float or "auto"
        The windows' radius in the fitting space (the Gaussian's standard deviation);
        ``auto``: :func:`estimate_bandwidth` with ``quantile`` and ``bandwidth_samples``.
    quantile : float
    bandwidth_samples : int or None
    bin_seeding : bool
        Seed a window at each occupied cell of a grid of side ``bandwidth`` (see
        :func:`bin_seeds`) instead of at every point.
    min_bin_freq : int
    cluster_all : bool
        Whether a point farther than ``bandwidth`` from every mode still joins the
        nearest (else it is noise, -1).
    seed : int
        Of the sample that estimates the bandwidth.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(centers=True, noise=True, assigns_any_point=False)

    kernel: Kernel
    bandwidth: float | Literal["auto"]
    quantile: float
    bandwidth_samples: int | None
    bin_seeding: bool
    min_bin_freq: int
    cluster_all: bool
    seed: int

    def window_radius(self, X: FloatArray) -> float:
        """The bandwidth in the fitting space of ``X``: the given one, or the estimate."""
        if self.bandwidth != "auto":
            return self.bandwidth
        estimate = estimate_bandwidth(X, self.quantile, self.bandwidth_samples, self.seed)
        if not estimate > 0:
            used = X.shape[0] if self.bandwidth_samples is None else min(self.bandwidth_samples, X.shape[0])
            neighbours = max(int(used * self.quantile), 1)
            reason = (
                f"quantile {self.quantile:g} of {used:,} points counts each point alone, at distance 0"
                if neighbours == 1
                else f"the {neighbours:,} nearest of {used:,} points are, for every point, at its own place"
            )
            raise OptionError("bandwidth", f"auto estimates 0 ({reason}); raise quantile or give a bandwidth")
        return estimate

    def record(self, X: FloatArray, max_iter: int) -> Recording:
        """Every round of the windows, and the points' clusters as their windows settle.

        At state t < T a point is in the cluster its window joins once that window has
        stopped (else -1): its window is the one that starts at the point, or with bin
        seeding at its nearest seed. At the last state every point joins its nearest mode
        (with ``cluster_all`` false, only within ``bandwidth``).
        """
        bandwidth = self.window_radius(X)
        if self.bin_seeding:
            seeds = bin_seeds(X, bandwidth, self.min_bin_freq)
            if seeds.shape[0] == 0:
                raise OptionError(
                    "min_bin_freq",
                    f"no cell of side {bandwidth:.6g} (the bandwidth) holds {self.min_bin_freq:,} points;"
                    " lower min_bin_freq",
                )
            owners = nearest_seeds(X, seeds)
        else:
            seeds, owners = X, np.arange(X.shape[0])
        path = climb(X, seeds, bandwidth, self.kernel, max_iter)
        if not (path.weights > 0).any():
            raise OptionError(
                "bandwidth",
                f"no point lies within {bandwidth:.6g} of any seed; raise bandwidth or set"
                " bin_seeding: false",
            )
        modes = merge_modes(path.windows[-1], path.weights, bandwidth)
        n_clusters = modes.centers.shape[0]
        if n_clusters > MAX_MODES:
            raise OptionError(
                "bandwidth",
                f"{bandwidth:.6g} leaves {n_clusters:,} modes, more than the {MAX_MODES:,} clusters a"
                " trace may hold; raise it",
            )
        n_states = path.windows.shape[0]
        settled = path.stopped[owners][None, :] <= np.arange(n_states)[:, None]
        labels = np.where(settled, modes.window_labels[owners][None, :], -1)
        labels[-1] = nearest_modes(X, modes.centers, bandwidth, self.cluster_all)
        return Recording(
            labels=labels,
            centers=path.windows[:, modes.representatives],
            objective=np.full(n_states, np.nan),
            converged=path.converged,
            extras={
                "windows": path.windows,
                "window_labels": modes.window_labels,
                "window_radius": np.full(X.shape[1], bandwidth),
            },
        )


#: Largest bandwidth: its square, and sums of squared distances within it, stay finite
#: (as the largest coordinate a trace may hold).
MAX_BANDWIDTH = 1e100


class MeanShiftOptions(DirectOptions):
    """Mean-shift: windows climb to the modes of the density; the number of clusters is
    the number of modes they find."""

    summary = "mean-shift: kernel windows climb to the density's modes (flat or Gaussian kernel)"
    display_name = "mean-shift"
    captions: ClassVar[dict[str, str]] = {
        "init": "Start: a window on {init}; the windows will find k = {k} modes",
        "first": "No point has a cluster yet: each takes the colour of its window's mode when the"
        " window stops",
        "assign": "Windows that stopped give their points their mode's colour (points changed: {changed})",
        "update": "Each window moves to the mean of the points it holds (weighted by the kernel)",
        "iteration": "Round {iteration}: each window moved to the mean of the points it holds"
        " (points changed: {changed})",
        "converged": "Converged after {n_iter} rounds: every window has stopped, and each point joins"
        " the nearest of the k = {k} modes",
        "stopped": "Stopped after {n_iter} rounds, the limit, before every window stopped; each point"
        " joins the nearest mode",
    }
    capabilities = MeanShift.capabilities
    layers: ClassVar[tuple[str, ...]] = ("points", "windows", "centroids", "title")
    unused: ClassVar[dict[str, str]] = {
        "k": "it finds the number of clusters itself (the bandwidth decides it)",
        "tol": "a window stops once it moves by at most 1e-3 x bandwidth",
    }

    name: Literal["mean_shift"] = "mean_shift"
    kernel: Kernel = Field(
        "flat",
        description="flat: each window moves to the mean of the points within bandwidth (scikit-learn's"
        " MeanShift); gaussian: to the mean of all points weighted by exp(-d^2 / (2 bandwidth^2)).",
    )
    bandwidth: Annotated[float, Field(gt=0, le=MAX_BANDWIDTH)] | Literal["auto"] = Field(
        "auto",
        description="The windows' radius (the Gaussian's standard deviation), in the fitting space; auto:"
        " scikit-learn's estimate_bandwidth, the mean distance of each point to its quantile x n nearest"
        " (takes time n^2).",
    )
    quantile: float | None = Field(
        None,
        gt=0,
        le=1,
        description="With bandwidth: auto, the share of the points within the estimated bandwidth; by"
        " default 0.3.",
    )
    bandwidth_samples: int | None = Field(
        None,
        ge=1,
        description="With bandwidth: auto, estimate it on this many points drawn with the seed (as"
        " scikit-learn's n_samples with random_state = seed); by default all points.",
    )
    bin_seeding: bool = Field(
        False,
        description="Start a window at the centre of each cell of a grid of side bandwidth that holds"
        " points, instead of at every point: far fewer windows.",
    )
    min_bin_freq: int | None = Field(
        None,
        ge=1,
        description="With bin_seeding, only cells holding at least this many points start a window; by"
        " default 1.",
    )
    cluster_all: bool = Field(
        True,
        description="Every point joins its nearest mode; false: a point farther than bandwidth from every"
        " mode is noise.",
    )
    seed: int | None = Field(
        None,
        ge=0,
        description="Seed of the sample that estimates the bandwidth (bandwidth_samples); defaults to the"
        " scenario's top-level seed.",
    )
    max_iter: int = Field(
        300,
        ge=1,
        description="Most moves of a window (scikit-learn's max_iter m allows m + 1); the trace has one"
        " state per round of moves.",
    )

    @model_validator(mode="after")
    def _check_dependent(self) -> MeanShiftOptions:
        if self.bandwidth != "auto":
            for key in ("quantile", "bandwidth_samples"):
                if getattr(self, key) is not None:
                    raise OptionError(key, "is only used with bandwidth: auto")
        if self.min_bin_freq is not None and not self.bin_seeding:
            raise OptionError("min_bin_freq", "is only used with bin_seeding: true")
        return self

    def start_description(self) -> str:
        return (
            "the centre of each occupied cell of a grid of side bandwidth"
            if self.bin_seeding
            else "every point"
        )

    def recorder(self, seed: int) -> MeanShift:
        return MeanShift(
            kernel=self.kernel,
            bandwidth=self.bandwidth,
            quantile=0.3 if self.quantile is None else self.quantile,
            bandwidth_samples=self.bandwidth_samples,
            bin_seeding=self.bin_seeding,
            min_bin_freq=1 if self.min_bin_freq is None else self.min_bin_freq,
            cluster_all=self.cluster_all,
            seed=seed,
        )
