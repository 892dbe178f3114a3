"""A caption saying what the frame's step does, filled in from templates.

Each kind of step has its template: the start, an assignment and an update (explain
mode), an iteration (a plain animation's frames), and the end, converged or stopped.
Every template can be reworded or translated; the defaults suit the algorithm (centroids
for k-means, E- and M-steps for mixtures).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from clusteranim.algorithms.base import Capabilities
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.scene.overlay import Overlay, TextOverlays
from clusteranim.scene.text import CAPTION_FIELDS, check_template

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backend_bases import RendererBase
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

#: The templates a caption has, by the kind of step they describe.
MOMENTS = ("init", "first", "assign", "update", "iteration", "converged", "stopped")

#: Defaults for k-means-like methods (points join the nearest centre).
NEAREST = {
    "init": "Start: {k} centroids from {init}",
    "first": "Assignment: each point joins its nearest centroid",
    "assign": "Assignment: each point joins its nearest centroid ({changed} changed cluster)",
    "update": "Update: each centroid moves to the mean of its points"
    " ({objective_name} {objective:,.6g}, {change:+,.6g})",
    "iteration": "Iteration {iteration}: {changed} points changed cluster; {objective_name} {objective:,.6g}",
    "converged": "Converged after {n_iter} iterations ({changed} points changed cluster in the last;"
    " tolerance {tol:g})",
    "stopped": "Stopped at max_iter = {max_iter} iterations before converging",
}
#: Defaults for mixtures (soft assignments).
MIXTURE = {
    "init": "Start: {k} components from {init}",
    "first": "E-step: each point's responsibilities under the starting components",
    "assign": "E-step: each point's responsibilities under the current components"
    " ({changed} changed their likeliest component)",
    "update": "M-step: means, covariances and weights re-estimated;"
    " {objective_name} {objective:.6g} ({change:+.3g})",
    "iteration": "Iteration {iteration}: {objective_name} {objective:.6g} ({change:+.3g})",
    "converged": "Converged after {n_iter} iterations: the {objective_name} gained less than tol = {tol:g}",
    "stopped": "Stopped at max_iter = {max_iter} iterations before converging",
}
#: Defaults for anything else (a trace made elsewhere).
GENERAL = {
    "init": "Start: {k} clusters",
    "first": "Assignment: every point joins a cluster",
    "assign": "Assignment: {changed} points changed cluster",
    "update": "Update: the clusters move",
    "iteration": "Iteration {iteration}: {changed} points changed cluster",
    "converged": "Converged after {n_iter} iterations",
    "stopped": "Stopped after {n_iter} iterations",
}

Position = Literal["bottom", "top", "inside"]


def default_templates(capabilities: Capabilities) -> dict[str, str]:
    """The default template of each kind of step, for an algorithm with ``capabilities``."""
    if capabilities.soft and capabilities.objective:
        return MIXTURE
    if capabilities.nearest_center and capabilities.objective:
        return NEAREST
    return GENERAL


def _check(template: str | None) -> str | None:
    return None if template is None else check_template(template, CAPTION_FIELDS)


class CaptionOptions(LayerOptions):
    """A line or two saying what each step does."""

    summary = "a caption saying what each step does (the start, assignment, update, the end)"
    display_name = "caption"

    name: Literal["caption"] = "caption"
    position: Position = Field(
        "bottom",
        description="bottom: a band below the axes; top: a band above them; inside: over the"
        " axes' lower edge, on a translucent box.",
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

    def templates_for(self, capabilities: Capabilities) -> dict[str, str]:
        """The template of each kind of step: the given ones, else the algorithm's defaults."""
        return {**default_templates(capabilities), **self.text_templates()}

    def build(self, context: SceneContext) -> CaptionLayer:
        templates = self.templates_for(context.trace.capabilities)
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
        self.lines = max(self._wrap(caption).count("\n") + 1 for caption in self._every_caption())

    def update(self, frame: Frame) -> Sequence[Overlay]:
        content = self._wrap(self.caption(frame))
        padding = self.lines - content.count("\n") - 1
        # A band keeps its height: shorter captions are padded with empty lines below.
        if self.position != "inside":
            content = content + "\n" * max(padding, 0)
        return [self.overlays(content)]

    def caption(self, frame: Frame) -> str:
        """The caption of ``frame``, filled in."""
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
            iteration=state,
            n_iter=trace.n_iter,
            objective=float(objective[state]),
            algorithm=context.algorithm_name,
            k=trace.n_active(state),
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
            captions += [self._fill(moment, state, len(trace.labels(state))) for state in states]
        return captions

    def _wrap(self, caption: str) -> str:
        """``caption`` broken into lines that fit the band (or the axes, inside)."""
        if caption not in self.wrapped:
            if len(self.wrapped) >= 1024:
                self.wrapped.clear()
            renderer = self.context.figure.canvas.get_renderer()  # type: ignore[attr-defined]
            self.wrapped[caption] = wrap_to(renderer, self.text.get_fontproperties(), caption, self._width())
        return self.wrapped[caption]

    def _width(self) -> float:
        figure = self.context.figure
        if self.position == "inside":
            return 0.9 * float(self.context.axes.get_position().width * figure.bbox.width)
        return 0.96 * float(figure.bbox.width)


def wrap_to(renderer: RendererBase, font: FontProperties, content: str, width: float) -> str:
    """``content`` with line breaks so that each line, drawn in ``font``, is at most
    ``width`` pixels wide (a word longer than that gets a line of its own)."""

    def measure(line: str) -> float:
        extent: float = renderer.get_text_width_height_descent(line, font, ismath=False)[0]
        return extent

    lines: list[str] = []
    for paragraph in content.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)
