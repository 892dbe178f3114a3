"""Every output format, checked by decoding what was written against what was drawn."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

import clusteranim
from clusteranim.drawing import schedule_of
from clusteranim.errors import RenderError, ScenarioError
from clusteranim.pipeline import draw_frames, load_data, run
from clusteranim.scene.parts import compose
from clusteranim.writers.gif import centiseconds
from clusteranim.writers.targets import MANIFEST, read_manifest

SCENARIO: dict[str, Any] = {
    "seed": 3,
    "data": {"generator": "gaussian_mixture", "n_samples": 240},
    "algorithm": {"name": "gmm", "k": 3, "max_iter": 6, "tol": 0},
    "style": {
        "width": 240,
        "height": 200,
        "layers": [
            {"regions": {"alpha": 0.25}},
            {"points": {"color_by": "responsibility"}},
            "ellipses",
            "centroids",
            "title",
        ],
    },
    "output": {"fps": 4, "hold_last": 0.5},
}


def drawn_frames(scenario: dict[str, Any], **overrides: Any) -> list[np.ndarray]:
    loaded = clusteranim.load_scenario(scenario, overrides)
    data = load_data(loaded)
    trace = run(loaded, data)
    schedule = schedule_of(loaded, trace)
    return [frame[:, :, :3] for frame in draw_frames(loaded, trace, data, schedule, loaded.frame_parts())]


def decode_gif(path: Path) -> tuple[list[np.ndarray], list[int], Any]:
    with Image.open(path) as image:
        frames, durations = [], []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
        return frames, durations, image.info.get("loop")


def decode_video(path: Path) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Decode with accurate chroma upsampling (ffmpeg's default is a rough bicubic)."""
    flags = "spline+accurate_rnd+full_chroma_int+full_chroma_inp"
    reader = imageio_ffmpeg.read_frames(str(path), output_params=["-sws_flags", flags])
    meta = next(reader)
    width, height = meta["size"]
    return [np.frombuffer(frame, np.uint8).reshape(height, width, 3) for frame in reader], meta


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255**2 / error))


def test_gif_matches_the_drawn_frames_up_to_the_palette(tmp_path: Path) -> None:
    drawn = drawn_frames(SCENARIO)
    result = clusteranim.render(SCENARIO, output=tmp_path / "a.gif")
    frames, durations, loop = decode_gif(tmp_path / "a.gif")
    assert len(frames) == len(drawn) == result.frames == 7
    for back, original in zip(frames, drawn, strict=True):
        assert np.abs(back.astype(int) - original).mean() <= 1.0  # 1/255 of the range
    assert durations == [250] * 6 + [750]
    assert loop == 0


def test_gif_with_few_colours_is_exact_and_small(tmp_path: Path) -> None:
    layers = [{"regions": {"alpha": 1.0}}, {"centroids": {"marker": "s", "linewidth": 0}}]
    flat = {**SCENARIO, "style": {**SCENARIO["style"], "layers": layers, "axes": False}}
    drawn = drawn_frames(flat)
    clusteranim.render(flat, output=tmp_path / "flat.gif")
    frames, _, _ = decode_gif(tmp_path / "flat.gif")
    assert all(np.array_equal(a, b) for a, b in zip(frames, drawn, strict=True))


def test_gif_palette_lookup_is_the_exact_nearest_entry() -> None:
    # The lookup ranks entries by a float32 matrix product; it must pick exactly what the
    # direct integer distance picks, ties (a repeated entry) going to the first.
    from clusteranim.writers.gif import PaletteMapper

    rng = np.random.default_rng(3)
    palette = rng.integers(0, 256, (255, 3), dtype=np.uint8)
    palette[200] = palette[17]
    colors = np.concatenate([rng.integers(0, 256, (20_000, 3), dtype=np.uint8), palette, 255 - palette])
    distances = ((colors[:, None, :].astype(np.int64) - palette[None].astype(np.int64)) ** 2).sum(axis=2)
    expected = distances.argmin(axis=1)
    mapper = PaletteMapper(palette, width=1)
    assert np.array_equal(mapper.nearest(colors), expected)
    first, _, level = mapper.pairs(colors)
    assert np.array_equal(first, expected)
    assert not (expected == 200).any()
    assert not level[20_000 : 20_000 + 255].any()  # a palette colour is never dithered


