"""One legend entry per cluster or component, in its colour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.text import check_text

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


def _check_texts(texts: list[str] | str | None) -> list[str] | str | None:
    for text in [texts] if isinstance(texts, str) else texts or []:
        check_text(text)
    return texts


class LegendOptions(LayerOptions):
    """A legend naming each cluster (k-means) or component (mixtures)."""

    summary = "one entry per cluster or component, in its colour"
    display_name = "legend"

    name: Literal["legend"] = "legend"
    labels: list[str] | None = Field(
        None, description='Entry names; by default "cluster 1", ... or "component 1", ...'
    )
    loc: Location = Field("upper right", description="Where in the axes the legend goes (matplotlib's loc).")
    title: str | None = Field(None, description="A heading above the entries.")

    _check_labels = field_validator("labels")(_check_texts)
    _check_title = field_validator("title")(_check_texts)

    def check_for(self, profile: AlgorithmProfile) -> None:
        super().check_for(profile)
        if self.labels is not None and len(self.labels) != profile.n_clusters:
            raise OptionError("labels", f"lists {len(self.labels)} labels for k = {profile.n_clusters}")

    def build(self, context: SceneContext) -> LegendLayer:
        from matplotlib.lines import Line2D

        n_clusters = len(context.colors)
        noun = context.trace.capabilities.member
        labels = self.labels or [f"{noun} {index + 1}" for index in range(n_clusters)]
        handles = [
            Line2D(
                [], [], linestyle="", marker="o", markersize=8, markerfacecolor=color, markeredgecolor="none"
            )
            for color in context.colors
        ]
        legend = context.axes.legend(handles, labels, loc=self.loc, title=self.title, framealpha=0.85)
        return LegendLayer(legend)


class LegendLayer:
    """Drawn once, unless a moving layer lies beneath it."""

    static = True
    per_iteration = True

    def __init__(self, legend: Artist) -> None:
        self.artists: list[Artist] = [legend]

    def update(self, frame: Frame) -> Sequence[Artist]:
        return self.artists
