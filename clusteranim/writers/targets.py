"""Where a run writes, checked before anything is written.

Every path a run will write (the animation, a poster, a depfile, a trace, each output of
a batch) is a :class:`Target`. :func:`target_problems` refuses, all at once, the targets
that would destroy something: an input of the run, another output of the same run, a
device, FIFO or socket, a folder where a file is meant, or a folder of frames holding
files this tool did not write. Symbolic links are followed: the file they point to is
the one written, and is checked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clusteranim.files import file_kind

#: The file that marks a folder of frames as written by clusteranim, listing the files
#: it wrote there; only such a folder (or an empty one) is ever replaced.
MANIFEST = ".clusteranim-frames"


@dataclass(frozen=True)
class Target:
    """One path a run will write.

    Parameters
    ----------
    key : str
        What names it: a scenario key (``output.path``) or a command-line option.
    text : str
        The path as the user typed it.
    folder : bool
        Whether it is a folder of frames rather than a file.
    """

    key: str
    text: str
    folder: bool = False

    @property
    def path(self) -> Path:
        """The path that will be written: symbolic links followed, made absolute."""
        return Path(os.path.realpath(self.text))


def target_problems(targets: Sequence[Target], inputs: Mapping[Path, str]) -> list[tuple[Target, str]]:
    """Every reason not to write these targets, as (target, message) pairs.

    Messages do not repeat the path: the caller names the target by its key or option,
    which shows the path as the user typed it.

    Parameters
    ----------
    targets : sequence of Target
        The outputs of one run (or of every scenario of a batch).
    inputs : mapping of Path to str
        The files the run reads (the scenario, data files), each with what it is
        ("the scenario file itself").
    """
    resolved = {Path(os.path.realpath(path)): description for path, description in inputs.items()}
    problems: list[tuple[Target, str]] = []
    seen: list[Target] = []
    for target in targets:
        message = _check_one(target, resolved) or _check_against_others(target, seen)
        if message:
            problems.append((target, message))
        seen.append(target)
    return problems


def _check_one(target: Target, inputs: Mapping[Path, str]) -> str | None:
    text = target.text
    if not text.strip():
        return "must not be empty"
    if "\0" in text:
        return "must not hold a NUL character"
    if text == "-":
        return "standard output is not supported; give a file name"
    if Path(text).name in ("", ".", ".."):
        return f"names an existing folder; give a new {'folder' if target.folder else 'file'} name"
    if not target.folder and text.endswith(("/", os.sep)):
        return "ends with a slash, which names a folder; give a file name"
    path = target.path
    for source, description in inputs.items():
        if path == source or _same_file(path, source):
            return f"is {description}, an input of this run; choose another path"
        if target.folder and source.is_relative_to(path):
            return f"holds {description}, an input of this run; choose another folder"
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return _check_parent(Path(text))
    except OSError as error:
        return f"cannot be checked ({error.strerror or error})"
    if target.folder:
        if not stat.S_ISDIR(status.st_mode):
            return f"is {file_kind(Path(text), status.st_mode)}; a folder of frames goes there"
        return _check_frames_folder(path)
    if stat.S_ISDIR(status.st_mode):
        return "is a folder; give a file name"
    if not stat.S_ISREG(status.st_mode):
        kind = file_kind(Path(text), status.st_mode)
        return f"is {kind}, not a regular file; clusteranim never replaces one"
    return None


def _check_against_others(target: Target, others: Sequence[Target]) -> str | None:
    path = target.path
    for other in others:
        other_path, named = other.path, f"{other.key} ({other.text})"
        if path == other_path or _same_file(path, other_path):
            return f"is also {named}; each output needs its own path"
        if path.is_relative_to(other_path):
            if other.folder:
                return f"lies inside {named}, a folder of frames replaced whole"
            return f"lies inside {named}, which is a file"
        if other_path.is_relative_to(path):
            if target.folder:
                return f"holds {named}, and a folder of frames is replaced whole"
            return f"is the folder of {named}, and cannot also be a file"
    return None


def _check_parent(typed: Path) -> str | None:
    """Whether the folders of a new file can be made and written into (named as typed)."""
    folder = typed.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create its folder: {folder} is a file"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write into {folder} (permission denied)"
    longest = os.pathconf(folder, "PC_NAME_MAX")
    for name in typed.relative_to(folder).parts:  # the folders to make, and the file
        if len(os.fsencode(name)) > longest:
            return f"has a name longer than {longest} bytes ({name[:20]}...)"
    return None


def _check_frames_folder(path: Path) -> str | None:
    """An existing folder may be replaced when it is empty, or holds only what
    clusteranim wrote there (as its manifest lists)."""
    present = {entry.name for entry in os.scandir(path)}
    if not present:
        return None
    strangers = sorted(present - set(read_manifest(path)) - {MANIFEST})
    if not strangers:
        return None
    shown = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
    return f"holds files clusteranim did not write ({shown}); choose a new or empty folder, or remove them"


def read_manifest(folder: Path) -> list[str]:
    """The file names a frames folder's manifest lists (none when it has no manifest)."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.splitlines() if line and "/" not in line]


def write_manifest(folder: Path, names: Iterable[str]) -> None:
    """Mark ``folder`` as written by clusteranim, listing the files it wrote there."""
    (folder / MANIFEST).write_text("".join(f"{name}\n" for name in names), encoding="utf-8")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def is_replaceable(path: Path, folder: bool) -> bool:
    """Whether ``path`` may be renamed over: absent, a regular file, or (for a folder
    of frames) a folder; a last guard at the moment of writing."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return True
    if folder:
        return stat.S_ISDIR(status.st_mode)
    return stat.S_ISREG(status.st_mode)
