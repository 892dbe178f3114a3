"""Where a box over the axes (the legend, a panel) goes: the free corner in which it
covers the least of the data, chosen once for the whole animation; or, when every free
corner is crowded, the column right of the axes, where such boxes stack.

Boxes are rectangles ``(x0, y0, x1, y1)`` in axes fraction. What a box covers is counted
over the points and over every position a centroid takes in the trace, so that a corner
that is empty at the start but crossed by a centroid later is not chosen.

A box that takes a corner claims it (``claim``); one that decides before the layout
whether it goes outside (the legend) or where (a panel) watches the claims made after it
(``watch``), so that the order of the layers does not matter.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.arrays import FloatArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.transforms import Affine2D, Transform

    from clusteranim.scene.base import SceneContext

Box = tuple[float, float, float, float]

CORNERS = ("upper right", "upper left", "lower left", "lower right")
#: Gap between a box and the axes' edges, in axes fraction.
MARGIN = 0.02
#: How far past a box's edges a position still counts as under it (a marker's radius), in
#: axes fraction.
EDGE = 0.01
#: How much more the centroids' positions weigh than the points: covering a centroid in
#: one frame of a few is worse than covering a few points for good.
CENTER_WEIGHT = 4.0
#: Coverage that a corner may exceed the least covered one by and still be preferred.
TOLERANCE = 0.003
#: Above this coverage in every free corner, the axes count as crowded.
CROWDED = 0.03

#: Gap between the axes and the column of boxes right of them, in axes fraction.
OUTSIDE_GAP = 0.02
#: Gap between two boxes in that column, in points.
STACK_GAP = 6.0
#: Shares of the figure's width and height that the column right of the axes may take.
OUTSIDE_WIDTH = 0.3
OUTSIDE_HEIGHT = 0.9

#: The boxes each owner (a layer's name) has taken, per axes.
_claims: weakref.WeakKeyDictionary[Axes, dict[str, Box]] = weakref.WeakKeyDictionary()
#: What each owner does when another owner claims a box, per axes.
_watchers: weakref.WeakKeyDictionary[Axes, dict[str, Callable[[], None]]] = weakref.WeakKeyDictionary()


@dataclass
class _Column:
    """The boxes right of the axes, top to bottom, centred on the axes' height as a whole."""

    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    shifts: dict[str, Affine2D] = field(default_factory=dict)


_columns: weakref.WeakKeyDictionary[Axes, _Column] = weakref.WeakKeyDictionary()


def corner_box(
    corner: str, width: float, height: float, margin: tuple[float, float] = (MARGIN, MARGIN)
) -> Box:
    """The box of ``width`` x ``height`` (axes fraction) in ``corner``, ``margin`` in from
    the axes' edges (horizontally, vertically)."""
    vertical, horizontal = corner.split()
    left = margin[0] if horizontal == "left" else 1 - margin[0] - width
    bottom = margin[1] if vertical == "lower" else 1 - margin[1] - height
    return (left, bottom, left + width, bottom + height)


def claim(axes: Axes, owner: str, box: Box, tell: bool = True) -> None:
    """Take ``box`` of ``axes`` for ``owner`` (in place of what it took before), so that no
    other box is placed over it; the other owners watching are told, if ``tell`` (before
    the layout: a box placed once the layout is fixed has avoided the others)."""
    claims = _claims.setdefault(axes, {})
    if claims.get(owner) == box:
        return
    claims[owner] = box
    if not tell:
        return
    for name, callback in list(_watchers.get(axes, {}).items()):
        if name != owner:
            callback()


def release(axes: Axes, owner: str) -> None:
    """Give back the box ``owner`` took, if any."""
    _claims.get(axes, {}).pop(owner, None)


def claimed(axes: Axes, owner: str) -> Box | None:
    """The box ``owner`` took, if any."""
    return _claims.get(axes, {}).get(owner)


def watch(axes: Axes, owner: str, callback: Callable[[], None] | None) -> None:
    """Call ``callback`` whenever another owner claims a box of ``axes`` (None: stop)."""
    watchers = _watchers.setdefault(axes, {})
    if callback is None:
        watchers.pop(owner, None)
    else:
        watchers[owner] = callback


