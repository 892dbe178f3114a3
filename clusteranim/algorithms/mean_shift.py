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
them one by one). Windows at the same place are moved once. The flat kernel finds each
window's points on a grid of cells of side ``bandwidth`` in up to three dimensions (only
the 3^d cells around a window can hold its points), else block by block over all points;
the Gaussian kernel weighs every point, block by block: a round takes time O(s n d) for
s windows and n points.
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
#: Most dimensions in which the flat kernel looks for points on a grid: 3^d cells per window.
MAX_GRID_DIMENSIONS = 3
#: Most cells the grid may span (a tiny bandwidth over a wide range falls back to blocks).
MAX_GRID_CELLS = 1 << 40
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
class CellGrid:
    """The points sorted by the cell of side ``size`` that holds each, to find the points
    near a window among those of the 3^d cells around its own.

    Parameters
    ----------
    points : ndarray of shape (n, d)
        In order of their cell's key.
    keys : ndarray of shape (n,)
        The key of each point's cell, ascending.
    origin : ndarray of shape (d,)
        The corner of cell 0.
    size : float
    extents : tuple of int
        Cells along each axis, one empty cell of margin on each side of the points'.
    offsets : ndarray of shape (3^d,)
        Key differences to the cells around a cell, ascending (as are the keys).
    """

    points: FloatArray
    keys: IntArray
    origin: FloatArray
    size: float
    extents: tuple[int, ...]
    offsets: IntArray

    @classmethod
    def of(cls, X: FloatArray, size: float) -> CellGrid | None:
        """The grid of ``X``, or None when it would span too many cells (a tiny ``size``
        over a wide range) or the data has more than :data:`MAX_GRID_DIMENSIONS` columns."""
        n_features = X.shape[1]
        if n_features > MAX_GRID_DIMENSIONS:
            return None
        origin = X.min(axis=0) - size
        with np.errstate(over="ignore"):
            span = np.floor((X.max(axis=0) - origin) / size) + 2
        if not np.all(np.isfinite(span)) or float(np.prod(span)) > MAX_GRID_CELLS:
            return None
        extents = tuple(int(extent) for extent in span)
        cells = np.floor((X - origin) / size).astype(np.int64)
        keys = np.ravel_multi_index(tuple(cells.T), extents)
        order = np.argsort(keys, kind="stable")
        offsets = np.ravel_multi_index(
            tuple(np.array(list(itertools.product((0, 1, 2), repeat=n_features))).T), extents
        ) - np.ravel_multi_index((1,) * n_features, extents)
        return cls(X[order], keys[order], origin, size, extents, np.asarray(offsets, dtype=np.int64))

    def ranges(self, windows: FloatArray) -> tuple[IntArray, IntArray]:
        """Where the points of the 3^d cells around each window's cell start and end in
        ``points``: two arrays of shape (m, 3^d), in ascending order along each row.

        Every point within ``size`` of a window lies in one of these ranges.
        """
        cells = np.floor((windows - self.origin) / self.size)
        # A window at the grid's margin or beyond has fewer cells around it: those are
        # found one by one; the others by their key offsets.
        inside = np.all((cells >= 1) & (cells <= np.array(self.extents) - 2), axis=1)
        starts = np.zeros((windows.shape[0], self.offsets.size), dtype=np.int64)
        ends = np.zeros_like(starts)
        if inside.any():
            keys = np.ravel_multi_index(tuple(cells[inside].astype(np.int64).T), self.extents)
            around = keys[:, None] + self.offsets[None, :]
            starts[inside] = np.searchsorted(self.keys, around, side="left")
            ends[inside] = np.searchsorted(self.keys, around, side="right")
        outside = np.flatnonzero(~inside)
        if outside.size:
            starts[outside], ends[outside] = self._clipped(cells[outside])
        return starts, ends

    def _clipped(self, cells: FloatArray) -> tuple[IntArray, IntArray]:
        """Start and end positions of the cells around cells at or beyond the margin."""
        steps = np.array(list(itertools.product((-1, 0, 1), repeat=cells.shape[1])))
        around = cells[:, None, :] + steps[None, :, :]
        upper = np.array(self.extents) - 1
        valid = np.all((around >= 0) & (around <= upper), axis=2)
        clipped = np.clip(around, 0, upper).astype(np.int64)
        keys = np.ravel_multi_index(tuple(np.moveaxis(clipped, 2, 0)), self.extents)
        starts = np.searchsorted(self.keys, keys, side="left")
        ends = np.where(valid, np.searchsorted(self.keys, keys, side="right"), starts)
        return starts, ends


