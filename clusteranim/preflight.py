"""Every check a render makes before it runs anything: the paths it writes (never one
it must not replace), the files it reads, and the data (read and checked)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from clusteranim.data.base import Dataset
from clusteranim.data.file import FileOptions
from clusteranim.errors import Problem, ScenarioError
from clusteranim.options import OptionError
from clusteranim.scenario import Scenario
from clusteranim.writers import FORMATS
from clusteranim.writers.targets import Target, target_problems

# Largest coordinate of any point: squares, sums of squares and covariances of values up
# to this stay far from overflow in double precision.
MAX_COORDINATE = 1e100


def load_data(scenario: Scenario) -> Dataset:
    """The scenario's data, checked against the algorithm's needs."""
    limits = scenario.limits
    try:
        dataset: Dataset = scenario.data.load(scenario.data_seed, scenario.origin.base_dir, limits.max_points)
    except OptionError as error:
        raise scenario.problem(f"data.{error.key}", error.message) from None
    largest = float(np.max(np.abs(dataset.X), initial=0.0))
    if not largest <= MAX_COORDINATE:  # also catches NaN
        key = "data.path" if isinstance(scenario.data, FileOptions) else f"data.{scenario.data.kind_key}"
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
    if not scenario.panel_list:  # each panel checks its own algorithm against the data
        check_algorithm_fits(scenario, dataset)
    return dataset


def check_algorithm_fits(scenario: Scenario, dataset: Dataset) -> None:
    """Refuse a k beyond the number of points."""
    given = scenario.given_trace
    if (given is None or given.profile.key) and scenario.algorithm.profile().n_clusters > dataset.n_samples:
        source = f" in {scenario.data.path}" if isinstance(scenario.data, FileOptions) else ""
        raise scenario.problem(
            "algorithm.k",
            f"must be at most the number of points ({dataset.n_samples}{source}), got {scenario.algorithm.k}",
        )


def targets(scenario: Scenario, depfile: str | Path | None = None) -> list[Target]:
    """Every path rendering ``scenario`` writes: the animation, its poster, a depfile."""
    output = scenario.output
    planned = [Target("output.path", output.path, folder=FORMATS[output.resolved_format()].writes_folder)]
    if output.poster is not None:
        planned.append(Target("output.poster", output.poster))
    if depfile is not None:
        planned.append(Target("--depfile", str(depfile)))
    return planned


def inputs(scenario: Scenario, trace_file: str | None = None) -> dict[Path, str]:
    """Every file rendering ``scenario`` reads (the scenario file, data files, a trace
    file), each with what it is, in words."""
    source = scenario.origin.source
    files = {Path(source): f"the scenario file {source}"} if scenario.origin.is_file else {}
    for path in scenario.data.input_files(scenario.origin.base_dir):
        files[path] = f"the data file {path.name}"
    if trace_file is not None:
        files[Path(trace_file)] = f"the trace file {trace_file}"
    return files


def check_outputs(scenario: Scenario, planned: Sequence[Target], trace_file: str | None = None) -> None:
    """Refuse, before anything is read or written, outputs that would destroy a file.

    Raises
    ------
    ScenarioError
        Naming each such output by its key in the scenario (or its option).
    """
    found = target_problems(planned, inputs(scenario, trace_file))
    for target in planned:
        if target.key == "--depfile" and (message := _rule_problem(scenario, planned, trace_file)):
            found.append((target, message))
    problems = [
        Problem(f"{target.key} {target.text}", None, "", message)
        if target.key.startswith("--")  # an option, not a key of the scenario
        else scenario.origin.problem(target.key, message)
        for target, message in found
    ]
    if problems:
        raise ScenarioError(problems)


def rule_names(
    scenario: Scenario, planned: Sequence[Target], data_files: Sequence[Path], trace_file: str | None = None
) -> tuple[list[str], list[str]]:
    """The targets and prerequisites of the make rule a depfile holds."""
    outputs = [target.text for target in planned if target.key != "--depfile"]
    sources = [scenario.origin.source] if scenario.origin.is_file else []
    if trace_file is not None:
        sources.append(trace_file)
    return outputs, [*sources, *(_relative(path) for path in data_files)]


def _rule_problem(scenario: Scenario, planned: Sequence[Target], trace_file: str | None) -> str | None:
    """Why the depfile's rule could not be written (a name make cannot read back), if so."""
    from clusteranim.depfile import make_rule

    data_files = scenario.data.input_files(scenario.origin.base_dir)
    try:
        make_rule(*rule_names(scenario, planned, data_files, trace_file))
    except ValueError as error:
        return str(error)
    return None


def prepare(scenario: Scenario, planned: Sequence[Target], trace_file: str | None = None) -> Dataset:
    """Every check that needs no run: the outputs, then the data (read and checked)."""
    check_outputs(scenario, planned, trace_file)
    return load_data(scenario)


def _relative(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
