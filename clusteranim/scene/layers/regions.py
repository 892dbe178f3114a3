"""Decision regions, computed for every pixel of the axes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.grid import PixelGrid, pixel_image

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.image import AxesImage


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
        image = pixel_image(context.axes)
        return RegionsLayer(self, context, image)


class RegionsLayer:
    """An image the size of the axes, recoloured per frame."""

    static = False
    per_iteration = False

    def __init__(self, options: RegionsOptions, context: SceneContext, image: AxesImage) -> None:
        self.options = options
        self.context = context
        self.image = image
        self.grid: PixelGrid | None = None
        self.artists: list[Artist] = [image]

    def update(self, frame: Frame) -> Sequence[Artist]:
        if self.grid is None:
            self.grid = self.context.grid()
            self.lifted = self.grid.data
            self.image.set_extent(self.grid.extent)
        labels = self.context.trace.labels_of(self.lifted, frame.state)
        rgba = self.context.label_colors(labels)
        rgba[:, 3] = self.options.alpha
        self.image.set_data(rgba.reshape(*self.grid.shape, 4))
        return self.artists
