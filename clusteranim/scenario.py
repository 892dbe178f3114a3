"""The scenario: its schema, loading it from YAML, and command-line overrides.

Every key is one typed, documented field of a pydantic model. Loading reports every
problem at once, each as ``FILE:LINE: dotted.key: message``, with the line taken from
the YAML node marks; unknown keys get a "did you mean" hint, duplicate keys are errors.
"""

from __future__ import annotations

import difflib
import re
import stat
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from clusteranim.algorithms import ALGORITHMS, AlgorithmOptions
from clusteranim.algorithms.kmeans import KMeansOptions
from clusteranim.data import GENERATORS, DataOptions
from clusteranim.data.blobs import BlobsOptions
from clusteranim.errors import Problem, ScenarioError
from clusteranim.files import file_kind
from clusteranim.options import IntPair, NamedOptions, OptionError, Options
from clusteranim.scene.layers import LAYERS, LayerOptions
from clusteranim.scene.palette import check_palette_size
from clusteranim.scene.text import TEMPLATE_FIELDS, check_template
from clusteranim.writers import FORMATS, check_settings, format_for_path

# Values in a document, aliases counted each time they are used (a scenario has a few
# hundred, an alias bomb billions), keys (a scenario has a few dozen) and nesting depth
# (a scenario nests six levels: style.layers[0].points.color). Each bound fails fast.
MAX_VALUES = 10_000
MAX_KEYS = 1_000
MAX_DEPTH = 32
# A scenario is a few kilobytes; a file much larger is a mistake (or data in disguise).
MAX_SCENARIO_BYTES = 1 << 20

Path_ = tuple[str | int, ...]


