"""Run every benchmark and print the figures side by side (``make bench``).

Each rendering case runs clusteranim and a plain matplotlib reference drawing the same
scene as whole processes, one after the other in the same run, and prints one JSON object
per case with wall times, the ratio (``speedup``), output sizes, its ``targets`` and
whether it meets them (``pass``). The references:

- ``benchmarks/seed001_reference.py`` (case a): the team's anchor for the classic EM
  scene, copied verbatim from /work/shared/bench (not project code): its own EM on its
  own 400 points, FuncAnimation + PillowWriter, 41 frames, 600x600.
- ``benchmarks/reference.py`` (cases b, c): FuncAnimation over the iterations of a trace
  archive (``clusteranim trace``), full redraw per frame, PillowWriter or FFMpegWriter.
- ``benchmarks/hd_reference.py`` (HD cases): artists built once, ``canvas.draw()`` per
  frame, RGBA piped to imageio-ffmpeg's ffmpeg with clusteranim's x264 settings; regions
  by nearest centre over every pixel, density clouds by a weighted histogram on the pixel
  grid blurred by a Gaussian (``scipy.signal.fftconvolve``), full-resolution ``imshow``;
  tweened as clusteranim tweens, so both sides have the same frames. It needs scipy
  (installed with the test extras, through scikit-learn).

Cases a, b, c also report peak memory (the proportional set size of the whole process
tree, sampled every 50 ms in a second run, so worker processes count).

Cases (targets from the speed issues):
  a           classic EM, 400 points, 41 frames, 600x600 GIF,    >= 4x faster, GIF <= 0.4x
              against seed001_reference.py (median of 5 interleaved runs; checks that
              both GIFs have the same frame size and count)
  b           k-means tweened to about 300 frames, 600x600 MP4   >= 8x faster
  c           1,000,000 points, k = 8, 30 iterations, 600x600 MP4 <= 12 s, <= 1.5 GiB
  d           start-up: clusteranim --help, clusteranim validate  < 0.3 s, < 0.6 s
  hd_regions  k-means k = 6 on 20,000 blobs, regions + points + centroids + trails +
              title, tweened to about 240 frames, 1920x1080 MP4    <= 12 s, >= 8x faster
  hd_density  GMM (full covariances) k = 5 on 20,000 points of a 5-component mixture,
              density + points by responsibility + ellipses + title, about 240
              frames, 1920x1080 MP4                                <= 15 s, >= 8x faster
  hd_4k       the hd_regions scene at 3840x2160, about 60 frames: its drawing cost per
              frame at most 4x that of hd_regions at 1080p (the reference only with
              --hd-4k-reference: the target does not need it)
  kmeans_step, gif_size: in-process micro-benchmarks (see those modules)
  algorithms: each new algorithm's trace against a reference fit (benchmarks/algorithms.py)
  panels      four panels of 640x480 against one, whole renders       <= 4x (benchmarks/panels.py)
  cluster     a Dask LocalCluster of 2 workers: 20 scenarios by batch --scheduler against
              sequential (>= 1.5x), a long render's frame ranges against --jobs 2
              (reported); same bytes (benchmarks/cluster.py)

The HD cases run clusteranim 3 times (the median counts; the reference runs once, after
the first). The targets are for 2 cores: run on the machine they are meant for. Each
also prints ``ms_per_frame`` (whole process / frames) for both sides, and
``drawing_ms_per_frame``: for clusteranim the time beyond its fixed cost (imports, data,
scene, ffmpeg start-up), measured by a render of the same scene cut to 2 frames; for the
reference its own frame loop's time per frame. hd_4k's target compares drawing costs
(whole-process time per frame would charge the fixed cost to 60 frames at 4K and to 240
at 1080p). Both sides encode exactly the frames of the schedule (``hold_last: 0``).

--quick (the default; --no-quick to turn it off): the HD references take minutes (about
1.5 and 5 minutes for hd_regions and hd_density, 1.5 for hd_4k, on 2 cores), so they draw
every third frame of the same schedule, and their time is scaled up to every frame: the
run's wall time plus its own frame-loop time per frame for each frame it skipped. The JSON says so
("timing": "scaled from N frames ..."). hd_4k's reference is skipped unless
--hd-4k-reference is given.

Usage: python benchmarks/run.py [CASE ...] [--skip-reference-c] [--no-quick] [--hd-4k-reference]
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

import algorithms  # noqa: E402
import cluster  # noqa: E402
import gif_size  # noqa: E402
import kmeans_step  # noqa: E402
import panels  # noqa: E402

PYTHON = sys.executable
CLI = [PYTHON, "-m", "clusteranim"]
REFERENCE = [PYTHON, str(ROOT / "benchmarks" / "reference.py")]
SEED001_REFERENCE = [PYTHON, str(ROOT / "benchmarks" / "seed001_reference.py")]
HD_REFERENCE = [PYTHON, str(ROOT / "benchmarks" / "hd_reference.py")]


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


def gif_shape(path: Path) -> dict[str, object]:
    """Frame size, frame count and running time (seconds) of a GIF."""
    from PIL import Image

    with Image.open(path) as gif:
        milliseconds = 0
        for index in range(gif.n_frames):
            gif.seek(index)
            milliseconds += gif.info.get("duration", 0)
        return {"size": list(gif.size), "frames": gif.n_frames, "seconds_shown": milliseconds / 1000}


def case_a(folder: Path) -> dict[str, object]:
    scenario = ROOT / "configs" / "02_gmm_em.yaml"
    ours, theirs = folder / "a.gif", folder / "a_reference.gif"
    result = compare(
        "a: classic EM, 41 frames, 600x600 GIF, against seed001_reference.py",
        [*CLI, "render", str(scenario), "-o", str(ours), "-q"],
        [*SEED001_REFERENCE, str(theirs)],
        (ours, theirs),
        repeats=5,
    )
    shapes = {"clusteranim": gif_shape(ours), "reference": gif_shape(theirs)}
    result["scene"] = shapes
    same = all(shapes["clusteranim"][key] == shapes["reference"][key] for key in ("size", "frames"))
    result["same_size_and_frames"] = same
    if not same:
        result["note"] = "the two GIFs differ in frame size or frame count: not the same scene"
    elif shapes["clusteranim"]["seconds_shown"] != shapes["reference"]["seconds_shown"]:
        result["note"] = (
            "same frames; the running times differ (02_gmm_em.yaml holds the last frame"
            " for output.hold_last seconds, the reference does not)"
        )
    result["targets"] = {"speedup": ">= 4", "bytes_ratio": "<= 0.4"}
    result["pass"] = same and result["speedup"] >= 4 and result["bytes_ratio"] <= 0.4  # type: ignore[operator]
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


HD_REGIONS = {
    "seed": 2,
    "data": {"generator": "blobs", "n_samples": 20_000, "centers": 6, "cluster_std": 2.0},
    "algorithm": {"name": "kmeans", "k": 6, "init": "random", "max_iter": 20, "tol": 0},
    "style": {"width": 1920, "height": 1080, "layers": ["regions", "points", "centroids", "trails", "title"]},
    # No hold on the last frame: both sides encode exactly the frames of the schedule.
    "output": {"path": "hd_regions.mp4", "fps": 30, "hold_last": 0},
}

HD_DENSITY = {
    "seed": 4,
    "data": {
        "generator": "gaussian_mixture",
        "n_samples": 20_000,
        "means": [[0, 0], [5, 4], [-5, 4], [4, -4], [-4, -5]],
        "covariances": [
            [[1.6, 0.5], [0.5, 1.0]],
            [[1.2, -0.4], [-0.4, 1.2]],
            [[1.0, 0.0], [0.0, 1.8]],
            [[2.0, 0.8], [0.8, 1.0]],
            [[0.8, -0.3], [-0.3, 1.4]],
        ],
        "weights": [0.3, 0.2, 0.2, 0.15, 0.15],
    },
    "algorithm": {
        "name": "gmm",
        "k": 5,
        "covariance_type": "full",
        "init": "random",
        "max_iter": 30,
        "tol": 0,
    },
    "style": {
        "width": 1920,
        "height": 1080,
        "layers": ["density", {"points": {"color_by": "responsibility"}}, "ellipses", "title"],
    },
    "output": {"path": "hd_density.mp4", "fps": 30, "hold_last": 0},
}

HD_4K = {
    **HD_REGIONS,
    "style": {**HD_REGIONS["style"], "width": 3840, "height": 2160},  # type: ignore[dict-item]
    "output": {**HD_REGIONS["output"], "path": "hd_4k.mp4"},  # type: ignore[dict-item]
}

#: The HD references draw every QUICK_EVERY-th frame under --quick (the default).
QUICK_EVERY = 3


def tweened(
    folder: Path, name: str, base: dict[str, object], frames: int
) -> tuple[Path, Path, int, int, int]:
    """The scenario ``base`` tweened to about ``frames`` frames, written to ``folder``, and
    its trace (which tweening does not change): (scenario, trace, iterations, tween, frames)."""
    trace = trace_of(write_scenario(folder, f"{name}_probe", base), folder)
    with np.load(trace) as arrays:
        n_iter = int(arrays["n_iter"])
    tween = max(0, round((frames - 1) / n_iter) - 1)
    output = {**base["output"], "tween": tween}  # type: ignore[dict-item]
    scenario = write_scenario(folder, name, {**base, "output": output})
    return scenario, trace, n_iter, tween, n_iter * (tween + 1) + 1


def ours_hd(scenario: Path, output: Path, frames: int, between: list[str] | None, repeats: int = 3) -> dict:
    """clusteranim's whole-process time on ``scenario`` (median of ``repeats`` runs, the
    command ``between`` run once after the first of them), and its cost per frame beyond
    the fixed cost, which a render of the same scene cut to 2 frames (one iteration, no
    tweening; median of ``repeats``) measures: imports, data, scene, ffmpeg start-up."""
    render = [*CLI, "render", str(scenario), "-o", str(output), "-q"]
    runs = [run_once(render, sample_memory=False)[0]]
    between_seconds = run_once(between, sample_memory=False, timeout=3600)[0] if between else None
    runs += [run_once(render, sample_memory=False)[0] for _ in range(repeats - 1)]
    short = [*render[:-3], "-o", str(output.with_suffix(".short.mp4")), "-q"]
    short += ["--set", "algorithm.max_iter=1", "--set", "output.tween=0"]
    fixed = float(np.median([run_once(short, sample_memory=False)[0] for _ in range(repeats)]))
    seconds = float(np.median(runs))
    figures = {
        "seconds": round(seconds, 2),
        "ms_per_frame": round(1000 * seconds / frames, 1),
        "fixed_seconds": round(fixed, 2),
        "drawing_ms_per_frame": round(1000 * (seconds - fixed) / (frames - 2), 1),
        "runs": [round(run, 2) for run in runs],
        "timing": f"median of {repeats} runs" + (", the reference's run after the first" if between else ""),
        "bytes": output.stat().st_size,
        "frames_in_file": imageio_ffmpeg_frames(output),
    }
    return {"figures": figures, "between_seconds": between_seconds}


def imageio_ffmpeg_frames(path: Path) -> int:
    import imageio_ffmpeg

    return int(imageio_ffmpeg.count_frames_and_secs(str(path))[0])


def reference_hd(
    trace: Path,
    scene: str,
    size: tuple[int, int],
    tween: int,
    frames: int,
    quick: bool,
    folder: Path,
    name: str,
) -> tuple[list[str], Path, Path]:
    """The command that renders the plain-matplotlib reference, its output and stats file."""
    output, stats = folder / f"{name}_reference.mp4", folder / f"{name}_reference.json"
    command = [*HD_REFERENCE, str(trace), str(output), "--scene", scene, "--width", str(size[0])]
    command += ["--height", str(size[1]), "--fps", "30", "--tween", str(tween), "--stats", str(stats)]
    if quick:
        command += ["--every", str(QUICK_EVERY)]
    return command, output, stats


def reference_figures(seconds: float, output: Path, stats_path: Path, frames: int) -> dict[str, object]:
    """The reference's whole-process time, scaled to every frame when it drew only some:
    its wall time plus its own frame-loop time per frame for each frame it skipped."""
    stats = json.loads(stats_path.read_text())
    drawn = stats["frames_drawn"]
    per_frame = stats["loop_seconds"] / drawn
    total = seconds + per_frame * (frames - drawn)
    figures: dict[str, object] = {
        "seconds": round(total, 2),
        "ms_per_frame": round(1000 * total / frames, 1),
        "drawing_ms_per_frame": round(1000 * per_frame, 1),
        "frames_drawn": drawn,
        "bytes": output.stat().st_size,
        "frames_in_file": imageio_ffmpeg_frames(output),
    }
    if drawn < frames:
        figures["timing"] = (
            f"scaled from {drawn} frames: one run drawing every {QUICK_EVERY}rd frame took"
            f" {seconds:.2f} s; its frame loop's time per frame is added for the {frames - drawn}"
            " frames it skipped (--no-quick runs them all)"
        )
    else:
        figures["timing"] = "one run"
    return figures


def hd_case(
    folder: Path,
    name: str,
    title: str,
    base: dict[str, object],
    frames_wanted: int,
    scene: str,
    quick: bool,
    with_reference: bool = True,
) -> dict[str, object]:
    scenario, trace, n_iter, tween, frames = tweened(folder, name, base, frames_wanted)
    style = base["style"]
    size = (style["width"], style["height"])  # type: ignore[index]
    reference, reference_output, stats = reference_hd(trace, scene, size, tween, frames, quick, folder, name)
    measured = ours_hd(scenario, folder / f"{name}.mp4", frames, reference if with_reference else None)
    result: dict[str, object] = {
        "case": f"{name}: {title}, {n_iter} iterations tweened x{tween + 1} = {frames} frames,"
        f" {size[0]}x{size[1]} MP4",
        "frames": frames,
        "cores": os.cpu_count(),
        "clusteranim": measured["figures"],
    }
    notes = []
    if os.cpu_count() != 2:
        notes.append(f"the targets are for 2 cores; this machine has {os.cpu_count()}")
    if measured["figures"]["frames_in_file"] != frames:
        notes.append(f"clusteranim's MP4 has {measured['figures']['frames_in_file']} frames, not {frames}")
    if with_reference:
        figures = reference_figures(measured["between_seconds"], reference_output, stats, frames)
        result["reference"] = figures
        if figures["frames_in_file"] != figures["frames_drawn"]:
            notes.append(
                f"the reference's MP4 has {figures['frames_in_file']} frames, not {figures['frames_drawn']}"
            )
        ratio = measured["figures"]["seconds"] / figures["seconds"]  # type: ignore[operator]
        result["seconds_ratio"] = round(ratio, 3)
        result["speedup"] = round(1 / ratio, 2)
    if notes:
        result["note"] = "; ".join(notes)
    return result


def hd_goals(result: dict[str, object], seconds: float) -> dict[str, object]:
    """The HD goals: at most ``seconds`` whole process and at least 8x the reference."""
    ours = result["clusteranim"]
    result["targets"] = {"seconds": f"<= {seconds:g}", "speedup": ">= 8"}
    result["pass"] = ours["seconds"] <= seconds and result["speedup"] >= 8  # type: ignore[index,operator]
    return result


def case_hd_regions(folder: Path, quick: bool) -> dict[str, object]:
    scene = "k-means regions, 20,000 points"
    return hd_goals(hd_case(folder, "hd_regions", scene, HD_REGIONS, 240, "regions", quick), 12)


def case_hd_density(folder: Path, quick: bool) -> dict[str, object]:
    scene = "GMM density clouds, 20,000 points"
    return hd_goals(hd_case(folder, "hd_density", scene, HD_DENSITY, 240, "density", quick), 15)


def case_hd_4k(
    folder: Path, quick: bool, with_reference: bool, hd: dict[str, object] | None
) -> dict[str, object]:
    """The regions scene at 3840x2160: its cost per frame against the same scene's at 1080p
    (``hd``, hd_regions' result when it ran in this invocation, else measured here)."""
    result = hd_case(
        folder, "hd_4k", "k-means regions, 20,000 points", HD_4K, 60, "regions", quick, with_reference
    )
    if hd is None:
        scenario, _, _, _, frames = tweened(folder, "hd_4k_1080p", HD_REGIONS, 240)
        hd_figures = ours_hd(scenario, folder / "hd_4k_1080p.mp4", frames, None)["figures"]
    else:
        hd_figures = hd["clusteranim"]  # type: ignore[assignment]
    ours = result["clusteranim"]
    ratio = ours["drawing_ms_per_frame"] / hd_figures["drawing_ms_per_frame"]  # type: ignore[index]
    result["1080p"] = {key: hd_figures[key] for key in ("seconds", "ms_per_frame", "drawing_ms_per_frame")}
    result["per_frame_ratio_to_1080p"] = round(ratio, 2)
    whole_ratio = ours["ms_per_frame"] / hd_figures["ms_per_frame"]  # type: ignore[index]
    result["whole_process_per_frame_ratio_to_1080p"] = round(whole_ratio, 2)
    if not with_reference:
        result["reference"] = "skipped (takes minutes at 4K; --hd-4k-reference runs it)"
    result["targets"] = {"per_frame_ratio_to_1080p": "<= 4 (drawing_ms_per_frame: beyond the fixed cost)"}
    result["pass"] = ratio <= 4
    return result


DEFAULT_CASES = [
    "a",
    "b",
    "c",
    "d",
    "hd_regions",
    "hd_density",
    "hd_4k",
    "kmeans_step",
    "gif_size",
    "algorithms",
    "panels",
    "cluster",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", default=DEFAULT_CASES, help=f"default: {' '.join(DEFAULT_CASES)}")
    parser.add_argument("--skip-reference-c", action="store_true", help="c's reference takes minutes")
    parser.add_argument(
        "--quick",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"the HD references draw every {QUICK_EVERY}rd frame and are scaled up (default: on)",
    )
    parser.add_argument("--hd-4k-reference", action="store_true", help="also run hd_4k's reference (minutes)")
    arguments = parser.parse_args()
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    print(f"# {platform.node()}: {machine}")
    started = time.perf_counter()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runners = {
            "a": lambda: case_a(folder),
            "b": lambda: case_b(folder),
            "c": lambda: case_c(folder, not arguments.skip_reference_c),
            "d": case_d,
            "hd_regions": lambda: case_hd_regions(folder, arguments.quick),
            "hd_density": lambda: case_hd_density(folder, arguments.quick),
            "hd_4k": lambda: case_hd_4k(
                folder, arguments.quick, arguments.hd_4k_reference, results.get("hd_regions")
            ),
            "kmeans_step": kmeans_step.main,
            "gif_size": gif_size.main,
            "algorithms": algorithms.main,
            "panels": panels.main,
            "cluster": cluster.main,
        }
        for case in arguments.cases:
            case_started = time.perf_counter()
            found = runners[case]()
            each_case = found if isinstance(found, list) else [found]
            for each in each_case:
                print(json.dumps(each, indent=2))
            results[case] = each_case[0]
            print(f"# {case}: {time.perf_counter() - case_started:.0f} s", flush=True)
    print(f"# {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
