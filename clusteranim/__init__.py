"""clusteranim: animations of clustering algorithms from a YAML scenario.

The public API is imported lazily so that ``clusteranim --help`` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from clusteranim.errors import RenderError, ScenarioError
    from clusteranim.pipeline import render, run
    from clusteranim.result import RenderResult
    from clusteranim.scenario import Scenario, load_scenario, register
    from clusteranim.trace import Trace

_EXPORTS = {
    "ScenarioError": "clusteranim.errors",
    "RenderError": "clusteranim.errors",
    "load_scenario": "clusteranim.scenario",
    "Scenario": "clusteranim.scenario",
    "register": "clusteranim.scenario",
    "run": "clusteranim.pipeline",
    "render": "clusteranim.pipeline",
    "RenderResult": "clusteranim.result",
    "Trace": "clusteranim.trace",
}

__all__ = [
    "RenderError",
    "RenderResult",
    "Scenario",
    "ScenarioError",
    "Trace",
    "__version__",
    "load_scenario",
    "register",
    "render",
    "run",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'clusteranim' has no attribute {name!r}")
