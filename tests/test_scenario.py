"""Loading scenarios: defaults, overrides, and the exact text of error messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from clusteranim.errors import ScenarioError
from clusteranim.scenario import load_scenario

Write = Callable[..., Path]


def messages(path: Path, *overrides: str, seed: int | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides, seed=seed)
    return str(caught.value).splitlines()


def test_minimal_scenario_takes_documented_defaults(write_scenario: Write) -> None:
    scenario = load_scenario(write_scenario("seed: 3\n"))
    assert scenario.seed == 3
    assert scenario.data.generator == "blobs"
    assert scenario.algorithm.name == "kmeans"
    assert scenario.algorithm.k == 3
    assert [layer.name for layer in scenario.style.layers] == ["points", "centroids", "title"]
    assert scenario.output.resolved_format() == "gif"
    assert scenario.data_seed == scenario.algorithm_seed == 3


def test_section_seeds_default_to_the_top_level_seed(write_scenario: Write) -> None:
    scenario = load_scenario(write_scenario("seed: 5\ndata: {seed: 9}\n"))
    assert (scenario.data_seed, scenario.algorithm_seed) == (9, 5)


def test_k_zero_names_file_line_and_key(write_scenario: Write) -> None:
    path = write_scenario(
        """
        seed: 1
        algorithm:
          name: kmeans
          k: 0
        """
    )
    assert messages(path) == [f"{path}:4: algorithm.k: must be >= 1, got 0"]


def test_unknown_key_gets_a_did_you_mean_hint(write_scenario: Write) -> None:
    path = write_scenario("seed: 1\nalgoritm:\n  k: 2\n")
    assert messages(path) == [f"{path}:2: algoritm: unknown key; did you mean 'algorithm'?"]


def test_unknown_nested_key_and_layer_option(write_scenario: Write) -> None:
    path = write_scenario(
        """
        data:
          n_sample: 10
        style:
          layers: [points, {centroids: {colr: red}}]
        """
    )
    assert messages(path) == [
        f"{path}:2: data.n_sample: unknown key; did you mean 'n_samples'?",
        f"{path}:4: style.layers[1].centroids.colr: unknown key; did you mean 'color'?",
    ]


def test_every_problem_is_reported_at_once_in_file_order(write_scenario: Write) -> None:
    path = write_scenario(
        """
        data:
          n_samples: abc
        algorithm:
          k: 0
          max_iter: 1.5
          init: rand
        style:
          palette: tab100
          title: "{iter}"
        output:
          path: out/x.gof
        """
    )
    assert messages(path) == [
        f"{path}:2: data.n_samples: must be an integer or a list, got 'abc'",
        f"{path}:4: algorithm.k: must be >= 1, got 0",
        f"{path}:5: algorithm.max_iter: must be an integer, got 1.5",
        f"{path}:6: algorithm.init: must be 'random' or 'kmeans++' or a list, got 'rand'",
        f"{path}:8: style.palette: unknown palette 'tab100'; did you mean 'tab10'?",
        f"{path}:9: style.title: unknown field {{iter}}; the fields are {{iteration}}, {{n_iter}},"
        " {objective}, {algorithm}, {k}, {panel}, {status}",
        f"{path}:11: output.path: has extension '.gof'; use one of .gif, .mp4, .m4v, .webm, .html, .htm,"
        " a folder for PNG frames, or set output.format",
    ]


def test_duplicate_keys_are_errors(write_scenario: Write) -> None:
    path = write_scenario(
        """
        algorithm:
          k: 2
          k: 3
        """
    )
    assert messages(path) == [f"{path}:3: algorithm.k: duplicate key (first at line 2)"]


def test_unknown_plugin_names(write_scenario: Write) -> None:
    path = write_scenario("data: {generator: blob}\nalgorithm: {name: kmean}\nstyle: {layers: [foo]}\n")
    assert messages(path) == [
        f"{path}:1: data.generator: unknown generator 'blob'; did you mean 'blobs'?",
        f"{path}:2: algorithm.name: unknown algorithm 'kmean'; did you mean 'kmeans'?",
        f"{path}:3: style.layers[0]: unknown layer 'foo'; expected one of: points, centroids, trails,"
        " regions, density, ellipses, title, legend, objective, changes, caption, batch, medoids, windows,"
        " core, eps, dendrogram",
    ]


def test_cross_field_check_points_at_the_key(write_scenario: Write) -> None:
    path = write_scenario(
        """
        algorithm:
          k: 3
          init: [[0, 0], [1, 1]]
        """
    )
    assert messages(path) == [f"{path}:3: algorithm.init: lists 2 centroids but k is 3"]


def test_set_overrides_are_typed_as_yaml(write_scenario: Write) -> None:
    path = write_scenario("algorithm: {k: 2}\n")
    scenario = load_scenario(
        path,
        [
            "algorithm.k=5",
            "style.palette=[red, blue, green, black, orange]",
            "output.fps=2.5",
            "data.centers=[[0, 0], [5, 5]]",
            "style.layers.0.alpha=0.5",
        ],
    )
    assert scenario.algorithm.k == 5
    assert scenario.style.palette == ["red", "blue", "green", "black", "orange"]
    assert scenario.output.fps == 2.5
    assert scenario.data.centers == [[0.0, 0.0], [5.0, 5.0]]
    assert scenario.style.layers[0].alpha == 0.5


def test_set_errors_name_the_override(write_scenario: Write) -> None:
    path = write_scenario("algorithm: {k: 2}\n")
    assert messages(path, "algorithm.k=zero") == [
        "--set algorithm.k=zero: algorithm.k: must be an integer, got 'zero'"
    ]
    assert messages(path, "algorithm.k") == [
        "--set algorithm.k: expected KEY=VALUE, e.g. --set algorithm.k=5"
    ]


def test_seed_option_overrides_the_file(write_scenario: Write) -> None:
    assert load_scenario(write_scenario("seed: 1\n"), seed=42).seed == 42


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty; write {} for a scenario of all defaults"),
        ("# only a comment\n", "is empty; write {} for a scenario of all defaults"),
        ("- a\n- b\n", "must be a mapping of sections (seed, data, algorithm, style, output)"),
        ("algorithm:\n\tk: 2\n", "tab character in indentation; YAML indents with spaces"),
        (
            "algorithm: {k: 2\n",
            "invalid YAML: expected ',' or '}', but got '<stream end>' while parsing a flow mapping",
        ),
    ],
)
def test_files_that_are_not_scenarios(write_scenario: Write, content: str, expected: str) -> None:
    path = write_scenario(content)
    (message,) = messages(path)
    assert message.startswith(f"{path}:") and message.endswith(expected)


def test_missing_binary_and_folder_sources(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x89PNG\x00\x01")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("seed: 1\n# caf\xe9\n".encode("latin-1"))
    assert messages(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert messages(binary) == [f"{binary}: is a binary file, not YAML"]
    assert messages(latin) == [f"{latin}:2: is not UTF-8 text (byte 0xe9)"]
    assert messages(tmp_path) == [f"{tmp_path}: is a directory, not a scenario file"]


def test_alias_bomb_is_refused(write_scenario: Write) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write_scenario("\n".join(lines) + "\n")
    assert messages(path) == [f"{path}: expands to more than 10,000 values (aliases?)"]


def test_mapping_source_and_its_errors() -> None:
    assert load_scenario({"algorithm": {"k": 4}}).algorithm.k == 4
    with pytest.raises(ScenarioError, match=r"^<scenario>: algorithm\.k: must be >= 1, got -1$"):
        load_scenario({"algorithm": {"k": -1}})
