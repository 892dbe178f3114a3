"""The batch of mini-batch k-means that moves the centres, picked out from the other points.

In a plain animation a frame shows the batch of the move under way, or at a state the
batch of the move that reached it; in explain mode, the batch of the next update during
its assignment and during the update itself. The first and last frames show none, so
that the animation ends on the result. What lies beneath the layer (the other points,
regions) is faded while a batch shows, and the batch's points are drawn over it in the
colour of the centre each is assigned to in that step, with an outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.algorithms.minibatch_kmeans import MiniBatchKMeans, MiniBatchKMeansOptions
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.palette import Color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle


class BatchOptions(LayerOptions):
    """The points of the current mini-batch, outlined over the others, which fade."""

    summary = "the current batch of mini-batch k-means, outlined, the other points faded"
    display_name = "batch"
    needs = ("centers",)

    name: Literal["batch"] = "batch"
    size: float = Field(28.0, gt=0, le=10_000, description="Marker area of a batch point in points squared.")
    edgecolor: Color | None = Field(
        None, description="Colour of each batch point's outline; by default the text colour."
    )
    linewidth: float = Field(0.8, ge=0, le=20, description="Width of the outline in points.")
    dim: float = Field(
        0.55,
        ge=0,
        le=1,
        description="How much what lies beneath the layer fades while a batch shows: 0 not at"
        " all, 1 entirely (put the layer above points and regions, below centroids).",
    )

    def check_for(self, profile: AlgorithmProfile) -> None:
        # The algorithm first: "needs centres" would mislead for one without batches.
        if profile.key != MiniBatchKMeansOptions.plugin_name():
            raise OptionError(
                "",
                f"batch needs {MiniBatchKMeansOptions.display_name} (algorithm.name:"
                f" {MiniBatchKMeansOptions.plugin_name()}): {profile.name or 'this trace'} has no batches",
            )
        super().check_for(profile)

    def build(self, context: SceneContext) -> BatchLayer:
        from matplotlib.patches import Rectangle

        veil = Rectangle(
            (0.0, 0.0),
            1.0,
            1.0,
            transform=context.axes.transAxes,
            facecolor=context.theme.background,
            alpha=self.dim,
            linewidth=0,
        )
        context.axes.add_artist(veil)
        batch = context.axes.scatter(
            [],
            [],
            s=self.size,
            edgecolors=self.edgecolor or context.theme.foreground,
            linewidths=self.linewidth,
        )
        return BatchLayer(context, veil, batch)


class BatchLayer:
    """The veil and the batch's markers, re-placed per frame."""

    static = False
    per_iteration = False  # the batch changes as a move starts, within an iteration

    def __init__(self, context: SceneContext, veil: Rectangle, batch: PathCollection) -> None:
        self.context = context
        self.veil = veil
        self.batch = batch
        self.artists: list[Artist] = [veil, batch]
        rule = context.trace.rule
        # A trace of arrays, without the algorithm, cannot say what its batches were.
        self.algorithm = (
            rule.algorithm if rule is not None and isinstance(rule.algorithm, MiniBatchKMeans) else None
        )
        self.placed: int | None = None  # the step whose batch the markers show

    def update(self, frame: Frame) -> Sequence[Artist]:
        step = batch_step(frame)
        if self.algorithm is None or step is None:
            return []
        if step != self.placed:  # the frames of one move share its batch
            self.placed = step
            trace = self.context.trace
            indices = self.algorithm.batch(len(trace.X), step)
            self.batch.set_offsets(self.context.points[indices])
            # Each point in the colour of the centre it pulls: its nearest at the step's start.
            self.batch.set_facecolor(self.context.label_colors(trace.labels(step, indices)))  # type: ignore[arg-type]
        return [self.veil, self.batch] if self.veil.get_alpha() else [self.batch]


def batch_step(frame: Frame) -> int | None:
    """The step whose batch ``frame`` shows (batch ``t`` moves state ``t`` to ``t + 1``),
    or None when it shows none: at the start, and at the end, which shows the result."""
    shown = frame.assignment
    if shown is None:
        if frame.fraction > 0:
            return frame.step  # a move under way
        # the move that reached this state, unless it is the first or the last
        return frame.step - 1 if 0 < frame.step < frame.trace.n_iter else None
    if frame.phase == "update":
        return shown.after
    if frame.phase == "assign" and shown.after < frame.trace.n_iter:
        return shown.after  # the batch the coming update assigns
    return None
