"""The library API, as a notebook would use it."""

from __future__ import annotations

from pathlib import Path

import pytest

import clusteranim
from clusteranim.errors import ScenarioError


def test_render_returns_the_summary_fields(tmp_path: Path) -> None:
    scenario = {
        "seed": 2,
        "data": {"n_samples": 90, "centers": 3},
        "algorithm": {"k": 3},
        "style": {"width": 200, "height": 160},
    }
    result = clusteranim.render(
        scenario, output=tmp_path / "api.gif", algorithm__max_iter=2, **{"output.fps": 5}
    )
    assert result.frames == result.n_iter + 1 <= 3
    assert (result.width, result.height) == (200, 160)
    assert result.bytes == (tmp_path / "api.gif").stat().st_size
    assert result.to_dict()["format"] == "gif"


def test_render_reports_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"algorithm\.k: must be >= 1, got 0"):
        clusteranim.render({"algorithm": {"k": 0}}, output=tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()


def test_run_returns_a_trace_without_drawing() -> None:
    scenario = clusteranim.load_scenario({"data": {"n_samples": 50}, "algorithm": {"k": 2}})
    trace = clusteranim.run(scenario)
    assert trace.centers.shape == (trace.n_iter + 1, 2, 2)
    assert trace.objective.shape == (trace.n_iter + 1,)
