"""What every writer does, and the atomic file handling they share.

Modelled on matplotlib's ``AbstractMovieWriter.saving``: a writer is opened on a path,
receives frames one by one, and is finished (or aborted); whatever happens, the target
path holds either the complete new file or what it held before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from clusteranim.errors import RenderError
from clusteranim.writers.targets import is_replaceable


@dataclass(frozen=True)
class FrameLabel:
    """What a frame shows, for players that display it.

    Parameters
    ----------
    iteration : int
    objective : float
    """

    iteration: int
    objective: float


@dataclass(frozen=True)
class Movie:
    """Everything a writer needs to know besides the pixels.

    Parameters
    ----------
    width, height : int
        Frame size in pixels.
    fps : float
        Frames per second.
    durations : tuple of float
        Seconds each frame stays on screen (1/fps each when empty); a constant-rate
        video repeats frames to match.
    loop : int
        0 to loop forever, else the number of plays.
    quality : int or None
        Encoder quality (CRF for video), None for the format's default.
    labels : tuple of FrameLabel
        One per frame.
    parts : tuple of str
        The images each frame is drawn as, when a player can switch layers off (see
        ``clusteranim.scene.parts``): for each, the name of the layer it draws, or "" for
        a part always shown. The writer receives all frames of the first part, then all
        of the next, and so on; the first part is opaque, the others transparent but for
        their layers. A single "" is the whole frame.
    toggles : tuple of (str, str)
        The layers a player can switch, each as (name, how the player labels it).
    objective_name : str
        What the objective is ("inertia", "mean log-likelihood").
    title : str
        A caption for players.
    """

    width: int
    height: int
    fps: float
    durations: tuple[float, ...] = ()
    loop: int = 0
    quality: int | None = None
    labels: tuple[FrameLabel, ...] = ()
    parts: tuple[str, ...] = ("",)
    toggles: tuple[tuple[str, str], ...] = ()
    objective_name: str = "objective"
    title: str = ""

    @property
    def n_frames(self) -> int:
        return len(self.labels)

    def seconds(self, n_frames: int) -> list[float]:
        """Seconds each of ``n_frames`` frames stays on screen."""
        if self.durations:
            return list(self.durations[:n_frames])
        return [1 / self.fps] * n_frames

    def repeats(self) -> list[int]:
        """How many times a constant-rate video shows each frame so that its running time
        tracks the frames' seconds (rounding the cumulative end times, not each frame)."""
        counts, total, shown = [], 0.0, 0
        for length in self.seconds(self.n_frames):
            total += length
            end = max(round(total * self.fps), shown)
            counts.append(end - shown)
            shown = end
        return counts


class Writer(Protocol):
    """Receives the frames of one animation, in order."""

    def write(self, frame: np.ndarray) -> None:
        """Add one frame, an RGBA array of shape (height, width, 4) uint8 (alpha 255).

        The array may be reused by the caller after the call, except the last one, which
        stays valid until ``finish``.
        """
        ...

    def finish(self) -> None:
        """Complete the file after the last frame."""
        ...

    def abort(self) -> None:
        """Stop after a failure: release everything (the partial file is removed by the caller)."""
        ...


class WriterFactory(Protocol):
    """A writer class: opened on a temporary path with the movie's description."""

    @property
    def extensions(self) -> tuple[str, ...]:
        """File extensions that select this format (none for a folder)."""
        ...

    @property
    def writes_folder(self) -> bool:
        """Whether the format is a folder of files rather than one file: a path without
        an extension, or ending in a slash, selects it."""
        ...

    def __call__(self, path: Path, movie: Movie) -> Writer: ...


@contextlib.contextmanager
def atomic_path(target: Path, folder: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target``, moved onto it only if the block succeeds.

    On any failure, including KeyboardInterrupt and SystemExit, the temporary file (or
    folder) is removed and ``target`` is left as it was. Only a regular file (or, for a
    folder, a folder) is ever renamed over: never a device, FIFO or symbolic link; the
    caller passes the checked path (see :mod:`clusteranim.writers.targets`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}."
    if folder:
        temporary = Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=target.parent))
    else:
        descriptor, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
        os.close(descriptor)
        temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, (0o755 if folder else 0o644) & ~_umask())
        if not is_replaceable(target, folder):  # it changed since the run was checked
            raise RenderError(
                f"{target}: is no longer a {'folder' if folder else 'regular file'}; not replaced"
            )
        _replace(temporary, target)
    except BaseException:
        _remove(temporary)
        raise


def _replace(source: Path, target: Path) -> None:
    """Move ``source`` onto ``target``; a folder replaces a folder."""
    if source.is_dir() and target.is_dir():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, retired / target.name)
        os.replace(source, target)
        shutil.rmtree(retired)
    else:
        os.replace(source, target)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def writing(target: Path, folder: bool = False) -> Iterator[Path]:
    """:func:`atomic_path`, with a failure to write (in the block too) reported as a
    :class:`RenderError` naming ``target``, not its temporary."""
    try:
        with atomic_path(target, folder=folder) as temporary:
            yield temporary
    except OSError as error:
        raise RenderError(f"{target}: cannot write ({error.strerror or error})") from error


@contextlib.contextmanager
def saving(factory: WriterFactory, target: Path, movie: Movie) -> Iterator[Writer]:
    """Open a writer on a temporary path beside ``target``; move it there when finished."""
    with writing(target, folder=factory.writes_folder) as temporary:
        writer = factory(temporary, movie)
        try:
            yield writer
            writer.finish()
        except BaseException:
            writer.abort()
            raise
