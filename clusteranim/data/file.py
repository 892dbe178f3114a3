"""Points read from a CSV file or a numpy ``.npy`` / ``.npz`` array.

No data file can exhaust the machine, whatever it holds: only a regular file is opened
(never a FIFO or a device); a CSV is streamed and refused at its first row beyond
``limits.max_points`` or longer than 1 MiB; an array's header (and, in an ``.npz``, each
member's declared size) is checked against the file and the limits before any of its
data is read; arrays of Python objects are never unpickled. Messages name the file as
the scenario wrote it.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import lzma
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from clusteranim.data.base import DataOptions, Dataset
from clusteranim.files import file_kind
from clusteranim.options import OptionError

Column = str | int
#: The points, their labels (if any) and the names of their columns (if known).
Table = tuple[NDArray[np.float64], NDArray[np.generic] | None, list[str] | None]
NUMPY_SUFFIXES = {".npy", ".npz"}
#: Longest row read: a CSV row (one line, or several when a quoted field spans lines)
#: or a row of an array.
MAX_ROW_BYTES = 1 << 20
#: CSV rows turned into numbers at a time, and bytes of CSV read at a time.
CHUNK_ROWS = 65_536
BLOCK_BYTES = 1 << 16
#: An .npz member decompressing to more than ZIP_BOMB_BYTES and more than ZIP_BOMB_RATIO
#: times its compressed size is taken for a zip bomb (the rule of Apache POI's
#: ZipSecureFile); real tables compress a few times, sorted labels a few hundred.
ZIP_BOMB_BYTES = 256 << 20
ZIP_BOMB_RATIO = 100
NPY_MAGIC = b"\x93NUMPY"
#: How a pickle of protocol 2 or later starts (what numpy would unpickle if allowed).
PICKLE_MAGIC = b"\x80"
HOLDS_OBJECTS = "holds Python objects (a pickle); clusteranim reads only numeric arrays"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError)


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
        try:
            status = os.stat(path)
        except FileNotFoundError:
            raise OptionError("path", f"no such file: {name}") from None
        except OSError as error:
            raise OptionError("path", f"{name}: cannot be read ({error.strerror})") from None
        if not stat.S_ISREG(status.st_mode):
            raise OptionError("path", f"{name}: is {file_kind(path, status.st_mode)}, not a data file")
        if status.st_size == 0:
            raise OptionError("path", f"{name}: is empty")
        try:
            with open(path, "rb") as handle:
                if path.suffix.lower() in NUMPY_SUFFIXES:
                    X, labels, names = self._read_numpy(handle, name, status.st_size, max_points)
                else:
                    X, labels, names = self._read_text(handle, name, max_points)
        except PermissionError:
            raise OptionError("path", f"{name}: permission denied") from None
        except OSError as error:
            raise OptionError("path", f"{name}: cannot be read ({error.strerror or error})") from None
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

    # ---------------------------------------------------------------- numpy arrays

    def _read_numpy(self, handle: IO[bytes], name: str, size: int, max_points: int) -> Table:
        is_zip = handle.read(len(ZIP_MAGICS[0])).startswith(ZIP_MAGICS)
        handle.seek(0)
        if not is_zip:
            return self._numeric_table(_read_array(handle, name, size, max_points, TABLE), None, name)
        try:
            archive = zipfile.ZipFile(handle)
        except (*ZIP_ERRORS, OSError, ValueError) as error:
            raise OptionError(
                "path", f"{name}: not a readable .npz (zip) file ({_one_line(error)})"
            ) from None
        with archive:
            members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
            keys = list(members)
            key = self.array or ("X" if "X" in members else (keys[0] if len(keys) == 1 else None))
            if key is None or key not in members:
                listed = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
                raise OptionError("array", f"{name} holds {listed or 'no arrays'}; name one with array")
            table = _read_member(archive, members[key], name, max_points, TABLE)
            labels = None
            if self.label_column is not None:
                if str(self.label_column) not in members:
                    raise OptionError("label_column", f"{name} has no array {self.label_column!r}")
                labels = _read_member(archive, members[str(self.label_column)], name, max_points, LABELS)
        return self._numeric_table(table, labels, name)

    def _numeric_table(
        self, table: NDArray[np.generic], labels: NDArray[np.generic] | None, name: str
    ) -> Table:
        if table.ndim == 1:
            table = table[:, None]
        if table.shape[0] == 0 or table.shape[1] == 0:
            raise OptionError("path", f"{name}: expected a non-empty 2-D array, got shape {table.shape}")
        if labels is None and isinstance(self.label_column, int):
            self._check_index(self.label_column, table.shape[1], "label_column")
            labels = table[:, self.label_column]
        chosen = self._chosen_indices(None, table.shape[1])
        X = table[:, chosen].astype(np.float64)
        if labels is not None and len(labels) != len(X):
            raise OptionError("label_column", f"{name}: {len(labels)} labels for {len(X)} rows")
        valid = np.isfinite(X).all(axis=1)
        if not valid.all() and not self.drop_invalid:
            row = int(np.argmin(valid))
            raise OptionError(
                "path", f"{name}: row {row + 1}: {X[row][~np.isfinite(X[row])][0]} is not a finite number"
            )
        return X[valid], None if labels is None else labels[valid], None

    # ---------------------------------------------------------------------- CSV

    def _read_text(self, handle: IO[bytes], name: str, max_points: int) -> Table:
        lines = _Lines(handle, name)
        first_line = lines.skip_blank()
        delimiter = self.delimiter or _guess_delimiter(name, first_line)
        rows = _rows(lines, name, delimiter)
        first_row = next(rows, None)
        if first_row is None:
            raise OptionError("path", f"{name}: is empty")
        head = [cell.strip() for cell in first_row[1]]
        has_header = self.header if isinstance(self.header, bool) else not all(map(_is_number, head))
        names = head if has_header else None
        n_fields = len(head)
        label_index = (
            None
            if self.label_column is None
            else self._index(self.label_column, names, n_fields, "label_column")
        )
        chosen = self._chosen_indices(names, n_fields, exclude=label_index)
        # One row more than allowed is read, to know there are too many.
        body = itertools.islice(rows if has_header else itertools.chain([first_row], rows), max_points + 1)
        parts: list[NDArray[np.float64]] = []
        label_parts: list[NDArray[np.object_]] = []
        n_rows = 0
        while chunk := list(itertools.islice(body, CHUNK_ROWS)):
            n_rows += len(chunk)
            if n_rows > max_points:
                raise OptionError("path", _too_many_rows(name, max_points))
            line_numbers = np.array([line for line, _ in chunk])
            n_cells = np.array([len(row) for _, row in chunk])
            ragged = n_cells != n_fields
            if ragged.any():
                first = int(np.argmax(ragged))
                if not self.drop_invalid:
                    raise OptionError(
                        "path",
                        f"{name}:{line_numbers[first]}: row has {n_cells[first]} fields, expected {n_fields}",
                    )
                chunk = [entry for entry, is_ragged in zip(chunk, ragged, strict=True) if not is_ragged]
                line_numbers = line_numbers[~ragged]
                if not chunk:
                    continue
            cells = np.array([row for _, row in chunk], dtype=object)[:, chosen]
            X, valid = _parse_numbers(cells)
            if not valid.all() and not self.drop_invalid:
                row, column = np.argwhere(~_cell_validity(cells))[0]
                column_name = names[chosen[column]] if names else f"{chosen[column]}"
                raise OptionError(
                    "path",
                    f"{name}:{line_numbers[row]}: {cells[row, column].strip()!r} in column {column_name!r}"
                    " is not a finite number",
                )
            parts.append(X[valid])
            if label_index is not None:
                label_parts.append(
                    np.array([row[label_index].strip() for _, row in chunk], dtype=object)[valid]
                )
        if n_rows == 0:
            raise OptionError("path", f"{name}: has a header but no rows")
        X = np.concatenate(parts) if parts else np.empty((0, len(chosen)))
        return (
            X,
            None if label_index is None else np.concatenate(label_parts or [np.empty(0, dtype=object)]),
            None if names is None else [names[i] for i in chosen],
        )

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


def _too_many_rows(name: str, max_points: int) -> str:
    return f"{name}: more than {max_points:,} rows (limits.max_points); raise limits.max_points to allow it"


def _one_line(error: BaseException) -> str:
    """An exception's message on one line, for errors raised by numpy or zipfile."""
    return " ".join(str(error).split()) or type(error).__name__


