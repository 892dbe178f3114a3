"""Run every benchmark and print the figures side by side (``make bench``).

Each rendering case runs clusteranim and the plain matplotlib reference
(``benchmarks/reference.py``: FuncAnimation over the same recorded iterations, full
redraw per frame, PillowWriter or FFMpegWriter) as whole processes, one after the other
in the same run, and reports wall time, peak memory (the proportional set size of the
whole process tree, sampled every 50 ms in a second run, so worker processes count) and
output size.

Cases (targets from the speed issue):
  a  classic EM scene, 400 points, 41 frames, 600x600 GIF   >= 4x faster, GIF <= 0.4x
  b  k-means tweened to about 300 frames, 600x600 MP4       >= 8x faster
  c  1,000,000 points, k = 8, 30 iterations, 600x600 MP4     <= 12 s, <= 1.5 GiB
  d  start-up: clusteranim --help, clusteranim validate      < 0.3 s, < 0.6 s

Usage: python benchmarks/run.py [a b c d] [--skip-reference-c]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gif_size  # noqa: E402
import kmeans_step  # noqa: E402

PYTHON = sys.executable
CLI = [PYTHON, "-m", "clusteranim"]
REFERENCE = [PYTHON, str(ROOT / "benchmarks" / "reference.py")]


def tree_pss(pid: int) -> int:
    """Proportional set size in bytes of ``pid`` and all its descendants."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_once(command: list[str], sample_memory: bool, timeout: float = 1800) -> tuple[float, int]:
    """Wall time of one process run to completion and, if asked, its peak tree memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        if sample_memory:
            peak = max(peak, tree_pss(process.pid))
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            if time.perf_counter() - started > timeout:
                process.kill()
                raise RuntimeError(f"timed out: {' '.join(command)}") from None
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        message = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{' '.join(command)} failed: {message}")
    return seconds, peak


def measure(command: list[str], separate_memory_run: bool = True) -> dict[str, float]:
    """Wall time (of a run left alone: sampling memory costs CPU that a process using every
    core would miss) and peak tree memory (of a second, sampled run)."""
    seconds, peak = run_once(command, sample_memory=not separate_memory_run)
    if separate_memory_run:
        peak = run_once(command, sample_memory=True)[1]
    return {"seconds": round(seconds, 2), "peak_mib": round(peak / 2**20, 1)}


def median_seconds(commands: list[list[str]], repeats: int) -> list[float]:
    """The median wall time of each command over ``repeats`` rounds, the commands taking
    turns within a round so that a slow spell of the machine falls on both."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for timing, command in zip(times, commands, strict=True):
            timing.append(run_once(command, sample_memory=False)[0])
    return [round(float(np.median(timing)), 2) for timing in times]


def write_scenario(folder: Path, name: str, scenario: dict[str, object]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps(scenario))
    return path


def trace_of(scenario: Path, folder: Path) -> Path:
    target = folder / (scenario.stem + ".npz")
    subprocess.run([*CLI, "trace", str(scenario), "-o", str(target)], check=True, cwd=ROOT)
    return target


def compare(
    name: str,
    ours: list[str],
    reference: list[str] | None,
    outputs: tuple[Path, Path | None],
    repeats: int = 1,
) -> dict[str, object]:
    """Both commands' figures and their ratios; with ``repeats`` > 1 the wall times are
    medians of that many interleaved runs (for cases short enough to be at the mercy of
    the machine's noise)."""
    result: dict[str, object] = {"case": name, "clusteranim": measure(ours)}
    result["clusteranim"]["bytes"] = outputs[0].stat().st_size  # type: ignore[index]
    if reference is not None and outputs[1] is not None:
        # The reference uses one core; sampling from the other does not slow it.
        result["reference"] = measure(reference, separate_memory_run=False)
        result["reference"]["bytes"] = outputs[1].stat().st_size  # type: ignore[index]
        if repeats > 1:
            medians = median_seconds([ours, reference], repeats)
            result["clusteranim"]["seconds"], result["reference"]["seconds"] = medians  # type: ignore[index]
            result["timing"] = f"median of {repeats} interleaved runs"
        for key in ("seconds", "peak_mib", "bytes"):
            ratio = result["clusteranim"][key] / result["reference"][key]  # type: ignore[index]
            result[f"{key}_ratio"] = round(ratio, 3)
        result["speedup"] = round(1 / result["seconds_ratio"], 2)  # type: ignore[operator]
    return result


def case_a(folder: Path) -> dict[str, object]:
    scenario = ROOT / "configs" / "02_gmm_em.yaml"
    trace = trace_of(scenario, folder)
    ours, theirs = folder / "a.gif", folder / "a_reference.gif"
    result = compare(
        "a: classic EM, 41 frames, 600x600 GIF",
        [*CLI, "render", str(scenario), "-o", str(ours), "-q"],
        [*REFERENCE, str(trace), str(theirs), "--fps", "3"],
        (ours, theirs),
        repeats=5,
    )
    result["targets"] = {"speedup": ">= 4", "bytes_ratio": "<= 0.4"}
    result["pass"] = result["speedup"] >= 4 and result["bytes_ratio"] <= 0.4  # type: ignore[operator]
    return result


