"""Files of the bad-input corpus that cannot live in git (FIFOs, devices, symlinks to
devices, files of gigabytes): made in the test's copy of the corpus before it runs.

``SPECIAL`` maps a case name (a line of ``expected.tsv``) to a function that creates
what the case needs inside the corpus folder it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def _large_scenario(folder: Path) -> None:
    (folder / "large_scenario.yaml").write_text("seed: 1\n" + "# padding\n" * 210_000)


SPECIAL: dict[str, Callable[[Path], None]] = {
    "large_scenario": _large_scenario,
}
