"""Panels: runs side by side in one synchronized animation, each the scenario with its
overrides; their layout, their messages, and frames that match each run rendered alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

import clusteranim
from clusteranim.errors import ScenarioError
from clusteranim.scenario.panels import grid_shape

SCENARIO: dict[str, Any] = {
    "seed": 4,
    "data": {"generator": "blobs", "n_samples": 240, "centers": 4, "cluster_std": 1.6},
    "algorithm": {"name": "kmeans", "k": 4, "init": "random", "max_iter": 12},
    "style": {
        "width": 640,
        "height": 480,
        "layers": ["points", "centroids", "title"],
        "title": "{algorithm}, iteration {iteration}",
    },
    "panels": [
        {"algorithm.init": "random"},
        {"algorithm.init": "kmeans++"},
        {"algorithm.name": "gmm"},
        {"algorithm.k": 3, "seed": 9},
    ],
    "output": {"fps": 4},
}


def frames_of(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(path).convert("RGB")) for path in sorted(folder.glob("*.png"))]


@pytest.mark.parametrize(
    ("n_panels", "size", "layout", "expected"),
    [
        (2, (960, 400), "auto", (1, 2)),  # side by side
        (4, (640, 480), "auto", (2, 2)),
        (3, (1280, 360), "auto", (1, 3)),
        (2, (400, 900), "auto", (2, 1)),  # a tall frame stacks them
        (5, (640, 480), "rows", (1, 5)),
        (5, (640, 480), "columns", (5, 1)),
        (5, (640, 480), [2, 3], (2, 3)),
    ],
)
def test_the_grid(n_panels: int, size: tuple[int, int], layout: Any, expected: tuple[int, int]) -> None:
    assert grid_shape(n_panels, *size, layout) == expected


def test_each_panel_is_its_scenario_rendered_alone_at_the_cell_size(tmp_path: Path) -> None:
    """Frame i of the panels holds, in each cell, frame i of that panel's scenario
    rendered alone at the cell's size (its last frame once it has ended)."""
    result = clusteranim.render(SCENARIO, output=tmp_path / "panels", jobs=2)
    together = frames_of(tmp_path / "panels")
    assert result.panels is not None and len(result.panels) == 4
    assert len(together) == max(panel.n_iter for panel in result.panels) + 1
    alone = []
    for index, panel in enumerate(SCENARIO["panels"]):
        single = {key: value for key, value in SCENARIO.items() if key != "panels"}
        overrides = {**panel, "style.width": 320, "style.height": 240}
        clusteranim.render(single, output=tmp_path / f"alone{index}", jobs=1, **overrides)
        alone.append(frames_of(tmp_path / f"alone{index}"))
    assert len({len(frames) for frames in alone}) > 1  # the runs end at different iterations
    for number, frame in enumerate(together):
        for index, frames in enumerate(alone):
            top, left = index // 2 * 240, index % 2 * 320
            cell = frame[top : top + 240, left : left + 320]
            assert np.array_equal(cell, frames[min(number, len(frames) - 1)]), (number, index)


def test_a_panel_gif_decodes_to_each_run_alone(tmp_path: Path) -> None:
    """The acceptance check on the GIF itself: each panel's region of every decoded frame
    is the run alone, to within the palette's rounding."""
    scenario = {
        **SCENARIO,
        "panels": SCENARIO["panels"][:2],
        "style": {**SCENARIO["style"], "width": 640, "height": 240},
    }
    clusteranim.render(scenario, output=tmp_path / "panels.gif")
    decoded = decode_gif(tmp_path / "panels.gif")
    for index, panel in enumerate(scenario["panels"]):
        single = {key: value for key, value in scenario.items() if key != "panels"}
        clusteranim.render(single, output=tmp_path / f"alone{index}.gif", **panel, **{"style.width": 320})
        alone = decode_gif(tmp_path / f"alone{index}.gif")
        for number, frame in enumerate(decoded):
            cell = frame[:, index * 320 : (index + 1) * 320].astype(int)
            expected = alone[min(number, len(alone) - 1)].astype(int)
            assert np.abs(cell - expected).mean() < 1.0
            assert (np.abs(cell - expected).max(axis=2) > 24).mean() < 0.002


def decode_gif(path: Path) -> list[np.ndarray]:
    frames = []
    with Image.open(path) as image:
        for number in range(image.n_frames):
            image.seek(number)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