class DocumentTooLarge(yaml.YAMLError):
    """A document nests too deep or holds too many keys or values to be a scenario."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, bounded, and reading plain values as YAML 1.2 does.

    YAML 1.1 needs a dot in a float, so ``tol: 1e-3`` would be the string "1e-3",
    reads ``010`` as eight and ``on`` as true; YAML 1.2 (and every user) reads the
    number 0.001, ten and the text "on". Composing stops at
    ``MAX_DEPTH`` levels, ``MAX_KEYS`` keys or ``MAX_VALUES`` values, before PyYAML's
    recursion or memory gives out.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.n_keys = 0
        self.n_nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        self.n_nodes += 1
        if isinstance(parent, yaml.MappingNode) and index is None:
            self.n_keys += 1
        try:
            if self.depth > MAX_DEPTH:
                self._too_large(f"nests deeper than {MAX_DEPTH} levels")
            if self.n_keys > MAX_KEYS:
                self._too_large(f"has more than {MAX_KEYS:,} keys")
            if self.n_nodes > MAX_VALUES:
                self._too_large(f"has more than {MAX_VALUES:,} values")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _too_large(self, message: str) -> None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        raise DocumentTooLarge(message, mark.line + 1 if mark is not None else 1)


# YAML 1.2's core schema for plain scalars: true/false only (not yes, no, on, off),
# integers in decimal, 0o octal and 0x hex (010 is ten, 1_0 is text), floats with an
# exponent and no dot (1e-3), no timestamps.
_CORE_SCHEMA = {
    "tag:yaml.org,2002:bool": (re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    "tag:yaml.org,2002:int": (re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    "tag:yaml.org,2002:float": (
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+0123456789.",
    ),
}
ScenarioLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in _CORE_SCHEMA and not tag.endswith(":timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _CORE_SCHEMA.items():
    ScenarioLoader.add_implicit_resolver(_tag, _pattern, list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    """An integer as YAML 1.2 writes it: a leading 0 is not octal, 0o is."""
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


ScenarioLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _tagged_union(registry: Mapping[str, type[NamedOptions]], key: str, default: str | None) -> Any:
    """A union of the registered option models, chosen by the value of ``key``."""

    def choose(value: Any) -> Any:
        if isinstance(value, Mapping):
            return value.get(key, default)
        return getattr(value, key, None)

    choose.__name__ = key
    members = tuple(Annotated[model, Tag(name)] for name, model in registry.items())
    return Annotated[Union[members], Discriminator(choose)]  # noqa: UP007


if TYPE_CHECKING:
    DataSpec = DataOptions
    AlgorithmSpec = AlgorithmOptions
    LayerSpec = LayerOptions
else:
    DataSpec = _tagged_union(GENERATORS, "generator", "blobs")
    AlgorithmSpec = _tagged_union(ALGORITHMS, "name", "kmeans")
    LayerSpec = _tagged_union(LAYERS, "name", None)


def _default_layers() -> list[LayerOptions]:
    return [LAYERS[name]() for name in ("points", "centroids", "title")]


class Style(Options):
    """How frames look."""

    width: int = Field(640, ge=32, description="Frame width in pixels (see limits.max_pixels).")
    height: int = Field(480, ge=32, description="Frame height in pixels (see limits.max_pixels).")
    dpi: float = Field(
        100.0, gt=0, le=1000, description="Dots per inch: scales text and markers, not the frame."
    )
    palette: str | list[str] = Field(
        "tab10",
        description="A matplotlib colormap name, hsv for evenly spaced hues, or a list of colours.",
    )
    layers: list[LayerSpec] = Field(
        default_factory=_default_layers,
        min_length=1,
        description="Layers from bottom to top: a name, or {name: {option: value}}.",
    )
    title: str = Field(
        "{algorithm}, iteration {iteration}",
        description="Title template; fields: " + ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS),
    )
    padding: float = Field(0.05, ge=0, le=2, description="Margin around the data, as a fraction of its span.")
    projection: Literal["pca", "first2"] | IntPair | None = Field(
        None,
        description="The 2-D view of d-dimensional data: pca (the default when d > 2), first2,"
        " or a pair of column indices [i, j].",
    )
    aspect: Literal["equal", "auto"] = Field(
        "equal", description="equal keeps circles round; auto fills the frame."
    )
    theme: Literal["light", "dark"] = Field("light", description="Light or dark background.")
    font_size: float = Field(10.0, gt=0, le=72, description="Base font size in points.")
    axes: bool = Field(True, description="Draw the axes frame (false: the data alone).")
    ticks: bool = Field(True, description="Draw tick marks, their labels and axis labels.")

    @field_validator("layers", mode="before")
    @classmethod
    def _name_layers(cls, layers: Any) -> Any:
        """Turn ``points`` and ``{points: {...}}`` into ``{name: points, ...}``."""
        if not isinstance(layers, list):
            return layers
        return [_named_entry(entry) for entry in layers]

    @field_validator("palette")
    @classmethod
    def _check_palette(cls, palette: str | list[str]) -> str | list[str]:
        from clusteranim.scene.palette import check_palette

        return check_palette(palette)

    @field_validator("title")
    @classmethod
    def _check_title(cls, title: str) -> str:
        return check_template(title)


def _named_entry(entry: Any) -> Any:
    if isinstance(entry, str):
        return {"name": entry}
    if isinstance(entry, dict) and len(entry) == 1 and "name" not in entry:
        ((name, options),) = entry.items()
        if options is None:
            return {"name": name}
        if isinstance(options, dict):
            return {"name": name, **options}
    return entry


class Output(Options):
    """Where and how the animation is written."""

    path: str = Field(
        "out/animation.gif",
        description="Output file, relative to the current directory; its extension"
        " chooses the format unless format is set.",
    )
    format: str | None = Field(None, description="One of: " + ", ".join(FORMATS) + ".")
    fps: float = Field(2.0, gt=0, le=100, description="Frames per second.")
    hold_last: float = Field(1.0, ge=0, le=600, description="Seconds the final frame stays on screen.")
    loop: int = Field(
        0, ge=0, le=65535, description="0 loops forever; n plays the animation n times (GIF, HTML)."
    )
    quality: int | None = Field(
        None,
        ge=0,
        le=63,
        description="Video quality as a CRF: lower is better and bigger; MP4 (H.264) 0-51,"
        " default 20; WebM (VP9) 0-63, default 24.",
    )
    toggle_layers: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="HTML player: layers the viewer can switch off (each doubles the frames embedded).",
    )
    poster: str | None = Field(
        None,
        description="Also write the last frame as a PNG at this path (relative to the current directory).",
    )
    tween: int = Field(
        0,
        ge=0,
        le=100,
        description="Interpolated frames between two iterations: centroids, ellipses and"
        " weights move smoothly, assignments switch halfway.",
    )

    @field_validator("format")
    @classmethod
    def _check_format(cls, format: str | None) -> str | None:
        if format is not None and format not in FORMATS:
            raise ValueError(f"unknown format {format!r}{_hint(format, FORMATS)}")
        return format

    @model_validator(mode="after")
    def _check_path(self) -> Output:
        if not self.path.strip():
            raise OptionError("path", "must not be empty")
        if self.format is None:
            try:
                format_for_path(self.path)
            except ValueError as error:
                raise OptionError("path", str(error)) from None
        output_format = self.resolved_format()
        if output_format == "mp4" and self.quality is not None and self.quality > 51:
            raise OptionError("quality", f"must be <= 51 for MP4 (H.264 CRF), got {self.quality}")
        if self.toggle_layers and output_format != "html":
            raise OptionError("toggle_layers", "only the HTML player can switch layers")
        return self

    def resolved_format(self) -> str:
        """``format``, else the format the extension of ``path`` names."""
        return self.format or format_for_path(self.path)


@dataclass(frozen=True)
class Origin:
    """Where a scenario's keys came from, to point errors at them.

    Parameters
    ----------
    source : str
        The scenario file as the user named it.
    is_file : bool
        Whether the scenario was read from that file (rather than given as a mapping).
    base_dir : Path
        Its folder, against which relative data paths resolve.
    lines : dict
        Line of each key path in the file.
    overrides : dict
        The ``--set`` argument that gave each overridden key path.
    key_problems : list of Problem
        Keys found wrong while reading (duplicates, keys that are not text), reported
        with the problems of the values.
    """

    source: str = "<scenario>"
    is_file: bool = False
    base_dir: Path = field(default_factory=Path.cwd)
    lines: dict[Path_, int] = field(default_factory=dict)
    overrides: dict[Path_, str] = field(default_factory=dict)
    key_problems: list[Problem] = field(default_factory=list)

    def problem(self, key: str | Path_, message: str) -> Problem:
        """A :class:`Problem` at ``key`` (dotted, or a path), located as closely as known."""
        path = _split_key(key) if isinstance(key, str) else key
        for override, text in self.overrides.items():
            if len(override) > len(path) and override[: len(path)] == path:  # a key --set created
                return Problem(text, None, _dotted(path), message)
        for length in range(len(path), -1, -1):
            prefix = path[:length]
            if prefix in self.overrides:
                return Problem(self.overrides[prefix], None, _dotted(path), message)
            if prefix in self.lines:
                return Problem(self.source, self.lines[prefix], _dotted(path), message)
        return Problem(self.source, None, _dotted(path), message)


class Limits(Options):
    """Caps that keep a mistyped number from exhausting the machine; raise them on purpose."""

    max_points: int = Field(5_000_000, ge=1, le=10**9, description="Most data points.")
    max_frames: int = Field(
        10_000,
        ge=1,
        le=10**7,
        description="Most frames, counted as (max_iter x (tween + 1) + 1 + hold_last x fps)"
        " x the HTML player's layer variants.",
    )
    max_pixels: int = Field(16_777_216, ge=1, le=2**30, description="Most pixels per frame (width x height).")


class Scenario(Options):
    """A clustering animation: data, algorithm, style and output (version 1)."""

    version: Literal[1] = Field(1, description="Scenario format version.")
    seed: int = Field(
        0, ge=0, description="Seed of everything random (any integer >= 0), unless a section sets its own."
    )
    data: DataSpec = Field(default_factory=BlobsOptions, description="Where the points come from.")
    algorithm: AlgorithmSpec = Field(default_factory=KMeansOptions, description="The clustering algorithm.")
    style: Style = Field(default_factory=Style, description="How frames look.")
    output: Output = Field(default_factory=Output, description="Where and how it is written.")
    limits: Limits = Field(default_factory=Limits, description="Caps on size, raised on purpose.")

    _origin: Origin = PrivateAttr(default_factory=Origin)

    @model_validator(mode="after")
    def _check_toggles(self) -> Scenario:
        names = [layer.plugin_name() for layer in self.style.layers]
        for index, name in enumerate(self.output.toggle_layers):
            if name not in names:
                raise OptionError(f"output.toggle_layers.{index}", f"{name!r} is not in style.layers")
        return self

    @model_validator(mode="after")
    def _check_style_fits_algorithm(self) -> Scenario:
        try:
            check_palette_size(self.style.palette, self.algorithm.k)
        except ValueError as error:
            raise OptionError("style.palette", str(error)) from None
        for depth, layer in enumerate(self.style.layers):
            try:
                layer.check_for(self.algorithm)
            except OptionError as error:
                raise OptionError(
                    f"style.layers.{depth}.{layer.plugin_name()}.{error.key}", error.message
                ) from None
        return self

    @model_validator(mode="after")
    def _check_limits(self) -> Scenario:
        limits, style, output = self.limits, self.style, self.output
        pixels = style.width * style.height
        if pixels > limits.max_pixels:
            raise OptionError(
                "style.width",
                f"{style.width} x {style.height} = {pixels:,} pixels per frame exceed"
                f" limits.max_pixels ({limits.max_pixels:,}); raise limits.max_pixels to allow it",
            )
        check_settings(output.resolved_format(), style.width, style.height, output.fps, output.hold_last)
        steps = self.algorithm.max_iter * (output.tween + 1) + 1
        frames = (steps + round(output.hold_last * output.fps)) * 2 ** len(set(output.toggle_layers))
        if frames > limits.max_frames:
            raise OptionError(
                "algorithm.max_iter",
                f"allows up to {frames:,} frames ((max_iter x (tween + 1) + 1 + hold_last x fps)"
                " x layer variants), more than limits.max_frames"
                f" ({limits.max_frames:,}); lower it or raise limits.max_frames",
            )
        points = self.data.expected_points()
        if points is not None and points > limits.max_points:
            raise OptionError(
                "data.n_samples",
                f"{points:,} points exceed limits.max_points ({limits.max_points:,});"
                " raise limits.max_points to allow it",
            )
        return self

    @property
    def origin(self) -> Origin:
        return self._origin

    @property
    def data_seed(self) -> int:
        return self.seed if self.data.seed is None else self.data.seed

    @property
    def algorithm_seed(self) -> int:
        return self.seed if self.algorithm.seed is None else self.algorithm.seed

    def problem(self, key: str, message: str) -> ScenarioError:
        """A :class:`ScenarioError` at ``key``, located in the file or the overrides."""
        return ScenarioError(self._origin.problem(key, message))


# --------------------------------------------------------------------------- loading


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] = (),
    seed: int | None = None,
    output: str | Path | None = None,
    output_format: str | None = None,
    poster: str | Path | None = None,
) -> Scenario:
    """Read, override and validate a scenario.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file, or the scenario as a mapping (as if read from YAML).
    overrides : iterable of "dotted.key=VALUE", or mapping of dotted key to value
        Applied on top of the file; string values are typed as YAML would type them.
    seed : int, optional
        Overrides the top-level ``seed``.
    output, output_format, poster : optional
        Override ``output.path``, ``output.format`` and ``output.poster``.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, line and key.
    """
    if isinstance(source, Mapping):
        origin = Origin(source="<scenario>")
        document: Any = _plain_copy(source)
    else:
        origin, document = _read_yaml(Path(source), str(source))
    if not isinstance(document, dict):
        raise ScenarioError(
            Problem(
                origin.source, 1, "", "must be a mapping of sections (seed, data, algorithm, style, output)"
            )
        )
    pairs = _parse_overrides(overrides)
    if seed is not None:
        pairs.append((("seed",), seed, f"--seed {seed}"))
    if output is not None:
        pairs.append((("output", "path"), str(output), f"--output {output}"))
    if output_format is not None:
        pairs.append((("output", "format"), output_format, f"--format {output_format}"))
    if poster is not None:
        pairs.append((("output", "poster"), str(poster), f"--poster {poster}"))
    for path, value, text in pairs:
        _assign(document, path, value, text, origin)
        origin.overrides[path] = text
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        problems = sorted(
            [*origin.key_problems, *_problems(error, document, origin)],
            key=lambda problem: (problem.line or 0, problem.key),
        )
        raise ScenarioError(problems) from None
    if origin.key_problems:
        raise ScenarioError(origin.key_problems)
    scenario._origin = origin
    return scenario


def _read_yaml(path: Path, name: str) -> tuple[Origin, Any]:
    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError(Problem(name, line, "", message))

    raw = read_bounded(path, MAX_SCENARIO_BYTES, fail, what="a scenario file")
    if b"\x00" in raw:
        raise fail("is a binary file, not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise fail(f"is not UTF-8 text (byte 0x{raw[error.start]:02x})", line) from None
    loader = ScenarioLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail("is empty; write {} for a scenario of all defaults")
        if _expanded_size(node, {}) > MAX_VALUES:
            raise fail(f"expands to more than {MAX_VALUES:,} values (aliases?)")
        origin = Origin(source=name, is_file=True, base_dir=path.resolve().parent)
        _index_lines(node, (), origin.lines, origin.key_problems, name)
        document = loader.construct_document(node)
    except DocumentTooLarge as error:
        raise fail(str(error), error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise fail(_yaml_message(error), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise fail(f"is not valid YAML ({error})") from None
    finally:
        loader.dispose()
    return origin, document


def read_bounded(path: Path, max_bytes: int, fail: Callable[[str], Exception], what: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, checked before reading.

    A folder, FIFO, device or socket (or a symlink to one) is refused without opening
    it, since reading a FIFO blocks and reading ``/dev/zero`` never ends; the read
    itself stops one byte past the limit, for files whose size ``stat`` does not tell.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(status.st_mode):
        raise fail(f"is a directory, not {what}")
    if not stat.S_ISREG(status.st_mode):
        raise fail(f"is {file_kind(path, status.st_mode)}, not {what}")
    limit = f"{what} is at most {max_bytes >> 20} MB"
    if status.st_size > max_bytes:
        raise fail(f"is {status.st_size / 2**20:.1f} MB; {limit}")
    try:
        with path.open("rb") as file:
            raw = file.read(max_bytes + 1)
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror or error})") from None
    if len(raw) > max_bytes:
        raise fail(f"is more than {max_bytes >> 20} MB; {limit}")
    return raw


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "syntax error"
    if "'\\t'" in problem:
        return "tab character in indentation; YAML indents with spaces"
    context = f" {error.context}" if error.context else ""
    return f"invalid YAML: {problem}{context}"


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """The number of values under ``node`` once aliases are expanded.

    Aliases share nodes, so each distinct node is sized once (an alias bomb is a few
    lines whose expansion has billions of values); an alias inside its own anchor is a
    document without end.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_VALUES + 1  # while visiting: a cycle counts as too large
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_VALUES:
            break
    sizes[id(node)] = total
    return total


