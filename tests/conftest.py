"""Shared fixtures: the Agg backend, a seeded generator, scenario files and CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
# Every layer that draws the data and the model, for scenes that must survive odd data.
ALL_LAYERS: list[Any] = [
    "regions",
    "density",
    {"points": {"color_by": "responsibility"}},
    "ellipses",
    "centroids",
    "title",
]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario (YAML text, dedented) into the test's folder and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m clusteranim`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "clusteranim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )


def without_opening(fifo: Path, call: Callable[[], str]) -> str:
    """What ``call`` returns, failing the test if it blocks opening the FIFO ``fifo``
    (a writer is then opened to release it)."""
    results: list[str] = []
    reader = threading.Thread(target=lambda: results.append(call()))
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():
        with open(fifo, "wb"):
            pass
        reader.join()
        pytest.fail("the FIFO was opened")
    return results[0]