def test_every_format_and_the_same_bytes_whatever_the_jobs(tmp_path: Path) -> None:
    scenario = {**SCENARIO, "style": {**SCENARIO["style"], "width": 320, "height": 240}}
    for name in ("a.gif", "a.mp4", "a.webm", "a.html"):
        one = clusteranim.render(scenario, output=tmp_path / "1" / name, jobs=1)
        two = clusteranim.render(scenario, output=tmp_path / "2" / name, jobs=2)
        assert one.bytes == two.bytes
        assert one.bytes > 0
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_html_layer_switches_work_across_panels(tmp_path: Path) -> None:
    scenario = {**SCENARIO, "style": {**SCENARIO["style"], "width": 320, "height": 240}}
    clusteranim.render(scenario, output=tmp_path / "a.html", **{"output.toggle_layers": ["points"]})
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert '"toggles":[{"name":"points","label":"points"}]' in page
    # A panel of other layers cannot share the switches.
    mixed = {**scenario, "panels": [{"algorithm.k": 3}, {"style.layers": ["points", "title"]}]}
    with pytest.raises(
        ScenarioError, match=r"panels\[1\]: output.toggle_layers: this panel draws the layers"
    ):
        clusteranim.render(mixed, output=tmp_path / "b.html", **{"output.toggle_layers": ["points"]})


def test_the_json_summary_names_each_panel(tmp_path: Path) -> None:
    path = tmp_path / "panels.yaml"
    document = {**SCENARIO, "output": {**SCENARIO["output"], "path": str(tmp_path / "a.gif")}}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusteranim",
            "render",
            str(path),
            "--json",
            "--set",
            "style.width=320",
            "--set",
            "style.height=240",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(done.stdout)
    assert [panel["label"] for panel in summary["panels"]] == [
        "init=random",
        "init=kmeans++",
        "gmm",
        "k=3, seed=9",
    ]
    assert summary["objective"] is None and summary["width"] == 320
    assert summary["n_iter"] == max(panel["n_iter"] for panel in summary["panels"])
    assert summary["converged"] == all(panel["converged"] for panel in summary["panels"])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "panels:\n  - algorithm.k: 2\n  - algorithm.k: 0\n",
            "scenario.yaml:3: panels[1].algorithm.k: must be >= 1, got 0",
        ),
        (
            "panels:\n  - output.fps: 3\n",
            "scenario.yaml:2: panels[0].output.fps: is shared by every panel: set it outside the panels",
        ),
        (
            "panels:\n  - {}\n",
            "scenario.yaml:2: panels[0]: is empty: give it at least one override (algorithm.k: 4)",
        ),
        (
            "algorithm: {k: 3}\npanels:\n  - algorithm.name: dbscan\n",
            "scenario.yaml:3: panels[0]: algorithm.k: is not used by DBSCAN: it finds the number of clusters"
            " itself (eps and min_samples decide it)",
        ),
        (
            "panels:\n  - {algorithm.k: 2}\n  - {algorithm.k: 3}\npanels_layout: [1, 1]\n",
            "scenario.yaml:4: panels_layout: is 1 x 1: fewer cells than the 2 panels",
        ),
        (
            "sweep: {key: algorithm.k, values: [2, 3]}\npanels:\n  - algorithm.k: 2\n",
            "scenario.yaml:1: sweep: is set with panels: a sweep makes its own panels; keep one of them",
        ),
    ],
)
def test_a_bad_panel_is_one_line_naming_it(tmp_path: Path, text: str, line: str) -> None:
    path = write(tmp_path, text)
    for command in ("validate", "render"):
        done = subprocess.run(
            [sys.executable, "-m", "clusteranim", command, path.name],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert (done.returncode, done.stderr.strip()) == (2, line), command


def test_the_limits_count_every_panel(tmp_path: Path) -> None:
    many = {**SCENARIO, "algorithm": {**SCENARIO["algorithm"], "max_iter": 3000}}
    with pytest.raises(
        ScenarioError, match=r"panels: 4 panels of up to 3,001 frames each .* draw up to 12,004"
    ):
        clusteranim.load_scenario(many)
    clusteranim.load_scenario({**many, "panels": SCENARIO["panels"][:3]})


def test_a_trace_file_draws_one_run(tmp_path: Path) -> None:
    single = {key: value for key, value in SCENARIO.items() if key != "panels"}
    trace = clusteranim.run(clusteranim.load_scenario(single))
    with pytest.raises(ScenarioError, match="panels: draws several runs; a trace file holds one"):
        clusteranim.load_scenario(SCENARIO, trace=trace)


SWEEP: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "blobs", "n_samples": 300, "centers": 4, "cluster_std": 1.2},
    "algorithm": {"name": "kmeans", "k": 4, "max_iter": 30},
    "style": {"width": 960, "height": 480, "layers": ["points", "centroids", "title"]},
    "sweep": {"key": "algorithm.k", "values": [2, 3, 4, 5, 6]},
    "output": {"fps": 4},
}


