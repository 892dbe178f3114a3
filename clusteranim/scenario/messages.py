"""Pydantic's validation errors as one problem per key: the file, the line, the key and
what is wrong, in the user's words."""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from clusteranim.algorithms import ALGORITHMS
from clusteranim.data import GENERATORS
from clusteranim.errors import Problem, did_you_mean
from clusteranim.options import NamedOptions, OptionError
from clusteranim.scenario.keys import KeyPath, Origin, split_key
from clusteranim.scenario.model import Scenario
from clusteranim.scene.layers import LAYERS


def problems_of(error: ValidationError, document: Any, origin: Origin) -> list[Problem]:
    """One problem per offending key, in the order the file has them."""
    found: dict[KeyPath, list[tuple[str, Any, bool]]] = {}
    alternatives: set[KeyPath] = set()
    for details in error.errors(include_url=False):
        if details["type"] == "invalid_key":
            continue  # a key that is not text: reported with its line while reading
        path, branch = _data_path(details["loc"], document)
        message, show_input = _describe(details, path)
        context = details.get("ctx", {})
        if isinstance(context.get("error"), OptionError):
            path = path + split_key(context["error"].key)
        if details["type"] == "union_tag_invalid":
            key = context["discriminator"].removesuffix("()")
            if isinstance(_node_at(document, path), dict):
                path = (*path, key)
        if branch is not None:
            alternatives.add(branch)
        found.setdefault(path, []).append((message, details.get("input"), show_input))
    problems = []
    for path, messages in found.items():
        if path in alternatives and any(other[: len(path)] == path and other != path for other in found):
            continue  # another alternative of a union got further: report that one
        requirements = list(dict.fromkeys(message for message, _, _ in messages))
        if all(requirement.startswith("must be ") for requirement in requirements):
            text = "must be " + " or ".join(requirement[len("must be ") :] for requirement in requirements)
        else:
            text = "; ".join(requirements)
        _, value, show_input = messages[0]
        if show_input:
            text += f", got {_show(value)}"
        problems.append(origin.problem(path, text))
    return problems


def _node_at(document: Any, path: KeyPath) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _data_path(loc: Sequence[str | int], document: Any) -> tuple[KeyPath, KeyPath | None]:
    """The key path in the document that a pydantic error location points to.

    Pydantic puts union tags and member names in locations (``data.blobs.n_samples``,
    ``n_samples.list[int]``); they are not keys of the document and are left out. The
    second value is the path at which a non-tagged union member was left out.
    """
    path: list[str | int] = []
    branch: KeyPath | None = None
    node = document
    for position, element in enumerate(loc):
        if _has_child(node, element):
            path.append(element)
            node = node[element]
        elif (
            isinstance(node, dict)
            and position == len(loc) - 1
            and not _names_type(element)
            and not _is_tag(element)
        ):
            path.append(element)  # a missing or unknown key
        else:
            if not _is_tag(element):
                branch = tuple(path)
            if not isinstance(node, (dict, list)):
                break
    return tuple(path), branch


def _has_child(node: Any, element: str | int) -> bool:
    if isinstance(node, dict):
        return element in node
    return isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)


def _names_type(element: str | int) -> bool:
    """Whether a location element names a member of a union (``int``, ``list[float]``)."""
    return isinstance(element, str) and (element in {"int", "float", "str", "bool", "none"} or "[" in element)


def _is_tag(element: str | int) -> bool:
    return element in GENERATORS or element in ALGORITHMS or element in LAYERS


_REQUIREMENTS: dict[str, str] = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "finite_number": "must be a finite number",
    "none_required": "must be null",
}


def _describe(details: Mapping[str, Any], path: KeyPath) -> tuple[str, bool]:
    """The message for one pydantic error, and whether to add ", got VALUE"."""
    kind = details["type"]
    context = details.get("ctx", {})
    if kind in _REQUIREMENTS:
        return _REQUIREMENTS[kind], True
    if kind == "missing":
        return "is required", False
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        return "unknown key" + did_you_mean(key, _known_keys(details["loc"])), False
    if kind == "literal_error":
        return f"must be {context['expected']}", True
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        operator = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(value for name, value in context.items() if name in ("gt", "ge", "lt", "le")))
        return f"must be {operator} {bound}", True
    if kind in ("too_short", "too_long"):
        if context.get("min_length") == context.get("max_length") or details["loc"][-1] == "tuple":
            return f"must have {_items(context.get('max_length', context.get('min_length')))}", True
        if kind == "too_short":
            return f"must have at least {_items(context['min_length'])}", True
        return f"must have at most {_items(context['max_length'])}", True
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = context.get("discriminator", "name").removesuffix("()")
        if kind == "union_tag_not_found":
            if isinstance(details.get("input"), Mapping):
                return f"needs a '{key}'", False
            return "must be a mapping", True
        kind_name, registry = _registry_at(path)
        tag = str(context["tag"])
        return f"unknown {kind_name} {tag!r}{did_you_mean(tag, registry)}", False
    if kind == "value_error":
        error = context.get("error")
        if isinstance(error, OptionError):
            return error.message, False
        return str(error), False
    message = str(details["msg"])
    return message[:1].lower() + message[1:], True


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _registry_at(path: KeyPath) -> tuple[str, Mapping[str, Any]]:
    """The kind of plug-in chosen at ``path``, and its registry."""
    if path[:1] == ("data",):
        return "generator", GENERATORS
    if path[:1] == ("algorithm",):
        return "algorithm", ALGORITHMS
    return "layer", LAYERS


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    """Field names of the model an error location points into (for hints)."""
    current: Any = Scenario
    for element in loc[:-1]:
        current = _child_type(current, element)
        if current is None:
            return []
    model = _as_model(current)
    return list(model.model_fields) if model else []


def _child_type(annotation: Any, element: str | int) -> Any:
    annotation = _unwrap(annotation)
    model = _as_model(annotation)
    if model is not None:
        if issubclass(model, NamedOptions) and model.plugin_name() == element:
            return model  # the union tag of a one-member union
        field_info = model.model_fields.get(str(element))
        return field_info.annotation if field_info else None
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for member in get_args(annotation):
            member_model = _as_model(_unwrap(member))
            if (
                member_model is not None
                and issubclass(member_model, NamedOptions)
                and member_model.plugin_name() == element
            ):
                return member_model
        return annotation if isinstance(element, str) else None
    if origin in (list, tuple) and isinstance(element, int):
        return get_args(annotation)[0]
    return None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
