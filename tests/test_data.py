"""Data sources: generators, files, and N-D data shown through a 2-D projection."""

from __future__ import annotations

import io
import os
import pickle
import re
import socket
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

import clusteranim
from clusteranim import npyfile as file_source
from clusteranim.data import GENERATORS
from clusteranim.data.base import Dataset
from clusteranim.errors import ScenarioError
from clusteranim.options import OptionError
from tests.conftest import run_cli, without_opening

Write = Callable[..., Path]

GENERATED = {
    "blobs": {"n_samples": [30, 50, 20], "centers": [[0, 0], [5, 5], [-5, 5]]},
    "gaussian_mixture": {},
    "uniform_clusters": {},
    "moons": {"n_samples": 301},
    "circles": {"n_samples": 200},
    "anisotropic": {"n_samples": 150, "centers": 3},
    "varied": {"n_samples": 150},
}
EXPECTED = {  # (n_samples, n_features, points per class)
    "blobs": (100, 2, [30, 50, 20]),
    "gaussian_mixture": (400, 2, [160, 140, 100]),
    "uniform_clusters": (1200, 2, [100] * 12),
    "moons": (301, 2, [150, 151]),
    "circles": (200, 2, [100, 100]),
    "anisotropic": (150, 2, [50, 50, 50]),
    "varied": (150, 2, [50, 50, 50]),
}


MAX_POINTS = 5_000_000  # the default of limits.max_points


def load(generator: str, seed: int = 0, **options: Any) -> Dataset:
    source = GENERATORS[generator].model_validate({"generator": generator, **options})
    return source.load(seed, Path.cwd(), MAX_POINTS)


def option_error(generator: str, **options: Any) -> OptionError:
    with pytest.raises(ValidationError) as caught:
        GENERATORS[generator].model_validate({"generator": generator, **options})
    error = caught.value.errors()[0].get("ctx", {}).get("error")
    assert isinstance(error, OptionError), caught.value
    return error


@pytest.mark.parametrize("generator", sorted(GENERATED))
def test_generators_are_deterministic_with_right_shapes(generator: str) -> None:
    first = load(generator, 3, **GENERATED[generator])
    again = load(generator, 3, **GENERATED[generator])
    other = load(generator, 4, **GENERATED[generator])
    assert np.array_equal(first.X, again.X) and np.array_equal(first.labels, again.labels)  # type: ignore[arg-type]
    assert not np.array_equal(first.X, other.X)
    n_samples, n_features, per_class = EXPECTED[generator]
    assert first.X.shape == (n_samples, n_features) and first.X.dtype == np.float64
    assert first.labels is not None
    assert sorted(np.bincount(first.labels).tolist()) == sorted(per_class)
    assert np.all(np.isfinite(first.X))


def test_blobs_match_make_blobs_in_distribution() -> None:
    centers = [[0.0, 0.0], [6.0, -2.0], [-3.0, 7.0]]
    stds = [0.5, 1.5, 1.0]
    ours = load("blobs", 11, n_samples=30_000, centers=centers, cluster_std=stds)
    theirs, their_labels = make_blobs(30_000, centers=np.array(centers), cluster_std=stds, random_state=11)
    assert ours.labels is not None
    for cluster, (center, std) in enumerate(zip(centers, stds, strict=True)):
        mine = ours.X[ours.labels == cluster]
        reference = theirs[their_labels == cluster]
        assert len(mine) == len(reference) == 10_000
        standard_error = std / np.sqrt(len(mine))
        assert np.allclose(mine.mean(axis=0), center, atol=5 * standard_error)
        assert np.allclose(mine.mean(axis=0), reference.mean(axis=0), atol=7 * standard_error)
        assert np.allclose(mine.std(axis=0), reference.std(axis=0), rtol=0.05)
        assert np.allclose(mine.std(axis=0), std, rtol=0.05)


