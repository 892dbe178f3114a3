"""The command line, through click's runner and as a real process."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from clusteranim.cli import main
from tests.conftest import run_cli

Write = Callable[..., Path]

SMALL = """
seed: 3
data: {generator: blobs, n_samples: 120, centers: 3, cluster_std: 1.0}
algorithm: {name: kmeans, k: 3, max_iter: 15}
style: {width: 320, height: 240}
output: {path: out/small.gif, fps: 4, hold_last: 0.5}
"""


def gif_frames(path: Path) -> list[Image.Image]:
    with Image.open(path) as image:
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(image.convert("RGB"))
        return frames


def frames_durations(path: Path) -> list[int]:
    """Each GIF frame's delay in milliseconds."""
    with Image.open(path) as image:
        durations = []
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(int(image.info["duration"]))
        return durations


def test_render_json_describes_the_gif_it_wrote(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario(SMALL)
    target = tmp_path / "a.gif"
    result = CliRunner().invoke(main, ["render", str(scenario), "-o", str(target), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    frames = gif_frames(target)
    assert summary["frames"] == len(frames) == summary["n_iter"] + 1
    assert (summary["width"], summary["height"]) == frames[0].size == (320, 240)
    assert summary["bytes"] == target.stat().st_size
    assert summary["path"] == str(target) and summary["format"] == "gif"
    assert summary["steps"] == summary["n_iter"] + 1  # a step per state, without explain mode
    assert summary["duration"] == pytest.approx(sum(frames_durations(target)) / 1000, abs=0.01)
    assert set(summary) == {
        "path",
        "format",
        "frames",
        "steps",
        "duration",
        "width",
        "height",
        "bytes",
        "n_iter",
        "converged",
        "objective",
        "seconds",
        "scheduler",
        "workers",
    }
    assert summary["scheduler"] is None  # drawn on this machine
    assert 1 <= summary["workers"] <= os.cpu_count()


def test_set_k_is_reflected_in_output_and_json(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario(SMALL)
    target = tmp_path / "k.gif"
    runner = CliRunner()
    result = runner.invoke(
        main, ["render", str(scenario), "-o", str(target), "--json", "--set", "algorithm.k=5"]
    )
    assert result.exit_code == 0, result.output
    trace_path = tmp_path / "k.npz"
    traced = runner.invoke(main, ["trace", str(scenario), "-o", str(trace_path), "--set", "algorithm.k=5"])
    assert traced.exit_code == 0, traced.output
    import numpy as np

    with np.load(trace_path) as arrays:
        assert arrays["centers"].shape[1] == 5
        assert json.loads(result.stdout)["n_iter"] == int(arrays["n_iter"])
        assert json.loads(result.stdout)["objective"] == pytest.approx(float(arrays["objective"][-1]))


def test_invalid_k_exits_2_without_traceback_or_file(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario("seed: 1\nalgorithm: {k: 0}\noutput: {path: out/never.gif}\n")
    for command in (["validate", str(scenario)], ["render", str(scenario)]):
        process = run_cli(*command, cwd=tmp_path)
        assert process.returncode == 2
        assert process.stderr == f"{scenario}:2: algorithm.k: must be >= 1, got 0\n"
        assert "Traceback" not in process.stderr
    assert not (tmp_path / "out").exists()


def test_misspelt_section_gets_a_hint(write_scenario: Write) -> None:
    scenario = write_scenario("algoritm: {k: 2}\n")
    result = CliRunner().invoke(main, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "algoritm: unknown key; did you mean 'algorithm'?" in result.stderr


def test_default_output_is_relative_to_the_working_directory(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario(SMALL)
    workdir = tmp_path / "work"
    workdir.mkdir()
    process = run_cli("render", str(scenario), "--quiet", cwd=workdir)
    assert process.returncode == 0, process.stderr
    assert process.stdout == process.stderr == ""
    assert (workdir / "out" / "small.gif").is_file()


def test_render_prints_a_summary_line(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario(SMALL)
    process = run_cli("render", str(scenario), "-o", str(tmp_path / "s.gif"))
    assert process.returncode == 0
    assert process.stdout.startswith(f"wrote {tmp_path / 's.gif'} (gif, ")
    assert process.stderr == ""  # no progress bar when stderr is not a terminal


def test_debug_shows_the_traceback(write_scenario: Write) -> None:
    scenario = write_scenario("algorithm: {k: 0}\n")
    process = run_cli("validate", str(scenario), "--debug")
    assert process.returncode != 0
    assert "Traceback" in process.stderr and "ScenarioError" in process.stderr


def test_k_larger_than_the_data_is_a_scenario_error(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario("data: {n_samples: 5}\nalgorithm:\n  k: 6\n")
    process = run_cli("render", str(scenario), "-o", str(tmp_path / "x.gif"))
    assert process.returncode == 2
    assert process.stderr == f"{scenario}:3: algorithm.k: must be at most the number of points (5), got 6\n"
    assert list(tmp_path.glob("*.gif")) == []


def test_version_help_schema_and_list() -> None:
    runner = CliRunner()
    from clusteranim import __version__

    assert runner.invoke(main, ["--version"]).stdout.strip() == f"clusteranim, version {__version__}"
    assert "render" in runner.invoke(main, ["--help"]).stdout
    schema = json.loads(runner.invoke(main, ["schema"]).stdout)
    assert schema["title"] == "clusteranim scenario"
    listing = runner.invoke(main, ["list", "generators"]).stdout
    assert "blobs:" in listing and "n_samples = 300" in listing and "cluster_std = 1.0" in listing
    everything = runner.invoke(main, ["list"]).stdout
    for section in ("generators:", "algorithms:", "layers:", "formats:"):
        assert section in everything
    algorithms = runner.invoke(main, ["list", "algorithms"]).stdout
    assert "(objective: inertia (lower is better); states: centers; assignments: hard)" in algorithms
    assert "mean log-likelihood (higher is better); states: centers, weights, covariances;" in algorithms


def test_help_imports_no_heavy_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from clusteranim.cli import main;"
        " CliRunner().invoke(main, ['render', '--help']);"
        " print(sorted(m for m in ('numpy', 'matplotlib', 'pydantic', 'PIL', 'yaml') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "[]"


def test_library_never_imports_pyplot(write_scenario: Write, tmp_path: Path) -> None:
    import subprocess
    import sys

    scenario = write_scenario(SMALL)
    code = (
        "import sys, clusteranim;"
        f" clusteranim.render({str(scenario)!r}, output={str(tmp_path / 'p.gif')!r});"
        " print('matplotlib.pyplot' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def test_trace_export_has_the_contract_keys(write_scenario: Write, tmp_path: Path) -> None:
    import numpy as np

    scenario = write_scenario(
        """
        seed: 4
        data: {n_samples: 150, centers: 3}
        algorithm: {name: gmm, k: 3, covariance_type: diag, max_iter: 6, tol: 0}
        """
    )
    target = tmp_path / "t.npz"
    process = run_cli("trace", str(scenario), "-o", str(target))
    assert process.returncode == 0, process.stderr
    with np.load(target) as arrays:
        assert set(arrays.files) == {
            "format_version",
            "algorithm",
            "display_name",
            "objective_name",
            "X",
            "centers",
            "labels",
            "objective",
            "weights",
            "covariances",
            "n_iter",
            "converged",
        }
        assert int(arrays["n_iter"]) == 6 and not bool(arrays["converged"])
        assert arrays["centers"].shape == (7, 3, 2) and arrays["covariances"].shape == (7, 3, 2, 2)
        assert arrays["labels"].shape == (7, 150)
        assert np.all(np.diff(arrays["objective"]) >= -1e-12)


def test_separate_seeds_redraw_the_start_not_the_data(write_scenario: Write, tmp_path: Path) -> None:
    import numpy as np

    scenario = write_scenario("seed: 1\ndata: {n_samples: 100}\nalgorithm: {k: 3, max_iter: 3}\n")
    paths = []
    for index, extra in enumerate(["algorithm.seed=1", "algorithm.seed=2"]):
        target = tmp_path / f"{index}.npz"
        assert run_cli("trace", str(scenario), "-o", str(target), "--set", extra).returncode == 0
        paths.append(target)
    with np.load(paths[0]) as first, np.load(paths[1]) as second:
        assert np.array_equal(first["X"], second["X"])
        assert not np.array_equal(first["centers"][0], second["centers"][0])


def test_numerical_failure_names_the_key_to_change(write_scenario: Write, tmp_path: Path) -> None:
    scenario = write_scenario(
        """
        data: {centers: [[0, 0], [30, 30]], n_samples: [19, 1], cluster_std: 0.5}
        algorithm:
          name: gmm
          k: 2
          reg_covar: 0
          init: explicit
          means: [[0, 0], [30, 30]]
        """
    )
    process = run_cli("render", str(scenario), "-o", str(tmp_path / "x.gif"))
    assert process.returncode == 2
    assert process.stderr.startswith(f"{scenario}:5: algorithm.reg_covar: a component's covariance")
    assert "increase reg_covar" in process.stderr


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost interrupt
def test_an_interrupt_lost_in_a_finalizer_still_stops_the_render(
    write_scenario: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CPython drops an exception raised inside __del__; a Ctrl-C that lands there must
    # still stop the render (exit 130) and leave the previous output as it was.
    import os
    import signal

    from clusteranim.scene import figure

    class Finalized:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)

    original = figure.Scene.draw
    calls = {"count": 0}

    def draw(self: figure.Scene, frame: Any, out: Any = None, part: Any = None) -> Any:
        calls["count"] += 1
        if calls["count"] == 3:
            Finalized()  # collected at once: the KeyboardInterrupt is lost in __del__
        return original(self, frame, out, part)

    monkeypatch.setattr(figure.Scene, "draw", draw)
    target = tmp_path / "a.gif"
    target.write_bytes(b"previous")
    result = CliRunner().invoke(main, ["render", str(write_scenario(SMALL)), "-o", str(target), "-j", "1"])
    assert calls["count"] == 3
    assert result.exit_code == 130, result.output
    assert target.read_bytes() == b"previous"
    assert sorted(path.name for path in target.parent.iterdir() if path.suffix == ".part") == []
