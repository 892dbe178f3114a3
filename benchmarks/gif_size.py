"""Size of our GIF against matplotlib's PillowWriter, from the same frames.

The classic EM scene (configs/02_gmm_em.yaml: 600 x 600, 41 frames) is drawn once;
clusteranim's GIF writer and matplotlib's ``PillowWriter`` (fed the same RGB frames
through a figure of the same pixel size) each write a GIF. Target: ours at most 0.4x.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import clusteranim
from clusteranim.drawing import schedule_of
from clusteranim.pipeline import draw_frames, load_data, run

ROOT = Path(__file__).resolve().parent.parent
SCENE = ROOT / "configs" / "02_gmm_em.yaml"


def pillow_writer_gif(frames: list, fps: float, path: Path) -> None:
    """The GIF matplotlib's PillowWriter makes of ``frames``."""
    from matplotlib.animation import PillowWriter
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height, width = frames[0].shape[:2]
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(figure)
    writer = PillowWriter(fps=fps)
    with writer.saving(figure, str(path), dpi=100):
        for frame in frames:
            figure.clear()
            figure.figimage(frame, xo=0, yo=0, origin="upper")
            writer.grab_frame()


def main() -> dict[str, object]:
    scenario = clusteranim.load_scenario(SCENE)
    data = load_data(scenario)
    trace = run(scenario, data)
    frames = list(draw_frames(scenario, trace, data, schedule_of(scenario, trace), scenario.frame_parts()))
    with tempfile.TemporaryDirectory() as folder:
        ours = clusteranim.render(SCENE, output=Path(folder) / "ours.gif")
        reference = Path(folder) / "pillow_writer.gif"
        pillow_writer_gif(frames, scenario.output.fps, reference)
        reference_bytes = reference.stat().st_size
    return {
        "scene": SCENE.name,
        "frames": ours.frames,
        "size": f"{ours.width}x{ours.height}",
        "clusteranim_bytes": ours.bytes,
        "pillow_writer_bytes": reference_bytes,
        "ratio": round(ours.bytes / reference_bytes, 3),
        "target_ratio": 0.4,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
