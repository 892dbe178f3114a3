"""What a path is, in words, for the messages that refuse to read or replace it."""

from __future__ import annotations

import os
import stat
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