def write_gif(frames: list[np.ndarray], path: Path) -> list[np.ndarray]:
    """``frames`` (RGB) through the GIF writer, decoded again."""
    from clusteranim.writers import FrameLabel, Movie
    from clusteranim.writers.gif import GifWriter

    height, width = frames[0].shape[:2]
    movie = Movie(
        width=width,
        height=height,
        fps=4,
        loop=0,
        quality=None,
        labels=tuple(FrameLabel(index, 0.0) for index in range(len(frames))),
        parts=("",),
        objective_name="inertia",
        title="test",
    )
    writer = GifWriter(path, movie)
    for frame in frames:
        writer.write(np.dstack([frame, np.full(frame.shape[:2], 255, np.uint8)]))
    writer.finish()
    return decode_gif(path)[0]


def block_means(image: np.ndarray, size: int = 8) -> np.ndarray:
    height, width = image.shape[0] // size * size, image.shape[1] // size * size
    blocks = image[:height, :width].astype(float).reshape(height // size, size, width // size, size, -1)
    return blocks.mean(axis=(1, 3))


def test_gif_dithers_smooth_areas_only_and_keeps_the_dither_still(tmp_path: Path) -> None:
    # Left: a smooth two-hue cloud of thousands of colours (bands without dithering).
    # Right: flat fills with sharp edges, which must come back exact.
    y, x = np.mgrid[0:160, 0:160] / 160
    blue, orange = np.array([31, 119, 180]), np.array([255, 127, 14])
    weight = np.exp(-((x - 0.5) ** 2 + (y - 0.5) ** 2) * 4)[..., None]
    mix = np.clip(x, 0, 1)[..., None]
    cloud = 255 - weight * (255 - ((1 - mix) * blue + mix * orange))
    flat = np.zeros((160, 160, 3))
    flat[:, :80] = (255, 255, 255)
    flat[:, 80:] = (40, 40, 40)
    flat[40:120, 40:120] = (200, 30, 60)
    first = np.rint(np.concatenate([cloud, flat], axis=1)).astype(np.uint8)
    second = first.copy()
    second[70:76, 200:206] = (0, 0, 255)  # a marker moves over a flat area
    assert len(np.unique(first.reshape(-1, 3), axis=0)) > 2000
    decoded = write_gif([first, second], tmp_path / "dither.gif")

    assert np.array_equal(decoded[0][:, 160:], first[:, 160:])  # flat colours: never dithered
    assert np.array_equal(decoded[1][:, 160:], second[:, 160:])
    assert np.array_equal(decoded[1][:, :160], decoded[0][:, :160])  # the dither holds still
    with Image.open(tmp_path / "dither.gif") as image:
        palette = np.asarray(image.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)  # type: ignore[index]
    nearest = palette[np.argmin(((cloud[:, :, None, :] - palette) ** 2).sum(axis=3), axis=2)]
    dithered = decoded[0][:, :160]
    # Seen from a little way off (8 x 8 blocks), the dithered cloud is nearer its colours
    # than the same palette's nearest entries (bands); here 0.48 against 0.77 levels.
    seen = np.abs(block_means(dithered) - block_means(cloud)).mean()
    banded = np.abs(block_means(nearest) - block_means(cloud)).mean()
    assert seen < 0.7 * banded


def test_gif_dithers_nothing_at_an_edge() -> None:
    # Pixels beside a step (an anti-aliased outline, a marker's rim) are not smooth, so
    # they keep their nearest entry however far it is; a gentle ramp is smooth.
    from clusteranim.writers.gif import SMOOTH_CONTRAST, _smooth, pack

    ramp = np.repeat(
        np.arange(0, 5 * SMOOTH_CONTRAST, SMOOTH_CONTRAST // 2, dtype=np.uint8)[None, :], 4, axis=0
    )
    step = ramp.copy()
    step[:, 5:] += 4 * SMOOTH_CONTRAST
    for picture, expected in ((ramp, [True] * 10), (step, [True] * 4 + [False, False] + [True] * 4)):
        packed = pack(np.dstack([picture] * 3)).ravel()
        row = np.arange(10) + 10  # the second row
        assert _smooth(packed, row, width=10).tolist() == expected


def test_gif_timing_keeps_the_total_right() -> None:
    delays = centiseconds([1 / 3] * 10)
    assert sum(delays) == 333 and set(delays) == {33, 34}
    assert centiseconds([0.5, 0.5, 2.0]) == [50, 50, 200]


def test_gif_loop_count(tmp_path: Path) -> None:
    clusteranim.render(SCENARIO, output=tmp_path / "twice.gif", **{"output.loop": 2})
    assert decode_gif(tmp_path / "twice.gif")[2] == 1  # NETSCAPE stores repeats
    clusteranim.render(SCENARIO, output=tmp_path / "once.gif", **{"output.loop": 1})
    assert decode_gif(tmp_path / "once.gif")[2] is None


@pytest.mark.parametrize(("extension", "codec"), [("mp4", "h264"), ("webm", "vp9")])
def test_video_decodes_to_the_drawn_frames(tmp_path: Path, extension: str, codec: str) -> None:
    scenario = {**SCENARIO, "style": {**SCENARIO["style"], "width": 480, "height": 400}}
    drawn = drawn_frames(scenario)
    target = tmp_path / f"a.{extension}"
    clusteranim.render(scenario, output=target)
    frames, meta = decode_video(target)
    assert meta["codec"] == codec and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (480, 400) and meta["fps"] == 4
    hold = round(0.5 * 4)
    assert len(frames) == len(drawn) + hold
    for back, original in zip(frames, [*drawn, *[drawn[-1]] * hold], strict=True):
        assert psnr(back, original) >= 35


def test_mp4_is_faststart(tmp_path: Path) -> None:
    clusteranim.render(SCENARIO, output=tmp_path / "a.mp4")
    head = (tmp_path / "a.mp4").read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_odd_sizes_are_padded_not_resampled(tmp_path: Path) -> None:
    odd = {**SCENARIO, "style": {**SCENARIO["style"], "width": 241, "height": 199}}
    drawn = drawn_frames(odd)
    clusteranim.render(odd, output=tmp_path / "odd.mp4")
    frames, meta = decode_video(tmp_path / "odd.mp4")
    assert meta["size"] == (242, 200)
    assert psnr(frames[0][:199, :241], drawn[0]) >= 30  # small and busy: chroma subsampling shows
    edge = np.abs(frames[0][:199, 241].astype(int) - frames[0][:199, 240]).mean()
    assert edge < 3  # the added column repeats the edge


def test_png_frames_folder_and_poster(tmp_path: Path) -> None:
    drawn = drawn_frames(SCENARIO)
    result = clusteranim.render(
        SCENARIO, output=tmp_path / "frames", **{"output.poster": str(tmp_path / "last.png")}
    )
    names = [f"frame_{index:04d}.png" for index in range(7)]
    assert sorted(path.name for path in (tmp_path / "frames").iterdir()) == [MANIFEST, *names]
    assert read_manifest(tmp_path / "frames") == names
    files = [tmp_path / "frames" / name for name in names]
    for path, original in zip(files, drawn, strict=True):
        assert np.array_equal(np.asarray(Image.open(path).convert("RGB")), original)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "last.png").convert("RGB")), drawn[-1])
    everything = [*files, tmp_path / "frames" / MANIFEST]
    assert result.format == "frames" and result.bytes == sum(path.stat().st_size for path in everything)
    clusteranim.render(SCENARIO, output=tmp_path / "frames", algorithm__max_iter=2)
    assert read_manifest(tmp_path / "frames") == names[:3]  # replaced as a whole
    assert sorted(path.name for path in (tmp_path / "frames").iterdir()) == [MANIFEST, *names[:3]]


