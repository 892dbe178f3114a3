"""Output formats, registered by name, with the extensions that select them."""

from __future__ import annotations

import math
from pathlib import PurePath

from clusteranim.options import OptionError
from clusteranim.writers.base import FrameLabel, Movie, Writer, WriterFactory, atomic_path, saving, writing
from clusteranim.writers.frames import FramesWriter
from clusteranim.writers.gif import GifWriter
from clusteranim.writers.html import HtmlWriter
from clusteranim.writers.video import Mp4Writer, WebmWriter

FORMATS: dict[str, WriterFactory] = {
    "gif": GifWriter,
    "mp4": Mp4Writer,
    "webm": WebmWriter,
    "html": HtmlWriter,
    "frames": FramesWriter,
}


def format_for_path(path: str) -> str:
    """The format an output path names: its extension, or a folder (no extension, or a
    trailing slash) for PNG frames.

    Raises
    ------
    ValueError
        When no format has that extension.
    """
    if path.endswith(("/", "\\")) or not PurePath(path).suffix:
        return next(name for name, factory in FORMATS.items() if factory.writes_folder)
    suffix = PurePath(path).suffix.lower()
    for name, factory in FORMATS.items():
        if suffix in factory.extensions:
            return name
    known = ", ".join(extension for factory in FORMATS.values() for extension in factory.extensions)
    raise ValueError(
        f"has extension {suffix!r}; use one of {known}, a folder for PNG frames, or set output.format"
    )


# Largest frame side each format can store: GIF counts in 16 bits, and x264 stops at
# 16,384 (an odd side is padded by one).
MAX_SIDE = {"gif": 65_535, "mp4": 16_384, "webm": 65_535}
# GIF delays are hundredths of a second in 16 bits.
MAX_GIF_DELAY = 65_535
# ffmpeg's frame rate is a fraction with a denominator of at most 1001; below this it is 0.
MIN_VIDEO_FPS = 0.001


def check_settings(
    output_format: str, width: int, height: int, fps: float, longest: float = 0.0, longest_key: str = ""
) -> None:
    """Raise :class:`OptionError` (keyed from the scenario's root) when ``output_format``
    cannot store frames of this size at this rate, or a frame lasting ``longest`` seconds
    (reported at ``longest_key``, the setting that makes it long)."""
    max_side = MAX_SIDE.get(output_format)
    if max_side is not None:
        for key, side in (("style.width", width), ("style.height", height)):
            if side > max_side:
                raise OptionError(key, f"must be <= {max_side:,} for {output_format.upper()}, got {side:,}")
    if output_format == "gif":
        if fps > 50:
            raise OptionError(
                "output.fps", f"must be <= 50 for a GIF (it counts hundredths of a second), got {fps:g}"
            )
        if 100 / fps > MAX_GIF_DELAY:
            slowest = math.ceil(100 / MAX_GIF_DELAY * 10_000) / 10_000
            raise OptionError(
                "output.fps", f"must be >= {slowest} for a GIF (a frame lasts at most 655.35 s), got {fps:g}"
            )
        if round(longest * 100) + 1 > MAX_GIF_DELAY:
            raise OptionError(
                longest_key,
                f"a GIF frame would last up to {longest:g} s (1/fps, slowed at the start, plus the"
                " holds it ends); a GIF frame lasts at most 655.35 s",
            )
    if output_format in ("mp4", "webm") and fps < MIN_VIDEO_FPS:
        raise OptionError("output.fps", f"must be >= {MIN_VIDEO_FPS} for video, got {fps:g}")


__all__ = [
    "FORMATS",
    "FrameLabel",
    "Movie",
    "Writer",
    "WriterFactory",
    "atomic_path",
    "check_settings",
    "format_for_path",
    "saving",
    "writing",
]
