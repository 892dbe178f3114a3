"""Make rules: what an output depends on, for ``render --depfile``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from clusteranim.writers import atomic_path


def escape(path: str) -> str:
    """A path as make reads it in a rule: spaces, ``#`` and ``$`` escaped."""
    return path.replace("$", "$$").replace("#", "\\#").replace(" ", "\\ ")


def write_depfile(depfile: Path, targets: Iterable[str], prerequisites: Iterable[str]) -> None:
    """Write ``targets: prerequisites`` and an empty rule for each prerequisite.

    The empty rules (as ``gcc -MP`` writes them) keep make working when a data file is
    removed or renamed: the target is then rebuilt instead of make stopping.
    """
    names = list(dict.fromkeys(prerequisites))
    lines = [" ".join(escape(target) for target in targets) + ": " + " ".join(escape(name) for name in names)]
    lines += [f"{escape(name)}:" for name in names]
    with atomic_path(depfile) as temporary:
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
