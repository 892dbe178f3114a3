"""A table of points read from CSV text, streamed and checked as it is read.

The file is refused at its first row beyond ``limits.max_points``, longer than 1 MiB,
or holding a NUL byte or invalid UTF-8; rows are turned into numbers a chunk at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from clusteranim.data.table import Table, TableChoice, too_many_rows
from clusteranim.options import OptionError

#: Longest CSV row: one line, or several when a quoted field spans lines.
MAX_ROW_BYTES = 1 << 20
#: CSV rows turned into numbers at a time, and bytes of CSV read at a time.
CHUNK_ROWS = 65_536
BLOCK_BYTES = 1 << 16


def read_csv_table(options: TableChoice, handle: IO[bytes], name: str, max_points: int) -> Table:
    """The points of a CSV file, as ``options`` chooses its columns.

    Parameters
    ----------
    options : TableChoice
        The data source: delimiter, header, columns, label column, drop_invalid.
    handle : file-like
        The file, opened in binary mode.
    name : str
        The file as messages name it.
    max_points : int
        Most rows allowed (``limits.max_points``).

    Returns
    -------
    tuple
        The points, their labels (if ``label_column`` is set) and the names of the
        chosen columns (if the file has a header).

    Raises
    ------
    OptionError
        When the file or a row is refused, or a column chosen does not exist.
    """
    lines = _Lines(handle, name)
    first_line = lines.skip_blank()
    delimiter = options.delimiter or _guess_delimiter(name, first_line)
    rows = _rows(lines, name, delimiter)
    first_row = next(rows, None)
    if first_row is None:
        raise OptionError("path", f"{name}: is empty")
    head = [cell.strip() for cell in first_row[1]]
    has_header = options.header if isinstance(options.header, bool) else not all(map(_is_number, head))
    names = head if has_header else None
    n_fields = len(head)
    label_index = (
        None
        if options.label_column is None
        else options.column_index(options.label_column, names, n_fields, "label_column")
    )
    chosen = options.chosen_indices(names, n_fields, exclude=label_index)
    # One row more than allowed is read, to know there are too many.
    body = itertools.islice(rows if has_header else itertools.chain([first_row], rows), max_points + 1)
    parts: list[NDArray[np.float64]] = []
    label_parts: list[NDArray[np.object_]] = []
    n_rows = 0
    while chunk := list(itertools.islice(body, CHUNK_ROWS)):
        n_rows += len(chunk)
        if n_rows > max_points:
            raise OptionError("path", too_many_rows(name, max_points))
        line_numbers = np.array([line for line, _ in chunk])
        n_cells = np.array([len(row) for _, row in chunk])
        ragged = n_cells != n_fields
        if ragged.any():
            first = int(np.argmax(ragged))
            if not options.drop_invalid:
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
        if not valid.all() and not options.drop_invalid:
            row, column = np.argwhere(~_cell_validity(cells))[0]
            column_name = names[chosen[column]] if names else f"{chosen[column]}"
            raise OptionError(
                "path",
                f"{name}:{line_numbers[row]}: {cells[row, column].strip()!r} in column {column_name!r}"
                " is not a finite number",
            )
        parts.append(X[valid])
        if label_index is not None:
            label_parts.append(np.array([row[label_index].strip() for _, row in chunk], dtype=object)[valid])
    if n_rows == 0:
        raise OptionError("path", f"{name}: has a header but no rows")
    X = np.concatenate(parts) if parts else np.empty((0, len(chosen)))
    return (
        X,
        None if label_index is None else np.concatenate(label_parts or [np.empty(0, dtype=object)]),
        None if names is None else [names[i] for i in chosen],
    )


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
