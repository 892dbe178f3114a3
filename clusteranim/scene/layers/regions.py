"""Decision regions: nearest-centre cells as polygons, other methods per pixel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.scaling import Scaling
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.cells import refined_labels, voronoi_cells
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.raster import IndexedRaster

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PolyCollection


class RegionsOptions(LayerOptions):
    """Each pixel in the colour of the cluster it would join.

    k-means: the nearest centroid; a mixture: the component of highest posterior.
    For data of more than two dimensions, a pixel stands for the point of the viewed
    plane (the other coordinates at their mean).
    """

    summary = "decision regions: nearest centroid, or highest posterior, per pixel"
    display_name = "decision regions"
    needs = ("assigns_any_point",)

    name: Literal["regions"] = "regions"
    alpha: float = Field(0.3, ge=0, le=1, description="Opacity of the region colours.")

    def build(self, context: SceneContext) -> RegionsLayer:
        return RegionsLayer(self, context)


class RegionsLayer:
    """Nearest-centre cells as antialiased polygons (a few per frame, whatever the
    resolution); otherwise a label per pixel, composited by numpy."""

    static = False
    per_iteration = False

    def __init__(self, options: RegionsOptions, context: SceneContext) -> None:
        from matplotlib.collections import PolyCollection

        self.options = options
        self.context = context
        self.grid: PixelGrid | None = None
        self.cells: PolyCollection | None = None
        self.artists: list[Artist] = []
        if context.trace.capabilities.nearest_center:
            self.cells = PolyCollection([], edgecolors="none", antialiased=True)
            context.axes.add_collection(self.cells, autolim=False)
            self.artists.append(self.cells)

    def update(self, frame: Frame) -> Sequence[Artist | IndexedRaster]:
        if self.cells is not None:
            return self._polygons(frame, self.cells)
        if self.grid is None:
            self.grid = self.context.grid()
        trace = self.context.trace

        def label(points: FloatArray) -> IntArray:
            return trace.labels_of(points, frame.state)

        labels = refined_labels(self.grid, label)
        palette = self.context.colors_with_noise[:, :3]
        return [IndexedRaster(self.grid, labels, palette, self.options.alpha)]

    def _polygons(self, frame: Frame, cells: PolyCollection) -> Sequence[Artist]:
        context = self.context
        rule = context.trace.rule
        scaling = rule.scaling if rule is not None else Scaling.identity(context.trace.X.shape[1])
        projection = context.projection
        lift = projection.components / scaling.scale[:, None]
        origin = (projection.mean - scaling.offset) / scaling.scale
        (left, right), (bottom, top) = context.axes.get_xlim(), context.axes.get_ylim()
        margin = 0.01 * np.array([right - left, top - bottom])
        box = np.array(
            [
                [left - margin[0], bottom - margin[1]],
                [right + margin[0], bottom - margin[1]],
                [right + margin[0], top + margin[1]],
                [left - margin[0], top + margin[1]],
            ]
        )
        found = voronoi_cells(scaling.to_fit(frame.state.centers), lift, origin, box)
        cells.set_verts([polygon for _, polygon in found])
        colors = context.colors[[cluster for cluster, _ in found]].copy()
        colors[:, 3] = self.options.alpha
        cells.set_facecolor(colors)
        return self.artists
