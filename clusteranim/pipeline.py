"""The pipeline: scenario -> data -> trace -> frames -> file, one stage after another."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from clusteranim.algorithms.base import DirectOptions
from clusteranim.data.base import Dataset
from clusteranim.drawing import Run, Schedule, movie_of, schedule_of
from clusteranim.errors import Problem, RenderError, ScenarioError
from clusteranim.options import OptionError
from clusteranim.preflight import (
    check_algorithm_fits,
    check_outputs,
    inputs,
    load_data,
    prepare,
    rule_names,
    targets,
)
from clusteranim.result import PanelResult, RenderResult
from clusteranim.scenario import Scenario, load_scenario
from clusteranim.scene.animation import steps_shown
from clusteranim.scene.palette import check_palette_size
from clusteranim.scene.parts import Part, compose
from clusteranim.trace import Rule, Trace, TraceArrays, read_trace
from clusteranim.trace.quality import SweepTable
from clusteranim.writers.targets import Target

if TYPE_CHECKING:
    from distributed import Client

    from clusteranim.workers import FrameExecutor, Job

Progress = Callable[[int, int], None]
#: A trace made elsewhere: read from a file (its arrays checked), or built in Python.
GivenTrace = TraceArrays | Trace
# What an algorithm's complaint about one of its options means of a trace's arrays.
_REFUSALS = {"reg_covar": ("covariances", "a component's covariance is not positive definite")}
# Points of a trace file and of the scenario's data agree to this relative tolerance
# (a CSV written with enough digits reads back within it).
SAME_POINTS = 1e-9


def read_given_trace(path: str | Path) -> TraceArrays:
    """The checked arrays of a trace file for ``render --trace``.

    Raises
    ------
    ScenarioError
        Naming the option, the file and the offending array, on one line.
    """
    name = f"--trace {path}"
    try:
        return read_trace(Path(path), name, max_points=10**9)
    except OptionError as error:
        raise ScenarioError(Problem(name, None, error.key, error.message)) from None


def checked_run(
    scenario: Scenario,
    depfile: str | Path | None = None,
    given: GivenTrace | None = None,
    trace_file: str | None = None,
) -> tuple[list[Target], Dataset, Trace]:
    """Everything ``render`` does before drawing: check the outputs (``depfile`` among
    them), read and check the data, run the algorithm (or take the ``given`` trace,
    read from ``trace_file``).

    ``validate`` is this and nothing more, so that it refuses exactly what ``render``
    refuses, with the same messages.

    Returns
    -------
    targets : list of Target
        The paths the render writes, the animation first.
    dataset : Dataset
    trace : Trace
    """
    planned, runs = checked_runs(scenario, depfile, given, trace_file)
    return planned, runs[0].dataset, runs[0].trace


def checked_runs(
    scenario: Scenario,
    depfile: str | Path | None = None,
    given: GivenTrace | None = None,
    trace_file: str | None = None,
) -> tuple[list[Target], list[Run]]:
    """:func:`checked_run` for a scenario of panels too: the paths written, and each
    panel's run (the one run of a scenario alone). Panels that do not override the data
    share the scenario's."""
    planned, datasets = checked_data(scenario, depfile, trace_file)
    return planned, runs_of(scenario, datasets, given, trace_file)


def checked_data(
    scenario: Scenario, depfile: str | Path | None = None, trace_file: str | None = None
) -> tuple[list[Target], list[Dataset]]:
    """Every check of :func:`checked_runs` that needs no run: the paths written, and the
    data read and checked (the scenario's, or each panel's).

    What a cluster's worker needs to render the scenario with :func:`runs_of` and
    :func:`write_outputs`, without reading any file.
    """
    planned = targets(scenario, depfile)
    dataset = prepare(scenario, planned, trace_file)
    if not scenario.panel_list:
        return planned, [dataset]
    return planned, panel_data(scenario, dataset)


def panel_data(scenario: Scenario, dataset: Dataset) -> list[Dataset]:
    """Each panel's data, checked against its algorithm; panels that do not override
    the data share ``dataset`` (the scenario's)."""
    datasets = []
    shared = (scenario.data, scenario.data_seed)
    for panel in scenario.panel_list:
        own = panel.scenario
        data = dataset if (own.data, own.data_seed) == shared else load_data(own)
        check_algorithm_fits(own, data)
        datasets.append(data)
    return datasets


