"""The figure: built once, its static part drawn once, its moving layers drawn per frame."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.arrays import FloatArray
from clusteranim.data.base import Dataset
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, Layer, RunFacts, SceneContext
from clusteranim.scene.overlay import Overlay, Pixels, Plain, blend_transparent
from clusteranim.scene.parts import Part
from clusteranim.scene.projection import Projection
from clusteranim.scene.theme import Theme
from clusteranim.trace import Trace

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from clusteranim.scene.style import StyleOptions


def preload() -> None:
    """Import every matplotlib module a scene uses, and load the default font, once
    (before forking workers, which then share them)."""
    import matplotlib.backends.backend_agg
    import matplotlib.collections
    import matplotlib.figure
    import matplotlib.image
    import matplotlib.legend
    import matplotlib.lines
    import matplotlib.markers
    import matplotlib.patches
    import matplotlib.text  # noqa: F401
    from matplotlib import font_manager

    font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))


class Scene:
    """Draws the frames of one animation as RGBA arrays (Agg's own layout, alpha 255).

    Static layers beneath the first moving one are drawn once into a background; each
    frame restores that background and draws the moving layers (and any layer above
    them) over it. Axis limits are set once and hold for every frame.

    Parameters
    ----------
    style : StyleOptions
    trace : Trace
    dataset : Dataset
    algorithm_name : str
        As shown in titles.
    tweened : bool
        Whether frames are drawn between iterations (see ``SceneContext.tweened``).
    facts : RunFacts, optional
        What the scenario says of the run, for captions.
    view : ((float, float), (float, float)), optional
        The limits of the view's two axes before the layout (panels of the same data share
        them); by default the data's and the centres' range, padded (:func:`view_of`).
    ticks : (sequence of float, sequence of float), optional
        Where the ticks of each axis go (those inside the view show), rather than where
        matplotlib's locator puts them for the axes' length.
    """

    def __init__(
        self,
        style: StyleOptions,
        trace: Trace,
        dataset: Dataset,
        algorithm_name: str,
        tweened: bool = False,
        facts: RunFacts | None = None,
        view: View | None = None,
        ticks: Ticks | None = None,
    ) -> None:
        import matplotlib

        from clusteranim.scene.theme import THEMES

        theme = THEMES[style.theme]
        self.rc = theme.rc(style.font_size)
        with matplotlib.rc_context(self.rc):  # type: ignore[arg-type]
            self._build(
                style, trace, dataset, algorithm_name, theme, tweened, facts or RunFacts(), view, ticks
            )

    def _build(
        self,
        style: StyleOptions,
        trace: Trace,
        dataset: Dataset,
        algorithm_name: str,
        theme: Theme,
        tweened: bool,
        facts: RunFacts,
        view: View | None,
        ticks: Ticks | None,
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from clusteranim.scene.palette import cluster_colors

        self.style = style
        self.figure = Figure(figsize=(style.width / style.dpi, style.height / style.dpi), dpi=style.dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.add_subplot()
        projection = Projection.fit(dataset.X, style.projection, dataset.feature_names)
        points = projection.points(dataset.X)
        colors = cluster_colors(style.palette, trace.n_clusters)
        _decorate(axes, style, projection)
        if ticks is not None and style.ticks:
            from matplotlib.ticker import FixedLocator

            # Given ticks, whatever the axes' exact size: panels of one view get the same
            # ticks, so the same labels, so the same layout.
            for axis, places in zip((axes.xaxis, axes.yaxis), ticks, strict=True):
                axis.set_major_locator(FixedLocator(list(places)))
        self.context = SceneContext(
            figure=self.figure,
            axes=axes,
            title=style.title,
            trace=trace,
            points=points,
            true_labels=dataset.labels,
            colors=colors,
            algorithm_name=algorithm_name,
            projection=projection,
            theme=theme,
            tweened=tweened,
            facts=facts,
        )
        x_limits, y_limits = view or _view(points, projection.points(trace.centers), style.padding)
        # The framing before the layout too, for layers that place boxes where the data is not.
        axes.set_xlim(*x_limits)
        axes.set_ylim(*y_limits)
        self.layers: list[Layer] = []
        for depth, options in enumerate(style.layers):
            try:
                layer = options.build(self.context)
            except OptionError as error:
                name = options.plugin_name()
                raise OptionError(f"layers.{depth}.{name}.{error.key}", error.message) from None
            for artist in layer.artists:
                artist.set_zorder(2 + depth)
            self.layers.append(layer)
        self.moving = _moving_layers(self.layers)
        for layer in self.moving:
            for artist in layer.artists:
                artist.set_animated(True)
        _fix_layout(self.figure, axes, style, x_limits, y_limits)
        for layer in self.layers:
            if layer.static:
                layer.update(Frame(trace, 0))  # per-pixel layers need the final limits
        # The axes frame goes over every layer, so that per-pixel layers, which cover the
        # axes to their last whole pixel, never hide it.
        self.frame_lines = [spine for spine in axes.spines.values() if axes.axison and spine.get_visible()]
        for spine in self.frame_lines:
            spine.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.plain = _plain(self.context.grid().block(np.asarray(self.canvas.buffer_rgba())))
        # A static layer above a moving one is drawn once, alone, and blended per frame.
        steps: list[Layer | Overlay] = [
            Overlay.of(layer.artists, self.figure) if layer.static else layer for layer in self.moving
        ]
        # The moving layers at the bottom that change only from one iteration to the next
        # are drawn once per iteration into a second background.
        split = 0
        while split < len(steps) and _per_iteration(steps[split]):
            split += 1
        self.iteration_steps, self.frame_steps = steps[:split], steps[split:]
        self.iteration_background: tuple[object, object] | None = None
        self.bare: tuple[object, Plain | None] | None = None

    def ticks(self) -> Ticks:
        """Where the ticks of the two axes are (to give another scene of the same view), as
        the drawn frame has them (the locator counts in the theme's font size)."""
        import matplotlib

        axes = self.context.axes
        with matplotlib.rc_context(self.rc):  # type: ignore[arg-type]
            return tuple(axes.get_xticks()), tuple(axes.get_yticks())

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of every frame in pixels."""
        width, height = self.canvas.get_width_height()
        return int(width), int(height)

    def draw(self, frame: Frame, out: np.ndarray | None = None, part: Part | None = None) -> np.ndarray:
        """The pixels of ``frame``, shape (height, width, 4) uint8, RGBA with alpha 255.

        The canvas buffer is copied whole (into ``out`` when given, e.g. shared memory):
        dropping the alpha channel here would be a strided copy costing a fifth of the
        frame's drawing time.

        With a ``part`` (see :mod:`clusteranim.scene.parts`), only its layers: over the
        figure and the axes when it is the base, else over transparent pixels (alpha as
        drawn, colours not multiplied by it).
        """
        if part is not None and not part.whole:
            self._draw_part(frame, part)
        else:
            self._draw_whole(frame)
        pixels: np.ndarray = np.asarray(self.canvas.buffer_rgba())
        if out is None:
            out = np.empty_like(pixels)
        np.copyto(out, pixels)
        return out

    def _draw_whole(self, frame: Frame) -> None:
        if self.iteration_steps and self.context.tweened:
            cached = self.iteration_background
            if cached is None or cached[0] != frame.key:
                self.canvas.restore_region(self.background)
                self._run(self.iteration_steps, frame, self.plain)
                cached = (frame.key, self.canvas.copy_from_bbox(self.figure.bbox))
                self.iteration_background = cached
            self.canvas.restore_region(cached[1])
            self._run(self.frame_steps, frame, None)
        else:
            self.canvas.restore_region(self.background)
            plain = self._run(self.iteration_steps, frame, self.plain)
            self._run(self.frame_steps, frame, plain)
        for spine in self.frame_lines:
            self.figure.draw_artist(spine)

    def _draw_part(self, frame: Frame, part: Part) -> None:
        """Draw ``part``'s layers alone, each from scratch (no background kept between
        frames but the bare figure)."""
        layers = [self.layers[position] for position in part.layers]
        if part.base:
            background, plain = self._bare()
            self.canvas.restore_region(background)
            self._run(layers, frame, plain)
        else:
            self.canvas.get_renderer().clear()  # transparent
            self._run(layers, frame, None, transparent=True)
        if part.frame_lines:
            for spine in self.frame_lines:
                self.figure.draw_artist(spine)

    def _bare(self) -> tuple[object, Plain | None]:
        """The figure and the axes with no layer (and no axes frame), and the colour of
        the axes' bare background: drawn once, when a part first needs them."""
        if self.bare is None:
            artists = [artist for layer in self.layers for artist in layer.artists]
            animated = [artist.get_animated() for artist in artists]
            for artist in artists:
                artist.set_animated(True)
            try:
                import matplotlib

                # Ticks are made as the canvas draws them: in the theme's colours and sizes.
                with matplotlib.rc_context(self.rc):  # type: ignore[arg-type]
                    self.canvas.draw()
            finally:
                for artist, was in zip(artists, animated, strict=True):
                    artist.set_animated(was)
            plain = _plain(self.context.grid().block(np.asarray(self.canvas.buffer_rgba())))
            self.bare = (self.canvas.copy_from_bbox(self.figure.bbox), plain)
        return self.bare

    def _run(
        self, steps: Sequence[Layer | Overlay], frame: Frame, plain: Plain | None, transparent: bool = False
    ) -> Plain | None:
        """Draw ``steps`` in order; ``plain`` is the colour of the axes while nothing has
        been drawn over their plain background yet. Returns it for the steps after.
        ``transparent``: the canvas may hold transparent pixels (a part of the frame)."""
        for step in steps:
            items: Sequence[object] = [step] if isinstance(step, Overlay) else step.update(frame)
            for item in items:
                if isinstance(item, Pixels):
                    buffer = np.asarray(self.canvas.buffer_rgba())
                    if transparent:
                        blend_transparent(item, buffer)
                    else:
                        item.blend(buffer, plain)
                else:
                    self.figure.draw_artist(item)  # type: ignore[arg-type]
                plain = None
        return plain

    def close(self) -> None:
        self.figure.clear()


