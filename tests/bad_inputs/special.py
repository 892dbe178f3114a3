"""Files of the bad-input corpus that cannot live in git (FIFOs, devices, symlinks to
devices, files of gigabytes): made in the test's copy of the corpus before it runs.

``SPECIAL`` maps a case name (a line of ``expected.tsv``) to a function that creates
what the case needs inside the corpus folder it is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def _large_scenario(folder: Path) -> None:
    (folder / "large_scenario.yaml").write_text("seed: 1\n" + "# padding\n" * 210_000)


def _data_fifo(folder: Path) -> None:
    os.mkfifo(folder / "data" / "fifo.csv")


def _data_dev_zero(folder: Path) -> None:
    (folder / "data" / "zero.csv").symlink_to("/dev/zero")


def _csv_too_many_rows(folder: Path) -> None:
    (folder / "data" / "many_rows.csv").write_bytes(b"x,y\n" + b"1,2\n" * 1_000_000)


def _csv_no_newline(folder: Path) -> None:
    (folder / "data" / "one_line.csv").write_bytes(b"1," * 4_000_000)


def _csv_huge_field(folder: Path) -> None:
    (folder / "data" / "huge_field.csv").write_text('x,y\n1,"' + "a" * 200_000 + '"\n')


def _npy_too_many_rows(folder: Path) -> None:
    np.save(folder / "data" / "rows_2000.npy", np.zeros((2000, 2)))


def _scenario_fifo(folder: Path) -> None:
    os.mkfifo(folder / "scenario_fifo.yaml")


def _scenario_dev_zero(folder: Path) -> None:
    (folder / "scenario_dev_zero.yaml").symlink_to("/dev/zero")


def _many_keys(folder: Path) -> None:
    (folder / "many_keys.yaml").write_text("style:\n" + "".join(f" k{index}: 1\n" for index in range(90_000)))


def _output_device(folder: Path) -> None:
    # A link to the device rather than the device itself: a regression would then replace
    # the link, not /dev/null.
    (folder / "null_link.gif").symlink_to("/dev/null")


def _output_fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.gif")


def _points() -> np.ndarray:
    """The points of data/trace_points.csv, as the scenario reads them."""
    return np.loadtxt(Path(__file__).parent / "data" / "trace_points.csv", delimiter=",", skiprows=1)


def _trace_arrays(**changes: Any) -> dict[str, Any]:
    """A good k-means trace of data/trace_points.csv (two states, three clusters), changed."""
    X = _points()
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2], dtype=np.int8)
    centers = np.array([[[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]], [[0.03, 0.03], [5.03, 5.03], [12.5, 5.0]]])
    arrays: dict[str, Any] = {
        "format_version": np.asarray(1),
        "algorithm": np.asarray("kmeans"),
        "display_name": np.asarray("k-means"),
        "X": X,
        "labels": np.stack([labels, labels]),
        "centers": centers,
        "objective": np.array([200.0, 150.0]),
        "objective_name": np.asarray("inertia"),
        "n_iter": np.asarray(1),
        "converged": np.asarray(True),
    }
    arrays.update(changes)
    return {name: value for name, value in arrays.items() if value is not None}


def _trace(name: str, **changes: Any) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        np.savez(folder / "data" / f"{name}.npz", **_trace_arrays(**changes))

    return make


def _trace_nan() -> dict[str, Any]:
    centers = _trace_arrays()["centers"].copy()
    centers[1, 2, 0] = np.nan
    return {"centers": centers}


def _trace_not_npz(folder: Path) -> None:
    (folder / "data" / "trace_not_npz.npz").write_text("X,labels\n1,2\n")


SPECIAL: dict[str, Callable[[Path], None]] = {
    "scenario_fifo": _scenario_fifo,
    "scenario_dev_zero": _scenario_dev_zero,
    "many_keys": _many_keys,
    "output_device": _output_device,
    "output_fifo": _output_fifo,
    "large_scenario": _large_scenario,
    "data_fifo": _data_fifo,
    "data_dev_zero": _data_dev_zero,
    "csv_too_many_rows": _csv_too_many_rows,
    "csv_no_newline": _csv_no_newline,
    "csv_huge_field": _csv_huge_field,
    "npy_too_many_rows": _npy_too_many_rows,
    "trace_nan": _trace("trace_nan", **_trace_nan()),
    "trace_shape": _trace("trace_shape", labels=np.zeros((2, 7), dtype=np.int8)),
    "trace_version": _trace("trace_version", format_version=np.asarray(7)),
    "trace_pickle": _trace("trace_pickle", labels=np.array([[0, "a"]], dtype=object)),
    "trace_not_npz": _trace_not_npz,
    "trace_label_range": _trace("trace_label_range", labels=np.full((2, 10), 5, dtype=np.int8)),
    "trace_unknown_array": _trace("trace_unknown_array", lables=np.zeros(3)),
    "trace_points_differ": _trace("trace_points_differ", X=_points() + 1.0),
    "trace_is_output": _trace("trace_is_output"),
    "trace_needs_centers": _trace(
        "trace_needs_centers",
        algorithm=np.asarray("custom"),
        display_name=np.asarray("my method"),
        centers=None,
        objective=None,
        objective_name=None,
    ),
    "trace_other_algorithm": _trace(
        "trace_other_algorithm",
        algorithm=np.asarray("gmm"),
        weights=np.full((2, 3), 1 / 3),
        covariances=np.tile(np.eye(2), (2, 3, 1, 1)),
    ),
    "trace_gmm_no_covariances": _trace("trace_gmm_no_covariances", algorithm=np.asarray("gmm")),
    "trace_gmm_not_definite": _trace(
        "trace_gmm_not_definite",
        algorithm=np.asarray("gmm"),
        weights=np.full((2, 3), 1 / 3),
        covariances=np.tile(np.array([[1.0, 2.0], [2.0, 1.0]]), (2, 3, 1, 1)),
    ),
    "trace_title_objective": _trace(
        "trace_title_objective",
        algorithm=np.asarray("custom"),
        display_name=np.asarray("my method"),
        objective=None,
        objective_name=None,
    ),
    "trace_name_control": _trace(
        "trace_name_control", algorithm=np.asarray("custom"), display_name=np.asarray("my\x07method")
    ),
}
