"""A table of points read from a numpy ``.npy`` file or ``.npz`` archive.

The arrays are read by :mod:`clusteranim.npyfile`, which checks each header against the
file and the limits before reading any data, and never unpickles; its refusals are
reported at the source's ``path``, with the same line.
"""

from __future__ import annotations

import zipfile
from typing import IO

import numpy as np
from numpy.typing import NDArray

from clusteranim.data.table import Table, TableChoice, too_many_rows
from clusteranim.npyfile import (
    ArrayFileError,
    ArrayKind,
    TooManyRowsError,
    member_name,
    open_archive,
    read_array,
    read_member,
)
from clusteranim.options import OptionError

TABLE = ArrayKind("iuf", (1, 2), "a 1-D or 2-D array of numbers")
LABELS = ArrayKind("iufbUS", (1,), "a 1-D array of labels (numbers or strings)")
#: How a zip archive (an .npz) starts, whatever its suffix: a file is read by what it holds.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def read_numpy_table(options: TableChoice, handle: IO[bytes], name: str, size: int, max_points: int) -> Table:
    """The points of a ``.npy`` file or ``.npz`` archive, as ``options`` chooses them.

    An ``.npz`` gives the array ``options.array`` (by default ``X``, or its only array)
    and, when ``label_column`` is a name, the labels in the array of that name; an
    integer ``label_column`` is a column of the table.

    Parameters
    ----------
    options : TableChoice
        The data source: array, columns, label column, drop_invalid.
    handle : file-like
        The file, opened in binary mode.
    name : str
        The file as messages name it.
    size : int
        The file's size in bytes.
    max_points : int
        Most rows allowed (``limits.max_points``).

    Returns
    -------
    tuple
        The points, their labels (if any) and None (arrays name no columns).

    Raises
    ------
    OptionError
        When the file or an array is refused, an array or a column chosen does not
        exist, or a value is not a finite number (unless ``drop_invalid``).
    """
    is_zip = handle.read(len(ZIP_MAGICS[0])).startswith(ZIP_MAGICS)
    handle.seek(0)
    try:
        if not is_zip:
            table = read_array(handle, name, size, TABLE, max_points)
            labels = None
        else:
            with open_archive(handle, name) as archive:
                table, labels = _read_archive(options, archive, name, max_points)
    except TooManyRowsError as error:
        raise OptionError("path", too_many_rows(error.where, error.max_rows)) from None
    except ArrayFileError as error:
        raise OptionError("path", str(error)) from None
    return _numeric_table(options, table, labels, name)


def _read_archive(
    options: TableChoice, archive: zipfile.ZipFile, name: str, max_points: int
) -> tuple[NDArray[np.generic], NDArray[np.generic] | None]:
    """The table and labels (if named by ``label_column``) of an .npz."""
    members = {member_name(info): info for info in archive.infolist()}
    keys = list(members)
    key = options.array or ("X" if "X" in members else (keys[0] if len(keys) == 1 else None))
    if key is None or key not in members:
        listed = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
        raise OptionError("array", f"{name} holds {listed or 'no arrays'}; name one with array")
    table = read_member(archive, members[key], name, TABLE, max_points)
    labels = None
    if options.label_column is not None:
        if str(options.label_column) not in members:
            raise OptionError("label_column", f"{name} has no array {options.label_column!r}")
        labels = read_member(archive, members[str(options.label_column)], name, LABELS, max_points)
    return table, labels


def _numeric_table(
    options: TableChoice, table: NDArray[np.generic], labels: NDArray[np.generic] | None, name: str
) -> Table:
    """The finite rows of ``table`` (the columns ``options`` chooses), as floats, and their labels."""
    if table.ndim == 1:
        table = table[:, None]
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise OptionError("path", f"{name}: expected a non-empty 2-D array, got shape {table.shape}")
    if labels is None and isinstance(options.label_column, int):
        options.check_index(options.label_column, table.shape[1], "label_column")
        labels = table[:, options.label_column]
    chosen = options.chosen_indices(None, table.shape[1])
    X = table[:, chosen].astype(np.float64)
    if labels is not None and len(labels) != len(X):
        raise OptionError("label_column", f"{name}: {len(labels)} labels for {len(X)} rows")
    valid = np.isfinite(X).all(axis=1)
    if not valid.all() and not options.drop_invalid:
        row = int(np.argmin(valid))
        raise OptionError(
            "path", f"{name}: row {row + 1}: {X[row][~np.isfinite(X[row])][0]} is not a finite number"
        )
    return X[valid], None if labels is None else labels[valid], None
