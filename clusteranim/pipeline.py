"""The pipeline: scenario -> data -> trace -> frames -> file, one stage after another."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from clusteranim.data.base import Dataset
from clusteranim.data.file import FileData
from clusteranim.errors import Problem, RenderError, ScenarioError
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario, Style, load_scenario
from clusteranim.trace import Trace
from clusteranim.writers.targets import Target, target_problems

if TYPE_CHECKING:
    from clusteranim.scene.figure import Scene

Progress = Callable[[int, int], None]
# Largest coordinate of any point: squares, sums of squares and covariances of values up
# to this stay far from overflow in double precision.
MAX_COORDINATE = 1e100


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

    def _repr_html_(self) -> str:
        """The animation inline, for notebooks."""
        import base64
        import html

        path = Path(self.path)
        if self.format == "html":
            page = path.read_text(encoding="utf-8")
            return (
                f'<iframe srcdoc="{html.escape(page, quote=True)}" width="{self.width + 300}"'
                f' height="{self.height + 40}" style="border:0"></iframe>'
            )
        if self.format == "frames":
            path = sorted(path.glob("*.png"))[-1]
        media = {"gif": "image/gif", "mp4": "video/mp4", "webm": "video/webm", "frames": "image/png"}[
            self.format
        ]
        source = f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
        if media.startswith("video/"):
            return f'<video src="{source}" width="{self.width}" controls autoplay loop muted></video>'
        return f'<img src="{source}" width="{self.width}" alt="{html.escape(self.path)}">'


def load_data(scenario: Scenario) -> Dataset:
    """The scenario's data, checked against the algorithm's needs."""
    limits = scenario.limits
    try:
        dataset: Dataset = scenario.data.load(scenario.data_seed, scenario.origin.base_dir, limits.max_points)
    except OptionError as error:
        raise scenario.problem(f"data.{error.key}", error.message) from None
    largest = float(np.max(np.abs(dataset.X), initial=0.0))
    if not largest <= MAX_COORDINATE:  # also catches NaN
        key = "data.path" if isinstance(scenario.data, FileData) else f"data.{scenario.data.kind_key}"
        raise scenario.problem(
            key,
            f"gives coordinates as large as {largest:.3g}; clusteranim computes with squared"
            f" distances and takes |x| <= {MAX_COORDINATE:.0e} (rescale the data)",
        )
    if dataset.n_samples > limits.max_points:
        raise scenario.problem(
            "data.path",
            f"{dataset.n_samples:,} points exceed limits.max_points ({limits.max_points:,});"
            " raise limits.max_points to allow it",
        )
    view = scenario.style.projection
    if view is not None and view != "pca":
        from clusteranim.scene.projection import view_columns

        try:
            view_columns(view, dataset.n_features)
        except OptionError as error:
            raise scenario.problem(f"style.{error.key}", error.message) from None
    if scenario.algorithm.k > dataset.n_samples:
        source = f" in {scenario.data.path}" if isinstance(scenario.data, FileData) else ""
        raise scenario.problem(
            "algorithm.k",
            f"must be at most the number of points ({dataset.n_samples}{source}), got {scenario.algorithm.k}",
        )
    return dataset


def targets(scenario: Scenario, depfile: str | Path | None = None) -> list[Target]:
    """Every path rendering ``scenario`` writes: the animation, its poster, a depfile."""
    output = scenario.output
    planned = [Target("output.path", output.path, folder=output.resolved_format() == "frames")]
    if output.poster is not None:
        planned.append(Target("output.poster", output.poster))
    if depfile is not None:
        planned.append(Target("--depfile", str(depfile)))
    return planned


def inputs(scenario: Scenario) -> dict[Path, str]:
    """Every file rendering ``scenario`` reads (the scenario file, data files), each with
    what it is, in words."""
    source = scenario.origin.source
    files = {Path(source): f"the scenario file {source}"} if scenario.origin.is_file else {}
    for path in scenario.data.input_files(scenario.origin.base_dir):
        files[path] = f"the data file {path.name}"
    return files


def check_outputs(scenario: Scenario, planned: Sequence[Target]) -> None:
    """Refuse, before anything is read or written, outputs that would destroy a file.

    Raises
    ------
    ScenarioError
        Naming each such output by its key in the scenario (or its option).
    """
    found = target_problems(planned, inputs(scenario))
    for target in planned:
        if target.key == "--depfile" and (message := _rule_problem(scenario, planned)):
            found.append((target, message))
    problems = [
        Problem(f"{target.key} {target.text}", None, "", message)
        if target.key.startswith("--")  # an option, not a key of the scenario
        else scenario.origin.problem(target.key, message)
        for target, message in found
    ]
    if problems:
        raise ScenarioError(problems)


def _rule_names(
    scenario: Scenario, planned: Sequence[Target], data_files: Sequence[Path]
) -> tuple[list[str], list[str]]:
    """The targets and prerequisites of the make rule a depfile holds."""
    outputs = [target.text for target in planned if target.key != "--depfile"]
    sources = [scenario.origin.source] if scenario.origin.is_file else []
    return outputs, [*sources, *(_relative(path) for path in data_files)]


def _rule_problem(scenario: Scenario, planned: Sequence[Target]) -> str | None:
    """Why the depfile's rule could not be written (a name make cannot read back), if so."""
    from clusteranim.depfile import make_rule

    data_files = scenario.data.input_files(scenario.origin.base_dir)
    try:
        make_rule(*_rule_names(scenario, planned, data_files))
    except ValueError as error:
        return str(error)
    return None


