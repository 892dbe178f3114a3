"""Explain mode and timing: the half-steps and their captions, the changed points
highlighted, and the frames and seconds that easing, holds and a slow start give."""

from __future__ import annotations

import contextlib
import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import clusteranim
from clusteranim.drawing import build_scene, schedule_of
from clusteranim.pipeline import load_data, run
from clusteranim.scene.animation import (
    EASINGS,
    AnimationOptions,
    HoldOptions,
    SlowStartOptions,
    count_frames,
    plan,
    steps_shown,
)
from clusteranim.scene.base import Frame
from clusteranim.scene.figure import Scene
from clusteranim.scene.layers.caption import CaptionLayer
from clusteranim.scene.layers.changes import ChangesLayer
from clusteranim.trace import Trace
from tests.conftest import run_cli

KMEANS: dict[str, Any] = {
    "seed": 7,
    "data": {"generator": "blobs", "n_samples": 240, "centers": 4, "cluster_std": 1.6},
    "algorithm": {"name": "kmeans", "k": 4, "init": "random", "max_iter": 30},
    "style": {"width": 320, "height": 260, "layers": ["points", "centroids", "title"]},
    "animation": {"explain": True},
    "output": {"path": "out/explain.gif", "fps": 4},
}
GMM: dict[str, Any] = {
    "seed": 2,
    "data": {"generator": "gaussian_mixture", "n_samples": 300},
    "algorithm": {"name": "gmm", "k": 3, "max_iter": 6, "tol": 0},
    "style": {
        "width": 320,
        "height": 300,
        "layers": [{"points": {"color_by": "responsibility"}}, "ellipses", "centroids", "title"],
    },
    "animation": {"explain": True},
    "output": {"path": "out/explain.gif", "fps": 4, "tween": 2},
}


