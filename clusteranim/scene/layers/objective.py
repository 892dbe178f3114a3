"""A small panel plotting the objective up to the current iteration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D


class ObjectiveOptions(LayerOptions):
    """An inset plot of inertia (k-means) or mean log-likelihood (mixtures) so far."""

    summary = "a small panel plotting the objective up to the current iteration"
    display_name = "objective panel"
    needs = ("objective",)

    name: Literal["objective"] = "objective"
    corner: Literal["upper left", "upper right", "lower left", "lower right"] = Field(
        "lower right", description="Which corner of the axes the panel sits in."
    )
    width: float = Field(0.34, gt=0.05, le=1, description="Panel width as a fraction of the axes.")
    height: float = Field(0.26, gt=0.05, le=1, description="Panel height as a fraction of the axes.")

    def build(self, context: SceneContext) -> ObjectiveLayer:
        vertical, horizontal = self.corner.split()
        margin = 0.02
        left = margin + 0.06 if horizontal == "left" else 1 - margin - self.width
        bottom = margin + 0.05 if vertical == "lower" else 1 - margin - self.height
        panel = context.axes.inset_axes((left, bottom, self.width, self.height))
        objective = context.trace.objective
        low, high = float(objective.min()), float(objective.max())
        span = high - low or max(abs(high), 1.0) * 0.1
        panel.set_xlim(0, max(context.trace.n_iter, 1))
        panel.set_ylim(low - 0.08 * span, high + 0.08 * span)
        panel.patch.set_alpha(0.85)
        panel.tick_params(labelsize="x-small", length=2, pad=1)
        panel.set_title(context.trace.capabilities.objective or "", fontsize="x-small", pad=2)
        panel.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
        (line,) = panel.plot([], [], color=context.theme.foreground, linewidth=1.2)
        (marker,) = panel.plot([], [], "o", color=context.colors[0], markersize=4)
        return ObjectiveLayer(panel, line, marker)


class ObjectiveLayer:
    """The whole panel is redrawn per frame, above the layers beneath it."""

    static = False
    per_iteration = False

    def __init__(self, panel: Axes, line: Line2D, marker: Line2D) -> None:
        self.panel = panel
        self.line = line
        self.marker = marker
        self.artists: list[Artist] = [panel]

    def update(self, frame: Frame) -> Sequence[Artist]:
        history = frame.objective_history
        steps = np.arange(len(history))
        self.line.set_data(steps, history)
        self.marker.set_data(steps[-1:], history[-1:])
        return self.artists
