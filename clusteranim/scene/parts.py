"""A frame cut into images of its layers, so that a player can hide some of them.

A player that lets the viewer switch layers off needs each switchable layer's pixels
apart from the rest. The layers, in drawing order, are cut into runs: each switchable
layer on its own, and the layers between them together. The first image also holds the
figure and the axes beneath its layers and is opaque; the others are transparent but
for what their layers draw; the last holds the axes frame, which goes over everything.
Laid over each other in order, the images make the frame; leaving one out hides its
layer. With t switchable layers there are at most 2t + 1 images, each holding only
what its layers draw, so a player's file grows by what those layers draw, not twofold
per switch.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Part:
    """One image of each frame: some consecutive layers of the scene.

    Parameters
    ----------
    layers : tuple of int
        Positions of the layers it draws in the style's list (consecutive).
    toggle : str
        The name of the switchable layer it draws, or "" for a part always shown.
    base : bool
        Whether it is the first, opaque part (the figure and the axes beneath its layers).
    frame_lines : bool
        Whether it draws the axes frame (the last part).
    """

    layers: tuple[int, ...]
    toggle: str = ""
    base: bool = False
    frame_lines: bool = False

    @property
    def whole(self) -> bool:
        """Whether it is the whole frame (the only part)."""
        return self.base and self.frame_lines


def parts_of(names: Sequence[str], toggles: Collection[str]) -> tuple[Part, ...]:
    """The parts of a frame whose layers are called ``names`` (in drawing order) when
    the layers called ``toggles`` can be switched off: the whole frame when none can."""
    if not any(name in toggles for name in names):
        return (Part(tuple(range(len(names))), base=True, frame_lines=True),)
    runs: list[tuple[str, list[int]]] = []
    for position, name in enumerate(names):
        key = name if name in toggles else ""
        if runs and runs[-1][0] == key:
            runs[-1][1].append(position)
        else:
            runs.append((key, [position]))
    if runs[0][0]:
        runs.insert(0, ("", []))  # the figure and the axes alone
    if runs[-1][0]:
        runs.append(("", []))  # the axes frame alone
    last = len(runs) - 1
    return tuple(
        Part(tuple(layers), toggle, base=index == 0, frame_lines=index == last)
        for index, (toggle, layers) in enumerate(runs)
    )


def compose(images: Sequence[np.ndarray]) -> np.ndarray:
    """One frame's parts (RGBA uint8, the first opaque) laid over each other in order:
    the frame, RGBA with alpha 255 (to within rounding of drawing it whole)."""
    frame = images[0][:, :, :3].astype(np.float32)
    for image in images[1:]:
        alpha = image[:, :, 3:].astype(np.float32) / 255
        frame += (image[:, :, :3] - frame) * alpha
    composed = np.full(images[0].shape, 255, np.uint8)
    composed[:, :, :3] = np.rint(frame)
    return composed
