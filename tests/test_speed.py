"""The fast paths keep their promises: same output whatever the jobs, bounded memory,
pixels that look like markers. (Timings live in benchmarks/, not here.)"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import clusteranim
import clusteranim.algorithms.kmeans
from clusteranim.data.base import Dataset
from clusteranim.drawing import schedule_of
from clusteranim.pipeline import draw_frames, load_data, run
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.layers.points import RasterPointsLayer
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import record

TWEENED: dict[str, Any] = {
    "seed": 5,
    "data": {"generator": "blobs", "n_samples": 300, "centers": 4, "cluster_std": 1.5},
    "algorithm": {"name": "kmeans", "k": 4, "max_iter": 6, "tol": 0},
    "style": {
        "width": 240,
        "height": 200,
        "layers": [{"regions": {"alpha": 0.3}}, "points", "trails", "centroids", "legend", "title"],
    },
    "output": {"fps": 10, "tween": 3, "toggle_layers": ["regions", "trails"], "path": "x.html"},
}


def frames_with(jobs: int, scenario: dict[str, Any]) -> list[np.ndarray]:
    loaded = clusteranim.load_scenario(scenario)
    data = load_data(loaded)
    trace = run(loaded, data)
    schedule = schedule_of(loaded, trace)
    return [frame.copy() for frame in draw_frames(loaded, trace, data, schedule, loaded.frame_parts(), jobs)]


def test_frames_are_identical_whatever_the_jobs() -> None:
    one, two = frames_with(1, TWEENED), frames_with(2, TWEENED)
    n_iter = run(clusteranim.load_scenario(TWEENED)).n_iter
    # Two layer switches: the bare axes, regions, points, trails, and the layers above.
    assert len(one) == len(two) == 5 * (n_iter * 4 + 1)
    assert all(np.array_equal(a, b) for a, b in zip(one, two, strict=True))


def test_frames_do_not_depend_on_the_order_they_are_drawn_in() -> None:
    loaded = clusteranim.load_scenario(TWEENED)
    data = load_data(loaded)
    trace = run(loaded, data)
    schedule = schedule_of(loaded, trace)
    scene = Scene(loaded.style, trace, data, "k-means", tweened=True)
    forward = [scene.draw(Frame.of(trace, shot)) for shot in schedule]
    other = Scene(loaded.style, trace, data, "k-means", tweened=True)
    backward = [other.draw(Frame.of(trace, shot)) for shot in reversed(schedule)][::-1]
    assert all(np.array_equal(a, b) for a, b in zip(forward, backward, strict=True))


@pytest.mark.parametrize("name", ["a.gif", "a.mp4"])
def test_output_bytes_are_identical_whatever_the_jobs(tmp_path: Path, name: str) -> None:
    scenario = {**TWEENED, "output": {"fps": 10, "tween": 3}}
    clusteranim.render(scenario, output=tmp_path / "1" / name, jobs=1)
    clusteranim.render(scenario, output=tmp_path / "2" / name, jobs=2)
    assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def peak_memory(command: list[str]) -> int:
    """Peak proportional set size, in bytes, of a process and its children."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        total, pending = 0, [process.pid]
        while pending:
            current = pending.pop()
            try:
                rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
                total += (
                    int(next(line for line in rollup.splitlines() if line.startswith("Pss:")).split()[1])
                    * 1024
                )
                pending += [
                    int(child)
                    for child in Path(f"/proc/{current}/task/{current}/children").read_text().split()
                ]
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                continue
        peak = max(peak, total)
        time.sleep(0.02)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return peak


@pytest.mark.parametrize("extension", ["mp4", "gif"])
def test_memory_does_not_grow_with_the_number_of_frames(tmp_path: Path, extension: str) -> None:
    peaks = []
    for tween in (4, 80):  # about 30 and 490 frames
        scenario = {**TWEENED, "output": {"fps": 30, "tween": tween}}
        path = tmp_path / f"{tween}.yaml"
        path.write_text(json.dumps(scenario))
        target = tmp_path / f"{tween}.{extension}"
        peaks.append(
            peak_memory([sys.executable, "-m", "clusteranim", "render", str(path), "-o", str(target)])
        )
    short, long = peaks
    assert long < short * 1.15 + 16 * 2**20, (
        f"{short / 2**20:.0f} MiB for 30 frames, {long / 2**20:.0f} MiB for 490"
    )


def scene_for(n_points: int, raster_above: int, seed: int = 0) -> tuple[Scene, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(n_points, 2))
    trace = record(clusteranim.algorithms.kmeans.KMeans(3, "random", 0.0, seed), X, 5)
    layers = [{"points": {"raster_above": raster_above, "alpha": 1.0, "size": 16}}]
    scene = Scene(
        StyleOptions.model_validate({"width": 300, "height": 300, "layers": layers}),
        trace,
        Dataset(X),
        "k-means",
    )
    return scene, scene.draw(Frame(trace, len(trace) - 1))[:, :, :3].astype(int)


def test_raster_points_look_like_markers() -> None:
    markers_scene, markers = scene_for(200, raster_above=20_000)
    raster_scene, raster = scene_for(200, raster_above=0)
    assert isinstance(raster_scene.layers[0], RasterPointsLayer)
    assert not isinstance(markers_scene.layers[0], RasterPointsLayer)
    covered_markers = (markers != 255).any(axis=2)
    covered_raster = (raster != 255).any(axis=2)
    # About the same ink (the markers' antialiased rims count as covered)...
    assert abs(covered_raster.sum() - covered_markers.sum()) < 0.3 * covered_markers.sum()
    # ...in the same places and colours: blurred by a few pixels, the two pictures are
    # far closer to each other than either is to an empty plot.
    difference = np.abs(box_blur(markers) - box_blur(raster)).mean()
    from_empty = np.abs(box_blur(markers) - box_blur(np.full_like(raster, 255))).mean()
    assert difference < 0.2 * from_empty


def box_blur(image: np.ndarray, size: int = 5) -> np.ndarray:
    kernel = np.ones(size) / size
    blurred = np.apply_along_axis(
        lambda column: np.convolve(column, kernel, mode="same"), 0, image.astype(float)
    )
    return np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 1, blurred)


def test_big_data_is_rasterised_in_cluster_colours() -> None:
    scene, image = scene_for(30_000, raster_above=20_000, seed=1)
    layer = scene.layers[0]
    assert isinstance(layer, RasterPointsLayer)
    trace = scene.context.trace
    labels = trace.labels(len(trace) - 1)
    colors = (scene.context.colors[:, :3] * 255).round().astype(int)
    transform = scene.context.axes.transData
    for index in np.random.default_rng(2).choice(len(labels), 50, replace=False):
        x, y = transform.transform(trace.X[index])
        shown = image[round(image.shape[0] - y - 0.5), round(x - 0.5)]
        # The pixel shows this point or a later one that overlaps it: some cluster's colour.
        assert any(np.abs(shown - color).max() <= 1 for color in colors)
    assert np.mean([np.abs(image[image.shape[0] // 2, :, :] - 255).max(axis=1) > 0]) > 0.5