def _index_lines(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[Problem], source: str
) -> None:
    """Record the line of every key path below ``node`` and flag duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.tag != "tag:yaml.org,2002:str" and key != "<<":
                shown = key if isinstance(key_node, yaml.ScalarNode) else "a collection"
                problems.append(
                    Problem(source, line, _dotted(path), f"key {shown} is not a name; keys are text")
                )
                continue
            if key in first_lines and key != "<<":
                problems.append(
                    Problem(
                        source,
                        line,
                        _dotted((*path, key)),
                        f"duplicate key (first at line {first_lines[key]})",
                    )
                )
            first_lines.setdefault(key, line)
            lines.setdefault((*path, key), line)
            _index_lines(value_node, (*path, key), lines, problems, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*path, index), item.start_mark.line + 1)
            _index_lines(item, (*path, index), lines, problems, source)


def _plain_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_copy(item) for item in value]
    return value


def _split_key(key: str) -> Path_:
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _parse_overrides(overrides: Iterable[str] | Mapping[str, Any]) -> list[tuple[Path_, Any, str]]:
    if isinstance(overrides, Mapping):
        return [(_split_key(key), _plain_copy(value), f"{key}={value!r}") for key, value in overrides.items()]
    pairs = []
    for text in overrides:
        key, equals, value_text = text.partition("=")
        where = f"--set {text}"
        if not equals or not key.strip():
            raise ScenarioError(Problem(where, None, "", "expected KEY=VALUE, e.g. --set algorithm.k=5"))
        try:
            value = yaml.load(value_text, Loader=ScenarioLoader) if value_text.strip() else None
        except yaml.MarkedYAMLError as error:
            raise ScenarioError(Problem(where, None, key, f"value is {_yaml_message(error)}")) from None
        except yaml.YAMLError as error:
            raise ScenarioError(Problem(where, None, key, f"value is not valid YAML ({error})")) from None
        pairs.append((_split_key(key.strip()), value, where))
    return pairs


def _assign(document: dict[str, Any], path: Path_, value: Any, text: str, origin: Origin) -> None:
    target: Any = document
    for depth, part in enumerate(path[:-1]):
        if isinstance(target, dict):
            child = target.get(part)
            if child is None and isinstance(path[depth + 1], int):
                child = _default_at(path[: depth + 1])  # index into a default list
            if not isinstance(child, (dict, list)):
                child = {}
            target[part] = child
            target = child
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            if not isinstance(target[part], (dict, list)):
                target[part] = _named_entry(target[part]) if isinstance(target[part], str) else {}
            target = target[part]
        else:
            raise ScenarioError(Problem(text, None, _dotted(path[: depth + 1]), "no such entry to override"))
    last = path[-1]
    if isinstance(target, list):
        if not isinstance(last, int) or last > len(target):
            raise ScenarioError(Problem(text, None, _dotted(path), "no such entry to override"))
        if last == len(target):
            target.append(value)
        else:
            target[last] = value
    else:
        target[last] = value


def _default_at(path: Path_) -> Any:
    """The default value of the key at ``path``, as plain data."""
    node: Any = Scenario().model_dump(mode="json", exclude_defaults=False)
    for part in path:
        node = node[part]
    if path[-1:] == ("layers",):
        return [{"name": layer["name"]} for layer in node]
    return node


# ------------------------------------------------------------------ error messages


def _problems(error: ValidationError, document: Any, origin: Origin) -> list[Problem]:
    """One problem per offending key, in the order the file has them."""
    found: dict[Path_, list[tuple[str, Any, bool]]] = {}
    alternatives: set[Path_] = set()
    for details in error.errors(include_url=False):
        if details["type"] == "invalid_key":
            continue  # a key that is not text: reported with its line while reading
        path, branch = _data_path(details["loc"], document)
        message, show_input = _describe(details, path)
        context = details.get("ctx", {})
        if isinstance(context.get("error"), OptionError):
            path = path + _split_key(context["error"].key)
        if details["type"] == "union_tag_invalid":
            key = context["discriminator"].removesuffix("()")
            if isinstance(_node_at(document, path), dict):
                path = (*path, key)
        if branch is not None:
            alternatives.add(branch)
        found.setdefault(path, []).append((message, details.get("input"), show_input))
    problems = []
    for path, messages in found.items():
        if path in alternatives and any(other[: len(path)] == path and other != path for other in found):
            continue  # another alternative of a union got further: report that one
        requirements = list(dict.fromkeys(message for message, _, _ in messages))
        if all(requirement.startswith("must be ") for requirement in requirements):
            text = "must be " + " or ".join(requirement[len("must be ") :] for requirement in requirements)
        else:
            text = "; ".join(requirements)
        _, value, show_input = messages[0]
        if show_input:
            text += f", got {_show(value)}"
        problems.append(origin.problem(path, text))
    return problems


def _node_at(document: Any, path: Path_) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _data_path(loc: Sequence[str | int], document: Any) -> tuple[Path_, Path_ | None]:
    """The key path in the document that a pydantic error location points to.

    Pydantic puts union tags and member names in locations (``data.blobs.n_samples``,
    ``n_samples.list[int]``); they are not keys of the document and are left out. The
    second value is the path at which a non-tagged union member was left out.
    """
    path: list[str | int] = []
    branch: Path_ | None = None
    node = document
    for position, element in enumerate(loc):
        if _has_child(node, element):
            path.append(element)
            node = node[element]
        elif (
            isinstance(node, dict)
            and position == len(loc) - 1
            and not _names_type(element)
            and not _is_tag(element)
        ):
            path.append(element)  # a missing or unknown key
        else:
            if not _is_tag(element):
                branch = tuple(path)
            if not isinstance(node, (dict, list)):
                break
    return tuple(path), branch


def _has_child(node: Any, element: str | int) -> bool:
    if isinstance(node, dict):
        return element in node
    return isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)


def _names_type(element: str | int) -> bool:
    """Whether a location element names a member of a union (``int``, ``list[float]``)."""
    return isinstance(element, str) and (element in {"int", "float", "str", "bool", "none"} or "[" in element)


def _is_tag(element: str | int) -> bool:
    return element in GENERATORS or element in ALGORITHMS or element in LAYERS


_REQUIREMENTS: dict[str, str] = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "finite_number": "must be a finite number",
    "none_required": "must be null",
}


def _describe(details: Mapping[str, Any], path: Path_) -> tuple[str, bool]:
    """The message for one pydantic error, and whether to add ", got VALUE"."""
    kind = details["type"]
    context = details.get("ctx", {})
    if kind in _REQUIREMENTS:
        return _REQUIREMENTS[kind], True
    if kind == "missing":
        return "is required", False
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        return "unknown key" + _hint(key, _known_keys(details["loc"])), False
    if kind == "literal_error":
        return f"must be {context['expected']}", True
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        operator = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(value for name, value in context.items() if name in ("gt", "ge", "lt", "le")))
        return f"must be {operator} {bound}", True
    if kind in ("too_short", "too_long"):
        if context.get("min_length") == context.get("max_length") or details["loc"][-1] == "tuple":
            return f"must have {_items(context.get('max_length', context.get('min_length')))}", True
        if kind == "too_short":
            return f"must have at least {_items(context['min_length'])}", True
        return f"must have at most {_items(context['max_length'])}", True
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = context.get("discriminator", "name").removesuffix("()")
        if kind == "union_tag_not_found":
            if isinstance(details.get("input"), Mapping):
                return f"needs a '{key}'", False
            return "must be a mapping", True
        kind_name, registry = _registry_at(path)
        tag = str(context["tag"])
        return f"unknown {kind_name} {tag!r}{_hint(tag, registry)}", False
    if kind == "value_error":
        error = context.get("error")
        if isinstance(error, OptionError):
            return error.message, False
        return str(error), False
    message = str(details["msg"])
    return message[:1].lower() + message[1:], True


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _registry_at(path: Path_) -> tuple[str, Mapping[str, Any]]:
    """The kind of plug-in chosen at ``path``, and its registry."""
    if path[:1] == ("data",):
        return "generator", GENERATORS
    if path[:1] == ("algorithm",):
        return "algorithm", ALGORITHMS
    return "layer", LAYERS


def _hint(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?``, or the list of choices when none is close."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if choices:
        return "; expected one of: " + ", ".join(choices)
    return ""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    """Field names of the model an error location points into (for hints)."""
    current: Any = Scenario
    for element in loc[:-1]:
        current = _child_type(current, element)
        if current is None:
            return []
    model = _as_model(current)
    return list(model.model_fields) if model else []


def _child_type(annotation: Any, element: str | int) -> Any:
    annotation = _unwrap(annotation)
    model = _as_model(annotation)
    if model is not None:
        if issubclass(model, NamedOptions) and model.plugin_name() == element:
            return model  # the union tag of a one-member union
        field_info = model.model_fields.get(str(element))
        return field_info.annotation if field_info else None
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for member in get_args(annotation):
            member_model = _as_model(_unwrap(member))
            if (
                member_model is not None
                and issubclass(member_model, NamedOptions)
                and member_model.plugin_name() == element
            ):
                return member_model
        return annotation if isinstance(element, str) else None
    if origin in (list, tuple) and isinstance(element, int):
        return get_args(annotation)[0]
    return None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


__all__ = [
    "AlgorithmOptions",
    "DataOptions",
    "Origin",
    "Output",
    "Scenario",
    "Style",
    "load_scenario",
]