def with_keys(scenario: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``scenario`` with dotted keys (``output__tween``) set."""
    copy = json.loads(json.dumps(scenario))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = copy
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return copy


@contextlib.contextmanager
def drawn_scene(scenario: dict[str, Any], explain: bool = True) -> Iterator[tuple[Trace, Scene]]:
    """The trace of ``scenario`` and the scene that draws it (with explain mode's layers)."""
    loaded = clusteranim.load_scenario(scenario)
    dataset = load_data(loaded)
    trace = run(loaded, dataset)
    scene = build_scene(loaded, trace, dataset, loaded.style.explained() if explain else None)
    try:
        yield trace, scene
    finally:
        scene.close()


def collapsed(phases: list[str]) -> list[str]:
    return [phase for phase, _ in itertools.groupby(phases)]


def nearest_labels(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Each point's nearest centre, computed here from the trace's centres alone."""
    distances = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


# ----------------------------------------------------------------- the step sequence


@pytest.mark.parametrize("tween", [0, 3])
def test_explain_mode_alternates_assignment_and_update(tween: int) -> None:
    n_states = 5
    shots = plan(AnimationOptions(explain=True), n_states, True, tween, 4.0, 1.0)
    phases = collapsed([shot.phase for shot in shots])
    assert phases == ["init", *["assign", "update"] * (n_states - 1), "assign", "done"]
    assert len(phases) == steps_shown(AnimationOptions(explain=True), n_states) == 2 * n_states + 1
    # Each half-step is drawn in tween + 1 frames.
    runs = [len(list(group)) for _, group in itertools.groupby(shot.phase for shot in shots)]
    assert runs == [1, *[tween + 1] * (2 * n_states - 1), 1]
    # An assignment shows the state's parameters while its colours move from the assignment
    # before; an update moves the parameters on while the assignment stays.
    for shot in shots:
        assert shot.assignment is not None
        if shot.phase == "assign":
            assert shot.fraction == 0.0 and shot.assignment.after == shot.step
            assert shot.assignment.before == (None if shot.step == 0 else shot.step - 1)
        if shot.phase == "update":
            assert shot.assignment.before == shot.assignment.after
            assert shot.assignment.after in (shot.step, shot.step - 1)
    # The half-step ends where it should: the last assignment frame has the new colours and
    # the last update frame the next state's parameters.
    assign_ends = [shot for shot, after in itertools.pairwise(shots) if shot.phase == "assign" != after.phase]
    assert all(shot.assignment is not None and shot.assignment.fraction == 1.0 for shot in assign_ends)
    update_ends = [shot for shot, after in itertools.pairwise(shots) if shot.phase == "update" != after.phase]
    assert [shot.step for shot in update_ends] == list(range(1, n_states))
    assert all(shot.fraction == 0.0 for shot in update_ends)


def test_without_explain_mode_a_step_is_a_state() -> None:
    shots = plan(AnimationOptions(), 4, False, 1, 2.0, 0.0)
    assert [(shot.step, shot.fraction) for shot in shots] == [
        (0, 0.0),
        (0, 0.5),
        (1, 0.0),
        (1, 0.5),
        (2, 0.0),
        (2, 0.5),
        (3, 0.0),
    ]
    assert shots[0].phase == "init" and shots[-1].phase == "done"
    assert steps_shown(AnimationOptions(), 4) == 4


def test_the_highlighted_points_are_those_whose_cluster_changed() -> None:
    scenario = clusteranim.load_scenario(KMEANS)
    with drawn_scene(KMEANS) as (trace, scene):
        assert trace.n_iter >= 3  # enough assignments to compare
        changes = [layer for layer in scene.layers if isinstance(layer, ChangesLayer)]
        assert len(changes) == 1  # explain mode added the layer
        rings = changes[0].rings
        ringed_counts = []
        for shot in schedule_of(scenario, trace):
            frame = Frame.of(trace, shot)
            drawn = scene.draw(frame)
            if shot.phase != "assign" or shot.step == 0:
                assert len(changes[0].ringed(frame)) == 0
                continue
            # Counted independently: the nearest of each state's centres, in numpy here.
            before = nearest_labels(trace.X, trace.centers[shot.step - 1])
            after = nearest_labels(trace.X, trace.centers[shot.step])
            changed = np.flatnonzero(before != after)
            ringed = changes[0].ringed(frame)
            assert np.array_equal(np.sort(ringed), changed)
            assert len(rings.get_offsets()) == len(changed)
            ringed_counts.append(len(changed))
            if len(changed):
                # A ring is drawn around a changed point: its colour (the text colour)
                # appears on a circle about the point.
                x, y = scene.context.axes.transData.transform(scene.context.points[changed[0]])
                row, column = round(scene.size[1] - y), round(x)
                radius = math.sqrt(70) / 2 * scene.figure.dpi / 72
                angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
                ring_rows = np.clip(np.rint(row + radius * np.sin(angles)).astype(int), 0, scene.size[1] - 1)
                ring_columns = np.clip(
                    np.rint(column + radius * np.cos(angles)).astype(int), 0, scene.size[0] - 1
                )
                darkness = 255 - drawn[ring_rows, ring_columns, :3].min(axis=1).astype(int)
                assert (darkness > 120).mean() > 0.5
        assert sum(ringed_counts) > 0
        assert ringed_counts[-1] == 0  # converged: nothing changed in the last assignment


def test_the_update_draws_an_arrow_from_each_old_centre_to_the_new() -> None:
    schedule = schedule_of(clusteranim.load_scenario(KMEANS), run(clusteranim.load_scenario(KMEANS)))
    with drawn_scene(KMEANS) as (trace, scene):
        (changes,) = [layer for layer in scene.layers if isinstance(layer, ChangesLayer)]
        update = next(shot for shot in schedule if shot.phase == "update")
        drawn = changes.update(Frame.of(trace, update))
        arrows = [artist for artist in drawn if artist in changes.arrows]
        assert arrows  # the first update moves the centroids far
        for arrow in arrows:
            index = changes.arrows.index(arrow)
            start, end = arrow._posA_posB  # type: ignore[attr-defined]
            assert np.allclose(start, trace.centers[0][index]) and np.allclose(end, trace.centers[1][index])
        assign = next(shot for shot in schedule if shot.phase == "assign")
        assert not [artist for artist in changes.update(Frame.of(trace, assign)) if artist in changes.arrows]


def test_soft_colours_blend_over_the_e_step() -> None:
    schedule = schedule_of(clusteranim.load_scenario(GMM), run(clusteranim.load_scenario(GMM)))
    with drawn_scene(GMM) as (trace, scene):
        points = scene.style.layers[0]
        e_step = [shot for shot in schedule if shot.phase == "assign" and shot.step == 2]
        assert len(e_step) == 3
        colors = [points.colors(scene.context, Frame.of(trace, shot)) for shot in e_step]  # type: ignore[attr-defined]
        start = trace.memberships(1) @ scene.context.colors
        end = trace.memberships(2) @ scene.context.colors
        for shot, color in zip(e_step, colors, strict=True):
            assert shot.assignment is not None
            expected = start + shot.assignment.fraction * (end - start)
            assert np.allclose(color, np.clip(expected, 0, 1))
        assert np.allclose(colors[-1], np.clip(end, 0, 1))


# ----------------------------------------------------------------------- captions


def captions_of(scenario: dict[str, Any]) -> list[tuple[str, str]]:
    schedule = schedule_of(clusteranim.load_scenario(scenario), run(clusteranim.load_scenario(scenario)))
    with drawn_scene(scenario, explain=clusteranim.load_scenario(scenario).animation.explain) as (
        trace,
        scene,
    ):
        (caption,) = [layer for layer in scene.layers if isinstance(layer, CaptionLayer)]
        texts = [(shot.phase, caption.caption(Frame.of(trace, shot))) for shot in schedule]
    return [pair for pair, _ in itertools.groupby(texts)]


def test_captions_say_what_each_step_does() -> None:
    texts = captions_of(KMEANS)
    assert texts[0] == ("init", "Start: the centroids (k = 4) from a random choice of data points")
    assert texts[1] == ("assign", "Assignment: each point joins its nearest centroid")
    assert texts[2][0] == "update" and texts[2][1].startswith("Update: each centroid moves to the mean")
    assert texts[3][0] == "assign" and "changed cluster" in texts[3][1]
    assert texts[-1][0] == "done" and texts[-1][1].startswith("Converged at iteration ")
    gmm = captions_of(GMM)
    assert gmm[1][1].startswith("E-step") and gmm[2][1].startswith("M-step")
    assert gmm[-1][1] == "Stopped at iteration 6, the limit, before converging"


def test_the_m_step_caption_gives_the_log_likelihood_change() -> None:
    loaded = clusteranim.load_scenario(GMM)
    trace = run(loaded, load_data(loaded))
    m_steps = [text for phase, text in captions_of(GMM) if phase == "update"]
    assert len(m_steps) == trace.n_iter
    for index, text in enumerate(m_steps, start=1):
        change = trace.objective[index] - trace.objective[index - 1]
        assert f"({change:+.3g})" in text


def test_captions_are_templates_a_user_can_reword() -> None:
    scenario = with_keys(
        KMEANS,
        style__layers=[
            "points",
            "centroids",
            {"caption": {"assign": "Zuordnung: {changed} Punkte wechseln", "converged": "Fertig ({n_iter})"}},
        ],
    )
    texts = captions_of(scenario)
    loaded = clusteranim.load_scenario(scenario)
    trace = run(loaded, load_data(loaded))
    changes = [len(trace.events(state).changed) for state in range(1, trace.n_iter + 1)]
    assert [text for phase, text in texts if phase == "assign"][1:] == [
        f"Zuordnung: {count} Punkte wechseln" for count in changes
    ]
    assert texts[-1] == ("done", f"Fertig ({trace.n_iter})")


def test_a_caption_without_explain_mode_tells_each_iteration() -> None:
    scenario = with_keys(KMEANS, animation={}, style__layers=["points", "caption"])
    texts = captions_of(scenario)
    assert [phase for phase, _ in texts][:2] == ["init", "iteration"]
    assert texts[1][1].startswith("Iteration 1: inertia ")


LONG_WORD = "https://example.org/datasets/household-income-by-region/" + "x" * 120 + ".csv"


@pytest.mark.parametrize("size", [(200, 150), (320, 240), (640, 480)])
@pytest.mark.parametrize("position", ["bottom", "top", "inside"])
def test_the_caption_fits_the_frame(position: str, size: tuple[int, int]) -> None:
    width, height = size
    scenario = with_keys(
        KMEANS,
        style__width=width,
        style__height=height,
        style__layers=["points", {"caption": {"position": position, "init": f"Data: {LONG_WORD}"}}],
    )
    schedule = schedule_of(clusteranim.load_scenario(scenario), run(clusteranim.load_scenario(scenario)))
    with drawn_scene(scenario) as (trace, scene):
        (caption,) = [layer for layer in scene.layers if isinstance(layer, CaptionLayer)]
        renderer = scene.canvas.get_renderer()
        axes = scene.context.axes.get_window_extent(renderer)
        tallest = 0.0
        for shot in schedule:
            text = caption._wrap(caption.caption(Frame.of(trace, shot)))
            caption.text.set_text(text)
            box = caption.text.get_window_extent(renderer)
            # Inside the frame, a long word broken (not cut at the edges), at most a fifth
            # or so of the frame's height (a third of the axes' inside them).
            assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height
            tallest = max(tallest, box.height)
            if shot.phase == "init":
                assert text.replace("\n", "").replace("…", "") in f"Data: {LONG_WORD}".replace(" ", "")
        room = 0.3 * axes.height if position == "inside" else 0.22 * height
        assert tallest <= room + 2
        assert axes.height >= 0.5 * height  # the picture keeps most of the frame


def test_an_inside_caption_keeps_the_objective_panel_away() -> None:
    scenario = with_keys(
        KMEANS,
        style__layers=["points", "centroids", "objective", {"caption": {"position": "inside"}}],
    )
    with drawn_scene(scenario) as (trace, scene):
        from clusteranim.scene.layers.objective import ObjectiveLayer

        (panel,) = [layer for layer in scene.layers if isinstance(layer, ObjectiveLayer)]
        scene.draw(Frame(trace, 0))
        (caption,) = [layer for layer in scene.layers if isinstance(layer, CaptionLayer)]
        caption.text.set_text(caption._wrap(caption.caption(Frame(trace, 0, phase="init"))))
        renderer = scene.canvas.get_renderer()
        assert not panel.panel.get_window_extent(renderer).overlaps(caption.text.get_window_extent(renderer))


def test_a_trace_made_elsewhere_is_not_told_the_scenarios_limit(tmp_path: Path) -> None:
    path = tmp_path / "explain.yaml"
    path.write_text(json.dumps(with_keys(KMEANS, output__path=str(tmp_path / "a.gif"))), encoding="utf-8")
    traced = run_cli("trace", str(path), "--set", "algorithm.max_iter=2", "-o", str(tmp_path / "short.npz"))
    assert traced.returncode == 0, traced.stderr
    scenario = clusteranim.load_scenario(path)
    given = clusteranim.pipeline.read_given_trace(tmp_path / "short.npz")
    loaded = clusteranim.load_scenario(path, trace=given)
    dataset = load_data(loaded)
    trace = clusteranim.pipeline.attach(loaded, dataset, given, "short.npz")
    assert trace.n_iter == 2 and not trace.converged and scenario.algorithm.max_iter == 30
    scene = build_scene(loaded, trace, dataset, loaded.style.explained())
    try:
        (caption,) = [layer for layer in scene.layers if isinstance(layer, CaptionLayer)]
        assert caption.caption(Frame(trace, 2, phase="done")) == "Stopped at iteration 2, before converging"
        assert caption.caption(Frame(trace, 0, phase="init")) == "Start (k = 4)"
    finally:
        scene.close()


# ------------------------------------------------------------------------- timing


def test_easing_shapes_the_tweened_frames() -> None:
    for name, ease in EASINGS.items():
        values = [ease(t) for t in np.linspace(0, 1, 21)]
        assert values[0] == pytest.approx(0) and values[-1] == pytest.approx(1), name
        assert all(b >= a for a, b in itertools.pairwise(values)), name
    shots = plan(AnimationOptions(easing="ease-in-out"), 2, True, 3, 4.0, 0.0)
    assert [shot.fraction for shot in shots[:4]] == pytest.approx([0, 4 * 0.25**3, 0.5, 1 - 4 * 0.25**3])
    linear = plan(AnimationOptions(), 2, True, 3, 4.0, 0.0)
    assert [shot.fraction for shot in linear[:4]] == [0, 0.25, 0.5, 0.75]


def test_holds_and_slow_start_set_each_frames_seconds() -> None:
    animation = AnimationOptions(
        hold=HoldOptions(first=1.5, each=0.25, converged=2.0),
        slow_start=SlowStartOptions(iterations=2, factor=3.0),
    )
    fps = 10.0
    shots = plan(animation, 5, True, 1, fps, 0.5)
    # Iteration 1 lasts 3x (6 frames instead of 2), iteration 2 2x (4), then 2 each.
    steps = [shot.step for shot in shots]
    assert [steps.count(step) for step in range(5)] == [6, 4, 2, 2, 1]
    seconds = [shot.seconds for shot in shots]
    assert seconds[0] == pytest.approx(3 * 2 / fps / 6 + 0.25 + 1.5)  # hold.first and each
    assert seconds[1] == pytest.approx(3 * 2 / fps / 6)
    assert seconds[6] == pytest.approx(2 * 2 / fps / 4 + 0.25)  # state 1: each
    assert seconds[-1] == pytest.approx(1 / fps + 0.25 + 2.0 + 0.5)  # each, converged, last
    stopped = plan(animation, 5, False, 1, fps, 0.5)
    assert stopped[-1].seconds == pytest.approx(1 / fps + 0.25 + 0.5)  # not converged: no hold
    total = 3 * 0.2 + 2 * 0.2 + 2 * 0.2 + 0.1 + 5 * 0.25 + 1.5 + 2.0 + 0.5
    assert sum(seconds) == pytest.approx(total)
    assert count_frames(animation, 5, 1, fps, 0.5) == (len(shots), pytest.approx(total))


@settings(max_examples=150, deadline=None)
@given(
    explain=st.booleans(),
    easing=st.sampled_from(sorted(EASINGS)),
    n_states=st.integers(1, 12),
    tween=st.integers(0, 5),
    slowed=st.integers(0, 6),
    factor=st.floats(1, 10),
    each=st.floats(0, 2),
    first=st.floats(0, 3),
    fps=st.floats(0.5, 30),
)
def test_frames_are_counted_without_planning_them(
    explain: bool,
    easing: str,
    n_states: int,
    tween: int,
    slowed: int,
    factor: float,
    each: float,
    first: float,
    fps: float,
) -> None:
    animation = AnimationOptions(
        explain=explain,
        easing=easing,  # type: ignore[arg-type]
        hold=HoldOptions(each=each, first=first, converged=1.0),
        slow_start=SlowStartOptions(iterations=slowed, factor=factor),
    )
    shots = plan(animation, n_states, True, tween, fps, 0.75)
    frames, seconds = count_frames(animation, n_states, tween, fps, 0.75)
    assert frames == len(shots)
    assert seconds == pytest.approx(sum(shot.seconds for shot in shots))
    assert len(collapsed([shot.phase for shot in shots])) <= steps_shown(animation, n_states)


def timing_scenario(tmp_path: Path, suffix: str) -> dict[str, Any]:
    return with_keys(
        KMEANS,
        animation={
            "explain": True,
            "easing": "ease-out",
            "hold": {"first": 1, "each": 0.25, "converged": 1.5, "last": 0.5},
            "slow_start": {"iterations": 2, "factor": 2},
        },
        output__tween=1,
        output__fps=8,
        output__path=str(tmp_path / f"timed.{suffix}"),
    )


def test_the_gif_and_the_video_keep_the_planned_time(tmp_path: Path) -> None:
    scenario = timing_scenario(tmp_path, "gif")
    loaded = clusteranim.load_scenario(scenario)
    trace = run(loaded, load_data(loaded))
    shots = schedule_of(loaded, trace)
    planned = sum(shot.seconds for shot in shots)
    result = clusteranim.render(scenario)
    assert result.frames == len(shots) and result.steps == 2 * len(trace) + 1
    assert result.duration == pytest.approx(planned, abs=1e-3)
    with Image.open(tmp_path / "timed.gif") as image:
        delays = []
        for index in range(image.n_frames):
            image.seek(index)
            delays.append(image.info["duration"])
    assert len(delays) == len(shots)
    assert sum(delays) == pytest.approx(planned * 1000, abs=10)
    assert delays[0] == pytest.approx(shots[0].seconds * 1000, abs=10)  # hold.first
    assert delays[-1] == pytest.approx(shots[-1].seconds * 1000, abs=10)  # converged and last
    video = with_keys(scenario, output__path=str(tmp_path / "timed.mp4"))
    clusteranim.render(video)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "timed.mp4"))
    assert frames == round(planned * 8)


def test_json_and_trace_report_the_displayed_steps(tmp_path: Path) -> None:
    path = tmp_path / "explain.yaml"
    path.write_text(json.dumps(with_keys(KMEANS, output__path=str(tmp_path / "a.gif"))), encoding="utf-8")
    rendered = run_cli("render", str(path), "--json")
    assert rendered.returncode == 0, rendered.stderr
    summary = json.loads(rendered.stdout)
    traced = run_cli("trace", str(path), "-o", str(tmp_path / "a.npz"))
    assert traced.returncode == 0, traced.stderr
    states = int(traced.stdout.split(" states")[0].rsplit(" ", 1)[-1])
    assert summary["steps"] == 2 * states + 1
    assert f"{summary['steps']} displayed steps" in traced.stdout


def test_explain_mode_counts_against_max_frames() -> None:
    scenario = with_keys(KMEANS, algorithm__max_iter=100, limits={"max_frames": 150})
    clusteranim.load_scenario(with_keys(scenario, animation={}))  # 101 states fit
    with pytest.raises(clusteranim.ScenarioError, match=r"limits\.max_frames"):
        clusteranim.load_scenario(scenario)  # explained, they do not


@pytest.mark.parametrize("extra", [0, 3, 10, 40])
def test_an_arrow_as_short_as_drawn_points_forward(extra: int) -> None:
    # matplotlib turns an arrow's head back over its start when the arrow is shorter than
    # the gap and the head: no arrow is drawn that short.
    from types import SimpleNamespace

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from clusteranim.scene.layers.changes import SHORTEST_ARROW, _arrow
    from clusteranim.scene.theme import THEMES

    figure = Figure(figsize=(2, 1), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 200)
    axes.set_ylim(0, 100)
    axes.set_axis_off()
    arrow = _arrow(SimpleNamespace(theme=THEMES["light"], axes=axes), np.array([0.0, 0.0, 0.0, 1.0]))  # type: ignore[arg-type]
    length = SHORTEST_ARROW * 100 / 72 + extra  # pixels; one data unit is one pixel here
    arrow.set_positions((50, 50), (50 + length, 50))
    arrow.set_visible(True)
    canvas.draw()
    dark = np.asarray(canvas.buffer_rgba())[:, :, 0] < 128
    columns = np.flatnonzero(dark.any(axis=0))
    widest = int(np.argmax(dark.sum(axis=0)))  # the base of the head
    assert columns.min() >= 48  # nothing drawn back over the start
    assert columns.min() + 4 < widest < columns.max()  # a shaft, then the head towards the end


def test_holds_count_as_frames_only_in_a_video() -> None:
    # A GIF (or the HTML player) stores each frame's seconds; a video repeats the frame.
    held = with_keys(KMEANS, animation__hold={"first": 600}, output__fps=20, algorithm__max_iter=3)
    clusteranim.load_scenario(held)
    with pytest.raises(clusteranim.ScenarioError, match=r"animation\.hold\.first: the video would last"):
        clusteranim.load_scenario(with_keys(held, output__path="out/held.mp4"))


def test_the_longest_gif_frame_is_one_frame_not_the_sum_of_every_hold() -> None:
    # 400 s on the first frame and 400 s on the last are two frames of about 400 s each.
    apart = with_keys(KMEANS, animation__hold={"first": 400, "last": 400})
    clusteranim.load_scenario(apart)
    with pytest.raises(
        clusteranim.ScenarioError, match=r"animation\.hold\.last: a GIF frame would last up to 7"
    ):
        clusteranim.load_scenario(
            with_keys(apart, animation__hold={"first": 400, "last": 400, "converged": 300})
        )
