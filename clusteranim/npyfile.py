"""Numeric arrays read safely from numpy ``.npy`` files and ``.npz`` archives.

No file can exhaust the machine, whatever it holds: only a regular file is opened (never
a FIFO or a device); an array's header (and, in an ``.npz``, each member's declared size)
is checked against the file and the caller's limits before any of its data is read;
arrays of Python objects are never unpickled. Every refusal is an
:class:`ArrayFileError` whose message, one line, names the file as the caller wrote it
(and the member, for an ``.npz``); callers report it at their own keys.
"""

from __future__ import annotations

import io
import lzma
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import numpy as np
from numpy.typing import NDArray

from clusteranim.errors import did_you_mean
from clusteranim.files import file_kind

T = TypeVar("T")

#: Longest row of an array read by default (a data table's limit).
MAX_ROW_BYTES = 1 << 20
#: An .npz member decompressing to more than ZIP_BOMB_BYTES and more than ZIP_BOMB_RATIO
#: times its compressed size is taken for a zip bomb (the rule of Apache POI's
#: ZipSecureFile); real tables compress a few times, sorted labels a few hundred.
ZIP_BOMB_BYTES = 256 << 20
ZIP_BOMB_RATIO = 100
NPY_MAGIC = b"\x93NUMPY"
#: How a pickle of protocol 2 or later starts (what numpy would unpickle if allowed).
PICKLE_MAGIC = b"\x80"
HOLDS_OBJECTS = "holds Python objects (a pickle); clusteranim reads only numeric arrays"
#: What zipfile (and its decompressors) raise on a corrupt, truncated or encrypted archive.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError)
NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class ArrayFileError(ValueError):
    """A file or an array refused; the message, one line, names the file (and member)."""


class TooManyRowsError(ArrayFileError):
    """An array declares more than ``max_rows`` rows; ``where`` names the file (and
    member), for a caller to word its own message, naming the setting that raises the limit."""

    def __init__(self, where: str, max_rows: int) -> None:
        super().__init__(f"{where}: more than {max_rows:,} rows")
        self.where = where
        self.max_rows = max_rows


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


