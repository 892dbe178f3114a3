"""Output formats, registered by name, with the extensions that select them."""

from __future__ import annotations

from pathlib import PurePath

from clusteranim.writers.base import Timing, Writer, WriterFactory, atomic_path, saving
from clusteranim.writers.gif import GifWriter

FORMATS: dict[str, WriterFactory] = {
    "gif": GifWriter,
}


def format_for_path(path: str) -> str:
    """The format an output path's extension names.

    Raises
    ------
    ValueError
        When no format has that extension.
    """
    suffix = PurePath(path).suffix.lower()
    for name, factory in FORMATS.items():
        if suffix in factory.extensions:
            return name
    known = ", ".join(extension for factory in FORMATS.values() for extension in factory.extensions)
    described = f"extension {suffix!r}" if suffix else "no extension"
    raise ValueError(f"has {described}; use one of {known}, or set output.format")


__all__ = ["FORMATS", "Timing", "Writer", "WriterFactory", "atomic_path", "format_for_path", "saving"]
