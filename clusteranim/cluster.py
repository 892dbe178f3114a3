"""Frames drawn on a Dask cluster (``--scheduler``), delivered in order.

Needs the ``dask`` extra (``pip install 'clusteranim[dask]'``) here and on every worker,
with the same version of clusteranim. The scenario, its runs and the plan travel to the
workers as one pickled :class:`~clusteranim.workers.Job`, scattered once per render.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from clusteranim.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from distributed import Client

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
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, set_as_default=False
        )
    try:
        # First: a malformed or unknown address fails at once, and leaves no half-made
        # client behind.
        resolve_address(address)
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError) as error:
        raise _problem(address, f"cannot reach the scheduler ({error})") from None


def _problem(address: str, message: str) -> ScenarioError:
    return ScenarioError(Problem(f"--scheduler {address}", None, "", message))


__all__ = ["CONNECT_SECONDS", "LOCAL", "SCHEDULER_VARIABLE", "connect", "scheduler_address"]
