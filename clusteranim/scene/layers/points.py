"""The data points, coloured by assignment, by responsibility, by true class, or plainly.

Up to ``raster_above`` points are drawn as matplotlib markers. More are drawn as pixels:
each point stamps an antialiased disc of the marker's size onto the axes' pixel grid,
the later point winning where discs overlap, as markers drawn in order would. Which
point shows at each pixel is worked out once; a frame then only colours the points that
show, and numpy composites them into the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from pydantic import Field

from clusteranim.arrays import FloatArray, IntArray
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.palette import Color, Marker
from clusteranim.scene.raster import SparseRaster

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection


class PointsOptions(LayerOptions):
    """The data points."""

    summary = "the data points, coloured by assignment, responsibility, true class or plainly"
    display_name = "points"

    name: Literal["points"] = "points"
    color_by: Literal["assignment", "responsibility", "truth", "none"] = Field(
        "assignment",
        description="assignment: the cluster's colour; responsibility: the mix of the"
        " components' colours weighted by the point's posterior; truth: the colour of its"
        " true class; none: one plain colour.",
    )
    size: float = Field(12.0, gt=0, le=10_000, description="Marker area in points squared.")
    alpha: float = Field(0.85, ge=0, le=1, description="Opacity.")
    marker: Marker = Field("o", description="A matplotlib marker: o, x, +, s, ^, ...")
    color: Color = Field("#555555", description="Colour of every point when color_by is none.")
    raster_above: int = Field(
        5_000,
        ge=0,
        description="Draw the points as pixels (antialiased discs of the marker's size) when"
        " there are more than this many; much faster for big data.",
    )

    @property
    def static(self) -> bool:
        return self.color_by in ("truth", "none")

    @property
    def per_iteration(self) -> bool:
        # Colours by assignment switch at whole iterations; blended responsibilities do not.
        return self.color_by != "responsibility"

    def build(self, context: SceneContext) -> PointsLayer | RasterPointsLayer:
        if len(context.points) > self.raster_above:
            return RasterPointsLayer(self, context)
        from matplotlib.markers import MarkerStyle

        filled = MarkerStyle(self.marker).is_filled()
        collection = context.axes.scatter(
            context.points[:, 0],
            context.points[:, 1],
            s=self.size,
            marker=self.marker,
            linewidths=0.0 if filled else 1.2,
            alpha=self.alpha,
            color=self.color,
        )
        return PointsLayer(self, context, collection, filled)

    def colors(self, context: SceneContext, frame: Frame, subset: IntArray | None = None) -> FloatArray:
        """RGBA of each point (or of the points in ``subset``) in ``frame``."""
        chosen = slice(None) if subset is None else subset
        if self.color_by == "truth" and context.true_labels is not None:
            return truth_colors(context)[chosen]
        if self.color_by in ("truth", "none"):
            from matplotlib.colors import to_rgba

            n_points = len(context.points) if subset is None else len(subset)
            return np.tile(to_rgba(self.color), (n_points, 1))
        shown = frame.assignment
        if shown is not None:
            # Explain mode: the colours move from one state's assignment to the next one's
            # (from the plain colour before any point is assigned).
            after = self._state_colors(context, shown.after, subset)
            if shown.fraction >= 1.0:
                return after
            if shown.before is None:
                from matplotlib.colors import to_rgba

                before = np.broadcast_to(np.asarray(to_rgba(self.color)), after.shape)
            else:
                before = self._state_colors(context, shown.before, subset)
            mixed: FloatArray = before + shown.fraction * (after - before)
            return mixed
        trace = context.trace
        if self.color_by == "responsibility":
            if subset is None:
                weights = frame.memberships
            else:
                weights = trace.memberships(frame.step, subset)
                if frame.fraction:
                    after_weights = trace.memberships(frame.step + 1, subset)
                    weights = (1 - frame.fraction) * weights + frame.fraction * after_weights
            return self._blend(context, weights)
        labels = frame.labels if subset is None else trace.labels(frame.iteration, subset)
        return context.label_colors(labels)

    def _state_colors(self, context: SceneContext, state: int, subset: IntArray | None) -> FloatArray:
        """RGBA of each point (or of those in ``subset``) under the assignment of ``state``."""
        if self.color_by == "responsibility":
            return self._blend(context, context.trace.memberships(state, subset))
        return context.label_colors(context.trace.labels(state, subset))

    @staticmethod
    def _blend(context: SceneContext, weights: FloatArray) -> FloatArray:
        """Convex mix of the components' colours: a point owned by one component has
        exactly its colour, a 50/50 point the mean of the two; what no cluster holds
        (noise) is in the noise colour."""
        mixed: FloatArray = weights @ context.colors
        if context.trace.capabilities.noise:
            mixed += (1.0 - weights.sum(axis=1))[:, None] * context.colors_with_noise[-1]
        return np.clip(mixed, 0.0, 1.0)


def truth_colors(context: SceneContext) -> FloatArray:
    """Colour of each point's true class."""
    assert context.true_labels is not None
    return context.class_colors(int(context.true_labels.max()) + 1)[context.true_labels]


