"""Panels: small plots in an opaque box in a corner of the axes (the objective plot, the
dendrogram), placed once, where they cover the least of the data.

An automatic panel takes a corner when it is built, before the layout, so that a legend
(which decides then whether it goes outside the axes) counts it as taken: a free corner
where the panel covers (almost) no data, else the same at three quarters of its size,
else the column right of the axes when the frame has room (for good: the layout makes
room for it), else the least covered corner. At the first frame, once the layout is
fixed, a panel in a corner chooses again the same way (but for going outside) as the
data then lies, among the corners still free; its plot is fitted into its box: the texts
shrink, then give way (the title, then the axis label, then the notes, then the tick
labels) so that the plot keeps a good part of the box and no text leaves it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from clusteranim.scene.base import LayerOptions, SceneContext
from clusteranim.scene.placement import (
    CORNERS,
    CROWDED,
    OUTSIDE_WIDTH,
    Marks,
    claim,
    claimed,
    corner_box,
    go_outside,
    outside_fits,
    release,
    taken,
    watch,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text
    from matplotlib.ticker import Locator
    from matplotlib.transforms import Bbox, BboxBase

#: The corners an automatic panel tries, the first preferred when others are no emptier.
PREFERENCE = ("lower right", "lower left", "upper left", "upper right")
#: Sizes (shares of the one asked for) an automatic panel tries in the free corners
#: before it goes outside the axes.
SCALES = (1.0, 0.75)
#: Room around the plot inside the panel's box, in points.
PAD = 3.0
#: Gap between the title and what is below it, in points.
TITLE_GAP = 2.0
#: Font sizes of the panel's texts, largest first, until they fit.
FONT_SIZES = ("x-small", "xx-small")
#: Share of its box's width and height (less the padding) the plot keeps at least:
#: texts that would leave it less give way.
MIN_PLOT = 0.4
#: Slack when checking that a text lies inside the box, in pixels.
SLACK = 0.5
#: Least gap between two tick labels, in pixels.
TICK_GAP = 1.0
#: Where a panel outside the axes is (its ``corner``).
OUTSIDE = "outside"


@dataclass(frozen=True)
class Level:
    """How much text a panel shows: a font size in points and which texts are drawn."""

    points: float
    title: bool = True
    axis_label: bool = True
    ticks: bool = True
    notes: bool = True


class PanelOptions(LayerOptions):
    """Where a panel goes and how large it is; subclasses may give other default sizes."""

    corner: Literal["auto", "upper left", "upper right", "lower left", "lower right"] = Field(
        "auto",
        description=(
            "Which corner of the axes the panel sits in; auto: a corner, not taken by the"
            " legend, another panel or a corner label, where it covers the fewest points and"
            " centroid positions over the whole animation (lower right when no other is"
            " emptier); at three quarters of its size when every free corner is crowded at"
            " full size, right of the axes when it still is and the frame has room."
        ),
    )
    width: float = Field(
        0.34, gt=0.05, le=1, description="Panel width, with its tick labels, as a fraction of the axes."
    )
    height: float = Field(
        0.26,
        gt=0.05,
        le=1,
        description="Panel height, with its tick labels and title, as a fraction of the axes.",
    )

    def panel(self, context: SceneContext, title: str) -> tuple[Rectangle, Axes]:
        """The panel's opaque box and its plot (placed at the first frame), titled."""
        from matplotlib.patches import Rectangle
        from matplotlib.ticker import MaxNLocator

        axes = context.axes
        # An opaque box under the plot and its labels, so that no data shows through them.
        box = Rectangle(
            (0, 0),
            self.width,
            self.height,
            transform=axes.transAxes,
            facecolor=context.theme.background,
            edgecolor=context.theme.muted,
            linewidth=0.8,
            alpha=0.85,
            clip_on=False,
        )
        axes.add_patch(box)
        # Placed once the layout is fixed: the layout does not make room for it (but for
        # the box of a panel outside the axes).
        plot = axes.inset_axes((0.3, 0.3, 0.4, 0.4))
        for artist in (box, plot):
            artist.set_in_layout(False)
        plot.patch.set_visible(False)
        plot.tick_params(labelsize="x-small", length=2, pad=1)
        # Placed by the panel (over its box, not its plot), at the first frame.
        plot.set_title(title, fontsize="x-small", pad=0, y=1.0, va="top")
        plot.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        plot.yaxis.set_major_locator(MaxNLocator(nbins=4))
        return box, plot


