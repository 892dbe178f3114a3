"""Rendering on a Dask cluster (--scheduler): reaching the scheduler, and the same bytes
as a local render."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import clusteranim
from clusteranim import cluster
from clusteranim.errors import ScenarioError
from tests.conftest import run_cli


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


SMALL: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "gaussian_mixture", "n_samples": 240},
    "algorithm": {"name": "gmm", "k": 3, "max_iter": 6, "tol": 0},
    "style": {"width": 240, "height": 200, "layers": ["regions", "points", "ellipses", "centroids", "title"]},
    "output": {"fps": 10, "tween": 4},
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A cluster of two worker processes, one thread each, started here."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local, set_as_default=False) as connected,
    ):
        yield connected


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("a.gif", {}),
        ("a.mp4", {}),
        ("a.html", {"output.toggle_layers": ["points", "ellipses"]}),  # each frame in parts
    ],
)
def test_a_render_on_the_cluster_is_the_local_render(
    client: Any, tmp_path: Path, name: str, overrides: dict[str, Any]
) -> None:
    local = clusteranim.render(SMALL, output=tmp_path / "local" / name, jobs=1, **overrides)
    remote = clusteranim.render(SMALL, output=tmp_path / "dask" / name, scheduler=client, **overrides)
    assert remote.frames == local.frames > 20
    assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert sorted(path.name for path in (tmp_path / "dask").iterdir()) == [name]


def test_panels_on_the_cluster_are_the_local_panels(client: Any, tmp_path: Path) -> None:
    scenario = {
        **SMALL,
        "style": {**SMALL["style"], "width": 360},
        "sweep": {"key": "algorithm.k", "values": [2, 3]},
    }
    clusteranim.render(scenario, output=tmp_path / "local.gif", jobs=2)
    clusteranim.render(scenario, output=tmp_path / "dask.gif", scheduler=client)
    assert (tmp_path / "dask.gif").read_bytes() == (tmp_path / "local.gif").read_bytes()


def test_a_failed_frame_on_the_cluster_leaves_no_output(client: Any, tmp_path: Path) -> None:
    def breaking(broken: bool) -> None:  # run on each worker, pickled by value
        from clusteranim.scene import figure

        if not hasattr(figure.Scene, "unbroken_draw"):
            figure.Scene.unbroken_draw = figure.Scene.draw  # type: ignore[attr-defined]

        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("boom")

        figure.Scene.draw = fail if broken else figure.Scene.unbroken_draw  # type: ignore[method-assign]

    target = tmp_path / "a.gif"
    target.write_bytes(b"previous")
    client.run(breaking, True)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            clusteranim.render(SMALL, output=target, scheduler=client)
    finally:
        client.run(breaking, False)
    assert target.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["a.gif"]


def test_the_command_line_renders_on_a_local_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(SMALL), encoding="utf-8")
    here = run_cli("render", str(scenario), "-o", str(tmp_path / "here.gif"), "-j", "1", "-q")
    there = run_cli("render", str(scenario), "-o", str(tmp_path / "there.gif"), "--scheduler", "local", "-q")
    assert (here.returncode, there.returncode, there.stderr) == (0, 0, "")
    assert (tmp_path / "there.gif").read_bytes() == (tmp_path / "here.gif").read_bytes()


def test_the_command_line_reports_an_unreachable_scheduler(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(SMALL), encoding="utf-8")
    started = time.perf_counter()
    result = run_cli(
        "render", str(scenario), "-o", str(tmp_path / "a.gif"), "--scheduler", "tcp://127.0.0.1:9"
    )
    assert time.perf_counter() - started < 15
    assert result.returncode == 2
    assert result.stderr.startswith("--scheduler tcp://127.0.0.1:9: cannot reach the scheduler (Timed out")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "a.gif").exists()


def test_the_environment_variable_sends_the_render_to_the_scheduler(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(SMALL), encoding="utf-8")
    env = {**os.environ, "CLUSTERANIM_SCHEDULER": "nonsense::x"}
    result = subprocess.run(
        [sys.executable, "-m", "clusteranim", "render", str(scenario), "-o", str(tmp_path / "a.gif")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("--scheduler nonsense::x: ")
    assert result.stderr.count("\n") == 1


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(SMALL), encoding="utf-8")
    code = (
        "import sys; sys.modules['distributed'] = None; from clusteranim.cli import run;"
        f" sys.argv = ['clusteranim', 'render', {str(scenario)!r}, '--scheduler', 'local']; run()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "--scheduler local: needs the dask extra: pip install 'clusteranim[dask]'\n"


def test_a_server_that_is_no_scheduler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Something else listens there (a web server): distributed reads its answer as a
    message length of exabytes; that too is one line, exit 2."""
    import socket
    import threading

    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:  # every connection gets an HTTP error page, then is closed
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 8)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with pytest.raises(ScenarioError) as caught:
            cluster.connect(address)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    message = str(caught.value)
    assert message.startswith(f"--scheduler {address}: cannot reach the scheduler")
    assert "\n" not in message and caught.value.exit_code == 2