def test_blobs_random_centres_lie_in_the_box() -> None:
    data = load("blobs", 0, n_samples=5000, centers=4, cluster_std=0.01, center_box=[2, 3], n_features=3)
    assert data.X.shape == (5000, 3)
    assert np.all((data.X > 1.9) & (data.X < 3.1))


def test_gaussian_mixture_follows_its_covariances() -> None:
    covariance = [[2.0, 0.9], [0.9, 1.0]]
    data = load(
        "gaussian_mixture", 5, n_samples=20_000, means=[[1.0, -1.0]], covariances=[covariance], weights=[1.0]
    )
    assert np.allclose(data.X.mean(axis=0), [1.0, -1.0], atol=0.05)
    assert np.allclose(np.cov(data.X, rowvar=False), covariance, atol=0.08)


def test_uniform_clusters_spread_is_variance_times_span() -> None:
    data = load(
        "uniform_clusters", 2, n_clusters=3, points_per_cluster=5000, bounds=[[0, 10], [0, 2]], variance=0.1
    )
    assert data.labels is not None
    spreads = np.array([data.X[data.labels == c].std(axis=0) for c in range(3)])
    assert np.allclose(spreads, np.sqrt(0.1 * np.array([10.0, 2.0])), rtol=0.05)


def test_moons_and_circles_shapes() -> None:
    moons = load("moons", 0, n_samples=400, noise=0.0)
    radii = np.hypot(
        moons.X[:, 0] - np.where(moons.labels == 0, 0.0, 1.0),
        moons.X[:, 1] - np.where(moons.labels == 0, 0.0, 0.5),
    )
    assert np.allclose(radii, 1.0)
    circles = load("circles", 0, n_samples=400, noise=0.0, factor=0.3)
    assert np.allclose(np.hypot(*circles.X.T), np.where(circles.labels == 0, 1.0, 0.3))


def test_anisotropic_is_blobs_under_the_map() -> None:
    options = {"n_samples": 90, "centers": 3, "transformation": [[1.0, 0.5], [0.0, 2.0]]}
    sheared = load("anisotropic", 7, **options)
    plain = load("blobs", 7, n_samples=90, centers=3)
    assert np.allclose(sheared.X, plain.X @ np.array([[1.0, 0.5], [0.0, 2.0]]))


