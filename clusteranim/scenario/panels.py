"""Panels: runs of one scenario with different overrides, drawn side by side.

``panels:`` lists overrides, each a mapping of dotted keys as ``--set`` takes them; a
``sweep:`` makes one panel per value of one key. Each panel is the scenario (the file
with its ``--set`` overrides) with the panel's overrides on top, in a cell of the frame's
grid: it is loaded and checked like any scenario, and its problems name the panel and
the line of its override (``panels[1].algorithm.k``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator

from clusteranim.errors import Problem
from clusteranim.options import IntPair, OptionError, Options
from clusteranim.scenario.keys import KeyPath, Origin, dotted, split_key

#: Most panels in one frame.
MAX_PANELS = 16
#: The shape (width / height) ``auto`` gives the panels' cells when it can.
CELL_SHAPE = 4 / 3
#: Smallest panel, in pixels along either side (room for a title, ticks and a plot).
MIN_CELL = 100
#: Keys every panel shares: the frame, its timing and the output are the scenario's.
SHARED = ("version", "panels", "panels_layout", "sweep", "output", "animation", "limits")
SHARED_STYLE = ("width", "height")
#: The title of a panel unless ``style.title`` is set.
PANEL_TITLE = "{panel}, iteration {iteration} {status}"

Layout = Literal["auto", "rows", "columns"] | IntPair


class SweepOptions(Options):
    """One panel per value of one key (to choose k, say)."""

    key: str = Field(description="The dotted key swept, as --set takes it (algorithm.k).")
    values: list[Any] = Field(
        min_length=2, max_length=MAX_PANELS, description="Its values, one panel each (at least 2, each once)."
    )

    @field_validator("key")
    @classmethod
    def _check_key(cls, key: str) -> str:
        return check_panel_key(key)

    @field_validator("values")
    @classmethod
    def _check_values(cls, values: list[Any]) -> list[Any]:
        for index, value in enumerate(values):
            if value in values[:index]:
                raise ValueError(f"{_shown(value)} appears twice: each value is one panel")
        return values


def check_panel_key(key: str) -> str:
    """``key`` if a panel may override it, else ValueError saying why not."""
    path = split_key(key)
    if not key or any(part == "" for part in path):
        raise ValueError(f"{key!r} is not a dotted key (algorithm.k)")
    if path[0] in SHARED or (path[0] == "style" and len(path) > 1 and path[1] in SHARED_STYLE):
        raise ValueError("is shared by every panel: set it outside the panels")
    return key


def check_panels(panels: list[dict[str, Any]]) -> None:
    """Raise OptionError at the first panel that is empty or overrides what it may not."""
    for index, overrides in enumerate(panels):
        if not overrides:
            raise OptionError(f"panels.{index}", "is empty: give it at least one override (algorithm.k: 4)")
        for key in overrides:
            try:
                check_panel_key(key)
            except ValueError as error:
                raise OptionError(f"panels.{index}.{key}", str(error)) from None


def grid_shape(n_panels: int, width: int, height: int, layout: Layout) -> tuple[int, int]:
    """(rows, columns) of the panels' grid: ``rows`` puts them side by side in one row,
    ``columns`` one under another, ``auto`` picks the grid whose cells are closest to a
    plot's usual 4:3, with the fewest empty cells (side by side on a tie)."""
    if layout == "rows":
        return 1, n_panels
    if layout == "columns":
        return n_panels, 1
    if isinstance(layout, list):
        return layout[0], layout[1]
    best: tuple[float, int, int] | None = None
    for columns in range(n_panels, 0, -1):
        rows = math.ceil(n_panels / columns)
        cell_shape = (width / columns) / (height / rows)
        score = abs(math.log(cell_shape / CELL_SHAPE)) + 0.5 * (rows * columns - n_panels) / n_panels
        if best is None or score < best[0] - 1e-9:
            best = (score, rows, columns)
    assert best is not None
    return best[1], best[2]


def panel_label(overrides: dict[str, Any]) -> str:
    """How a panel's title names it: its overrides, by their last key (``init=random,
    seed=3``); a plug-in's name alone (``gmm``)."""
    return ", ".join(
        _shown(value) if str(key).endswith(".name") else f"{str(key).split('.')[-1]}={_shown(value)}"
        for key, value in overrides.items()
    )


def _shown(value: Any) -> str:
    """A value as YAML writes it inline (``true``, ``0.5``, ``{name: gmm}``)."""
    if isinstance(value, float):
        return f"{value:g}"
    import yaml

    return str(yaml.safe_dump(value, default_flow_style=True, width=1000)).strip().removesuffix("...").strip()


@dataclass(frozen=True)
class PanelOrigin(Origin):
    """Where a panel's keys came from: its overrides where the panel's entry writes them
    (a line of the file, or the --set that gave the panels); any other key is reported
    at the panel's entry, as the panel's problem.

    Parameters
    ----------
    where : KeyPath
        The panel's entry: ("panels", 1), or ("sweep", "values", 1).
    owned : dict
        The key path of each of its overrides, to the dotted key the entry writes.
    """

    where: KeyPath = ("panels", 0)
    owned: dict[KeyPath, str] = field(default_factory=dict)

    def problem(self, key: str | KeyPath, message: str) -> Problem:
        path = split_key(key) if isinstance(key, str) else tuple(key)
        for owned, written in self.owned.items():
            if path[: len(owned)] == owned or owned[: len(path)] == path:  # below it, or made by it
                found = Origin.problem(self, (*self.where, written), message)
                return Problem(found.source, found.line, f"{dotted(self.where)}.{dotted(path)}", message)
        found = Origin.problem(self, self.where, message)
        return Problem(found.source, found.line, dotted(self.where), f"{dotted(path)}: {message}")


__all__ = ["MAX_PANELS", "PanelOrigin", "SweepOptions", "grid_shape", "panel_label"]
