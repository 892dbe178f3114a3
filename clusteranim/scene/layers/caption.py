"""A caption saying what the frame's step does, filled in from templates.

Each kind of step has its template: the start, an assignment and an update (explain
mode), an iteration (a plain animation's frames), and the end, converged or stopped.
Every template can be reworded or translated; the defaults suit the algorithm (centroids
for k-means, E- and M-steps for mixtures).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from clusteranim.algorithms.base import Capabilities
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.layers.title import title_fields
from clusteranim.scene.overlay import Overlay, TextOverlays
from clusteranim.scene.placement import claim
from clusteranim.scene.text import CAPTION_FIELDS, check_template

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backend_bases import RendererBase
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

#: The templates a caption has, by the kind of step they describe.
MOMENTS = ("init", "first", "assign", "update", "iteration", "converged", "stopped")

#: Defaults for k-means-like methods (points join the nearest centre). They avoid count
#: nouns ("1 centroids"): a number stands after a colon or as "k = 4".
NEAREST = {
    "init": "Start: the centroids (k = {k}) from {init}",
    "first": "Assignment: each point joins its nearest centroid",
    "assign": "Assignment: each point joins its nearest centroid (changed cluster: {changed})",
    "update": "Update: each centroid moves to the mean of its points"
    " ({objective_name} {objective:,.6g}, {change:+,.6g})",
    "iteration": "Iteration {iteration}: {objective_name} {objective:,.6g} (changed cluster: {changed})",
    "converged": "Converged at iteration {n_iter}: the last assignment changed {changed} (tolerance {tol:g})",
    "stopped": "Stopped at iteration {n_iter}, the limit, before converging",
}
#: Defaults for mixtures (soft assignments).
MIXTURE = {
    "init": "Start: the components (k = {k}) from {init}",
    "first": "E-step: each point's responsibilities under the starting components",
    "assign": "E-step: each point's responsibilities under the current components"
    " (changed their likeliest component: {changed})",
    "update": "M-step: means, covariances and weights re-estimated;"
    " {objective_name} {objective:.6g} ({change:+.3g})",
    "iteration": "Iteration {iteration}: {objective_name} {objective:.6g} ({change:+.3g})",
    "converged": "Converged at iteration {n_iter}: the {objective_name} gained less than tol = {tol:g}",
    "stopped": "Stopped at iteration {n_iter}, the limit, before converging",
}
#: Defaults for soft assignments by centres alone (fuzzy c-means).
FUZZY = {
    "init": "Start: the centres (k = {k}) from {init}",
    "first": "Memberships: each point shared among the centres by its distances to them",
    "assign": "Memberships: each point shared among the centres by its distances to them"
    " (changed their largest membership: {changed})",
    "update": "Update: each centre moves to the mean of the points weighted by their memberships;"
    " {objective_name} {objective:,.6g} ({change:+,.6g})",
    "iteration": "Iteration {iteration}: {objective_name} {objective:,.6g} ({change:+,.6g})",
    "converged": "Converged at iteration {n_iter}: no membership changed by more than tol = {tol:g}",
    "stopped": "Stopped at iteration {n_iter}, the limit, before converging",
}
#: Defaults for anything else (a trace made elsewhere).
GENERAL = {
    "init": "Start (k = {k})",
    "first": "Assignment: every point joins a cluster",
    "assign": "Assignment (changed cluster: {changed})",
    "update": "Update: the clusters move",
    "iteration": "Iteration {iteration} (changed cluster: {changed})",
    "converged": "Converged at iteration {n_iter}",
    "stopped": "Stopped at iteration {n_iter}",
}
#: For a trace made elsewhere, what the scenario cannot know of its run (how it started,
#: its tolerance and limit) is not told.
GIVEN = {
    "init": "Start (k = {k})",
    "converged": "Converged at iteration {n_iter}",
    "stopped": "Stopped at iteration {n_iter}, before converging",
}

#: Most of the frame's height a caption band takes (of the axes' height, inside).
MOST_HEIGHT = 0.22
MOST_HEIGHT_INSIDE = 0.3
#: matplotlib's distance between two lines of a text, in heights of a line.
LINE_SPACING = 1.2
#: Font sizes tried, as fractions of the base size, before lines are cut short.
SCALES = (1.0, 0.9, 0.8)

Position = Literal["bottom", "top", "inside"]


def default_templates(capabilities: Capabilities, given: bool = False, key: str = "") -> dict[str, str]:
    """The default template of each kind of step, for an algorithm with ``capabilities``
    registered as ``key`` (whose own captions come first; ``given``: drawing a trace made
    elsewhere)."""
    from clusteranim.algorithms import ALGORITHMS

    own = ALGORITHMS[key].captions if key in ALGORITHMS else {}
    if capabilities.soft and capabilities.covariances and capabilities.objective:
        defaults = MIXTURE
    elif capabilities.soft and capabilities.objective:
        defaults = FUZZY
    elif capabilities.nearest_center and capabilities.objective:
        defaults = NEAREST
    else:
        defaults = GENERAL
    templates = {**defaults, **own}
    if given:
        # A trace made elsewhere does not say how it started, nor its tolerance or limit:
        # a template that tells them (and "stopped", which says the limit was reached)
        # gives way to a plainer one.
        for kind, plain in GIVEN.items():
            if kind == "stopped" or _names(templates.get(kind, "")) & RUN_FACTS:
                templates[kind] = plain
    return templates


#: The fields a caption takes from the run's settings, which a given trace does not have.
RUN_FACTS = frozenset({"init", "tol", "max_iter"})


def _names(template: str) -> set[str]:
    """The names of the fields ``template`` uses ("k" for ``{k:d}``)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _check(template: str | None) -> str | None:
    return None if template is None else check_template(template, CAPTION_FIELDS)


