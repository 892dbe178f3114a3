"""Checks of the text a scene draws, made when the scenario loads.

Titles and labels are templates (``"k-means, iteration {iteration}"``) filled in per
frame, and matplotlib reads text between two ``$`` as mathtext. Either can fail while
drawing; checking them with sample values at load time lets ``validate`` report what
``render`` would otherwise stop on halfway.
"""

from __future__ import annotations

import re
import string

#: The fields a title or label template may use, each with a sample value of its type.
TEMPLATE_FIELDS: dict[str, int | float | str] = {
    "iteration": 12,
    "n_iter": 30,
    "objective": -1234.5678,
    "algorithm": "k-means",
    "k": 4,
    "panel": "init=k-means++, seed=3",
    "status": "converged",
}
#: The fields a caption template may use besides those of a title.
CAPTION_FIELDS: dict[str, int | float | str] = {
    **TEMPLATE_FIELDS,
    "changed": 17,
    "change": -12.345,
    "objective_name": "inertia",
    "init": "k-means++",
    "tol": 0.0001,
    "max_iter": 30,
}
#: Largest width or precision in a field's format (``{objective:.3f}``, ``{k:>3}``).
MAX_FORMAT_NUMBER = 100
#: Longest text drawn (a title, a label), in characters.
MAX_TEXT = 300

_FORMAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d*)[_,]?(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?", re.DOTALL
)


def check_template(template: str, fields: dict[str, int | float | str] = TEMPLATE_FIELDS) -> str:
    """Raise ValueError unless ``template`` fills in, and draws, for every frame.

    A template uses ``fields`` (by default :data:`TEMPLATE_FIELDS`) by name, optionally with a
    format (``{objective:.1f}``); conversions (``!r``), attributes, indexes and nested
    fields are not allowed, and widths are bounded.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"is not a valid template ({error}); write {{{{ and }}}} for braces") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        field = f"{{{name}}}"
        if name not in fields:
            known = ", ".join(f"{{{each}}}" for each in fields)
            raise ValueError(f"unknown field {field}; the fields are {known}")
        if conversion is not None:
            raise ValueError(f"{field} has a conversion (!{conversion}); write the field without it")
        if spec and spec.endswith("c"):
            raise ValueError(f"{field} has the character type 'c' in {spec!r}; numbers only")
        if spec and ("{" in spec or "}" in spec):
            raise ValueError(f"{field} has a nested field in its format {spec!r}")
        match = _FORMAT_SPEC.fullmatch(spec or "")
        if match is None:
            raise ValueError(f"{field} has an invalid format {spec!r}")
        for part in ("width", "precision"):
            number = match.group(part)
            if number and int(number) > MAX_FORMAT_NUMBER:
                raise ValueError(f"{field} has a {part} of {number} in {spec!r}; at most {MAX_FORMAT_NUMBER}")
        try:
            format(fields[name], spec or "")
        except ValueError as error:
            raise ValueError(f"{field} cannot take the format {spec!r} ({error})") from None
    check_text(template.format(**fields))
    return template


def check_text(text: str) -> str:
    """Raise ValueError if matplotlib would fail to draw ``text`` (bad mathtext), or take
    long (laying out a text costs time in its length, and no frame holds more than a
    line or two)."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"is {len(text):,} characters long; at most {MAX_TEXT:,}")
    dollars = text.count("$") - text.count(r"\$")
    if dollars == 0 or dollars % 2:
        return text  # matplotlib draws it as plain text
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(text)
    except ValueError as error:
        # pyparsing's last line: "ParseFatalException: Unknown symbol: \foo, found '\'  (at char 0), ..."
        reason = str(error).strip().splitlines()[-1].split(": ", 1)[-1].split("  (at char")[0]
        raise ValueError(
            f"is not valid mathtext between $ signs ({reason}); write \\$ for a dollar sign"
        ) from None
    return text