def test_a_frames_folder_is_replaced_only_if_clusteranim_wrote_all_of_it(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    clusteranim.render(SCENARIO, output=folder)  # an empty folder is fine
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match=r"holds files clusteranim did not write \(notes.txt\)"):
        clusteranim.render(SCENARIO, output=folder)
    assert (folder / "notes.txt").read_text() == "mine" and len(list(folder.glob("*.png"))) == 7
    (folder / "notes.txt").unlink()
    (folder / MANIFEST).unlink()  # a folder of PNGs nobody marked is somebody else's
    with pytest.raises(ScenarioError, match=r"holds files clusteranim did not write \(frame_0000.png"):
        clusteranim.render(SCENARIO, output=folder)


def player_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="clusteranim-data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found[1])
    return data


def decode_uri(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGBA"))


def decode_part(data: dict[str, Any], index: int | None, shape: tuple[int, ...]) -> np.ndarray:
    """A part of a frame as the player lays it: its stored box placed at its corner."""
    placed = np.zeros(shape, np.uint8)
    if index is not None:
        stored = data["images"][index]
        box = decode_uri(stored["src"])
        placed[stored["y"] : stored["y"] + box.shape[0], stored["x"] : stored["x"] + box.shape[1]] = box
    return placed


def test_html_embeds_every_frame(tmp_path: Path) -> None:
    drawn = drawn_frames(SCENARIO)
    target = tmp_path / "player.html"
    clusteranim.render(SCENARIO, output=target)
    page = target.read_text()
    data = player_data(page)
    assert [part["toggle"] for part in data["parts"]] == [""]
    assert [label["iteration"] for label in data["labels"]] == list(range(7))
    assert data["toggles"] == []
    for index, original in zip(data["parts"][0]["frames"], drawn, strict=True):
        assert np.array_equal(decode_uri(data["images"][index]["src"])[:, :, :3], original)
    assert "http://" not in page and "https://" not in page


def test_html_layer_switches_are_stored_apart_and_compose_the_frames(tmp_path: Path) -> None:
    """Each switchable layer is a transparent image per frame: laid over each other the
    parts give the frame, leaving one out gives the frame without that layer (to within
    rounding), and the page grows by what the layers draw, not twofold per switch."""
    toggles = ["regions", "ellipses"]
    drawn = drawn_frames(SCENARIO)
    layers = SCENARIO["style"]["layers"]
    without = drawn_frames(SCENARIO, **{"style.layers": [layers[1], *layers[3:]]})
    plain, switched = tmp_path / "plain.html", tmp_path / "switched.html"
    clusteranim.render(SCENARIO, output=plain)
    clusteranim.render(SCENARIO, output=switched, **{"output.toggle_layers": toggles})
    data = player_data(switched.read_text())
    # The bare axes (regions are the bottom layer), regions, points, ellipses, the rest.
    assert [part["toggle"] for part in data["parts"]] == ["", "regions", "", "ellipses", ""]
    assert data["toggles"] == [  # in the layers' order
        {"name": "regions", "label": "decision regions"},
        {"name": "ellipses", "label": "covariance ellipses"},
    ]
    shape = (*drawn[0].shape[:2], 4)
    for frame, (whole, hidden) in enumerate(zip(drawn, without, strict=True)):
        parts = [decode_part(data, part["frames"][frame], shape) for part in data["parts"]]
        assert (parts[0][:, :, 3] == 255).all()
        for shown, expected in ((parts, whole), ([parts[0], parts[2], parts[4]], hidden)):
            difference = np.abs(compose(shown)[:, :, :3].astype(int) - expected)
            assert difference.max() <= 6 and difference.mean() < 0.5
        assert (parts[1][:, :, 3] > 0).mean() > 0.5  # regions cover the axes
        assert 0 < (parts[3][:, :, 3] > 0).mean() < 0.5  # ellipses are lines
    # The bare axes are one image for every frame.
    assert len(set(data["parts"][0]["frames"])) == 1
    assert switched.stat().st_size < 1.5 * plain.stat().st_size


def test_notebook_repr_shows_the_animation(tmp_path: Path) -> None:
    result = clusteranim.render(SCENARIO, output=tmp_path / "a.gif")
    assert result._repr_html_().startswith('<img src="data:image/gif;base64,')
    video = clusteranim.render(SCENARIO, output=tmp_path / "a.mp4")
    assert '<video src="data:video/mp4;base64,' in video._repr_html_()


@pytest.mark.parametrize("name", ["a.gif", "a.mp4", "a.webm", "a.html", "frames"])
def test_rendering_twice_gives_identical_bytes(tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "1" / name, tmp_path / "2" / name
    overrides = {"output.toggle_layers": ["regions"]} if name.endswith(".html") else {}
    clusteranim.render(SCENARIO, output=first, **overrides)
    clusteranim.render(SCENARIO, output=second, **overrides)
    if first.is_dir():
        assert [p.read_bytes() for p in sorted(first.iterdir())] == [
            p.read_bytes() for p in sorted(second.iterdir())
        ]
    else:
        assert first.read_bytes() == second.read_bytes()


def test_encoder_failure_exits_1_with_ffmpeg_message(tmp_path: Path) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho 'Error: no space left on device' >&2\nexit 3\n")
    fake.chmod(0o755)
    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(SCENARIO))
    process = subprocess.run(
        [sys.executable, "-m", "clusteranim", "render", str(scenario), "-o", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "IMAGEIO_FFMPEG_EXE": str(fake)},
        check=False,
    )
    assert process.returncode == 1
    assert "ffmpeg failed (exit status 3)" in process.stderr and "no space left on device" in process.stderr
    assert "Traceback" not in process.stderr
    assert target.read_bytes() == b"previous"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ffmpeg", "out.mp4", "s.yaml"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_failure_while_drawing_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from clusteranim.scene import figure

    target = tmp_path / "a.gif"
    target.write_bytes(b"previous")
    calls = {"count": 0}
    original = figure.Scene.draw

    def failing(self: figure.Scene, frame: Any, out: Any = None, part: Any = None) -> np.ndarray:
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("boom")
        return original(self, frame, out, part)

    monkeypatch.setattr(figure.Scene, "draw", failing)
    with pytest.raises(RuntimeError, match="boom"):
        clusteranim.render(SCENARIO, output=target, jobs=jobs)
    assert target.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["a.gif"]


LONG = {**SCENARIO, "output": {"fps": 30, "tween": 60}}


def start_long_render(tmp_path: Path, target: Path) -> subprocess.Popen[str]:
    scenario = tmp_path / "long.yaml"
    scenario.write_text(json.dumps(LONG))
    process = subprocess.Popen(
        [sys.executable, "-m", "clusteranim", "render", str(scenario), "-o", str(target)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(f".{target.name}.*.part")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)
    return process


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_render_cleans_up(tmp_path: Path, signum: int, code: int) -> None:
    target = tmp_path / "a.mp4"
    target.write_bytes(b"previous")
    process = start_long_render(tmp_path, target)
    process.send_signal(signum)
    assert process.wait(timeout=30) == code
    assert target.read_bytes() == b"previous"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.mp4", "long.yaml"]


def test_sigkill_leaves_nothing_new_at_the_output_path(tmp_path: Path) -> None:
    target = tmp_path / "a.gif"
    process = start_long_render(tmp_path, target)
    process.kill()
    process.wait(timeout=30)
    assert not target.exists()


def test_unwritable_folder_is_a_render_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(RenderError, match="cannot write"):
            clusteranim.render(SCENARIO, output=locked / "a.gif")
    finally:
        locked.chmod(0o700)


def test_sigkill_takes_the_workers_down_too(tmp_path: Path) -> None:
    target = tmp_path / "a.gif"
    process = start_long_render(tmp_path, target)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    workers = [int(child) for child in children]
    assert workers, "the render started no worker processes"
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(
        Path(f"/proc/{worker}").exists() and "Z" not in Path(f"/proc/{worker}/stat").read_text().split()[2]
        for worker in workers
    ):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.1)


def test_video_quality_trades_size_for_fidelity(tmp_path: Path) -> None:
    drawn = drawn_frames(SCENARIO)
    sizes, fidelity = [], []
    for quality in (12, 40):
        target = tmp_path / f"q{quality}.mp4"
        clusteranim.render(SCENARIO, output=target, **{"output.quality": quality})
        frames, _ = decode_video(target)
        sizes.append(target.stat().st_size)
        fidelity.append(min(psnr(back, original) for back, original in zip(frames, drawn, strict=False)))
    assert sizes[0] > sizes[1] and fidelity[0] > fidelity[1]
