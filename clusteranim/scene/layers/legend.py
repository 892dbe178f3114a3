"""One legend entry per cluster or component, in its colour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext

if TYPE_CHECKING:
    from matplotlib.artist import Artist

Location = Literal[
    "best",
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "right",
    "center left",
    "center right",
    "lower center",
    "upper center",
    "center",
]


class LegendLayer(LayerOptions):
    """A legend naming each cluster (k-means) or component (mixtures)."""

    summary = "one entry per cluster or component, in its colour"

    name: Literal["legend"] = "legend"
    labels: list[str] | None = Field(
        None, description='Entry names; by default "cluster 1", ... or "component 1", ...'
    )
    loc: Location = Field("upper right", description="Where in the axes the legend goes (matplotlib's loc).")
    title: str | None = Field(None, description="A heading above the entries.")

    def build(self, context: SceneContext) -> Legend:
        from matplotlib.lines import Line2D

        n_clusters = len(context.colors)
        noun = "component" if context.trace.weights is not None else "cluster"
        labels = self.labels or [f"{noun} {index + 1}" for index in range(n_clusters)]
        if len(labels) != n_clusters:
            raise OptionError("labels", f"lists {len(labels)} labels for k = {n_clusters}")
        handles = [
            Line2D(
                [], [], linestyle="", marker="o", markersize=8, markerfacecolor=color, markeredgecolor="none"
            )
            for color in context.colors
        ]
        legend = context.axes.legend(handles, labels, loc=self.loc, title=self.title, framealpha=0.85)
        return Legend(legend)


class Legend:
    """Drawn once, unless a moving layer lies beneath it."""

    static = True
    per_iteration = True

    def __init__(self, legend: Artist) -> None:
        self.artists: list[Artist] = [legend]

    def update(self, frame: Frame) -> Sequence[Artist]:
        return self.artists
