"""Bad input never hurts; the tool scripts well (batch, depfile, init)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clusteranim
from clusteranim.errors import ScenarioError
from clusteranim.pipeline import draw_frames, load_data, run
from clusteranim.scene.animation import AnimationOptions, plan
from tests.conftest import ALL_LAYERS, CONFIGS, ROOT, run_cli

# ------------------------------------------------------------------- fuzzing

YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
SECTION_KEYS = ["seed", "data", "algorithm", "style", "output", "limits", "version"]


def load_or_scenario_error(document: Any, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    try:
        clusteranim.load_scenario(path)
    except ScenarioError as error:
        assert error.problems and all(str(problem) for problem in error.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(YAML_VALUES, st.dictionaries(st.sampled_from(SECTION_KEYS), YAML_VALUES)))
def test_arbitrary_documents_give_scenario_errors_only(document: Any, tmp_path: Path) -> None:
    load_or_scenario_error(document, tmp_path)


def mutate(document: Any, path: list[Any], value: Any, action: str) -> Any:
    """``document`` with the entry at ``path`` replaced, deleted or renamed."""
    if not path:
        return value
    if isinstance(document, dict) and path[0] in document:
        copy = dict(document)
        if len(path) == 1 and action == "delete":
            del copy[path[0]]
        elif len(path) == 1 and action == "rename":
            copy[str(path[0]) + "x"] = copy.pop(path[0])
        else:
            copy[path[0]] = mutate(document[path[0]], path[1:], value, action)
        return copy
    if isinstance(document, list) and isinstance(path[0], int) and path[0] < len(document):
        copy = list(document)
        copy[path[0]] = mutate(document[path[0]], path[1:], value, action)
        return copy
    return document


def key_paths(document: Any, prefix: list[Any] | None = None) -> list[list[Any]]:
    prefix = prefix or []
    paths = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            paths += key_paths(value, [*prefix, key])
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths += key_paths(value, [*prefix, index])
    return paths


VALID = [yaml.safe_load(path.read_text()) for path in CONFIGS]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_scenarios_give_scenario_errors_only(data: st.DataObject, tmp_path: Path) -> None:
    document = data.draw(st.sampled_from(VALID))
    path = data.draw(st.sampled_from(key_paths(document)))
    action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
    value = data.draw(YAML_VALUES)
    load_or_scenario_error(mutate(document, path, value, action), tmp_path)


# ------------------------------------------------------------ degenerate data


def write_points(tmp_path: Path, X: np.ndarray) -> Path:
    path = tmp_path / "points.csv"
    np.savetxt(path, X, delimiter=",", header="a,b" if X.shape[1] == 2 else "a,b,c", comments="")
    return path


@pytest.mark.parametrize(
    ("name", "points", "algorithm"),
    [
        ("identical", np.ones((50, 2)), {"name": "kmeans", "k": 3}),
        ("identical-gmm", np.ones((50, 2)), {"name": "gmm", "k": 2}),
        ("one-point", np.array([[2.0, 3.0]]), {"name": "kmeans", "k": 1}),
        ("one-point-gmm", np.array([[2.0, 3.0]]), {"name": "gmm", "k": 1}),
        (
            "identical-columns",
            np.repeat(np.random.default_rng(0).normal(size=(80, 1)), 3, axis=1),
            {"name": "gmm", "k": 2},
        ),
        ("tiny", np.random.default_rng(1).normal(size=(80, 2)) * 1e-12, {"name": "gmm", "k": 3}),
        ("huge", np.random.default_rng(2).normal(size=(80, 2)) * 1e12, {"name": "gmm", "k": 3}),
        ("huge-kmeans", np.random.default_rng(3).normal(size=(80, 2)) * 1e12, {"name": "kmeans", "k": 3}),
    ],
)
def test_degenerate_data_draws_real_frames(
    tmp_path: Path, name: str, points: np.ndarray, algorithm: dict[str, Any]
) -> None:
    data = write_points(tmp_path, points)
    scenario = {
        "data": {"generator": "file", "path": str(data)},
        "algorithm": {**algorithm, "max_iter": 5},
        "style": {
            "width": 160,
            "height": 120,
            "layers": ALL_LAYERS,
        },
    }
    loaded = clusteranim.load_scenario(scenario)
    dataset = load_data(loaded)
    trace = run(loaded, dataset)
    assert np.all(np.isfinite(trace.centers)) and np.all(np.isfinite(trace.objective))
    frames = list(
        draw_frames(
            loaded,
            trace,
            dataset,
            plan(AnimationOptions(), len(trace), trace.converged, 1, 2.0, 0.0),
            loaded.frame_parts(),
            1,
        )
    )
    for frame in frames:
        assert frame.shape == (120, 160, 4)
        assert len(np.unique(frame.reshape(-1, 4), axis=0)) > 2  # axes, points: not blank
    clusteranim.render(scenario, output=tmp_path / "out.gif")


# --------------------------------------------------------------- scripting


def test_batch_matches_single_renders(tmp_path: Path) -> None:
    process = run_cli(
        "batch", *map(str, CONFIGS), "-j", "2", "--out-dir", str(tmp_path / "batch"), "--json", timeout=600
    )
    assert process.returncode == 0, process.stderr
    lines = [json.loads(line) for line in process.stdout.splitlines()]
    assert [line["scenario"] for line in lines] == [str(path) for path in CONFIGS]
    assert all(line["ok"] for line in lines)
    for config in CONFIGS:
        name = Path(clusteranim.load_scenario(config).output.path).name
        alone = tmp_path / "alone" / name
        clusteranim.render(config, output=alone)
        assert (tmp_path / "batch" / name).read_bytes() == alone.read_bytes(), config.name


def test_batch_goes_on_past_failures(tmp_path: Path, write_scenario: Any) -> None:
    good = write_scenario(
        "data: {n_samples: 60}\nalgorithm: {k: 2, max_iter: 2}\nstyle: {width: 120, height: 90}\n",
        "good.yaml",
    )
    bad = write_scenario("algorithm: {k: 0}\n", "bad.yaml")
    process = run_cli("batch", str(bad), str(good), "--out-dir", str(tmp_path / "out"))
    assert process.returncode == 1
    table = process.stdout.splitlines()
    assert table[0].split() == ["scenario", "status", "output", "frames", "bytes", "seconds"]
    assert "FAILED (2)" in table[1] and "algorithm.k: must be >= 1, got 0" in table[1]
    assert " ok " in table[2] and table[-1] == "1 rendered, 1 failed"
    assert f"{bad}:1: algorithm.k: must be >= 1, got 0" in process.stderr
    assert (tmp_path / "out" / "animation.gif").is_file()


def test_init_writes_a_scenario_that_renders(tmp_path: Path) -> None:
    for algorithm in ("kmeans", "gmm"):
        target = tmp_path / f"{algorithm}.yaml"
        assert run_cli("init", str(target), "--algorithm", algorithm).returncode == 0
        assert target.read_text().startswith("# A clustering animation.")
        result = clusteranim.render(target, output=tmp_path / f"{algorithm}.gif")
        assert result.frames > 1
    again = run_cli("init", str(tmp_path / "kmeans.yaml"))
    assert again.returncode == 2
    assert again.stderr == f"{tmp_path / 'kmeans.yaml'}: already exists; use --force to replace it\n"
    assert run_cli("init", str(tmp_path / "kmeans.yaml"), "--force").returncode == 0


def test_depfile_lists_the_scenario_and_its_data(tmp_path: Path) -> None:
    (tmp_path / "my data.csv").write_text("x,y\n" + "\n".join(f"{i},{i % 7}" for i in range(40)) + "\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text('data: {generator: file, path: "my data.csv"}\nalgorithm: {k: 2, max_iter: 3}\n')
    process = run_cli(
        "render",
        "s.yaml",
        "-o",
        "out/s.gif",
        "--poster",
        "out/s.png",
        "--depfile",
        "out/s.gif.d",
        cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "out" / "s.gif.d").read_text() == (
        "out/s.gif out/s.png: s.yaml my\\ data.csv\ns.yaml:\nmy\\ data.csv:\n"
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_example_makefile_rebuilds_what_a_data_file_feeds(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    (configs / "data").mkdir(parents=True)
    shutil.copy(ROOT / "configs" / "data" / "petals.csv", configs / "data")
    for name in ("00_quickstart.yaml", "07_petals_4d.yaml", "05_bad_start.yaml"):
        shutil.copy(ROOT / "configs" / name, configs)
    environment = {**os.environ, "CLUSTERANIM": f"{sys.executable} -m clusteranim"}
    command = [
        "make",
        "-f",
        str(ROOT / "examples" / "Makefile"),
        f"CONFIGS_DIR={configs}",
        f"OUT={tmp_path / 'out'}",
    ]

    def build() -> set[str]:
        process = subprocess.run(
            [*command, "-j2"], cwd=tmp_path, env=environment, capture_output=True, text=True, check=False
        )
        assert process.returncode == 0, process.stderr
        return {
            Path(line.split()[-1]).name
            for line in process.stdout.splitlines()
            if line.startswith("rendered ")
        }

    assert build() == {"00_quickstart.gif", "07_petals_4d.gif", "05_bad_start.gif"}
    assert build() == set()  # nothing changed, nothing rebuilt
    time.sleep(1.1)  # coarse file-system clocks
    (configs / "data" / "petals.csv").touch()
    assert build() == {"07_petals_4d.gif"}
    (configs / "05_bad_start.yaml").touch()
    assert build() == {"05_bad_start.gif"}
