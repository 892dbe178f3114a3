"""Frames drawn on a Dask cluster (``--scheduler``), delivered in order.

Needs the ``dask`` extra (``pip install 'clusteranim[dask]'``) here and on every worker,
with the same version of clusteranim. The scenario, its runs and the plan travel to the
workers as one pickled :class:`~clusteranim.workers.Job`, scattered once per render.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections import deque
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.drawing import Drawer, drawer_of
from clusteranim.errors import Problem, ScenarioError
from clusteranim.workers import Job, draw_range, run_length

if TYPE_CHECKING:
    from distributed import Client, Future

#: The environment variable that gives ``--scheduler`` when the option is left out.
SCHEDULER_VARIABLE = "CLUSTERANIM_SCHEDULER"
#: How long to try to reach a scheduler before giving up.
CONNECT_SECONDS = 5
#: The address that starts a cluster on this machine instead.
LOCAL = "local"


def scheduler_address(option: str | None) -> str | None:
    """The scheduler to use: ``option``, else ``$CLUSTERANIM_SCHEDULER``, else None (an
    empty value is None)."""
    address = option if option is not None else os.environ.get(SCHEDULER_VARIABLE)
    return address or None


def connect(address: str) -> Client:
    """A client of the scheduler at ``address``; for ``local``, of a new cluster of two
    worker processes on this machine (closed with the client).

    Raises
    ------
    ScenarioError
        One line naming ``--scheduler``: the ``dask`` extra is not installed, or the
        scheduler cannot be reached within :data:`CONNECT_SECONDS`.
    """
    try:
        from distributed import Client
        from distributed.comm.addressing import resolve_address
    except ImportError:
        raise _problem(address, "needs the dask extra: pip install 'clusteranim[dask]'") from None
    if address == LOCAL:
        return Client(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", set_as_default=False
        )
    try:
        # First: a malformed or unknown address fails at once, and leaves no half-made
        # client behind.
        resolve_address(address)
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError) as error:
        raise _problem(address, f"cannot reach the scheduler ({error})") from None
    except Exception as error:  # something else answers there: distributed reads garbage
        reason = f"{type(error).__name__}: {error}"
        raise _problem(
            address, f"cannot reach the scheduler: no Dask scheduler answers there ({reason[:120]})"
        ) from None


@contextlib.contextmanager
def frames_on(scheduler: str | Client) -> Iterator[DaskFrames]:
    """The frame executor of a cluster: of the scheduler at this address (connected
    here, closed after), or of this client (left open)."""
    if not isinstance(scheduler, str):
        yield DaskFrames(scheduler)
        return
    client = connect(scheduler)
    try:
        yield DaskFrames(client, scheduler)
    finally:
        client.close()


class DaskFrames:
    """Frames drawn by the workers of a Dask cluster, a run of consecutive frames a task,
    yielded here in order with at most two runs per worker thread in flight.

    The job is sent to every worker once; each worker thread builds the job's drawer on
    its first task and keeps it for the next ones (until the render ends). A task lost
    with its worker is run again elsewhere. When the frames stop early (Ctrl-C, a
    failure, the consumer gone), the tasks not yet done are cancelled.
    """

    def __init__(self, client: Client, address: str = "") -> None:
        self.client = client
        self.address = address or str(client.scheduler_info().get("address", ""))

    def threads(self) -> int:
        """The worker threads of the cluster, waiting :data:`CONNECT_SECONDS` for a
        first worker.

        Raises
        ------
        ScenarioError
            When no worker joins in time.
        """
        threads = int(sum(self.client.nthreads().values()))
        if threads:
            return threads
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            message = f"the scheduler has no workers (waited {CONNECT_SECONDS} s)"
            raise _problem(self.address, message) from None
        return max(1, int(sum(self.client.nthreads().values())))

    def frames(self, job: Job) -> Generator[np.ndarray, None, None]:
        client = self.client
        threads = self.threads()
        n_frames = len(job.schedule)
        length = run_length(n_frames, threads)
        runs = [
            (part, start, min(start + length, n_frames))
            for part in range(len(job.parts))
            for start in range(0, n_frames, length)
        ]
        name = f"clusteranim-{uuid.uuid4().hex}"
        shared = client.scatter(job, broadcast=True, hash=False)
        pending: deque[Future[np.ndarray]] = deque()
        queue = iter(runs)

        def submit() -> None:
            run = next(queue, None)
            if run is not None:
                part, start, stop = run
                key = f"{name}-{part}-{start}"
                pending.append(client.submit(_draw_task, name, shared, part, start, stop, key=key))

        try:
            for _ in range(2 * threads):
                submit()
            while pending:
                drawn: np.ndarray = pending.popleft().result()
                submit()
                yield from drawn
        finally:
            if pending:
                client.cancel(list(pending))
            pending.clear()
            with contextlib.suppress(OSError, TimeoutError):  # a worker gone: its drawers too
                client.run(_forget, name)


# Each worker thread's drawer, with the name of the job it draws.
_drawers: dict[int, tuple[str, Drawer]] = {}
_drawers_lock = threading.Lock()


def _draw_task(name: str, job: Job, part: int, start: int, stop: int) -> np.ndarray:
    """Frames ``start:stop`` of the job's ``part``, shape (stop - start, height, width, 4):
    a task run by a Dask worker."""
    thread = threading.get_ident()
    with _drawers_lock:
        held = _drawers.get(thread)
    if held is None or held[0] != name:
        if held is not None:
            held[1].close()
        held = (name, drawer_of(job.scenario, job.runs, job.quality))
        with _drawers_lock:
            _drawers[thread] = held
    frames = np.empty((stop - start, job.height, job.width, 4), np.uint8)
    draw_range(job, held[1], part, start, stop, frames)
    return frames


def _forget(name: str) -> None:
    """Close the drawers of job ``name`` on this worker."""
    with _drawers_lock:
        done = [thread for thread, (held, _) in _drawers.items() if held == name]
        drawers = [_drawers.pop(thread)[1] for thread in done]
    for drawer in drawers:
        drawer.close()


def _problem(address: str, message: str) -> ScenarioError:
    return ScenarioError(Problem(f"--scheduler {address}", None, "", message))


__all__ = [
    "CONNECT_SECONDS",
    "LOCAL",
    "SCHEDULER_VARIABLE",
    "DaskFrames",
    "connect",
    "frames_on",
    "scheduler_address",
]
