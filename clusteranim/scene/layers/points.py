"""The data points, coloured by assignment, by responsibility, by true class, or plainly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import FloatArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection


class PointsLayer(LayerOptions):
    """Scatter of the data points."""

    summary = "the data points, coloured by assignment, responsibility, true class or plainly"

    name: Literal["points"] = "points"
    color_by: Literal["assignment", "responsibility", "truth", "none"] = Field(
        "assignment",
        description="assignment: the cluster's colour; responsibility: the mix of the"
        " components' colours weighted by the point's posterior; truth: the colour of its"
        " true class; none: one plain colour.",
    )
    size: float = Field(12.0, gt=0, le=10_000, description="Marker area in points squared.")
    alpha: float = Field(0.85, ge=0, le=1, description="Opacity.")
    marker: str = Field("o", description="A matplotlib marker: o, x, +, s, ^, ...")
    color: str = Field("#555555", description="Colour of every point when color_by is none.")

    def build(self, context: SceneContext) -> Points:
        from matplotlib.markers import MarkerStyle

        filled = MarkerStyle(self.marker).is_filled()
        collection = context.axes.scatter(
            context.points[:, 0],
            context.points[:, 1],
            s=self.size,
            marker=self.marker,
            linewidths=0.0 if filled else 1.2,
            alpha=self.alpha,
            color=self.color,
        )
        layer = Points(self, context, collection, filled)
        if layer.static:
            layer.paint(self._static_colors(context))
        return layer

    def _static_colors(self, context: SceneContext) -> FloatArray:
        if self.color_by == "truth" and context.true_labels is not None:
            return truth_colors(context)
        from matplotlib.colors import to_rgba

        return np.tile(to_rgba(self.color), (context.points.shape[0], 1))


def truth_colors(context: SceneContext) -> FloatArray:
    """Colour of each point's true class (the cluster palette, extended if needed)."""
    from clusteranim.scene.palette import cluster_colors

    assert context.true_labels is not None
    n_classes = int(context.true_labels.max()) + 1
    colors = context.colors if n_classes <= len(context.colors) else cluster_colors("hsv", n_classes)
    return colors[context.true_labels]


class Points:
    """The scatter artist, recoloured per frame unless its colours never change."""

    def __init__(
        self, options: PointsLayer, context: SceneContext, collection: PathCollection, filled: bool
    ) -> None:
        self.options = options
        self.context = context
        self.collection = collection
        self.filled = filled
        self.static = options.color_by in ("truth", "none")
        self.artists: list[Artist] = [collection]

    def paint(self, rgba: FloatArray) -> None:
        if self.filled:
            self.collection.set_facecolor(rgba)  # type: ignore[arg-type]
        else:
            self.collection.set_edgecolor(rgba)  # type: ignore[arg-type]
        self.collection.set_alpha(self.options.alpha)

    def update(self, frame: Frame) -> Sequence[Artist]:
        if not self.static:
            colors = self.context.colors
            if self.options.color_by == "responsibility":
                # Convex mix of the components' colours: a point owned by one component
                # has exactly its colour, a 50/50 point the mean of the two.
                rgba = np.clip(frame.responsibilities @ colors, 0.0, 1.0)
            else:
                rgba = colors[frame.labels]
            self.paint(rgba)
        return self.artists
