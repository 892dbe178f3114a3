"""Ctrl-C and SIGTERM stop a render within a second, whatever it is doing.

Each test starts a real render in a session of its own, waits for a moment of its work
that shows from outside (its signal handlers installed, worker processes, ffmpeg), sends
the signal and checks the exit code and the time it took, the one line on stderr, that
nothing was left in the output folder and that no process of the render outlived it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

DEADLINE = 1.0  # seconds from the signal to the exit
OUTCOMES = {
    signal.SIGINT: (130, "clusteranim: interrupted"),
    signal.SIGTERM: (143, "clusteranim: terminated"),
}

# Density clouds at 1280x720: about half a second a frame, 49 frames, so that each of
# two workers draws runs of 9 frames (several seconds).
DENSITY: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "blobs", "n_samples": 3000, "centers": 3},
    "algorithm": {"name": "gmm", "k": 3, "init": "random", "max_iter": 12, "tol": 0},
    "style": {"width": 1280, "height": 720, "layers": ["density", "points", "title"]},
    "output": {"fps": 30, "tween": 3},
}
# Smaller frames in runs of 16, so that the first run is in (and the writer open) within
# a few seconds while the next runs take seconds more.
SMALL_DENSITY: dict[str, Any] = {
    **DENSITY,
    "style": {**DENSITY["style"], "width": 640, "height": 360},
    "output": {"fps": 30, "tween": 7},
}
# EM on many points for many iterations: seconds of algorithm before any frame.
LONG_EM: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "blobs", "n_samples": 300_000, "centers": 8},
    "algorithm": {"name": "gmm", "k": 8, "init": "random", "max_iter": 1000, "tol": 0},
    "style": {"width": 320, "height": 240, "layers": ["points"]},
}
# Six quick frames (drawn by workers), then twenty seconds of the last one for ffmpeg
# to encode.
LONG_HOLD: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "blobs", "n_samples": 500, "centers": 3},
    "algorithm": {"name": "gmm", "k": 3, "init": "random", "max_iter": 5, "tol": 0},
    "style": {"width": 1280, "height": 720, "layers": ["points", "title"]},
    "output": {"fps": 30, "hold_last": 20},
}


Start = Callable[[dict[str, Any], str, int], subprocess.Popen[str]]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Start ``clusteranim render`` on a scenario, into ``tmp_path``, in a new session."""
    started: list[subprocess.Popen[str]] = []

    def start(scenario: dict[str, Any], output: str, jobs: int) -> subprocess.Popen[str]:
        path = tmp_path / "scenario.yaml"
        path.write_text(json.dumps(scenario), encoding="utf-8")
        arguments = ["render", str(path), "-o", str(tmp_path / output), "-j", str(jobs), "-q"]
        process = subprocess.Popen(
            [sys.executable, "-m", "clusteranim", *arguments],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:  # a failed test leaves nothing running
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert process.stderr is not None
        process.stderr.close()


def wait_for(process: subprocess.Popen[str], moment: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"the render ended (exit {process.returncode}) before the moment came"
        if moment():
            return
        assert time.monotonic() < deadline, "the moment never came"
        time.sleep(0.01)


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def children(pid: int) -> list[int]:
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process ended
        return []
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the thread ended
            continue
    return found


def workers(pid: int) -> list[int]:
    """The render's worker processes (forked, so with the render's own command line)."""
    return [child for child in children(pid) if command_line(child) == command_line(pid)]


def runs_ffmpeg(pid: int) -> bool:
    return any(b"ffmpeg" in command_line(child) for child in children(pid))


def handles_signals(pid: int) -> bool:
    """Whether the command has installed its handlers (SIGTERM caught, not default)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the process ended
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


def live_processes(session: int) -> list[bytes]:
    """Command lines of the processes of ``session`` still alive (not zombies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(command_line(int(entry.name)))
    return found


def interrupt(process: subprocess.Popen[str], signum: int, folder: Path, *, group: bool = False) -> None:
    """Send ``signum`` (to the whole session, as a terminal's Ctrl-C, if ``group``) and
    check how the render stops."""
    sent = time.monotonic()
    if group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    code = process.wait(timeout=30)
    elapsed = time.monotonic() - sent
    expected_code, message = OUTCOMES[signal.Signals(signum)]
    assert code == expected_code and elapsed < DEADLINE, f"exit {code} after {elapsed:.2f} s"
    assert process.stderr is not None
    assert process.stderr.read().splitlines() == [message]
    assert sorted(path.name for path in folder.iterdir()) == ["scenario.yaml"]
    deadline = time.monotonic() + 2  # the resource tracker leaves when it sees the render gone
    while left := live_processes(process.pid):
        assert time.monotonic() < deadline, f"processes outlived the render: {left}"
        time.sleep(0.02)


def test_interrupted_while_the_algorithm_runs(start: Start, tmp_path: Path) -> None:
    process = start(LONG_EM, "out.gif", 2)
    wait_for(process, lambda: handles_signals(process.pid))
    time.sleep(1.5)  # past loading the scenario and the data
    assert not children(process.pid), "the algorithm was over already"
    interrupt(process, signal.SIGINT, tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stopped_while_workers_draw(start: Start, tmp_path: Path, signum: int) -> None:
    # The workers are building their scenes and drawing their first runs.
    process = start(DENSITY, "out.gif", 2)
    wait_for(process, lambda: len(workers(process.pid)) == 2)
    time.sleep(0.5)
    interrupt(process, signum, tmp_path)


def test_ctrl_c_while_frames_stream_to_ffmpeg(start: Start, tmp_path: Path) -> None:
    # Ctrl-C at a terminal signals every process of the job: the workers ignore it,
    # ffmpeg stops on it, the render cleans up.
    process = start(SMALL_DENSITY, "out.mp4", 2)
    wait_for(process, lambda: runs_ffmpeg(process.pid))
    time.sleep(0.2)
    assert workers(process.pid), "the drawing was over already"
    interrupt(process, signal.SIGINT, tmp_path, group=True)


def test_terminated_while_ffmpeg_encodes_the_end(start: Start, tmp_path: Path) -> None:
    process = start(LONG_HOLD, "out.mp4", 2)
    wait_for(process, lambda: runs_ffmpeg(process.pid))  # the first frame is in
    wait_for(process, lambda: not workers(process.pid))  # and the last
    time.sleep(0.3)
    interrupt(process, signal.SIGTERM, tmp_path)


def test_interrupted_while_drawing_in_one_process(start: Start, tmp_path: Path) -> None:
    process = start(DENSITY, "out.mp4", 1)
    wait_for(process, lambda: runs_ffmpeg(process.pid))  # the first frame is in
    time.sleep(0.3)
    interrupt(process, signal.SIGINT, tmp_path)


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_does_not_break_off_the_clean_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: int
) -> None:
    # Ctrl-C pressed twice, or SIGTERM after it: the first decides the exit, the second
    # must not stop the partial output from being removed.
    from click.testing import CliRunner

    from clusteranim.cli import main
    from clusteranim.scene import figure
    from clusteranim.writers import base

    draw, remove = figure.Scene.draw, base._remove
    calls = {"draw": 0, "remove": 0}

    def interrupted_draw(self: figure.Scene, frame: Any, out: Any = None, part: Any = None) -> Any:
        calls["draw"] += 1
        if calls["draw"] == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return draw(self, frame, out, part)

    def interrupted_remove(path: Path) -> None:
        calls["remove"] += 1
        os.kill(os.getpid(), second)
        remove(path)

    monkeypatch.setattr(figure.Scene, "draw", interrupted_draw)
    monkeypatch.setattr(base, "_remove", interrupted_remove)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(json.dumps({**LONG_HOLD, "style": {"width": 160, "height": 120}}), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(scenario), "-o", str(tmp_path / "out.gif"), "-j", "1"])
    assert calls == {"draw": 3, "remove": 1}
    assert result.exit_code == 130, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["scenario.yaml"]


@pytest.mark.parametrize("group", [False, True], ids=["to-batch", "to-session"])
def test_a_batch_stops_at_once(tmp_path: Path, group: bool) -> None:
    # Each scenario is a render of seconds in a worker process of the batch: on Ctrl-C
    # the renders under way remove their partial files and no further one starts.
    scenarios = []
    for index in range(4):
        path = tmp_path / f"s{index}.yaml"
        path.write_text(json.dumps({**DENSITY, "output": {**DENSITY["output"], "path": f"s{index}.gif"}}))
        scenarios.append(str(path))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "clusteranim", "batch", *scenarios, "-j", "2", "--out-dir", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        start_new_session=True,
    )
    try:
        wait_for(process, lambda: len(workers(process.pid)) == 2)
        wait_for(process, lambda: any(out.glob(".*.part")))  # a render is writing
        sent = time.monotonic()
        if group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        elapsed = time.monotonic() - sent
        assert code == 130 and elapsed < DEADLINE, f"exit {code} after {elapsed:.2f} s"
        assert process.stderr is not None
        assert process.stderr.read().splitlines() == ["clusteranim: interrupted"]
        assert list(out.iterdir()) == []
        deadline = time.monotonic() + 2
        while left := live_processes(process.pid):
            assert time.monotonic() < deadline, f"processes outlived the batch: {left}"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert process.stderr is not None
        process.stderr.close()
