"""Outputs never destroy files; errors have one shape everywhere."""

from __future__ import annotations

import json
import math
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import clusteranim
from clusteranim.cli import main, strict_json
from clusteranim.errors import Problem
from clusteranim.writers.targets import MANIFEST, Target, target_problems
from tests.conftest import run_cli

Write = Callable[..., Path]
SMALL = "algorithm: {k: 2, max_iter: 2}\nstyle: {width: 96, height: 72, layers: [points]}\n"


def files_of(folder: Path) -> dict[str, bytes | str]:
    """Every entry below ``folder``: a regular file's bytes, or what else it is."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            entries[str(path.relative_to(folder))] = f"-> {os.readlink(path)}"
        elif path.is_file():
            entries[str(path.relative_to(folder))] = path.read_bytes()
        else:
            entries[str(path.relative_to(folder))] = "folder" if path.is_dir() else "special"
    return entries


def refused(tmp_path: Path, *args: str) -> str:
    """Run ``args`` in ``tmp_path``; assert exit 2, one line, nothing changed; the line."""
    before = files_of(tmp_path)
    process = run_cli(*args, cwd=tmp_path)
    assert process.returncode == 2, process.stderr
    assert process.stderr.count("\n") == 1 and "Traceback" not in process.stderr, process.stderr
    assert files_of(tmp_path) == before
    return process.stderr.rstrip("\n")


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    (tmp_path / "s.yaml").write_text(SMALL)
    return tmp_path


def test_an_output_never_replaces_an_input(scene: Path) -> None:
    (scene / "points.csv").write_text("x,y\n" + "".join(f"{i},{i % 5}\n" for i in range(20)))
    (scene / "d.yaml").write_text(
        "data: {generator: file, path: points.csv}\nalgorithm: {k: 2, max_iter: 2}\n"
    )
    os.link(scene / "s.yaml", scene / "hard.gif")
    (scene / "soft.gif").symlink_to("points.csv")
    assert refused(scene, "render", "s.yaml", "-o", "hard.gif") == (
        "--output hard.gif: output.path: is the scenario file s.yaml, an input of this run;"
        " choose another path"
    )
    assert refused(scene, "render", "d.yaml", "-o", "soft.gif").endswith(
        "is the data file points.csv, an input of this run; choose another path"
    )
    assert refused(scene, "render", "d.yaml", "-o", "out.gif", "--depfile", "points.csv").startswith(
        "--depfile points.csv: is the data file points.csv"
    )
    assert refused(scene, "trace", "d.yaml", "-o", "points.csv").startswith(
        "--output points.csv: is the data"
    )
    assert "holds the scenario file" in refused(
        scene, "render", "s.yaml", "-o", str(scene), "--format", "frames"
    )


def test_outputs_of_one_run_never_overlap(scene: Path) -> None:
    assert refused(scene, "render", "s.yaml", "-o", "a.gif", "--poster", "a.gif") == (
        "--poster a.gif: output.poster: is also output.path (a.gif); each output needs its own path"
    )
    assert "lies inside output.path (frames), a folder of frames" in refused(
        scene, "render", "s.yaml", "-o", "frames", "--poster", "frames/last.png"
    )
    assert "is the folder of output.path (x/a.gif)" in refused(
        scene, "render", "s.yaml", "-o", "x/a.gif", "--poster", "x"
    )


def test_only_regular_files_are_ever_replaced(scene: Path) -> None:
    os.mkfifo(scene / "pipe.gif")
    (scene / "null.gif").symlink_to(os.devnull)
    (scene / "folder.gif").mkdir()
    assert refused(scene, "render", "s.yaml", "-o", "pipe.gif").endswith(
        "is a named pipe (FIFO), not a regular file; clusteranim never replaces one"
    )
    assert refused(scene, "render", "s.yaml", "-o", "null.gif").endswith(
        f"is a character device (a link to {os.devnull}), not a regular file; clusteranim never replaces one"
    )
    assert refused(scene, "render", "s.yaml", "-o", "folder.gif").endswith("is a folder; give a file name")
    assert refused(scene, "render", "s.yaml", "-o", "a.gif", "--depfile", "pipe.gif").startswith(
        "--depfile pipe.gif: is a named pipe (FIFO)"
    )
    assert (
        refused(scene, "init", "null.gif", "--force")
        == f"null.gif: is a character device (a link to {os.devnull}), not a regular file;"
        " clusteranim never replaces one"
    )
    assert refused(scene, "render", "s.yaml", "-o", ".").endswith(
        "names an existing folder; give a new folder name"
    )
    assert refused(scene, "render", "s.yaml", "-o", "..").endswith(
        "names an existing folder; give a new folder name"
    )
    assert refused(scene, "render", "s.yaml", "-o", "new/", "--format", "gif").endswith(
        "ends with a slash, which names a folder; give a file name"
    )
    assert Path(os.devnull).is_char_device()


def test_a_link_to_a_regular_file_writes_that_file(scene: Path) -> None:
    (scene / "real.gif").write_bytes(b"old")
    (scene / "link.gif").symlink_to("real.gif")
    assert run_cli("render", "s.yaml", "-o", "link.gif", cwd=scene).returncode == 0
    assert (scene / "link.gif").is_symlink() and (scene / "real.gif").read_bytes()[:6] == b"GIF89a"


def test_a_batch_refuses_two_scenarios_with_one_output(scene: Path) -> None:
    (scene / "t.yaml").write_text(SMALL)
    process = run_cli("batch", "s.yaml", "t.yaml", "--out-dir", "out", cwd=scene)
    assert process.returncode == 2
    assert process.stderr == (
        "t.yaml with --out-dir out: output.path: is also output.path of s.yaml (out/animation.gif);"
        " each output needs its own path\n"
    )
    assert not (scene / "out").exists()  # checked before rendering any


def test_the_manifest_marks_only_what_was_written(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "frame_0000.png").write_bytes(b"png")
    (folder / MANIFEST).write_text("frame_0000.png\n")
    assert target_problems([Target("output.path", str(folder), folder=True)], {}) == []
    (folder / "mine.png").write_bytes(b"png")
    ((_, message),) = target_problems([Target("output.path", str(folder), folder=True)], {})
    assert message.startswith("holds files clusteranim did not write (mine.png)")


def test_paths_in_messages_are_as_typed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s.yaml").write_text("data: {generator: file, path: ../nowhere.csv}\n")
    assert (
        refused(tmp_path, "render", "sub/s.yaml") == "sub/s.yaml:1: data.path: no such file: ../nowhere.csv"
    )


def test_usage_errors_are_one_line_and_the_hint() -> None:
    process = run_cli("render")
    assert process.returncode == 2
    assert process.stderr == (
        "clusteranim render: Missing argument 'SCENARIO'.\nTry 'clusteranim render -h' for help.\n"
    )
    process = run_cli("render", "s.yaml", "--jobs", "0")
    assert process.returncode == 2 and process.stderr.splitlines()[0].startswith(
        "clusteranim render: Invalid value"
    )
    assert len(process.stderr.splitlines()) == 2


def test_debug_adds_the_traceback_and_keeps_the_exit_code(write_scenario: Write) -> None:
    scenario = write_scenario("algorithm: {k: 0}\n")
    process = run_cli("render", str(scenario), "--debug")
    assert process.returncode == 2
    assert "Traceback" in process.stderr
    assert process.stderr.endswith(f"{scenario}:1: algorithm.k: must be >= 1, got 0\n")
    for command in (["schema", "--debug"], ["list", "layers", "--debug"]):
        assert run_cli(*command).returncode == 0


def test_a_scenario_error_survives_a_worker_process() -> None:
    error = clusteranim.ScenarioError([Problem("s.yaml", 3, "algorithm.k", "must be >= 1, got 0")])
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == "s.yaml:3: algorithm.k: must be >= 1, got 0"
    assert copy.problems == error.problems and copy.exit_code == 2


def test_json_output_is_strict() -> None:
    text = strict_json({"objective": math.nan, "values": [1.5, -math.inf], "ok": True})
    assert json.loads(text, parse_constant=pytest.fail) == {
        "objective": None,
        "values": [1.5, None],
        "ok": True,
    }


def test_set_is_blamed_for_what_it_sets(write_scenario: Write) -> None:
    scenario = write_scenario(SMALL)
    result = CliRunner().invoke(main, ["validate", str(scenario), "--set", "algoritm.k=3"])
    assert result.exit_code == 2
    assert result.stderr == "--set algoritm.k=3: algoritm: unknown key; did you mean 'algorithm'?\n"
    result = CliRunner().invoke(main, ["validate", str(scenario), "--set", "algorithm.tol=1e-3"])
    assert result.exit_code == 0, result.stderr  # YAML 1.2 reads 1e-3 as a number


def test_an_error_in_a_worker_reads_as_it_would_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from clusteranim.options import OptionError
    from clusteranim.pipeline import draw_frames, load_data, run
    from clusteranim.scene.animation import AnimationOptions, plan
    from clusteranim.scene.layers.points import PointsOptions

    def fail(self: PointsOptions, context: object) -> None:
        raise OptionError("size", "cannot be drawn here")

    monkeypatch.setattr(PointsOptions, "build", fail)  # inherited by forked workers
    scenario = clusteranim.load_scenario(
        {"algorithm": {"k": 2, "max_iter": 8}, "style": {"width": 96, "height": 72, "layers": ["points"]}}
    )
    dataset = load_data(scenario)
    trace = run(scenario, dataset)
    messages = []
    for jobs in (1, 2):
        frames = draw_frames(
            scenario,
            trace,
            dataset,
            plan(AnimationOptions(), len(trace), trace.converged, 3, 2.0, 0.0),
            scenario.frame_parts(),
            jobs,
        )
        with pytest.raises(clusteranim.ScenarioError) as caught:
            list(frames)
        messages.append(str(caught.value))
    assert messages == ["<scenario>: style.layers[0].points.size: cannot be drawn here"] * 2


def test_an_interrupt_while_the_poster_is_saved_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clusteranim.writers.png

    def interrupted(rgb: object, path: Path, optimize: bool = False) -> None:
        path.write_bytes(b"half a PNG")
        raise KeyboardInterrupt

    monkeypatch.setattr(clusteranim.writers.png, "write_png", interrupted)
    (tmp_path / "old.gif").write_bytes(b"the previous animation")
    with pytest.raises(KeyboardInterrupt):
        clusteranim.render(
            {"algorithm": {"k": 2, "max_iter": 2}, "style": {"width": 96, "height": 72}},
            output=tmp_path / "old.gif",
            depfile=tmp_path / "old.d",
            **{"output.poster": str(tmp_path / "last.png")},
        )
    assert files_of(tmp_path) == {"old.gif": b"the previous animation"}


def test_any_non_negative_seed_is_a_seed(write_scenario: Write) -> None:
    scenario = write_scenario(
        "seed: 123456789012345678901234567890\nalgorithm: {k: 2, max_iter: 2, seed: 0}\n"
    )
    trace = clusteranim.run(clusteranim.load_scenario(scenario))
    assert trace.n_iter >= 1
    with pytest.raises(clusteranim.ScenarioError, match=r":1: seed: must be >= 0, got -1$"):
        clusteranim.load_scenario(write_scenario("seed: -1\n", "negative.yaml"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("010", 10),  # YAML 1.1: eight
        ("0o10", 8),
        ("0x1F", 31),
        ("1_0", "1_0"),  # YAML 1.1: ten
        ("on", "on"),  # YAML 1.1: true
        ("yes", "yes"),
        ("true", True),
        ("1e-3", 0.001),  # YAML 1.1: text
        ("2024-01-01", "2024-01-01"),  # YAML 1.1: a date
        (".inf", math.inf),
    ],
)
def test_plain_values_are_read_as_yaml_1_2_reads_them(text: str, value: object) -> None:
    import yaml

    from clusteranim.scenario import ScenarioLoader

    assert yaml.load(f"value: {text}", Loader=ScenarioLoader) == {"value": value}


def test_init_refuses_a_name_ending_in_a_slash(tmp_path: Path) -> None:
    assert (
        refused(tmp_path, "init", "newd/")
        == "newd/: ends with a slash, which names a folder; give a file name"
    )


def test_a_problem_is_one_line_whatever_the_input_held(write_scenario: Write) -> None:
    scenario = write_scenario(SMALL)
    result = CliRunner().invoke(main, ["validate", str(scenario), "--set", "algorithm.k=1\n2"])
    assert result.exit_code == 2
    assert result.stderr == "--set algorithm.k=1\\n2: algorithm.k: must be an integer, got '1 2'\n"
    result = CliRunner().invoke(
        main, ["validate", str(scenario), "--set", "algorithm.k=!!python/object:os.system x"]
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
