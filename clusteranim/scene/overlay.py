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


def blend_transparent(item: Pixels, buffer: np.ndarray) -> None:
    """Composite ``item`` over ``buffer`` (RGBA, rows top down) whose pixels may be
    transparent, with colours not multiplied by alpha (as Agg keeps them).

    A blend over opaque pixels mixes each channel as ``colour x a + beneath x (1 - a)``;
    done once over black and once over white it gives the item's colour times its
    opacity and the opacity itself, whatever kind of pixels the item is.
    """
    black = np.zeros_like(buffer)
    black[:, :, 3] = 255
    white = np.full_like(buffer, 255)
    item.blend(black)
    item.blend(white)
    covered = (white[:, :, 0] < 255) | (white[:, :, 1] < 255) | (white[:, :, 2] < 255)
    rows, columns = np.nonzero(covered)
    if rows.size == 0:
        return
    clear = white[rows, columns, :3].astype(np.float32) - black[rows, columns, :3]  # 255 x (1 - a)
    left = clear.mean(axis=1, keepdims=True) / 255  # 1 - a
    colour = black[rows, columns, :3].astype(np.float32)  # colour x a
    beneath = buffer[rows, columns].astype(np.float32)
    kept = beneath[:, 3:] / 255 * left  # what shows of the pixels beneath
    alpha = 1 - left + kept
    mixed = (colour + beneath[:, :3] * kept) / np.maximum(alpha, 1e-6)
    buffer[rows, columns, :3] = np.rint(np.clip(mixed, 0, 255)).astype(np.uint8)
    buffer[rows, columns, 3] = np.rint(alpha[:, 0] * 255).astype(np.uint8)


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
