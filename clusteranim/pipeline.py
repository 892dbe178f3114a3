"""The pipeline: scenario -> data -> trace -> frames -> file, one stage after another."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusteranim.data.base import Dataset
from clusteranim.errors import RenderError, ScenarioError
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario, load_scenario
from clusteranim.trace import Trace

if TYPE_CHECKING:
    from clusteranim.scene.figure import Scene

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderResult:
    """What a render produced.

    Parameters
    ----------
    path : str
        The file (or folder) written.
    format : str
    frames : int
        Frames in the animation.
    width, height : int
        Frame size in pixels.
    bytes : int
        Size of the output.
    n_iter : int
        Updates the algorithm performed.
    converged : bool
    objective : float
        Objective of the final state.
    seconds : float
        Wall time of the whole render.
    """

    path: str
    format: str
    frames: int
    width: int
    height: int
    bytes: int
    n_iter: int
    converged: bool
    objective: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_data(scenario: Scenario) -> Dataset:
    """The scenario's data, checked against the algorithm's needs."""
    try:
        dataset: Dataset = scenario.data.load(scenario.data_seed, scenario.origin.base_dir)
    except OptionError as error:
        raise scenario.problem(f"data.{error.key}", error.message) from None
    if scenario.algorithm.k > dataset.n_samples:
        source = f" in {dataset.files[0]}" if dataset.files else ""
        raise scenario.problem(
            "algorithm.k",
            f"must be at most the number of points ({dataset.n_samples}{source}), got {scenario.algorithm.k}",
        )
    return dataset


def run(scenario: Scenario, dataset: Dataset | None = None) -> Trace:
    """Run the scenario's algorithm through the recorder.

    Parameters
    ----------
    scenario : Scenario
    dataset : Dataset, optional
        The data, if already loaded; else the scenario's data source is read.
    """
    from clusteranim.algorithms.scaling import Scaling
    from clusteranim.trace import record

    dataset = dataset if dataset is not None else load_data(scenario)
    options = scenario.algorithm
    algorithm = options.build(scenario.algorithm_seed)
    try:
        return record(algorithm, dataset.X, options.max_iter, Scaling.fit(dataset.X, options.normalize))
    except OptionError as error:
        raise scenario.problem(f"algorithm.{error.key}", error.message) from None


def build_scene(scenario: Scenario, trace: Trace, dataset: Dataset) -> Scene:
    """The scene that draws the scenario's frames."""
    from clusteranim.scene.figure import Scene

    try:
        return Scene(scenario.style, trace, dataset, scenario.algorithm.display_name)
    except OptionError as error:
        raise scenario.problem(f"style.{error.key}", error.message) from None


def render(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    output: str | Path | None = None,
    format: str | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> RenderResult:
    """Render a scenario to its output file.

    Parameters
    ----------
    scenario : Scenario, path of a YAML file, or mapping
    output : str or Path, optional
        Overrides ``output.path``.
    format : str, optional
        Overrides ``output.format``.
    seed : int, optional
        Overrides the top-level ``seed``.
    progress : callable, optional
        Called as ``progress(frames_done, frames_total)`` after each frame.
    **overrides
        Scenario keys to override, dotted (``**{"algorithm.k": 3}``) or with double
        underscores (``algorithm__k=3``).

    Returns
    -------
    RenderResult
    """
    from clusteranim.scene.base import Frame, frame_schedule
    from clusteranim.writers import FORMATS, Timing, saving

    started = time.perf_counter()
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    if isinstance(scenario, Scenario):
        if dotted or seed is not None or output is not None or format is not None:
            raise TypeError("overrides apply to a scenario file or mapping, not a loaded Scenario")
        loaded = scenario
    else:
        loaded = load_scenario(scenario, dotted, seed=seed, output=output, output_format=format)
    target = Path(loaded.output.path)
    _check_target(loaded, target)
    dataset = load_data(loaded)
    trace = run(loaded, dataset)
    output_format = loaded.output.resolved_format()
    timing = Timing(fps=loaded.output.fps, hold_last=loaded.output.hold_last)
    schedule = frame_schedule(len(trace), loaded.output.tween)
    scene = build_scene(loaded, trace, dataset)
    width, height = scene.size
    try:
        with saving(FORMATS[output_format], target, width, height, timing) as writer:
            for done, (step, fraction) in enumerate(schedule, start=1):
                rgb = scene.draw(Frame(trace, step, fraction))
                writer.write(rgb)
                if progress is not None:
                    progress(done, len(schedule))
    finally:
        scene.close()
    if loaded.output.poster is not None:
        write_poster(rgb, Path(loaded.output.poster))
    return RenderResult(
        path=str(target),
        format=output_format,
        frames=len(schedule),
        width=width,
        height=height,
        bytes=_size(target),
        n_iter=trace.n_iter,
        converged=trace.converged,
        objective=float(trace.objective[-1]),
        seconds=round(time.perf_counter() - started, 3),
    )


def write_poster(rgb: Any, target: Path) -> None:
    """Save one frame as a PNG, atomically."""
    from PIL import Image

    from clusteranim.writers import atomic_path

    with atomic_path(target) as temporary:
        Image.fromarray(rgb).save(temporary, format="PNG", optimize=True)


def _check_target(scenario: Scenario, target: Path) -> None:
    source = scenario.origin.source
    if Path(source).exists() and target.exists() and target.resolve() == Path(source).resolve():
        raise scenario.problem("output.path", "is the scenario file itself; choose another path")
    if target.is_dir() and scenario.output.resolved_format() != "frames":
        raise scenario.problem("output.path", f"{target} is a directory")


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(child.stat().st_size for child in path.iterdir() if child.is_file())
    return path.stat().st_size


__all__ = ["RenderError", "RenderResult", "ScenarioError", "build_scene", "load_data", "render", "run"]
