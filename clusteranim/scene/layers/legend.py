"""One legend entry per cluster or component, in its colour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.placement import (
    CORNERS,
    CROWDED,
    Box,
    Marks,
    claim,
    corner_box,
    go_outside,
    outside_fits,
    taken,
    watch,
)
from clusteranim.scene.text import check_text

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.legend import Legend
    from matplotlib.transforms import Transform

Location = Literal[
    "auto",
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

#: Font sizes a legend tries, largest first, until it fits the axes.
FONT_SIZES = ("medium", "small", "x-small")
MAX_COLUMNS = 4
#: Shares of the axes' width and height a legend may take: the first is tried with every
#: font size and number of columns before the second.
SHARES = (0.5, 0.8)
#: The size of an entry's marker, in font sizes.
MARKER_SCALE = 0.8


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
    loc: Location = Field(
        "auto",
        description=(
            "Where the legend goes: auto, the corner of the axes (not taken by a panel or a"
            " corner label) where it covers the fewest points and centroid positions over the"
            " whole animation, or right of the axes when every free corner is crowded and the"
            " frame has room; or one of matplotlib's locations (best moves as the data under"
            " it changes)."
        ),
    )
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


@dataclass(frozen=True)
class Look:
    """Where and how big the legend is drawn.

    Parameters
    ----------
    loc : str
        matplotlib's location (of the legend's box, at ``anchor`` when given).
    anchor : (x, y) in axes fraction, or None: the axes' box
    outside : bool
        In the column right of the axes (``loc`` and ``anchor`` are then not used).
    fontsize : str
    ncols : int
    n_entries : int or None
        How many entries are shown before one that says how many more there are; None:
        all of them.
    """

    loc: str
    anchor: tuple[float, float] | None = None
    outside: bool = False
    fontsize: str = FONT_SIZES[0]
    ncols: int = 1
    n_entries: int | None = None


class LegendLayer:
    """One entry per cluster, drawn once; when clusters come and go (a varying number of
    clusters), the entries of the clusters that exist, redrawn when the iteration changes.

    Its size and corner are chosen once, at the first frame, when the figure's layout is
    fixed; whether it goes outside the axes is chosen before the layout, which makes room
    for it.
    """

    def __init__(self, options: LegendOptions, context: SceneContext, labels: list[str]) -> None:
        import matplotlib

        self.options = options
        self.context = context
        self.labels = labels
        self.static = context.trace.active is None
        self.per_iteration = True
        # Legends are redrawn in frames drawn outside the scene's rc settings.
        self.rc = matplotlib.rcParams.copy()
        self.everything = tuple(range(len(labels)))
        self.sizes: dict[Look, tuple[float, float]] = {}
        self.placed = False
        #: Where the legend is in the column right of the axes, when it is there.
        self.outside: Transform | None = None
        self.look = Look(loc="upper right" if options.loc == "auto" else options.loc)
        if options.loc in CORNERS:
            claim(context.axes, options.plugin_name(), self._corner_boxes(self.look)[options.loc])
        if options.loc == "auto":
            self._go_outside_if_crowded()
        self.shown: tuple[int, ...] = self.everything
        # All entries until the first frame, so that the layout makes room for the largest.
        self.legend = self._make(self.everything)
        self.artists: list[Artist] = [self.legend]
        if not self.placed and options.loc == "auto":
            # A panel built after the legend takes its corner before the layout.
            watch(context.axes, options.plugin_name(), self._reconsider)

    def _go_outside_if_crowded(self) -> bool:
        """Go right of the axes if every free corner is crowded and the frame has room."""
        if not self._crowded():
            return False
        outside = self._outside()
        if outside is None:
            return False
        self.look, self.placed = outside, True
        self.outside = go_outside(self.context.axes, self.options.plugin_name(), self._size(outside))
        watch(self.context.axes, self.options.plugin_name(), None)
        return True

    def _reconsider(self) -> None:
        """Before the layout, another box claimed a corner: go outside if now crowded."""
        if not self.placed and self._go_outside_if_crowded():
            self._replace(self.everything)

    def _existing(self, iteration: int) -> tuple[int, ...]:
        return tuple(int(index) for index in np.flatnonzero(self.context.trace.is_active(iteration)))

    def _legend(self, clusters: tuple[int, ...], look: Look, attach: bool = False) -> Legend:
        """The legend of ``clusters`` as ``look`` says; added to the axes if ``attach``,
        else only to measure."""
        import matplotlib
        from matplotlib.legend import Legend
        from matplotlib.lines import Line2D

        points = self._points(look.fontsize)
        with matplotlib.rc_context(self.rc):
            shown = clusters if look.n_entries is None else clusters[: look.n_entries]
            handles = [
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker="o",
                    markersize=MARKER_SCALE * points,
                    markerfacecolor=self.context.colors[index],
                    markeredgecolor="none",
                )
                for index in shown
            ]
            texts = [self.labels[index] for index in shown]
            if len(shown) < len(clusters):
                handles.append(Line2D([], [], linestyle=""))
                texts.append(f"… {len(clusters) - len(shown)} more")
            settings: dict[str, Any] = {
                "loc": look.loc,
                "bbox_to_anchor": look.anchor,
                "ncols": look.ncols,
                "fontsize": look.fontsize,
                "title": self.options.title,
                "title_fontsize": look.fontsize,
                "framealpha": 0.85,
            }
            if look.outside and self.outside is not None:
                # At the top of its place in the column right of the axes.
                top = self._size(look)[1]
                settings.update(loc="upper left", bbox_to_anchor=(0, top), borderaxespad=0)
                settings["bbox_transform"] = self.outside
            if attach:
                return self.context.axes.legend(handles, texts, **settings)
            return Legend(self.context.axes, handles, texts, **settings)

    def _make(self, clusters: tuple[int, ...]) -> Legend:
        self.shown = clusters
        legend = self._legend(clusters, self.look, attach=True)
        # Before any cluster exists (DBSCAN's start), or when none is found, there is
        # nothing to name: no empty box.
        legend.set_visible(bool(clusters))
        # The layout makes room for a legend outside the axes; one inside them, as large as
        # it may be before it is fitted to the axes, must not squeeze them.
        legend.set_in_layout(self.look.outside)
        return legend

    def _points(self, fontsize: str) -> float:
        """A font size in points, with the scene's base size."""
        import matplotlib
        from matplotlib.font_manager import FontProperties

        with matplotlib.rc_context(self.rc):
            return float(FontProperties(size=fontsize).get_size_in_points())

    def _size(self, look: Look) -> tuple[float, float]:
        """Width and height in pixels of the legend of every cluster, as ``look`` says."""
        if look not in self.sizes:
            renderer = self.context.figure.canvas.get_renderer()  # type: ignore[attr-defined]
            box = self._legend(self.everything, look).get_window_extent(renderer)
            self.sizes[look] = (float(box.width), float(box.height))
        return self.sizes[look]

    def _corner_boxes(self, look: Look) -> dict[str, Box]:
        """The box (axes fraction) of the legend of every cluster in each corner."""
        axes_box = self.context.axes.get_window_extent()
        width, height = self._size(look)
        pad = self.rc["legend.borderaxespad"] * self._points(look.fontsize) * self.context.figure.dpi / 72
        scale = (axes_box.width, axes_box.height)
        margin = (pad / scale[0], pad / scale[1])
        return {corner: corner_box(corner, width / scale[0], height / scale[1], margin) for corner in CORNERS}

    def _crowded(self) -> bool:
        """Whether, as far as can be told before the layout, every free corner of the axes
        would hold data under the legend."""
        marks = Marks.of(self.context)
        boxes = self._corner_boxes(self.look)
        excluded = taken(self.context.axes, boxes, self.options.plugin_name())
        return all(marks.coverage(box) > CROWDED for corner, box in boxes.items() if corner not in excluded)

    def _outside(self) -> Look | None:
        """The largest look of the legend right of the axes (below what is there already)
        that fits the frame, if any."""
        axes, owner = self.context.axes, self.options.plugin_name()
        for fontsize in FONT_SIZES:
            for ncols in (1, 2):
                look = Look(loc="center left", outside=True, fontsize=fontsize, ncols=ncols)
                if outside_fits(axes, owner, self._size(look)):
                    return look
        return None

    def _fitted(self) -> Look:
        """The largest look of the legend that fits the axes: by font size and columns,
        else as many entries as fit and one that says how many more there are."""
        axes_box = self.context.axes.get_window_extent()
        axes, owner = self.context.axes, self.options.plugin_name()

        def free(look: Look) -> bool:
            """Whether some corner holds the legend as ``look`` draws it, clear of the
            boxes others took (a panel) and of corner labels."""
            return self.options.loc != "auto" or len(taken(axes, self._corner_boxes(look), owner)) < len(
                CORNERS
            )

        def fits(look: Look, share: float) -> bool:
            width, height = self._size(look)
            return width <= share * axes_box.width and height <= share * axes_box.height and free(look)

        n_labels = len(self.labels)
        for share in SHARES:
            for fontsize in FONT_SIZES:
                one_column = self._size(replace(self.look, fontsize=fontsize))
                # A legend in n columns is at least 1/n as tall as in one.
                fewest = math.ceil(one_column[1] / (share * axes_box.height))
                for ncols in range(max(fewest, 1), min(MAX_COLUMNS, n_labels) + 1):
                    look = replace(self.look, fontsize=fontsize, ncols=ncols)
                    if fits(look, share):
                        return look
                    if self._size(look)[0] > share * axes_box.width:
                        break  # more columns are wider still
        share = SHARES[-1]
        smallest = replace(self.look, fontsize=FONT_SIZES[-1], n_entries=1)
        look = next(
            (
                replace(smallest, ncols=ncols)
                for ncols in range(MAX_COLUMNS, 1, -1)
                if fits(replace(smallest, ncols=ncols, n_entries=ncols), share)
            ),
            smallest,
        )
        # The most entries that fit, by bisection (fewer entries are never larger).
        fitting, too_many = 1, n_labels
        while too_many - fitting > 1:
            middle = (fitting + too_many) // 2
            if fits(replace(look, n_entries=middle), share):
                fitting = middle
            else:
                too_many = middle
        return replace(look, n_entries=fitting)

    def place(self) -> None:
        """Fit the legend to the axes and, for loc auto, choose its corner (once)."""
        watch(self.context.axes, self.options.plugin_name(), None)
        self.look = self._fitted()
        axes, owner = self.context.axes, self.options.plugin_name()
        boxes = self._corner_boxes(self.look)
        if self.options.loc == "auto":
            corner = Marks.of(self.context).least_covered(boxes, CORNERS, taken(axes, boxes, owner))
            self.look = replace(self.look, loc=corner)
        if self.look.loc in boxes:
            claim(axes, owner, boxes[self.look.loc], tell=False)
        self.placed = True

    def _replace(self, clusters: tuple[int, ...]) -> None:
        zorder, animated = self.legend.get_zorder(), self.legend.get_animated()
        self.legend.remove()
        self.legend = self._make(clusters)
        self.legend.set_zorder(zorder)
        self.legend.set_animated(animated)
        self.artists[:] = [self.legend]

    def update(self, frame: Frame) -> Sequence[Artist]:
        clusters = self.everything if self.static else self._existing(frame.iteration)
        if not self.placed:
            self.place()
            self._replace(clusters)
        elif clusters != self.shown:
            self._replace(clusters)
        return self.artists