def _plain(block: np.ndarray) -> Plain | None:
    """The colour of the axes' pixels when they all have it (their bare background), but
    for a rim of two pixels where the axes frame's antialiased edge may fall (a per-pixel
    layer covers that rim, as an image over the axes did)."""
    inner = block[2:-2, 2:-2, :3]
    if inner.size == 0:
        return None
    first = inner[0, 0]
    if not (inner == first).all():
        return None
    return (int(first[0]), int(first[1]), int(first[2]))


MIN_AXES_PIXELS = 16
# Relative differences up to this are rounding, not spread, when framing the data.
ROUNDING = 1024 * float(np.finfo(np.float64).eps)


def _per_iteration(step: Layer | Overlay) -> bool:
    return isinstance(step, Overlay) or step.per_iteration


def _fix_layout(
    figure: Figure,
    axes: Axes,
    style: StyleOptions,
    x_limits: tuple[float, float],
    y_limits: tuple[float, float],
) -> None:
    """Lay the figure out once (room for the title, labels and ticks), freeze that layout
    and fix the limits for good.

    Text too long for the frame is made to fit first: the title and axis labels shrink,
    down to a floor; then the title wraps and an axis label is cut short with an ellipsis.
    The layout runs twice, because equal aspect widens the limits and so may change the
    tick labels (a minus sign, another digit) that the first pass made room for.
    """
    axes.set_xlim(*x_limits)
    axes.set_ylim(*y_limits)
    figure.set_layout_engine("constrained")
    engine = figure.get_layout_engine()
    assert engine is not None
    _fit_texts(figure, axes, style.font_size)
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "axes sizes collapsed": handled below
            engine.execute(figure)
        box = axes.get_window_extent()
        if box.width < MIN_AXES_PIXELS or box.height < MIN_AXES_PIXELS:
            # Too small a frame for labels and ticks: give the data most of it, but for
            # the bands of figure texts (a caption) above or below.
            below, above = _bands(figure)
            axes.set_position((0.02, 0.02 + below, 0.96, max(0.96 - below - above, 0.2)))
            axes.tick_params(labelbottom=False, labelleft=False)  # no room for them
            axes.set_xlabel("")
            axes.set_ylabel("")
        if style.aspect == "equal":
            box = axes.get_window_extent()
            axes.set_xlim(*x_limits)
            axes.set_ylim(*y_limits)
            equal_x, equal_y = _equal_aspect(x_limits, y_limits, box.width, box.height)
            axes.set_xlim(*equal_x)
            axes.set_ylim(*equal_y)
        _fit_texts(figure, axes, style.font_size)  # where the layout put them
    figure.set_layout_engine("none")
    axes.set_autoscale_on(False)


