"""Frames drawn by worker processes, delivered in order.

Each worker builds its own scene once and draws runs of consecutive frames (of one part
of the frame, when layers are drawn apart for a player that switches them); the parent
hands the frames to the writer in order, keeping only a few runs in flight so that
memory does not grow with the animation. On Linux the workers are forked after the data
and the trace exist, so nothing large is copied or pickled; elsewhere they are spawned
and receive both once. When the frames stop early (Ctrl-C, SIGTERM, a failure), the
workers are terminated rather than waited for.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Generator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Protocol

import numpy as np

from clusteranim.drawing import Drawer, Run, Schedule, draw_sequentially, drawer_of
from clusteranim.scenario import Scenario
from clusteranim.scene.parts import Part
from clusteranim.trace.quality import SweepTable


@dataclass(frozen=True, eq=False)
class Job:
    """Everything a worker needs to draw any frame."""

    scenario: Scenario
    runs: tuple[Run, ...]
    schedule: Schedule
    parts: tuple[Part, ...]
    width: int
    height: int
    quality: SweepTable | None = None


class FrameExecutor(Protocol):
    """Where a job's frames are drawn: local worker processes (:class:`LocalProcesses`)
    or a Dask cluster (:class:`clusteranim.cluster.DaskFrames`). Either yields the same
    frames in the same order."""

    @property
    def scheduler(self) -> str | None:
        """The address of the Dask scheduler (None: this machine)."""
        ...

    def frames(self, job: Job) -> Generator[np.ndarray, None, None]:
        """Every frame of every part of ``job``, in order (see :func:`draw_frames`)."""
        ...

    def workers(self, job: Job) -> int:
        """How many worker processes draw (or drew) ``job``'s frames."""
        ...


@dataclass(frozen=True)
class LocalProcesses:
    """Frames drawn by ``jobs`` worker processes on this machine (here, for one)."""

    jobs: int
    scheduler: None = None

    def frames(self, job: Job) -> Generator[np.ndarray, None, None]:
        return draw_frames(job, self.jobs)

    def workers(self, job: Job) -> int:
        return 1 if _drawn_here(job, self.jobs) else self.jobs


def draw_range(job: Job, drawer: Drawer, part: int, start: int, stop: int, out: np.ndarray) -> None:
    """Draw frames ``start:stop`` of the job's ``part`` into ``out`` (one frame a row)."""
    for offset, index in enumerate(range(start, stop)):
        drawer.draw(job.schedule[index], out=out[offset], part=job.parts[part])


# What a worker process holds: the job and the frame slots (inherited when forked), and
# its drawer.
_current: dict[str, Job] = {}
_memory: dict[str, shared_memory.SharedMemory] = {}
_scenes: dict[str, Drawer] = {}


def _start_worker(job: Job | None, memory_name: str | None) -> None:
    # The parent handles Ctrl-C and SIGTERM and shuts the workers down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if job is not None:
        _current["job"] = job
    if memory_name is not None:
        _memory["slots"] = shared_memory.SharedMemory(name=memory_name)
    _scenes.clear()


def _draw_run(part: int, start: int, stop: int, first_slot: int) -> int:
    """Draw frames ``start:stop`` of the job's ``part`` into consecutive shared-memory slots."""
    job = _current["job"]
    if "drawer" not in _scenes:
        _scenes["drawer"] = drawer_of(job.scenario, job.runs, job.quality)
    draw_range(job, _scenes["drawer"], part, start, stop, _slots(job)[first_slot:])
    return stop - start


