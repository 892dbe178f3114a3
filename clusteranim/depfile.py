"""Make rules: what an output depends on, for ``render --depfile``.

GNU make reads a rule's file names with its own quoting, checked against make 4.3 by
``tests/test_depfile.py``: a backslash escapes a space, ``#`` and ``:`` (and ``%`` in a
target, ``|`` in a prerequisite), backslashes just before such an escape are doubled,
other backslashes are plain characters, and ``$`` is written ``$$``. Some names have no
spelling at all; :func:`check_make_path` refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What make cannot read back from a rule, and why. Some would run commands: a line break
# ends the rule (a tab after it starts a recipe), ";" starts a recipe, and "!=" is an
# assignment that runs the shell. The others only name the wrong files.
_UNWRITABLE = (
    (re.compile(r"\n"), "it contains a newline"),
    (re.compile(r"\r"), "it contains a carriage return"),
    (re.compile(r"\t"), "it contains a tab"),
    (re.compile(r";"), "make reads ';' as the start of a recipe"),
    (re.compile(r"="), "make reads '=' as a variable assignment"),
    (re.compile(r"^~"), "make reads a leading '~' as a home folder"),
    (re.compile(r"[*?\[]"), "make expands '*', '?' and '[' as wildcards"),
    (re.compile(r"\\$"), "it ends in a backslash, which make reads as a line continuation"),
    (re.compile(r" $"), "it ends in a space, which make drops at the end of a line"),
    (re.compile(r"&$"), "make reads '&:' as grouped targets"),
    (re.compile(r"\(.*\)$"), "make reads 'name(member)' as a member of an archive"),
)


def check_make_path(path: str) -> None:
    """Raise ValueError unless make can read ``path`` back exactly from a rule.

    Parameters
    ----------
    path : str
        A target or prerequisite as it will be written.

    Raises
    ------
    ValueError
        ``'a\\nb' cannot be written into a make rule (it contains a newline)``.
    """
    for pattern, reason in _UNWRITABLE:
        if pattern.search(path):
            raise ValueError(f"{path!r} cannot be written into a make rule ({reason})")


def escape(path: str, *, target: bool) -> str:
    """``path`` as make reads it in a rule, as a target or as a prerequisite.

    A ``%`` makes a target a pattern and ``|`` starts a prerequisite's order-only list,
    so each is escaped only there (make keeps the backslash elsewhere).
    """
    specials = re.escape(" #:" + ("%" if target else "|"))
    quoted = re.sub(rf"(\\*)([{specials}])", lambda match: match[1] * 2 + "\\" + match[2], path)
    return quoted.replace("$", "$$")


def make_rule(targets: Iterable[str], prerequisites: Iterable[str]) -> str:
    """``targets: prerequisites`` and an empty rule for each prerequisite, as text.

    The empty rules (as ``gcc -MP`` writes them) keep make working when a data file is
    removed or renamed: the target is then rebuilt instead of make stopping.

    Raises
    ------
    ValueError
        When a target or prerequisite cannot be written (see :func:`check_make_path`).
    """
    outputs = list(targets)
    names = list(dict.fromkeys(prerequisites))
    for path in [*outputs, *names]:
        check_make_path(path)
    lines = [
        " ".join(escape(output, target=True) for output in outputs)
        + ": "
        + " ".join(escape(name, target=False) for name in names)
    ]
    lines += [f"{escape(name, target=True)}:" for name in names]
    return "\n".join(lines) + "\n"
