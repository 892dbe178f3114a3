"""Work on a Dask cluster against the same work on this machine, whole commands timed
(median of 3, interleaved), the cluster started once beforehand as a real one would be:
a ``LocalCluster`` of 2 worker processes of one thread each, reached by its address,
started as the README advises (without the nanny's ``MALLOC_TRIM_THRESHOLD_``; one run
of the render case on workers with it shows what it costs).

- ``batch``: 20 scenarios (the first 20 of ``configs/``), ``clusteranim batch
  --scheduler ADDRESS`` against ``clusteranim batch --jobs 1`` (sequential) and
  ``--jobs 2`` (two local processes). Also one run of ``--scheduler local``, which
  starts (and stops) its own cluster inside the command.
- ``frames``: one long render (k-means k = 6 on 20,000 points, regions + points +
  centroids + trails + title, 1280x720, about 240 frames, MP4), ``clusteranim render
  --scheduler ADDRESS`` (frame ranges drawn by the workers, encoded here) against
  ``--jobs 2``.

Every output of the cluster is checked byte for byte against the local one.

Targets (on 2 cores): the batch on 2 workers at least 1.5x faster than sequential, and
every output the same bytes. The frame-range render's time against ``--jobs 2`` is
reported, not targeted: on one machine the same two cores draw either way, and the
cluster's frames cross a socket (3.7 MB each at 1280x720) where local workers' go
through shared memory; its point is more machines.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
LONG = {
    "seed": 7,
    "data": {"generator": "blobs", "n_samples": 20000, "centers": 6, "cluster_std": 1.2},
    "algorithm": {"name": "kmeans", "k": 6, "init": "random", "max_iter": 20, "tol": 0},
    "style": {
        "width": 1280,
        "height": 720,
        "layers": [{"regions": {"alpha": 0.25}}, "points", "trails", "centroids", "title"],
    },
    "output": {"fps": 24, "tween": 11, "hold_last": 0},
}


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "clusteranim", *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def interleaved(commands: dict[str, Callable[[int], float]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for number in range(RUNS):
        for name, command in commands.items():
            times[name].append(command(number))
    return times


def main() -> list[dict[str, object]]:
    import dask
    from distributed import LocalCluster

    scenarios = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "configs").glob("*.yaml"))[:20]]
    # Workers as the README starts them: without the nanny's MALLOC_TRIM_THRESHOLD_.
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ"), "MALLOC_TRIM_THRESHOLD_": None}
    with (
        tempfile.TemporaryDirectory() as name,
        dask.config.set({"distributed.nanny.pre-spawn-environ": environ}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
    ):
        folder = Path(name)
        address = cluster.scheduler_address

        def batch(label: str, *options: str) -> Callable[[int], float]:
            return lambda number: timed(
                "batch", *scenarios, "--out-dir", str(folder / f"{label}{number}"), *options
            )

        batches = interleaved(
            {
                "sequential": batch("sequential", "--jobs", "1"),
                "jobs_2": batch("jobs_2", "--jobs", "2"),
                "cluster": batch("cluster", "--scheduler", address),
            }
        )
        with_start = batch("local", "--scheduler", "local")(0)
        same_batch = files(folder / "cluster0") == files(folder / "sequential0") == files(folder / "local0")

        long = folder / "long.yaml"
        long.write_text(yaml.safe_dump(LONG), encoding="utf-8")
        renders = interleaved(
            {
                "jobs_2": lambda number: timed(
                    "render", str(long), "-o", str(folder / f"jobs{number}.mp4"), "-q"
                ),
                "cluster": lambda number: timed(
                    "render", str(long), "-o", str(folder / f"dask{number}.mp4"), "-q", "--scheduler", address
                ),
            }
        )
        same_render = (folder / "dask0.mp4").read_bytes() == (folder / "jobs0.mp4").read_bytes()
        # The same render on workers with Dask's default environment, once.
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as default:
            timed(
                "render",
                str(long),
                "-o",
                str(folder / "warm.mp4"),
                "-q",
                "--scheduler",
                default.scheduler_address,
            )
            default_s = timed(
                "render",
                str(long),
                "-o",
                str(folder / "d.mp4"),
                "-q",
                "--scheduler",
                default.scheduler_address,
            )
        frames = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "clusteranim",
                    "render",
                    str(long),
                    "-o",
                    str(folder / "n.mp4"),
                    "--json",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )["frames"]

    sequential, jobs_2, on_cluster = (
        statistics.median(batches[key]) for key in ("sequential", "jobs_2", "cluster")
    )
    speedup = sequential / on_cluster
    render_jobs, render_cluster = statistics.median(renders["jobs_2"]), statistics.median(renders["cluster"])
    overhead = render_cluster / render_jobs
    return [
        {
            "case": "dask_batch",
            "scene": f"{len(scenarios)} scenarios of configs/, 2 Dask workers (1 thread each) here",
            "sequential_s": round(sequential, 2),
            "jobs_2_s": round(jobs_2, 2),
            "cluster_s": round(on_cluster, 2),
            "scheduler_local_s": round(with_start, 2),
            "runs": {key: [round(value, 2) for value in values] for key, values in batches.items()},
            "speedup": round(speedup, 2),
            "same_bytes": same_batch,
            "targets": {"speedup": ">= 1.5 (against sequential)", "same_bytes": True},
            "pass": speedup >= 1.5 and same_batch,
        },
        {
            "case": "dask_frames",
            "scene": f"k-means k=6, 20,000 points, regions+points+trails+centroids+title,"
            f" 1280x720, {frames} frames, MP4",
            "jobs_2_s": round(render_jobs, 2),
            "cluster_s": round(render_cluster, 2),
            "runs": {key: [round(value, 2) for value in values] for key, values in renders.items()},
            "cluster_over_jobs_2": round(overhead, 2),
            "cluster_with_malloc_trim_threshold_s": round(default_s, 2),
            "same_bytes": same_render,
            "targets": {"same_bytes": True},
            "pass": same_render,
        },
    ]


if __name__ == "__main__":
    for case in main():
        print(json.dumps(case, indent=2))