def flat_sums(
    X: FloatArray, grid: CellGrid | None, windows: FloatArray, bandwidth: float
) -> tuple[FloatArray, FloatArray]:
    """Sum and number of the points within ``bandwidth`` of each window (distance at most
    ``bandwidth``, as scikit-learn's radius search counts them).

    Returns
    -------
    sums : ndarray of shape (m, d)
    counts : ndarray of shape (m,)
    """
    limit = bandwidth * bandwidth
    n_windows, n_features = windows.shape
    if grid is None:

        def block(rows: slice) -> FloatArray:
            inside = (squared_distances(windows[rows], X) <= limit).astype(np.float64)
            result: FloatArray = np.hstack([inside @ X, inside.sum(axis=1)[:, None]])
            return result

        both = (
            np.concatenate(_by_blocks(n_windows, X.shape[0], block))
            if n_windows
            else np.zeros((0, n_features + 1))
        )
        return both[:, :n_features], both[:, n_features]
    sums = np.zeros((n_windows, n_features))
    counts = np.zeros(n_windows)
    starts, ends = grid.ranges(windows)
    lengths = ends - starts
    # Blocks of consecutive windows with about BLOCK_ENTRIES candidate points in all.
    reach = np.cumsum(lengths.sum(axis=1))
    bounds = np.searchsorted(
        reach, np.arange(BLOCK_ENTRIES, int(reach[-1]) if n_windows else 0, BLOCK_ENTRIES)
    )
    for chunk in np.split(np.arange(n_windows), np.unique(bounds)):
        if not chunk.size:
            continue
        chunk_lengths = lengths[chunk].ravel()
        window_of = np.repeat(np.arange(chunk.size).repeat(lengths.shape[1]), chunk_lengths)
        before = np.cumsum(chunk_lengths) - chunk_lengths
        positions = np.arange(int(chunk_lengths.sum())) + np.repeat(
            starts[chunk].ravel() - before, chunk_lengths
        )
        points = grid.points[positions]
        gaps = points - windows[chunk][window_of]
        squared = gaps[:, 0] * gaps[:, 0]
        for column in range(1, n_features):
            squared += gaps[:, column] * gaps[:, column]
        inside = squared <= limit
        held = window_of[inside]
        counts[chunk] = np.bincount(held, minlength=chunk.size)
        for column in range(n_features):
            sums[chunk, column] = np.bincount(held, weights=points[inside, column], minlength=chunk.size)
    return sums, counts


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
    grid = CellGrid.of(X, bandwidth) if kernel == "flat" else None
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
            sums, totals = flat_sums(X, grid, places, bandwidth)
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
            raise OptionError(
                "bandwidth",
                f"auto estimates 0 (the {max(int(X.shape[0] * self.quantile), 1):,} nearest points"
                " of every point are at its own place); raise quantile or give a bandwidth",
            )
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
    unused: ClassVar[tuple[str, ...]] = ("k", "tol")
    unused_reason: ClassVar[str] = (
        ", which finds the clusters itself and stops a window once it moves by at most 1e-3 x bandwidth"
    )

    name: Literal["mean_shift"] = "mean_shift"
    kernel: Kernel = Field(
        "flat",
        description="flat: each window moves to the mean of the points within bandwidth (scikit-learn's"
        " MeanShift); gaussian: to the mean of all points weighted by exp(-d^2 / (2 bandwidth^2)).",
    )
    bandwidth: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
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