@pytest.mark.parametrize(
    ("generator", "options", "key", "message"),
    [
        (
            "gaussian_mixture",
            {"weights": [0.5, 0.3, 0.3]},
            "weights",
            "must be non-negative and sum to 1, they sum to 1.1",
        ),
        (
            "gaussian_mixture",
            {"covariances": [[[1, 2], [2, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]]},
            "covariances.0",
            "must be positive semi-definite (it has eigenvalue -1)",
        ),
        ("gaussian_mixture", {"covariances": [[[1, 0.5], [0, 1]]] * 3}, "covariances.0", "must be symmetric"),
        (
            "gaussian_mixture",
            {"means": [[0, 0], [1, 1, 1], [2, 2]]},
            "means",
            "every mean must have the same number",
        ),
        ("blobs", {"centers": [[0, 0], [1]]}, "centers", "every centre must have the same number"),
        ("blobs", {"n_samples": [10, -2]}, "n_samples", "counts >= 0"),
        ("blobs", {"n_samples": -5}, "n_samples", "must be >= 1, got -5"),
        ("blobs", {"n_samples": [10, 20], "centers": 3}, "n_samples", "lists 2 counts for 3 centres"),
        ("blobs", {"cluster_std": [1.0, 2.0]}, "cluster_std", "lists 2 values for 3 centres"),
        ("uniform_clusters", {"bounds": [[0, 1], [3, 2]]}, "bounds.1", "must be [min, max] with min < max"),
        ("anisotropic", {"transformation": [[1, 0]]}, "transformation", "must be a 2 x 2 matrix"),
    ],
)
def test_bad_generator_parameters(generator: str, options: dict[str, Any], key: str, message: str) -> None:
    error = option_error(generator, **options)
    assert error.key == key and message in error.message


def test_bad_parameters_through_the_loader(write_scenario: Write) -> None:
    path = write_scenario(
        """
        data:
          generator: gaussian_mixture
          weights: [0.5, 0.2, 0.2]
        """
    )
    with pytest.raises(ScenarioError) as caught:
        clusteranim.load_scenario(path)
    assert str(caught.value) == f"{path}:3: data.weights: must be non-negative and sum to 1, they sum to 0.9"


# ------------------------------------------------------------------------ files


def read_file(folder: Path, max_points: int = MAX_POINTS, **options: Any) -> Dataset:
    """The points of a ``file`` source, relative paths resolving in ``folder``."""
    return GENERATORS["file"].model_validate({"generator": "file", **options}).load(0, folder, max_points)


def write_csv(path: Path, rng: np.random.Generator, n_rows: int = 10_000) -> np.ndarray:
    centers = rng.uniform(-8, 8, size=(4, 5))
    labels = rng.integers(4, size=n_rows)
    X = centers[labels] + rng.normal(size=(n_rows, 5))
    lines = ["a,b,c,d,e,kind"] + [
        ",".join(f"{v:.6f}" for v in row) + f",k{label}" for row, label in zip(X, labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return np.round(X, 6)


def test_csv_in_five_dimensions_renders_through_pca(tmp_path: Path, rng: np.random.Generator) -> None:
    from clusteranim.drawing import build_scene
    from clusteranim.pipeline import load_data, run
    from clusteranim.scene.base import Frame

    X = write_csv(tmp_path / "points.csv", rng)
    scenario_path = tmp_path / "five.yaml"
    scenario_path.write_text(
        "seed: 1\ndata: {generator: file, path: points.csv, label_column: kind}\n"
        "algorithm: {name: kmeans, k: 4, init: kmeans++, max_iter: 20}\n"
        "style: {width: 400, height: 400, layers: [points, {centroids: {color: black, size: 300}}]}\n"
        "output: {path: five.gif}\n"
    )
    scenario = clusteranim.load_scenario(scenario_path)
    dataset = load_data(scenario)
    assert np.allclose(dataset.X, X) and dataset.feature_names == ("a", "b", "c", "d", "e")
    trace = run(scenario, dataset)
    assert trace.centers.shape[2] == 5
    scene = build_scene(scenario, trace, dataset)
    reference = PCA(n_components=2).fit(X)
    last = len(trace) - 1
    rgb = scene.draw(Frame(trace, last))[:, :, :3]
    centroids = scene.layers[1].artists[0]
    drawn = centroids.get_offsets()  # type: ignore[attr-defined]
    expected = reference.transform(trace.centers[last])
    # Principal axes are defined up to sign.
    assert np.allclose(np.abs(drawn), np.abs(expected), atol=1e-8)
    assert np.allclose(drawn * np.sign(drawn) * np.sign(expected), expected, atol=1e-8)
    height = rgb.shape[0]
    for x, y in scene.context.axes.transData.transform(drawn):
        assert tuple(rgb[round(height - y), round(x)]) == (0, 0, 0)
    assert scene.context.axes.get_xlabel().startswith("PC 1")
    result = clusteranim.render(scenario_path, output=tmp_path / "five.gif")
    assert result.frames == trace.n_iter + 1


def test_csv_columns_by_name_and_index_without_header(tmp_path: Path) -> None:
    (tmp_path / "plain.csv").write_text("1;2;3\n4;5;6\n7;8;9\n")
    named = tmp_path / "named.tsv"
    named.write_text("x\ty\tz\n1\t2\t3\n4\t5\t6\n")
    plain = read_file(tmp_path, path="plain.csv", columns=[2, 0])
    assert np.array_equal(plain.X, [[3, 1], [6, 4], [9, 7]]) and plain.files == ((tmp_path / "plain.csv"),)
    by_name = read_file(Path("/"), path=str(named), columns=["z", "x"])
    assert np.array_equal(by_name.X, [[3, 1], [6, 4]]) and by_name.feature_names == ("z", "x")


def test_numpy_files(tmp_path: Path, rng: np.random.Generator) -> None:
    X = rng.normal(size=(50, 3))
    np.save(tmp_path / "points.npy", X)
    np.savez(tmp_path / "points.npz", X=X, labels=np.arange(50) % 2)
    from_npy = read_file(tmp_path, path="points.npy", columns=[0, 2])
    assert np.array_equal(from_npy.X, X[:, [0, 2]])
    from_npz = read_file(tmp_path, path="points.npz", label_column="labels")
    assert np.array_equal(from_npz.X, X) and np.array_equal(from_npz.labels, np.arange(50) % 2)  # type: ignore[arg-type]


def test_drop_invalid_skips_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("x,y\n1,2\nnan,3\n4,inf\n5,abc\n6\n7,8\n")
    data = read_file(tmp_path, path="bad.csv", drop_invalid=True)
    assert np.array_equal(data.X, [[1, 2], [7, 8]])


@pytest.mark.parametrize(
    ("content", "scenario_extra", "message"),
    [
        (None, "", "data.path: no such file: {data}"),
        ("", "", "data.path: {data}: is empty"),
        ("x,y\n1,2\n3,4,5\n", "", "data.path: {data}:3: row has 3 fields, expected 2"),
        ("x,y\n1,2\n3,abc\n", "", "data.path: {data}:3: 'abc' in column 'y' is not a finite number"),
        ("x,y\n1,2\n3,nan\n", "", "data.path: {data}:3: 'nan' in column 'y' is not a finite number"),
        ("x,y\n1,2\n3,4\n", "", "algorithm.k: must be at most the number of points (2 in {data}), got 3"),
        ("x,y\n1,2\n3,4\n", ", columns: [x, q]", "data.columns[1]: no column 'q'; the columns are x, y"),
        (
            "1,2\n3,4\n",
            ", columns: [x]",
            "data.columns[0]: names column 'x' but the file has no header; use a 0-based index",
        ),
        ("\x00\x01binary", "", "data.path: {data}: a binary file, not CSV"),
        (b"x,y\n1,\xff\n", "", "data.path: {data}: not UTF-8 text (byte 6)"),
    ],
)
def test_bad_files_exit_2_naming_file_and_row(
    tmp_path: Path, content: str | bytes | None, scenario_extra: str, message: str
) -> None:
    data = tmp_path / "data.csv"
    if isinstance(content, bytes):
        data.write_bytes(content)
    elif content is not None:
        data.write_text(content)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"data: {{generator: file, path: data.csv{scenario_extra}}}\nalgorithm: {{k: 3}}\n")
    process = run_cli("render", str(scenario), "-o", str(tmp_path / "out.gif"))
    assert process.returncode == 2
    line = 2 if message.startswith("algorithm") else 1
    assert process.stderr == f"{scenario}:{line}: {message.format(data='data.csv')}\n"
    assert not (tmp_path / "out.gif").exists()


def test_projection_pair_and_first2(tmp_path: Path, rng: np.random.Generator) -> None:
    from clusteranim.scene.projection import Projection

    X = rng.normal(size=(40, 4))
    pair = Projection.fit(X, (3, 1), ("a", "b", "c", "d"))
    assert np.array_equal(pair.points(X), X[:, [3, 1]]) and pair.axis_labels == ("d", "b")
    assert np.array_equal(Projection.fit(X, "first2").points(X), X[:, :2])
    line = Projection.fit(X[:, :1], None)
    assert np.array_equal(line.points(X[:, :1]), np.column_stack([X[:, 0], np.zeros(40)]))
    with pytest.raises(OptionError, match="column 4 does not exist"):
        Projection.fit(X, (0, 4))
    covariance = np.cov(X, rowvar=False)
    assert np.allclose(pair.covariances(covariance), covariance[np.ix_([3, 1], [3, 1])])


# ------------------------------------------------------------ bounded reading


def bytes_read() -> int:
    """Bytes this process has read from files so far (``rchar`` of /proc/self/io)."""
    proc_io = Path("/proc/self/io")
    if not proc_io.exists():
        pytest.skip("needs /proc/self/io to count the bytes read")
    counters = dict(line.split(": ") for line in proc_io.read_text().splitlines())
    return int(counters["rchar"])


def refusal(folder: Path, max_points: int = MAX_POINTS, **options: Any) -> tuple[str, int, float]:
    """How a ``file`` source is refused: its message, the bytes read meanwhile, and the seconds taken."""
    before = bytes_read()
    started = time.perf_counter()
    with pytest.raises(OptionError) as caught:
        read_file(folder, max_points, **options)
    return caught.value.message, bytes_read() - before, time.perf_counter() - started


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    return header.getvalue()


def npy_bytes(array: np.ndarray, **options: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **options)
    return buffer.getvalue()


def npz_declaring(member: bytes, declared_size: int) -> bytes:
    """A one-member .npz (``X.npy``, deflated) whose zip headers declare ``declared_size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", member)
    raw = bytearray(buffer.getvalue())
    size = declared_size.to_bytes(4, "little")
    raw[22:26] = size  # the local file header, at offset 0
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = size
    return bytes(raw)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: path.mkdir(), "a directory"),
        (lambda path: path.symlink_to("/dev/zero"), "a character device (a link to /dev/zero)"),
        (lambda path: socket.socket(socket.AF_UNIX).bind(str(path)), "a socket"),
    ],
    ids=["directory", "dev_zero", "socket"],
)
def test_only_regular_files_are_read(tmp_path: Path, make: Callable[[Path], object], kind: str) -> None:
    make(tmp_path / "points.csv")
    message, n_read, seconds = refusal(tmp_path, path="points.csv")
    assert message == f"points.csv: is {kind}, not a data file"
    assert n_read < 10_000 and seconds < 1


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "data" / "points.csv"
    fifo.parent.mkdir()
    os.mkfifo(fifo)

    def read() -> str:
        with pytest.raises(OptionError) as caught:
            read_file(tmp_path, path="data/points.csv")
        return caught.value.message

    assert without_opening(fifo, read) == "data/points.csv: is a named pipe (FIFO), not a data file"


def test_csv_reading_stops_at_the_first_row_beyond_max_points(tmp_path: Path) -> None:
    # 8 MB of rows, then bytes that are not UTF-8: reading the whole file would find them.
    (tmp_path / "big.csv").write_bytes(b"x,y\n" + b"0.5,1.25\n" * 900_000 + b"\xff\xfe\n" * 1000)
    message, n_read, seconds = refusal(tmp_path, max_points=1_000, path="big.csv")
    assert message == "big.csv: more than 1,000 rows (limits.max_points); raise limits.max_points to allow it"
    assert n_read < 1 << 20 and seconds < 1


def test_csv_of_exactly_max_points_rows_is_read(tmp_path: Path, rng: np.random.Generator) -> None:
    X = rng.normal(size=(1_000, 3))
    path = tmp_path / "points.csv"
    np.savetxt(path, X, delimiter=",", header="a,b,c", comments="")
    path.write_text(path.read_text() + "\n\n")  # blank lines are not rows
    data = read_file(tmp_path, max_points=1_000, path="points.csv")
    assert np.array_equal(data.X, np.loadtxt(path, delimiter=",", skiprows=1))
    with pytest.raises(OptionError, match="more than 999 rows"):
        read_file(tmp_path, max_points=999, path="points.csv")


QUOTED_FIELD = b'"' + (b"a" * 99 + b"\n") * 1_000 + b'"'  # 100,000 characters over 1,000 lines


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"1," * 4_000_000, r"data\.csv:1: row is longer than 1 MiB \(1,048,576 bytes\)"),
        (
            b'x,y\n1,2\n3,"' + b"a" * 200_000 + b'"\n',
            r"data\.csv:3: a field is longer than 131,072 characters",
        ),
        # One row of quoted fields spanning lines, each field under csv's own limit.
        (b"x,y\n" + b",".join([QUOTED_FIELD] * 20), r"data\.csv:\d+: row is longer than 1 MiB .*"),
        (b"x,y\n1,2\r3,4\n", r"data\.csv:2: a carriage return \(\\r\) inside a row; .*"),
    ],
    ids=["no_newline", "huge_field", "huge_quoted_row", "carriage_return"],
)
def test_csv_rows_are_bounded(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "data.csv").write_bytes(content)
    found, n_read, _ = refusal(tmp_path, path="data.csv")
    assert re.fullmatch(message, found), found
    assert n_read < 3 << 20


def test_good_csv_matches_numpy_loadtxt(tmp_path: Path, rng: np.random.Generator) -> None:
    # Over one chunk of rows, with a byte-order mark, CRLF line ends, quotes and blank lines.
    n_rows = 70_000
    X = np.round(rng.normal(size=(n_rows, 3)), 6)
    kinds = rng.choice(["red", "green", "blue"], size=n_rows)
    lines = ['"a";"b";"c";"kind"'] + [
        ";".join(f"{value:.6f}" for value in row) + f';"{kind}"' for row, kind in zip(X, kinds, strict=True)
    ]
    lines[5_000] += "\r\n"
    path = tmp_path / "points.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n\r\n")
    data = read_file(tmp_path, path="points.csv", label_column="kind")
    reference = np.loadtxt(path, delimiter=";", skiprows=1, usecols=(0, 1, 2), encoding="utf-8-sig")
    assert np.array_equal(data.X, reference) and np.array_equal(data.X, X)
    assert data.feature_names == ("a", "b", "c")
    assert np.array_equal(data.labels, np.unique(kinds, return_inverse=True)[1])  # type: ignore[arg-type]


def test_csv_errors_name_the_line_past_blank_lines_and_chunks(tmp_path: Path) -> None:
    rows = ["1,2"] * 70_000
    rows[69_000] = "3,abc"
    (tmp_path / "data.csv").write_text("\n\n  \nx,y\n" + "\n".join(rows) + "\n")
    message, _, _ = refusal(tmp_path, path="data.csv")
    assert message == "data.csv:69005: 'abc' in column 'y' is not a finite number"
    (tmp_path / "data.csv").write_bytes(b"\n\nx,y\n" + b"1,2\n" * 50_000 + b"3,\xe94\n")
    message, _, _ = refusal(tmp_path, path="data.csv")
    assert message == f"data.csv: not UTF-8 text (byte {(tmp_path / 'data.csv').read_bytes().index(0xE9)})"


def test_paths_in_messages_are_as_written_and_files_are_resolved(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "points.csv").write_text("1,2\n3,4\n")
    data = read_file(tmp_path, path="data/../data/points.csv")
    assert data.files == ((tmp_path / "data" / "points.csv").resolve(),)
    message, _, _ = refusal(tmp_path, path="data/../data/nowhere.csv")
    assert message == "no such file: data/../data/nowhere.csv"
    (tmp_path / "loop.csv").symlink_to("loop.csv")
    source = GENERATORS["file"].model_validate({"path": "loop.csv"})
    assert source.input_files(tmp_path) == (tmp_path / "loop.csv",)
    message, _, _ = refusal(tmp_path, path="loop.csv")
    assert message == "loop.csv: cannot be read (Too many levels of symbolic links)"
    assert option_error("file", path="data\x00.csv").message == "must not hold a NUL character"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            npy_header((10**12, 2)) + bytes(16),
            "its header describes float64 of shape (1000000000000, 2) (16,000,000,000,000 bytes)"
            " but 16 bytes follow it",
        ),
        (
            npy_bytes(np.ones((10, 2)))[:-40],
            "its header describes float64 of shape (10, 2) (160 bytes) but 120 bytes follow it",
        ),
        (
            npy_bytes(np.ones((10, 2)))[:30],
            "not a valid .npy header (EOF: reading array header, expected 118 bytes got 20)",
        ),
        (npy_bytes(np.ones((10, 2)))[:5], "not a .npy array (it does not start with \\x93NUMPY)"),
        (b"1,2\n3,4\n", "not a .npy array (it does not start with \\x93NUMPY)"),
        (npy_header((-3, 2)), "not a valid .npy header (shape (-3, 2))"),
        (
            npy_header((2, 3), "<c16") + bytes(96),
            "expected a 1-D or 2-D array of numbers, got complex128 of shape (2, 3)",
        ),
        (
            npy_header((2, 2, 2)) + bytes(64),
            "expected a 1-D or 2-D array of numbers, got float64 of shape (2, 2, 2)",
        ),
        (
            npy_header((1, 200_000)) + bytes(1_600_000),
            "each row is 1,600,000 bytes, longer than 1 MiB (1,048,576 bytes)",
        ),
        (b"\x93NUMPY\x03\x00" + bytes(100), "is .npy format version 3.0; clusteranim reads 1.0 and 2.0"),
    ],
    ids=[
        "lying_shape",
        "truncated_data",
        "truncated_header",
        "truncated_magic",
        "not_npy",
        "negative_shape",
        "complex",
        "three_dimensions",
        "wide_rows",
        "version_3",
    ],
)
def test_npy_headers_are_checked_before_the_data(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "points.npy").write_bytes(content)
    found, _, seconds = refusal(tmp_path, path="points.npy")
    assert found == f"points.npy: {message}"
    assert seconds < 1


def test_npy_rows_beyond_max_points_are_refused_from_the_header(tmp_path: Path) -> None:
    np.save(tmp_path / "points.npy", np.zeros((2_000_000, 2)))  # 32 MB
    message, n_read, _ = refusal(tmp_path, max_points=1_000, path="points.npy")
    assert (
        message == "points.npy: more than 1,000 rows (limits.max_points); raise limits.max_points to allow it"
    )
    assert n_read < 1 << 20
    np.savez(tmp_path / "points.npz", X=np.zeros((2_000_000, 2)))
    message, n_read, _ = refusal(tmp_path, max_points=1_000, path="points.npz")
    assert message.startswith("points.npz (array 'X'): more than 1,000 rows") and n_read < 1 << 20


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (
            lambda path: path.with_suffix(".npy").write_bytes(
                npy_bytes(np.array([[1.0, "a"]], dtype=object), allow_pickle=True)
            ),
            "points.npy: holds Python objects (a pickle); clusteranim reads only numeric arrays",
        ),
        (
            lambda path: path.with_suffix(".npy").write_bytes(pickle.dumps(np.ones((3, 2)))),
            "points.npy: holds Python objects (a pickle); clusteranim reads only numeric arrays",
        ),
        (
            lambda path: np.savez(path.with_suffix(".npz"), X=np.array([{}, []], dtype=object)),
            "points.npz (array 'X'): holds Python objects (a pickle); clusteranim reads only numeric arrays",
        ),
    ],
    ids=["object_array", "pickle", "npz_object_member"],
)
def test_python_objects_are_never_unpickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Callable[[Path], object], message: str
) -> None:
    def unpickle(*_: object, **__: object) -> None:
        raise AssertionError("unpickled")

    write(tmp_path / "points")
    monkeypatch.setattr(pickle, "load", unpickle)
    monkeypatch.setattr(pickle, "loads", unpickle)
    path = next(tmp_path.glob("points.*")).name
    found, _, _ = refusal(tmp_path, path=path)
    assert found == message


def test_npz_object_labels_are_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "points.npz", X=np.ones((2, 2)), y=np.array([{}, []], dtype=object))
    message, _, _ = refusal(tmp_path, path="points.npz", label_column="y")
    assert (
        message
        == "points.npz (array 'y'): holds Python objects (a pickle); clusteranim reads only numeric arrays"
    )


def test_npz_members_are_checked_before_they_are_decompressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "points.npz"
    # Declared 4 GB from 79 bytes: refused from the zip directory alone.
    path.write_bytes(npz_declaring(npy_header((500_000_000,)) + bytes(1024), 4_000_000_128))
    message, n_read, _ = refusal(tmp_path, path="points.npz")
    assert message == (
        "points.npz (array 'X'): decompresses to 4,000,000,128 bytes from 79 (a zip bomb?);"
        " save it uncompressed with numpy.savez"
    )
    assert n_read < 10_000
    # Sizes that agree with each other but not with the npy header inside.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", npy_header((1_000, 2)) + bytes(16))
    message, _, _ = refusal(tmp_path, path="points.npz")
    assert message == (
        "points.npz (array 'X'): its header describes float64 of shape (1000, 2) (16,000 bytes)"
        " but 16 bytes follow it"
    )
    # A real bomb, under a lowered threshold: 2 MiB of zeros compress about 1,000 times.
    monkeypatch.setattr(file_source, "ZIP_BOMB_BYTES", 1 << 20)
    np.savez_compressed(path, X=np.zeros((1 << 17, 2)))
    message, _, _ = refusal(tmp_path, path="points.npz")
    assert message.startswith("points.npz (array 'X'): decompresses to 2,097,280 bytes from ")


def test_broken_npz_files_give_one_line(tmp_path: Path, rng: np.random.Generator) -> None:
    path = tmp_path / "points.npz"
    np.savez_compressed(path, X=rng.normal(size=(200, 2)))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    message, _, _ = refusal(tmp_path, path="points.npz")
    assert message == "points.npz: not a readable .npz (zip) file (File is not a zip file)"
    middle = len(whole) // 2
    path.write_bytes(whole[:middle] + bytes(64) + whole[middle + 64 :])
    message, _, _ = refusal(tmp_path, path="points.npz")
    assert message.startswith("points.npz (array 'X'): cannot be read (") and "\n" not in message
    np.savez(path, A=np.ones((3, 2)), B=np.ones((3, 2)))
    message, _, _ = refusal(tmp_path, path="points.npz")
    assert message == "points.npz holds A, B; name one with array"


def test_good_numpy_files_match_numpy_load(tmp_path: Path, rng: np.random.Generator) -> None:
    X = rng.normal(size=(300, 4))
    arrays = {
        "fortran.npy": np.asfortranarray(X),
        "big_endian.npy": X.astype(">f8"),
        "float32.npy": X.astype(np.float32),
        "int16.npy": (X * 100).astype(np.int16),
        "column.npy": X[:, 0],
    }
    for name, array in arrays.items():
        np.save(tmp_path / name, array)
    with open(tmp_path / "version_2.npy", "wb") as handle:
        np.lib.format.write_array(handle, X, version=(2, 0))
    np.savez_compressed(tmp_path / "points.npz", X=X, kind=rng.choice(["a", "b"], size=300))
    for name in [*arrays, "version_2.npy"]:
        expected = np.load(tmp_path / name).astype(np.float64)
        assert np.array_equal(read_file(tmp_path, path=name).X, expected.reshape(len(expected), -1)), name
    with np.load(tmp_path / "points.npz") as archive:
        data = read_file(tmp_path, path="points.npz", label_column="kind")
        assert np.array_equal(data.X, archive["X"])
        assert np.array_equal(data.labels, np.unique(archive["kind"], return_inverse=True)[1])  # type: ignore[arg-type]