class CaptionOptions(LayerOptions):
    """A line or two saying what each step does."""

    summary = "a caption saying what each step does (the start, assignment, update, the end)"
    display_name = "caption"

    name: Literal["caption"] = "caption"
    position: Position = Field(
        "bottom",
        description="bottom: a band below the axes; top: a band above the title; inside: over"
        " the axes' lower edge, on a translucent box.",
    )
    init: str | None = Field(None, description="Template of the first frame (the starting state).")
    first: str | None = Field(
        None,
        description="Template of the first assignment (explain mode), when every point gets its cluster.",
    )
    assign: str | None = Field(
        None, description="Template of an assignment half-step (explain mode; the E-step of a mixture)."
    )
    update: str | None = Field(
        None, description="Template of an update half-step (explain mode; the M-step of a mixture)."
    )
    iteration: str | None = Field(None, description="Template of an iteration (without explain mode).")
    converged: str | None = Field(None, description="Template of the end of a run that converged.")
    stopped: str | None = Field(None, description="Template of the end of a run stopped at max_iter.")

    _check_templates = field_validator(*MOMENTS)(_check)

    def text_templates(self) -> dict[str, str]:
        given = {moment: getattr(self, moment) for moment in MOMENTS}
        return {moment: template for moment, template in given.items() if template is not None}

    def templates_for(self, capabilities: Capabilities, given: bool = False, key: str = "") -> dict[str, str]:
        """The template of each kind of step: the given ones, else the algorithm's defaults."""
        return {**default_templates(capabilities, given, key), **self.text_templates()}

    def build(self, context: SceneContext) -> CaptionLayer:
        profile = context.trace.profile
        templates = self.templates_for(profile.capabilities, context.facts.given, profile.key)
        figure = context.figure
        if self.position == "inside":
            text = context.axes.text(
                0.5,
                0.02,
                "",
                transform=context.axes.transAxes,
                ha="center",
                va="bottom",
                color=context.theme.foreground,
                bbox=context.theme.label_box(0.8),
            )
        elif self.position == "top":
            text = figure.suptitle("", va="top", fontsize="medium", color=context.theme.foreground)
        else:
            text = figure.supxlabel("", va="bottom", fontsize="medium", color=context.theme.foreground)
        layer = CaptionLayer(context, text, templates, self.position)
        # The layout keeps room for the most lines any caption takes.
        text.set_text("\n".join(["Xg"] * layer.lines))
        if self.position == "inside":
            # The objective panel and the legend keep clear of it.
            axes_height = context.axes.get_position().height * figure.bbox.height
            share = min(layer.lines * layer.line_height / axes_height + 0.04, 1.0)
            claim(context.axes, "caption", (0.05, 0.0, 0.95, share))
        return layer


