"""Errors a user can cause, each with the exit code the command line gives it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

#: Exit codes of a run stopped by SIGINT (Ctrl-C) and SIGTERM, as a shell reports them.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as we can.

    Parameters
    ----------
    source : str
        The file the problem is in, or ``--set`` for a command-line override.
    line : int or None
        1-based line in ``source``, when known.
    key : str
        Dotted path of the offending key (``algorithm.k``); empty for the whole file.
    message : str
        What is wrong, and where helpful what to do about it.
    """

    source: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        # One line, whatever the input held (a --set value, a key, a path with a newline).
        return text.replace("\r", "\\r").replace("\n", "\\n")


class ClusteranimError(Exception):
    """Base of the errors the command line reports without a traceback."""

    exit_code = 1


class ScenarioError(ClusteranimError):
    """The scenario, its data or the command line is invalid; nothing was written.

    Carries every problem found, so that a user fixes them all in one go.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(source="clusteranim", line=None, key="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        """Pickle by the problems, so that an error raised in a worker process reads the
        same in the parent."""
        return (type(self), (self.problems,))


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM (as KeyboardInterrupt
    is for SIGINT), so that partial output is removed on the way out."""


class RenderError(ClusteranimError):
    """Running the algorithm, drawing or writing failed; the output path is untouched."""

    exit_code = 1


def did_you_mean(word: str, choices: Iterable[str], listing: str | None = "expected one of") -> str:
    """The tail of an "unknown ..." message: ``; did you mean 'x'?`` when a choice is
    close to ``word``, else the choices after ``listing`` (``; expected one of: a, b``),
    else nothing (no choices, or ``listing`` None for lists too long to print)."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if choices and listing is not None:
        return f"; {listing}: " + ", ".join(choices)
    return ""
