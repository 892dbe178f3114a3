"""The plain matplotlib way: FuncAnimation over recorded iterations, full redraw per frame.

This is what a user would script without clusteranim: pyplot, one scatter per frame,
the same layers (points coloured by assignment or responsibility, means, covariance
ellipses, legend, title), written with PillowWriter (GIF) or FFMpegWriter (MP4, with the
ffmpeg binary imageio-ffmpeg ships). It reads the iterations from a trace archive
(``clusteranim trace``), so both sides draw the same states.

Usage: python benchmarks/reference.py TRACE.npz OUTPUT [--fps F] [--tween N] [--size PX]
"""

from __future__ import annotations

import argparse

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter
from matplotlib.patches import Ellipse


def responsibilities(
    X: np.ndarray, means: np.ndarray, covariances: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    log_prob = []
    for mean, covariance, weight in zip(means, covariances, weights, strict=True):
        centred = X - mean
        inverse = np.linalg.inv(covariance)
        mahalanobis = np.einsum("ni,ij,nj->n", centred, inverse, centred)
        log_prob.append(np.log(weight) - 0.5 * (mahalanobis + np.log(np.linalg.det(covariance))))
    stacked = np.stack(log_prob, axis=1)
    stacked -= stacked.max(axis=1, keepdims=True)
    probabilities = np.exp(stacked)
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("output")
    parser.add_argument("--fps", type=float, default=3)
    parser.add_argument("--tween", type=int, default=0)
    parser.add_argument("--size", type=int, default=600)
    arguments = parser.parse_args()

    arrays = np.load(arguments.trace)
    X, centers = arrays["X"], arrays["centers"]
    is_mixture = "covariances" in arrays.files
    colors = plt.get_cmap("tab10")(np.arange(centers.shape[1]))
    steps = [
        (t, part / (arguments.tween + 1))
        for t in range(len(centers) - 1)
        for part in range(arguments.tween + 1)
    ]
    steps.append((len(centers) - 1, 0.0))

    figure, axes = plt.subplots(figsize=(arguments.size / 100, arguments.size / 100), dpi=100)
    pad = 0.05 * (X.max(axis=0) - X.min(axis=0))
    limits = (X.min(axis=0) - pad, X.max(axis=0) + pad)

    def state(step: int, fraction: float) -> tuple[np.ndarray, ...]:
        nxt = min(step + 1, len(centers) - 1)
        mix = lambda key: (1 - fraction) * arrays[key][step] + fraction * arrays[key][nxt]  # noqa: E731
        return tuple(
            mix(key) for key in (("centers", "covariances", "weights") if is_mixture else ("centers",))
        )

    def draw(index: int) -> None:
        step, fraction = steps[index]
        axes.clear()
        parameters = state(step, fraction)
        shown = step + 1 if fraction >= 0.5 else step
        if is_mixture:
            point_colors = np.clip(responsibilities(X, *parameters) @ colors, 0, 1)
        else:
            point_colors = colors[arrays["labels"][shown]]
        axes.scatter(X[:, 0], X[:, 1], s=12, c=point_colors)
        axes.scatter(parameters[0][:, 0], parameters[0][:, 1], marker="x", s=120, linewidths=3, c=colors)
        if is_mixture:
            for mean, covariance, color in zip(parameters[0], parameters[1], colors, strict=True):
                values, vectors = np.linalg.eigh(covariance)
                angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
                width, height = 4 * np.sqrt(values[1]), 4 * np.sqrt(values[0])
                axes.add_patch(
                    Ellipse(mean, width, height, angle=angle, fill=False, color=color, linewidth=2)
                )
            handles = [plt.Line2D([], [], marker="o", linestyle="", color=color) for color in colors]
            axes.legend(handles, [f"component {i + 1}" for i in range(len(colors))], loc="upper right")
        axes.set_xlim(limits[0][0], limits[1][0])
        axes.set_ylim(limits[0][1], limits[1][1])
        axes.set_title(f"iteration {shown}")

    animation = FuncAnimation(figure, draw, frames=len(steps), blit=False)
    if arguments.output.endswith(".gif"):
        writer = PillowWriter(fps=arguments.fps)
    else:
        plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
        writer = FFMpegWriter(fps=arguments.fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    animation.save(arguments.output, writer=writer, dpi=100)


if __name__ == "__main__":
    main()
