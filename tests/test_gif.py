"""The GIF writer, checked by decoding what it wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from clusteranim.writers import Timing, saving
from clusteranim.writers.gif import GifWriter, frame_durations


def decode(path: Path) -> tuple[list[np.ndarray], list[int]]:
    with Image.open(path) as image:
        frames, durations = [], []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
    return frames, durations


def test_gif_holds_the_frames_drawn(tmp_path: Path, rng: np.random.Generator) -> None:
    # Flat-coloured frames with a moving square, as a scene makes them.
    frames = []
    for step in range(6):
        frame = np.full((48, 64, 3), 255, dtype=np.uint8)
        frame[10 + step : 20 + step, 5 * step : 5 * step + 12] = (31, 119, 180)
        frame[30:40, 40:50] = (255, 127, 14)
        frames.append(frame)
    target = tmp_path / "out.gif"
    with saving(GifWriter, target, 64, 48, Timing(fps=4, hold_last=1.0)) as writer:
        for frame in frames:
            writer.write(frame)
    decoded, durations = decode(target)
    assert len(decoded) == len(frames)
    for original, back in zip(frames, decoded, strict=True):
        assert np.array_equal(original, back)
    assert durations == [250] * 5 + [1250]


def test_durations_add_the_hold_to_the_last_frame() -> None:
    assert frame_durations(3, Timing(fps=2, hold_last=1.5)) == [500, 500, 2000]


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "broken.gif"
    target.write_bytes(b"previous")
    try:
        with saving(GifWriter, target, 8, 8, Timing(fps=1, hold_last=0)) as writer:
            writer.write(np.zeros((8, 8, 3), dtype=np.uint8))
            raise RuntimeError("drawing failed")
    except RuntimeError:
        pass
    assert target.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["broken.gif"]
