"""The keys live mode offers as controls, found from the scenario's option models.

A key is offered when its field carries the ``LIVE`` mark (``Field(...,
json_schema_extra=LIVE)``): its kind, choices and bounds come from its type and
constraints, so that a new option with the mark appears in the page without page code,
and a value set there is checked by the loader like any ``--set``.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from clusteranim.algorithms import ALGORITHMS
from clusteranim.algorithms.base import DirectOptions
from clusteranim.scenario import Scenario

Kind = Literal["choice", "integer", "number"]


@dataclass(frozen=True)
class Control:
    """One key live mode lets the user change.

    Parameters
    ----------
    key : str
        Dotted, as ``--set`` takes it (``algorithm.k``).
    kind : {"choice", "integer", "number"}
    value : object
        The scenario's current value (None: the key's default comes from elsewhere, as a
        section's seed from the top-level one).
    choices : tuple
        For a choice, the values offered.
    minimum, maximum : float or None
        Bounds of a number, included.
    optional : bool
        Whether the key may be left unset (null).
    description : str
        The option's own description.
    """

    key: str
    kind: Kind
    value: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False
    description: str = ""


def live_controls(scenario: Scenario) -> list[Control]:
    """The controls of ``scenario``: the algorithm, then every marked key of the top level,
    of its data source and of its algorithm (those the algorithm uses), but for a key that
    every panel overrides."""
    controls = [
        Control(
            "algorithm.name",
            "choice",
            scenario.algorithm.plugin_name(),
            choices=tuple(ALGORITHMS),
            description="The clustering algorithm.",
        )
    ]
    for prefix, model in (("", scenario), ("data.", scenario.data), ("algorithm.", scenario.algorithm)):
        controls += controls_of(model, prefix)
    panels = scenario.panel_list
    if panels:  # a key every panel sets (the key swept) is not the scenario's to change
        owned = set.intersection(*(set(panel.overrides) for panel in panels))
        controls = [control for control in controls if control.key not in owned]
    return controls


def controls_of(model: BaseModel, prefix: str = "") -> list[Control]:
    """The controls of the marked fields of ``model``, their keys under ``prefix``."""
    unused = model.unused if isinstance(model, DirectOptions) else {}
    found = []
    for name, field in type(model).model_fields.items():
        extra = field.json_schema_extra
        if not isinstance(extra, dict) or not extra.get("live") or name in unused:
            continue
        found.append(_control(prefix + name, field, getattr(model, name)))
    return found


def _control(key: str, field: FieldInfo, value: Any) -> Control:
    choices: list[Any] = []
    numbers: set[type] = set()
    optional = False
    for part in _alternatives(field.annotation):
        if part is type(None):
            optional = True
        elif typing.get_origin(part) is Literal:
            choices += typing.get_args(part)
        elif part in (int, float):
            numbers.add(part)
    minimum, maximum = _bounds(field)
    description = field.description or ""
    if choices:
        return Control(key, "choice", value, tuple(choices), optional=optional, description=description)
    if not numbers:
        raise TypeError(f"{key}: a live control is a choice or a number, not {field.annotation}")
    kind: Kind = "number" if float in numbers else "integer"
    return Control(key, kind, value, (), minimum, maximum, optional, description)


def _alternatives(annotation: Any) -> list[Any]:
    """The members of a union (each ``Annotated`` unwrapped), or the type itself."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _alternatives(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [member for part in typing.get_args(annotation) for member in _alternatives(part)]
    return [annotation]


def _bounds(field: FieldInfo) -> tuple[Any, Any]:
    minimum: Any = None
    maximum: Any = None
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Ge):
            minimum = constraint.ge  # an int for an integer key
        elif isinstance(constraint, annotated_types.Le):
            maximum = constraint.le
    return minimum, maximum
