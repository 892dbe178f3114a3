"""The title, filled in from a template for every frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from clusteranim.scene.base import Frame, LayerOptions, SceneContext

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.text import Text


class TitleLayer(LayerOptions):
    """The axes title from ``style.title``."""

    summary = "the title, from the style.title template"

    name: Literal["title"] = "title"

    def build(self, context: SceneContext) -> Title:
        text = context.axes.set_title(title_text(context, context.trace.n_iter))
        return Title(context, text)


def title_text(context: SceneContext, iteration: int) -> str:
    """``style.title`` filled in for ``iteration``."""
    return context.style.title.format(
        iteration=iteration,
        n_iter=context.trace.n_iter,
        objective=float(context.trace.objective[iteration]),
        algorithm=context.algorithm_name,
        k=context.trace.n_clusters,
    )


class Title:
    """The title text, rewritten per frame."""

    static = False

    def __init__(self, context: SceneContext, text: Text) -> None:
        self.context = context
        self.text = text
        self.artists: list[Artist] = [text]

    def update(self, frame: Frame) -> Sequence[Artist]:
        self.text.set_text(title_text(self.context, frame.iteration))
        return self.artists