def test_a_sweeps_measures_are_scikit_learns(tmp_path: Path) -> None:
    """Each run's measures at its last state, as the table prints them, against
    scikit-learn's on the same labels (the metrics' own tests cover every state)."""
    from sklearn import metrics as reference

    from clusteranim.pipeline import panel_runs, prepare, quality_of

    loaded = clusteranim.load_scenario(SWEEP)
    runs = panel_runs(loaded, prepare(loaded, []))
    table = quality_of(loaded, runs)
    assert table is not None and table.keys == [
        "inertia",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
        "ari",
        "nmi",
    ]
    for row, each in zip(table.rows(), runs, strict=True):
        trace, truth = each.trace, each.dataset.labels
        labels, X = trace.labels(trace.n_iter), trace.fit_X
        centers = trace.fit_centers(trace.n_iter)
        assert row["value"] == each.scenario.algorithm.k
        expected = {
            "inertia": float(((X - centers[labels]) ** 2).sum()),
            "silhouette": reference.silhouette_score(X, labels),
            "calinski_harabasz": reference.calinski_harabasz_score(X, labels),
            "davies_bouldin": reference.davies_bouldin_score(X, labels),
            "ari": reference.adjusted_rand_score(truth, labels),
            "nmi": reference.normalized_mutual_info_score(truth, labels),
        }
        for key, value in expected.items():
            assert row[key] == pytest.approx(value, rel=1e-9), key


def test_a_mixtures_sweep_has_bic_and_aic() -> None:
    from sklearn.mixture import GaussianMixture

    from clusteranim.pipeline import panel_runs, prepare, quality_of

    scenario = {**SWEEP, "algorithm": {"name": "gmm", "k": 3, "max_iter": 20, "covariance_type": "diag"}}
    loaded = clusteranim.load_scenario({**scenario, "sweep": {"key": "algorithm.k", "values": [2, 3]}})
    runs = panel_runs(loaded, prepare(loaded, []))
    table = quality_of(loaded, runs)
    assert table is not None and table.keys[:2] == ["bic", "aic"] and "inertia" not in table.keys
    for row, each in zip(table.rows(), runs, strict=True):
        n = len(each.dataset.X)
        k = each.scenario.algorithm.k
        reference = GaussianMixture(n_components=k, covariance_type="diag").fit(each.dataset.X)
        parameters = reference._n_parameters()
        total = float(each.trace.objective[-1]) * n
        assert row["bic"] == pytest.approx(-2 * total + parameters * np.log(n), rel=1e-9)
        assert row["aic"] == pytest.approx(-2 * total + 2 * parameters, rel=1e-9)


