"""Files of the bad-input corpus that cannot live in git (FIFOs, devices, symlinks to
devices, files of gigabytes): made in the test's copy of the corpus before it runs.

``SPECIAL`` maps a case name (a line of ``expected.tsv``) to a function that creates
what the case needs inside the corpus folder it is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

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
}
