"""A small panel plotting the objective up to the current iteration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from clusteranim.scene.base import Frame, SceneContext
from clusteranim.scene.panel import PAD, PanelLayer, PanelOptions

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

MARKER_SIZE = 4.0


class ObjectiveOptions(PanelOptions):
    """An inset plot of inertia (k-means) or mean log-likelihood (mixtures) so far."""

    summary = "a small panel plotting the objective up to the current iteration"
    display_name = "objective panel"
    needs = ("objective",)

    name: Literal["objective"] = "objective"

    def build(self, context: SceneContext) -> ObjectiveLayer:
        box, panel = self.panel(context, context.trace.capabilities.objective or "")
        objective = context.trace.objective
        low, high = float(objective.min()), float(objective.max())
        span = high - low or max(abs(high), 1.0) * 0.1
        panel.set_xlim(0, max(context.trace.n_iter, 1))
        panel.set_ylim(low - 0.08 * span, high + 0.08 * span)
        (line,) = panel.plot([], [], color=context.theme.foreground, linewidth=1.2)
        # Not clipped, and over the frame: at the first or last iteration, or the extreme
        # value, the marker sits on the panel's edge.
        (marker,) = panel.plot(
            [], [], "o", color=context.colors[0], markersize=MARKER_SIZE, clip_on=False, zorder=3
        )
        return ObjectiveLayer(self, context, box, panel, line, marker)


class ObjectiveLayer(PanelLayer):
    """The line of the objective so far, and a marker at the frame's iteration."""

    def __init__(
        self,
        options: ObjectiveOptions,
        context: SceneContext,
        box: Rectangle,
        panel: Axes,
        line: Line2D,
        marker: Line2D,
    ) -> None:
        super().__init__(options, context, box, panel, pad=max(PAD, MARKER_SIZE / 2 + 1))
        self.line = line
        self.marker = marker

    def update(self, frame: Frame) -> Sequence[Artist]:
        if not self.placed:
            self.place()
        history = frame.objective_history
        steps = np.arange(len(history))
        self.line.set_data(steps, history)
        self.marker.set_data(steps[-1:], history[-1:])
        return self.artists
