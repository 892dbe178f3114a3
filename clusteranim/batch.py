"""Render many scenarios in parallel processes, going on past failures."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusteranim.errors import ClusteranimError


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


def _render_one(scenario: str, out_dir: str | None) -> BatchItem:
    from clusteranim.pipeline import render
    from clusteranim.scenario import load_scenario

    started = time.perf_counter()
    try:
        output = None
        if out_dir is not None:
            output = Path(out_dir) / Path(load_scenario(scenario).output.path).name
        result = render(scenario, output=output, jobs=1)
    except ClusteranimError as error:
        return BatchItem(scenario, error.exit_code, str(error))
    except Exception as error:  # a bug: reported, and the batch goes on
        return BatchItem(scenario, 1, f"internal error: {type(error).__name__}: {error}")
    summary = result.to_dict()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BatchItem(scenario, 0, result=summary)


def run_batch(scenarios: list[str], jobs: int, out_dir: str | None = None) -> list[BatchItem]:
    """Render each scenario (one process each at a time, ``jobs`` at once), in order.

    Each scenario is drawn by a single process, so a batch produces the same bytes as
    rendering each scenario alone.
    """
    if jobs <= 1 or len(scenarios) <= 1:
        return [_render_one(scenario, out_dir) for scenario in scenarios]
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_render_one, scenarios, [out_dir] * len(scenarios)))


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
