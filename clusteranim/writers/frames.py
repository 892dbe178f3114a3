"""A folder of zero-padded PNG frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clusteranim.writers.base import Movie


class FramesWriter:
    """Writes ``frame_0000.png``, ``frame_0001.png``, ... into a folder."""

    extensions = ("/",)

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.digits = max(4, len(str(movie.n_frames - 1)))
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        from PIL import Image

        image = Image.fromarray(frame).convert("RGB")
        image.save(self.path / f"frame_{self.count:0{self.digits}d}.png", format="PNG")
        self.count += 1

    def finish(self) -> None:
        """Every frame is already on disk."""

    def abort(self) -> None:
        """The caller removes the partial folder."""
