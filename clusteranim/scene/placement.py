"""Where a box over the axes (the legend, the objective panel) goes: the free corner in
which it covers the least of the data, chosen once for the whole animation.

Boxes are rectangles ``(x0, y0, x1, y1)`` in axes fraction. What a box covers is counted
over the points and over every position a centroid takes in the trace, so that a corner
that is empty at the start but crossed by a centroid later is not chosen.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.arrays import FloatArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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

#: The boxes each owner (a layer's name) has taken, per axes.
_claims: weakref.WeakKeyDictionary[Axes, dict[str, Box]] = weakref.WeakKeyDictionary()


def corner_box(
    corner: str, width: float, height: float, margin: tuple[float, float] = (MARGIN, MARGIN)
) -> Box:
    """The box of ``width`` x ``height`` (axes fraction) in ``corner``, ``margin`` in from
    the axes' edges (horizontally, vertically)."""
    vertical, horizontal = corner.split()
    left = margin[0] if horizontal == "left" else 1 - margin[0] - width
    bottom = margin[1] if vertical == "lower" else 1 - margin[1] - height
    return (left, bottom, left + width, bottom + height)


def claim(axes: Axes, owner: str, box: Box) -> None:
    """Take ``box`` of ``axes`` for ``owner`` (in place of what it took before), so that no
    other box is placed over it."""
    _claims.setdefault(axes, {})[owner] = box


def taken(axes: Axes, boxes: dict[str, Box], owner: str) -> set[str]:
    """The corners whose box (of ``boxes``) overlaps a box another owner took, or that
    hold a text placed in axes fraction (a corner label)."""
    others = [box for name, box in _claims.get(axes, {}).items() if name != owner]
    corners = {
        corner
        for corner, box in boxes.items()
        if any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in others
        )
    }
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
