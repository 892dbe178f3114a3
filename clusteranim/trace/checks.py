"""The arrays a trace is made of, read from an archive and checked against each other
before a trace is built.

Shapes must agree, numbers be finite, labels name existing clusters. A problem is an
:class:`OptionError` at the array's name, so that the command line reports
``t.npz: labels: ...`` on one line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clusteranim.algorithms import ALGORITHMS
from clusteranim.algorithms.base import AlgorithmProfile, Capabilities
from clusteranim.algorithms.scaling import Scaling
from clusteranim.arrays import FloatArray
from clusteranim.errors import did_you_mean
from clusteranim.npyfile import ArrayFileError, ArrayKind, read_npz
from clusteranim.options import OptionError

#: Label of a point that belongs to no cluster.
NOISE = -1

#: The version of the archive layout this code writes and reads.
FORMAT_VERSION = 1
#: Name of a trace made by an algorithm clusteranim does not know.
CUSTOM = "custom"
#: Most states a trace may hold, and most cluster identities.
MAX_STATES = 100_000
MAX_CLUSTERS = 1_000
#: Largest magnitude of any number in a trace (as of a data coordinate): squares and
#: sums of squares stay far from overflow.
MAX_MAGNITUDE = 1e100
#: The arrays in data coordinates (covariances and objectives hold their squares).
COORDINATES = ("X", "centers", "fit_offset", "windows", "window_radius", "eps_radius")
#: Most bytes of arrays an archive may hold once decompressed.
MAX_ARCHIVE_BYTES = 4 << 30

#: Each array of the archive: allowed dtype kinds, number of dimensions, in words.
ARRAYS: dict[str, tuple[str, int, str]] = {
    "format_version": ("iu", 0, "an integer"),
    "algorithm": ("U", 0, "a string"),
    "display_name": ("U", 0, "a string"),
    "objective_name": ("U", 0, "a string"),
    "X": ("iuf", 2, "an array of numbers of shape (n, d)"),
    "labels": ("iu", 2, "an array of integers of shape (T + 1, n)"),
    "centers": ("iuf", 3, "an array of numbers of shape (T + 1, k, d)"),
    "weights": ("iuf", 2, "an array of numbers of shape (T + 1, k)"),
    "covariances": ("iuf", 4, "an array of numbers of shape (T + 1, k, d, d)"),
    "memberships": ("iuf", 3, "an array of numbers of shape (T + 1, n, k)"),
    "objective": ("iuf", 1, "an array of numbers of shape (T + 1,)"),
    "active": ("b", 2, "an array of true/false of shape (T + 1, k)"),
    "merges": ("iu", 2, "an array of integers of shape (m, 4)"),
    "n_iter": ("iu", 0, "an integer"),
    "converged": ("b", 0, "true or false"),
    "fit_offset": ("iuf", 1, "an array of numbers of shape (d,)"),
    "fit_scale": ("iuf", 1, "an array of numbers of shape (d,)"),
}


@dataclass(frozen=True)
class Extra:
    """An array of one algorithm's traces, beyond those every trace may hold.

    Parameters
    ----------
    kinds : str
        Allowed dtype kinds.
    shape : tuple of str or int
        Its axes: ``"T"`` the number of states, ``"n"`` of points, ``"n-1"`` one less,
        ``"d"`` of coordinates, ``"s"`` a number of its own (shared by the extras that
        name it), or a fixed length.
    role : str
        ``"points"``: coordinates along the last axis, mapped from the fitting space to
        the data's like centres; ``"radius"``: a length per coordinate, multiplied by the
        scaling's scale; ``"plain"``: kept as it is.
    words : str
        What it holds, for messages.
    """

    kinds: str
    shape: tuple[str | int, ...]
    role: str
    words: str


#: The algorithms' own arrays, by name (see each algorithm's README section).
EXTRAS: dict[str, Extra] = {
    "windows": Extra("iuf", ("T", "s", "d"), "points", "mean-shift windows' centres at each state"),
    "window_labels": Extra("iu", ("s",), "plain", "each window's cluster (-1: none)"),
    "window_radius": Extra("iuf", ("d",), "radius", "the windows' radius along each coordinate"),
    "core": Extra("b", ("n",), "plain", "which points are core points"),
    "eps_radius": Extra("iuf", ("d",), "radius", "DBSCAN's eps along each coordinate"),
    "linkage": Extra("iuf", ("n-1", 4), "plain", "the merge tree, as scipy's linkage matrix"),
    "merged": Extra("iu", ("T",), "plain", "the merges done by each state (rows of linkage)"),
}
_SYMBOLS = {"T": "T + 1", "n": "n", "n-1": "n - 1", "d": "d", "s": "s"}


def _extra_words(extra: Extra) -> str:
    axes = ", ".join(_SYMBOLS.get(str(axis), str(axis)) for axis in extra.shape)
    values = "true/false" if extra.kinds == "b" else "numbers"
    return f"an array of {values} of shape ({axes}{',' if len(extra.shape) == 1 else ''})"


ARRAYS.update({name: (extra.kinds, len(extra.shape), _extra_words(extra)) for name, extra in EXTRAS.items()})


@dataclass(frozen=True, eq=False)
class TraceArrays:
    """The checked arrays of a trace, and the profile of the algorithm behind them.

    :meth:`Trace.from_checked` builds the trace.

    Parameters
    ----------
    arrays : mapping of str to ndarray
        As the archive names them (see ``ARRAYS``).
    profile : AlgorithmProfile
        For a registered algorithm, its own; else what the arrays hold.
    source : str, optional
        The file they were read from, as the user named it.
    """

    arrays: Mapping[str, np.ndarray]
    profile: AlgorithmProfile
    source: str | None = None

    @property
    def n_states(self) -> int:
        return int(self.arrays["labels"].shape[0])

    @property
    def X(self) -> FloatArray:  # noqa: N802  (X, as in scikit-learn)
        return np.asarray(self.arrays["X"], dtype=np.float64)

    def scaling(self) -> Scaling:
        """The map to the fitting space the trace was recorded in (identity if none)."""
        if "fit_offset" not in self.arrays:
            return Scaling.identity(self.X.shape[1])
        return Scaling(
            np.asarray(self.arrays["fit_offset"], np.float64),
            np.asarray(self.arrays["fit_scale"], np.float64),
        )


def check_arrays(given: Mapping[str, Any], *, from_file: bool, max_points: int | None = None) -> TraceArrays:
    """Check the arrays of a trace against each other and build its profile.

    Parameters
    ----------
    given : mapping of str to array-like
        Arrays named as in the archive; ``X`` and ``labels`` are required.
    from_file : bool
        Whether they come from an archive: ``format_version`` is then required, and
        centres must be finite (an archive marks absent clusters with ``active``). Built
        from arrays, a row of NaN centres marks a cluster absent at that state.
    max_points : int, optional
        Most points (``limits.max_points``).

    Raises
    ------
    OptionError
        At the name of the first array found wrong.
    """
    arrays = {name: np.asarray(value) for name, value in given.items() if value is not None}
    for name, value in arrays.items():
        if name not in ARRAYS:
            raise OptionError(name, f"is not an array of a trace{did_you_mean(name, ARRAYS)}")
        kinds, ndim, words = ARRAYS[name]
        if value.dtype.kind not in kinds or value.ndim != ndim:
            raise OptionError(name, f"must be {words}, got {value.dtype} of shape {value.shape}")
        if value.dtype.kind in "fc":
            numbers = value[~np.isnan(value)] if name == "centers" and not from_file else value
            if not np.isfinite(numbers).all():
                where = "" if from_file else " (only centers may hold rows of NaN, for absent clusters)"
                raise OptionError(name, f"holds NaN or infinite values{where}")
            largest = float(np.abs(numbers).max(initial=0.0))
            if name in COORDINATES and largest > MAX_MAGNITUDE:
                raise OptionError(
                    name, f"holds values as large as {largest:.3g}; at most {MAX_MAGNITUDE:.0e}"
                )
    if from_file:
        if "format_version" not in arrays:
            raise OptionError("format_version", "is missing: not a trace written by clusteranim trace")
        version = int(arrays["format_version"])
        if version != FORMAT_VERSION:
            raise OptionError(
                "format_version", f"is {version}; this clusteranim reads version {FORMAT_VERSION}"
            )
    for required in ("X", "labels"):
        if required not in arrays:
            raise OptionError(required, "is required")
    X, labels = arrays["X"], arrays["labels"]
    n, d = X.shape
    n_states = labels.shape[0]
    if n == 0 or d == 0:
        raise OptionError(
            "X", f"must hold at least one point of at least one coordinate, got shape {X.shape}"
        )
    if max_points is not None and n > max_points:
        raise OptionError("X", f"{n:,} points exceed limits.max_points ({max_points:,})")
    if n_states == 0 or n_states > MAX_STATES or labels.shape[1] != n:
        raise OptionError(
            "labels", f"must have shape (T + 1, {n}) with 1 <= T + 1 <= {MAX_STATES:,}, got {labels.shape}"
        )
    n_clusters = _n_clusters(arrays)
    if not 1 <= n_clusters <= MAX_CLUSTERS:
        raise OptionError("labels", f"names {n_clusters} clusters; a trace has 1 to {MAX_CLUSTERS:,}")
    _check_shapes(arrays, n_states, n, n_clusters, d)
    if "centers" in arrays and not from_file:
        centers = arrays["centers"]
        missing = np.isnan(centers)
        if (missing.any(axis=2) != missing.all(axis=2)).any():
            raise OptionError("centers", "a centre is either all numbers or all NaN (an absent cluster)")
        if "active" not in arrays and missing.any():
            arrays["active"] = ~missing.all(axis=2)
    if "active" not in arrays and "centers" not in arrays and str(arrays.get("algorithm", CUSTOM)) == CUSTOM:
        # Without centres, a cluster exists at a state when it holds a point.
        present = np.zeros((n_states, n_clusters), dtype=bool)
        for state, row in enumerate(labels):
            present[state, row[row >= 0]] = True
        if not present.all():
            arrays["active"] = present
    _check_labels(arrays, n_clusters)
    _check_values(arrays, (n_states, n, d), n_clusters)
    return TraceArrays(arrays, _profile(arrays, n_clusters))


def _n_clusters(arrays: Mapping[str, np.ndarray]) -> int:
    for name, axis in (("centers", 1), ("weights", 1), ("covariances", 1), ("memberships", 2), ("active", 1)):
        if name in arrays:
            return int(arrays[name].shape[axis])
    return max(int(arrays["labels"].max(initial=NOISE)) + 1, 1)


def _check_shapes(arrays: Mapping[str, np.ndarray], n_states: int, n: int, n_clusters: int, d: int) -> None:
    expected = {
        "centers": (n_states, n_clusters, d),
        "weights": (n_states, n_clusters),
        "covariances": (n_states, n_clusters, d, d),
        "memberships": (n_states, n, n_clusters),
        "objective": (n_states,),
        "active": (n_states, n_clusters),
        "fit_offset": (d,),
        "fit_scale": (d,),
    }
    for name, shape in expected.items():
        if name in arrays and arrays[name].shape != shape:
            raise OptionError(
                name,
                f"must have shape {shape} (T + 1 = {n_states}, n = {n}, k = {n_clusters},"
                f" d = {d}), got {arrays[name].shape}",
            )
    if "merges" in arrays and arrays["merges"].shape[1:] != (4,):
        raise OptionError("merges", f"must have shape (m, 4), got {arrays['merges'].shape}")
    if ("fit_offset" in arrays) != ("fit_scale" in arrays):
        raise OptionError("fit_scale", "fit_offset and fit_scale go together")


def _check_labels(arrays: Mapping[str, np.ndarray], n_clusters: int) -> None:
    labels = arrays["labels"]
    low, high = int(labels.min()), int(labels.max())
    if low < NOISE or high >= n_clusters:
        value = low if low < NOISE else high
        state = int(np.argwhere(labels == value)[0, 0])
        point = int(np.argwhere(labels[state] == value)[0, 0])
        raise OptionError(
            "labels",
            f"state {state} gives point {point} the label {value}; labels are -1 (noise) to {n_clusters - 1}",
        )
    active = arrays.get("active")
    if active is not None:
        for state, row in enumerate(labels):
            members = row[row >= 0]
            absent = members[~active[state][members]]
            if absent.size:
                raise OptionError(
                    "labels",
                    f"state {state} puts points in cluster {int(absent[0])}, which does not exist"
                    " then (active)",
                )


def _check_values(arrays: Mapping[str, np.ndarray], sizes: tuple[int, int, int], n_clusters: int) -> None:
    n_states = sizes[0]
    _check_extras(arrays, sizes, n_clusters)
    if "weights" in arrays:
        weights = arrays["weights"]
        if (weights < 0).any():
            raise OptionError("weights", "must not be negative")
        if not np.allclose(weights.sum(axis=1), 1.0, rtol=0, atol=1e-6):
            raise OptionError("weights", "each state's must sum to 1")
    if "covariances" in arrays:
        covariances = arrays["covariances"]
        if not np.allclose(covariances, covariances.swapaxes(-1, -2), rtol=1e-6, atol=0):
            raise OptionError("covariances", "must be symmetric matrices")
    if "memberships" in arrays:
        memberships = arrays["memberships"]
        if (memberships < 0).any() or (memberships.sum(axis=2) > 1 + 1e-6).any():
            raise OptionError("memberships", "must be non-negative, each point's summing to at most 1")
    if "fit_scale" in arrays and not (arrays["fit_scale"] >= 1 / MAX_MAGNITUDE).all():
        raise OptionError("fit_scale", f"must be at least {1 / MAX_MAGNITUDE:.0e}")
    if "n_iter" in arrays and int(arrays["n_iter"]) != n_states - 1:
        raise OptionError("n_iter", f"must be the number of states less one ({n_states - 1})")
    merges = arrays.get("merges")
    if merges is not None and merges.size:
        states, clusters = merges[:, 0], merges[:, 1:]
        if (
            (states < 1).any()
            or (states >= n_states).any()
            or (clusters < 0).any()
            or (clusters >= n_clusters).any()
        ):
            raise OptionError(
                "merges",
                f"rows are (state 1 to {n_states - 1}, a, b, into) with clusters 0 to {n_clusters - 1}",
            )
        active = arrays.get("active")
        for state, a, b, into in merges.tolist():
            before = np.ones(n_clusters, bool) if active is None else active[state - 1]
            after = np.ones(n_clusters, bool) if active is None else active[state]
            if a == b or not (before[a] and before[b]) or not after[into]:
                raise OptionError(
                    "merges",
                    f"({state}, {a}, {b}, {into}): two clusters that exist at state {state - 1}"
                    f" merge into one that exists at state {state}",
                )


def _check_extras(arrays: Mapping[str, np.ndarray], sizes: tuple[int, int, int], n_clusters: int) -> None:
    n_states, n, d = sizes
    lengths: dict[str | int, int] = {"T": n_states, "n": n, "n-1": n - 1, "d": d}
    for name, extra in EXTRAS.items():
        if name not in arrays:
            continue
        shape = arrays[name].shape
        for axis, length in zip(extra.shape, shape, strict=True):
            expected = lengths.setdefault(axis, length) if isinstance(axis, str) else axis
            if length != expected:
                given = {str(symbol): size for symbol, size in lengths.items() if symbol != "n-1"}
                raise OptionError(
                    name,
                    f"must have shape {ARRAYS[name][2].split('shape ')[1]} ("
                    + ", ".join(f"{_SYMBOLS[symbol]} = {size}" for symbol, size in given.items())
                    + f"), got {shape}",
                )
    if "window_labels" in arrays:
        labels = arrays["window_labels"]
        if labels.size and (labels.min() < NOISE or labels.max() >= n_clusters):
            raise OptionError("window_labels", f"are -1 (no cluster) to {n_clusters - 1}")
    for name in ("window_radius", "eps_radius"):
        if name in arrays and not (arrays[name] > 0).all():
            raise OptionError(name, "must be positive")
    if "linkage" in arrays:
        linkage = arrays["linkage"]
        ids, heights, sizes_ = linkage[:, :2], linkage[:, 2], linkage[:, 3]
        if (
            (ids < 0).any()
            or (ids >= n + np.arange(n - 1)[:, None]).any()
            or (heights < 0).any()
            or (sizes_ < 2).any()
            or (sizes_ > n).any()
        ):
            raise OptionError(
                "linkage",
                "rows are (cluster a, cluster b, height >= 0, size 2 to n), row i merging clusters"
                " made before it (ids below n + i)",
            )
    if "merged" in arrays:
        merged = arrays["merged"]
        if (merged < 0).any() or (merged > n - 1).any() or (np.diff(merged) < 0).any():
            raise OptionError("merged", f"must count merges from 0 to {n - 1}, never decreasing")


#: Longest name a trace may give its algorithm or objective (titles and captions show it).
MAX_NAME = 100


def _name(arrays: Mapping[str, np.ndarray], key: str, default: str) -> str:
    """A name the trace gives, as plain text: checked, and its dollar signs escaped so that
    matplotlib draws them rather than reading mathtext between them."""
    name = str(arrays.get(key, default))
    if len(name) > MAX_NAME:
        raise OptionError(key, f"is {len(name):,} characters long; at most {MAX_NAME}")
    if any(not character.isprintable() for character in name):
        raise OptionError(key, "holds a control character")
    return name.replace("\\$", "$").replace("$", "\\$")


def _profile(arrays: Mapping[str, np.ndarray], n_clusters: int) -> AlgorithmProfile:
    key = str(arrays.get("algorithm", CUSTOM))
    name = _name(arrays, "display_name", "")
    if key in ALGORITHMS:
        options = ALGORITHMS[key]
        capabilities = options.capabilities
        for needed, present in (
            ("centers", capabilities.centers),
            ("weights", capabilities.weights),
            ("covariances", capabilities.covariances),
            ("objective", capabilities.objective is not None),
        ):
            if present and needed not in arrays:
                raise OptionError(needed, f"is missing: a {key} trace holds it")
        return AlgorithmProfile(name or options.display_name, capabilities, n_clusters, key)
    if key != CUSTOM:
        raise OptionError(
            "algorithm",
            f"unknown algorithm {key!r}{did_you_mean(key, [*ALGORITHMS, CUSTOM])} (an algorithm"
            " registered in Python renders its traces from Python)",
        )
    active = arrays.get("active")
    capabilities = Capabilities(
        objective=_name(arrays, "objective_name", "objective") if "objective" in arrays else None,
        soft="memberships" in arrays,
        centers="centers" in arrays,
        weights="weights" in arrays,
        covariances="covariances" in arrays,
        varying_k=active is not None and not bool(active.all()),
        noise=bool((arrays["labels"] == NOISE).any()),
        merge_tree="merges" in arrays and len(arrays["merges"]) > 0,
        assigns_any_point="centers" in arrays,
        nearest_center="centers" in arrays,
    )
    return AlgorithmProfile(name or "clustering", capabilities, n_clusters)


def read_trace(path: Path, name: str, max_points: int) -> TraceArrays:
    """The checked arrays of the trace archive at ``path`` (``name``: as the user wrote it).

    Raises
    ------
    OptionError
        At the name of the offending array; ``path`` when the file cannot be read as an
        archive of plain arrays (a pickle, a zip bomb, not an .npz).
    """
    kinds = {key: ArrayKind(kinds, (ndim,), words) for key, (kinds, ndim, words) in ARRAYS.items()}
    try:
        arrays = read_npz(
            path,
            name,
            kinds,
            max_rows=max(max_points, MAX_STATES),
            max_row_bytes=MAX_ARCHIVE_BYTES,
            max_total_bytes=MAX_ARCHIVE_BYTES,
        )
    except ArrayFileError as error:
        # "NAME: message" or "NAME (array 'labels'): message": the array is the key.
        found = re.fullmatch(rf"{re.escape(name)}(?: \(array '([^']*)'\))?: (.*)", str(error), re.DOTALL)
        if found is None:  # "no such file: NAME"
            raise OptionError("", str(error).removesuffix(f": {name}")) from None
        raise OptionError(found.group(1) or "", found.group(2)) from None
    return dataclasses.replace(check_arrays(arrays, from_file=True, max_points=max_points), source=str(path))
