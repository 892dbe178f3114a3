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
from clusteranim.scene.animation import Shot, plan
from clusteranim.scene.base import Frame, RunFacts
from clusteranim.scene.layers import LAYERS
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


def layer_variants(scenario: Scenario) -> dict[str, StyleOptions]:
    """The style of each frame set: all layers, then each combination of switchable layers
    hidden, keyed by the hidden layers' names joined with "+"."""
    style = explained(scenario.style) if scenario.animation.explain else scenario.style
    toggles = sorted(set(scenario.output.toggle_layers))
    variants = {"": style}
    for size in range(1, len(toggles) + 1):
        for hidden in itertools.combinations(toggles, size):
            layers = [layer for layer in style.layers if layer.plugin_name() not in hidden]
            variants["+".join(hidden)] = style.model_copy(update={"layers": layers})
    return variants


def explained(style: StyleOptions) -> StyleOptions:
    """``style`` with what explain mode shows: the changes layer (beneath the centroids and
    everything above them) and the caption (on top), unless the style has them."""
    names = [layer.plugin_name() for layer in style.layers]
    layers = list(style.layers)
    if "changes" not in names:
        above = [names.index(name) for name in ("centroids", "trails", "ellipses") if name in names]
        layers.insert(min(above, default=len(layers)), LAYERS["changes"]())
    if "caption" not in names:
        layers.append(LAYERS["caption"]())
    return style.model_copy(update={"layers": layers})


def movie_of(
    scenario: Scenario, trace: Trace, schedule: Schedule, variants: Mapping[str, StyleOptions]
) -> Movie:
    """What the writer needs to know of the animation besides its pixels."""
    output = scenario.output
    iterations = (Frame.of(trace, shot).iteration for shot in schedule)
    return Movie(
        width=scenario.style.width,
        height=scenario.style.height,
        fps=output.fps,
        durations=tuple(shot.seconds for shot in schedule),
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
            for shot in schedule:
                yield scene.draw(Frame.of(trace, shot))
        finally:
            scene.close()