B_SCENARIO = {
    "seed": 6,
    "data": {"generator": "blobs", "n_samples": 600, "centers": 5, "cluster_std": 1.6},
    "algorithm": {"name": "kmeans", "k": 5, "init": "random", "max_iter": 30},
    "style": {"width": 600, "height": 600, "layers": ["points", "trails", "centroids", "title"]},
    "output": {"path": "b.mp4", "fps": 30},
}


def case_b(folder: Path) -> dict[str, object]:
    probe = write_scenario(folder, "b_probe", B_SCENARIO)
    with np.load(trace_of(probe, folder)) as arrays:
        n_iter = int(arrays["n_iter"])
    tween = max(0, round(300 / n_iter) - 1)
    scenario = write_scenario(folder, "b", {**B_SCENARIO, "output": {**B_SCENARIO["output"], "tween": tween}})
    trace = trace_of(scenario, folder)
    ours, theirs = folder / "b.mp4", folder / "b_reference.mp4"
    n_frames = n_iter * (tween + 1) + 1
    result = compare(
        f"b: k-means, {n_iter} iterations tweened x{tween + 1} = {n_frames} frames, 600x600 MP4",
        [*CLI, "render", str(scenario), "-o", str(ours), "-q"],
        [*REFERENCE, str(trace), str(theirs), "--fps", "30", "--tween", str(tween)],
        (ours, theirs),
    )
    result["targets"] = {"speedup": ">= 8"}
    result["pass"] = result["speedup"] >= 8  # type: ignore[operator]
    return result


C_SCENARIO = {
    "seed": 1,
    "data": {"generator": "blobs", "n_samples": 1_000_000, "centers": 8, "cluster_std": 2.5},
    "algorithm": {"name": "kmeans", "k": 8, "init": "random", "max_iter": 30, "tol": 0},
    "style": {"width": 600, "height": 600, "layers": ["points", "centroids", "title"]},
    "output": {"path": "c.mp4", "fps": 4},
}


def case_c(folder: Path, with_reference: bool) -> dict[str, object]:
    scenario = write_scenario(folder, "c", C_SCENARIO)
    ours, theirs = folder / "c.mp4", folder / "c_reference.mp4"
    reference = None
    if with_reference:
        trace = trace_of(scenario, folder)
        reference = [*REFERENCE, str(trace), str(theirs), "--fps", "4"]
    result = compare(
        "c: 1,000,000 points, k = 8, 30 iterations, 600x600 MP4",
        [*CLI, "render", str(scenario), "-o", str(ours), "-q"],
        reference,
        (ours, theirs if with_reference else None),
    )
    ours_figures = result["clusteranim"]
    result["targets"] = {"seconds": "<= 12", "peak_mib": "<= 1536"}
    result["pass"] = ours_figures["seconds"] <= 12 and ours_figures["peak_mib"] <= 1536  # type: ignore[index]
    return result


def best_of(command: list[str], repeats: int = 5) -> float:
    return round(min(run_once(command, sample_memory=False)[0] for _ in range(repeats)), 3)


def case_d() -> dict[str, object]:
    scenario = ROOT / "configs" / "02_gmm_em.yaml"
    bare = [PYTHON, "-c", "pass"]
    pyplot = [PYTHON, "-c", "import matplotlib.pyplot"]
    result: dict[str, object] = {
        "case": "d: start-up (best of 5)",
        "clusteranim --help": best_of([*CLI, "--help"]),
        "clusteranim validate": best_of([*CLI, "validate", str(scenario), "-q"]),
        "python -c pass": best_of(bare),
        "python -c 'import matplotlib.pyplot'": best_of(pyplot),
        "targets": {"--help": "< 0.3 s", "validate": "< 0.6 s"},
    }
    result["pass"] = result["clusteranim --help"] < 0.3 and result["clusteranim validate"] < 0.6  # type: ignore[operator]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", default=["a", "b", "c", "d", "kmeans_step", "gif_size"])
    parser.add_argument("--skip-reference-c", action="store_true", help="c's reference takes minutes")
    arguments = parser.parse_args()
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    print(f"# {platform.node()}: {machine}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runners = {
            "a": lambda: case_a(folder),
            "b": lambda: case_b(folder),
            "c": lambda: case_c(folder, not arguments.skip_reference_c),
            "d": case_d,
            "kmeans_step": kmeans_step.main,
            "gif_size": gif_size.main,
        }
        for case in arguments.cases:
            print(json.dumps(runners[case](), indent=2), flush=True)


if __name__ == "__main__":
    main()
