"""What a step changes, made visible: a ring around each point that changed cluster, and
an arrow from each centre's old position to its new one while it moves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection
    from matplotlib.patches import FancyArrowPatch

#: Above this many changed points, their rings fade (to a quarter at four times as many).
CROWD = 150
#: Points between an arrow's head and the centre it points at (a centroid marker's radius).
ARROW_GAP = 8.0
#: Shortest move drawn, in points: the gap, the head (0.4 x its 14-point scale) and some
#: shaft; shorter, matplotlib turns the head back over the start.
SHORTEST_ARROW = ARROW_GAP + 12.0


class ChangesOptions(LayerOptions):
    """Rings around the points that changed cluster, and arrows along the centres' moves."""

    summary = "rings around points that changed cluster, arrows along each centre's move"
    display_name = "changes"

    name: Literal["changes"] = "changes"
    rings: bool = Field(
        True,
        description="Ring each point whose cluster changed: at each state, or in explain mode"
        " at each assignment, fading over it.",
    )
    ring_color: Color | None = Field(None, description="Colour of the rings; by default the text colour.")
    ring_size: float = Field(70.0, gt=0, le=10_000, description="Ring area in points squared.")
    arrows: bool = Field(
        True,
        description="Draw an arrow from each centre's old position to its new one during an"
        " update (explain mode; needs centres).",
    )

    def build(self, context: SceneContext) -> ChangesLayer:
        from matplotlib.colors import to_rgba

        color = to_rgba(self.ring_color or context.theme.foreground)
        rings = context.axes.scatter(
            [], [], s=self.ring_size, facecolors="none", edgecolors=[color], linewidths=1.3
        )
        arrows = []
        if self.arrows and context.trace.capabilities.centers:
            arrows = [_arrow(context, color) for color in context.colors]
        return ChangesLayer(self, context, rings, arrows, color)


def _arrow(context: SceneContext, color: np.ndarray) -> FancyArrowPatch:
    from matplotlib import patheffects
    from matplotlib.patches import FancyArrowPatch

    arrow = FancyArrowPatch(
        (0.0, 0.0),
        (0.0, 0.0),
        arrowstyle="-|>",
        mutation_scale=14,
        linewidth=1.8,
        color=color,
        alpha=0.8,
        shrinkA=0,
        shrinkB=ARROW_GAP,
        visible=False,
    )
    arrow.set_path_effects(
        [patheffects.withStroke(linewidth=3.5, foreground=context.theme.background), patheffects.Normal()]
    )
    context.axes.add_patch(arrow)
    return arrow


class ChangesLayer:
    """Rings re-placed and faded per frame; arrows shown during updates."""

    static = False
    per_iteration = False

    def __init__(
        self,
        options: ChangesOptions,
        context: SceneContext,
        rings: PathCollection,
        arrows: list[FancyArrowPatch],
        color: tuple[float, float, float, float],
    ) -> None:
        self.options = options
        self.context = context
        self.rings = rings
        self.arrows = arrows
        self.color = np.asarray(color)
        self.artists: list[Artist] = [rings, *arrows]
        self.shortest = SHORTEST_ARROW * context.figure.dpi / 72  # pixels

    def update(self, frame: Frame) -> Sequence[Artist]:
        drawn: list[Artist] = []
        if self.options.rings:
            changed = self.ringed(frame)
            self.rings.set_offsets(self.context.points[changed])
            if len(changed):
                glow = 1.0 if frame.assignment is None else frame.assignment.glow
                # Hundreds of rings at full strength would hide the points they mark.
                glow *= min(max(CROWD / len(changed), 0.25), 1.0)
                self.rings.set_edgecolor([(*self.color[:3], self.color[3] * glow)])
                drawn.append(self.rings)
        if self.arrows and frame.phase == "update" and frame.assignment is not None:
            drawn += self._place_arrows(frame.assignment.after)
        return drawn

    @staticmethod
    def ringed(frame: Frame) -> np.ndarray:
        """The points ringed in ``frame``: those that changed cluster, while the ring shows."""
        if frame.assignment is not None and frame.assignment.glow <= 0:
            return np.zeros(0, dtype=np.intp)
        return frame.changed

    def _place_arrows(self, start: int) -> list[Artist]:
        """Arrows from the centres of state ``start`` to those of the next state."""
        trace = self.context.trace
        if start + 1 >= len(trace):
            return []
        project = self.context.projection.points
        old, new = project(trace.centers[start]), project(trace.centers[start + 1])
        to_pixels = self.context.axes.transData.transform
        drawn: list[Artist] = []
        for arrow, begin, end in zip(self.arrows, old, new, strict=True):
            if np.isnan(begin).any() or np.isnan(end).any():
                continue  # the cluster does not exist at one end
            if np.hypot(*(to_pixels(end) - to_pixels(begin))) < self.shortest:
                continue  # a move within the marker: an arrow would be all head
            arrow.set_positions(tuple(begin), tuple(end))
            arrow.set_visible(True)
            drawn.append(arrow)
        return drawn
