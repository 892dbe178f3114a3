"""Drawing a scenario's frames: its scene, the parts each frame is drawn as, the movie's
description, and the frames drawn one after another.

Below both the pipeline and the worker processes, which draw frames the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from clusteranim.data.base import Dataset
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario
from clusteranim.scenario.panels import grid_shape
from clusteranim.scene.animation import Shot, plan
from clusteranim.scene.base import Frame, RunFacts
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.parts import Part
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace
from clusteranim.trace.quality import SweepTable
from clusteranim.writers.base import FrameLabel, Movie

if TYPE_CHECKING:
    from clusteranim.scene.figure import Scene, Ticks, View
    from clusteranim.scene.quality import QualityChart

#: What each frame shows and how long it stays.
Schedule = list[Shot]


def schedule_of(scenario: Scenario, trace: Trace, *others: Trace) -> Schedule:
    """Every frame of the scenario's animation of ``trace`` (and of ``others``, drawn
    beside it in panels: as long as the longest, converged when all have)."""
    output = scenario.output
    traces = (trace, *others)
    n_states = max(len(each) for each in traces)
    converged = all(each.converged for each in traces)
    return plan(scenario.animation, n_states, converged, output.tween, output.fps, scenario.hold_last)


def run_facts(scenario: Scenario, trace: Trace) -> RunFacts:
    """What the scenario says of the run, for captions."""
    algorithm = scenario.algorithm
    given = scenario.given_trace is not None
    return RunFacts(
        init="the trace's first state" if given else algorithm.start_description(),
        tol=algorithm.tol,
        max_iter=trace.n_iter if given else algorithm.max_iter,
        given=given,
        panel=scenario.panel_label,
    )


def build_scene(
    scenario: Scenario,
    trace: Trace,
    dataset: Dataset,
    style: StyleOptions | None = None,
    view: View | None = None,
    ticks: Ticks | None = None,
) -> Scene:
    """The scene that draws the scenario's frames (in ``style``, by default the
    scenario's; framing ``view``, by default its own)."""
    from clusteranim.scene.figure import Scene

    try:
        return Scene(
            style or scenario.style,
            trace,
            dataset,
            trace.profile.name,
            tweened=scenario.output.tween > 0,
            facts=run_facts(scenario, trace),
            view=view,
            ticks=ticks,
        )
    except OptionError as error:
        raise scenario.problem(f"style.{error.key}", error.message) from None


def movie_of(scenario: Scenario, trace: Trace, schedule: Schedule, parts: Sequence[Part]) -> Movie:
    """What the writer needs to know of the animation besides its pixels (of panels:
    ``trace`` is the longest run's, and no one objective is shown)."""
    output = scenario.output
    iterations = (Frame.of(trace, shot).iteration for shot in schedule)
    toggles = list(dict.fromkeys(part.toggle for part in parts if part.toggle))  # bottom to top
    panels = bool(scenario.panel_list)
    return Movie(
        width=scenario.style.width,
        height=scenario.style.height,
        fps=output.fps,
        durations=tuple(shot.seconds for shot in schedule),
        loop=output.loop,
        quality=output.quality,
        labels=tuple(
            FrameLabel(iteration, math.nan if panels else float(trace.objective[iteration]))
            for iteration in iterations
        ),
        parts=tuple(part.toggle for part in parts),
        toggles=tuple((name, LAYERS[name].display_name) for name in toggles),
        objective_name="objective" if panels else trace.capabilities.objective or "objective",
        title=f"{'panels' if panels else trace.profile.name}: {Path(scenario.origin.source).stem}",
    )


@dataclass(frozen=True, eq=False)
class Run:
    """One run to draw: its scenario, data and trace."""

    scenario: Scenario
    dataset: Dataset
    trace: Trace


class Drawer(Protocol):
    """Draws the frames of an animation, shot by shot."""

    def draw(self, shot: Shot, out: np.ndarray | None = None, part: Part | None = None) -> np.ndarray:
        """The pixels of ``shot`` (into ``out`` when given), or of one ``part`` of them."""
        ...

    def close(self) -> None: ...


class SceneDrawer:
    """One run's frames, drawn by its scene."""

    def __init__(self, run: Run, view: View | None = None, ticks: Ticks | None = None) -> None:
        self.trace = run.trace
        style = run.scenario.drawn_style
        self.scene = build_scene(run.scenario, run.trace, run.dataset, style, view, ticks)

    def draw(self, shot: Shot, out: np.ndarray | None = None, part: Part | None = None) -> np.ndarray:
        return self.scene.draw(Frame.of(self.trace, shot), out, part)

    def close(self) -> None:
        self.scene.close()