def overlaps(box: Box, other: Box) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def outside_fits(axes: Axes, owner: str, size: tuple[float, float]) -> bool:
    """Whether a box of ``size`` (width, height in pixels) fits in the column right of the
    axes, with the boxes already there (but ``owner``'s own)."""
    figure = axes.get_figure(root=True)
    assert figure is not None
    column = _columns.get(axes, _Column())
    others = [each for name, each in column.sizes.items() if name != owner]
    gap = STACK_GAP * figure.dpi / 72
    height = size[1] + sum(each[1] + gap for each in others)
    width = max([size[0], *(each[0] for each in others)])
    return width <= OUTSIDE_WIDTH * figure.bbox.width and height <= OUTSIDE_HEIGHT * figure.bbox.height


def go_outside(axes: Axes, owner: str, size: tuple[float, float]) -> Transform:
    """Put ``owner``'s box of ``size`` (width, height in pixels) in the column right of
    the axes (in place of the one it put there before), below those already there.

    Returns the transform from pixels, from the box's lower left corner, to the display:
    it follows the axes through the layout, and the box down as others join the column.
    """
    from matplotlib.transforms import Affine2D, ScaledTranslation

    figure = axes.get_figure(root=True)
    assert figure is not None
    column = _columns.setdefault(axes, _Column())
    column.sizes[owner] = size
    shift = column.shifts.setdefault(owner, Affine2D())
    gap = STACK_GAP * figure.dpi / 72
    top = (sum(height for _, height in column.sizes.values()) + gap * (len(column.sizes) - 1)) / 2
    for name, (_, height) in column.sizes.items():
        column.shifts[name].clear().translate(0, top - height)
        top -= height + gap
    return shift + ScaledTranslation(1 + OUTSIDE_GAP, 0.5, axes.transAxes)  # type: ignore[arg-type]


def taken(axes: Axes, boxes: dict[str, Box], owner: str) -> set[str]:
    """The corners whose box (of ``boxes``) overlaps a box another owner took, or that
    hold a text placed in axes fraction (a corner label)."""
    others = [box for name, box in _claims.get(axes, {}).items() if name != owner]
    corners = {corner for corner, box in boxes.items() if any(overlaps(box, other) for other in others)}
    for text in axes.texts:
        if text.get_transform() is not axes.transAxes:
            continue
        x, y = text.get_position()
        if abs(x - 0.5) > 0.25 and abs(y - 0.5) > 0.25:
            corners.add(f"{'upper' if y > 0.5 else 'lower'} {'right' if x > 0.5 else 'left'}")
    return corners


@dataclass(frozen=True)
class Marks:
    """What a box should not cover, in axes fraction with the axes' limits when made.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
    centers : ndarray of shape (m, 2)
        Every position a centroid takes in the trace.
    """

    points: FloatArray
    centers: FloatArray

    @classmethod
    def of(cls, context: SceneContext) -> Marks:
        centers = context.projection.points(context.trace.centers).reshape(-1, 2)
        centers = centers[~np.isnan(centers).any(axis=1)]
        (left, right), (bottom, top) = context.axes.get_xlim(), context.axes.get_ylim()
        low, span = np.array([left, bottom]), np.array([right - left, top - bottom])
        return cls(points=(context.points - low) / span, centers=(centers - low) / span)

    def coverage(self, box: Box) -> float:
        """The share of the points under ``box``, plus ``CENTER_WEIGHT`` times that of the
        centroid positions."""
        low, high = np.array(box[:2]) - EDGE, np.array(box[2:]) + EDGE
        total = 0.0
        for positions, weight in ((self.points, 1.0), (self.centers, CENTER_WEIGHT)):
            if len(positions):
                inside = ((positions >= low) & (positions <= high)).all(axis=1)
                total += weight * float(np.count_nonzero(inside)) / len(positions)
        return total

    def least_covered(self, boxes: dict[str, Box], preference: Sequence[str], excluded: set[str]) -> str:
        """The corner (of ``boxes``, not ``excluded``) whose box covers the least, the
        first in ``preference`` among those within ``TOLERANCE`` of the least."""
        free = [corner for corner in preference if corner not in excluded] or list(preference)
        scores = {corner: self.coverage(boxes[corner]) for corner in free}
        least = min(scores.values())
        return next(corner for corner in free if scores[corner] <= least + TOLERANCE)