def prepare(scenario: Scenario, planned: Sequence[Target]) -> Dataset:
    """Every check that needs no run: the outputs, then the data (read and checked)."""
    check_outputs(scenario, planned)
    return load_data(scenario)


def checked_run(scenario: Scenario, depfile: str | Path | None = None) -> tuple[list[Target], Dataset, Trace]:
    """Everything ``render`` does before drawing: check the outputs (``depfile`` among
    them), read and check the data, run the algorithm.

    ``validate`` is this and nothing more, so that it refuses exactly what ``render``
    refuses, with the same messages.

    Returns
    -------
    targets : list of Target
        The paths the render writes, the animation first.
    dataset : Dataset
    trace : Trace
    """
    planned = targets(scenario, depfile)
    dataset = prepare(scenario, planned)
    return planned, dataset, run(scenario, dataset)


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


def build_scene(scenario: Scenario, trace: Trace, dataset: Dataset, style: Style | None = None) -> Scene:
    """The scene that draws the scenario's frames (in ``style``, by default the scenario's)."""
    from clusteranim.scene.figure import Scene

    try:
        return Scene(
            style or scenario.style,
            trace,
            dataset,
            scenario.algorithm.display_name,
            tweened=scenario.output.tween > 0,
        )
    except OptionError as error:
        raise scenario.problem(f"style.{error.key}", error.message) from None


