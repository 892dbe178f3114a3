"""Panels against one run: four panels of 640 x 480 (a 1280 x 960 frame) against the same
scene alone at 640 x 480, each rendered as a whole process (median of 3, interleaved).

Target (the side-by-side issue): four panels cost at most about 4x one panel's render.
The scene: k-means k = 4 on 2,000 blobs, regions + points + centroids + title, tweened
(about 100 frames), GIF; the panels differ by their start (random, k-means++) and seed.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SCENE = {
    "seed": 5,
    "data": {"generator": "blobs", "n_samples": 2000, "centers": 4, "cluster_std": 1.5},
    "algorithm": {"name": "kmeans", "k": 4, "init": "random", "max_iter": 10, "tol": 0},
    "style": {
        "width": 640,
        "height": 480,
        "layers": [{"regions": {"alpha": 0.25}}, "points", "centroids", "title"],
    },
    "output": {"fps": 10, "tween": 9, "hold_last": 0},
}
PANELS = [
    {"algorithm.init": "random", "algorithm.seed": 1},
    {"algorithm.init": "random", "algorithm.seed": 2},
    {"algorithm.init": "kmeans++", "algorithm.seed": 1},
    {"algorithm.init": "kmeans++", "algorithm.seed": 2},
]


def timed(path: Path, output: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "clusteranim", "render", str(path), "-o", str(output), "-q"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        single, panels = folder / "single.yaml", folder / "panels.yaml"
        single.write_text(yaml.safe_dump(SCENE), encoding="utf-8")
        four = {**SCENE, "style": {**SCENE["style"], "width": 1280, "height": 960}, "panels": PANELS}
        panels.write_text(yaml.safe_dump(four), encoding="utf-8")
        times: dict[str, list[float]] = {"single": [], "panels": []}
        for _ in range(3):
            times["single"].append(timed(single, folder / "single.gif"))
            times["panels"].append(timed(panels, folder / "panels.gif"))
    single_s, panels_s = statistics.median(times["single"]), statistics.median(times["panels"])
    ratio = panels_s / single_s
    return {
        "case": "panels",
        "scene": "k-means k=4, 2,000 points, regions+points+centroids+title, 100 frames, GIF",
        "single_640x480_s": round(single_s, 2),
        "four_panels_1280x960_s": round(panels_s, 2),
        "runs": {key: [round(value, 2) for value in values] for key, values in times.items()},
        "ratio": round(ratio, 2),
        "targets": {"ratio": "<= 4 (four panels against one)"},
        "pass": ratio <= 4,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
