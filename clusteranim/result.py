"""What a render produced, as the API returns it and ``--json`` prints it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PanelResult:
    """What one panel's run did.

    Parameters
    ----------
    label : str
        How its title names it (its overrides).
    overrides : dict
        Its overrides, by dotted key.
    n_iter : int
    converged : bool
    objective : float or None
    """

    label: str
    overrides: dict[str, Any]
    n_iter: int
    converged: bool
    objective: float | None


@dataclass(frozen=True)
class RenderResult:
    """What a render produced.

    Parameters
    ----------
    path : str
        The file (or folder) written.
    format : str
    frames : int
        Frames in the animation.
    steps : int
        Steps it shows: its states, or in explain mode the start, each half-step and the end.
    duration : float
        Seconds the animation plays (once).
    width, height : int
        Frame size in pixels.
    bytes : int
        Size of the output.
    n_iter : int
        Updates the algorithm performed.
    converged : bool
    objective : float or None
        Objective of the final state (None when there is none, or it is not a number).
    seconds : float
        Wall time of the whole render.
    panels : list of PanelResult or None
        Each panel's run, for a scenario of panels (``n_iter`` is then the longest run's,
        ``converged`` whether all converged, and ``objective`` None).
    scheduler : str or None
        The address of the Dask scheduler whose workers drew the frames (None: this
        machine's processes).
    workers : int
        How many worker processes (or Dask workers) drew the frames.
    """

    path: str
    format: str
    frames: int
    steps: int
    duration: float
    width: int
    height: int
    bytes: int
    n_iter: int
    converged: bool
    objective: float | None
    seconds: float
    panels: list[PanelResult] | None = None
    scheduler: str | None = None
    workers: int = 1

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        if self.panels is None:
            del found["panels"]  # a scenario alone: as before panels existed
        return found

    def _repr_html_(self) -> str:
        """The animation inline, for notebooks."""
        import base64
        import html

        path = Path(self.path)
        if self.format == "html":
            page = path.read_text(encoding="utf-8")
            return (
                f'<iframe srcdoc="{html.escape(page, quote=True)}" width="{self.width + 300}"'
                f' height="{self.height + 40}" style="border:0"></iframe>'
            )
        if self.format == "frames":
            path = sorted(path.glob("*.png"))[-1]
        media = {"gif": "image/gif", "mp4": "video/mp4", "webm": "video/webm", "frames": "image/png"}[
            self.format
        ]
        source = f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
        if media.startswith("video/"):
            return f'<video src="{source}" width="{self.width}" controls autoplay loop muted></video>'
        return f'<img src="{source}" width="{self.width}" alt="{html.escape(self.path)}">'
