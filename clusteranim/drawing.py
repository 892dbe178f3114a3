"""Drawing a scenario's frames: its scene, the parts each frame is drawn as, the movie's
description, and the frames drawn one after another.

Below both the pipeline and the worker processes, which draw frames the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.data.base import Dataset
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario
from clusteranim.scene.animation import Shot, plan
from clusteranim.scene.base import Frame, RunFacts
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.parts import Part
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace
from clusteranim.writers.base import FrameLabel, Movie

if TYPE_CHECKING:
    from clusteranim.scene.figure import Scene

#: What each frame shows and how long it stays.
Schedule = list[Shot]


def schedule_of(scenario: Scenario, trace: Trace) -> Schedule:
    """Every frame of the scenario's animation of ``trace``."""
    output = scenario.output
    return plan(scenario.animation, len(trace), trace.converged, output.tween, output.fps, scenario.hold_last)


def run_facts(scenario: Scenario, trace: Trace) -> RunFacts:
    """What the scenario says of the run, for captions."""
    algorithm = scenario.algorithm
    given = scenario.given_trace is not None
    return RunFacts(
        init="the trace's first state" if given else algorithm.start_description(),
        tol=algorithm.tol,
        max_iter=trace.n_iter if given else algorithm.max_iter,
        given=given,
    )


def build_scene(
    scenario: Scenario, trace: Trace, dataset: Dataset, style: StyleOptions | None = None
) -> Scene:
    """The scene that draws the scenario's frames (in ``style``, by default the scenario's)."""
    from clusteranim.scene.figure import Scene

    try:
        return Scene(
            style or scenario.style,
            trace,
            dataset,
            trace.profile.name,
            tweened=scenario.output.tween > 0,
            facts=run_facts(scenario, trace),
        )
    except OptionError as error:
        raise scenario.problem(f"style.{error.key}", error.message) from None


def movie_of(scenario: Scenario, trace: Trace, schedule: Schedule, parts: Sequence[Part]) -> Movie:
    """What the writer needs to know of the animation besides its pixels."""
    output = scenario.output
    iterations = (Frame.of(trace, shot).iteration for shot in schedule)
    toggles = list(dict.fromkeys(part.toggle for part in parts if part.toggle))  # bottom to top
    return Movie(
        width=scenario.style.width,
        height=scenario.style.height,
        fps=output.fps,
        durations=tuple(shot.seconds for shot in schedule),
        loop=output.loop,
        quality=output.quality,
        labels=tuple(FrameLabel(iteration, float(trace.objective[iteration])) for iteration in iterations),
        parts=tuple(part.toggle for part in parts),
        toggles=tuple((name, LAYERS[name].display_name) for name in toggles),
        objective_name=trace.capabilities.objective or "objective",
        title=f"{trace.profile.name}: {Path(scenario.origin.source).stem}",
    )


def draw_sequentially(
    scenario: Scenario, trace: Trace, dataset: Dataset, schedule: Schedule, parts: Sequence[Part]
) -> Iterator[np.ndarray]:
    """Every frame of every part, in order (the frames of the first part, then of the
    next), drawn here."""
    scene = build_scene(scenario, trace, dataset, scenario.drawn_style)
    try:
        for part in parts:
            for shot in schedule:
                yield scene.draw(Frame.of(trace, shot), part=part)
    finally:
        scene.close()
