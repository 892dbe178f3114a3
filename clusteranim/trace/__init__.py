"""Traces: what a clustering went through, recorded, read from a file or built from arrays."""

from __future__ import annotations

from clusteranim.trace.checks import CUSTOM, FORMAT_VERSION, NOISE, TraceArrays, check_arrays, read_trace
from clusteranim.trace.core import Events, Rule, Trace
from clusteranim.trace.record import record, record_direct

__all__ = [
    "CUSTOM",
    "FORMAT_VERSION",
    "NOISE",
    "Events",
    "Rule",
    "Trace",
    "TraceArrays",
    "check_arrays",
    "read_trace",
    "record",
    "record_direct",
]
