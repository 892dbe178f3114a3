"""Output formats, registered by name, with the extensions that select them."""

from __future__ import annotations

from pathlib import PurePath

from clusteranim.writers.base import FrameLabel, Movie, Writer, WriterFactory, atomic_path, saving
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
        return "frames"
    suffix = PurePath(path).suffix.lower()
    for name, factory in FORMATS.items():
        if suffix in factory.extensions:
            return name
    known = ", ".join(
        extension for factory in FORMATS.values() for extension in factory.extensions if extension != "/"
    )
    raise ValueError(
        f"has extension {suffix!r}; use one of {known}, a folder for PNG frames, or set output.format"
    )


__all__ = [
    "FORMATS",
    "FrameLabel",
    "Movie",
    "Writer",
    "WriterFactory",
    "atomic_path",
    "format_for_path",
    "saving",
]
