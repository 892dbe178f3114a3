"""Points read from a CSV file or a numpy ``.npy`` / ``.npz`` array.

No data file can exhaust the machine, whatever it holds: only a regular file is opened
(never a FIFO or a device); a CSV is streamed and refused at its first row beyond
``limits.max_points`` or longer than 1 MiB (:mod:`clusteranim.data.csv_table`); an
array's header (and, in an ``.npz``, each member's declared size) is checked against the
file and the limits before any of its data is read, and arrays of Python objects are
never unpickled (:mod:`clusteranim.data.numpy_table`, :mod:`clusteranim.npyfile`).
Messages name the file as the scenario wrote it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Literal

import numpy as np
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.data.csv_table import read_csv_table
from clusteranim.data.numpy_table import read_numpy_table
from clusteranim.data.table import Column, Table
from clusteranim.errors import did_you_mean
from clusteranim.npyfile import ArrayFileError, read_regular_file
from clusteranim.options import OptionError

NUMPY_SUFFIXES = {".npy", ".npz"}


class FileOptions(DataOptions):
    """A table of points: CSV (with or without a header) or a numpy array."""

    summary = "points from a CSV file or a .npy / .npz array"

    generator: Literal["file"] = "file"
    path: str = Field(description="The file; a relative path is relative to the scenario's folder.")
    delimiter: str | None = Field(
        None,
        description="CSV field separator; by default tab for .tsv/.tab, else guessed from"
        " the first line among comma, semicolon, tab and space.",
    )
    header: Literal["auto"] | bool = Field(
        "auto", description="Whether the first CSV row names the columns; auto: if it is not all numbers."
    )
    columns: list[Column] | None = Field(
        None,
        description="Columns to cluster, by name (CSV with a header) or 0-based index; by"
        " default every column but label_column.",
    )
    label_column: Column | None = Field(
        None,
        description="Column of true classes (any values; shown by points color_by: truth);"
        " for .npz, the name of an array of labels.",
    )
    array: str | None = Field(None, description=".npz only: the array to read; by default X or the only one.")
    drop_invalid: bool = Field(
        False, description="Skip rows with a missing, non-numeric, NaN or infinite value instead of failing."
    )

    @model_validator(mode="after")
    def _check_options(self) -> FileOptions:
        if not self.path.strip():
            raise OptionError("path", "must not be empty")
        if "\x00" in self.path:
            raise OptionError("path", "must not hold a NUL character")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise OptionError("delimiter", f"must be one character, got {self.delimiter!r}")
        if self.columns is not None and not self.columns:
            raise OptionError("columns", "must name at least one column")
        for index, column in enumerate(self.columns or []):
            if isinstance(column, int) and column < 0:
                raise OptionError(f"columns.{index}", f"must be >= 0, got {column}")
        return self

    def input_files(self, base_dir: Path) -> tuple[Path, ...]:
        # realpath, unlike Path.resolve, never raises (on a symlink loop, say): load reports it.
        return (Path(os.path.realpath(base_dir / self.path)),)

    def load(self, seed: int, base_dir: Path, max_points: int) -> Dataset:
        path = base_dir / self.path
        name = self.path

        def read(handle: IO[bytes], size: int) -> Table:
            if path.suffix.lower() in NUMPY_SUFFIXES:
                return read_numpy_table(self, handle, name, size, max_points)
            return read_csv_table(self, handle, name, max_points)

        try:
            X, labels, names = read_regular_file(path, name, read)
        except ArrayFileError as error:
            raise OptionError("path", str(error)) from None
        if len(X) == 0:
            raise OptionError("path", f"{name}: no valid rows left")
        classes = None
        if labels is not None:
            _, classes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
        return Dataset(
            X=np.ascontiguousarray(X),
            labels=classes,
            files=self.input_files(base_dir),
            feature_names=None if names is None else tuple(names),
        )

    # ------------------------------------------------------- choosing the columns

    def column_index(self, column: Column, names: list[str] | None, n_fields: int, key: str) -> int:
        """The 0-based index of ``column`` in a table of ``n_fields`` columns named ``names``.

        Raises
        ------
        OptionError
            At ``key``, when the column does not exist (or is named, but the columns
            are not).
        """
        if isinstance(column, int):
            self.check_index(column, n_fields, key)
            return column
        if names is None:
            raise OptionError(key, f"names column {column!r} but the file has no header; use a 0-based index")
        if column not in names:
            hint = did_you_mean(column, names, listing=None) or f"; the columns are {', '.join(names)}"
            raise OptionError(key, f"no column {column!r}{hint}")
        return names.index(column)

    def check_index(self, index: int, n_fields: int, key: str) -> None:
        """Refuse (at ``key``) a column index outside a table of ``n_fields`` columns."""
        if not 0 <= index < n_fields:
            raise OptionError(
                key, f"column {index} does not exist; the file has {n_fields} columns (0 to {n_fields - 1})"
            )

    def chosen_indices(self, names: list[str] | None, n_fields: int, exclude: int | None = None) -> list[int]:
        """The indices of the columns to cluster: ``columns``, or every one but ``exclude``
        (by default an integer ``label_column``)."""
        if self.columns is None:
            if exclude is None and isinstance(self.label_column, int):
                exclude = self.label_column
            chosen = [index for index in range(n_fields) if index != exclude]
            if not chosen:
                raise OptionError("columns", "no column is left to cluster")
            return chosen
        return [
            self.column_index(column, names, n_fields, f"columns.{position}")
            for position, column in enumerate(self.columns)
        ]
