"""Mean-shift's kernel windows: a circle of radius ``bandwidth`` around each window, in the
colour of the cluster it ends in, and a dot at its centre.

Thousands of windows would bury the picture under circles: windows at one place (within
a few pixels) are drawn once, and beyond ``max_circles`` places only those of a fixed share of
the windows get a circle, the same windows from frame to frame (a place shows while any
of its windows is among them, so a circle, once shown, stays until it merges). The dots
show every window. In normalised fitting spaces a window is an ellipse in data
coordinates (its radius along each axis); through a projection, the shadow of that
ellipsoid; on a strip (1-D data), an oval across the strip's height.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.arrays import BoolArray, FloatArray, IntArray
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.layers.ellipses import contains_box, ellipse_axes
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import EllipseCollection, PathCollection

#: The algorithm whose traces have windows.
MEAN_SHIFT = "mean_shift"
#: Windows closer than about this many pixels are one place, drawn once: windows that
#: have nearly met would otherwise stack into a thick ring.
PLACE_PIXELS = 3
#: The seed of the order in which windows get a circle when there are too many: fixed, so
#: that a scenario draws the same bytes each time.
CIRCLE_ORDER_SEED = 2


class WindowsOptions(LayerOptions):
    """Mean-shift's windows as circles of radius bandwidth, faint, in the colour of the
    cluster each joins, with a dot at each window's centre."""

    summary = "mean-shift's kernel windows as circles of radius bandwidth, each in its final cluster's colour"
    display_name = "windows"

    name: Literal["windows"] = "windows"
    linewidth: float = Field(0.8, ge=0, le=20, description="Width of a circle's outline in points.")
    alpha: float = Field(
        0.4,
        ge=0,
        le=1,
        description="How strongly the outlines show: the cluster's colour mixed this much with the"
        " background, drawn opaque (overlapping outlines do not darken into thick rings).",
    )
    fill: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Opacity of a circle's face (0: outline only; faces add up where windows overlap,"
        " and in a GIF a face fainter than about 0.04 can linger where a window has left).",
    )
    max_circles: int = Field(
        100,
        ge=0,
        le=10_000,
        description="Most circles in a frame (windows at one place count once): beyond, only the"
        " windows of a fixed random share of them, the same in every frame.",
    )
    centre_size: float = Field(
        6.0,
        ge=0,
        le=10_000,
        description="Area of the dot at each window's centre in points squared (0: none).",
    )
    centre_color: Color | None = Field(
        None, description="Colour of the centre dots; by default the text colour."
    )

    def check_for(self, profile: AlgorithmProfile) -> None:
        super().check_for(profile)
        if profile.key != MEAN_SHIFT:
            raise OptionError(
                "",
                f"windows needs mean-shift (algorithm.name: {MEAN_SHIFT}):"
                f" {profile.name or 'this trace'} has no windows",
            )

    def build(self, context: SceneContext) -> WindowsLayer:
        from matplotlib.collections import EllipseCollection
        from matplotlib.colors import to_rgba

        width, height, angle = window_shape(context)
        circles = EllipseCollection(
            [width],
            [height],
            [angle],
            units="xy",
            offsets=np.zeros((0, 2)),
            offset_transform=context.axes.transData,
            linewidths=self.linewidth,
        )
        context.axes.add_collection(circles, autolim=False)
        dots = context.axes.scatter(
            [],
            [],
            s=self.centre_size,
            c=[to_rgba(self.centre_color or context.theme.foreground)],
            linewidths=0,
        )
        return WindowsLayer(context, self, circles, dots, (width, height, angle))


def window_shape(context: SceneContext) -> tuple[float, float, float]:
    """Width, height (view units) and angle (degrees) of every window's ellipse in the view."""
    radius = np.asarray(
        context.trace.extras.get("window_radius", np.ones(context.trace.X.shape[1])), np.float64
    )
    components = context.projection.components
    shape = components.T @ np.diag(radius**2) @ components
    major, minor, angle = ellipse_axes(shape)
    strip = context.projection.strip
    if strip is not None:
        return 2 * float(major), 2 * strip.half_height, 0.0
    return 2 * float(major), 2 * float(minor), float(angle)


