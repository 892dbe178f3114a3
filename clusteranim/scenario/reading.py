"""Reading a scenario's YAML: bounded, as YAML 1.2 types plain values, with the line of
every key kept for messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from clusteranim.errors import Problem, ScenarioError
from clusteranim.files import read_bounded
from clusteranim.scenario.keys import KeyPath, Origin, dotted

# Values in a document, aliases counted each time they are used (a scenario has a few
# hundred, an alias bomb billions), keys (a scenario has a few dozen) and nesting depth
# (a scenario nests six levels: style.layers[0].points.color). Each bound fails fast.
MAX_VALUES = 10_000
MAX_KEYS = 1_000
MAX_DEPTH = 32
# A scenario is a few kilobytes; a file much larger is a mistake (or data in disguise).
MAX_SCENARIO_BYTES = 1 << 20


class DocumentTooLarge(yaml.YAMLError):
    """A document nests too deep or holds too many keys or values to be a scenario."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, bounded, and reading plain values as YAML 1.2 does.

    YAML 1.1 needs a dot in a float, so ``tol: 1e-3`` would be the string "1e-3",
    reads ``010`` as eight and ``on`` as true; YAML 1.2 (and every user) reads the
    number 0.001, ten and the text "on". Composing stops at
    ``MAX_DEPTH`` levels, ``MAX_KEYS`` keys or ``MAX_VALUES`` values, before PyYAML's
    recursion or memory gives out.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.n_keys = 0
        self.n_nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        self.n_nodes += 1
        if isinstance(parent, yaml.MappingNode) and index is None:
            self.n_keys += 1
        try:
            if self.depth > MAX_DEPTH:
                self._too_large(f"nests deeper than {MAX_DEPTH} levels")
            if self.n_keys > MAX_KEYS:
                self._too_large(f"has more than {MAX_KEYS:,} keys")
            if self.n_nodes > MAX_VALUES:
                self._too_large(f"has more than {MAX_VALUES:,} values")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _too_large(self, message: str) -> None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        raise DocumentTooLarge(message, mark.line + 1 if mark is not None else 1)


# YAML 1.2's core schema for plain scalars: true/false only (not yes, no, on, off),
# integers in decimal, 0o octal and 0x hex (010 is ten, 1_0 is text), floats with an
# exponent and no dot (1e-3), no timestamps.
_CORE_SCHEMA = {
    "tag:yaml.org,2002:bool": (re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    "tag:yaml.org,2002:int": (re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    "tag:yaml.org,2002:float": (
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+0123456789.",
    ),
}
ScenarioLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in _CORE_SCHEMA and not tag.endswith(":timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _CORE_SCHEMA.items():
    ScenarioLoader.add_implicit_resolver(_tag, _pattern, list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    """An integer as YAML 1.2 writes it: a leading 0 is not octal, 0o is."""
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


ScenarioLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def read_yaml(path: Path, name: str) -> tuple[Origin, Any]:
    """The document in the YAML file at ``path`` (``name``: as the user wrote it), and the
    origin of its keys: the line of each, and the keys found wrong while reading."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError(Problem(name, line, "", message))

    raw = read_bounded(path, MAX_SCENARIO_BYTES, fail, what="a scenario file")
    if b"\x00" in raw:
        raise fail("is a binary file, not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise fail(f"is not UTF-8 text (byte 0x{raw[error.start]:02x})", line) from None
    loader = ScenarioLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail("is empty; write {} for a scenario of all defaults")
        if _expanded_size(node, {}) > MAX_VALUES:
            raise fail(f"expands to more than {MAX_VALUES:,} values (aliases?)")
        origin = Origin(source=name, is_file=True, base_dir=path.resolve().parent)
        index_lines(node, (), origin.lines, origin.key_problems, name)
        document = loader.construct_document(node)
    except DocumentTooLarge as error:
        raise fail(str(error), error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise fail(yaml_message(error), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise fail(f"is not valid YAML ({error})") from None
    finally:
        loader.dispose()
    return origin, document


def yaml_message(error: yaml.MarkedYAMLError) -> str:
    """A PyYAML error in a few words, without its own location (the caller gives it)."""
    problem = error.problem or "syntax error"
    if "'\\t'" in problem:
        return "tab character in indentation; YAML indents with spaces"
    context = f" {error.context}" if error.context else ""
    return f"invalid YAML: {problem}{context}"


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """The number of values under ``node`` once aliases are expanded.

    Aliases share nodes, so each distinct node is sized once (an alias bomb is a few
    lines whose expansion has billions of values); an alias inside its own anchor is a
    document without end.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_VALUES + 1  # while visiting: a cycle counts as too large
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_VALUES:
            break
    sizes[id(node)] = total
    return total


def index_lines(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[Problem], source: str
) -> None:
    """Record the line of every key path below ``node`` and flag duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.tag != "tag:yaml.org,2002:str" and key != "<<":
                shown = key if isinstance(key_node, yaml.ScalarNode) else "a collection"
                problems.append(
                    Problem(source, line, dotted(path), f"key {shown} is not a name; keys are text")
                )
                continue
            if key in first_lines and key != "<<":
                problems.append(
                    Problem(
                        source,
                        line,
                        dotted((*path, key)),
                        f"duplicate key (first at line {first_lines[key]})",
                    )
                )
            first_lines.setdefault(key, line)
            lines.setdefault((*path, key), line)
            index_lines(value_node, (*path, key), lines, problems, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*path, index), item.start_mark.line + 1)
            index_lines(item, (*path, index), lines, problems, source)