# ---------------------------------------------------------------------- arrays


@dataclass(frozen=True)
class ArrayKind:
    """What an array read from a .npy file or an .npz member must be.

    Parameters
    ----------
    dtype_kinds : str
        Allowed ``dtype.kind`` codes.
    ndims : tuple of int
        Allowed numbers of dimensions.
    description : str
        The same, for a message.
    """

    dtype_kinds: str
    ndims: tuple[int, ...]
    description: str


TABLE = ArrayKind("iuf", (1, 2), "a 1-D or 2-D array of numbers")
LABELS = ArrayKind("iufbUS", (1,), "a 1-D array of labels (numbers or strings)")
NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, max_points: int, kind: ArrayKind
) -> NDArray[np.generic]:
    """One array of an .npz, its declared sizes checked before it is decompressed."""
    where = f"{name} (array {info.filename.removesuffix('.npy')!r})"
    if info.file_size > ZIP_BOMB_BYTES and info.file_size > ZIP_BOMB_RATIO * info.compress_size:
        raise OptionError(
            "path",
            f"{where}: decompresses to {info.file_size:,} bytes from {info.compress_size:,}"
            " (a zip bomb?); save it uncompressed with numpy.savez",
        )
    try:
        with archive.open(info) as stream:
            return _read_array(stream, where, info.file_size, max_points, kind)
    except (*ZIP_ERRORS, OSError) as error:
        raise OptionError("path", f"{where}: cannot be read ({_one_line(error)})") from None


