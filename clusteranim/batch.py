"""Render many scenarios in parallel, in local processes or on a Dask cluster, going on
past failures."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from clusteranim.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    ClusteranimError,
    Problem,
    ScenarioError,
    Terminated,
)

if TYPE_CHECKING:
    from distributed import Client

    from clusteranim.data.base import Dataset
    from clusteranim.scenario import Scenario
    from clusteranim.writers.targets import Target

#: Called as ``progress(scenarios_done, scenarios_total)`` as each scenario finishes (and
#: every half second while waiting, so that it can raise for a signal).
Progress = Callable[[int, int], None]
# How often a batch waiting for its renders looks up (calls ``progress``).
_POLL_SECONDS = 0.5


class Where(NamedTuple):
    """Where a scenario of a batch writes: its animation and its poster (None: where the
    scenario says), and the ``--out-dir`` that chose them."""

    output: str | None = None
    poster: str | None = None
    out_dir: str | None = None


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


def _render_one(scenario: str, where: Where) -> BatchItem:
    from clusteranim.pipeline import render
    from clusteranim.scenario import load_scenario

    started = time.perf_counter()
    try:
        result = render(load_scenario(scenario, output=where.output, poster=where.poster), jobs=1)
    except ClusteranimError as error:
        return _failed(scenario, error, where)
    except Exception as error:  # a bug: reported, and the batch goes on
        return BatchItem(scenario, 1, _internal(error))
    summary = result.to_dict()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BatchItem(scenario, 0, result=summary)


def _failed(scenario: str, error: ClusteranimError, where: Where) -> BatchItem:
    """The item of a scenario refused (its paths named by ``--out-dir`` if it chose them)."""
    if isinstance(error, ScenarioError):
        error = ScenarioError(_named_by_out_dir(error.problems, scenario, where.out_dir))
    return BatchItem(scenario, error.exit_code, str(error))


def _internal(error: BaseException) -> str:
    return f"internal error: {type(error).__name__}: {error}"


def _render_in_worker(scenario: str, where: Where) -> BatchItem:
    """:func:`_render_one` in a worker process, which ends when it is interrupted (once
    the render has removed its partial file) rather than taking the next scenario."""
    try:
        return _render_one(scenario, where)
    except KeyboardInterrupt:
        os._exit(EXIT_INTERRUPTED)
    except Terminated:
        os._exit(EXIT_TERMINATED)


def plan_outputs(scenarios: list[str], out_dir: str | None) -> list[Where]:
    """Where each scenario writes, checked together: its ``output.path`` and its
    ``output.poster`` (None: the scenario's own; with ``out_dir``, its file name in
    ``out_dir``).

    Raises
    ------
    ScenarioError
        When two scenarios would write the same path, or one would overwrite another's
        input, before any is rendered. A scenario that does not load is left to fail
        alone when its turn comes.
    """
    from clusteranim.preflight import inputs, targets
    from clusteranim.scenario import load_scenario
    from clusteranim.writers.targets import target_problems

    outputs: list[Where] = []
    owners: dict[int, tuple[Scenario, str]] = {}
    planned, read = [], {}
    for scenario in scenarios:
        where = Where()
        try:
            loaded = load_scenario(scenario)
            if out_dir is not None:
                poster = loaded.output.poster
                where = Where(
                    str(Path(out_dir) / Path(loaded.output.path).name),
                    None if poster is None else str(Path(out_dir) / Path(poster).name),
                    out_dir,
                )
                loaded = load_scenario(scenario, output=where.output, poster=where.poster)
        except ScenarioError:
            outputs.append(where)
            continue
        outputs.append(where)
        read.update(inputs(loaded))
        for target in targets(loaded):
            named = replace(target, key=f"{target.key} of {scenario}")
            owners[id(named)] = (loaded, target.key)
            planned.append(named)
    problems = []
    for target, message in target_problems(planned, read):
        loaded, key = owners[id(target)]
        problems.extend(
            _named_by_out_dir([loaded.origin.problem(key, message)], loaded.origin.source, out_dir)
        )
    if problems:
        raise ScenarioError(problems)
    return outputs


def _named_by_out_dir(problems: Sequence[Problem], scenario: str, out_dir: str | None) -> list[Problem]:
    """``problems`` with the paths ``--out-dir`` chose for ``scenario`` named by it: the
    loader names them as the options that carry them (``--output``, ``--poster``), which
    the user did not type."""
    if out_dir is None:
        return list(problems)
    options = ("--output ", "--poster ")
    return [
        replace(problem, source=f"{scenario} with --out-dir {out_dir}")
        if problem.source.startswith(options)
        else problem
        for problem in problems
    ]


def run_batch(
    scenarios: list[str],
    jobs: int,
    out_dir: str | None = None,
    scheduler: str | Client | None = None,
    progress: Progress | None = None,
) -> list[BatchItem]:
    """Render each scenario (one process each at a time, ``jobs`` at once), in order.

    Every output is checked against every other and every input first (see
    :func:`plan_outputs`). Each scenario is drawn by a single process, so a batch
    produces the same bytes as rendering each scenario alone.

    With a ``scheduler`` (an address, ``local``, or a client left open) each scenario is
    rendered by a worker of that Dask cluster instead (``jobs`` is then unused): see
    :func:`_run_on_cluster`.
    """
    outputs = plan_outputs(scenarios, out_dir)
    if scheduler is not None:
        from clusteranim.cluster import client_of

        with client_of(scheduler) as (client, address):
            return _run_on_cluster(client, address, scenarios, outputs, progress)
    report = progress or (lambda done, total: None)
    if jobs <= 1 or len(scenarios) <= 1:
        items = []
        for scenario, where in zip(scenarios, outputs, strict=True):
            items.append(_render_one(scenario, where))
            report(len(items), len(scenarios))
        return [_ran_by(item, None, 1) for item in items]
    from clusteranim.workers import process_context, terminate_workers

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=process_context())
    try:
        futures = [pool.submit(_render_in_worker, *each) for each in zip(scenarios, outputs, strict=True)]
        waiting = set(futures)
        while waiting:
            _, waiting = wait(waiting, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            report(len(futures) - len(waiting), len(futures))
        workers = min(jobs, len(scenarios))
        return [_ran_by(future.result(), None, workers) for future in futures]
    except BaseException:
        # Ctrl-C or SIGTERM: the renders under way stop (each removing its partial
        # file) and no further one starts.
        terminate_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ran_by(item: BatchItem, scheduler: str | None, workers: int) -> BatchItem:
    """``item`` reporting where the batch ran: the scheduler, and its workers (processes)."""
    if not item.ok:
        return item
    return replace(item, result={**item.result, "scheduler": scheduler, "workers": workers})


@dataclass(frozen=True, eq=False)
class _Shipped:
    """What a worker of a cluster needs to render one scenario of a batch, read and
    checked here: the loaded scenario, its paths and its data (so that workers need no
    access to this machine's files)."""

    scenario: str
    loaded: Scenario
    planned: tuple[Target, ...]
    datasets: tuple[Dataset, ...]


# What a worker sends back: the render summary, and the bytes of each path written by
# key (a folder's as its files' bytes by name).
_Files = dict[str, bytes | dict[str, bytes]]


def _ship(scenario: str, where: Where) -> _Shipped | BatchItem:
    """Load and check ``scenario`` here as ``render`` does, reading its data; a
    scenario refused is its failed item."""
    from clusteranim.pipeline import checked_data
    from clusteranim.scenario import load_scenario

    try:
        loaded = load_scenario(scenario, output=where.output, poster=where.poster)
        planned, datasets = checked_data(loaded)
    except ClusteranimError as error:
        return _failed(scenario, error, where)
    except Exception as error:
        return BatchItem(scenario, 1, _internal(error))
    return _Shipped(scenario, loaded, tuple(planned), tuple(datasets))


def _render_shipped(shipped: _Shipped) -> tuple[BatchItem, _Files]:
    """Render a shipped scenario on a worker, into a temporary folder there; return how
    it went and the bytes of every file written (a Dask task)."""
    from clusteranim.cluster import DRAWING
    from clusteranim.pipeline import runs_of, write_outputs
    from clusteranim.workers import LocalProcesses

    started = time.perf_counter()
    loaded = shipped.loaded
    with tempfile.TemporaryDirectory(prefix="clusteranim-", dir=_scratch()) as folder:
        # Each path keeps its name (in a folder of its own): the files are the same.
        here = [
            replace(target, text=str(Path(folder, str(number), target.path.name)))
            for number, target in enumerate(shipped.planned)
        ]
        try:
            with DRAWING:
                runs = runs_of(loaded, shipped.datasets)
                result = write_outputs(loaded, runs, here, LocalProcesses(1))
        except ClusteranimError as error:
            return BatchItem(shipped.scenario, error.exit_code, str(error)), {}
        except Exception as error:
            return BatchItem(shipped.scenario, 1, _internal(error)), {}
        files: _Files = {
            target.key: {child.name: child.read_bytes() for child in sorted(target.path.iterdir())}
            if target.folder
            else target.path.read_bytes()
            for target in here
        }
    summary = result.to_dict()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BatchItem(shipped.scenario, 0, result=summary), files


def _scratch() -> str | None:
    """Where a worker renders: its own folder, which Dask clears of a dead worker's
    leftovers (None, the system's temporary folder, outside a worker)."""
    try:
        from distributed import get_worker

        return str(get_worker().local_directory)
    except (ImportError, ValueError):
        return None


def _save(planned: Sequence[Target], files: _Files) -> None:
    """Write what a worker rendered to the ``planned`` paths, each through a temporary:
    every temporary is written first, then the animation is renamed into place, then its
    poster (as ``render`` does).

    Raises
    ------
    RenderError
        When a path cannot be written (named); every path then holds what it held before.
    """
    from clusteranim.writers import writing

    with contextlib.ExitStack() as stack:
        for target in planned[1:]:
            _put(stack.enter_context(writing(target.path)), files[target.key])
        animation = planned[0]
        with writing(animation.path, folder=animation.folder) as temporary:
            _put(temporary, files[animation.key])


def _put(path: Path, content: bytes | dict[str, bytes]) -> None:
    """Write ``content`` (a file's bytes, or a folder's files by name) into ``path``."""
    if isinstance(content, bytes):
        path.write_bytes(content)
        return
    for name, data in content.items():
        (path / name).write_bytes(data)


def _run_on_cluster(
    client: Client, address: str, scenarios: list[str], outputs: list[Where], progress: Progress | None
) -> list[BatchItem]:
    """Render each scenario as a task of the cluster (see
    :func:`clusteranim.cluster.as_finished`: retried when a worker dies, cancelled on
    Ctrl-C); write each output here, through a temporary renamed when complete, as its
    task finishes."""
    from clusteranim.cluster import as_finished, cluster_threads, cluster_workers

    workers = cluster_workers(client, address)
    report = progress or (lambda done, total: None)
    items: list[BatchItem | None] = [None] * len(scenarios)
    shipped: dict[int, _Shipped] = {}

    def arguments() -> Iterator[tuple[int, _Shipped]]:
        for number, (scenario, where) in enumerate(zip(scenarios, outputs, strict=True)):
            each = _ship(scenario, where)
            if isinstance(each, BatchItem):  # refused here, as render would
                items[number] = each
            else:
                shipped[number] = each
                yield number, each

    # Closed on the way out of an interrupt too: that cancels the tasks not yet done.
    # Two scenarios a worker thread in flight: each worker has the next at hand.
    window = 2 * cluster_threads(client)
    finishing = as_finished(client, address, _render_shipped, arguments(), window, _POLL_SECONDS)
    with contextlib.closing(finishing):
        for finished in finishing:
            if finished is not None:
                number, outcome = finished
                items[number] = _gathered(outcome, shipped.pop(number))
            report(sum(item is not None for item in items), len(scenarios))
    return [_ran_by(item, address, workers) for item in items if item is not None]


def _gathered(outcome: tuple[BatchItem, _Files] | BaseException, shipped: _Shipped) -> BatchItem:
    """The item of a finished task, its files written here."""
    if isinstance(outcome, ClusteranimError):  # lost by the cluster
        return BatchItem(shipped.scenario, outcome.exit_code, f"{shipped.scenario}: {outcome}")
    if isinstance(outcome, BaseException):
        return BatchItem(shipped.scenario, 1, " ".join(_internal(outcome).split()))
    item, files = outcome
    if item.ok:
        try:
            _save(shipped.planned, files)
        except ClusteranimError as error:
            return BatchItem(shipped.scenario, error.exit_code, str(error))
    return item


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
