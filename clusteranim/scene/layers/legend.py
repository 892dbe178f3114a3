"""One legend entry per cluster or component, in its colour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
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
        noun = context.trace.capabilities.member
        labels = self.labels or [f"{noun} {index + 1}" for index in range(len(context.colors))]
        return LegendLayer(self, context, labels)


class LegendLayer:
    """One entry per cluster, drawn once; when clusters come and go (a varying number of
    clusters), the entries of the clusters that exist, redrawn when the iteration changes."""

    def __init__(self, options: LegendOptions, context: SceneContext, labels: list[str]) -> None:
        self.options = options
        self.context = context
        self.labels = labels
        self.static = context.trace.active is None
        self.per_iteration = True
        self.shown: tuple[int, ...] | None = None
        self.legend = self._make(tuple(range(len(labels))) if self.static else self._existing(0))
        self.artists: list[Artist] = [self.legend]

    def _existing(self, iteration: int) -> tuple[int, ...]:
        return tuple(int(index) for index in np.flatnonzero(self.context.trace.is_active(iteration)))

    def _make(self, clusters: tuple[int, ...]) -> Artist:
        from matplotlib.lines import Line2D

        colors = self.context.colors
        handles = [
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=8,
                markerfacecolor=colors[index],
                markeredgecolor="none",
            )
            for index in clusters
        ]
        self.shown = clusters
        options = self.options
        axes = self.context.axes
        return axes.legend(
            handles,
            [self.labels[index] for index in clusters],
            loc=options.loc,
            title=options.title,
            framealpha=0.85,
        )

    def update(self, frame: Frame) -> Sequence[Artist]:
        if not self.static:
            clusters = self._existing(frame.iteration)
            if clusters != self.shown:
                zorder = self.legend.get_zorder()
                self.legend.remove()
                self.legend = self._make(clusters)
                self.legend.set_zorder(zorder)
                self.legend.set_animated(True)
                self.artists[:] = [self.legend]
        return self.artists
