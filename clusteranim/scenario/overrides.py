"""Command-line overrides (``--set algorithm.k=5``) applied to a scenario's document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from clusteranim.errors import Problem, ScenarioError
from clusteranim.scenario.keys import KeyPath, Origin, dotted, plain_copy, split_key
from clusteranim.scenario.model import Scenario
from clusteranim.scenario.reading import ScenarioLoader, yaml_message
from clusteranim.scene.style import named_entry

#: Longest override quoted in a message (a long value is cut short with an ellipsis).
SHOWN = 80


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def parse_overrides(overrides: Iterable[str] | Mapping[str, Any]) -> list[tuple[KeyPath, Any, str]]:
    if isinstance(overrides, Mapping):
        return [
            (split_key(key), plain_copy(value), _shown(f"{key}={value!r}"))
            for key, value in overrides.items()
        ]
    pairs = []
    for text in overrides:
        key, equals, value_text = text.partition("=")
        where = f"--set {_shown(text)}"
        if not equals or not key.strip():
            raise ScenarioError(Problem(where, None, "", "expected KEY=VALUE, e.g. --set algorithm.k=5"))
        try:
            value = yaml.load(value_text, Loader=ScenarioLoader) if value_text.strip() else None
        except yaml.MarkedYAMLError as error:
            raise ScenarioError(Problem(where, None, key, f"value is {yaml_message(error)}")) from None
        except yaml.YAMLError as error:
            raise ScenarioError(Problem(where, None, key, f"value is not valid YAML ({error})")) from None
        pairs.append((split_key(key.strip()), value, where))
    return pairs


def assign(document: dict[str, Any], path: KeyPath, value: Any, text: str, origin: Origin) -> None:
    target: Any = document
    for depth, part in enumerate(path[:-1]):
        if isinstance(target, dict):
            child = target.get(part)
            if child is None and isinstance(path[depth + 1], int):
                child = default_at(path[: depth + 1])  # index into a default list
            if not isinstance(child, (dict, list)):
                child = {}
            target[part] = child
            target = child
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            if not isinstance(target[part], (dict, list)):
                target[part] = named_entry(target[part]) if isinstance(target[part], str) else {}
            target = target[part]
        else:
            raise ScenarioError(Problem(text, None, dotted(path[: depth + 1]), "no such entry to override"))
    last = path[-1]
    if isinstance(target, list):
        if not isinstance(last, int) or last > len(target):
            raise ScenarioError(Problem(text, None, dotted(path), "no such entry to override"))
        if last == len(target):
            target.append(value)
        else:
            target[last] = value
    else:
        target[last] = value


def default_at(path: KeyPath) -> Any:
    """The default value of the key at ``path``, as plain data."""
    node: Any = Scenario().model_dump(mode="json", exclude_defaults=False)
    for part in path:
        node = node[part]
    if path[-1:] == ("layers",):
        return [{"name": layer["name"]} for layer in node]
    return node
