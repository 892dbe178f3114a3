"""What the table readers (CSV, numpy) give back and what they ask of the file's options."""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

#: A column, by name (CSV with a header) or 0-based index.
Column = str | int
#: The points, their labels (if any) and the names of their columns (if known).
Table = tuple[NDArray[np.float64], NDArray[np.generic] | None, list[str] | None]


class TableChoice(Protocol):
    """The options of a data file that say how to read its table (``FileOptions``)."""

    @property
    def delimiter(self) -> str | None: ...

    @property
    def header(self) -> Literal["auto"] | bool: ...

    @property
    def label_column(self) -> Column | None: ...

    @property
    def array(self) -> str | None: ...

    @property
    def drop_invalid(self) -> bool: ...

    def column_index(self, column: Column, names: list[str] | None, n_fields: int, key: str) -> int:
        """The index of ``column`` among ``n_fields`` (named ``names``, if known)."""
        ...

    def check_index(self, index: int, n_fields: int, key: str) -> None:
        """Raise OptionError at ``key`` unless column ``index`` exists."""
        ...

    def chosen_indices(self, names: list[str] | None, n_fields: int, exclude: int | None = None) -> list[int]:
        """The indices of the columns to cluster."""
        ...


def too_many_rows(name: str, max_points: int) -> str:
    """The message refusing a data file (CSV or array) of more than ``max_points`` rows."""
    return f"{name}: more than {max_points:,} rows (limits.max_points); raise limits.max_points to allow it"
