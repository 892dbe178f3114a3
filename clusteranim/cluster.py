"""Work on a Dask cluster (``--scheduler``): a render's frames, drawn by the workers and
delivered here in order (:class:`DaskFrames`), and any tasks handed back as they finish
(:func:`as_finished`, a batch's scenarios).

Needs the ``dask`` extra (``pip install 'clusteranim[dask]'``) here and on every worker,
with the same version of clusteranim. A render's scenario, runs and plan travel as one
pickled :class:`~clusteranim.workers.Job`, sent once per render as a task of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import socket
import threading
import uuid
import warnings
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any

import numpy as np

from clusteranim.drawing import Drawer, drawer_of
from clusteranim.errors import Problem, RenderError, ScenarioError
from clusteranim.workers import Job, draw_range, frame_runs, run_length

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
    if option is not None:
        return option or None
    address = os.environ.get(SCHEDULER_VARIABLE) or None
    if address is not None:
        _from_environment.add(address)  # its messages name the variable
    return address


# Addresses that came from the environment, not from --scheduler.
_from_environment: set[str] = set()


def _named(address: str) -> str:
    """How a message names the scheduler: as the user gave it."""
    if address in _from_environment:
        return f"{SCHEDULER_VARIABLE}={address}"
    return f"--scheduler {address}"


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
                silence_logs=logging.CRITICAL,  # a worker restarted, a task cancelled: not news
                set_as_default=False,
            )
    try:
        # First: a malformed or unknown address fails at once, and leaves no half-made
        # client behind.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (ucx://: a deprecation, before the error)
            resolve_address(address)
    except (OSError, ValueError) as error:
        raise _problem(address, f"cannot reach the scheduler ({_one_line(error)})") from None
    except Exception as error:
        raise _problem(address, f"is not an address of a Dask scheduler ({_one_line(error)})") from None
    return _connected(address)


def _connected(address: str) -> Client:
    """A client of the scheduler at a well-formed ``address``, within
    :data:`CONNECT_SECONDS` (or so): distributed's own timeout covers opening the
    connection but not the scheduler's answer, which a server that accepts and stays
    silent never sends; the client is made in a thread waited for that long."""
    from distributed import Client

    made: list[Client | BaseException] = []

    def make() -> None:
        try:
            made.append(Client(address, timeout=CONNECT_SECONDS, set_as_default=False))
        except BaseException as error:  # handed to the caller
            made.append(error)

    thread = threading.Thread(target=make, name="clusteranim-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS + 2)
    if not made:
        raise _problem(address, f"cannot reach the scheduler (no answer within {CONNECT_SECONDS} s)")
    [outcome] = made
    if isinstance(outcome, (OSError, ValueError)):
        raise _problem(address, f"cannot reach the scheduler ({_one_line(outcome)})")
    if isinstance(outcome, Exception):  # something else answers there: distributed reads garbage
        reason = _one_line(f"{type(outcome).__name__}: {outcome}")
        raise _problem(address, f"cannot reach the scheduler: no Dask scheduler answers there ({reason})")
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _address_of(client: Client) -> str:
    return str(client.scheduler_info().get("address", ""))


def _one_line(error: object, limit: int = 160) -> str:
    """An error's text on one line, cut at a word near ``limit`` characters."""
    text = " ".join(str(error).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def check_scheduler(address: str | None) -> None:
    """What ``--scheduler`` checks before any work (``validate`` checks it so): the extra
    is installed, the scheduler answers and has a worker (connected to, then left;
    ``local`` is not started).

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
    client = connect(address)
    try:
        cluster_workers(client, address)
    finally:
        client.close()


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
        yield scheduler, _address_of(scheduler)
        return
    client = connect(scheduler)
    try:
        # (``local``: the address of the cluster started, for --json)
        yield client, _address_of(client) if scheduler == LOCAL else scheduler
    finally:
        client.close()


@contextlib.contextmanager
def frames_on(scheduler: str | Client) -> Iterator[DaskFrames]:
    """The frame executor of a cluster: of the scheduler at this address (connected
    here, closed after), or of this client (left open)."""
    with client_of(scheduler) as (client, address):
        yield DaskFrames(client, address)


def as_finished(
    client: Client,
    address: str,
    function: Callable[[Any], Any],
    arguments: Iterable[tuple[int, Any]],
    window: int,
    poll: float = 0.5,
) -> Generator[tuple[int, Any] | None, None, None]:
    """Run ``function(argument)`` as a task of the cluster for each numbered argument,
    ``window`` tasks at a time; yield ``(number, result)`` as each task finishes
    (``(number, exception)`` for a task that failed), and None every ``poll`` seconds
    of waiting. Work the cluster lost (the scheduler gone, a task whose workers died
    again and again) is a :class:`RenderError` naming the scheduler at ``address``.

    The arguments are taken (and sent) only as the window has room, so that the
    scheduler holds a few of them at a time. A task lost with its worker is run again by
    Dask on another. When the generator is closed or an exception (Ctrl-C) reaches it,
    the tasks not yet done are cancelled.
    """
    name = f"clusteranim-{uuid.uuid4().hex}"
    pending: dict[Future[Any], int] = {}
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    waiting = iter(arguments)

    def submit() -> tuple[int, Any] | None:
        """Send the next argument's task, if any; what became of it if it could not be
        sent (the scheduler gone)."""
        entry = next(waiting, None)
        if entry is None:
            return None
        number, argument = entry
        try:
            future = _submit(client, f"{name}-{number}", function, argument)
        except Exception as error:  # the client closed, having lost the scheduler
            return number, lost(client, address, error)
        pending[future] = number
        future.add_done_callback(finished.put)
        return None

    try:
        for _ in range(max(1, window)):
            yield submit()
        while True:
            if not pending:  # each argument left is sent now (or fails, the scheduler gone)
                unsent = submit()
                if unsent is None and not pending:
                    return  # all done
                yield unsent
                continue
            try:
                future = finished.get(timeout=poll)
            except queue.Empty:
                yield None
                continue
            number = pending.pop(future)
            try:
                outcome = _result(future, client, address)
            except Exception as error:
                outcome = error
            future.release()  # the worker may forget the result
            yield number, outcome
            yield submit()
    finally:
        with contextlib.suppress(Exception):  # (the scheduler may be gone)
            client.cancel(list(pending))


def cluster_threads(client: Client) -> int:
    """The worker threads of the cluster now (at least 1)."""
    return max(1, int(sum(client.nthreads().values())))


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

    The job is sent to the cluster once (a worker fetches it from another); each worker
    thread builds the job's drawer on its first task and keeps it for the next ones
    (until the render ends). A task lost with its worker is run again elsewhere. When
    the frames stop early (Ctrl-C, a failure, the consumer gone), the tasks not yet done
    are cancelled.
    """

    def __init__(self, client: Client, address: str = "") -> None:
        self.client = client
        self.address = address or _address_of(client)

    @property
    def scheduler(self) -> str:
        return self.address

    def workers(self, job: Job) -> int:
        """The workers of the cluster (the scheduler spreads the tasks over them)."""
        return max(1, len(self.client.nthreads()))

    def threads(self) -> int:
        """The worker threads of the cluster (see :func:`cluster_workers`)."""
        cluster_workers(self.client, self.address)
        return cluster_threads(self.client)

    def frames(self, job: Job) -> Generator[np.ndarray, None, None]:
        client = self.client
        threads = self.threads()
        runs = frame_runs(job, run_length(len(job.schedule), threads))
        name = f"clusteranim-{uuid.uuid4().hex}"
        # The job is a task (not data scattered to the workers): the scheduler holds it,
        # and makes it again on another worker when every worker that had it is gone.
        shared = _submit(client, f"{name}-job", _same, job)
        pending: deque[Future[np.ndarray | Packed]] = deque()
        queue = iter(runs)

        def submit() -> None:
            run = next(queue, None)
            if run is not None:
                part, start, stop = run
                key = f"{name}-{part}-{start}"
                pending.append(_submit(client, key, _draw_task, name, shared, part, start, stop, HOST))

        try:
            for _ in range(2 * threads):
                submit()
            while pending:
                # Taken off only once drawn: a run that failed stays pending, cancelled.
                drawn: np.ndarray | Packed = _result(pending[0], client, self.address)
                pending.popleft()
                submit()
                yield from (
                    drawn if isinstance(drawn, np.ndarray) else unpack(drawn, (job.height, job.width, 4))
                )
        finally:
            with contextlib.suppress(Exception):  # (the scheduler may be gone)
                client.cancel([*pending, shared])
                # Not waited for: a worker drawing a run lets go of its drawer when done.
                client.run(_forget, name, wait=False)
            pending.clear()


def _submit(client: Client, key: str, function: Callable[..., Any], *arguments: Any) -> Future[Any]:
    """``function(*arguments)`` as a task: the arguments go with it (not scattered to a
    worker first), so that the scheduler holds them and can run the task again when a
    worker dies."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
        return client.submit(function, *arguments, key=key, pure=False)


def _result(future: Future[Any], client: Client, address: str) -> Any:
    """The result of a task.

    Raises
    ------
    RenderError
        When the cluster lost it (see :func:`lost`); the task's own exception otherwise.
    """
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    try:
        return future.result()
    except (CancelledError, CommClosedError, KilledWorker) as error:
        raise lost(client, address, error) from None


def lost(client: Client, address: str, error: BaseException) -> RenderError:
    """The one line for work the cluster lost: the connection to the scheduler, or a
    task whose workers kept dying."""
    from distributed.comm.core import CommClosedError

    gone = isinstance(error, CommClosedError) or getattr(error, "reason", None) == "scheduler-connection-lost"
    if gone or client.status not in ("running", "connecting"):
        return RenderError(f"{_named(address)}: lost the connection to the scheduler")
    return RenderError(f"{_named(address)}: the cluster lost the work ({_one_line(error)})")


def _same(job: Job) -> Job:
    """The job, as a task's result (see :meth:`DaskFrames.frames`)."""
    return job


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
    return ScenarioError(Problem(_named(address), None, "", message))


__all__ = [
    "CONNECT_SECONDS",
    "LOCAL",
    "SCHEDULER_VARIABLE",
    "DaskFrames",
    "as_finished",
    "check_scheduler",
    "client_of",
    "cluster_threads",
    "cluster_workers",
    "connect",
    "frames_on",
    "pack",
    "scheduler_address",
    "unpack",
]