def _read_array(
    stream: IO[bytes], where: str, size: int, max_points: int, kind: ArrayKind
) -> NDArray[np.generic]:
    """The array of a .npy file (or member) of ``size`` bytes, read only once its header is checked.

    The header must describe an array of ``kind`` with at most ``max_points`` rows of at
    most ``MAX_ROW_BYTES``, whose data is exactly what follows the header.
    """
    prefix = stream.read(len(NPY_MAGIC) + 2)
    if not prefix.startswith(NPY_MAGIC):
        if prefix.startswith(PICKLE_MAGIC):
            raise OptionError("path", f"{where}: {HOLDS_OBJECTS}")
        raise OptionError("path", f"{where}: not a .npy array (it does not start with \\x93NUMPY)")
    version = np.lib.format.read_magic(io.BytesIO(prefix))
    if version not in NPY_HEADER_READERS:
        raise OptionError(
            "path",
            f"{where}: is .npy format version {version[0]}.{version[1]}; clusteranim reads 1.0 and 2.0",
        )
    try:
        shape, fortran_order, dtype = NPY_HEADER_READERS[version](stream)
    except ValueError as error:
        raise OptionError("path", f"{where}: not a valid .npy header ({_one_line(error)})") from None
    if dtype.hasobject:
        raise OptionError("path", f"{where}: {HOLDS_OBJECTS}")
    if dtype.kind not in kind.dtype_kinds or dtype.itemsize == 0 or len(shape) not in kind.ndims:
        raise OptionError("path", f"{where}: expected {kind.description}, got {dtype} of shape {shape}")
    if any(extent < 0 for extent in shape):
        raise OptionError("path", f"{where}: not a valid .npy header (shape {shape})")
    n_bytes = math.prod(shape) * dtype.itemsize
    n_following = size - stream.tell()
    if n_bytes != n_following:
        raise OptionError(
            "path",
            f"{where}: its header describes {dtype} of shape {shape} ({n_bytes:,} bytes)"
            f" but {n_following:,} bytes follow it",
        )
    if shape[0] > max_points:
        raise OptionError("path", _too_many_rows(where, max_points))
    row_bytes = math.prod(shape[1:]) * dtype.itemsize
    if row_bytes > MAX_ROW_BYTES:
        raise OptionError(
            "path", f"{where}: each row is {row_bytes:,} bytes, longer than 1 MiB ({MAX_ROW_BYTES:,} bytes)"
        )
    data = stream.read(n_bytes)
    if len(data) != n_bytes:
        raise OptionError("path", f"{where}: ends after {len(data):,} of {n_bytes:,} bytes of data")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C")


