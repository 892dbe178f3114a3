"""Medoids: each centre drawn as the data point it is, ringed in its cluster's colour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection

#: Width in points of the outline on each side of a ring, so that it shows over points of
#: its own colour and over regions.
RING_OUTLINE = 1.0


class MedoidsOptions(LayerOptions):
    """A ring around each centre's data point, in the cluster's colour with an outline, and
    the point itself redrawn on top: for methods whose centres are data points (k-medoids),
    which a centroid marker would hide."""

    summary = "each medoid as its data point, ringed in its cluster's colour"
    display_name = "medoids"
    needs = ("centers",)

    name: Literal["medoids"] = "medoids"
    size: float = Field(300.0, gt=0, le=10_000, description="Area of the ring in points squared.")
    linewidth: float = Field(2.5, gt=0, le=20, description="Width of the ring in points.")
    point_size: float = Field(30.0, ge=0, le=10_000, description="Area of the medoid's own dot (0 for none).")
    color: Color | None = Field(
        None, description="One colour for every ring and dot; by default each cluster's own."
    )
    edgecolor: Color | None = Field(
        None,
        description="Colour of the outline of rings and dots; by default black on the light theme,"
        " the text colour on the dark one.",
    )

    def build(self, context: SceneContext) -> MedoidsLayer:
        from matplotlib import patheffects
        from matplotlib.colors import to_rgba

        n_clusters = context.colors.shape[0]
        fill = (
            [to_rgba(color) for color in context.colors]
            if self.color is None
            else [to_rgba(self.color)] * n_clusters
        )
        edge = self.edgecolor or context.theme.outline
        origins = [0.0] * n_clusters
        ring = context.axes.scatter(
            origins,
            origins,
            s=self.size,
            marker="o",
            facecolors="none",
            edgecolors=fill,
            linewidths=self.linewidth,
        )
        ring.set_path_effects(
            [
                patheffects.Stroke(linewidth=self.linewidth + 2 * RING_OUTLINE, foreground=edge),
                patheffects.Normal(),
            ]
        )
        dot = context.axes.scatter(
            origins,
            origins,
            s=self.point_size,
            marker="o",
            c=fill,
            edgecolors=edge,
            linewidths=0.8,
        )
        return MedoidsLayer(context, [ring, dot] if self.point_size > 0 else [ring])


class MedoidsLayer:
    """The rings and dots, moved per frame (between two states they slide from one medoid
    to the next); a cluster without a centre in a frame (NaN) shows neither."""

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, collections: list[PathCollection]) -> None:
        self.context = context
        self.collections = collections
        self.artists: list[Artist] = list(collections)

    def update(self, frame: Frame) -> Sequence[Artist]:
        centers = self.context.projection.points(frame.state.centers)
        for collection in self.collections:
            collection.set_offsets(centers)
        return self.artists