def read_regular_file(
    path: Path, name: str, read: Callable[[IO[bytes], int], T], expected: str = "a data file"
) -> T:
    """What ``read(handle, size)`` makes of ``path``, opened only once ``stat`` shows it a
    regular, non-empty file (a FIFO would block, a device never end).

    Parameters
    ----------
    path, name : Path, str
        The file, and its name in messages (as the user wrote it).
    read : callable
        Called with the file opened in binary mode and its size in bytes.
    expected : str
        What the file should be, for the message refusing a directory or a device.

    Raises
    ------
    ArrayFileError
        When ``path`` does not exist, is not a regular file, is empty, or cannot be
        opened or read (an ``OSError`` raised by ``read``); other errors of ``read``
        pass through.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise ArrayFileError(f"no such file: {name}") from None
    except OSError as error:
        raise ArrayFileError(f"{name}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        raise ArrayFileError(f"{name}: is {file_kind(path, status.st_mode)}, not {expected}")
    if status.st_size == 0:
        raise ArrayFileError(f"{name}: is empty")
    try:
        with open(path, "rb") as handle:
            return read(handle, status.st_size)
    except PermissionError:
        raise ArrayFileError(f"{name}: permission denied") from None
    except OSError as error:
        raise ArrayFileError(f"{name}: cannot be read ({error.strerror or error})") from None


def open_archive(stream: IO[bytes], name: str) -> zipfile.ZipFile:
    """The zip archive of an ``.npz`` file, its directory read (no member decompressed);
    :class:`ArrayFileError` if ``stream`` is not a readable zip archive."""
    try:
        return zipfile.ZipFile(stream)
    except (*ZIP_ERRORS, OSError, ValueError) as error:
        raise ArrayFileError(f"{name}: not a readable .npz (zip) file ({_one_line(error)})") from None


def member_name(info: zipfile.ZipInfo) -> str:
    """The name of the array an .npz member holds: its file name without ``.npy``."""
    return info.filename.removesuffix(".npy")


def read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    kind: ArrayKind,
    max_rows: int,
    max_row_bytes: int = MAX_ROW_BYTES,
) -> NDArray[np.generic]:
    """The array (read-only) of the member ``info`` of the .npz ``archive``, its declared
    sizes checked before it is decompressed.

    Parameters
    ----------
    archive, info : zipfile.ZipFile, zipfile.ZipInfo
        The archive and the member to read.
    name : str
        The archive as messages name it; they name the member too: ``points.npz (array 'X'): ...``.
    kind, max_rows, max_row_bytes
        As for :func:`read_array`.

    Raises
    ------
    ArrayFileError
        When the member looks like a zip bomb, is corrupt, or its array is refused by
        :func:`read_array` (:class:`TooManyRowsError` for too many rows).
    """
    where = f"{name} (array {member_name(info)!r})"
    if info.file_size > ZIP_BOMB_BYTES and info.file_size > ZIP_BOMB_RATIO * info.compress_size:
        raise ArrayFileError(
            f"{where}: decompresses to {info.file_size:,} bytes from {info.compress_size:,}"
            " (a zip bomb?); save it uncompressed with numpy.savez"
        )
    try:
        with archive.open(info) as stream:
            return read_array(stream, where, info.file_size, kind, max_rows, max_row_bytes)
    except (*ZIP_ERRORS, OSError) as error:
        raise ArrayFileError(f"{where}: cannot be read ({_one_line(error)})") from None


def read_array(
    stream: IO[bytes],
    where: str,
    size: int,
    kind: ArrayKind,
    max_rows: int,
    max_row_bytes: int = MAX_ROW_BYTES,
) -> NDArray[np.generic]:
    """The array (read-only) of a .npy file or member, read only once its header is checked.

    Parameters
    ----------
    stream : file-like
        The .npy data, at its start.
    where : str
        The file (and member) as messages name it.
    size : int
        Bytes in ``stream``: the data after the header must be exactly what it describes.
    kind : ArrayKind
        What the array must be.
    max_rows : int
        Most rows (extent of the first axis) allowed.
    max_row_bytes : int
        Most bytes in one row (the array without its first axis) allowed.

    Raises
    ------
    TooManyRowsError
        When the header declares more than ``max_rows`` rows.
    ArrayFileError
        When the stream is not a .npy array (a pickle, say), its header is invalid,
        describes objects, another kind of array, or another size than follows it, a
        row is longer than ``max_row_bytes``, or the data ends early.
    """
    prefix = stream.read(len(NPY_MAGIC) + 2)
    if not prefix.startswith(NPY_MAGIC):
        if prefix.startswith(PICKLE_MAGIC):
            raise ArrayFileError(f"{where}: {HOLDS_OBJECTS}")
        raise ArrayFileError(f"{where}: not a .npy array (it does not start with \\x93NUMPY)")
    version = np.lib.format.read_magic(io.BytesIO(prefix))
    if version not in NPY_HEADER_READERS:
        raise ArrayFileError(
            f"{where}: is .npy format version {version[0]}.{version[1]}; clusteranim reads 1.0 and 2.0"
        )
    try:
        shape, fortran_order, dtype = NPY_HEADER_READERS[version](stream)
    except ValueError as error:
        raise ArrayFileError(f"{where}: not a valid .npy header ({_one_line(error)})") from None
    if dtype.hasobject:
        raise ArrayFileError(f"{where}: {HOLDS_OBJECTS}")
    if dtype.kind not in kind.dtype_kinds or dtype.itemsize == 0 or len(shape) not in kind.ndims:
        raise ArrayFileError(f"{where}: expected {kind.description}, got {dtype} of shape {shape}")
    if any(extent < 0 for extent in shape):
        raise ArrayFileError(f"{where}: not a valid .npy header (shape {shape})")
    n_bytes = math.prod(shape) * dtype.itemsize
    n_following = size - stream.tell()
    if n_bytes != n_following:
        raise ArrayFileError(
            f"{where}: its header describes {dtype} of shape {shape} ({n_bytes:,} bytes)"
            f" but {n_following:,} bytes follow it"
        )
    if shape and shape[0] > max_rows:
        raise TooManyRowsError(where, max_rows)
    row_bytes = math.prod(shape[1:]) * dtype.itemsize
    if row_bytes > max_row_bytes:
        raise ArrayFileError(
            f"{where}: each row is {row_bytes:,} bytes, longer than {_byte_size(max_row_bytes)}"
        )
    data = stream.read(n_bytes)
    if len(data) != n_bytes:
        raise ArrayFileError(f"{where}: ends after {len(data):,} of {n_bytes:,} bytes of data")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C")


def read_npz(
    path: Path,
    name: str,
    kinds: Mapping[str, ArrayKind],
    max_rows: int,
    max_row_bytes: int,
    max_total_bytes: int,
) -> dict[str, NDArray[np.generic]]:
    """Every array of an ``.npz`` archive, each checked against the kind its name calls for.

    Nothing is decompressed before the archive's directory is checked (every member
    named in ``kinds``, none twice, their declared sizes within ``max_total_bytes``),
    nor more than a member declares (its header must agree with its declared size).

    Parameters
    ----------
    path, name : Path, str
        The archive, and its name in messages (as the user wrote it).
    kinds : mapping of str to ArrayKind
        The arrays the archive may hold (by name, without ``.npy``) and what each must
        be. Names absent from the archive are absent from the result.
    max_rows, max_row_bytes : int
        Most rows of each array, and bytes in one of its rows.
    max_total_bytes : int
        Most bytes the members may decompress to, together.

    Returns
    -------
    dict of str to numpy.ndarray
        Each array of the archive (read-only), by name, in archive order.

    Raises
    ------
    TooManyRowsError
        When an array has more than ``max_rows`` rows.
    ArrayFileError
        When ``path`` is not a regular, non-empty, readable file; is not a readable zip
        archive (truncated, corrupt); holds an array not named in ``kinds`` (with a
        "did you mean" hint) or one array twice; declares more than
        ``max_total_bytes``; or an array is refused by :func:`read_member`.
    """

    def read(handle: IO[bytes], _size: int) -> dict[str, NDArray[np.generic]]:
        with open_archive(handle, name) as archive:
            members: dict[str, zipfile.ZipInfo] = {}
            for info in archive.infolist():
                key = member_name(info)
                if key not in kinds:
                    raise ArrayFileError(f"{name}: holds an unknown array {key!r}{did_you_mean(key, kinds)}")
                if key in members:
                    raise ArrayFileError(f"{name}: holds the array {key!r} twice")
                members[key] = info
            total = sum(info.file_size for info in members.values())
            if total > max_total_bytes:
                raise ArrayFileError(
                    f"{name}: its arrays decompress to {total:,} bytes, more than"
                    f" {_byte_size(max_total_bytes)}"
                )
            return {
                key: read_member(archive, info, name, kinds[key], max_rows, max_row_bytes)
                for key, info in members.items()
            }

    return read_regular_file(path, name, read, expected="an .npz archive")


def _byte_size(n_bytes: int) -> str:
    """A number of bytes in words: ``1 MiB (1,048,576 bytes)``, or ``1,000 bytes``."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n_bytes >= 1 << shift and n_bytes % (1 << shift) == 0:
            return f"{n_bytes >> shift} {unit} ({n_bytes:,} bytes)"
    return f"{n_bytes:,} bytes"


def _one_line(error: BaseException) -> str:
    """An exception's message on one line, for errors raised by numpy or zipfile."""
    return " ".join(str(error).split()) or type(error).__name__