def test_trace_sweep_prints_the_table(tmp_path: Path) -> None:
    from clusteranim.pipeline import panel_runs, prepare, quality_of

    path = tmp_path / "scenario.yaml"
    single = {key: value for key, value in SWEEP.items() if key != "sweep"}
    path.write_text(yaml.safe_dump(single), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusteranim",
            "trace",
            str(path),
            "--sweep",
            "algorithm.k=2,3,4,5,6",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = json.loads(done.stdout)
    loaded = clusteranim.load_scenario(SWEEP)
    table = quality_of(loaded, panel_runs(loaded, prepare(loaded, [])))
    assert table is not None
    assert printed == {"key": "algorithm.k", "measures": table.keys, "rows": table.rows()}
    text = subprocess.run(
        [sys.executable, "-m", "clusteranim", "trace", str(path), "--sweep", "algorithm.k=[2, 3]"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert text[0].split() == ["algorithm.k", "n_iter", "converged", *table.keys]
    assert [line.split()[0] for line in text[1:]] == ["2", "3"]
    refused = subprocess.run(
        [sys.executable, "-m", "clusteranim", "trace", str(path), "--sweep", "algorithm.k=2,x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert (
        refused.stderr.strip()
        == "--sweep algorithm.k=2,x: sweep.values[1].algorithm.k: must be an integer, got 'x'"
    )


def test_a_sweep_draws_its_runs_and_a_quality_panel(tmp_path: Path) -> None:
    result = clusteranim.render(SWEEP, output=tmp_path / "sweep")
    frames = frames_of(tmp_path / "sweep")
    assert result.panels is not None and [panel.label for panel in result.panels] == [
        "k=2",
        "k=3",
        "k=4",
        "k=5",
        "k=6",
    ]
    # Five runs and the quality panel: 2 x 3 cells of 320 x 240.
    first, last = frames[0], frames[-1]
    quality = (slice(240, 480), slice(640, 960))
    assert (last[quality] != 255).any(axis=2).mean() > 0.05  # drawn
    assert not np.array_equal(first[quality], last[quality])  # it fills in as the runs go
    single = {key: value for key, value in SWEEP.items() if key != "sweep"}
    clusteranim.render(
        single,
        output=tmp_path / "k5",
        **{
            "algorithm.k": 5,
            "style.width": 320,
            "style.height": 240,
            "style.title": "k=5, iteration {iteration} {status}",
        },
    )
    alone = frames_of(tmp_path / "k5")
    assert np.array_equal(last[240:480, 0:320], alone[-1])


@pytest.mark.parametrize(
    ("values", "better", "expected"),
    [
        ([1.0, 3.0, 2.0], "higher", 1),
        ([1.0, 3.0, 0.5], "lower", 2),
        ([100.0, 30.0, 20.0, 15.0, 12.0], "elbow", 1),  # the bend after the steep fall
        ([100.0, 80.0, 20.0, 15.0, 12.0], "elbow", 2),
        ([float("nan"), 1.0], "higher", 1),
        ([float("nan")], "lower", None),
    ],
)
def test_the_best_of_a_measure(values: list[float], better: str, expected: int | None) -> None:
    from clusteranim.scene.quality import best_index

    assert best_index(values, better) == expected


def test_live_mode_plays_panels_with_their_layers_apart(tmp_path: Path) -> None:
    import time

    from clusteranim.live import Session

    path = tmp_path / "panels.yaml"
    document = {**SWEEP, "output": {**SWEEP["output"], "path": str(tmp_path / "out" / "a.gif")}}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    session = Session(path)
    session.start()
    deadline = time.perf_counter() + 120
    while not session.drawing.done and time.perf_counter() < deadline:
        time.sleep(0.05)
    drawing = session.drawing
    assert drawing.error is None and len(drawing.frames) == drawing.total
    assert [part.toggle for part in drawing.parts] == ["", "points", "centroids", "title", ""]
    png = session.frame(drawing.generation, len(drawing.frames) - 1)
    assert png is not None
    import io

    shown = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    clusteranim.render(SWEEP, output=tmp_path / "frames")
    rendered = frames_of(tmp_path / "frames")[-1].astype(int)
    assert np.abs(shown - rendered).max() <= 6
    session.stopped.set()


def test_live_mode_offers_no_control_for_the_key_swept_and_can_switch_algorithm(tmp_path: Path) -> None:
    from clusteranim.controls import live_controls
    from clusteranim.live import Session

    loaded = clusteranim.load_scenario(SWEEP)
    keys = {control.key for control in live_controls(loaded)}
    assert "algorithm.k" not in keys and {"algorithm.name", "seed", "data.n_samples"} <= keys
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({**SWEEP, "output": {"path": str(tmp_path / "a.gif")}}), encoding="utf-8")
    session = Session(path)
    session.scenario = clusteranim.load_scenario(path)
    assert session.change({"algorithm.k": 5}) is not None  # the sweep sets it
    # DBSCAN has no k to sweep: the line that says so, not one about the layers.
    refused = session.change({"algorithm.name": "dbscan"})
    assert refused is not None and "sweep.values[0].algorithm.k: is not used by DBSCAN" in refused
    # Panels of data seeds: DBSCAN draws no centroids, so the page leaves them out of every panel.
    seeds = {
        **SCENARIO,
        "panels": [{"data.seed": 1}, {"data.seed": 2}],
        "output": {"path": str(tmp_path / "a.gif")},
    }
    path.write_text(yaml.safe_dump(seeds), encoding="utf-8")
    session = Session(path)
    session.scenario = clusteranim.load_scenario(path)
    assert session.change({"algorithm.name": "dbscan"}) is None
    assert session.scenario is not None
    assert [layer.plugin_name() for layer in session.scenario.style.layers] == ["points", "title"]
    session.close()


def test_panels_of_one_view_share_its_framing_and_ticks() -> None:
    """Four algorithms on the same data: the same ticks and nearly the same axes in every
    panel (their own would differ: each run's centres and tick-label widths move the
    layout, and a smaller font changes how many ticks fit), so that the pictures compare."""
    from clusteranim.drawing import PanelDrawer
    from clusteranim.pipeline import panel_runs, prepare

    scenario = {
        **SCENARIO,
        "algorithm": {"name": "kmeans", "k": 4, "max_iter": 20},
        "style": {**SCENARIO["style"], "width": 960, "height": 540, "font_size": 8},
        "panels": [{"algorithm.name": name} for name in ("kmeans", "gmm", "kmedoids", "fuzzy_cmeans")],
    }
    loaded = clusteranim.load_scenario(scenario)
    drawer = PanelDrawer(loaded, panel_runs(loaded, prepare(loaded, [])))
    try:
        frames = [each.scene.context.axes for each in drawer.drawers]
        ticks = [each.scene.ticks() for each in drawer.drawers]
        assert all(other == ticks[0] for other in ticks[1:])
        boxes = [axes.get_window_extent().bounds for axes in frames]
        assert np.abs(np.array(boxes) - boxes[0]).max() <= 1.5
        # Ticks as the drawn frame has them: in the theme's font size (8 here), more than at 10.
        assert len(ticks[0][1]) >= 7
    finally:
        drawer.close()
