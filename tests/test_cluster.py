"""Rendering on a Dask cluster (--scheduler): reaching the scheduler, and the same bytes
as a local render."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def two_workers() -> Iterator[Any]:
    """A client of a new cluster of two worker processes, one thread each, started here."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local, set_as_default=False) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A cluster of two worker processes, shared by the tests that do not harm it."""
    with two_workers() as connected:
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
        with pytest.raises(RuntimeError, match="boom") as caught:
            clusteranim.render(SMALL, output=target, scheduler=client)
        # The failed run, and those after it, are cancelled: the cluster holds none.
        assert caught.traceback
        _wait_for(lambda: not client.run_on_scheduler(_our_tasks), seconds=10)
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
    assert result.stderr.startswith("CLUSTERANIM_SCHEDULER=nonsense::x: cannot reach the scheduler (")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["render", "batch", "validate"])
def test_without_the_extra_the_command_says_how_to_install_it(tmp_path: Path, command: str) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({**SMALL, "output": {"path": str(tmp_path / "a.gif")}}), encoding="utf-8")
    code = (
        "import sys; sys.modules['distributed'] = None; from clusteranim.cli import run;"
        f" sys.argv = ['clusteranim', {command!r}, {str(scenario)!r}, '--scheduler', 'local']; run()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "--scheduler local: needs the dask extra: pip install 'clusteranim[dask]'\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["s.yaml"]


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


# Batches on the cluster: one task per scenario, each output written here.


def _write_scenarios(folder: Path) -> list[str]:
    """Scenarios of every kind of output a batch writes: a GIF with its poster, a video,
    a folder of frames, a player in parts, panels, a CSV read beside the scenario, and
    one that does not load."""
    folder.mkdir()
    (folder / "points.csv").write_text(
        "x,y\n" + "".join(f"{i % 7 * 1.5 + i % 3 * 0.1},{i % 5 * 2.0 - i % 2 * 0.3}\n" for i in range(90)),
        encoding="utf-8",
    )
    scenarios = {
        "gif": {
            **SMALL,
            "output": {**SMALL["output"], "path": "gif.gif", "poster": str(folder / "gif-poster.png")},
        },
        "mp4": {**SMALL, "output": {**SMALL["output"], "path": "mp4.mp4"}},
        "frames": {**SMALL, "output": {"path": "frames/", "tween": 1}},
        "html": {**SMALL, "output": {"path": "html.html", "toggle_layers": ["points", "ellipses"]}},
        "panels": {
            **SMALL,
            "style": {**SMALL["style"], "width": 360},
            "sweep": {"key": "algorithm.k", "values": [2, 3]},
            "output": {"path": "panels.gif"},
        },
        "csv": {
            **SMALL,
            "data": {"generator": "file", "path": "points.csv"},
            "output": {"path": "csv.gif"},
        },
        "broken": {**SMALL, "algorithm": {**SMALL["algorithm"], "k": 0}, "output": {"path": "broken.gif"}},
    }
    paths = []
    for name, scenario in scenarios.items():
        path = folder / f"{name}.yaml"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        paths.append(str(path))
    return paths


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_batch_on_the_cluster_writes_the_local_bytes(client: Any, tmp_path: Path) -> None:
    from clusteranim.batch import run_batch

    scenarios = _write_scenarios(tmp_path / "in")
    local = run_batch(scenarios, 2, str(tmp_path / "local"))
    seen: list[tuple[int, int]] = []
    remote = run_batch(
        scenarios, 1, str(tmp_path / "dask"), scheduler=client, progress=lambda *done: seen.append(done)
    )
    assert [item.exit_code for item in remote] == [item.exit_code for item in local] == [0] * 6 + [2]
    assert remote[-1].error == local[-1].error
    assert "algorithm.k" in remote[-1].error
    written = _files(tmp_path / "dask")
    assert written == _files(tmp_path / "local")
    n_frames = remote[2].result["frames"]
    assert n_frames > 5
    assert sorted(written) == [
        "csv.gif",
        "frames/.clusteranim-frames",  # the mark of a folder the tool wrote
        *(f"frames/frame_{index:04d}.png" for index in range(n_frames)),
        "gif-poster.png",
        "gif.gif",
        "html.html",
        "mp4.mp4",
        "panels.gif",
    ]
    # Nothing else is left in the folder (no temporaries), and the progress counted
    # every scenario.
    assert sorted(path.name for path in (tmp_path / "dask").iterdir()) == sorted(
        path.name for path in (tmp_path / "local").iterdir()
    )
    assert seen[-1] == (7, 7)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    for item in remote[:-1]:
        assert item.result["scheduler"] == client.scheduler.address
        assert item.result["workers"] == 2
        assert item.result["path"] == str(tmp_path / "dask" / Path(item.result["path"]).name)


def test_a_worker_needs_none_of_the_files_of_the_client(tmp_path: Path) -> None:
    """What a worker renders from is read here: the data file can be gone (or on
    another machine) when the task runs."""
    from clusteranim.batch import BatchItem, Where, _render_shipped, _ship

    csv = _write_scenarios(tmp_path / "in")[5]
    clusteranim.render(csv, output=tmp_path / "local.gif", jobs=1)
    shipped = _ship(csv, Where(str(tmp_path / "out.gif")))
    assert not isinstance(shipped, BatchItem)
    (tmp_path / "in" / "points.csv").unlink()
    Path(csv).unlink()
    item, files = _render_shipped(shipped)
    assert item.ok, item.error
    assert not (tmp_path / "out.gif").exists()  # the worker wrote nothing here
    assert files == {"output.path": (tmp_path / "local.gif").read_bytes()}
    assert item.result["bytes"] == len(files["output.path"])
    assert item.result["path"] == str(tmp_path / "out.gif")


def _busy_worker(client: Any, prefix: str = "clusteranim-") -> str | None:
    """A worker executing one of our tasks now, if any."""

    def executing(dask_worker: Any) -> list[str]:
        return [str(key) for key, task in dask_worker.state.tasks.items() if task.state == "executing"]

    for worker, keys in client.run(executing).items():
        if any(key.startswith(prefix) for key in keys):
            return str(worker)
    return None


def _our_tasks(dask_scheduler: Any) -> list[str]:
    """The tasks of ours the scheduler holds (run on the scheduler)."""
    return [str(key) for key in dask_scheduler.tasks if str(key).startswith("clusteranim-")]


def _wait_for(condition: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    pytest.fail("waited in vain")


def test_a_worker_killed_during_a_batch_loses_no_scenario(tmp_path: Path) -> None:
    import signal
    import threading

    from clusteranim.batch import run_batch

    pytest.importorskip("distributed")
    scenarios = _write_scenarios(tmp_path / "in")[:-1]
    local = run_batch(scenarios, 2, str(tmp_path / "local"))
    assert all(item.ok for item in local)
    finished: list[Any] = []
    with two_workers() as connected:
        batch = threading.Thread(
            target=lambda: finished.append(
                run_batch(scenarios, 1, str(tmp_path / "dask"), scheduler=connected)
            )
        )
        batch.start()
        worker = _wait_for(lambda: _busy_worker(connected))
        pid = connected.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)  # mid-task
        batch.join(timeout=180)
        assert not batch.is_alive()
        assert worker not in connected.nthreads()  # it did die (the nanny started another)
    [items] = finished
    assert [item.error for item in items] == [""] * len(scenarios)
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    assert not [path for path in (tmp_path / "dask").iterdir() if path.name.startswith(".")]


def test_interrupting_a_batch_cancels_its_tasks(client: Any, tmp_path: Path) -> None:
    """Ctrl-C (here raised by the progress callback, as the command's does) cancels the
    tasks not yet done: the cluster, still connected, forgets them and writes nothing."""
    from clusteranim.batch import run_batch

    scenarios = _write_scenarios(tmp_path / "in")[:-1]
    # Each scenario of its own output, so that six tasks are in flight at once.
    copies = []
    for number, scenario in enumerate(scenarios):
        copy = tmp_path / "in" / f"copy{number}.yaml"
        text = json.loads(Path(scenario).read_text(encoding="utf-8"))
        copy.write_text(json.dumps(text), encoding="utf-8")
        copies.append(str(copy))

    def interrupt(done: int, total: int) -> None:
        if _busy_worker(client):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        run_batch(copies, 1, str(tmp_path / "out"), scheduler=client, progress=interrupt)
    # (``caught`` keeps the batch's frames, and so its futures, alive: only the
    # cancelling makes the cluster forget the tasks.)

    _wait_for(lambda: not client.run_on_scheduler(_our_tasks), seconds=30)
    time.sleep(1)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert caught.traceback


def test_the_command_line_reports_the_scheduler_and_its_workers(client: Any, tmp_path: Path) -> None:
    address = client.scheduler.address
    scenarios = _write_scenarios(tmp_path / "in")[:2]
    rendered = run_cli(
        "render", scenarios[0], "-o", str(tmp_path / "a.gif"), "--scheduler", address, "--json"
    )
    assert rendered.returncode == 0, rendered.stderr
    summary = json.loads(rendered.stdout)
    assert (summary["scheduler"], summary["workers"]) == (address, 2)
    here = json.loads(
        run_cli("render", scenarios[0], "-o", str(tmp_path / "b.gif"), "-j", "1", "--json").stdout
    )
    assert (here["scheduler"], here["workers"]) == (None, 1)
    batch = run_cli("batch", *scenarios, "--out-dir", str(tmp_path / "out"), "--scheduler", address, "--json")
    assert batch.returncode == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [(line["ok"], line["scheduler"], line["workers"]) for line in lines] == [(True, address, 2)] * 2
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "gif-poster.png",
        "gif.gif",
        "mp4.mp4",
    ]


