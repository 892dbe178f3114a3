"""Descriptions of the registered plug-ins, for ``clusteranim list``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clusteranim.algorithms.base import Capabilities, DirectOptions
from clusteranim.options import NamedOptions


def describe(what: str | None) -> str:
    """A plain-text listing of one kind of plug-in, or of all of them.

    Parameters
    ----------
    what : {"generators", "algorithms", "layers", "formats"} or None
    """
    from clusteranim.algorithms import ALGORITHMS
    from clusteranim.data import GENERATORS
    from clusteranim.scene.layers import LAYERS
    from clusteranim.writers import FORMATS

    sections: dict[str, Mapping[str, Any]] = {
        "generators": GENERATORS,
        "algorithms": ALGORITHMS,
        "layers": LAYERS,
        "formats": FORMATS,
    }
    chosen = [what] if what else list(sections)
    blocks = []
    for name in chosen:
        lines = [f"{name}:"]
        for entry, plugin in sections[name].items():
            if isinstance(plugin, type) and issubclass(plugin, NamedOptions):
                lines.append(f"  {entry}: {plugin.summary}")
                if isinstance(capabilities := getattr(plugin, "capabilities", None), Capabilities):
                    finds = (
                        "; finds the number of clusters itself"
                        if issubclass(plugin, DirectOptions) and "k" in plugin.unused
                        else ""
                    )
                    lines.append(f"      ({capabilities.describe()}{finds})")
                for option, default in plugin.parameters().items():
                    field = plugin.model_fields[option]
                    shown = "(required)" if field.is_required() else _show(default)
                    lines.append(f"      {option} = {shown}    {field.description or ''}")
            else:
                what = "a folder of PNG frames" if plugin.writes_folder else ", ".join(plugin.extensions)
                lines.append(f"  {entry}: {what}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _show(value: Any) -> str:
    if hasattr(value, "model_dump"):
        return str(value.model_dump())
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
