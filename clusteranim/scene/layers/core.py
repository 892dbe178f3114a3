"""DBSCAN's core points, drawn larger than the other points and outlined, over them.

The points layer draws every point small, in its cluster's colour or grey (noise, or not
reached yet); this layer draws the core points again, larger and outlined, in the same
colours: core points stand out from border points (small, coloured) and from noise
(small, grey) at every state, already at the start, before any cluster exists. Above
``raster_above`` core points they are drawn as pixels, like the points layer's, without
the outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.algorithms.dbscan import DbscanOptions
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.layers.points import RasterPointsLayer
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection


def needs_dbscan(layer: str, profile: AlgorithmProfile) -> None:
    """Refuse a layer that draws DBSCAN's own arrays for a trace of anything else."""
    if profile.key != DbscanOptions.plugin_name():
        raise OptionError(
            "",
            f"{layer} needs {DbscanOptions.display_name} (algorithm.name: {DbscanOptions.plugin_name()}):"
            f" {profile.name or 'this trace'} has no core points",
        )


def core_points(context: SceneContext) -> IntArray:
    """Indices of the trace's core points (none when the trace does not say)."""
    core = context.trace.extras.get("core")
    indices: IntArray = np.flatnonzero(core) if core is not None else np.zeros(0, dtype=np.intp)
    return indices


class CoreOptions(LayerOptions):
    """DBSCAN's core points, larger and outlined, over the points layer."""

    summary = "DBSCAN's core points drawn larger and outlined, over the other points"
    display_name = "core points"

    name: Literal["core"] = "core"
    size: float = Field(
        36.0, gt=0, le=10_000, description="Marker area of a core point in points squared (points: 12)."
    )
    alpha: float = Field(0.95, ge=0, le=1, description="Opacity.")
    edgecolor: Color | None = Field(
        None,
        description="Colour of each core point's outline; by default black on the light theme,"
        " the text colour on the dark one.",
    )
    linewidth: float = Field(0.5, ge=0, le=20, description="Width of the outline in points (0: none).")
    raster_above: int = Field(
        5_000,
        ge=0,
        description="Draw the core points as pixels (discs without an outline) when there are"
        " more than this many; much faster for big data.",
    )

    @property
    def static(self) -> bool:
        return False

    @property
    def per_iteration(self) -> bool:
        return True

    def check_for(self, profile: AlgorithmProfile) -> None:
        super().check_for(profile)
        needs_dbscan(self.plugin_name(), profile)

    def colors(self, context: SceneContext, frame: Frame, subset: IntArray | None = None) -> FloatArray:
        """RGBA of each point in ``subset`` (of every point by default) in ``frame``: its
        cluster's colour, or the noise colour."""
        labels = frame.labels if subset is None else context.trace.labels(frame.assigned, subset)
        return context.label_colors(labels)

    def build(self, context: SceneContext) -> CoreLayer | RasterPointsLayer:
        members = core_points(context)
        if len(members) > self.raster_above:
            return RasterPointsLayer(self, context, members)
        shown = context.points[members]
        collection = context.axes.scatter(
            shown[:, 0],
            shown[:, 1],
            s=self.size,
            marker="o",
            alpha=self.alpha,
            edgecolors=self.edgecolor or context.theme.outline,
            linewidths=self.linewidth,
        )
        return CoreLayer(self, context, collection, members)


class CoreLayer:
    """The core points' markers, recoloured at each iteration."""

    static = False
    per_iteration = True

    def __init__(
        self, options: CoreOptions, context: SceneContext, collection: PathCollection, members: IntArray
    ) -> None:
        self.options = options
        self.context = context
        self.collection = collection
        self.members = members
        self.artists: list[Artist] = [collection]

    def update(self, frame: Frame) -> Sequence[Artist]:
        self.collection.set_facecolor(self.options.colors(self.context, frame, self.members))  # type: ignore[arg-type]
        self.collection.set_alpha(self.options.alpha)
        return self.artists
