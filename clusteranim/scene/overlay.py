"""Pixels drawn once and blended over every frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure
    from matplotlib.text import Text


#: A plain background colour, as 8-bit RGB.
Plain = tuple[int, int, int]


@runtime_checkable
class Pixels(Protocol):
    """Pixels a layer gives instead of artists, composited into the frame by numpy."""

    def blend(self, buffer: np.ndarray, plain: Plain | None = None) -> None:
        """Composite over ``buffer`` (the frame's RGBA pixels, rows top down) in place;
        ``plain`` is the colour of the axes when nothing has been drawn over their bare
        background in this frame yet."""
        ...


class Overlay:
    """The pixels of a static layer, drawn alone once, blended over each frame.

    Equivalent to drawing the layer's artists again (to within rounding), at the cost
    of a small alpha blend instead of laying out text and patches every frame.
    """

    def __init__(self, top: int, left: int, color: np.ndarray, alpha: np.ndarray) -> None:
        self.top, self.left = top, left
        self.color, self.alpha = color, alpha

    @classmethod
    def of(cls, artists: Sequence[Artist], figure: Figure) -> Overlay:
        """The pixels of ``artists`` drawn alone (they may be animated)."""
        from matplotlib.backends.backend_agg import RendererAgg

        width, height = figure.canvas.get_width_height()
        renderer = RendererAgg(width, height, figure.dpi)
        for artist in artists:
            artist.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        rows, columns = np.flatnonzero(rgba[:, :, 3].any(axis=1)), np.flatnonzero(rgba[:, :, 3].any(axis=0))
        if rows.size == 0:
            return cls(0, 0, np.zeros((0, 0, 3), np.float32), np.zeros((0, 0, 1), np.float32))
        window = rgba[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1].astype(np.float32)
        alpha = window[:, :, 3:] / 255
        return cls(int(rows[0]), int(columns[0]), window[:, :, :3] * alpha, 1 - alpha)

    def blend(self, buffer: np.ndarray, plain: Plain | None = None) -> None:
        """Composite over ``buffer`` (the canvas's RGBA pixels) in place."""
        height, width = self.alpha.shape[:2]
        region = buffer[self.top : self.top + height, self.left : self.left + width, :3]
        region[...] = np.rint(self.color + region * self.alpha).astype(np.uint8)


class TextOverlays:
    """Each distinct content of one text artist, rendered once and kept as an overlay.

    Laying out and rasterising glyphs is most of the cost of a frame; frames that share
    a text (a title, a caption) blend its pixels instead.
    """

    #: Contents kept at once (the oldest are dropped past it).
    KEEP = 256

    def __init__(self, text: Text, figure: Figure) -> None:
        self.text = text
        self.figure = figure
        self.rendered: dict[str, Overlay] = {}

    def __call__(self, content: str) -> Overlay:
        if content not in self.rendered:
            if len(self.rendered) >= self.KEEP:
                self.rendered.pop(next(iter(self.rendered)))
            self.text.set_text(content)
            self.rendered[content] = Overlay.of([self.text], self.figure)
        return self.rendered[content]
