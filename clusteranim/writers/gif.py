"""Animated GIF through Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from clusteranim.writers.base import Timing


class GifWriter:
    """Collects the frames and writes a looping GIF when finished."""

    extensions = (".gif",)

    def __init__(self, path: Path, width: int, height: int, timing: Timing) -> None:
        self.path = path
        self.timing = timing
        self.frames: list[np.ndarray] = []

    def write(self, frame: np.ndarray) -> None:
        self.frames.append(frame)

    def finish(self) -> None:
        from PIL import Image

        images = [
            Image.fromarray(frame).quantize(colors=256, dither=Image.Dither.NONE) for frame in self.frames
        ]
        durations = frame_durations(len(images), self.timing)
        images[0].save(
            self.path,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=durations,
            loop=0,
        )


def frame_durations(n_frames: int, timing: Timing) -> list[int]:
    """Milliseconds each frame is shown, the hold added to the last."""
    durations = [round(1000 / timing.fps)] * n_frames
    durations[-1] += round(1000 * timing.hold_last)
    return durations
