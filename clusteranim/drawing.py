"""Drawing a scenario's frames: its scene, each layer variant's style, the movie's
description, and the frames drawn one after another.

Below both the pipeline and the worker processes, which draw frames the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.data.base import Dataset
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario
from clusteranim.scene.base import Frame, frame_schedule
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import Trace
from clusteranim.writers.base import FrameLabel, Movie

if TYPE_CHECKING:
    from clusteranim.scene.figure import Scene

#: (trace index, fraction of the way to the next state) of each frame.
Schedule = list[tuple[int, float]]


def schedule_of(scenario: Scenario, trace: Trace) -> Schedule:
    """Every frame of the scenario's animation of ``trace``."""
    return frame_schedule(len(trace), scenario.output.tween)


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
        )
    except OptionError as error:
        raise scenario.problem(f"style.{error.key}", error.message) from None


def layer_variants(scenario: Scenario) -> dict[str, StyleOptions]:
    """The style of each frame set: all layers, then each combination of switchable layers
    hidden, keyed by the hidden layers' names joined with "+"."""
    style = scenario.style
    toggles = sorted(set(scenario.output.toggle_layers))
    variants = {"": style}
    for size in range(1, len(toggles) + 1):
        for hidden in itertools.combinations(toggles, size):
            layers = [layer for layer in style.layers if layer.plugin_name() not in hidden]
            variants["+".join(hidden)] = style.model_copy(update={"layers": layers})
    return variants


def movie_of(
    scenario: Scenario, trace: Trace, schedule: Schedule, variants: Mapping[str, StyleOptions]
) -> Movie:
    """What the writer needs to know of the animation besides its pixels."""
    output = scenario.output
    iterations = (Frame(trace, step, fraction).iteration for step, fraction in schedule)
    return Movie(
        width=scenario.style.width,
        height=scenario.style.height,
        fps=output.fps,
        hold_last=output.hold_last,
        loop=output.loop,
        quality=output.quality,
        labels=tuple(FrameLabel(iteration, float(trace.objective[iteration])) for iteration in iterations),
        variants=tuple(variants),
        toggles=tuple((name, LAYERS[name].display_name) for name in sorted(set(output.toggle_layers))),
        objective_name=trace.capabilities.objective or "objective",
        title=f"{trace.profile.name}: {Path(scenario.origin.source).stem}",
    )


def draw_sequentially(
    scenario: Scenario,
    trace: Trace,
    dataset: Dataset,
    schedule: Schedule,
    variants: Mapping[str, StyleOptions],
) -> Iterator[np.ndarray]:
    """Every frame of every variant, in order, drawn here."""
    for style in variants.values():
        scene = build_scene(scenario, trace, dataset, style)
        try:
            for step, fraction in schedule:
                yield scene.draw(Frame(trace, step, fraction))
        finally:
            scene.close()
