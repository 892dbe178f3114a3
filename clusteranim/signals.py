"""SIGINT and SIGTERM during a command: both unwind as exceptions (KeyboardInterrupt,
Terminated), so that partial output is removed on the way out."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from clusteranim.errors import Terminated

Handler = Callable[[int, Any], Any] | int | None


def catch_signals() -> dict[int, Handler]:
    """Turn SIGINT and SIGTERM into exceptions; return the handlers they replace."""
    _received.clear()
    return {number: signal.signal(number, _on_signal) for number in (signal.SIGINT, signal.SIGTERM)}


def restore_signals(previous: dict[int, Handler]) -> None:
    """Put back the handlers :func:`catch_signals` replaced."""
    for number, handler in previous.items():
        signal.signal(number, handler)


_received: list[int] = []  # the signals received during the current command


def _on_signal(signum: int, frame: object) -> None:
    _received.append(signum)
    if not _unwinding():
        _raise_for(signum)


def _unwinding() -> bool:
    """Whether the exception of an earlier signal is on its way out.

    A second Ctrl-C (or a SIGTERM after it) then only adds to ``_received``: raised, it
    would break off the clean-up under way (stopping workers, removing partial files).
    """
    error = sys.exc_info()[1]
    while error is not None:
        if isinstance(error, (KeyboardInterrupt, Terminated)):
            return True
        error = error.__context__
    return False


def _raise_for(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


def check_signals() -> None:
    """Raise again for a signal already received.

    The handler's exception is raised in whatever Python code runs when the signal
    arrives, and CPython drops an exception raised inside a finalizer (``__del__``, a
    weakref callback run by a garbage collection); checked after every frame, such a
    lost interrupt still stops the render.
    """
    if _received:
        _raise_for(_received[-1])
