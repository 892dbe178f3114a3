"""Key paths of a scenario, and where each key came from (a line, a --set), for messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusteranim.errors import Problem

#: A key's place in the document: ("style", "layers", 0, "size").
KeyPath = tuple[str | int, ...]


def plain_copy(value: Any) -> Any:
    """A copy of nested mappings and sequences as dicts and lists."""
    if isinstance(value, Mapping):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_copy(item) for item in value]
    return value


def split_key(key: str) -> KeyPath:
    """``"style.layers.0"`` as ("style", "layers", 0)."""
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def dotted(path: Sequence[str | int]) -> str:
    """A key path as the user writes it: ``style.layers[0].size``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class Origin:
    """Where a scenario's keys came from, to point errors at them.

    Parameters
    ----------
    source : str
        The scenario file as the user named it.
    is_file : bool
        Whether the scenario was read from that file (rather than given as a mapping).
    base_dir : Path
        Its folder, against which relative data paths resolve.
    lines : dict
        Line of each key path in the file.
    overrides : dict
        The ``--set`` argument that gave each overridden key path.
    key_problems : list of Problem
        Keys found wrong while reading (duplicates, keys that are not text), reported
        with the problems of the values.
    """

    source: str = "<scenario>"
    is_file: bool = False
    base_dir: Path = field(default_factory=Path.cwd)
    lines: dict[KeyPath, int] = field(default_factory=dict)
    overrides: dict[KeyPath, str] = field(default_factory=dict)
    key_problems: list[Problem] = field(default_factory=list)

    def problem(self, key: str | KeyPath, message: str) -> Problem:
        """A :class:`Problem` at ``key`` (dotted, or a path), located as closely as known."""
        path = split_key(key) if isinstance(key, str) else key
        for override, text in self.overrides.items():
            if len(override) > len(path) and override[: len(path)] == path:  # a key --set created
                return Problem(text, None, dotted(path), message)
        for length in range(len(path), -1, -1):  # an override owns everything below its key
            prefix = path[:length]
            if prefix in self.overrides:
                return Problem(self.overrides[prefix], None, dotted(path), message)
        for length in range(len(path), -1, -1):
            prefix = path[:length]
            if prefix in self.lines:
                return Problem(self.source, self.lines[prefix], dotted(path), message)
        return Problem(self.source, None, dotted(path), message)
