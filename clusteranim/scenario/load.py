"""Loading a scenario: read, override, validate, and report every problem at once."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clusteranim.errors import Problem, ScenarioError
from clusteranim.scenario.keys import KeyPath, Origin, plain_copy, split_key
from clusteranim.scenario.messages import problems_of
from clusteranim.scenario.model import GivenTrace, Panel, Scenario
from clusteranim.scenario.overrides import assign, parse_overrides
from clusteranim.scenario.panels import MIN_CELL, PANEL_TITLE, PanelOrigin, grid_shape, panel_label
from clusteranim.scenario.reading import read_yaml
from clusteranim.scene.animation import count_frames


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] = (),
    seed: int | None = None,
    output: str | Path | None = None,
    output_format: str | None = None,
    poster: str | Path | None = None,
    trace: GivenTrace | None = None,
    sweep: tuple[str, list[Any], str] | None = None,
) -> Scenario:
    """Read, override and validate a scenario.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file, or the scenario as a mapping (as if read from YAML).
    overrides : iterable of "dotted.key=VALUE", or mapping of dotted key to value
        Applied on top of the file; string values are typed as YAML would type them.
    seed : int, optional
        Overrides the top-level ``seed``.
    output, output_format, poster : optional
        Override ``output.path``, ``output.format`` and ``output.poster``.
    trace : Trace or TraceArrays, optional
        A trace made elsewhere, to be drawn instead of running the algorithm: the style
        is checked against what it holds.
    sweep : (key, values, text), optional
        Overrides ``sweep`` (``trace --sweep``; ``text`` names it in messages).

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, line and key.
    """
    if isinstance(source, Mapping):
        origin = Origin(source="<scenario>")
        document: Any = plain_copy(source)
    else:
        origin, document = read_yaml(Path(source), str(source))
    if not isinstance(document, dict):
        raise ScenarioError(
            Problem(
                origin.source, 1, "", "must be a mapping of sections (seed, data, algorithm, style, output)"
            )
        )
    pairs = parse_overrides(overrides)
    if seed is not None:
        pairs.append((("seed",), seed, f"--seed {seed}"))
    if output is not None:
        pairs.append((("output", "path"), str(output), f"--output {output}"))
    if output_format is not None:
        pairs.append((("output", "format"), output_format, f"--format {output_format}"))
    if poster is not None:
        pairs.append((("output", "poster"), str(poster), f"--poster {poster}"))
    if sweep is not None:
        key, values, text = sweep
        pairs.append((("sweep",), {"key": key, "values": values}, text))
    for path, value, text in pairs:
        assign(document, path, value, text, origin)
        origin.overrides[path] = text
    try:
        scenario = Scenario.model_validate(document, context={"trace": trace})
    except ValidationError as error:
        problems = sorted(
            [*origin.key_problems, *problems_of(error, document, origin)],
            key=lambda problem: (problem.line or 0, problem.key),
        )
        raise ScenarioError(problems) from None
    if origin.key_problems:
        raise ScenarioError(origin.key_problems)
    scenario._origin = origin
    if scenario.panels or scenario.sweep is not None:
        scenario._panels = load_panels(scenario, document, origin)
    return scenario


def panel_overrides(scenario: Scenario) -> list[tuple[dict[str, Any], KeyPath]]:
    """Each panel's overrides and where they are written (the panels entry, or the sweep's
    values)."""
    if scenario.sweep is not None:
        key = scenario.sweep.key
        return [
            ({key: value}, ("sweep", "values", index)) for index, value in enumerate(scenario.sweep.values)
        ]
    return [(overrides, ("panels", index)) for index, overrides in enumerate(scenario.panels)]


def load_panels(scenario: Scenario, document: dict[str, Any], origin: Origin) -> list[Panel]:
    """The panels of ``scenario`` (read from ``document``), each loaded and checked.

    Raises
    ------
    ScenarioError
        Naming the panel and its override's line.
    """
    entries = panel_overrides(scenario)
    style = scenario.style
    cells = scenario.n_cells
    rows, columns = grid_shape(cells, style.width, style.height, scenario.panels_layout)
    layout_key = "panels_layout"
    if rows * columns < cells:
        what = f"the {len(entries)} panels" + (" and the quality panel" if scenario.sweep is not None else "")
        raise ScenarioError(origin.problem(layout_key, f"is {rows} x {columns}: fewer cells than {what}"))
    width, height = style.width // columns, style.height // rows
    if min(width, height) < MIN_CELL:
        raise ScenarioError(
            origin.problem(
                layout_key,
                f"{rows} x {columns} panels in {style.width} x {style.height} pixels leave {width} x {height}"
                f" each, less than {MIN_CELL} a side; enlarge style.width and style.height",
            )
        )
    if -(-cells // columns) < rows or cells < columns:  # filled row by row
        raise ScenarioError(
            origin.problem(layout_key, f"is {rows} x {columns}: a whole row or column would stay empty")
        )
    base = {key: value for key, value in document.items() if key not in ("panels", "panels_layout", "sweep")}
    base_style = base.setdefault("style", {})
    if isinstance(base_style, dict):
        base_style.update({"width": width, "height": height})
        if "title" not in base_style:
            base_style["title"] = PANEL_TITLE
    panels: list[Panel] = []
    problems: list[Problem] = []
    for overrides, where in entries:
        panel_document = copy.deepcopy(base)
        owned = {split_key(key): key for key in overrides}
        panel_origin = PanelOrigin(
            source=origin.source,
            is_file=origin.is_file,
            base_dir=origin.base_dir,
            lines=origin.lines,
            overrides=origin.overrides,
            where=where,
            owned=owned,
        )
        try:
            for key, value in overrides.items():
                try:
                    assign(panel_document, split_key(key), copy.deepcopy(value), key, origin)
                except ScenarioError as error:
                    raise ScenarioError(
                        [panel_origin.problem(split_key(key), problem.message) for problem in error.problems]
                    ) from None
            try:
                loaded = Scenario.model_validate(panel_document)
            except ValidationError as error:
                raise ScenarioError(problems_of(error, panel_document, panel_origin)) from None
        except ScenarioError as error:
            problems += error.problems  # every panel's problems at once
            continue
        loaded._origin = panel_origin
        loaded._label = panel_label(overrides)
        if scenario.output.toggle_layers and loaded.layer_names() != scenario.layer_names():
            problems.append(
                panel_origin.problem(
                    "output.toggle_layers",
                    f"this panel draws the layers {', '.join(loaded.layer_names())}, not the scenario's"
                    f" {', '.join(scenario.layer_names())}: switches need the same layers in every panel",
                )
            )
        panels.append(Panel(loaded, dict(overrides), loaded.panel_label))
    if problems:
        raise ScenarioError(problems)
    # Every panel's frames are drawn: the limit counts them all.
    output, limits = scenario.output, scenario.limits
    n_states = max(panel.scenario.algorithm.max_iter for panel in panels) + 1
    drawn, _ = count_frames(scenario.animation, n_states, output.tween, output.fps, scenario.hold_last)
    total = drawn * len(panels) * len(scenario.frame_parts())
    if total > limits.max_frames:
        raise ScenarioError(
            origin.problem(
                "sweep" if scenario.sweep is not None else "panels",
                f"{len(panels)} panels of up to {drawn:,} frames each (their longest max_iter, with tween,"
                f" explain mode and slow start) draw up to {total:,}, more than limits.max_frames"
                f" ({limits.max_frames:,}); lower max_iter or raise limits.max_frames",
            )
        )
    return panels