def runs_of(
    scenario: Scenario,
    datasets: Sequence[Dataset],
    given: GivenTrace | None = None,
    trace_file: str | None = None,
) -> list[Run]:
    """The runs of :func:`checked_runs` on data already checked by :func:`checked_data`:
    the scenario's algorithm run (or the ``given`` trace attached), or each panel's."""
    panels = scenario.panel_list
    if not panels:
        dataset = datasets[0]
        if given is None:
            return [Run(scenario, dataset, run(scenario, dataset))]
        name = f"--trace {trace_file}" if trace_file else "trace"
        return [Run(scenario, dataset, attach(scenario, dataset, given, name))]
    return [
        Run(panel.scenario, data, run(panel.scenario, data))
        for panel, data in zip(panels, datasets, strict=True)
    ]


def panel_runs(scenario: Scenario, dataset: Dataset) -> list[Run]:
    """Each panel's run; panels that do not override the data share ``dataset`` (the
    scenario's)."""
    return runs_of(scenario, panel_data(scenario, dataset))


def quality_of(scenario: Scenario, runs: Sequence[Run]) -> SweepTable | None:
    """The measures of a sweep's runs, state by state (None for a scenario without a
    sweep)."""
    if scenario.sweep is None:
        return None
    from clusteranim.algorithms.gmm import GaussianMixtureOptions
    from clusteranim.metrics import gmm_parameter_count
    from clusteranim.trace.quality import sweep_table

    entries = []
    for each in runs:
        options = each.scenario.algorithm
        parameters = None
        if isinstance(options, GaussianMixtureOptions):
            parameters = gmm_parameter_count(
                each.trace.n_clusters, each.dataset.n_features, options.covariance_type
            )
        entries.append((each.trace, each.dataset.labels, parameters))
    return sweep_table(scenario.sweep.key, scenario.sweep.values, entries, seed=scenario.seed)


def run(scenario: Scenario, dataset: Dataset | None = None) -> Trace:
    """Run the scenario's algorithm through the recorder.

    Parameters
    ----------
    scenario : Scenario
    dataset : Dataset, optional
        The data, if already loaded; else the scenario's data source is read.
    """
    from clusteranim.algorithms.scaling import Scaling
    from clusteranim.trace import record, record_direct

    dataset = dataset if dataset is not None else load_data(scenario)
    options = scenario.algorithm
    try:
        scaling = Scaling.fit(dataset.X, options.normalize)
        if isinstance(options, DirectOptions):
            recorder = options.recorder(scenario.algorithm_seed)
            trace = record_direct(recorder, dataset.X, options.max_iter, scaling, options.profile())
        else:
            algorithm = options.build(scenario.algorithm_seed)
            trace = record(algorithm, dataset.X, options.max_iter, scaling, options.profile())
    except OptionError as error:
        raise scenario.problem(f"algorithm.{error.key}", error.message) from None
    if options.profile().finds_k:
        # The number of clusters is known now: the palette must have a colour for each.
        try:
            check_palette_size(scenario.style.palette, trace.n_clusters)
        except ValueError as error:
            raise scenario.problem("style.palette", f"{error} (the run found {trace.n_clusters})") from None
    return trace


def attach(scenario: Scenario, dataset: Dataset, given: GivenTrace, name: str) -> Trace:
    """A trace made elsewhere, drawn over the scenario's data.

    Its points must be the data's. A trace of a registered algorithm assigns points by
    the scenario's algorithm (which the scenario check made sure is the same one).
    """

    def refuse(key: str, message: str) -> ScenarioError:
        return ScenarioError(Problem(name, None, key, message))

    X = given.X
    if X.shape != dataset.X.shape:
        raise refuse(
            "X",
            f"holds {X.shape[0]:,} points of {X.shape[1]} coordinates; the scenario's data has"
            f" {dataset.n_samples:,} of {dataset.n_features}",
        )
    difference = float(np.max(np.abs(X - dataset.X), initial=0.0))
    if not difference <= SAME_POINTS * max(float(np.max(np.abs(dataset.X), initial=0.0)), 1.0):
        raise refuse("X", f"is not the scenario's data (points differ by up to {difference:.3g})")
    if isinstance(given, Trace):
        return dataclasses.replace(given, X=dataset.X)
    profile = given.profile
    rule = None
    if profile.key:
        options = scenario.algorithm
        from clusteranim.algorithms.scaling import Scaling

        expected, scaling = Scaling.fit(dataset.X, options.normalize), given.scaling()
        if not (
            np.allclose(expected.offset, scaling.offset, rtol=SAME_POINTS, atol=0)
            and np.allclose(expected.scale, scaling.scale, rtol=SAME_POINTS, atol=0)
        ):
            raise scenario.problem(
                "algorithm.normalize", f"is {options.normalize}, but the trace was fitted in another space"
            )
        profile = dataclasses.replace(options.profile(), n_clusters=profile.n_clusters)
        if isinstance(options, DirectOptions):
            # Its labels are stored: there is no rule to check the states against.
            return dataclasses.replace(Trace.from_checked(given, None, profile, X=dataset.X), scaling=scaling)
        rule = Rule(options.build(scenario.algorithm_seed), scaling)
    trace = Trace.from_checked(given, rule, profile, X=dataset.X)
    if rule is not None:
        # The algorithm's own checks of its parameters (a covariance that is not positive
        # definite), state by state, on one point.
        for index in range(len(trace)):
            try:
                rule.labels(dataset.X[:1], trace.state(index))
            except OptionError as error:
                array, message = _REFUSALS.get(error.key, ("", error.message))
                raise refuse(array, f"state {index}: {message}") from None
    return trace


