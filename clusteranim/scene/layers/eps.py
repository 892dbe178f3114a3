"""Circles of radius eps around DBSCAN's core points: where the next wave reaches.

By default a state shows the circles of the core points its wave reached (the front of
each cluster): the points inside them are those the next wave takes in. A circle is the
eps-ball in the data's coordinates (an ellipse when ``normalize`` scaled the axes
unevenly, or the ball's outline through the view for more than two dimensions; on a
strip, 1-D data, an interval). Many circles make a blob rather than a picture, so at most
``max_circles`` are drawn, chosen evenly among those due. The faces of a cluster's circles
are filled as one shape (their union), once: overlapping circles do not darken each other
into an opaque patch that hides the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.layers.core import core_points, needs_dbscan
from clusteranim.scene.layers.ellipses import ellipse_axes
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import EllipseCollection, LineCollection, PathCollection
    from matplotlib.path import Path

#: Vertices of the polygon a circle's face is drawn as (sub-pixel at any frame size here).
FACE_VERTICES = 96


def evenly(indices: IntArray, most: int) -> IntArray:
    """At most ``most`` of ``indices``, spread evenly over them (the first and the last
    among them)."""
    if len(indices) <= most:
        return indices
    chosen: IntArray = indices[np.linspace(0, len(indices) - 1, most).round().astype(np.intp)]
    return chosen


class EpsOptions(LayerOptions):
    """Circles of radius eps around core points: the newest of each cluster, or all reached."""

    summary = "circles of radius eps around DBSCAN's core points (the newest of each cluster, or all reached)"
    display_name = "eps circles"

    name: Literal["eps"] = "eps"
    show: Literal["front", "reached"] = Field(
        "front",
        description="front: around the core points each state's wave reached (the points"
        " inside are those the next wave takes in); reached: around every core point in a"
        " cluster so far.",
    )
    max_circles: int = Field(
        200,
        ge=1,
        le=100_000,
        description="Most circles drawn in a frame; when more are due, this many chosen evenly among them.",
    )
    linewidth: float = Field(0.8, gt=0, le=20, description="Width of a circle's outline in points.")
    alpha: float = Field(0.7, ge=0, le=1, description="Opacity of the outlines.")
    fill: float = Field(0.06, ge=0, le=1, description="Opacity of the circles' faces (0: outlines only).")
    color: Color | None = Field(
        None, description="One colour for every circle; by default each cluster's own."
    )

    def check_for(self, profile: AlgorithmProfile) -> None:
        super().check_for(profile)
        needs_dbscan(self.plugin_name(), profile)

    def build(self, context: SceneContext) -> EpsLayer:
        from matplotlib.collections import EllipseCollection, LineCollection

        radius = context.trace.extras.get("eps_radius")
        if radius is None:
            shape = np.zeros((2, 2))
        else:
            # The ball's outline through the (linear) view: the same for every circle.
            shape = context.projection.covariances(np.diag(np.square(radius)))
        major, minor, angle = ellipse_axes(shape)
        circles: EllipseCollection | LineCollection
        if context.projection.strip is not None:
            # On a strip (1-D data) the ball is an interval, drawn at its point's height.
            circles = LineCollection([], linewidths=self.linewidth)
        else:
            circles = EllipseCollection(
                [],
                [],
                [],
                units="xy",
                offsets=np.zeros((0, 2)),
                offset_transform=context.axes.transData,
                linewidths=self.linewidth,
            )
        faces: PathCollection | None = None
        if self.fill > 0 and context.projection.strip is None:
            from matplotlib.collections import PathCollection

            faces = PathCollection([], edgecolors="none", linewidths=0)
            context.axes.add_collection(faces, autolim=False)
        context.axes.add_collection(circles, autolim=False)
        return EpsLayer(self, context, circles, faces, (2 * float(major), 2 * float(minor), float(angle)))


class EpsLayer:
    """The circles due in each frame, re-placed at each iteration."""

    static = False
    per_iteration = True

    def __init__(
        self,
        options: EpsOptions,
        context: SceneContext,
        circles: EllipseCollection | LineCollection,
        faces: PathCollection | None,
        size: tuple[float, float, float],
    ) -> None:
        self.options = options
        self.context = context
        self.circles = circles
        self.faces = faces
        self.size = size
        self.core = core_points(context)
        self.artists: list[Artist] = [circles] if faces is None else [faces, circles]
        width, height, angle = size
        turn = np.linspace(0.0, 2 * np.pi, FACE_VERTICES, endpoint=False)
        cosine, sine = np.cos(np.radians(angle)), np.sin(np.radians(angle))
        x, y = width / 2 * np.cos(turn), height / 2 * np.sin(turn)
        #: One circle's outline about its centre, counter-clockwise (every circle alike:
        #: with the non-zero rule their union is filled once).
        self.outline = np.column_stack([x * cosine - y * sine, x * sine + y * cosine])

    def due(self, frame: Frame) -> IntArray:
        """Indices of the core points whose circles ``frame`` shows."""
        trace, state = self.context.trace, frame.assigned
        reached = trace.labels(state, self.core) >= 0
        if self.options.show == "front":
            before = trace.labels(state - 1, self.core) >= 0 if state > 0 else np.zeros_like(reached)
            reached &= ~before
        return evenly(self.core[reached], self.options.max_circles)

    def update(self, frame: Frame) -> Sequence[Artist]:
        from matplotlib.collections import EllipseCollection
        from matplotlib.colors import to_rgba

        shown = self.due(frame)
        if not len(shown):
            return []
        options, context = self.options, self.context
        count = len(shown)
        width, height, angle = self.size
        centers = context.points[shown]
        if isinstance(self.circles, EllipseCollection):
            self.circles.set_widths(np.full(count, width))
            self.circles.set_heights(np.full(count, height))
            self.circles.set_angles(np.full(count, angle))
            self.circles.set_offsets(centers)
        else:
            ends = np.stack([centers, centers], axis=1)
            ends[:, 0, 0] -= width / 2
            ends[:, 1, 0] += width / 2
            self.circles.set_segments(list(ends))
        if options.color is None:
            colors: FloatArray = context.label_colors(context.trace.labels(frame.assigned, shown))
        else:
            colors = np.tile(to_rgba(options.color), (count, 1))
        self.circles.set_edgecolor(np.column_stack([colors[:, :3], np.full(count, options.alpha)]))  # type: ignore[arg-type]
        self.circles.set_facecolor("none")
        if self.faces is not None:
            groups, first = np.unique(colors, axis=0, return_index=True)
            which = np.unique(colors, axis=0, return_inverse=True)[1].reshape(-1)
            self.faces.set_paths([self._union(centers[which == group]) for group in range(len(groups))])
            self.faces.set_facecolor(np.column_stack([colors[first, :3], np.full(len(first), options.fill)]))  # type: ignore[arg-type]
        return self.artists

    def _union(self, centers: FloatArray) -> Path:
        """One path of the circles about ``centers``: filled once where they overlap."""
        from matplotlib.path import Path

        count = len(centers)
        # Each circle: its vertices, then its centre as the (ignored) vertex of CLOSEPOLY.
        vertices = np.concatenate([centers[:, None, :] + self.outline, centers[:, None, :]], axis=1)
        codes = np.full((count, FACE_VERTICES + 1), Path.LINETO, dtype=Path.code_type)
        codes[:, 0], codes[:, -1] = Path.MOVETO, Path.CLOSEPOLY
        return Path(vertices.reshape(-1, 2), codes.reshape(-1))