def _bands(figure: Figure) -> tuple[float, float]:
    """The shares of the figure's height that its own texts (a caption band) take at the
    bottom and at the top."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    height = figure.bbox.height
    below = above = 0.0
    for text in figure.texts:
        if not text.get_text():
            continue
        box = text.get_window_extent(renderer)
        if box.y0 + box.y1 < height:
            below = max(below, box.y1 / height)
        else:
            above = max(above, 1 - box.y0 / height)
    return below, above


#: The smallest a title or axis label shrinks to fit, as a fraction of the base font size.
MIN_TEXT_SCALE = 0.75
#: Room kept free at either end of a title or axis label, in pixels.
TEXT_MARGIN = 4.0


def _fit_texts(figure: Figure, axes: Axes, font_size: float) -> None:
    """Shrink the title and axis labels that run beyond the frame, then wrap the title (at
    draw time, to the figure's width; see ``Text.set_wrap``) and cut an axis label short
    with an ellipsis.

    Each is centred on the axes, so its room is twice its centre's distance to the
    nearer edge of the frame.
    """
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = figure.bbox
    for text in (axes.title, axes.xaxis.label, axes.yaxis.label):
        if not text.get_text():
            continue
        wrap = text.get_wrap()
        text.set_wrap(False)
        box = text.get_window_extent(renderer)
        along = text.get_rotation() % 180 != 0
        low, high, start, end = (
            (frame.y0, frame.y1, box.y0, box.y1) if along else (frame.x0, frame.x1, box.x0, box.x1)
        )
        middle = (start + end) / 2
        room = 2 * (min(middle - low, high - middle) - TEXT_MARGIN)
        if end - start > room:
            text.set_fontsize(max(MIN_TEXT_SCALE * font_size, text.get_fontsize() * room / (end - start)))
        if not wrap:
            _ellipsize(text, renderer, room)
        text.set_wrap(wrap)


def _text_length(text: Text, renderer: RendererBase) -> float:
    """How far ``text`` runs along its own direction, in pixels."""
    box = text.get_window_extent(renderer)
    return float(box.height if text.get_rotation() % 180 else box.width)


def _ellipsize(text: Text, renderer: RendererBase, room: float) -> None:
    """Cut ``text`` short, ending in an ellipsis, until it is at most ``room`` long."""
    content = text.get_text()
    if _text_length(text, renderer) <= room:
        return
    # The longest prefix that fits, found by bisection (lengths grow with the prefix).
    low, high = 0, len(content)
    while low < high:
        middle = (low + high + 1) // 2
        text.set_text(content[:middle].rstrip() + "\u2026")
        if _text_length(text, renderer) <= room:
            low = middle
        else:
            high = middle - 1
    text.set_text(content[:low].rstrip() + "\u2026")


def _decorate(axes: Axes, style: StyleOptions, projection: Projection) -> None:
    """Axis labels, ticks and frame as the style asks."""
    if projection.axis_labels is not None and style.ticks:
        axes.set_xlabel(projection.axis_labels[0])
        axes.set_ylabel(projection.axis_labels[1])
    if not style.ticks or projection.strip is not None:
        axes.set_yticks([])  # a strip's heights are jitter: they mean nothing
    if not style.ticks:
        axes.set_xticks([])
    if not style.axes:
        axes.set_axis_off()


def _moving_layers(layers: Sequence[Layer]) -> list[Layer]:
    """The first layer that moves and every layer above it."""
    for position, layer in enumerate(layers):
        if not layer.static:
            return list(layers[position:])
    return []


def _equal_aspect(
    x_limits: tuple[float, float], y_limits: tuple[float, float], width: float, height: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Widen one pair of limits so that a data unit is as long on both axes."""
    x_span = x_limits[1] - x_limits[0]
    y_span = y_limits[1] - y_limits[0]
    scale = max(x_span / width, y_span / height)
    x_pad = (scale * width - x_span) / 2
    y_pad = (scale * height - y_span) / 2
    return (x_limits[0] - x_pad, x_limits[1] + x_pad), (y_limits[0] - y_pad, y_limits[1] + y_pad)


#: The limits of a view's two axes: ((x low, x high), (y low, y high)).
View = tuple[tuple[float, float], tuple[float, float]]
#: Where the ticks of a view's two axes go.
Ticks = tuple[tuple[float, ...], tuple[float, ...]]


def view_of(style: StyleOptions, trace: Trace, dataset: Dataset) -> View:
    """The limits a scene of ``style`` frames ``trace`` on ``dataset`` with: the range of
    the points and of every state's centres in the view, padded."""
    projection = Projection.fit(dataset.X, style.projection, dataset.feature_names)
    return _view(projection.points(dataset.X), projection.points(trace.centers), style.padding)


def _view(points: FloatArray, centers: FloatArray, padding: float) -> View:
    return (
        _limits(points[:, 0], centers[..., 0], padding),
        _limits(points[:, 1], centers[..., 1], padding),
    )


def _limits(points: FloatArray, centers: FloatArray, padding: float) -> tuple[float, float]:
    """The range of the points and centres on one view axis, padded.

    Values that agree to within rounding (identical points, and their mean as computed,
    which may differ from them in the last bits) are framed as one value: a view a few
    units in the last place wide would blow every mark drawn in data units up to
    billions of pixels.
    """
    values = np.concatenate([points.ravel(), centers.ravel()])
    values = values[~np.isnan(values)]  # centres of clusters absent from a state
    low, high = float(values.min()), float(values.max())
    span = high - low
    if span <= ROUNDING * max(abs(low), abs(high)):
        span = max(abs(low), 1.0)
    return low - padding * span, high + padding * span
