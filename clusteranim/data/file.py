"""Points read from a CSV file or a numpy ``.npy`` / ``.npz`` array."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.options import OptionError

Column = str | int
NUMPY_SUFFIXES = {".npy", ".npz"}


class FileData(DataOptions):
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
    def _check_options(self) -> FileData:
        if not self.path.strip():
            raise OptionError("path", "must not be empty")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise OptionError("delimiter", f"must be one character, got {self.delimiter!r}")
        if self.columns is not None and not self.columns:
            raise OptionError("columns", "must name at least one column")
        for index, column in enumerate(self.columns or []):
            if isinstance(column, int) and column < 0:
                raise OptionError(f"columns.{index}", f"must be >= 0, got {column}")
        return self

    def load(self, seed: int, base_dir: Path) -> Dataset:
        path = (base_dir / self.path).resolve() if not Path(self.path).is_absolute() else Path(self.path)
        if path.is_dir():
            raise OptionError("path", f"{path} is a directory, not a data file")
        if not path.exists():
            raise OptionError("path", f"no such file: {path}")
        if path.stat().st_size == 0:
            raise OptionError("path", f"{path}: is empty")
        try:
            if path.suffix.lower() in NUMPY_SUFFIXES:
                return self._read_numpy(path)
            return self._read_text(path)
        except PermissionError:
            raise OptionError("path", f"{path}: permission denied") from None

    # ---------------------------------------------------------------- numpy arrays

    def _read_numpy(self, path: Path) -> Dataset:
        try:
            loaded = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as error:
            raise OptionError("path", f"{path}: not a readable numpy file ({error})") from None
        labels = None
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                names = list(loaded.files)
                name = self.array or ("X" if "X" in names else (names[0] if len(names) == 1 else None))
                if name is None or name not in names:
                    raise OptionError(
                        "array", f"{path} holds {', '.join(names) or 'no arrays'}; name one with array"
                    )
                table = loaded[name]
                if self.label_column is not None:
                    if str(self.label_column) not in names:
                        raise OptionError("label_column", f"{path} has no array {self.label_column!r}")
                    labels = np.asarray(loaded[str(self.label_column)])
        else:
            table = loaded
        if table.ndim == 1:
            table = table[:, None]
        if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] == 0:
            raise OptionError("path", f"{path}: expected a non-empty 2-D array, got shape {table.shape}")
        if not np.issubdtype(table.dtype, np.number) or np.issubdtype(table.dtype, np.complexfloating):
            raise OptionError("path", f"{path}: expected numbers, got an array of {table.dtype}")
        if labels is None and isinstance(self.label_column, int):
            self._check_index(self.label_column, table.shape[1], "label_column")
            labels = table[:, self.label_column]
        chosen = self._chosen_indices(None, table.shape[1])
        X = table[:, chosen].astype(np.float64)
        if labels is not None and len(labels) != len(X):
            raise OptionError("label_column", f"{path}: {len(labels)} labels for {len(X)} rows")
        valid = np.isfinite(X).all(axis=1)
        if not valid.all() and not self.drop_invalid:
            row = int(np.argmin(valid))
            raise OptionError(
                "path", f"{path}: row {row + 1}: {X[row][~np.isfinite(X[row])][0]} is not a finite number"
            )
        return self._dataset(X[valid], None if labels is None else labels[valid], path, None)

    # ---------------------------------------------------------------------- CSV

    def _read_text(self, path: Path) -> Dataset:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise OptionError("path", f"{path}: not UTF-8 text (byte {error.start})") from None
        if "\x00" in text:
            raise OptionError("path", f"{path}: a binary file, not CSV")
        delimiter = self.delimiter or _guess_delimiter(path, text)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=delimiter == " ")
        rows: list[list[str]] = []
        lines: list[int] = []
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                lines.append(reader.line_num)
        if not rows:
            raise OptionError("path", f"{path}: is empty")
        has_header = self.header if isinstance(self.header, bool) else not all(map(_is_number, rows[0]))
        names = rows[0] if has_header else None
        body, body_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
        if not body:
            raise OptionError("path", f"{path}: has a header but no rows")
        n_fields = len(rows[0])
        keep = []
        for row, line in zip(body, body_lines, strict=True):
            if len(row) == n_fields:
                keep.append(True)
            elif self.drop_invalid:
                keep.append(False)
            else:
                raise OptionError("path", f"{path}:{line}: row has {len(row)} fields, expected {n_fields}")
        body = [row for row, ok in zip(body, keep, strict=True) if ok]
        body_lines = [line for line, ok in zip(body_lines, keep, strict=True) if ok]
        label_index = (
            None
            if self.label_column is None
            else self._index(self.label_column, names, n_fields, "label_column")
        )
        chosen = self._chosen_indices(names, n_fields, exclude=label_index)
        cells = np.array(body, dtype=object)[:, chosen]
        X, valid = _parse_numbers(cells)
        if not valid.all() and not self.drop_invalid:
            row, column = np.argwhere(~_cell_validity(cells))[0]
            name = names[chosen[column]] if names else f"{chosen[column]}"
            raise OptionError(
                "path",
                f"{path}:{body_lines[row]}: {cells[row, column]!r} in column {name!r} is not a finite number",
            )
        labels = None
        if label_index is not None:
            labels = np.array([row[label_index] for row in body], dtype=object)[valid]
        return self._dataset(X[valid], labels, path, None if names is None else [names[i] for i in chosen])

    # ------------------------------------------------------------------- helpers

    def _index(self, column: Column, names: list[str] | None, n_fields: int, key: str) -> int:
        if isinstance(column, int):
            self._check_index(column, n_fields, key)
            return column
        if names is None:
            raise OptionError(key, f"names column {column!r} but the file has no header; use a 0-based index")
        if column not in names:
            from difflib import get_close_matches

            close = get_close_matches(column, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the columns are {', '.join(names)}"
            raise OptionError(key, f"no column {column!r}{hint}")
        return names.index(column)

    def _check_index(self, index: int, n_fields: int, key: str) -> None:
        if not 0 <= index < n_fields:
            raise OptionError(
                key, f"column {index} does not exist; the file has {n_fields} columns (0 to {n_fields - 1})"
            )

    def _chosen_indices(
        self, names: list[str] | None, n_fields: int, exclude: int | None = None
    ) -> list[int]:
        if self.columns is None:
            if exclude is None and isinstance(self.label_column, int):
                exclude = self.label_column
            chosen = [index for index in range(n_fields) if index != exclude]
            if not chosen:
                raise OptionError("columns", "no column is left to cluster")
            return chosen
        return [
            self._index(column, names, n_fields, f"columns.{position}")
            for position, column in enumerate(self.columns)
        ]

    def _dataset(
        self, X: NDArray[np.float64], labels: NDArray[np.generic] | None, path: Path, names: list[str] | None
    ) -> Dataset:
        if len(X) == 0:
            raise OptionError("path", f"{path}: no valid rows left")
        classes = None
        if labels is not None:
            _, classes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
        return Dataset(
            X=np.ascontiguousarray(X),
            labels=classes,
            files=(path,),
            feature_names=None if names is None else tuple(names),
        )


def _guess_delimiter(path: Path, text: str) -> str:
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    first = text.lstrip().split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else (" " if " " in first.strip() else ",")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell_validity(cells: NDArray[np.object_]) -> NDArray[np.bool_]:
    valid = np.zeros(cells.shape, dtype=bool)
    for position, cell in np.ndenumerate(cells):
        try:
            valid[position] = np.isfinite(float(cell))
        except ValueError:
            valid[position] = False
    return valid


def _parse_numbers(cells: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Numbers of a table of strings, and which rows are all finite numbers."""
    try:
        X = cells.astype(np.float64)
    except ValueError:
        valid_cells = _cell_validity(cells)
        X = np.where(valid_cells, cells, "nan").astype(np.float64)
    rows_valid: NDArray[np.bool_] = np.asarray(np.isfinite(X).all(axis=1))
    return X, rows_valid
