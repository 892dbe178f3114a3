"""Every scenario in configs/ validates and renders."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import Image

import clusteranim
from clusteranim.scene.animation import count_frames, steps_shown
from tests.conftest import CONFIGS


@pytest.mark.parametrize("config", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_config_renders(config: Path, tmp_path: Path) -> None:
    scenario = clusteranim.load_scenario(config)
    target = tmp_path / Path(scenario.output.path).name
    result = clusteranim.render(config, output=target)
    output = scenario.output
    frames, seconds = count_frames(
        scenario.animation, result.n_iter + 1, output.tween, output.fps, scenario.hold_last
    )
    assert (result.frames, result.duration) == (frames, pytest.approx(seconds, abs=1e-3))
    assert result.steps == steps_shown(scenario.animation, result.n_iter + 1)
    assert (result.width, result.height) == (scenario.style.width, scenario.style.height)
    if result.format == "gif":
        with Image.open(target) as image:
            assert image.n_frames == result.frames
            assert image.size == (result.width, result.height)
    if result.format in ("mp4", "webm"):
        reader = imageio_ffmpeg.read_frames(str(target))
        meta = next(reader)
        assert sum(1 for _ in reader) == round(seconds * output.fps)
        assert meta["size"] == (result.width + result.width % 2, result.height + result.height % 2)
