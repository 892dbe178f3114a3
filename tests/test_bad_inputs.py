"""The bad-input corpus: every hostile input gets one clear line, exit 2, and harms nothing.

Each case of ``tests/bad_inputs/expected.tsv`` runs as a real process in its own copy of
the corpus (with the files git cannot hold made by ``special.py``), as ``render`` and as
``validate`` with the same arguments. The cases run in parallel threads (each process is
timed on its own), so that a hundred of them cost seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bad_inputs.special import SPECIAL
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "bad_inputs"
CASES = [
    line.split("\t")
    for line in (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
NAMES = [case[0] for case in CASES]
# Each process, started cold, must finish within this (most take a few tenths).
SECONDS = 5.0


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    changed: list[str]  # files created, removed or changed in the folder


def snapshot(folder: Path) -> dict[str, str]:
    """What each entry of ``folder`` is: a hash of a regular file's bytes, else its kind
    (a FIFO or a link to a device is never opened)."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode):
            entries[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(mode):
            entries[str(path.relative_to(folder))] = f"link to {os.readlink(path)}"
        else:
            entries[str(path.relative_to(folder))] = f"mode {stat.S_IFMT(mode):o}"
    return entries


def run_case(name: str, command: str, extra: str, root: Path) -> Outcome:
    folder = root / f"{name}-{command}" / "bad_inputs"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.tsv"))
    if name in SPECIAL:
        SPECIAL[name](folder)
    before = snapshot(folder)
    started = time.perf_counter()
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusteranim",
            command,
            f"{name}.yaml",
            *([] if extra == "-" else extra.split()),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    seconds = time.perf_counter() - started
    after = snapshot(folder)
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    return Outcome(process.returncode, process.stdout, process.stderr, seconds, changed)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    root = tmp_path_factory.mktemp("corpus")
    jobs = [(name, command, extra) for name, _, extra, _ in CASES for command in ("render", "validate")]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = pool.map(lambda job: run_case(*job, root), jobs)
        return {(name, command): outcome for (name, command, _), outcome in zip(jobs, results, strict=True)}


def test_the_corpus_covers_every_class_of_bad_input() -> None:
    assert len(CASES) >= 80
    assert len(set(NAMES)) == len(NAMES)
    files = {path.stem for path in CORPUS.glob("*.yaml")}
    assert files <= set(NAMES), files - set(NAMES)
    assert set(SPECIAL) <= set(NAMES)


@pytest.mark.parametrize(("name", "exit_code", "extra", "message"), CASES, ids=NAMES)
def test_bad_input_gets_one_line_and_harms_nothing(
    outcomes: dict[tuple[str, str], Outcome], name: str, exit_code: str, extra: str, message: str
) -> None:
    outcome = outcomes[name, "render"]
    assert outcome.returncode == int(exit_code)
    assert "Traceback" not in outcome.stderr and outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1, outcome.stderr  # exactly one line
    assert outcome.stderr == message + "\n"
    assert message.startswith((f"{name}.yaml", "--")), "the line names the file or the option"
    assert outcome.changed == []  # every file byte-identical, nothing new
    assert outcome.seconds < SECONDS


@pytest.mark.parametrize(("name", "extra"), [(case[0], case[2]) for case in CASES], ids=NAMES)
def test_validate_rejects_what_render_rejects_with_the_same_line(
    outcomes: dict[tuple[str, str], Outcome], name: str, extra: str
) -> None:
    render, validate = outcomes[name, "render"], outcomes[name, "validate"]
    assert validate.returncode == render.returncode == 2
    assert validate.stderr == render.stderr
    assert validate.stdout == "" and validate.changed == []
