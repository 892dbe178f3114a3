"""The title, or a short label in a corner of the axes, filled in for every frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.overlay import Overlay, TextOverlays
from clusteranim.scene.text import check_template

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.text import Text


Corner = Literal["upper left", "upper right", "lower left", "lower right"]


class TitleOptions(LayerOptions):
    """The axes title from ``style.title``, or a label inside the axes."""

    summary = "the title from the style.title template, or a short label in a corner"
    display_name = "title"

    name: Literal["title"] = "title"
    corner_label: bool | str = Field(
        False,
        description='Draw a short label inside the axes instead of the title: true for "i = {iteration}",'
        " or a template with the fields of style.title.",
    )
    corner: Corner = Field("upper left", description="Where the corner label goes.")

    @field_validator("corner_label")
    @classmethod
    def _check_label(cls, label: bool | str) -> bool | str:
        return check_template(label) if isinstance(label, str) else label

    @property
    def label_template(self) -> str | None:
        if self.corner_label is True:
            return "i = {iteration}"
        return self.corner_label or None

    def build(self, context: SceneContext) -> TitleLayer:
        label = self.label_template
        if label is None:
            # The layout makes room for the longest title of any frame, and wraps it to the
            # figure's width; a title as long as that wraps to as many lines or fewer.
            iterations = range(context.trace.n_iter, -1, -1)  # the last frame's on a tie
            longest = max(
                (fill_template(context, context.title, iteration) for iteration in iterations), key=len
            )
            text = context.axes.set_title(longest, wrap=True)
            return TitleLayer(context, text, context.title)
        vertical, horizontal = self.corner.split()
        text = context.axes.text(
            0.03 if horizontal == "left" else 0.97,
            0.97 if vertical == "upper" else 0.03,
            fill_template(context, label, context.trace.n_iter),
            transform=context.axes.transAxes,
            ha=horizontal,
            va="top" if vertical == "upper" else "bottom",
            fontsize="large",
            fontweight="bold",
            color=context.theme.foreground,
            bbox=context.theme.label_box(0.75),
        )
        return TitleLayer(context, text, label)


def fill_template(context: SceneContext, template: str, iteration: int) -> str:
    """``template`` filled in for ``iteration`` (a trailing space of an empty field
    dropped)."""
    return template.format(**title_fields(context, iteration)).rstrip()


def title_fields(context: SceneContext, iteration: int) -> dict[str, int | float | str]:
    """The values of a title's fields at ``iteration`` (see ``TEMPLATE_FIELDS``)."""
    trace = context.trace
    status = ("converged" if trace.converged else "stopped") if iteration == trace.n_iter else ""
    return {
        "iteration": iteration,
        "n_iter": trace.n_iter,
        "objective": float(trace.objective[iteration]),
        "algorithm": context.algorithm_name,
        "k": trace.n_active(iteration),
        "panel": context.facts.panel,
        "status": status,
    }


class TitleLayer:
    """The title text, rewritten per frame.

    In a tweened animation each distinct text is rendered once and kept as an overlay:
    the frames between two iterations share their title, and laying out and rasterising
    glyphs is most of the cost of drawing a frame.
    """

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, text: Text, template: str) -> None:
        self.context = context
        self.text = text
        self.template = template
        self.artists: list[Artist] = [text]
        self.overlays = TextOverlays(text, context.figure)

    def update(self, frame: Frame) -> Sequence[Artist | Overlay]:
        content = fill_template(self.context, self.template, frame.iteration)
        if not self.context.tweened:
            self.text.set_text(content)
            return self.artists
        return [self.overlays(content)]