class CaptionLayer:
    """The caption text, rewritten per frame; each distinct caption is rendered once."""

    static = False
    per_iteration = False

    def __init__(
        self, context: SceneContext, text: Text, templates: dict[str, str], position: Position
    ) -> None:
        self.context = context
        self.text = text
        self.templates = templates
        self.position = position
        self.artists: list[Artist] = [text]
        self.overlays = TextOverlays(text, context.figure)
        self.wrapped: dict[str, str] = {}
        self.filled: dict[object, str] = {}
        self._fit()

    def _fit(self) -> None:
        """Choose the font size and the most lines: the largest size (down to 80% of the
        base) at which every caption fits the height a caption may take, else at that
        size as many lines as fit (a longer caption ends in an ellipsis)."""
        figure = self.context.figure
        if self.position == "inside":
            room = MOST_HEIGHT_INSIDE * self.context.axes.get_position().height * figure.bbox.height
        else:
            room = MOST_HEIGHT * figure.bbox.height
        captions = self._every_caption()
        base = float(self.text.get_fontproperties().get_size_in_points())
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        for scale in SCALES:
            self.text.set_fontsize(base * scale)
            height = renderer.get_text_width_height_descent(
                "Xg", self.text.get_fontproperties(), ismath=False
            )[1]
            self.line_height = float(height) * LINE_SPACING
            self.most_lines = max(int(room // self.line_height), 1)
            self.wrapped.clear()
            self.lines = max(self._wrap(caption, cut=False).count("\n") + 1 for caption in captions)
            if self.lines <= self.most_lines:
                return
        self.wrapped.clear()
        self.lines = self.most_lines

    def update(self, frame: Frame) -> Sequence[Overlay]:
        content = self._wrap(self.caption(frame))
        padding = self.lines - content.count("\n") - 1
        # A band keeps its height: shorter captions are padded with empty lines below.
        if self.position != "inside":
            content = content + "\n" * max(padding, 0)
        return [self.overlays(content)]

    def caption(self, frame: Frame) -> str:
        """The caption of ``frame``, filled in (once for all the frames of a step)."""
        shown = frame.assignment
        key = (frame.phase, frame.iteration, None if shown is None else (shown.before is None, shown.after))
        if key not in self.filled:
            self.filled[key] = self._caption(frame)
        return self.filled[key]

    def _caption(self, frame: Frame) -> str:
        trace = self.context.trace
        shown = frame.assignment
        if frame.phase == "assign" and shown is not None:
            state = shown.after
            if shown.before is None:  # every point is assigned for the first time
                return self._fill("first", state, int((trace.labels(state) >= 0).sum()))
            return self._fill("assign", state, len(trace.events(state).changed))
        if frame.phase == "update" and shown is not None:
            # The whole update reads the same: the state it reaches, from the assignment before.
            reached = min(shown.after + 1, trace.n_iter)
            return self._fill("update", reached, len(trace.events(shown.after).changed))
        if frame.phase == "init":
            return self._fill("init", 0, 0)
        if frame.phase == "done":
            last = trace.n_iter
            return self._fill(
                "converged" if trace.converged else "stopped", last, len(trace.events(last).changed)
            )
        iteration = frame.iteration
        return self._fill("iteration", iteration, len(trace.events(iteration).changed))

    def _fill(self, moment: str, state: int, changed: int) -> str:
        """``moment``'s template at ``state``, ``changed`` points having changed cluster."""
        context = self.context
        trace = context.trace
        objective = trace.objective
        facts = context.facts
        return self.templates[moment].format(
            **title_fields(context, state),
            changed=changed,
            change=float(objective[state] - objective[state - 1]) if state > 0 else 0.0,
            objective_name=trace.capabilities.objective or "objective",
            init=facts.init,
            tol=facts.tol,
            max_iter=facts.max_iter,
        )

    def _every_caption(self) -> list[str]:
        """A sample of the captions the animation may show (every kind, a few states): for
        the room to keep."""
        trace = self.context.trace
        states = sorted({0, 1, trace.n_iter // 2, max(trace.n_iter - 1, 0), trace.n_iter})
        states = [state for state in states if 0 <= state <= trace.n_iter]
        captions = [self._fill("init", 0, 0)]
        for moment in MOMENTS[1:]:
            captions += [self._fill(moment, state, len(trace.X)) for state in states]
        return captions

    def _wrap(self, caption: str, cut: bool = True) -> str:
        """``caption`` broken into lines that fit the band (or the axes, inside); with
        ``cut``, at most ``most_lines`` of them, the last ending in an ellipsis."""
        if caption not in self.wrapped:
            if len(self.wrapped) >= 1024:
                self.wrapped.clear()
            renderer = self.context.figure.canvas.get_renderer()  # type: ignore[attr-defined]
            font, width = self.text.get_fontproperties(), self._width()
            lines = wrap_to(renderer, font, caption, width).split("\n")
            if cut and len(lines) > self.most_lines:
                lines = lines[: self.most_lines]
                lines[-1] = ellipsized(renderer, font, lines[-1], width)
            self.wrapped[caption] = "\n".join(lines)
        return self.wrapped[caption]

    def _width(self) -> float:
        figure = self.context.figure
        if self.position == "inside":
            return 0.9 * float(self.context.axes.get_position().width * figure.bbox.width)
        return 0.96 * float(figure.bbox.width)


def _measure(renderer: RendererBase, font: FontProperties, line: str) -> float:
    extent: float = renderer.get_text_width_height_descent(line, font, ismath=False)[0]
    return extent


def wrap_to(renderer: RendererBase, font: FontProperties, content: str, width: float) -> str:
    """``content`` with line breaks so that each line, drawn in ``font``, is at most
    ``width`` pixels wide (a word longer than that, a web address, is broken where it
    reaches the edge)."""
    lines: list[str] = []
    for paragraph in content.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _measure(renderer, font, candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and _measure(renderer, font, line) > width:
                cut = _longest_fitting(renderer, font, line, width)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def ellipsized(renderer: RendererBase, font: FontProperties, line: str, width: float) -> str:
    """``line`` ending in an ellipsis, shortened to fit ``width``."""
    return line[: _longest_fitting(renderer, font, line, width, "…")].rstrip() + "…"


def _longest_fitting(
    renderer: RendererBase, font: FontProperties, text: str, width: float, suffix: str = ""
) -> int:
    """How many of the first characters of ``text`` fit ``width`` (with ``suffix`` after
    them); at least one."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _measure(renderer, font, text[:middle] + suffix) <= width:
            low = middle
        else:
            high = middle - 1
    return low
