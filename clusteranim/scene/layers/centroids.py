"""Centroid or component-mean markers, optionally numbered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Color, Marker

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection
    from matplotlib.text import Annotation

#: Width in points of the outline drawn on each side of an x or + marker's strokes.
LINE_OUTLINE = 1.25
#: Width in points of the halo around a cluster's number.
NUMBER_HALO = 2.5


class CentroidsOptions(LayerOptions):
    """A marker at each centroid, in its cluster's colour or one fixed colour, outlined so
    that it stands out over points of its own colour."""

    summary = "a marker at each centroid or component mean"
    display_name = "centroids"
    needs = ("centers",)

    name: Literal["centroids"] = "centroids"
    marker: Marker = Field("o", description="A matplotlib marker: o, x, X, *, D, ...")
    size: float = Field(160.0, gt=0, le=10_000, description="Marker area in points squared.")
    color: Color | None = Field(
        None, description="One colour for every centroid; by default each cluster's own."
    )
    edgecolor: Color | None = Field(
        None,
        description="Colour of the marker's outline (for x and +, an outline drawn around the"
        " strokes); by default black on the light theme, the text colour on the dark one.",
    )
    linewidth: float = Field(1.5, ge=0, le=20, description="Width of the outline (or of x and + strokes).")
    numbers: bool = Field(
        False,
        description="Write each cluster's number (1, 2, ..., as in the legend's \"cluster 1\")"
        " beside its marker.",
    )

    def build(self, context: SceneContext) -> CentroidsLayer:
        from matplotlib import patheffects
        from matplotlib.colors import to_rgba
        from matplotlib.markers import MarkerStyle

        n_clusters = context.colors.shape[0]
        fill = context.colors if self.color is None else [to_rgba(self.color)] * n_clusters
        filled = MarkerStyle(self.marker).is_filled()
        edge = self.edgecolor or context.theme.outline
        stroke = self.linewidth if filled else max(self.linewidth, 2.5)
        collection = context.axes.scatter(
            [0.0] * n_clusters,
            [0.0] * n_clusters,
            s=self.size,
            marker=self.marker,
            c=fill,
            edgecolors=edge if filled else None,
            linewidths=stroke,
        )
        if not filled:
            # An x or + is drawn in its face colour, and vanishes over points of that
            # colour without a line of the edge colour around its strokes.
            collection.set_path_effects(
                [patheffects.withStroke(linewidth=stroke + 2 * LINE_OUTLINE, foreground=edge)]
            )
        numbers = [self._number(context, index) for index in range(n_clusters)] if self.numbers else []
        return CentroidsLayer(context, collection, numbers)

    def _number(self, context: SceneContext, index: int) -> Annotation:
        """The number of cluster ``index``, above and right of its marker, with a halo of
        the background colour so that it reads over points and regions."""
        from matplotlib import patheffects

        offset = 0.4 * float(np.sqrt(self.size))  # just beyond the marker's radius, diagonally
        return context.axes.annotate(
            str(index + 1),
            xy=(0.0, 0.0),
            xytext=(offset, offset),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize="medium",
            fontweight="bold",
            color=context.theme.foreground,
            annotation_clip=False,
            path_effects=[patheffects.withStroke(linewidth=NUMBER_HALO, foreground=context.theme.background)],
        )


class CentroidsLayer:
    """The centroid markers and their numbers, moved per frame; a cluster that does not
    exist in a frame (NaN centre) shows neither."""

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, collection: PathCollection, numbers: list[Annotation]) -> None:
        self.context = context
        self.collection = collection
        self.numbers = numbers
        self.artists: list[Artist] = [collection, *numbers]

    def update(self, frame: Frame) -> Sequence[Artist]:
        centers = self.context.projection.points(frame.state.centers)
        self.collection.set_offsets(centers)
        for number, center in zip(self.numbers, centers, strict=False):  # no numbers, or one each
            shown = bool(np.isfinite(center).all())
            number.set_visible(shown)
            if shown:
                number.xy = (float(center[0]), float(center[1]))
        return self.artists
