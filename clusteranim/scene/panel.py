"""Panels: small plots in an opaque box in a corner of the axes (the objective plot, the
dendrogram), placed once, where they cover the least of the data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.scene.base import LayerOptions, SceneContext
from clusteranim.scene.placement import CORNERS, Marks, claim, corner_box, taken

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.patches import Rectangle

#: The corners an automatic panel tries, the first preferred when others are no emptier.
PREFERENCE = ("lower right", "lower left", "upper left", "upper right")
#: Room around the plot inside the panel's box, in points.
PAD = 3.0


class PanelOptions(LayerOptions):
    """Where a panel goes and how large it is; subclasses may give other default sizes."""

    corner: Literal["auto", "upper left", "upper right", "lower left", "lower right"] = Field(
        "auto",
        description=(
            "Which corner of the axes the panel sits in; auto: the corner, not taken by the"
            " legend or a corner label, where it covers the fewest points and centroid"
            " positions over the whole animation (lower right when no other is emptier)."
        ),
    )
    width: float = Field(
        0.34, gt=0.05, le=1, description="Panel width, with its tick labels, as a fraction of the axes."
    )
    height: float = Field(
        0.26,
        gt=0.05,
        le=1,
        description="Panel height, with its tick labels and title, as a fraction of the axes.",
    )

    def panel(self, context: SceneContext, title: str) -> tuple[Rectangle, Axes]:
        """The panel's opaque box and its plot (placed at the first frame), titled."""
        from matplotlib.patches import Rectangle
        from matplotlib.ticker import MaxNLocator

        axes = context.axes
        if self.corner != "auto":
            claim(axes, self.plugin_name(), corner_box(self.corner, self.width, self.height))
        # An opaque box under the plot and its labels, so that no data shows through them.
        box = Rectangle(
            (0, 0),
            self.width,
            self.height,
            transform=axes.transAxes,
            facecolor=context.theme.background,
            edgecolor=context.theme.muted,
            linewidth=0.8,
            alpha=0.85,
            clip_on=False,
        )
        axes.add_patch(box)
        # Placed once the layout is fixed: the layout does not make room for it.
        plot = axes.inset_axes((0.3, 0.3, 0.4, 0.4))
        for artist in (box, plot):
            artist.set_in_layout(False)
        plot.patch.set_visible(False)
        plot.tick_params(labelsize="x-small", length=2, pad=1)
        plot.set_title(title, fontsize="x-small", pad=2)
        plot.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        plot.yaxis.set_major_locator(MaxNLocator(nbins=4))
        return box, plot


class PanelLayer:
    """A panel redrawn whole per frame, above the layers beneath it; placed at the first
    frame, when the figure's layout is fixed. Subclasses draw in ``panel``."""

    static = False
    per_iteration = False

    def __init__(
        self, options: PanelOptions, context: SceneContext, box: Rectangle, panel: Axes, pad: float = PAD
    ) -> None:
        self.options = options
        self.context = context
        self.box = box
        self.panel = panel
        #: Room around the plot inside the box, in points.
        self.pad = pad
        self.corner: str | None = None
        self.artists: list[Artist] = [box, panel]

    def place(self) -> None:
        """Choose the corner (once) and fit the plot and its labels inside the box."""
        options, axes = self.options, self.context.axes
        corner: str = options.corner
        if corner == "auto":
            boxes = {name: corner_box(name, options.width, options.height) for name in CORNERS}
            excluded = taken(axes, boxes, options.plugin_name())
            corner = Marks.of(self.context).least_covered(boxes, PREFERENCE, excluded)
        self.corner = corner
        left, bottom, right, top = corner_box(corner, options.width, options.height)
        claim(axes, options.plugin_name(), (left, bottom, right, top))
        self.box.set_bounds(left, bottom, right - left, top - bottom)
        slot = axes.transAxes.transform([(left, bottom), (right, top)])
        self._position(slot)
        renderer = self.context.figure.canvas.get_renderer()  # type: ignore[attr-defined]
        inner = self.panel.get_window_extent(renderer)
        outer = self.panel.get_tightbbox(renderer, bbox_extra_artists=[])  # ticks, labels, title
        assert outer is not None
        pad = self.pad * self.context.figure.dpi / 72
        shrunk = np.array(
            [
                (slot[0, 0] + inner.x0 - outer.x0 + pad, slot[0, 1] + inner.y0 - outer.y0 + pad),
                (slot[1, 0] - (outer.x1 - inner.x1) - pad, slot[1, 1] - (outer.y1 - inner.y1) - pad),
            ]
        )
        shrunk[1] = np.maximum(shrunk[1], shrunk[0] + 1)
        self._position(shrunk)

    def _position(self, corners: np.ndarray) -> None:
        """Put the plot between two opposite corners, in pixels, for good."""
        from matplotlib.transforms import Bbox

        box = Bbox(self.context.figure.transFigure.inverted().transform(corners))
        self.panel.set_position(box)
        self.panel.set_axes_locator(lambda _panel, _renderer: box)