class PanelDrawer:
    """The frames of several runs side by side, in the scenario's grid of panels (and a
    sweep's quality panel in the cell after them).

    Every panel shows the same step of the plan: a run that has ended holds its last
    state. Cells are the frame divided evenly; the pixels the division leaves at the
    right and bottom edges, and empty cells, take the figure's colour.
    """

    def __init__(self, scenario: Scenario, runs: Sequence[Run], quality: SweepTable | None = None) -> None:
        from clusteranim.scene.theme import THEMES

        style = scenario.style
        rows, columns = grid_shape(scenario.n_cells, style.width, style.height, scenario.panels_layout)
        self.cell = (style.height // rows, style.width // columns)
        self.size = (style.height, style.width)
        self.corners = [
            (index // columns * self.cell[0], index % columns * self.cell[1])
            for index in range(scenario.n_cells)
        ]
        view = shared_view(runs)
        first = SceneDrawer(runs[0], view)
        # Panels of one view get the first one's ticks (as many as matplotlib gave it), so
        # the same tick labels, so the same layout, whatever their titles' length.
        ticks = None if view is None else first.scene.ticks()
        self.drawers = [first, *(SceneDrawer(run, view, ticks) for run in runs[1:])]
        theme = THEMES[style.theme]
        figure = theme.figure.lstrip("#")
        self.fill = np.array([int(figure[i : i + 2], 16) for i in (0, 2, 4)] + [255], np.uint8)
        self.chart: QualityChart | None = None
        if quality is not None:
            from clusteranim.scene.quality import QualityChart

            # The quality panel takes its cell and the empty ones after it in its row.
            spanned = columns - len(runs) % columns
            self.chart_width = spanned * self.cell[1]
            self.chart = QualityChart(
                quality, self.chart_width, self.cell[0], style.dpi, style.font_size, theme
            )

    def draw(self, shot: Shot, out: np.ndarray | None = None, part: Part | None = None) -> np.ndarray:
        if out is None:
            out = np.empty((*self.size, 4), np.uint8)
        out[...] = self.fill if part is None or part.base else 0
        height, width = self.cell
        for drawer, (top, left) in zip(self.drawers, self.corners, strict=False):
            drawer.draw(held(shot, len(drawer.trace)), out[top : top + height, left : left + width], part)
        if self.chart is not None and (part is None or part.base):
            top, left = self.corners[len(self.drawers)]
            step = shot.step + (shot.fraction >= 0.5)  # the iteration the frame counts as
            self.chart.draw(step, out[top : top + height, left : left + self.chart_width])
        return out

    def close(self) -> None:
        for drawer in self.drawers:
            drawer.close()
        if self.chart is not None:
            self.chart.close()


def shared_view(runs: Sequence[Run]) -> View | None:
    """One framing for panels that show the same data the same way (the union of their
    own), so that their pictures compare; None when their data or view differ."""
    from clusteranim.scene.figure import view_of

    first = runs[0]
    same = all(
        run.dataset is first.dataset
        and (run.scenario.style.projection, run.scenario.style.padding)
        == (first.scenario.style.projection, first.scenario.style.padding)
        for run in runs
    )
    if not same:
        return None
    views = [view_of(run.scenario.style, run.trace, run.dataset) for run in runs]
    return (
        (min(view[0][0] for view in views), max(view[0][1] for view in views)),
        (min(view[1][0] for view in views), max(view[1][1] for view in views)),
    )


def held(shot: Shot, n_states: int) -> Shot:
    """``shot`` for a run of ``n_states`` states: beyond its end, its last state, held."""
    last = n_states - 1
    if shot.step < last:
        return shot
    return Shot(last, 0.0, shot.phase if shot.phase == "iteration" else "done", None, shot.seconds)


def drawer_of(scenario: Scenario, runs: Sequence[Run], quality: SweepTable | None = None) -> Drawer:
    """What draws the scenario's frames: its panels side by side (with a sweep's
    ``quality`` panel), or its one run."""
    if scenario.panel_list:
        return PanelDrawer(scenario, runs, quality)
    return SceneDrawer(runs[0])


def draw_sequentially(
    scenario: Scenario,
    runs: Sequence[Run],
    schedule: Schedule,
    parts: Sequence[Part],
    quality: SweepTable | None = None,
) -> Iterator[np.ndarray]:
    """Every frame of every part, in order (the frames of the first part, then of the
    next), drawn here."""
    drawer = drawer_of(scenario, runs, quality)
    try:
        for part in parts:
            for shot in schedule:
                yield drawer.draw(shot, part=part)
    finally:
        drawer.close()