class PanelLayer:
    """A panel redrawn whole per frame, above the layers beneath it. Its corner is chosen
    when it is built; its plot is fitted into the box at the first frame, when the
    figure's layout is fixed. Subclasses draw in ``panel``, and may have notes (texts in
    or beside the plot, see ``_place_notes``)."""

    static = False
    per_iteration = False

    def __init__(
        self, options: PanelOptions, context: SceneContext, box: Rectangle, panel: Axes, pad: float = PAD
    ) -> None:
        from matplotlib.font_manager import FontProperties

        self.options = options
        self.context = context
        self.box = box
        self.panel = panel
        #: Room around the plot inside the box, in points.
        self.pad = pad
        #: The corner of the axes the panel is in, or ``OUTSIDE``.
        self.corner: str | None = None
        #: Share of the panel's size asked for that it takes (in a corner).
        self.scale = 1.0
        self.placed = False
        self.artists: list[Artist] = [box, panel]
        #: The font sizes tried, in points (with the scene's base size, known only now).
        self.levels = [Level(float(FontProperties(size=size).get_size_in_points())) for size in FONT_SIZES]
        smallest = self.levels[-1]
        self.levels += [
            Level(smallest.points, title=False),
            Level(smallest.points, title=False, axis_label=False),
            Level(smallest.points, title=False, axis_label=False, notes=False),
        ]
        self.bare = Level(smallest.points, title=False, axis_label=False, ticks=False, notes=False)
        #: The texts beside the plot (notes that found no room in it), set while fitting.
        self.beside: list[Text] = []
        #: The plot's tick locators as built (fitting may leave ticks out).
        self.locators: tuple[Locator, Locator] | None = None
        self._choose()

    @property
    def owner(self) -> str:
        return self.options.plugin_name()

    # -- where the panel goes ------------------------------------------------------------

    def _choose(self, outside: bool = True) -> None:
        """Choose the panel's corner, or (if ``outside``) the column right of the axes."""
        options, axes = self.options, self.context.axes
        if options.corner != "auto":
            self.corner = options.corner
            claim(axes, self.owner, corner_box(options.corner, options.width, options.height))
            return
        marks = Marks.of(self.context)
        crowded: list[tuple[str, float]] = []
        for scale in SCALES:
            boxes = self._boxes(scale)
            excluded = taken(axes, boxes, self.owner)
            if len(excluded) == len(CORNERS):
                continue
            corner = marks.least_covered(boxes, PREFERENCE, excluded)
            if marks.coverage(boxes[corner]) <= CROWDED:
                self._take(corner, scale)
                return
            crowded.append((corner, scale))
        size = self._outside_size()
        if outside and outside_fits(axes, self.owner, size):
            self._go_outside(size)
            return
        if crowded:  # the least covered free corner, at the largest size that has one
            self._take(*crowded[0])
            return
        boxes = self._boxes(1.0)
        self._take(marks.least_covered(boxes, PREFERENCE, set()), 1.0)

    def _boxes(self, scale: float) -> dict[str, tuple[float, float, float, float]]:
        options = self.options
        return {name: corner_box(name, scale * options.width, scale * options.height) for name in CORNERS}

    def _take(self, corner: str, scale: float) -> None:
        self.corner, self.scale = corner, scale
        claim(self.context.axes, self.owner, self._boxes(scale)[corner], tell=not self.placed)
        if not self.placed:
            # A box claimed later over this one (a caption inside the axes) moves it.
            watch(self.context.axes, self.owner, self._reconsider)

    def _reconsider(self) -> None:
        """Choose again if a box claimed since covers this one (before the layout: the
        legend decides then whether it goes outside, by the corners taken)."""
        if self.placed or self.corner is None or self.corner == OUTSIDE:
            return
        boxes = self._boxes(self.scale)
        if self.corner in taken(self.context.axes, {self.corner: boxes[self.corner]}, self.owner):
            self._choose()

    def _outside_size(self) -> tuple[float, float]:
        """Width and height in pixels of the panel right of the axes: as large as asked
        (of the axes as laid out before the layout), at most the column's width."""
        axes = self.context.axes.get_window_extent()
        figure = self.context.figure.bbox
        width = min(self.options.width * axes.width, OUTSIDE_WIDTH * figure.width)
        return float(width), float(self.options.height * axes.height)

    def _go_outside(self, size: tuple[float, float]) -> None:
        self.corner = OUTSIDE
        watch(self.context.axes, self.owner, None)
        release(self.context.axes, self.owner)
        transform = go_outside(self.context.axes, self.owner, size)
        self.box.set_xy((0, 0))
        self.box.set_width(size[0])
        self.box.set_height(size[1])
        self.box.set_transform(transform)
        self.box.set_in_layout(True)  # the layout makes room for it

    # -- fitting the plot into its box ---------------------------------------------------

    def place(self) -> None:
        """Fix the box where it was chosen and fit the plot and its texts inside it.

        A panel in a corner chooses its corner again, as the data lies once the layout
        is fixed (equal aspect widens the limits), among those that the boxes placed
        since (the legend) and the corner labels left free; the corner it took before
        is one of them but for a corner label.
        """
        from matplotlib.transforms import Bbox

        axes, figure = self.context.axes, self.context.figure
        self.placed = True
        watch(axes, self.owner, None)
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        if self.corner == OUTSIDE and not _inside(self.box.get_window_extent(renderer), figure.bbox):
            # The layout found no room beside the axes (a frame too small): in a corner.
            self.box.set_transform(axes.transAxes)
            self.box.set_in_layout(False)
            self.corner = None
        if self.corner != OUTSIDE:
            self._choose(outside=False)
            box = claimed(axes, self.owner)
            assert box is not None
            left, bottom, right, top = box
            self.box.set_bounds(left, bottom, right - left, top - bottom)
        slot = self.box.get_window_extent(renderer)
        inset = self.pad * figure.dpi / 72
        room = Bbox.intersection(slot, figure.bbox)
        if room is None:
            room = slot
        room = Bbox.from_extents(room.x0 + inset, room.y0 + inset, room.x1 - inset, room.y1 - inset)
        for level in self.levels:
            if self._fit(room, level):
                return
        self._fit(room, self.bare, force=True)

    def _fit(self, room: Bbox, level: Level, force: bool = False) -> bool:
        """Lay the plot and its texts out in ``room`` (pixels) as ``level`` says; False
        (unless ``force``) when a text would leave the room or the plot would keep less
        than ``MIN_PLOT`` of it."""
        from matplotlib.transforms import Bbox

        self._show(level)
        renderer = self.context.figure.canvas.get_renderer()  # type: ignore[attr-defined]
        title = self.panel.title
        top = room.y1
        if level.title:
            extent = title.get_window_extent(renderer)
            if extent.width > room.width + SLACK and not force:
                return False
            top -= extent.height + TITLE_GAP * self.context.figure.dpi / 72
        area = Bbox.from_extents(room.x0, room.y0, room.x1, max(top, room.y0 + 1))
        for beside in (False, True) if level.notes else (False,):
            self.beside = self._notes() if beside else []
            plot = self._plot_box(area, renderer)
            if level.ticks and self._thin_ticks(plot, renderer):
                plot = self._plot_box(area, renderer)
            if not force and (plot.width < MIN_PLOT * room.width or plot.height < MIN_PLOT * room.height):
                return False
            self._position(plot)
            if level.notes and not self._place_notes(plot, beside, renderer) and not beside:
                continue
            outer = self._outer(renderer)
            if not force and not _inside(outer, area):
                return False
            break
        if level.title:
            x, y = (room.x0 + room.x1) / 2, room.y1
            inverse = self.panel.transAxes.inverted()
            title.set_position(tuple(inverse.transform((x, y))))
        return True

    def _thin_ticks(self, plot: Bbox, renderer: RendererBase) -> bool:
        """With the plot at ``plot`` (pixels), leave out every other tick of an axis whose
        tick labels run into each other, until they do not (or two are left); whether
        any was left out."""
        self._position(plot)
        thinned = False
        for axis, along in ((self.panel.xaxis, 0), (self.panel.yaxis, 1)):
            while True:
                axis.get_majorticklabels()  # brings the labels up to date
                low, high = sorted(axis.get_view_interval())
                locations = axis.get_majorticklocs()
                ticks = axis.get_major_ticks(len(locations))
                shown = [
                    (location, tick.label1.get_window_extent(renderer))
                    for tick, location in zip(ticks, locations, strict=True)
                    if low <= location <= high and tick.label1.get_visible() and tick.label1.get_text()
                ]
                if len(shown) <= 2:
                    break
                shown.sort(key=lambda each: each[1].get_points()[0, along])
                extents = [box.get_points()[:, along] for _, box in shown]
                if all(first[1] + TICK_GAP <= second[0] for first, second in itertools.pairwise(extents)):
                    break
                axis.set_ticks([location for location, _ in shown][::2])
                thinned = True
        return thinned

    def _show(self, level: Level) -> None:
        """Draw the texts ``level`` shows, at its size (and every tick)."""
        panel = self.panel
        if self.locators is None:
            self.locators = (panel.xaxis.get_major_locator(), panel.yaxis.get_major_locator())
        for axis, locator in zip((panel.xaxis, panel.yaxis), self.locators, strict=True):
            axis.set_major_locator(locator)
        panel.title.set_visible(level.title)
        panel.title.set_fontsize(level.points)
        panel.yaxis.label.set_visible(level.axis_label)
        panel.xaxis.label.set_visible(level.axis_label)
        for axis in (panel.xaxis, panel.yaxis):
            axis.label.set_fontsize(level.points)
        panel.tick_params(
            labelsize=level.points,
            labelleft=level.ticks,
            labelbottom=level.ticks and bool(panel.get_xticks().size),
            left=level.ticks,
            bottom=level.ticks,
        )
        for note in self._notes():
            note.set_visible(level.notes)
            note.set_fontsize(level.points)

    def _plot_box(self, area: Bbox, renderer: RendererBase) -> Bbox:
        """Where the plot goes in ``area`` so that its ticks, labels and the notes beside
        it keep inside (pixels)."""
        from matplotlib.transforms import Bbox

        self._position(area)
        if self.beside:
            self._place_notes(area, True, renderer)
        inner = self.panel.get_window_extent(renderer)
        outer = self._outer(renderer)
        plot = Bbox.from_extents(
            area.x0 + inner.x0 - outer.x0,
            area.y0 + inner.y0 - outer.y0,
            area.x1 - (outer.x1 - inner.x1),
            area.y1 - (outer.y1 - inner.y1),
        )
        return Bbox.from_extents(plot.x0, plot.y0, max(plot.x1, plot.x0 + 1), max(plot.y1, plot.y0 + 1))

    def _outer(self, renderer: RendererBase) -> Bbox:
        """The extent of the plot with its ticks, labels and the notes beside it, not its
        title (pixels)."""
        title = self.panel.title
        shown = title.get_visible()
        title.set_visible(False)
        try:
            outer = self.panel.get_tightbbox(renderer, bbox_extra_artists=self.beside)
        finally:
            title.set_visible(shown)
        assert outer is not None
        return outer

    def _notes(self) -> list[Text]:
        """Texts of the subclass in the plot or beside it."""
        return []

    def _place_notes(self, plot: Bbox, beside: bool, renderer: RendererBase) -> bool:
        """Put the notes in the plot at ``plot`` (pixels), where they cross no line, or
        beside it if ``beside``; False when some note finds no room in the plot."""
        return True

    def _position(self, box: Bbox) -> None:
        """Put the plot at ``box``, in pixels, for good."""
        from matplotlib.transforms import Bbox

        position = Bbox(self.context.figure.transFigure.inverted().transform(box.get_points()))
        self.panel.set_position(position)
        self.panel.set_axes_locator(lambda _panel, _renderer: position)


def _inside(box: BboxBase, outer: BboxBase) -> bool:
    return bool(
        box.x0 >= outer.x0 - SLACK
        and box.y0 >= outer.y0 - SLACK
        and box.x1 <= outer.x1 + SLACK
        and box.y1 <= outer.y1 + SLACK
    )
