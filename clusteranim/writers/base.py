"""What every writer does, and the atomic file handling they share.

Modelled on matplotlib's ``AbstractMovieWriter.saving``: a writer is opened on a path,
receives frames one by one, and is finished; whatever happens, the target path holds
either the complete new file or what it held before.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from clusteranim.errors import RenderError


@dataclass(frozen=True)
class Timing:
    """How long frames are shown.

    Parameters
    ----------
    fps : float
        Frames per second.
    hold_last : float
        Extra seconds the final frame stays.
    """

    fps: float
    hold_last: float


class Writer(Protocol):
    """Receives the frames of one animation, in order."""

    def write(self, frame: np.ndarray) -> None:
        """Add one frame, an RGB array of shape (height, width, 3) uint8."""
        ...

    def finish(self) -> None:
        """Complete the file after the last frame."""
        ...


class WriterFactory(Protocol):
    """A writer class: opened on a temporary path, frame size and timing."""

    @property
    def extensions(self) -> tuple[str, ...]:
        """File extensions that select this format."""
        ...

    def __call__(self, path: Path, width: int, height: int, timing: Timing) -> Writer: ...


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it only if the block succeeds.

    The temporary file is removed on any failure, including KeyboardInterrupt, so
    ``target`` is never left truncated.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def saving(factory: WriterFactory, target: Path, width: int, height: int, timing: Timing) -> Iterator[Writer]:
    """Open a writer on a temporary file beside ``target``; rename it when finished."""
    try:
        with atomic_path(target) as temporary:
            writer = factory(temporary, width, height, timing)
            yield writer
            writer.finish()
    except OSError as error:
        raise RenderError(f"{target}: cannot write ({error.strerror or error})") from error