def test_the_command_line_batch_reports_an_unreachable_scheduler(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    scenarios = _write_scenarios(tmp_path / "in")[:2]
    started = time.perf_counter()
    result = run_cli(
        "batch", *scenarios, "--out-dir", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"
    )
    assert time.perf_counter() - started < 15
    assert result.returncode == 2
    assert result.stderr.startswith("--scheduler tcp://127.0.0.1:9: cannot reach the scheduler (Timed out")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_ctrl_c_stops_a_batch_on_the_cluster(client: Any, tmp_path: Path) -> None:
    import signal

    scenarios = _write_scenarios(tmp_path / "in")[:-1]
    out = str(tmp_path / "out")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clusteranim",
            "batch",
            *scenarios,
            "--out-dir",
            out,
            "--scheduler",
            client.scheduler.address,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: _busy_worker(client))
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "clusteranim: interrupted\n")
    leftovers = list((tmp_path / "out").glob(".*")) if (tmp_path / "out").exists() else []
    assert leftovers == []


def test_a_long_render_on_the_cluster_is_the_local_render(client: Any, tmp_path: Path) -> None:
    """Hundreds of frames: many frame ranges, more than are ever in flight at once."""
    long = {**SMALL, "algorithm": {**SMALL["algorithm"], "max_iter": 20}, "output": {"fps": 24, "tween": 12}}
    local = clusteranim.render(long, output=tmp_path / "local.mp4", jobs=2)
    remote = clusteranim.render(long, output=tmp_path / "dask.mp4", scheduler=client)
    assert remote.frames == local.frames > 200
    assert (remote.scheduler, remote.workers, local.scheduler, local.workers) == (
        client.scheduler.address,
        2,
        None,
        2,
    )
    assert (tmp_path / "dask.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()


def test_frames_drawn_on_another_machine_travel_packed(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers see a client of another name: they pack the frames, and the client
    unpacks them to the same bytes."""
    unpacked: list[int] = []
    original = cluster.unpack

    def counting(packed: Any, shape: tuple[int, int, int]) -> Iterator[Any]:
        unpacked.append(len(packed))
        return original(packed, shape)

    monkeypatch.setattr(cluster, "HOST", "elsewhere.invalid")
    monkeypatch.setattr(cluster, "unpack", counting)
    local = clusteranim.render(SMALL, output=tmp_path / "local.mp4", jobs=1)
    clusteranim.render(SMALL, output=tmp_path / "dask.mp4", scheduler=client)
    assert sum(unpacked) == local.frames
    assert (tmp_path / "dask.mp4").read_bytes() == (tmp_path / "local.mp4").read_bytes()


def test_packing_keeps_every_pixel_and_shrinks_real_frames() -> None:
    import numpy as np

    from clusteranim.pipeline import draw_frames
    from clusteranim.scenario import load_scenario

    scenario = load_scenario({**SMALL, "style": {**SMALL["style"], "width": 640, "height": 480}})
    run = clusteranim.run(scenario)
    from clusteranim.drawing import schedule_of
    from clusteranim.preflight import load_data

    frames = np.stack(
        [
            frame.copy()
            for frame in draw_frames(
                scenario, run, load_data(scenario), schedule_of(scenario, run), [scenario.frame_parts()[0]]
            )
        ][:16]
    )
    packed = cluster.pack(frames)
    assert [frame.tobytes() for frame in cluster.unpack(packed, frames.shape[1:])] == [
        frame.tobytes() for frame in frames
    ]
    assert sum(map(len, packed)) < 0.05 * frames.nbytes
    noise = np.random.default_rng(1).integers(0, 256, (3, 5, 7, 4), dtype=np.uint8)
    assert [frame.tobytes() for frame in cluster.unpack(cluster.pack(noise), (5, 7, 4))] == [
        frame.tobytes() for frame in noise
    ]
    assert cluster.pack(noise[:0]) == []


def test_a_batch_of_the_configs_on_the_cluster_is_the_local_batch(client: Any, tmp_path: Path) -> None:
    """Shipped configs of several kinds (a CSV read beside the scenario, an MP4,
    explain mode, DBSCAN, panels), as users batch them."""
    from clusteranim.batch import run_batch
    from tests.conftest import ROOT

    names = ["04_uniform_twelve", "07_petals_4d", "08_explain_kmeans", "14_dbscan", "18_panels_normalize"]
    scenarios = [str(ROOT / "configs" / f"{name}.yaml") for name in names]
    local = run_batch(scenarios, 2, str(tmp_path / "local"))
    remote = run_batch(scenarios, 1, str(tmp_path / "dask"), scheduler=client)
    assert [item.error for item in remote] == [item.error for item in local] == [""] * len(names)
    written = _files(tmp_path / "dask")
    assert len(written) == len(names)
    assert written == _files(tmp_path / "local")


def test_a_server_that_accepts_and_stays_silent_is_one_line_within_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """distributed's timeout covers opening the connection, not the scheduler's answer."""
    import socket

    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (the backlog), never answers
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    started = time.perf_counter()
    try:
        with pytest.raises(ScenarioError) as caught:
            cluster.connect(address)
    finally:
        listener.close()
    assert time.perf_counter() - started < 6
    assert str(caught.value).startswith(f"--scheduler {address}: cannot reach the scheduler (")
    assert "\n" not in str(caught.value)


def test_validate_refuses_a_scheduler_without_workers_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from clusteranim.cli import main

    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    scenarios = _write_scenarios(tmp_path / "in")[:2]
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty:
        address = empty.scheduler_address
        checked = CliRunner().invoke(main, ["validate", *scenarios, "--scheduler", address])
        rendered = CliRunner().invoke(
            main, ["render", scenarios[0], "-o", str(tmp_path / "a.gif"), "--scheduler", address]
        )
    line = f"--scheduler {address}: the scheduler has no workers (waited 1 s)\n"
    assert (checked.exit_code, checked.stderr) == (2, line)  # once, for both scenarios
    assert (rendered.exit_code, rendered.stderr) == (2, line)
    assert not (tmp_path / "a.gif").exists()


def test_a_render_survives_the_death_of_every_worker(tmp_path: Path) -> None:
    """The job is a task, not data scattered to the workers: when every worker that held
    it dies, the scheduler makes it again on their successors."""
    import signal
    import threading

    pytest.importorskip("distributed")
    long = {**SMALL, "algorithm": {**SMALL["algorithm"], "max_iter": 12}, "output": {"fps": 24, "tween": 8}}
    clusteranim.render(long, output=tmp_path / "local.gif", jobs=1)
    errors: list[BaseException] = []
    with two_workers() as connected:

        def render() -> None:
            try:
                clusteranim.render(long, output=tmp_path / "dask.gif", scheduler=connected)
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=render)
        thread.start()
        _wait_for(lambda: _busy_worker(connected))
        for pid in connected.run(os.getpid).values():
            os.kill(pid, signal.SIGKILL)
        thread.join(timeout=180)
        assert not thread.is_alive()
    assert errors == []
    assert (tmp_path / "dask.gif").read_bytes() == (tmp_path / "local.gif").read_bytes()


def test_a_batch_writes_the_poster_before_the_animation_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poster that cannot be written leaves the old animation too, and the line names
    the poster (not its temporary)."""
    from clusteranim.batch import _save
    from clusteranim.errors import RenderError
    from clusteranim.writers.targets import Target

    animation, poster = tmp_path / "a.gif", tmp_path / "a.png"
    animation.write_bytes(b"old animation")
    poster.write_bytes(b"old poster")
    planned = [Target("output.path", str(animation)), Target("output.poster", str(poster))]
    real = Path.write_bytes

    def failing(path: Path, data: bytes) -> int:
        if path.name.startswith(".a.png."):
            raise OSError(27, "File too large")
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(RenderError) as caught:
        _save(planned, {"output.path": b"new animation", "output.poster": b"new poster"})
    assert str(caught.value) == f"{poster}: cannot write (File too large)"
    monkeypatch.undo()
    assert (animation.read_bytes(), poster.read_bytes()) == (b"old animation", b"old poster")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.gif", "a.png"]
    _save(planned, {"output.path": b"new animation", "output.poster": b"new poster"})
    assert (animation.read_bytes(), poster.read_bytes()) == (b"new animation", b"new poster")


def test_work_lost_with_the_scheduler_is_one_line_a_scenario() -> None:
    """The scheduler gone (here: the client closed, as distributed closes it once it
    gives up reconnecting): every task not yet done is one line naming the scheduler
    (and a batch goes on to its table)."""
    from clusteranim.errors import RenderError

    distributed = pytest.importorskip("distributed")
    from distributed.client import FutureCancelledError

    address = "tcp://127.0.0.1:1"
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as here:
        connected = distributed.Client(here, set_as_default=False)
        connected.close()
        line = f"--scheduler {address}: lost the connection to the scheduler"
        assert str(cluster.lost(connected, address, RuntimeError("x"))) == line
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as here:
        connected = distributed.Client(here, set_as_default=False)
        gone = FutureCancelledError("k", "scheduler-connection-lost")
        assert isinstance(cluster.lost(connected, address, gone), RenderError)
        assert str(cluster.lost(connected, address, gone)) == line
        killed = cluster.lost(connected, address, RuntimeError("its workers died\nagain and again"))
        assert (
            str(killed)
            == f"--scheduler {address}: the cluster lost the work (its workers died again and again)"
        )
        here.close()  # the scheduler goes; the client's calls fail from now on
        connected.close()
        finished = [
            each
            for each in cluster.as_finished(connected, address, len, [(0, "a"), (1, "b"), (2, "c")], window=2)
            if each is not None
        ]
    assert [(number, str(outcome)) for number, outcome in finished] == [(0, line), (1, line), (2, line)]


@pytest.mark.parametrize("where", ["here", "cluster"])
def test_paths_chosen_by_out_dir_are_named_by_it(client: Any, tmp_path: Path, where: str) -> None:
    """The loader names the paths --out-dir chose by the options that carry them
    (--output, --poster); the user typed --out-dir, for many scenarios: the line names
    both."""
    scenarios = _write_scenarios(tmp_path / "in")[:1]
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    options = ["--scheduler", client.scheduler.address] if where == "cluster" else ["-j", "1"]
    result = run_cli("batch", *scenarios, "--out-dir", str(blocked), *options)
    assert result.returncode == 2
    named = f"{scenarios[0]} with --out-dir {blocked}"
    assert result.stderr.splitlines() == [
        f"{named}: output.path: cannot create its folder: {blocked} is a file",
        f"{named}: output.poster: cannot create its folder: {blocked} is a file",
    ]
    assert blocked.read_text(encoding="utf-8") == "not a folder"
