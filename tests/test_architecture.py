"""docs/architecture.md stays true.

Its worked examples (the ``python`` blocks whose first line is ``# example: NAME``) run
and do what the document says, its layer list is the import contract of
``pyproject.toml``, and the messages it quotes are the ones clusteranim prints.

Every example runs in a fresh Python process, in a temporary folder: registering a
plug-in changes the registries of a process for good, so none runs in this one.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from tests.conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

DOC = ROOT / "docs" / "architecture.md"
TEXT = DOC.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)
EXAMPLES = {
    match.group(1): block for block in PYTHON_BLOCKS if (match := re.match(r"# example: (.+)\n", block))
}
TEXT_BLOCKS = re.findall(r"^```text\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)
# The examples draw 320 x 240 frames.
SIZE = (320, 240)


def run_python(
    code: str, folder: Path, name: str = "script.py", check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as a script in a fresh interpreter, in ``folder``."""
    (folder / name).write_text(code, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    result = subprocess.run(
        [sys.executable, name], check=False, cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr  # no warning either
    return result


def run_example(name: str, folder: Path, probe: str = "") -> list[Any]:
    """Run the example ``name`` (with ``probe`` appended) and return the JSON lines it prints."""
    result = run_python(EXAMPLES[name] + probe, folder, name.replace(" ", "_") + ".py")
    return [json.loads(line) for line in result.stdout.splitlines()]


def gif_frames(path: Path) -> tuple[int, tuple[int, int]]:
    with Image.open(path) as image:
        assert image.format == "GIF"
        return image.n_frames, image.size


def only_files(folder: Path) -> set[str]:
    """What the folder holds, less caches: a render leaves no temporary behind."""
    return {path.name for path in folder.iterdir() if path.name != "__pycache__"}


def test_every_python_block_is_a_marked_example() -> None:
    assert len(EXAMPLES) == len(PYTHON_BLOCKS), "each python block starts with '# example: NAME'"
    assert set(EXAMPLES) == {"algorithm", "data source", "layer", "output format"}


def test_the_algorithm_example_clusters(tmp_path: Path) -> None:
    (out,) = run_example("algorithm", tmp_path)
    assert only_files(tmp_path) == {"algorithm.py", "kmedians.gif"}
    assert gif_frames(tmp_path / "kmedians.gif") == (out["frames"], SIZE)
    X, labels, centers = np.array(out["X"]), np.array(out["labels"]), np.array(out["centers"])
    objective = np.array(out["objective"])
    assert X.shape == (300, 2) and centers.shape == (3, 2)
    assert out["frames"] == len(objective)  # one frame per state, no tweening
    # Three well-separated blobs: the clustering is k-means's, up to the names of clusters.
    oracle = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X)
    assert adjusted_rand_score(labels, oracle.labels_) == 1.0
    assert sorted(np.bincount(labels)) == [100, 100, 100]
    for true_center in [(-6, 0), (0, 6), (6, 0)]:
        assert np.min(np.linalg.norm(centers - true_center, axis=1)) < 0.5
    # It is k-medians: each final centre is the median of its points, and every update
    # lowered (or kept) the sum of L1 distances.
    for cluster, center in enumerate(centers):
        np.testing.assert_allclose(center, np.median(X[labels == cluster], axis=0))
    distances = np.abs(X - centers[labels]).sum()
    assert objective[-1] == pytest.approx(distances)
    assert np.all(np.diff(objective) <= 1e-9 * objective[0])


def test_the_data_source_example_makes_a_ring(tmp_path: Path) -> None:
    (out,) = run_example("data source", tmp_path)
    assert only_files(tmp_path) == {"data_source.py", "ring.gif"}
    assert gif_frames(tmp_path / "ring.gif") == (out["frames"], SIZE)
    # k-means found the five blobs of the ring: radius 5, 72 degrees apart.
    centers = np.array(out["centers"])
    assert centers.shape == (5, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 5.0, atol=0.3)
    angles = np.sort(np.degrees(np.arctan2(centers[:, 1], centers[:, 0])) % 360)
    gaps = np.diff(np.append(angles, angles[0] + 360))
    np.testing.assert_allclose(gaps, 72.0, atol=6.0)


LAYER_PROBE = """
from clusteranim.drawing import build_scene
from clusteranim.pipeline import load_data
from clusteranim.scene.base import Frame

loaded = clusteranim.load_scenario(scenario)
dataset = load_data(loaded)
trace = clusteranim.run(loaded, dataset)
last = Frame(trace, trace.n_iter)
scene = build_scene(loaded, trace, dataset)
pixels = scene.draw(last)
without = loaded.style.model_copy(update={"layers": loaded.style.layers[:-1]})
print(json.dumps({
    "texts": [text.get_text() for text in scene.layers[-1].artists],
    "visible": [text.get_visible() for text in scene.layers[-1].artists],
    "sizes": np.bincount(trace.labels(trace.n_iter), minlength=3).tolist(),
    "drawn": bool((build_scene(loaded, trace, dataset, without).draw(last) != pixels).any()),
}))
"""


def test_the_layer_example_writes_each_cluster_size(tmp_path: Path) -> None:
    rendered, probed = run_example("layer", tmp_path, LAYER_PROBE)
    assert only_files(tmp_path) == {"layer.py", "sizes.gif"}
    assert gif_frames(tmp_path / "sizes.gif") == (rendered["frames"], SIZE)
    assert rendered["format"] == "gif" and (rendered["width"], rendered["height"]) == SIZE
    # The layer's texts are the cluster sizes of the last state, and it changes pixels.
    assert probed["texts"] == [str(size) for size in probed["sizes"]]
    assert sum(probed["sizes"]) == 300 and all(probed["visible"])
    assert probed["drawn"]


def test_the_output_format_example_writes_an_animated_png(tmp_path: Path) -> None:
    (out,) = run_example("output format", tmp_path)
    # Written to a temporary beside the target, then renamed: nothing else is left.
    assert only_files(tmp_path) == {"output_format.py", "kmeans.apng"}
    path = tmp_path / "kmeans.apng"
    assert out["format"] == "apng" and out["bytes"] == path.stat().st_size
    with Image.open(path) as image:
        assert image.format == "PNG" and image.is_animated
        assert (image.n_frames, image.size) == (out["frames"], SIZE)
        durations, colours = [], []
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
            colours.append(len(image.convert("RGB").getcolors(maxcolors=1 << 16) or ()))
    # fps 4 is 250 ms a frame; the last also holds for hold_last (1 s by default).
    assert durations == [250.0] * (out["frames"] - 1) + [1250.0]
    assert min(colours) > 10  # real frames, not blank ones


NEEDS_COVARIANCES = """
import json
from typing import Literal

import clusteranim
from clusteranim.cli import main
from clusteranim.scene.base import LayerOptions


class ShapesOptions(LayerOptions):
    display_name = "shapes"
    needs = ("covariances",)
    name: Literal["shapes"] = "shapes"


clusteranim.register(ShapesOptions)
layers = {"layers": ["points", "shapes"]}
try:
    clusteranim.load_scenario({"algorithm": {"name": "kmeans"}, "style": layers})
except clusteranim.ScenarioError as error:
    refused = [str(problem) for problem in error.problems]
accepted = clusteranim.load_scenario({"algorithm": {"name": "gmm"}, "style": layers})
print(json.dumps({"refused": refused, "accepted": [layer.name for layer in accepted.style.layers]}))
with open("s.yaml", "w") as file:
    file.write("algorithm:\\n  name: kmeans\\nstyle:\\n  layers: [points, shapes]\\n")
main(["render", "s.yaml", "-o", "out.gif"])
"""


def test_a_layer_needing_covariances_is_refused_with_k_means(tmp_path: Path) -> None:
    result = run_python(NEEDS_COVARIANCES, tmp_path, check=False)
    assert result.returncode == 2, result.stderr
    out = json.loads(result.stdout)
    # In Python: one problem, the very line the document quotes; a mixture is fine.
    quoted = [line for block in TEXT_BLOCKS for line in block.splitlines() if line.startswith("<scenario>:")]
    assert out["refused"] == quoted
    assert "shapes" in quoted[0] and "k-means" in quoted[0]
    assert out["accepted"] == ["points", "shapes"]
    # On the command line: one line naming the file, line, layer and algorithm; nothing written.
    assert result.stderr == "s.yaml:4: style.layers[1].shapes: shapes needs covariances: k-means has none\n"
    assert only_files(tmp_path) == {"script.py", "s.yaml"}


def test_the_quoted_corpus_line_is_the_corpus_s() -> None:
    expected = (ROOT / "tests" / "bad_inputs" / "expected.tsv").read_text(encoding="utf-8")
    messages = {line.split("\t")[-1] for line in expected.splitlines() if line and not line.startswith("#")}
    quoted = [line for block in TEXT_BLOCKS for line in block.splitlines() if ".yaml:" in line]
    assert quoted and set(quoted) <= messages


def test_the_layer_list_is_the_import_contract() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = pyproject["tool"]["importlinter"]["contracts"]
    assert contract["type"] == "layers"
    expected = [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]
    marker = TEXT.index("<!-- import layers")
    block = re.search(r"```text\n(.*?)```", TEXT[marker:], flags=re.DOTALL)
    assert block is not None
    documented = [
        ["clusteranim." + name.strip() for name in line.split("#")[0].split("|")]
        for line in block.group(1).splitlines()
    ]
    assert documented == expected
    # make lint is what enforces it.
    lint = re.search(r"^lint:.*?(?=^\S)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M | re.S)
    assert lint is not None and "lint-imports" in lint.group(0)
    assert "`make lint` runs `lint-imports`" in TEXT


def resolve(dotted: str) -> object:
    """The module, or attribute of the longest importable module, that ``dotted`` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise AssertionError(f"{dotted} names nothing")


def test_every_named_module_function_and_file_exists() -> None:
    prose = re.sub(r"^```.*?^```", "", TEXT, flags=re.DOTALL | re.MULTILINE)
    names = set(re.findall(r"`(clusteranim(?:\.\w+)+)", prose))
    assert len(names) >= 10
    for name in sorted(names):
        assert resolve(name) is not None, name
    paths = set(re.findall(r"`((?:clusteranim|tests|docs)/[\w/.]+)`", prose))
    hypothetical = {"clusteranim/algorithms/kmedians.py"}  # "one new file, say ..."
    assert sorted(path for path in paths - hypothetical if not (ROOT / path).exists()) == []
    # The registries are where the document says, and are the dicts register() fills.
    for registry, path in [
        ("ALGORITHMS", "clusteranim/algorithms/__init__.py"),
        ("GENERATORS", "clusteranim/data/__init__.py"),
        ("LAYERS", "clusteranim/scene/layers/__init__.py"),
        ("FORMATS", "clusteranim/writers/__init__.py"),
    ]:
        assert f"`{registry}` in `{path}`" in " ".join(prose.split())
        module = importlib.import_module(path.removesuffix("/__init__.py").replace("/", "."))
        assert isinstance(getattr(module, registry), dict)
        assert registry in importlib.import_module("clusteranim.scenario.registry").__dict__
