"""A folder of zero-padded PNG frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clusteranim.writers.base import Movie
from clusteranim.writers.png import write_png
from clusteranim.writers.targets import write_manifest


class FramesWriter:
    """Writes ``frame_0000.png``, ``frame_0001.png``, ... into a folder, and a manifest
    of them, so that a later run replaces the folder only while it holds nothing else."""

    extensions = ()
    writes_folder = True

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.digits = max(4, len(str(movie.n_frames - 1)))
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        write_png(frame, self.path / self._name(self.count))
        self.count += 1

    def finish(self) -> None:
        """Every frame is already on disk: list them."""
        write_manifest(self.path, (self._name(index) for index in range(self.count)))

    def _name(self, index: int) -> str:
        return f"frame_{index:0{self.digits}d}.png"

    def abort(self) -> None:
        """The caller removes the partial folder."""
