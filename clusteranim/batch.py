"""Render many scenarios in parallel processes, going on past failures."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clusteranim.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, ClusteranimError, ScenarioError, Terminated


@dataclass(frozen=True)
class BatchItem:
    """How one scenario of a batch went.

    Parameters
    ----------
    scenario : str
    exit_code : int
        What ``clusteranim render`` would have exited with: 0, 1 or 2.
    error : str
        The error message, empty on success.
    result : dict
        The render summary (``RenderResult.to_dict()``) on success.
    """

    scenario: str
    exit_code: int
    error: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "error": self.error,
            **self.result,
        }


def _render_one(scenario: str, output: str | None) -> BatchItem:
    from clusteranim.pipeline import render

    started = time.perf_counter()
    try:
        result = render(scenario, output=output, jobs=1)
    except ClusteranimError as error:
        return BatchItem(scenario, error.exit_code, str(error))
    except Exception as error:  # a bug: reported, and the batch goes on
        return BatchItem(scenario, 1, f"internal error: {type(error).__name__}: {error}")
    summary = result.to_dict()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BatchItem(scenario, 0, result=summary)


def _render_in_worker(scenario: str, output: str | None) -> BatchItem:
    """:func:`_render_one` in a worker process, which ends when it is interrupted (once
    the render has removed its partial file) rather than taking the next scenario."""
    try:
        return _render_one(scenario, output)
    except KeyboardInterrupt:
        os._exit(EXIT_INTERRUPTED)
    except Terminated:
        os._exit(EXIT_TERMINATED)


def plan_outputs(scenarios: list[str], out_dir: str | None) -> list[str | None]:
    """The output of each scenario (None: its own ``output.path``), checked together.

    Raises
    ------
    ScenarioError
        When two scenarios would write the same path, or one would overwrite another's
        input, before any is rendered. A scenario that does not load is left to fail
        alone when its turn comes.
    """
    from clusteranim.preflight import inputs, targets
    from clusteranim.scenario import Scenario, load_scenario
    from clusteranim.writers.targets import target_problems

    outputs: list[str | None] = []
    owners: dict[int, tuple[Scenario, str]] = {}
    planned, read = [], {}
    for scenario in scenarios:
        output = None
        try:
            loaded = load_scenario(scenario)
            if out_dir is not None:
                output = str(Path(out_dir) / Path(loaded.output.path).name)
                loaded = load_scenario(scenario, output=output)
        except ScenarioError:
            outputs.append(None)
            continue
        outputs.append(output)
        read.update(inputs(loaded))
        for target in targets(loaded):
            named = replace(target, key=f"{target.key} of {scenario}")
            owners[id(named)] = (loaded, target.key)
            planned.append(named)
    problems = []
    for target, message in target_problems(planned, read):
        loaded, key = owners[id(target)]
        problems.append(loaded.origin.problem(key, message))
    if problems:
        raise ScenarioError(problems)
    return outputs


def run_batch(scenarios: list[str], jobs: int, out_dir: str | None = None) -> list[BatchItem]:
    """Render each scenario (one process each at a time, ``jobs`` at once), in order.

    Every output is checked against every other and every input first (see
    :func:`plan_outputs`). Each scenario is drawn by a single process, so a batch
    produces the same bytes as rendering each scenario alone.
    """
    outputs = plan_outputs(scenarios, out_dir)
    if jobs <= 1 or len(scenarios) <= 1:
        return [_render_one(scenario, output) for scenario, output in zip(scenarios, outputs, strict=True)]
    from clusteranim.workers import process_context, terminate_workers

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())
    try:
        return list(pool.map(_render_in_worker, scenarios, outputs))
    except BaseException:
        # Ctrl-C or SIGTERM: the renders under way stop (each removing its partial
        # file) and no further one starts.
        terminate_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def summary_table(items: list[BatchItem]) -> str:
    """A plain-text table of the batch: one row a scenario."""
    rows = [("scenario", "status", "output", "frames", "bytes", "seconds")]
    for item in items:
        if item.ok:
            result = item.result
            rows.append(
                (
                    item.scenario,
                    "ok",
                    result["path"],
                    str(result["frames"]),
                    f"{result['bytes']:,}",
                    f"{result['seconds']:.2f}",
                )
            )
        else:
            rows.append((item.scenario, f"FAILED ({item.exit_code})", item.error.splitlines()[0], "", "", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    failed = sum(not item.ok for item in items)
    lines.append(f"{len(items) - failed} rendered, {failed} failed")
    return "\n".join(lines)
