"""Data sources: generators, files, and N-D data shown through a 2-D projection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

import clusteranim
from clusteranim.data import GENERATORS
from clusteranim.data.base import Dataset
from clusteranim.errors import ScenarioError
from clusteranim.options import OptionError
from tests.conftest import run_cli

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


def load(generator: str, seed: int = 0, **options: Any) -> Dataset:
    source = GENERATORS[generator].model_validate({"generator": generator, **options})
    return source.load(seed, Path.cwd())


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
    from clusteranim.pipeline import build_scene, load_data, run
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
    plain = GENERATORS["file"].model_validate({"path": "plain.csv", "columns": [2, 0]}).load(0, tmp_path)
    assert np.array_equal(plain.X, [[3, 1], [6, 4], [9, 7]]) and plain.files == ((tmp_path / "plain.csv"),)
    by_name = (
        GENERATORS["file"].model_validate({"path": str(named), "columns": ["z", "x"]}).load(0, Path("/"))
    )
    assert np.array_equal(by_name.X, [[3, 1], [6, 4]]) and by_name.feature_names == ("z", "x")


def test_numpy_files(tmp_path: Path, rng: np.random.Generator) -> None:
    X = rng.normal(size=(50, 3))
    np.save(tmp_path / "points.npy", X)
    np.savez(tmp_path / "points.npz", X=X, labels=np.arange(50) % 2)
    from_npy = GENERATORS["file"].model_validate({"path": "points.npy", "columns": [0, 2]}).load(0, tmp_path)
    assert np.array_equal(from_npy.X, X[:, [0, 2]])
    from_npz = (
        GENERATORS["file"].model_validate({"path": "points.npz", "label_column": "labels"}).load(0, tmp_path)
    )
    assert np.array_equal(from_npz.X, X) and np.array_equal(from_npz.labels, np.arange(50) % 2)  # type: ignore[arg-type]


def test_drop_invalid_skips_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("x,y\n1,2\nnan,3\n4,inf\n5,abc\n6\n7,8\n")
    data = GENERATORS["file"].model_validate({"path": "bad.csv", "drop_invalid": True}).load(0, tmp_path)
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
    assert process.stderr == f"{scenario}:{line}: {message.format(data=data)}\n"
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
