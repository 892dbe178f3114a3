"""Centroid or component-mean markers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Color, Marker

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection


class CentroidsOptions(LayerOptions):
    """A marker at each centroid, in its cluster's colour or one fixed colour."""

    summary = "a marker at each centroid or component mean"
    display_name = "centroids"
    needs = ("centers",)

    name: Literal["centroids"] = "centroids"
    marker: Marker = Field("o", description="A matplotlib marker: o, x, X, *, D, ...")
    size: float = Field(160.0, gt=0, le=10_000, description="Marker area in points squared.")
    color: Color | None = Field(
        None, description="One colour for every centroid; by default each cluster's own."
    )
    edgecolor: Color = Field("black", description="Colour of the marker's outline.")
    linewidth: float = Field(1.5, ge=0, le=20, description="Width of the outline (or of x and + strokes).")

    def build(self, context: SceneContext) -> CentroidsLayer:
        from matplotlib.colors import to_rgba
        from matplotlib.markers import MarkerStyle

        n_clusters = context.colors.shape[0]
        fill = context.colors if self.color is None else [to_rgba(self.color)] * n_clusters
        filled = MarkerStyle(self.marker).is_filled()
        # An unfilled marker (x, +) is drawn in its face colour; a filled one gets an outline.
        collection = context.axes.scatter(
            [0.0] * n_clusters,
            [0.0] * n_clusters,
            s=self.size,
            marker=self.marker,
            c=fill,
            edgecolors=self.edgecolor if filled else None,
            linewidths=self.linewidth if filled else max(self.linewidth, 2.5),
        )
        return CentroidsLayer(context, collection)


class CentroidsLayer:
    """The centroid markers, moved per frame."""

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, collection: PathCollection) -> None:
        self.context = context
        self.collection = collection
        self.artists: list[Artist] = [collection]

    def update(self, frame: Frame) -> Sequence[Artist]:
        self.collection.set_offsets(self.context.projection.points(frame.state.centers))
        return self.artists
