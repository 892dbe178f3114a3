"""Rendering on a Dask cluster (--scheduler): reaching the scheduler, and the same bytes
as a local render."""

from __future__ import annotations

import sys
import time

import pytest

from clusteranim import cluster
from clusteranim.errors import ScenarioError


def test_without_the_extra_the_option_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ScenarioError) as caught:
        cluster.connect("tcp://127.0.0.1:8786")
    assert str(caught.value) == (
        "--scheduler tcp://127.0.0.1:8786: needs the dask extra: pip install 'clusteranim[dask]'"
    )
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("nonsense::x", "invalid address"),
        ("tcp://host.invalid:8786", "Name or service not known"),
        ("tcp://127.0.0.1:9", "Timed out trying to connect"),
    ],
)
def test_an_unreachable_scheduler_is_one_line_within_seconds(
    monkeypatch: pytest.MonkeyPatch, address: str, reason: str
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        cluster.connect(address)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert message.startswith(f"--scheduler {address}: cannot reach the scheduler (")
    assert reason in message
    assert "\n" not in message


def test_the_environment_gives_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERANIM_SCHEDULER", "tcp://a:1")
    assert cluster.scheduler_address(None) == "tcp://a:1"
    assert cluster.scheduler_address("local") == "local"
    monkeypatch.setenv("CLUSTERANIM_SCHEDULER", "")
    assert cluster.scheduler_address(None) is None
