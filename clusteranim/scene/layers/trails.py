"""The path each centroid has travelled so far."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Marker

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D


class TrailsOptions(LayerOptions):
    """A line through every position of each centroid, in its cluster's colour."""

    summary = "the path of each centroid so far"
    display_name = "trails"
    needs = ("centers",)

    name: Literal["trails"] = "trails"
    linewidth: float = Field(1.5, gt=0, le=20, description="Line width in points.")
    alpha: float = Field(0.8, ge=0, le=1, description="Opacity.")
    marker: Marker | None = Field("o", description="Marker at each past position (null for none).")
    markersize: float = Field(3.0, ge=0, le=50, description="Size of those markers in points.")

    def build(self, context: SceneContext) -> TrailsLayer:
        lines = [
            context.axes.plot(
                [],
                [],
                color=color,
                linewidth=self.linewidth,
                alpha=self.alpha,
                marker=self.marker or "",
                markersize=self.markersize,
                solid_capstyle="round",
            )[0]
            for color in context.colors
        ]
        return TrailsLayer(context, lines)


class TrailsLayer:
    """One line per cluster, extended per frame."""

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, lines: list[Line2D]) -> None:
        self.context = context
        self.lines = lines
        self.artists: list[Artist] = list(lines)

    def update(self, frame: Frame) -> Sequence[Artist]:
        path = self.context.projection.points(frame.center_history)
        active = frame.active
        for cluster, line in enumerate(self.lines):
            line.set_data(path[:, cluster, 0], path[:, cluster, 1])
            line.set_visible(bool(active[cluster]))  # a cluster merged away leaves no trail
        return self.artists