def _slots(job: Job) -> np.ndarray:
    """The shared frame slots, shape (n_slots, height, width, 4)."""
    buffer = _memory["slots"].buf
    assert buffer is not None
    frame_bytes = job.height * job.width * 4
    slots: np.ndarray = np.ndarray(
        (len(buffer) // frame_bytes, job.height, job.width, 4), dtype=np.uint8, buffer=buffer
    )
    return slots


def _die_with_parent() -> None:
    """Ask Linux to terminate this worker when its parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(set_parent_death_signal, signal.SIGTERM, 0, 0, 0)


def run_length(n_frames: int, workers: int) -> int:
    """Frames a worker draws at a time: about three runs per worker, at most 16 frames
    (so few frames wait in memory)."""
    return max(1, min(16, -(-n_frames // (workers * 3))))


def frame_runs(job: Job, length: int) -> list[tuple[int, int, int]]:
    """The job's frames as runs of ``length`` consecutive frames, in the order they are
    written: (part, start, stop), every run of the first part, then of the next."""
    n_frames = len(job.schedule)
    return [
        (part, start, min(start + length, n_frames))
        for part in range(len(job.parts))
        for start in range(0, n_frames, length)
    ]


def draw_frames(job: Job, jobs: int) -> Generator[np.ndarray, None, None]:
    """Every frame of every part, in order: the frames of the first, then the next,
    drawn by ``jobs`` worker processes.

    With one job (or very few frames) the frames are drawn here; the output is the same
    whatever the number.
    """
    n_frames = len(job.schedule)
    if _drawn_here(job, jobs):
        yield from draw_sequentially(job.scenario, job.runs, job.schedule, job.parts, job.quality)
        return
    length = run_length(n_frames, jobs)
    runs = frame_runs(job, length)
    context = process_context()
    forking = context.get_start_method() == "fork"
    if forking:
        from clusteranim.scene.figure import preload

        preload()  # import the drawing stack once, here, rather than in every worker
    # Frames come back through shared memory, not pickled through a pipe: a run of
    # frames per slot group, as many groups as runs in flight.
    window = 2 * jobs
    memory = shared_memory.SharedMemory(create=True, size=window * length * job.height * job.width * 4)
    pool: ProcessPoolExecutor | None = None
    pending: deque[tuple[Future[int], int]] = deque()
    try:
        _current["job"] = job
        _memory["slots"] = memory
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(None, None) if forking else (job, memory.name),
        )
        slots = _slots(job)
        queue = iter(enumerate(runs))

        def submit() -> None:
            entry = next(queue, None)
            if entry is not None:
                number, run = entry
                first_slot = (number % window) * length
                pending.append((pool.submit(_draw_run, *run, first_slot), first_slot))

        for _ in range(window):
            submit()
        remaining = n_frames * len(job.parts)
        while pending:
            future, first_slot = pending.popleft()
            count = future.result()
            for offset in range(count):
                remaining -= 1
                # A view, valid until its slot group is handed out again (after the
                # consumer has taken the whole run); the very last frame is a copy, as
                # the shared memory goes when this generator ends.
                frame = slots[first_slot + offset]
                yield frame if remaining else frame.copy()
            submit()
    except BaseException:
        # Interrupted, a failed frame or the consumer gone: the runs in progress are not
        # wanted, and a run of large frames can take a minute.
        if pool is not None:
            terminate_workers(pool)
        raise
    finally:
        _current.clear()
        for future, _ in pending:
            future.cancel()
        _memory.clear()
        memory.close()
        memory.unlink()  # first: nothing that follows can then leave the segment behind
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _drawn_here(job: Job, jobs: int) -> bool:
    """Whether :func:`draw_frames` draws in this process: one job, or too few frames to share."""
    return jobs <= 1 or len(job.schedule) * len(job.parts) < 2 * jobs


def process_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked where the system can (they then share the
    parent's data and imports), else spawned."""
    return multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )


def terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` now, by SIGTERM, whatever it is drawing.

    The executor then finds its workers gone, fails their futures and joins them, so
    that ``shutdown`` returns at once. (Python 3.14 has this as ``terminate_workers``.)
    """
    for process in list(pool._processes.values()):
        process.terminate()


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


__all__ = [
    "FrameExecutor",
    "Job",
    "LocalProcesses",
    "default_jobs",
    "draw_frames",
    "draw_range",
    "frame_runs",
    "process_context",
    "run_length",
    "terminate_workers",
]
