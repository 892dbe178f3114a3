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


def png_bytes(frame: np.ndarray) -> bytes:
    """``frame`` as the bytes of an RGB PNG."""
    buffer = io.BytesIO()
    write_png(frame, buffer)
    return buffer.getvalue()