def render(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    output: str | Path | None = None,
    format: str | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    depfile: str | Path | None = None,
    trace: GivenTrace | str | Path | None = None,
    progress: Progress | None = None,
    scheduler: str | Client | None = None,
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
    trace : Trace, TraceArrays or path of a trace file, optional
        Draw this trace (made elsewhere, e.g. ``Trace.from_arrays``) instead of running
        the scenario's algorithm; the data and style come from the scenario. A loaded
        ``Scenario`` must have been loaded with it (``load_scenario(..., trace=...)``).
    progress : callable, optional
        Called as ``progress(frames_done, frames_total)`` after each frame.
    scheduler : str or distributed.Client, optional
        Draw the frames on this Dask cluster instead of local processes (``jobs`` is
        then unused): a scheduler's address, ``local`` for a new cluster on this machine,
        or a client (left open). The output is the same.
    **overrides
        Scenario keys to override, dotted (``**{"algorithm.k": 3}``) or with double
        underscores (``algorithm__k=3``).

    Returns
    -------
    RenderResult
    """
    started = time.perf_counter()
    if trace is not None and not isinstance(trace, (str, Path, Trace, TraceArrays)):
        raise TypeError(f"trace must be a Trace or the path of a trace file, not {type(trace).__name__}")
    given = read_given_trace(trace) if isinstance(trace, (str, Path)) else trace
    trace_file = given.source if isinstance(given, TraceArrays) else None
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    if isinstance(scenario, Scenario):
        if dotted or seed is not None or output is not None or format is not None:
            raise TypeError("overrides apply to a scenario file or mapping, not a loaded Scenario")
        if scenario.given_trace is not given:
            raise TypeError("load the scenario with the trace it draws: load_scenario(..., trace=...)")
        loaded = scenario
    else:
        loaded = load_scenario(scenario, dotted, seed=seed, output=output, output_format=format, trace=given)
    with _executor(jobs, scheduler) as executor:
        return _render(loaded, given, trace_file, depfile, executor, progress, started)


@contextlib.contextmanager
def _executor(jobs: int | None, scheduler: str | Client | None) -> Generator[FrameExecutor, None, None]:
    """Where the frames are drawn: on the ``scheduler``'s cluster (connected first, so
    that an unreachable one fails before the algorithm runs), else in ``jobs`` local
    processes."""
    from clusteranim.workers import LocalProcesses, default_jobs

    if scheduler is None:
        yield LocalProcesses(jobs or default_jobs())
        return
    from clusteranim.cluster import frames_on

    with frames_on(scheduler) as executor:
        yield executor


def _render(
    loaded: Scenario,
    given: GivenTrace | None,
    trace_file: str | None,
    depfile: str | Path | None,
    executor: FrameExecutor,
    progress: Progress | None,
    started: float,
) -> RenderResult:
    """:func:`render` of a loaded scenario, its frames drawn by ``executor``."""
    planned, runs = checked_runs(loaded, depfile, given, trace_file)
    return write_outputs(loaded, runs, planned, executor, progress, trace_file, started)


def write_outputs(
    loaded: Scenario,
    runs: Sequence[Run],
    planned: Sequence[Target],
    executor: FrameExecutor,
    progress: Progress | None = None,
    trace_file: str | None = None,
    started: float | None = None,
) -> RenderResult:
    """Draw the runs' frames with ``executor`` and write each of the ``planned`` paths
    (checked by :func:`checked_data`): the animation first, then its poster and depfile.

    Each goes to a temporary beside it, renamed when complete; a failure or an interrupt
    leaves all of them as they were.
    """
    from clusteranim.writers import FORMATS, saving, writing
    from clusteranim.writers.png import write_png

    started = time.perf_counter() if started is None else started
    traces = [each.trace for each in runs]
    recorded = max(traces, key=len)  # the longest run (the only one, without panels)
    output_format = loaded.output.resolved_format()
    schedule = schedule_of(loaded, *traces)
    parts = loaded.frame_parts()
    movie = movie_of(loaded, recorded, schedule, parts)
    total = len(schedule) * len(parts)
    extras = {target.key: target.path for target in planned[1:]}
    job = _job(loaded, runs, schedule, parts, quality_of(loaded, runs))
    frames = executor.frames(job)
    # The workers start (and fork) on the first frame: before the writer opens its
    # encoder, so that they hold none of its pipes.
    first = next(frames)
    with contextlib.ExitStack() as stack:
        stack.callback(frames.close)
        # The poster and the depfile go to temporaries too, renamed right after the
        # animation: an interrupt or a failure leaves none of the three new.
        temporaries = {key: stack.enter_context(writing(path)) for key, path in extras.items()}
        with saving(FORMATS[output_format], planned[0].path, movie) as writer:
            last_frame: list[np.ndarray] = []  # each part's
            for done, rgb in enumerate(itertools.chain([first], frames), start=1):
                writer.write(rgb)
                if done % len(schedule) == 0:
                    last_frame.append(rgb.copy())
                if progress is not None:
                    progress(done, total)
            if "output.poster" in temporaries:
                write_png(compose(last_frame), temporaries["output.poster"], optimize=True)
            if "--depfile" in temporaries:
                from clusteranim.depfile import make_rule

                files = list(dict.fromkeys(file for each in runs for file in each.dataset.files))
                rule = make_rule(*rule_names(loaded, planned, files, trace_file))
                temporaries["--depfile"].write_text(rule, encoding="utf-8")
    return RenderResult(
        path=loaded.output.path,
        format=output_format,
        frames=len(schedule),
        steps=steps_shown(loaded.animation, len(recorded)),
        duration=round(sum(movie.seconds(movie.n_frames)), 3),
        width=movie.width,
        height=movie.height,
        bytes=_size(planned[0].path),
        n_iter=recorded.n_iter,
        converged=all(trace.converged for trace in traces),
        objective=None if loaded.panel_list else _finite(float(recorded.objective[-1])),
        seconds=round(time.perf_counter() - started, 3),
        panels=[
            PanelResult(
                panel.label,
                panel.overrides,
                each.trace.n_iter,
                each.trace.converged,
                _finite(float(each.trace.objective[-1])),
            )
            for panel, each in zip(loaded.panel_list, runs, strict=True)
        ]
        if loaded.panel_list
        else None,
        scheduler=executor.scheduler,
        workers=executor.workers(job),
    )


def draw_frames(
    scenario: Scenario,
    trace: Trace,
    dataset: Dataset,
    schedule: Schedule,
    parts: Sequence[Part],
    jobs: int = 1,
) -> Generator[np.ndarray, None, None]:
    """Every frame of every part of the frame, in order: the frames of the first part,
    then of the next (see :mod:`clusteranim.scene.parts`).

    With ``jobs`` > 1 the frames are drawn by that many worker processes; the frames
    are the same whatever the number.
    """
    from clusteranim.workers import LocalProcesses

    return LocalProcesses(jobs).frames(_job(scenario, [Run(scenario, dataset, trace)], schedule, parts))


def _job(
    scenario: Scenario,
    runs: Sequence[Run],
    schedule: Schedule,
    parts: Sequence[Part],
    quality: SweepTable | None = None,
) -> Job:
    """What drawing any frame takes: one run, or panels side by side (with a sweep's
    ``quality`` panel)."""
    from clusteranim.workers import Job

    style = scenario.style
    return Job(scenario, tuple(runs), schedule, tuple(parts), style.width, style.height, quality)


def _finite(value: float) -> float | None:
    """``value``, or None for an objective that is not a number (none, or diverged)."""
    return value if np.isfinite(value) else None


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(child.stat().st_size for child in path.iterdir() if child.is_file())
    return path.stat().st_size


__all__ = [
    "RenderError",
    "RenderResult",
    "ScenarioError",
    "attach",
    "check_outputs",
    "checked_data",
    "checked_run",
    "checked_runs",
    "draw_frames",
    "inputs",
    "load_data",
    "panel_data",
    "panel_runs",
    "prepare",
    "quality_of",
    "read_given_trace",
    "render",
    "run",
    "runs_of",
    "targets",
    "write_outputs",
]
