"""Traces made elsewhere: the archive format, ``Trace.from_arrays``, ``render --trace``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

import clusteranim
from clusteranim import Trace
from clusteranim.data.base import Dataset
from clusteranim.drawing import build_scene
from clusteranim.options import OptionError
from clusteranim.pipeline import attach, read_given_trace
from clusteranim.preflight import load_data
from clusteranim.scenario import load_scenario
from clusteranim.scene.figure import Scene
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import FORMAT_VERSION, check_arrays, record
from tests.conftest import ROOT, run_cli

# Five tight groups of 20 points, and a sixth that no cluster takes (noise).
GROUPS = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [0.0, 10.0], [10.0, 10.0], [20.0, 10.0]])
NOISE_GROUP = 5


def groups() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = np.repeat(GROUPS, 20, axis=0) + rng.normal(scale=0.05, size=(120, 2))
    return X, np.repeat(np.arange(6), 20)


def shrinking_trace() -> tuple[np.ndarray, Trace]:
    """Clusters 5 -> 4 -> 3: group 4 merges into cluster 3, then group 2 into cluster 1;
    group 5 is noise throughout."""
    X, group = groups()
    owner = [np.array([0, 1, 2, 3, 4, -1]), np.array([0, 1, 2, 3, 3, -1]), np.array([0, 1, 1, 3, 3, -1])]
    labels = np.stack([state[group] for state in owner])
    centers = np.full((3, 5, 2), np.nan)
    for index, state_labels in enumerate(labels):
        for cluster in np.unique(state_labels[state_labels >= 0]):
            centers[index, cluster] = X[state_labels == cluster].mean(axis=0)
    merges = np.array([[1, 3, 4, 3], [2, 1, 2, 1]])
    trace = Trace.from_arrays(
        X,
        labels=labels,
        centers=centers,
        merges=merges,
        objective=np.array([3.0, 2.0, 1.0]),
        objective_name="spread",
        display_name="merging",
    )
    return X, trace


def test_from_arrays_holds_noise_a_shrinking_number_of_clusters_and_events() -> None:
    _, trace = shrinking_trace()
    assert len(trace) == 3 and trace.n_clusters == 5
    assert [trace.n_active(index) for index in range(3)] == [5, 4, 3]
    capabilities = trace.capabilities
    assert capabilities.noise and capabilities.varying_k and capabilities.merge_tree
    assert capabilities.centers and not capabilities.covariances and capabilities.objective == "spread"
    assert trace.labels(0).dtype == np.intp and (trace.labels(2) == -1).sum() == 20
    events = trace.events(1)
    assert set(events.changed.tolist()) == set(range(80, 100))  # group 4 moved to cluster 3
    assert events.merges.tolist() == [[3, 4, 3]]
    assert trace.events(2).merges.tolist() == [[1, 2, 1]]
    memberships = trace.memberships(0)
    assert memberships.shape == (120, 5) and memberships[100:].sum() == 0  # noise belongs nowhere
    # Points of the plane go to the nearest cluster that exists at the state.
    assert trace.labels_of(np.array([[2.0, 11.0], [19.0, 1.0]]), trace.state(2)).tolist() == [3, 1]


def test_reached_points_leave_noise() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    trace = Trace.from_arrays(X, labels=np.array([[0, -1, -1], [0, 0, -1], [0, 0, 0]]))
    assert trace.events(1).reached.tolist() == [1]
    assert trace.events(2).reached.tolist() == [2]
    assert not trace.capabilities.centers and not trace.capabilities.assigns_any_point


@pytest.mark.parametrize(
    ("arrays", "key", "message"),
    [
        ({"labels": np.zeros((2, 7), int)}, "labels", "must have shape (T + 1, 120)"),
        (
            {"labels": np.full((1, 120), 5), "centers": np.zeros((1, 5, 2))},
            "labels",
            "state 0 gives point 0 the label 5",
        ),
        ({"labels": np.full((1, 120), -2)}, "labels", "labels are -1 (noise)"),
        ({"labels": np.zeros((1, 120), int), "centers": np.zeros((1, 1, 3))}, "centers", "must have shape"),
        ({"labels": np.zeros((1, 120), float)}, "labels", "must be an array of integers"),
        (
            {"labels": np.zeros((1, 120), int), "weights": np.array([[-1.0]])},
            "weights",
            "must not be negative",
        ),
        (
            {"labels": np.zeros((1, 120), int), "objective": np.array([np.inf])},
            "objective",
            "NaN or infinite",
        ),
        ({"labels": np.zeros((1, 120), int), "sizes": np.zeros(3)}, "sizes", "is not an array of a trace"),
        (
            {"labels": np.zeros((1, 120), int), "centers": np.array([[[0.0, np.nan]]])},
            "centers",
            "either all numbers or all NaN",
        ),
    ],
)
def test_from_arrays_names_the_array_found_wrong(
    arrays: dict[str, np.ndarray], key: str, message: str
) -> None:
    X, _ = groups()
    with pytest.raises(OptionError, match=re.escape(message)) as caught:
        check_arrays({"X": X, **arrays}, from_file=False)
    assert caught.value.key == key


def test_a_saved_trace_reads_back_the_same(tmp_path: Path) -> None:
    _, trace = shrinking_trace()
    path = tmp_path / "t.npz"
    trace.save(path)
    with np.load(path) as archive:
        assert int(archive["format_version"]) == FORMAT_VERSION
        assert archive["labels"].dtype == np.int8
        assert not np.isnan(archive["centers"]).any()  # absent clusters: the active mask
    again = Trace.from_checked(read_given_trace(path))
    assert np.array_equal(again.labels(1), trace.labels(1))
    assert np.array_equal(again.centers, trace.centers, equal_nan=True)
    assert again.capabilities == trace.capabilities
    assert np.array_equal(again.merges, trace.merges)


def scenario_for(tmp_path: Path, X: np.ndarray, **style: object) -> Path:
    np.save(tmp_path / "points.npy", X)
    document = {
        "data": {"generator": "file", "path": "points.npy"},
        "style": {
            "width": 240,
            "height": 160,
            "aspect": "auto",
            "axes": False,
            "ticks": False,
            "layers": [{"points": {"size": 60, "alpha": 1.0}}, "centroids", "trails", "title", "legend"],
            **style,
        },
        "output": {"path": "out.gif", "fps": 2, "hold_last": 0},
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_hand_made_trace_renders_with_stable_colours(tmp_path: Path) -> None:
    X, trace = shrinking_trace()
    trace.save(tmp_path / "t.npz")
    scenario = scenario_for(tmp_path, X, layers=[{"points": {"size": 60, "alpha": 1.0}}])
    for name in ("out.gif", "out.mp4"):
        process = run_cli(
            "render", str(scenario), "--trace", str(tmp_path / "t.npz"), "-o", str(tmp_path / name)
        )
        assert process.returncode == 0, process.stderr
    # Where each group is drawn, from the scene that drew it.
    given = read_given_trace(tmp_path / "t.npz")
    loaded = load_scenario(scenario, trace=given)
    dataset = load_data(loaded)
    scene = build_scene(loaded, attach(loaded, dataset, given, "t"), dataset)
    height = scene.size[1]
    spots = [scene.context.axes.transData.transform(point) for point in GROUPS]
    gif = Image.open(tmp_path / "out.gif")
    colours = []
    for index in range(gif.n_frames):
        gif.seek(index)
        rgb = np.asarray(gif.convert("RGB"))
        colours.append([tuple(rgb[int(height - y), int(x)]) for x, y in spots])
    assert len(colours) == 3
    palette = scene.context.colors[:, :3] * 255
    for state, row in enumerate(colours):
        owners = [[0, 1, 2, 3, 4], [0, 1, 2, 3, 3], [0, 1, 1, 3, 3]][state]
        for group, owner in enumerate(owners):
            assert np.abs(np.subtract(row[group], palette[owner])).max() <= 6, (state, group)
        assert np.abs(np.subtract(row[NOISE_GROUP], [0x9A, 0x9A, 0x9A])).max() <= 6  # noise, grey
    video = subprocess.run(
        [_ffmpeg(), "-v", "error", "-i", str(tmp_path / "out.mp4"), "-f", "null", "-"],
        capture_output=True,
        check=False,
    )
    assert video.returncode == 0 and (tmp_path / "out.mp4").stat().st_size > 1000


def test_every_layer_draws_a_shrinking_trace(tmp_path: Path) -> None:
    X, trace = shrinking_trace()
    trace.save(tmp_path / "t.npz")
    layers = [
        "regions",
        "density",
        "points",
        "ellipses",
        "centroids",
        "trails",
        "title",
        "legend",
        "objective",
    ]
    scenario = scenario_for(tmp_path, X, layers=layers, width=320, height=240)
    process = run_cli(
        "render",
        str(scenario),
        "--trace",
        str(tmp_path / "t.npz"),
        "--set",
        "output.tween=2",
        "-o",
        str(tmp_path / "out.gif"),
        "--poster",
        str(tmp_path / "last.png"),
    )
    assert process.returncode == 0, process.stderr
    assert Image.open(tmp_path / "last.png").size == (320, 240)


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@pytest.mark.parametrize("config", ["02_gmm_em", "03_kmeans_regions", "07_petals_4d"])
def test_a_written_trace_renders_to_the_same_bytes(tmp_path: Path, config: str) -> None:
    scenario = ROOT / "configs" / f"{config}.yaml"
    assert run_cli("trace", str(scenario), "-o", str(tmp_path / "t.npz")).returncode == 0
    alone = run_cli("render", str(scenario), "-o", str(tmp_path / "alone.gif"))
    given = run_cli(
        "render", str(scenario), "--trace", str(tmp_path / "t.npz"), "-o", str(tmp_path / "given.gif")
    )
    assert alone.returncode == given.returncode == 0, given.stderr
    assert (tmp_path / "alone.gif").read_bytes() == (tmp_path / "given.gif").read_bytes()


def test_a_trace_of_another_algorithm_or_k_is_refused(tmp_path: Path) -> None:
    scenario = ROOT / "configs" / "01_two_blobs_density.yaml"
    assert run_cli("trace", str(scenario), "-o", str(tmp_path / "t.npz")).returncode == 0
    for extra, expected in (
        ("algorithm.name=kmeans", "algorithm.name: is kmeans, but the trace was made by gmm"),
        ("algorithm.k=5", "algorithm.k: is 5, but the trace has"),
    ):
        for command in ("render", "validate"):
            process = run_cli(
                command,
                str(scenario),
                "--trace",
                str(tmp_path / "t.npz"),
                "--set",
                extra,
                "-o",
                str(tmp_path / "x.gif"),
            )
            assert process.returncode == 2 and expected in process.stderr, process.stderr
    assert not (tmp_path / "x.gif").exists()


def test_a_recorded_trace_keeps_its_content() -> None:
    from clusteranim.algorithms.kmeans import KMeans

    X, _ = groups()
    trace = record(KMeans(3, "random", 1e-4, 0), X, 10)
    arrays = trace.arrays()
    for index in range(len(trace)):
        assert np.array_equal(arrays["labels"][index], trace.labels(index))
    assert np.array_equal(arrays["centers"], trace.centers)
    assert arrays["labels"].dtype.kind == "i"  # signed: -1 is noise in any trace


def test_a_trace_without_objective_plays_in_the_html_player(tmp_path: Path) -> None:
    X, _ = groups()
    labels = np.stack([np.repeat(np.arange(6), 20)] * 2)
    Trace.from_arrays(X, labels=labels).save(tmp_path / "t.npz")
    scenario = scenario_for(tmp_path, X, layers=["points", "legend", "title"])
    process = run_cli(
        "render", str(scenario), "--trace", str(tmp_path / "t.npz"), "-o", str(tmp_path / "t.html"), "--json"
    )
    assert process.returncode == 0, process.stderr
    assert '"objective": null' in process.stdout
    page = (tmp_path / "t.html").read_text()
    assert '"objective":null' in page and "NaN" not in page


def test_the_legend_and_trails_follow_the_clusters_that_exist() -> None:
    from clusteranim.scene.base import Frame

    X, trace = shrinking_trace()
    dataset = Dataset(X)
    style = StyleOptions.model_validate({"width": 320, "height": 240, "layers": ["trails", "legend"]})
    scene = Scene(style, trace, dataset, "merging")
    trails, legend = scene.layers
    shown = []
    for step in range(3):
        scene.draw(Frame(trace, step))
        shown.append([text.get_text() for text in legend.artists[0].get_texts()])
        assert [line.get_visible() for line in trails.artists] == list(trace.is_active(step))
    assert shown == [
        ["cluster 1", "cluster 2", "cluster 3", "cluster 4", "cluster 5"],
        ["cluster 1", "cluster 2", "cluster 3", "cluster 4"],
        ["cluster 1", "cluster 2", "cluster 4"],
    ]


def test_python_errors_name_the_array() -> None:
    X, _ = groups()
    with pytest.raises(OptionError, match=r"^weights: holds NaN or infinite values \(only centers may"):
        Trace.from_arrays(X, labels=np.zeros((1, 120), int), weights=np.full((1, 1), np.nan))
    with pytest.raises(TypeError, match="trace must be a Trace"):
        clusteranim.render({}, trace=42)  # type: ignore[arg-type]


def test_trace_command_says_what_it_wrote_and_wants_an_npz(tmp_path: Path) -> None:
    scenario = ROOT / "configs" / "00_quickstart.yaml"
    said = run_cli("trace", str(scenario), "-o", str(tmp_path / "t.npz"))
    assert said.returncode == 0 and said.stdout.startswith(f"wrote {tmp_path / 't.npz'} (trace, ")
    quiet = run_cli("trace", str(scenario), "-o", str(tmp_path / "q.npz"), "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and (tmp_path / "q.npz").exists()
    refused = run_cli("trace", str(scenario), "-o", str(tmp_path / "t.gif"))
    assert refused.returncode == 2
    assert refused.stderr == f"--output {tmp_path / 't.gif'}: a trace is an .npz archive: name it *.npz\n"
    assert not (tmp_path / "t.gif").exists()


def test_names_in_a_trace_are_plain_text_even_with_dollar_signs(tmp_path: Path) -> None:
    # A trace's names reach titles and captions; matplotlib would read text between two
    # dollar signs as mathtext and fail halfway through the render on a bad one.
    from tests.bad_inputs.special import _points, _trace_arrays

    np.savetxt(tmp_path / "points.csv", _points(), delimiter=",", header="x,y", comments="")
    arrays = _trace_arrays(
        algorithm=np.asarray("custom"),
        display_name=np.asarray("$\\foo$ means"),
        objective_name=np.asarray("$\\bar$ cost"),
    )
    np.savez(tmp_path / "trace.npz", **arrays)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "data": {"generator": "file", "path": "points.csv"},
                "style": {
                    "width": 240,
                    "height": 180,
                    "title": "{algorithm}",
                    "layers": [
                        "points",
                        "centroids",
                        "title",
                        "objective",
                        {"caption": {"position": "inside"}},
                    ],
                },
                "animation": {"explain": True},
                "output": {"path": "out.gif"},
            }
        ),
        encoding="utf-8",
    )
    for command in ("validate", "render"):
        process = run_cli(command, "--trace", "trace.npz", "scenario.yaml", cwd=tmp_path)
        assert process.returncode == 0, process.stderr
        assert process.stderr == ""
    loaded = read_given_trace(tmp_path / "trace.npz")
    assert loaded.profile.name == "\\$\\foo\\$ means"  # drawn as written
