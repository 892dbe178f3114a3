"""Frames drawn on a Dask cluster (``--scheduler``), delivered in order.

Needs the ``dask`` extra (``pip install 'clusteranim[dask]'``) here and on every worker,
with the same version of clusteranim. The scenario, its runs and the plan travel to the
workers as one pickled :class:`~clusteranim.workers.Job`, scattered once per render.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import socket
import threading
import uuid
import warnings
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

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
#: This machine's name: frames drawn on the machine that encodes them travel unpacked.
HOST = socket.gethostname()


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
    _check_extra(address)
    from distributed import Client
    from distributed.comm.addressing import resolve_address

    if address == LOCAL:
        import dask

        # Workers started by a nanny get MALLOC_TRIM_THRESHOLD_=65536 by default, which
        # makes glibc map (and zero) fresh pages for every array of more than 128 kB:
        # drawing then takes about 1.6 times as long. These workers go without it.
        environ = {**dask.config.get("distributed.nanny.pre-spawn-environ"), "MALLOC_TRIM_THRESHOLD_": None}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            return Client(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                set_as_default=False,
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


def check_scheduler(address: str | None) -> None:
    """What ``--scheduler`` checks before any work (``validate`` checks it so): the extra
    is installed, and the scheduler answers (connected to, then left; ``local`` is not
    started).

    Raises
    ------
    ScenarioError
        The line :func:`connect` raises.
    """
    if address is None:
        return
    if address == LOCAL:
        _check_extra(address)
        return
    connect(address).close()


def _check_extra(address: str) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise _problem(address, "needs the dask extra: pip install 'clusteranim[dask]'") from None


@contextlib.contextmanager
def client_of(scheduler: str | Client) -> Iterator[tuple[Client, str]]:
    """A client of the scheduler at this address (connected here, closed after), or this
    client (left open); with the address to report."""
    if not isinstance(scheduler, str):
        yield scheduler, str(scheduler.scheduler_info().get("address", ""))
        return
    client = connect(scheduler)
    try:
        yield client, scheduler
    finally:
        client.close()


@contextlib.contextmanager
def frames_on(scheduler: str | Client) -> Iterator[DaskFrames]:
    """The frame executor of a cluster: of the scheduler at this address (connected
    here, closed after), or of this client (left open)."""
    with client_of(scheduler) as (client, address):
        yield DaskFrames(client, address)


def as_finished(
    client: Client, function: Callable[[Any], Any], arguments: Iterable[tuple[int, Any]], poll: float = 0.5
) -> Generator[tuple[int, Any] | None, None, None]:
    """Run ``function(argument)`` as a task of the cluster for each numbered argument;
    yield ``(number, result)`` as each task finishes (``(number, exception)`` for a task
    that failed, its workers having died again and again), and None every ``poll``
    seconds of waiting.

    A task lost with its worker is run again by Dask on another. When the generator is
    closed or an exception (Ctrl-C) reaches it, the tasks not yet done are cancelled.
    """
    name = f"clusteranim-{uuid.uuid4().hex}"
    pending: dict[Future[Any], int] = {}
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    try:
        for number, argument in arguments:
            # The argument goes with the task (not scattered to one worker first): the
            # scheduler then holds it, and can run the task again when a worker dies.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                future = client.submit(function, argument, key=f"{name}-{number}", pure=False)
            pending[future] = number
            future.add_done_callback(finished.put)
            yield None
        while pending:
            try:
                future = finished.get(timeout=poll)
            except queue.Empty:
                yield None
                continue
            number = pending.pop(future)
            try:
                outcome = future.result()
            except Exception as error:
                outcome = error
            future.release()  # the worker may forget the result
            yield number, outcome
    finally:
        if pending:
            client.cancel(list(pending))


def cluster_workers(client: Client, address: str) -> int:
    """The workers of the cluster, waiting :data:`CONNECT_SECONDS` for a first one.

    Raises
    ------
    ScenarioError
        When no worker joins in time.
    """
    if not client.nthreads():
        try:
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            message = f"the scheduler has no workers (waited {CONNECT_SECONDS} s)"
            raise _problem(address, message) from None
    return max(1, len(client.nthreads()))


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

    @property
    def scheduler(self) -> str:
        return self.address

    def workers(self, job: Job) -> int:
        """The workers of the cluster (the scheduler spreads the tasks over them)."""
        return max(1, len(self.client.nthreads()))

    def threads(self) -> int:
        """The worker threads of the cluster (see :func:`cluster_workers`)."""
        cluster_workers(self.client, self.address)
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
        pending: deque[Future[np.ndarray | Packed]] = deque()
        queue = iter(runs)

        def submit() -> None:
            run = next(queue, None)
            if run is not None:
                part, start, stop = run
                key = f"{name}-{part}-{start}"
                task = client.submit(_draw_task, name, shared, part, start, stop, HOST, key=key)
                pending.append(task)

        try:
            for _ in range(2 * threads):
                submit()
            while pending:
                drawn: np.ndarray | Packed = pending[0].result()  # a failed run stays pending: cancelled
                pending.popleft()
                submit()
                yield from (
                    drawn if isinstance(drawn, np.ndarray) else unpack(drawn, (job.height, job.width, 4))
                )
        finally:
            if pending:
                client.cancel(list(pending))
            pending.clear()
            with contextlib.suppress(OSError, TimeoutError):  # a worker gone: its drawers too
                client.run(_forget, name)


# Each worker thread's drawer, with the name of the job it draws (used under DRAWING).
_drawers: dict[int, tuple[str, Drawer]] = {}
#: Held while a worker draws: matplotlib's settings are the process's, so two threads of
#: one worker (``dask worker --nthreads 2``) must not draw at once. Start workers with one
#: thread each (``--nworkers N --nthreads 1``) to use every core.
DRAWING = threading.Lock()


def _draw_task(
    name: str, job: Job, part: int, start: int, stop: int, client_host: str
) -> np.ndarray | Packed:
    """Frames ``start:stop`` of the job's ``part``, shape (stop - start, height, width, 4):
    a task run by a Dask worker. Packed for the network (see :func:`pack`) unless the
    client runs on the same machine (``client_host``), where copying them is quicker."""
    thread = threading.get_ident()
    frames = np.empty((stop - start, job.height, job.width, 4), np.uint8)
    with DRAWING:
        held = _drawers.get(thread)
        if held is None or held[0] != name:
            if held is not None:
                held[1].close()
            held = _drawers[thread] = (name, drawer_of(job.scenario, job.runs, job.quality))
        draw_range(job, held[1], part, start, stop, frames)
    return frames if client_host == HOST else pack(frames)


#: Consecutive frames as they travel from a worker: each compressed, after the first as
#: its difference from the one before (see :func:`pack`).
Packed = list[bytes]


def pack(frames: np.ndarray) -> Packed:
    """Consecutive frames, shape (n, height, width, 4), made small for the network: the
    first frame compressed, each next one as its bitwise difference (XOR) from the one
    before, compressed (zlib at level 1).

    Frames are flat colours and change a little from one to the next: a 1280x720 frame
    of 3.7 MB travels as about 60 kB, in about 9 ms of the worker's time (zlib alone at
    Dask's level: 200 kB in 30 ms; ``benchmarks/cluster.py`` measures it).
    """
    packed = [zlib.compress(frames[0].tobytes(), 1)] if len(frames) else []
    for before, frame in itertools.pairwise(frames):
        packed.append(zlib.compress(np.bitwise_xor(frame, before).tobytes(), 1))
    return packed


def unpack(packed: Packed, shape: tuple[int, int, int]) -> Iterator[np.ndarray]:
    """The frames :func:`pack` packed, each of ``shape``, in order (each a new array)."""
    frame: np.ndarray | None = None
    for data in packed:
        decoded = np.frombuffer(zlib.decompress(data), np.uint8).reshape(shape)
        frame = decoded.copy() if frame is None else np.bitwise_xor(frame, decoded)
        yield frame


def _forget(name: str) -> None:
    """Close the drawers of job ``name`` on this worker."""
    with DRAWING:
        for thread in [thread for thread, (held, _) in _drawers.items() if held == name]:
            _drawers.pop(thread)[1].close()


def _problem(address: str, message: str) -> ScenarioError:
    return ScenarioError(Problem(f"--scheduler {address}", None, "", message))


__all__ = [
    "CONNECT_SECONDS",
    "LOCAL",
    "SCHEDULER_VARIABLE",
    "DaskFrames",
    "as_finished",
    "check_scheduler",
    "client_of",
    "cluster_workers",
    "connect",
    "frames_on",
    "pack",
    "scheduler_address",
    "unpack",
]
