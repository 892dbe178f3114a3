"""Depfiles name the exact files to GNU make, whatever characters the names hold."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusteranim.depfile import check_make_path, escape, make_rule

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

# Builds each goal by touching it and logging its name; a shell-quoted $@ keeps every
# character (single quotes in names are closed, escaped and reopened).
MAKEFILE = r"""
quote = '$(subst ','\'',$(1))'
build = touch $(call quote,$@) && printf '%s\n' $(call quote,$@) >> built.log
include $(wildcard *.d)
%.gif:
	@$(build)
%.png:
	@$(build)
"""


def make(folder: Path, *goals: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-f", "rules.mk", "--", *goals],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def build(folder: Path, goals: list[str]) -> list[str]:
    """Run make; the goals it rebuilt, each then made newer than every file."""
    log = folder / "built.log"
    log.unlink(missing_ok=True)
    process = make(folder, *goals)
    assert process.returncode == 0, process.stderr
    built = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    for name in built:
        touch_newest(folder, name)
    return sorted(built)


def touch_newest(folder: Path, name: str) -> None:
    """Give ``name`` a time stamp one second after every file's (no sleeping for clocks)."""
    newest = max(path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file())
    os.utime(folder / name, ns=(newest + 10**9, newest + 10**9))


def test_escapes_as_make_reads_a_rule() -> None:
    assert escape("my data.csv", target=False) == r"my\ data.csv"
    assert escape("cost $5 #1.csv", target=False) == r"cost\ $$5\ \#1.csv"
    assert escape("C:/x.gif", target=True) == r"C\:/x.gif"
    assert escape("100%.gif", target=True) == r"100\%.gif"
    assert escape("100%.gif", target=False) == "100%.gif"
    assert escape("a|b", target=False) == r"a\|b"
    assert escape("a|b", target=True) == "a|b"
    assert escape(r"back\slash", target=False) == r"back\slash"  # a plain character
    assert escape("back\\ space", target=False) == r"back\\\ space"  # doubled before an escape


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("a\nb.gif", "it contains a newline"),
        ("a\rb.gif", "it contains a carriage return"),
        ("a\tb.gif", "it contains a tab"),
        ("a;rm -rf x.csv", "make reads ';' as the start of a recipe"),
        ("a!=touch pwned.csv", "make reads '=' as a variable assignment"),
        ("~/x.gif", "make reads a leading '~' as a home folder"),
        ("data[1].csv", "make expands '*', '?' and '[' as wildcards"),
        ("data\\", "it ends in a backslash, which make reads as a line continuation"),
        ("data ", "it ends in a space, which make drops at the end of a line"),
        ("R&", "make reads '&:' as grouped targets"),
        ("points(1)", "make reads 'name(member)' as a member of an archive"),
        ("(b)", "make reads 'name(member)' as a member of an archive"),
    ],
)
def test_refuses_what_make_cannot_read_back(tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"cannot be written into a make rule") as raised:
        check_make_path(path)
    assert str(raised.value) == f"{path!r} cannot be written into a make rule ({reason})"
    with pytest.raises(ValueError):
        write_depfile(tmp_path / "x.d", ["out.gif"], ["scenario.yaml", path])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", ["(b", "a (1).csv", "x~", "&a", "a&b"])
def test_accepts_names_make_reads_literally(path: str) -> None:
    check_make_path(path)


@needs_make
def test_make_rebuilds_exactly_what_changed(tmp_path: Path) -> None:
    (tmp_path / "rules.mk").write_text(MAKEFILE, encoding="utf-8")
    scenario_a, scenario_b = "scen ario #1.yaml", "it's $HOME: b.yaml"
    shared = "data/tab:le 100% $5.csv"
    own = "data/back\\ slash|pipe #2.csv"
    injected = "data/$(shell touch pwned) `touch pwned2` $$.csv"
    animation, poster = "out dir/anim #1: 100%.gif", "out dir/anim #1: 100%.png"
    other = "out dir/b|c $(x).gif"
    for name in (scenario_a, scenario_b, shared, own, injected):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "out dir").mkdir()
    write_depfile(tmp_path / "a.d", [animation, poster], [scenario_a, shared, own, injected])
    write_depfile(tmp_path / "b.d", [other], [scenario_b, shared])
    goals = [animation, poster, other]

    assert build(tmp_path, goals) == sorted(goals)
    assert all((tmp_path / goal).is_file() for goal in goals)
    assert build(tmp_path, goals) == []  # every prerequisite was found: nothing to do
    touch_newest(tmp_path, own)
    assert build(tmp_path, goals) == sorted([animation, poster])
    touch_newest(tmp_path, injected)
    assert build(tmp_path, goals) == sorted([animation, poster])
    touch_newest(tmp_path, scenario_b)
    assert build(tmp_path, goals) == [other]
    touch_newest(tmp_path, shared)
    assert build(tmp_path, goals) == sorted(goals)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


@needs_make
def test_a_removed_data_file_rebuilds_instead_of_stopping(tmp_path: Path) -> None:
    (tmp_path / "rules.mk").write_text(MAKEFILE, encoding="utf-8")
    for name in ("s.yaml", "my data.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    write_depfile(tmp_path / "a.d", ["a.gif"], ["s.yaml", "my data.csv"])
    assert build(tmp_path, ["a.gif"]) == ["a.gif"]
    (tmp_path / "my data.csv").unlink()
    assert build(tmp_path, ["a.gif"]) == ["a.gif"]


NAME_CHARACTERS = "aé.-] #:$%|\\()&!'\"~,{}@^`"


@needs_make
@settings(max_examples=60, deadline=None)
@given(st.text(NAME_CHARACTERS, min_size=1, max_size=8))
def test_make_reads_back_any_writable_name(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    try:
        check_make_path(name)
    except ValueError:
        return
    folder = tmp_path_factory.mktemp("names")
    (folder / "rules.mk").write_text(
        "include a.d\n%.gif:\n\t$(file >seen.log,$@)\n\t$(file >>seen.log,$<)\n", encoding="utf-8"
    )
    write_depfile(folder / "a.d", [f"{name}.gif"], [name])
    process = make(folder, f"{name}.gif")
    assert process.returncode == 0, process.stderr
    assert (folder / "seen.log").read_text(encoding="utf-8") == f"{name}.gif\n{name}\n"


def write_depfile(depfile: Path, targets: list[str], prerequisites: list[str]) -> None:
    """The rule as render writes it (nothing when a name cannot be written)."""
    depfile.write_text(make_rule(targets, prerequisites), encoding="utf-8")