class PointsLayer:
    """The scatter artist, recoloured per frame unless its colours never change."""

    def __init__(
        self, options: PointsOptions, context: SceneContext, collection: PathCollection, filled: bool
    ) -> None:
        self.options = options
        self.context = context
        self.collection = collection
        self.filled = filled
        self.static = options.static
        self.per_iteration = options.per_iteration
        self.artists: list[Artist] = [collection]
        self.painted = False

    def update(self, frame: Frame) -> Sequence[Artist]:
        if not (self.static and self.painted):
            rgba = self.options.colors(self.context, frame)
            if self.filled:
                self.collection.set_facecolor(rgba)  # type: ignore[arg-type]
            else:
                self.collection.set_edgecolor(rgba)  # type: ignore[arg-type]
            self.collection.set_alpha(self.options.alpha)
            self.painted = True
        return self.artists


class Painter(Protocol):
    """What :class:`RasterPointsLayer` needs of its options: the discs' size and opacity,
    and the points' colours."""

    @property
    def size(self) -> float: ...

    @property
    def alpha(self) -> float: ...

    @property
    def static(self) -> bool:
        """Whether the colours never change."""
        ...

    @property
    def per_iteration(self) -> bool:
        """Whether the colours change only from one whole iteration to the next."""
        ...

    def colors(self, context: SceneContext, frame: Frame, subset: IntArray | None = None) -> FloatArray:
        """RGBA of the points in ``subset`` (indices into the data) in ``frame``."""
        ...


class RasterPointsLayer:
    """Points as pixels: each point stamps an antialiased disc of the marker's size onto the
    axes' pixel grid, composited by numpy. Where discs overlap, the point drawn last gives
    the colour (as with markers) and the opacities add up as stacked markers' do.

    Parameters
    ----------
    options : Painter
    context : SceneContext
    members : ndarray of shape (m,), optional
        Indices of the points to draw, in drawing order; all of them by default.
    """

    static = False  # pixels, not artists: composited each frame (cheaply), never baked in

    def __init__(self, options: Painter, context: SceneContext, members: IntArray | None = None) -> None:
        self.options = options
        self.context = context
        self.members = members
        self.per_iteration = options.per_iteration
        self.artists: list[Artist] = []
        self.grid: PixelGrid | None = None
        self.painted: SparseRaster | None = None
        self.painted_for: object = None

    def update(self, frame: Frame) -> Sequence[SparseRaster]:
        if self.grid is None:
            self._place()
        assert self.grid is not None
        # Colours that change only from one iteration to the next are kept for its frames.
        key = None if self.options.static else frame.key if self.per_iteration else frame
        if self.painted is None or key != self.painted_for:
            self.painted_for = key
            shown = self.shown if self.members is None else self.members[self.shown]
            colors = self.options.colors(self.context, frame, shown)
            self.painted = SparseRaster(self.pixels, colors[self.which, :3], self.opacity)
        return [self.painted]

    def _place(self) -> None:
        """Work out which point shows at each pixel (the last one drawn there), and how much
        of the pixel the discs on it cover."""
        self.grid = grid = self.context.grid()
        radius = float(np.sqrt(self.options.size) / 2 * self.context.figure.dpi / 72)
        reach = int(np.ceil(radius + 0.5))
        rows, columns = grid.shape
        # A canvas padded by the reach on every side: no disc can fall off it.
        padded_rows, padded_columns = rows + 2 * reach, columns + 2 * reach
        points = self.context.points if self.members is None else self.context.points[self.members]
        position = grid.to_pixels(points)  # (column, row from the top)
        column, row = np.floor(position[:, 0]), np.floor(position[:, 1])
        near = (column >= -reach) & (column < columns + reach) & (row >= -reach) & (row < rows + reach)
        order = np.flatnonzero(near)
        # Where in its pixel each point lies, and the flat index of that pixel.
        within_x = (position[near, 0] - column[near]).astype(np.float32)
        within_y = (position[near, 1] - row[near]).astype(np.float32)
        base = (row[near].astype(np.intp) + reach) * padded_columns + column[near].astype(np.intp) + reach
        winner = np.full(padded_rows * padded_columns, -1, dtype=np.intp)
        # log of the share of light that passes every disc on a pixel
        passing = np.zeros(padded_rows * padded_columns, dtype=np.float64)
        alpha = min(self.options.alpha, 1 - 1e-6)
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                if np.hypot(max(abs(dx) - 0.5, 0.0), max(abs(dy) - 0.5, 0.0)) >= radius + 0.5:
                    continue  # no point of the pixel reaches that far
                distance = np.hypot(dx + 0.5 - within_x, dy + 0.5 - within_y)
                # The share of the pixel inside the disc, to within antialiasing's accuracy.
                share = np.clip(np.float32(radius + 0.5) - distance, 0.0, 1.0)
                reached = share > 0
                flat = base[reached] + (dy * padded_columns + dx)
                drawn = order[reached]
                # Ascending order: where several points land on one pixel, the last wins.
                winner[flat] = np.maximum(winner[flat], drawn)
                passing += np.bincount(
                    flat, weights=np.log1p(-alpha * share[reached]), minlength=len(passing)
                )
        inner = (slice(reach, reach + rows), slice(reach, reach + columns))
        winner = winner.reshape(padded_rows, padded_columns)[inner].reshape(-1)
        passing = passing.reshape(padded_rows, padded_columns)[inner].reshape(-1)
        covered = np.flatnonzero(winner >= 0)
        pixel_rows, pixel_columns = np.divmod(covered, columns)
        top, left = grid.origin
        width = round(self.context.figure.bbox.width)
        self.pixels = (top + pixel_rows) * width + left + pixel_columns
        self.opacity = np.rint(-np.expm1(passing[covered]) * 256).astype(np.uint32)[:, None]
        self.shown, self.which = np.unique(winner[covered], return_inverse=True)