# ------------------------------------------------------------------------- CSV


class _Lines:
    """The lines of a UTF-8 text file, for ``csv.reader``, read a block at a time and checked.

    No line may hold a NUL byte or invalid UTF-8, or be longer than ``MAX_ROW_BYTES``;
    nor may a row, which spans lines where a quoted field does: the reader of the rows
    sets ``row_end`` to ``n_bytes`` after each row, and a row still open ``MAX_ROW_BYTES``
    after that is refused. Lines are split by ``io.StringIO``, so that ``csv`` iterates
    them without a Python call per line.
    """

    def __init__(self, handle: IO[bytes], name: str) -> None:
        self._handle = handle
        self._name = name
        self._lines: Iterator[str] = itertools.chain.from_iterable(self._blocks())
        self.n_bytes = 0
        self.n_lines = 0
        self.n_skipped = 0
        self.row_end = 0

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def skip_blank(self) -> str:
        """Skip the blank lines that open the file; the first other line, or '' if none.

        That line is still the first one iterated; ``n_skipped`` counts the lines skipped.
        """
        for line in self._lines:
            if line.strip():
                self._lines = itertools.chain([line], self._lines)
                return line
            self.n_skipped += 1
        return ""

    def _blocks(self) -> Iterator[io.StringIO]:
        carry = b""  # the start of a line that continues in the next block
        while data := self._handle.read(BLOCK_BYTES):
            block = carry + data
            if (block.find(b"\n") + 1 or len(block)) > MAX_ROW_BYTES:
                self._refuse_row(self.n_lines + 1)
            end = block.rfind(b"\n") + 1
            carry = block[end:]
            if end:
                if self.n_bytes - self.row_end > MAX_ROW_BYTES:
                    self._refuse_row(self.n_lines)
                yield self._text(block[:end])
        if carry:
            yield self._text(carry)

    def _text(self, raw: bytes) -> io.StringIO:
        start = self.n_bytes
        self.n_bytes += len(raw)
        self.n_lines += raw.count(b"\n")
        if b"\x00" in raw:
            raise OptionError("path", f"{self._name}: a binary file, not CSV")
        if start == 0 and raw.startswith(codecs.BOM_UTF8):
            raw, start = raw[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        try:
            return io.StringIO(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise OptionError("path", f"{self._name}: not UTF-8 text (byte {start + error.start})") from None

    def _refuse_row(self, line: int) -> None:
        raise OptionError("path", f"{self._name}:{line}: row is longer than 1 MiB ({MAX_ROW_BYTES:,} bytes)")


def _rows(lines: _Lines, name: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV rows of ``lines`` with a non-blank cell, each with its (last) line."""
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=delimiter == " ")
    try:
        for row in reader:
            lines.row_end = lines.n_bytes
            if any(map(str.strip, row)):
                yield lines.n_skipped + reader.line_num, row
    except csv.Error as error:
        # Without strict=True, csv fails only on these two (and NUL bytes, refused earlier).
        reason = str(error)
        if reason.startswith("field larger than field limit"):
            reason = f"a field is longer than {csv.field_size_limit():,} characters"
        elif reason.startswith("new-line character seen in unquoted field"):
            reason = "a carriage return (\\r) inside a row; end lines with \\n or \\r\\n"
        raise OptionError("path", f"{name}:{lines.n_skipped + reader.line_num}: {reason}") from None


def _guess_delimiter(name: str, first_line: str) -> str:
    if Path(name).suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    first = first_line.lstrip().split("\n", 1)[0]
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
