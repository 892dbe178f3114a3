"""A self-contained HTML player: every frame embedded, no network needed."""

from __future__ import annotations

import base64
import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from clusteranim.writers.base import Movie
from clusteranim.writers.png import png_bytes


def png_data_uri(frame: np.ndarray) -> str:
    """A frame as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(frame)).decode("ascii")


class HtmlWriter:
    """Collects PNG-compressed frames and writes the player page when finished.

    The frames of each variant (the same animation with some layers hidden) arrive one
    variant after the other; the player switches between them without a reload.
    """

    extensions = (".html", ".htm")
    writes_folder = False

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.movie = movie
        self.frames: list[str] = []

    def write(self, frame: np.ndarray) -> None:
        self.frames.append(png_data_uri(frame))

    def finish(self) -> None:
        n_frames = self.movie.n_frames
        variants = {
            variant: self.frames[index * n_frames : (index + 1) * n_frames]
            for index, variant in enumerate(self.movie.variants)
        }
        data = {
            "fps": self.movie.fps,
            "seconds": [round(seconds, 6) for seconds in self.movie.seconds(n_frames)],
            "loop": self.movie.loop == 0,
            "objective_name": self.movie.objective_name,
            "labels": [
                {
                    "iteration": label.iteration,
                    "objective": label.objective if math.isfinite(label.objective) else None,
                }
                for label in self.movie.labels
            ],
            "variants": variants,
            "toggles": [{"name": name, "label": label} for name, label in self.movie.toggles],
        }
        payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
        template = resources.files("clusteranim.writers").joinpath("player.html").read_text(encoding="utf-8")
        page = (
            template.replace("__TITLE__", html.escape(self.movie.title or "clusteranim"))
            .replace("__WIDTH__", str(self.movie.width))
            .replace("__HEIGHT__", str(self.movie.height))
            .replace("__DATA__", payload)
        )
        self.path.write_text(page, encoding="utf-8")

    def abort(self) -> None:
        self.frames.clear()
