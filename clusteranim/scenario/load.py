"""Loading a scenario: read, override, validate, and report every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clusteranim.errors import Problem, ScenarioError
from clusteranim.scenario.keys import Origin, plain_copy
from clusteranim.scenario.messages import problems_of
from clusteranim.scenario.model import GivenTrace, Scenario
from clusteranim.scenario.overrides import assign, parse_overrides
from clusteranim.scenario.reading import read_yaml


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] = (),
    seed: int | None = None,
    output: str | Path | None = None,
    output_format: str | None = None,
    poster: str | Path | None = None,
    trace: GivenTrace | None = None,
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
    return scenario
