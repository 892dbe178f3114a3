"""The JSON Schema accepts the scenarios people write and rejects what the loader rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import clusteranim
from clusteranim.algorithms import ALGORITHMS
from clusteranim.cli import main
from clusteranim.data import GENERATORS
from clusteranim.errors import ScenarioError
from clusteranim.scenario import Scenario, ScenarioLoader
from clusteranim.scene.layers import LAYERS
from clusteranim.schema import scenario_json_schema
from clusteranim.starter import STARTERS, starter_text
from tests.conftest import CONFIGS, ROOT

SCHEMA = scenario_json_schema()
VALIDATOR = Draft202012Validator(SCHEMA)
CORPUS = ROOT / "tests" / "bad_inputs"
README = (ROOT / "README.md").read_text(encoding="utf-8")

# The cases of tests/bad_inputs/expected.tsv (and the files of cases being added), by
# what the schema can say about them.
#: The YAML breaks the schema: unknown keys, wrong types, values out of range or not
#: finite, unknown plug-in names or fields, a wrong version, not a mapping (an empty file,
#: or one of comments only, reads as null).
SCHEMA_ERRORS = [
    "hold_each_too_long",
    "hold_converged_negative",
    "slow_start_too_many_iterations",
    "explain_not_boolean",
    "batch_dim_above_one",
    "medoids_point_size_negative",
    "changes_ring_color_bad",
    "minibatch_batch_size_zero",
    "bad_easing",
    "caption_bad_position",
    "changes_ring_size_zero",
    "slow_start_factor_below_one",
    "fuzzy_cmeans_m_one",
    "alias_bomb",  # its keys a0, a1, ... are not scenario keys
    "alias_cycle",  # style.layers is a mapping
    "bad_colour",
    "bad_palette",
    "bad_title_field",
    "centroids_numbers_text",
    "comment_only",
    "corner_label_field",
    "data_seed_negative",
    "empty_scenario",
    "fps_zero",
    "height_negative",
    "inf_value",
    "k_negative",
    "k_zero",
    "layers_empty",
    "legend_loc",
    "objective_corner",
    "limits_overflow",
    "max_iter_zero",
    "n_samples_zero",
    "negative_std",
    "not_a_mapping",
    "key_not_text",
    "yaml11_boolean",
    "date_seed",
    "overflow_value",
    "quoted_number",
    "seed_negative",
    "title_attribute",
    "title_brace",
    "title_conversion",
    "title_nested",
    "unknown_algorithm",
    "unknown_format",
    "unknown_generator",
    "unknown_layer",
    "unknown_layer_option",
    "unknown_nested",
    "unknown_top",
    "version_two",
    "width_zero",
    "wrong_type_bool",
    "wrong_type_k",
    "wrong_type_list",
    "kmedoids_bad_method",
    "kmedoids_bad_init",
    "mean_shift_bad_kernel",
    "mean_shift_bandwidth_samples_zero",
    "mean_shift_bandwidth_zero",
    "mean_shift_bin_seeding_text",
    "mean_shift_cluster_all_number",
    "mean_shift_max_iter_zero",
    "mean_shift_min_bin_freq_zero",
    "mean_shift_quantile_above_one",
    "windows_alpha_above_one",
    "windows_centre_color_bad",
    "windows_centre_size_negative",
    "windows_fill_negative",
    "windows_linewidth_huge",
    "windows_max_circles_negative",
    "dbscan_eps_zero",
    "dbscan_min_samples_zero",
    "eps_max_circles_zero",
    "core_size_zero",
    "eps_show_bad",
    "agglomerative_bad_linkage",
    "agglomerative_merges_per_state_zero",
    "dendrogram_leaves_one",
    "dendrogram_cut_line_text",
    "dendrogram_scale_log",
    "mean_shift_bandwidth_huge",
    "agglomerative_merges_per_state_huge",
    "dbscan_k_unused",  # a key every algorithm has, left out of a direct algorithm's schema
    "mean_shift_k_given",
    "agglomerative_max_iter_unused",
    "toggle_layers_too_many",
    "sweep_one_value",
]
#: Valid YAML that only the loader rejects.
LOADER_ERRORS = [
    "batch_layer_kmeans",  # a layer against the algorithm
    "toggle_layers_not_drawn",  # a switch against the layers
    "panels_shared_key",  # a panel's keys are checked as --set keys are
    "panels_bad_value",
    "panels_empty_entry",
    "panels_unused_key",
    "panels_layout_too_few",  # the grid against the panels and the frame
    "panels_cells_too_small",
    "sweep_with_panels",
    "toggle_layers_for_gif",  # against the format
    "batch_layer_dbscan",
    "core_layer_kmeans",
    "dbscan_explain",  # explain mode against the algorithm
    "title_character_format",  # a template's formats are checked by the loader
    "caption_unknown_field",  # a template's fields are checked by the loader
    "explain_too_many_frames",  # counted from max_iter, tween and the animation
    "gif_first_hold_too_long",
    "hold_given_twice",  # the schema cannot say "not both" of keys in two sections
    "fuzzy_cmeans_init_count",  # the number of centres against k
    "duplicate_nested",  # YAML parsers keep one of two equal keys; the schema never sees both
    "duplicate_top",
    "nan_value",  # no JSON Schema keyword rejects NaN (JSON has none)
    "huge_coordinates",  # the data overflows
    "collapsing_component",  # fails while fitting
    "kmedoids_pam_too_many",  # the number of points is known once the data is read
    "mean_shift_quantile_without_auto",  # two keys: quantile only with bandwidth: auto
    "mean_shift_min_bin_freq_without_bins",  # min_bin_freq only with bin_seeding
    "mean_shift_min_bin_freq_too_high",  # known once the data is binned
    "windows_layer_kmeans",  # a layer against the algorithm
    "agglomerative_too_many_points",
    "agglomerative_too_many_labels",  # states (from the number of points) times points
    "agglomerative_explain",  # explain mode against the algorithm
    "dendrogram_layer_kmeans",  # a layer against the algorithm
    "title_format_type",  # a field's format is checked against its value's type
    "title_width",  # and its width
    "title_too_long",  # and its length once filled in
    "marker_mathtext",  # a marker drawn as mathtext
    "title_mathtext",  # mathtext is checked by matplotlib
    "legend_mathtext",
    "bad_weights",  # k weights summing to 1: two keys, and a sum
    "k_above_n_samples",  # two keys: k against the number of points
    "palette_short_list",  # a palette against k
    "palette_tab10_k12",
    "legend_labels_count",  # labels against k
    "ellipses_model_kmeans",  # a layer against the algorithm
    "max_iter_absurd",  # against limits.max_frames
    "frames_with_hold",
    "n_samples_absurd",  # against limits.max_points
    "width_absurd",  # width x height against limits.max_pixels
    "unknown_extension",  # the path's extension, only while output.format is not set
    "gif_fps_too_slow",  # limits of the output format
    "gif_last_frame_too_long",
    "gif_too_wide",
    "mp4_too_wide",
    "video_fps_too_low",
    "output_trailing_slash",  # a folder for a format that writes a file
    "output_folder_for_gif",  # the file system
    "frames_folder_foreign",
    "output_is_scenario",
    "output_is_data",
    "output_device",
    "output_fifo",
    "unwritable_output",
    "set_override_wrong_type",  # the command line, not the file
    "set_unknown_key",
    "seed_option_negative",
    "depfile_is_scenario",
    "scheduler_malformed",  # --scheduler, checked before the data is read
    "depfile_newline",  # a newline in output.path is an error only with --depfile
    "output_dot",
    "output_dotdot",
    "poster_is_output",
    "empty_csv",  # the data file
    "fewer_rows_than_k",
    "projection_column",  # a view column against the data's dimension
    "blobs_too_many_centers",  # centers against n_samples
    "output_nul",  # the file system's rule for a path
    "output_name_too_long",
    "inf_in_csv",
    "missing_data_file",
    "nan_in_csv",
    "ragged_csv",
    "text_in_csv",
    "csv_huge_field",
    "csv_latin1",
    "csv_no_newline",
    "csv_nul_byte",
    "csv_too_many_rows",
    "data_dev_zero",
    "data_directory",
    "data_fifo",
    "npy_lying_header",
    "npy_objects",
    "npy_pickle",
    "npy_too_many_rows",
    "npy_truncated",
    "npz_bomb",
    "npz_corrupt",
    "trace_nan",  # a trace file given with --trace
    "trace_shape",
    "trace_version",
    "trace_pickle",
    "trace_not_npz",
    "trace_label_range",
    "trace_unknown_array",
    "trace_points_differ",
    "trace_missing",
    "trace_is_output",
    "trace_bomb",
    "trace_needs_centers",
    "trace_other_algorithm",
    "trace_gmm_no_covariances",
    "trace_gmm_not_definite",
    "trace_title_objective",
    "trace_name_control",
    "set_layers_override",  # the command line, not the file
]
#: No YAML document to check: not a regular file, not UTF-8 text, not YAML, too large.
NOT_DOCUMENTS = [
    "a_directory",
    "missing_scenario",
    "large_scenario",
    "binary",
    "latin1",
    "malformed_flow",
    "malformed_indent",
    "tab_indent",
    "unclosed_quote",
    "deep_nesting",
    "many_keys",
    "scenario_fifo",
    "scenario_dev_zero",
]


def parse(text: str) -> Any:
    """YAML as the scenario loader reads it (``1e-3`` is a number)."""
    return yaml.load(text, Loader=ScenarioLoader)


def schema_errors(document: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(document)
    ]


def loader_accepts(document: dict[str, Any]) -> bool:
    try:
        clusteranim.load_scenario(document)
    except ScenarioError:
        return False
    return True


def readme_scenarios() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)


def test_the_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)
    json.dumps(SCHEMA, allow_nan=False)  # every number in it is finite


def test_describes_every_section_and_plugin() -> None:
    assert set(SCHEMA["properties"]) == set(Scenario.model_fields)
    for registry in (GENERATORS, ALGORITHMS, LAYERS):
        assert {model.__name__ for model in registry.values()} <= set(SCHEMA["$defs"])


def test_every_section_forbids_unknown_keys() -> None:
    objects = [SCHEMA, *SCHEMA["$defs"].values()]
    assert all(section["additionalProperties"] is False for section in objects if "properties" in section)


def test_the_schema_command_prints_it() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


@pytest.mark.parametrize("path", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_accepts_every_config(path: Path) -> None:
    assert schema_errors(parse(path.read_text(encoding="utf-8"))) == []


def test_accepts_the_readme_scenarios() -> None:
    scenarios = readme_scenarios()
    assert scenarios
    for text in scenarios:
        assert schema_errors(parse(text)) == []


@pytest.mark.parametrize("algorithm", list(STARTERS))
def test_accepts_the_starters(algorithm: str) -> None:
    assert schema_errors(parse(starter_text(algorithm, "scenario.yaml"))) == []


def test_an_empty_mapping_is_the_scenario_of_all_defaults() -> None:
    assert schema_errors({}) == [] and loader_accepts({})
    assert schema_errors(parse("# nothing but a comment\n")) != []  # an empty file is null


def test_every_corpus_case_is_classified() -> None:
    cases = {
        line.split("\t", 1)[0]
        for line in (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    files = {path.stem for path in CORPUS.glob("*.yaml")}
    classified = [*SCHEMA_ERRORS, *LOADER_ERRORS, *NOT_DOCUMENTS]
    assert len(classified) == len(set(classified))
    assert sorted((cases | files) - set(classified)) == []


@pytest.mark.parametrize("name", SCHEMA_ERRORS)
def test_rejects_the_schema_errors_of_the_corpus(name: str) -> None:
    assert schema_errors(parse((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))) != []


@pytest.mark.parametrize("name", LOADER_ERRORS)
def test_leaves_other_corpus_errors_to_the_loader(name: str) -> None:
    assert schema_errors(parse((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))) == []


ACCEPTED: list[dict[str, Any]] = [
    {},
    {"version": 1, "seed": 3},
    {"data": {"n_samples": [10, 20], "cluster_std": [0.5, 1.0]}, "algorithm": {"k": 2, "tol": 1e-3}},
    {"data": {"generator": "moons", "n_samples": 50}, "algorithm": {"name": "gmm", "k": 2}},
    {"algorithm": {"name": "gmm", "init": "explicit", "means": [[0, 0], [1, 1], [2, 2]]}},
    {"style": {"layers": ["points", {"centroids": {"size": 40}}, {"name": "title", "corner_label": True}]}},
    {"style": {"layers": [{"legend": None}, {"trails": {"marker": None}}, {"points": {"marker": "$x$"}}]}},
    {"style": {"palette": ["navy", "#1f77b4", "tab:orange"], "title": "{algorithm}: {objective:.1f} {{k}}"}},
    {"style": {"palette": "viridis_r", "projection": [0, 1]}},
    {"output": {"path": "out/x.html", "toggle_layers": ["points"], "format": None}},
]
REJECTED: list[dict[str, Any]] = [
    {"version": 2},
    {"seed": True},
    {"data": None},
    {"data": {"generator": None}},
    {"data": {"generator": "moons", "centers": 3}},  # a key of another generator
    {"data": {"n_samples": [3, -1], "centers": 2}},
    {"data": {"center_box": [float("-inf"), 0.0]}},
    {"data": {"generator": "file", "path": "  "}},
    {"algorithm": {"name": "gmm", "init": "kmeans++"}},
    {"algorithm": {"tol": float("inf")}},
    {"style": {"layers": [{"points": {"size": 3}, "centroids": None}]}},
    {"style": {"layers": [{"points": 3}]}},
    {"style": {"layers": [{"name": "pointz"}]}},
    {"style": {"layers": ["points", {}]}},
    {"style": {"layers": [{"centroids": {"color": "#abcde"}}]}},
    {"style": {"layers": [{"points": {"marker": "ox"}}]}},
    {"style": {"palette": []}},
    {"style": {"palette": "viridiss"}},
    {"style": {"title": "{k!r}"}},
    {"output": {"format": "avi"}},
    {"limits": {"max_points": 0}},
]


@pytest.mark.parametrize("document", ACCEPTED, ids=[json.dumps(document) for document in ACCEPTED])
def test_schema_and_loader_accept_the_same(document: dict[str, Any]) -> None:
    assert schema_errors(document) == []
    assert loader_accepts(document)


@pytest.mark.parametrize("document", REJECTED, ids=[json.dumps(document) for document in REJECTED])
def test_schema_and_loader_reject_the_same(document: dict[str, Any]) -> None:
    assert schema_errors(document) != []
    assert not loader_accepts(document)


TEMPLATE_PIECES = [
    "{iteration}",
    "{k:>3}",
    "{objective:.2f}",
    "{n_iter:}",
    "{{",
    "}}",
    "{",
    "}",
    "{iter}",
    "{k!r}",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*TEMPLATE_PIECES, "a", " ", ":", "$x$", "."]), max_size=6).map("".join))
def test_every_title_the_loader_accepts_the_schema_accepts(title: str) -> None:
    document = {"style": {"title": title}}
    if loader_accepts(document):
        assert schema_errors(document) == []


def test_init_offers_every_starter() -> None:
    from clusteranim.cli import STARTER_NAMES

    assert list(STARTERS) == STARTER_NAMES
    assert set(STARTERS) == set(ALGORITHMS)  # one for each algorithm
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### `clusteranim init [PATH]`")[1].split("###")[0]
    assert all(f"`{name}`" in section for name in STARTERS)


@pytest.mark.parametrize("algorithm", list(STARTERS))
def test_a_starter_offers_explain_mode_only_where_it_works(algorithm: str) -> None:
    """Its commented `explain: false` line, switched on, must load (or be absent)."""
    text = starter_text(algorithm, "scenario.yaml")
    assert ("explain: false" in text) == (not ALGORITHMS[algorithm].unexplained)
    if "explain: false" in text:
        assert loader_accepts(parse(text.replace("explain: false", "explain: true")))