def render(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    output: str | Path | None = None,
    format: str | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    depfile: str | Path | None = None,
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
    jobs : int, optional
        Worker processes drawing frames (default: one per core); the output is the
        same whatever the number.
    depfile : str or Path, optional
        Also write a make rule: the output (and poster) depend on the scenario file and
        every data file it read.
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
    from clusteranim.workers import default_jobs
    from clusteranim.writers import FORMATS, FrameLabel, Movie, atomic_path, saving

    started = time.perf_counter()
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    if isinstance(scenario, Scenario):
        if dotted or seed is not None or output is not None or format is not None:
            raise TypeError("overrides apply to a scenario file or mapping, not a loaded Scenario")
        loaded = scenario
    else:
        loaded = load_scenario(scenario, dotted, seed=seed, output=output, output_format=format)
    planned, dataset, trace = checked_run(loaded, depfile)
    output_format = loaded.output.resolved_format()
    schedule = frame_schedule(len(trace), loaded.output.tween)
    variants = layer_variants(loaded)
    movie = Movie(
        width=loaded.style.width,
        height=loaded.style.height,
        fps=loaded.output.fps,
        hold_last=loaded.output.hold_last,
        loop=loaded.output.loop,
        quality=loaded.output.quality,
        labels=tuple(
            FrameLabel(iteration, float(trace.objective[iteration]))
            for iteration in (Frame(trace, step, fraction).iteration for step, fraction in schedule)
        ),
        variants=tuple(variants),
        objective_name="mean log-likelihood" if trace.weights is not None else "inertia",
        title=f"{loaded.algorithm.display_name}: {Path(loaded.origin.source).stem}",
    )
    total = len(schedule) * len(variants)
    extras = {target.key: target.path for target in planned[1:]}
    frames = draw_frames(loaded, trace, dataset, schedule, variants, jobs or default_jobs())
    # The workers start (and fork) on the first frame: before the writer opens its
    # encoder, so that they hold none of its pipes.
    first = next(frames)
    try:
        with contextlib.ExitStack() as stack:
            stack.callback(frames.close)
            # The poster and the depfile go to temporaries too, renamed right after the
            # animation: an interrupt or a failure leaves none of the three new.
            temporaries = {key: stack.enter_context(atomic_path(path)) for key, path in extras.items()}
            with saving(FORMATS[output_format], planned[0].path, movie) as writer:
                for done, rgb in enumerate(itertools.chain([first], frames), start=1):
                    writer.write(rgb)
                    if done == len(schedule):
                        last_frame = rgb.copy()
                    if progress is not None:
                        progress(done, total)
                if "output.poster" in temporaries:
                    save_png(last_frame, temporaries["output.poster"])
                if "--depfile" in temporaries:
                    from clusteranim.depfile import make_rule

                    rule = make_rule(*_rule_names(loaded, planned, dataset.files))
                    temporaries["--depfile"].write_text(rule, encoding="utf-8")
    except OSError as error:  # the poster's or depfile's temporary (the animation's is reported by saving)
        raise RenderError(
            f"{error.filename or 'an output'}: cannot write ({error.strerror or error})"
        ) from error
    return RenderResult(
        path=loaded.output.path,
        format=output_format,
        frames=len(schedule),
        width=movie.width,
        height=movie.height,
        bytes=_size(planned[0].path),
        n_iter=trace.n_iter,
        converged=trace.converged,
        objective=float(trace.objective[-1]),
        seconds=round(time.perf_counter() - started, 3),
    )


def layer_variants(scenario: Scenario) -> dict[str, Style]:
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


def draw_frames(
    scenario: Scenario,
    trace: Trace,
    dataset: Dataset,
    schedule: list[tuple[int, float]],
    variants: Mapping[str, Style],
    jobs: int = 1,
) -> Generator[np.ndarray, None, None]:
    """Every frame of every variant, in order: the frames of the first, then the next.

    With ``jobs`` > 1 the frames are drawn by that many worker processes; the frames
    are the same whatever the number.
    """
    from clusteranim.scene.base import Frame
    from clusteranim.workers import Job, draw_in_order

    def sequentially() -> Iterator[np.ndarray]:
        for style in variants.values():
            scene = build_scene(scenario, trace, dataset, style)
            try:
                for step, fraction in schedule:
                    yield scene.draw(Frame(trace, step, fraction))
            finally:
                scene.close()

    style = scenario.style
    job = Job(scenario, trace, dataset, schedule, variants, style.width, style.height)
    yield from draw_in_order(job, jobs, sequentially)


def save_png(rgb: Any, path: Path) -> None:
    """Save one frame (RGBA, alpha 255) as an RGB PNG."""
    from PIL import Image

    Image.fromarray(rgb).convert("RGB").save(path, format="PNG", optimize=True)


def _relative(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(child.stat().st_size for child in path.iterdir() if child.is_file())
    return path.stat().st_size


__all__ = [
    "RenderError",
    "RenderResult",
    "ScenarioError",
    "build_scene",
    "check_outputs",
    "checked_run",
    "load_data",
    "prepare",
    "render",
    "run",
    "targets",
]