class WindowsLayer:
    """The circles and dots, re-placed per frame (between two rounds the windows slide)."""

    static = False
    per_iteration = False

    def __init__(
        self,
        context: SceneContext,
        options: WindowsOptions,
        circles: EllipseCollection,
        dots: PathCollection,
        shape: tuple[float, float, float],
    ) -> None:
        from matplotlib.colors import to_rgba_array

        self.context = context
        self.options = options
        self.shape = shape  # width, height and angle of every window in the view
        self.circles = circles
        self.dots = dots
        self.artists: list[Artist] = [circles, dots]
        extras = context.trace.extras
        self.windows: FloatArray | None = extras.get("windows")
        labels = extras.get("window_labels")
        n_windows = 0 if self.windows is None else self.windows.shape[1]
        self.labels: IntArray = (
            np.full(n_windows, -1, dtype=np.intp) if labels is None else np.asarray(labels, dtype=np.intp)
        )
        colors = context.label_colors(self.labels)
        # A tint, not a transparency: where many windows overlap, outlines stay faint.
        background = np.asarray(to_rgba_array([context.theme.background]), np.float64)
        tint = options.alpha * np.asarray(colors, np.float64) + (1 - options.alpha) * background
        self.edges: FloatArray = tint.reshape(-1, 4)
        self.faces: FloatArray = np.asarray(to_rgba_array(colors, options.fill), np.float64).reshape(-1, 4)
        # Window i's turn for a circle: a fixed random order, so every part of the data has some.
        self.turn: IntArray = np.empty(n_windows, dtype=np.intp)
        self.turn[np.random.default_rng(CIRCLE_ORDER_SEED).permutation(n_windows)] = np.arange(n_windows)

    def update(self, frame: Frame) -> Sequence[Artist]:
        if self.windows is None:
            return []
        places = self.context.projection.points(self._positions(frame))
        pixels = np.clip(self.context.axes.transData.transform(places), -1e9, 1e9)
        cells = np.floor(pixels / PLACE_PIXELS).astype(np.int64)
        # One mark per place and cluster: the window first in turn stands for the others.
        keys = np.column_stack([cells, self.labels])
        order = np.lexsort((self.turn, *keys.T[::-1]))
        first = np.ones(order.size, dtype=bool)
        first[1:] = np.any(keys[order[1:]] != keys[order[:-1]], axis=1)
        shown = order[first]
        self.dots.set_offsets(places[shown])
        circled = shown[np.argsort(self.turn[shown], kind="stable")[: self.options.max_circles]]
        # A window that holds the whole view shows no outline, and Agg's time for a curve
        # grows with its length in pixels (a bandwidth a million times the data's spread).
        circled = circled[~self._covers_view(places[circled])]
        self.circles.set_offsets(places[circled])
        self.circles.set_edgecolor(self.edges[circled])  # type: ignore[arg-type]
        self.circles.set_facecolor(self.faces[circled])  # type: ignore[arg-type]
        return self.artists if self.options.centre_size > 0 else [self.circles]

    def _covers_view(self, centers: FloatArray) -> BoolArray:
        """Whether each window at ``centers`` (view units) holds all of the axes' view."""
        axes = self.context.axes
        (left, right), (bottom, top) = axes.get_xlim(), axes.get_ylim()
        corners = np.array([[left, bottom], [left, top], [right, bottom], [right, top]])
        width, height, angle = self.shape
        count = centers.shape[0]
        covering: BoolArray = contains_box(
            corners, centers, np.full(count, width / 2), np.full(count, height / 2), np.full(count, angle)
        )
        return covering

    def _positions(self, frame: Frame) -> FloatArray:
        """The windows' centres in data coordinates at ``frame``, moving linearly between rounds."""
        assert self.windows is not None
        start: FloatArray = self.windows[frame.step]
        if frame.fraction == 0.0:
            return start
        positions: FloatArray = start + frame.fraction * (self.windows[frame.step + 1] - start)
        return positions
