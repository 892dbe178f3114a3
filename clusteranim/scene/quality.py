"""The quality panel of a sweep: each measure against the value swept, filling in as the
runs progress (a run's point is hollow while it runs, filled once it has ended), the best
value of each measure marked once every run has ended."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from clusteranim.trace.quality import MEASURES, SweepTable

#: A run with more of its points as noise is not a measure's favourite.
MOST_NOISE = 0.5

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from clusteranim.scene.theme import Theme


def best_index(values: list[float], better: str, trusted: list[bool] | None = None) -> int | None:
    """The run a measure prefers: its highest or lowest value, or for an ``elbow`` (a
    measure that falls as the value grows) the point farthest below the line from the
    first point to the last, scaled to a unit square; None without finite values. Runs
    not ``trusted`` (mostly noise) are never preferred."""
    numbers = np.asarray(values, dtype=float)
    if trusted is not None and better != "elbow":
        numbers = np.where(trusted, numbers, np.nan)
    finite = np.isfinite(numbers)
    if not finite.any():
        return None
    if better == "higher":
        return int(np.nanargmax(np.where(finite, numbers, np.nan)))
    if better == "lower":
        return int(np.nanargmin(np.where(finite, numbers, np.nan)))
    if finite.sum() < 3 or not finite.all():
        return None
    x = np.linspace(0.0, 1.0, len(numbers))
    span = numbers.max() - numbers.min()
    y = (numbers - numbers.min()) / span if span > 0 else np.zeros_like(numbers)
    chord = y[0] + (y[-1] - y[0]) * x
    return int(np.argmax(chord - y))


class QualityChart:
    """Draws the quality panel, one picture per step of the animation (cached: frames
    between two states share it).

    Parameters
    ----------
    table : SweepTable
    width, height : int
        Pixels.
    dpi, font_size : float
    theme : Theme
    """

    def __init__(
        self, table: SweepTable, width: int, height: int, dpi: float, font_size: float, theme: Theme
    ) -> None:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.table = table
        self.theme = theme
        self.cache: dict[tuple[int, ...], np.ndarray] = {}
        with matplotlib.rc_context(theme.rc(font_size)):  # type: ignore[arg-type]
            self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
            self.canvas = FigureCanvasAgg(self.figure)
            count = len(table.keys)
            # As many columns as the panel's shape allows, each measure about 4:3.
            columns = max(1, min(count, round(math.sqrt(count * width / height * 0.75))))
            rows = math.ceil(count / columns)
            self.axes: list[Axes] = [
                self.figure.add_subplot(rows, columns, index + 1) for index in range(count)
            ]
            self.figure.suptitle(f"quality by {table.key.split('.')[-1]}", fontsize="medium")
            self.positions = np.arange(len(table.values))
            # An elbow is a bend of a curve over ordered numbers (k), not over names.
            numbers = [
                float(value)
                for value in table.values
                if isinstance(value, (int, float)) and not isinstance(value, bool)
            ]
            self.numeric = len(numbers) == len(table.values) and numbers == sorted(numbers)
            names = [_shown(value) for value in table.values]
            # Words (names of algorithms, of options) would run into each other: slanted.
            slanted = max(len(name) for name in names) > 4
            for axes, key in zip(self.axes, table.keys, strict=True):
                axes.set_xticks(self.positions, names)
                if slanted:
                    axes.tick_params(axis="x", labelrotation=25)
                    for label in axes.get_xticklabels():
                        label.set_horizontalalignment("right")
                axes.tick_params(labelsize="x-small", length=2, pad=1)
                axes.set_title(_heading(key), fontsize="small", pad=2)
                axes.set_xlim(-0.5, len(table.values) - 0.5)
                everything = np.concatenate([states[key] for states in table.states])
                finite = everything[np.isfinite(everything)]
                if finite.size:
                    low, high = float(finite.min()), float(finite.max())
                    pad = 0.08 * (high - low) or 0.5 * abs(low) or 1.0
                    axes.set_ylim(low - pad, high + pad)
            self.figure.set_layout_engine("constrained")
            self.canvas.draw()
            self.figure.set_layout_engine("none")
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.rc = matplotlib.rcParams.copy()

    def draw(self, step: int, out: np.ndarray) -> None:
        """The panel at ``step`` of the animation, into ``out`` (RGBA, the panel's size)."""
        import matplotlib

        held = tuple(min(step, n_iter) for n_iter in self.table.n_iter)
        if held not in self.cache:
            with matplotlib.rc_context(self.rc):
                self.cache[held] = self._drawn(step)
        np.copyto(out, self.cache[held])

    def _drawn(self, step: int) -> np.ndarray:
        table = self.table
        rows = table.at(step)
        ended = np.array([step >= n_iter for n_iter in table.n_iter])
        self.canvas.restore_region(self.background)
        artists = []
        for axes, key in zip(self.axes, table.keys, strict=True):
            values = [row[key] for row in rows]
            (line,) = axes.plot(self.positions, values, color=self.theme.muted, linewidth=1, zorder=2)
            filled = axes.scatter(
                self.positions[ended], np.asarray(values)[ended], s=18, color=self.theme.foreground, zorder=3
            )
            hollow = axes.scatter(
                self.positions[~ended],
                np.asarray(values)[~ended],
                s=18,
                facecolors="none",
                edgecolors=self.theme.foreground,
                zorder=3,
            )
            artists += [line, filled, hollow]
            better = MEASURES[key].better
            elbow_ok = better != "elbow" or self.numeric
            best = best_index(values, better, self.trusted(rows)) if ended.all() and elbow_ok else None
            if best is not None:
                artists.append(axes.axvspan(best - 0.4, best + 0.4, color="#2ca02c", alpha=0.25, zorder=1))
        for artist in artists:
            self.figure.draw_artist(artist)
        pixels: np.ndarray = np.array(self.canvas.buffer_rgba())
        for artist in artists:
            artist.remove()
        return pixels

    def trusted(self, rows: list[dict[str, float]]) -> list[bool]:
        """Runs whose clusters hold at least half the points: the internal measures
        leave noise out, and a run of mostly noise would score well on a few points."""
        return [not row.get("noise", 0.0) > MOST_NOISE for row in rows]

    def close(self) -> None:
        self.figure.clear()


def _heading(key: str) -> str:
    measure = MEASURES[key]
    arrow = {"higher": " \u2191", "lower": " \u2193", "elbow": ""}[measure.better]
    return measure.label + arrow


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
