"""PNG encoding of one frame, for the frames folder, the HTML player and posters."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import numpy as np


def write_png(frame: np.ndarray, file: Path | BinaryIO, optimize: bool = False) -> None:
    """Write ``frame`` (RGBA, alpha 255) as an RGB PNG to a path or an open binary file.

    ``optimize`` asks zlib for its smallest output (several times slower): worth it for
    a single poster, not for every frame of an animation.
    """
    from PIL import Image

    Image.fromarray(frame).convert("RGB").save(file, format="PNG", optimize=optimize)


def png_bytes(frame: np.ndarray, transparent: bool = False) -> bytes:
    """``frame`` as the bytes of an RGB PNG, or with ``transparent`` of an RGBA one (the
    colour of fully transparent pixels dropped, which they do not show)."""
    buffer = io.BytesIO()
    if transparent:
        from PIL import Image

        clean = np.where(frame[:, :, 3:] == 0, 0, frame).astype(np.uint8)
        Image.fromarray(clean, "RGBA").save(buffer, format="PNG")
    else:
        write_png(frame, buffer)
    return buffer.getvalue()


def drawn_box(frame: np.ndarray) -> tuple[int, int, np.ndarray] | None:
    """The smallest box of an RGBA ``frame`` that holds every pixel not fully
    transparent, as (top, left, pixels); None when the frame is transparent throughout."""
    rows = np.flatnonzero(frame[:, :, 3].any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(frame[rows[0] : rows[-1] + 1, :, 3].any(axis=0))
    top, left = int(rows[0]), int(columns[0])
    return top, left, frame[top : rows[-1] + 1, left : columns[-1] + 1]
