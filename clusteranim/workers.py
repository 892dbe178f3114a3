"""Frames drawn by worker processes, delivered in order.

Each worker builds its own scene once (per layer variant) and draws runs of consecutive
frames; the parent hands the frames to the writer in order, keeping only a few runs in
flight so that memory does not grow with the animation. On Linux the workers are forked
after the data and the trace exist, so nothing large is copied or pickled; elsewhere
they are spawned and receive both once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from clusteranim.data.base import Dataset
    from clusteranim.scenario import Scenario, Style
    from clusteranim.scene.figure import Scene
    from clusteranim.trace import Trace

Schedule = list[tuple[int, float]]


@dataclass(frozen=True, eq=False)
class Job:
    """Everything a worker needs to draw any frame."""

    scenario: Scenario
    trace: Trace
    dataset: Dataset
    schedule: Schedule
    variants: Mapping[str, Style]


# What a worker process holds: the job (inherited when forked) and its scenes.
_current: dict[str, Job] = {}
_scenes: dict[str, Scene] = {}


def _start_worker(job: Job | None) -> None:
    # The parent handles Ctrl-C and SIGTERM and shuts the workers down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if job is not None:
        _current["job"] = job
    _scenes.clear()


def _draw_run(variant: str, start: int, stop: int) -> list[np.ndarray]:
    from clusteranim.pipeline import build_scene
    from clusteranim.scene.base import Frame

    job = _current["job"]
    if variant not in _scenes:
        _scenes[variant] = build_scene(job.scenario, job.trace, job.dataset, job.variants[variant])
    scene = _scenes[variant]
    return [scene.draw(Frame(job.trace, *job.schedule[index])) for index in range(start, stop)]


def _die_with_parent() -> None:
    """Ask Linux to terminate this worker when its parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(set_parent_death_signal, signal.SIGTERM, 0, 0, 0)


def draw_in_order(
    job: Job, jobs: int, draw_sequentially: Callable[[], Iterator[np.ndarray]]
) -> Iterator[np.ndarray]:
    """Every frame of every variant, in order, drawn by ``jobs`` worker processes.

    With one job (or very few frames) the frames are drawn here, by
    ``draw_sequentially``; the output is the same either way.
    """
    n_frames = len(job.schedule)
    if jobs <= 1 or n_frames * len(job.variants) < 2 * jobs:
        yield from draw_sequentially()
        return
    run_length = max(1, min(16, -(-n_frames // (jobs * 3))))
    runs = [
        (variant, start, min(start + run_length, n_frames))
        for variant in job.variants
        for start in range(0, n_frames, run_length)
    ]
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    if forking:
        # Import the drawing stack once, here, rather than in every worker.
        import matplotlib.backends.backend_agg  # noqa: F401

        import clusteranim.scene.figure  # noqa: F401
    _current["job"] = job
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(None if forking else job,),
    )
    pending: deque[Future[list[np.ndarray]]] = deque()
    try:
        queue = iter(runs)
        for run in queue:
            pending.append(pool.submit(_draw_run, *run))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            frames = pending.popleft().result()
            next_run = next(queue, None)
            if next_run is not None:
                pending.append(pool.submit(_draw_run, *next_run))
            yield from frames
    finally:
        _current.clear()
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


__all__ = ["Job", "default_jobs", "draw_in_order"]
