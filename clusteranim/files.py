"""What a path is, in words, for the messages that refuse to read or replace it; reading
a small file without being fooled by what it really is."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

FILE_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(path: Path, mode: int) -> str:
    """What ``path`` (whose ``stat`` mode, links followed, is ``mode``) is: "a named pipe
    (FIFO)", "a character device (a link to /dev/null)", ..."""
    kind = next((text for is_kind, text in FILE_KINDS if is_kind(mode)), "not a regular file")
    if path.is_symlink():
        kind += f" (a link to {os.path.realpath(path)})"
    return kind


def read_bounded(path: Path, max_bytes: int, fail: Callable[[str], Exception], what: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, checked before reading.

    A folder, FIFO, device or socket (or a symlink to one) is refused without opening
    it, since reading a FIFO blocks and reading ``/dev/zero`` never ends; the read
    itself stops one byte past the limit, for files whose size ``stat`` does not tell.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(status.st_mode):
        raise fail(f"is a directory, not {what}")
    if not stat.S_ISREG(status.st_mode):
        raise fail(f"is {file_kind(path, status.st_mode)}, not {what}")
    limit = f"{what} is at most {max_bytes >> 20} MB"
    if status.st_size > max_bytes:
        raise fail(f"is {status.st_size / 2**20:.1f} MB; {limit}")
    try:
        with path.open("rb") as file:
            raw = file.read(max_bytes + 1)
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror or error})") from None
    if len(raw) > max_bytes:
        raise fail(f"is more than {max_bytes >> 20} MB; {limit}")
    return raw
