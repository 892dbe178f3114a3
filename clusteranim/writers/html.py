"""A self-contained HTML player: every frame embedded, no network needed."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from clusteranim.writers.base import Movie
from clusteranim.writers.png import drawn_box, png_bytes


def png_data_uri(frame: np.ndarray, transparent: bool = False) -> str:
    """A frame as a ``data:image/png;base64,...`` URI (RGBA with ``transparent``)."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(frame, transparent)).decode("ascii")


class HtmlWriter:
    """Collects PNG-compressed frames and writes the player page when finished.

    When the viewer can switch layers off, each frame arrives as parts (see
    ``Movie.parts``), all frames of one part after the other; the player lays a frame's
    parts over each other in a canvas, leaving out those of hidden layers. A transparent
    part is stored as the smallest box around what it draws, and an image that recurs
    (a part that does not change from one frame to the next) is stored once.
    """

    extensions = (".html", ".htm")
    writes_folder = False

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.movie = movie
        self.images: dict[bytes, int] = {}  # a digest of the pixels and box: the image's number
        self.encoded: list[dict[str, object]] = []  # each image: where it goes and its PNG
        self.frames: list[int | None] = []  # the image of each frame of each part (None: empty)

    def write(self, frame: np.ndarray) -> None:
        transparent = len(self.frames) >= self.movie.n_frames  # not the first, opaque part
        top, left = 0, 0
        if transparent:
            box = drawn_box(frame)
            if box is None:
                self.frames.append(None)
                return
            top, left, frame = box
        digest = hashlib.blake2b(np.ascontiguousarray(frame).data, digest_size=16)
        digest.update(f"{top},{left},{frame.shape}".encode())
        key = digest.digest()
        if key not in self.images:
            self.images[key] = len(self.encoded)
            self.encoded.append({"x": left, "y": top, "src": png_data_uri(frame, transparent)})
        self.frames.append(self.images[key])

    def finish(self) -> None:
        n_frames = self.movie.n_frames
        parts = [
            {"toggle": toggle, "frames": self.frames[index * n_frames : (index + 1) * n_frames]}
            for index, toggle in enumerate(self.movie.parts)
        ]
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
            "images": self.encoded,
            "parts": parts,
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
        self.images.clear()
        self.encoded.clear()
        self.frames.clear()
