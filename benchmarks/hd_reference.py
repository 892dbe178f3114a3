"""The plain matplotlib way to draw the HD scenes (``run.py`` cases hd_regions, hd_density, hd_4k).

What a competent user would write in an afternoon without clusteranim: one figure with
its artists built once, updated and redrawn in full with ``canvas.draw()`` for every
frame, the RGBA buffer piped to the ffmpeg binary imageio-ffmpeg ships, encoded with the
same x264 settings as clusteranim's MP4 writer (``clusteranim/writers/video.py``:
libx264, preset veryfast, tune animation, CRF 20, 2 threads, yuv420p).

It reads the iterations from a trace archive (``clusteranim trace``), so both sides draw
the same states, and tweens them the way clusteranim does: ``--tween`` frames between two
iterations, centres (and covariances and weights) moving linearly, assignments switching
halfway, soft assignments blended linearly; the frame count is therefore the same.

Scenes (``--scene``):
  regions  k-means: decision regions by nearest centre, computed for every pixel of the
           axes each frame (``scipy.spatial.distance.cdist`` and ``argmin``), shown with a
           full-resolution ``imshow`` (alpha 0.3); the points as one scatter coloured by
           assignment; centroids as one scatter; each centroid's trail as a line; title.
  density  GMM: per-cluster density clouds as a histogram of the points on the axes'
           pixel grid weighted by their responsibilities (``np.histogram2d``) blurred by
           a Gaussian kernel (Scott's bandwidth, truncated at 4 sigma, built once) with
           ``scipy.signal.fftconvolve``, each scaled to its own peak and blended by
           intensity, shown with a full-resolution ``imshow``; the points as one scatter
           coloured by responsibility; 2-sigma covariance ellipses as patches; title.

``--every K`` draws only every K-th frame of the schedule (``run.py --quick``), and
``--stats FILE`` writes how long setting up and the frame loop took, as JSON, so the
whole run can be scaled to every frame.

Usage: python benchmarks/hd_reference.py TRACE.npz OUTPUT.mp4 --scene regions|density
       [--width W] [--height H] [--fps F] [--tween N] [--every K] [--stats FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import time

started = time.perf_counter()

import imageio_ffmpeg  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402
from reference import responsibilities  # noqa: E402  (the same E-step as the other reference)

ALPHA_REGIONS = 0.3
ALPHA_DENSITY = 0.85
ALPHA_POINTS = 0.85


def gaussian_kernel(sigma_rows: float, sigma_columns: float) -> np.ndarray:
    rows = np.arange(-int(4 * sigma_rows), int(4 * sigma_rows) + 1)
    columns = np.arange(-int(4 * sigma_columns), int(4 * sigma_columns) + 1)
    kernel = np.outer(np.exp(-0.5 * (rows / sigma_rows) ** 2), np.exp(-0.5 * (columns / sigma_columns) ** 2))
    return kernel / kernel.sum()


class Regions:
    """k-means: decision regions, points by assignment, centroids, trails."""

    def __init__(self, axes: Axes, arrays: np.lib.npyio.NpzFile, colors: np.ndarray) -> None:
        from scipy.spatial.distance import cdist

        self.cdist = cdist
        self.X, self.centers, self.labels = arrays["X"], arrays["centers"], arrays["labels"]
        self.colors = colors
        self.image = axes.imshow(np.zeros((1, 1, 4)), origin="lower", interpolation="nearest", zorder=2)
        self.points = axes.scatter(
            self.X[:, 0], self.X[:, 1], s=12, linewidths=0, alpha=ALPHA_POINTS, zorder=3
        )
        first = self.centers[0]
        self.marks = axes.scatter(
            first[:, 0], first[:, 1], s=160, c=colors, edgecolors="black", linewidths=1.5, zorder=4
        )
        self.trails = [
            axes.plot([], [], color=color, linewidth=1.5, alpha=0.8, marker="o", markersize=3, zorder=5)[0]
            for color in colors
        ]

    def on_grid(self, extent: tuple[float, float, float, float], rows: int, columns: int) -> None:
        x0, x1, y0, y1 = extent
        xs = x0 + (np.arange(columns) + 0.5) * (x1 - x0) / columns
        ys = y0 + (np.arange(rows) + 0.5) * (y1 - y0) / rows
        self.pixels = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        self.shape = (rows, columns, 4)
        self.lookup = np.round(self.colors * 255).astype(np.uint8)
        self.lookup[:, 3] = round(ALPHA_REGIONS * 255)

    def update(self, step: int, fraction: float, shown: int) -> None:
        centers = self.centers
        after = min(step + 1, len(centers) - 1)
        means = (1 - fraction) * centers[step] + fraction * centers[after]
        nearest = self.cdist(self.pixels, means, "sqeuclidean").argmin(axis=1)
        self.image.set_data(self.lookup[nearest].reshape(self.shape))
        self.points.set_facecolor(self.colors[self.labels[shown]])
        self.marks.set_offsets(means)
        path = centers[: step + 1] if fraction == 0 else np.concatenate([centers[: step + 1], means[None]])
        for cluster, trail in enumerate(self.trails):
            trail.set_data(path[:, cluster, 0], path[:, cluster, 1])


class Density:
    """GMM: density clouds, points by responsibility, 2-sigma ellipses."""

    def __init__(self, axes: Axes, arrays: np.lib.npyio.NpzFile, colors: np.ndarray) -> None:
        from scipy.signal import fftconvolve

        self.fftconvolve = fftconvolve
        self.X, self.centers = arrays["X"], arrays["centers"]
        self.covariances, weights = arrays["covariances"], arrays["weights"]
        self.colors = colors
        self.memberships = [
            responsibilities(self.X, *state)
            for state in zip(self.centers, self.covariances, weights, strict=True)
        ]
        self.image = axes.imshow(np.zeros((1, 1, 4)), origin="lower", interpolation="nearest", zorder=2)
        self.points = axes.scatter(
            self.X[:, 0], self.X[:, 1], s=12, linewidths=0, alpha=ALPHA_POINTS, zorder=3
        )
        self.ellipses = [
            Ellipse((0, 0), 0, 0, fill=False, edgecolor=(*color[:3], 0.9), linewidth=2, zorder=4)
            for color in colors
        ]
        for ellipse in self.ellipses:
            axes.add_patch(ellipse)

    def on_grid(self, extent: tuple[float, float, float, float], rows: int, columns: int) -> None:
        x0, x1, y0, y1 = extent
        self.rows, self.columns, self.range = rows, columns, ((y0, y1), (x0, x1))
        pixel_width, pixel_height = (x1 - x0) / columns, (y1 - y0) / rows
        bandwidth = float(np.mean(np.std(self.X, axis=0))) * len(self.X) ** (-1 / 6)  # Scott's rule
        sigma_rows = min(bandwidth / pixel_height, 2.0 * rows)
        sigma_columns = min(bandwidth / pixel_width, 2.0 * columns)
        self.kernel = gaussian_kernel(sigma_rows, sigma_columns)

    def update(self, step: int, fraction: float, shown: int) -> None:
        after = min(step + 1, len(self.centers) - 1)
        membership = (1 - fraction) * self.memberships[step] + fraction * self.memberships[after]
        total = np.zeros((self.rows, self.columns))
        mixed = np.zeros((self.rows, self.columns, 3))
        for cloud, color in enumerate(self.colors):
            counts, _, _ = np.histogram2d(
                self.X[:, 1],
                self.X[:, 0],
                bins=(self.rows, self.columns),
                range=self.range,
                weights=membership[:, cloud],
            )
            blurred = self.fftconvolve(counts, self.kernel, mode="same")
            peak = blurred.max()
            if peak <= 0:
                continue
            intensity = np.clip(blurred / peak, 0, 1)
            total += intensity
            mixed += intensity[:, :, None] * color[:3]
        rgba = np.zeros((self.rows, self.columns, 4))
        rgba[:, :, :3] = mixed / np.maximum(total, 1e-12)[:, :, None]
        rgba[:, :, 3] = ALPHA_DENSITY * np.clip(total, 0, 1)
        self.image.set_data(rgba)
        self.points.set_facecolor(np.clip(membership @ self.colors, 0, 1))
        means = (1 - fraction) * self.centers[step] + fraction * self.centers[after]
        covariances = (1 - fraction) * self.covariances[step] + fraction * self.covariances[after]
        for ellipse, mean, covariance in zip(self.ellipses, means, covariances, strict=True):
            values, vectors = np.linalg.eigh(covariance)
            ellipse.set_center(mean)
            ellipse.set_width(4 * np.sqrt(values[1]))  # 2 sigma either side
            ellipse.set_height(4 * np.sqrt(values[0]))
            ellipse.set_angle(np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1])))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("output")
    parser.add_argument("--scene", choices=["regions", "density"], required=True)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=float, default=30)
    parser.add_argument("--tween", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="draw only every K-th frame")
    parser.add_argument("--stats", help="write setup and frame-loop timings here (JSON)")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()

    arrays = np.load(arguments.trace)
    X, centers = arrays["X"], arrays["centers"]
    name = str(arrays["display_name"])
    n_states, k = centers.shape[:2]
    steps = [
        (t, part / (arguments.tween + 1)) for t in range(n_states - 1) for part in range(arguments.tween + 1)
    ]
    steps.append((n_states - 1, 0.0))
    n_frames = len(steps)
    steps = steps[:: arguments.every]

    # The figure and every artist, once.
    figure, axes = plt.subplots(figsize=(arguments.width / 100, arguments.height / 100), dpi=100)
    colors = plt.get_cmap("tab10")(np.arange(k))
    scene = (Density if arguments.scene == "density" else Regions)(axes, arrays, colors)
    every_center = centers.reshape(-1, 2)
    low = np.minimum(X.min(axis=0), every_center.min(axis=0))
    high = np.maximum(X.max(axis=0), every_center.max(axis=0))
    pad = 0.05 * (high - low)
    axes.set_xlim(low[0] - pad[0], high[0] + pad[0])
    axes.set_ylim(low[1] - pad[1], high[1] + pad[1])
    axes.set_aspect("equal", adjustable="datalim")  # widen the limits to fill the axes
    logging.getLogger("matplotlib.axes._base").setLevel(logging.ERROR)  # "Ignoring fixed x limits"
    title = axes.set_title(f"{name}, iteration {n_states - 1}", fontsize="large")
    figure.tight_layout()
    figure.canvas.draw()

    # The axes' pixels, for the per-pixel layer.
    box = axes.get_window_extent()
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    scene.image.set_extent((x0, x1, y0, y1))
    scene.on_grid((x0, x1, y0, y1), round(box.height), round(box.width))

    width, height = figure.canvas.get_width_height()
    encoder = subprocess.Popen(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(arguments.fps),
            "-i", "-", "-an", "-c:v", "libx264", "-preset", "veryfast", "-tune", "animation",
            "-crf", "20", "-threads", "2", "-movflags", "+faststart", "-pix_fmt", "yuv420p",
            arguments.output,
        ],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    assert encoder.stdin is not None
    loop_started = time.perf_counter()
    for step, fraction in steps:
        shown = step + 1 if fraction >= 0.5 else step
        scene.update(step, fraction, shown)
        title.set_text(f"{name}, iteration {shown}")
        figure.canvas.draw()
        encoder.stdin.write(figure.canvas.buffer_rgba())
    loop_ended = time.perf_counter()
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise SystemExit(f"ffmpeg failed with status {encoder.returncode}")
    if arguments.stats:
        timings = {
            "frames": n_frames,
            "frames_drawn": len(steps),
            "setup_seconds": loop_started - started,
            "loop_seconds": loop_ended - loop_started,
            "finish_seconds": time.perf_counter() - loop_ended,
        }
        with open(arguments.stats, "w") as stats:
            json.dump(timings, stats)


if __name__ == "__main__":
    main()
