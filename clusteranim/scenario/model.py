"""The scenario: a typed model composed of each part's own options."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from clusteranim.algorithms import ALGORITHMS, AlgorithmOptions
from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.algorithms.kmeans import KMeansOptions
from clusteranim.data import GENERATORS, DataOptions
from clusteranim.data.blobs import BlobsOptions
from clusteranim.errors import ScenarioError
from clusteranim.options import LIVE, OptionError, Options, tagged_union
from clusteranim.scenario.keys import Origin
from clusteranim.scenario.panels import MAX_PANELS, Layout, SweepOptions, check_panels
from clusteranim.scene.animation import AnimationOptions, count_frames, longest_frame
from clusteranim.scene.palette import check_palette_size
from clusteranim.scene.parts import Part, parts_of
from clusteranim.scene.style import StyleOptions
from clusteranim.writers import check_settings
from clusteranim.writers.options import OutputOptions

if TYPE_CHECKING:
    DataSpec = DataOptions
    AlgorithmSpec = AlgorithmOptions
else:
    DataSpec = tagged_union(GENERATORS, "generator", "blobs")
    AlgorithmSpec = tagged_union(ALGORITHMS, "name", "kmeans")


class GivenTrace(Protocol):
    """What the scenario checks of a trace made elsewhere (``render --trace``)."""

    @property
    def profile(self) -> AlgorithmProfile: ...

    @property
    def n_states(self) -> int: ...


class LimitsOptions(Options):
    """Caps that keep a mistyped number from exhausting the machine; raise them on purpose."""

    max_points: int = Field(5_000_000, ge=1, le=10**9, description="Most data points.")
    max_frames: int = Field(
        10_000,
        ge=1,
        le=10**7,
        description="Most frames: those drawn for max_iter iterations (with tween, explain mode"
        " and slow start), or for video the frames its running time takes at fps, whichever is"
        " more, x the images per frame of an HTML player with layer switches.",
    )
    max_pixels: int = Field(16_777_216, ge=1, le=2**30, description="Most pixels per frame (width x height).")


@dataclass(frozen=True)
class Panel:
    """One panel: its scenario and what makes it differ.

    Parameters
    ----------
    scenario : Scenario
        The panel's own scenario (cell-sized frame).
    overrides : dict
        Its overrides, by dotted key.
    label : str
        How its title names it (``{panel}``).
    """

    scenario: Scenario
    overrides: dict[str, Any]
    label: str


class Scenario(Options):
    """A clustering animation: data, algorithm, style and output (version 1)."""

    version: Literal[1] = Field(1, description="Scenario format version.")
    seed: int = Field(
        0,
        ge=0,
        json_schema_extra=LIVE,
        description="Seed of everything random (any integer >= 0), unless a section sets its own.",
    )
    data: DataSpec = Field(default_factory=BlobsOptions, description="Where the points come from.")
    algorithm: AlgorithmSpec = Field(default_factory=KMeansOptions, description="The clustering algorithm.")
    style: StyleOptions = Field(default_factory=StyleOptions, description="How frames look.")
    output: OutputOptions = Field(default_factory=OutputOptions, description="Where and how it is written.")
    animation: AnimationOptions = Field(
        default_factory=AnimationOptions, description="What the frames tell, and how long each stays."
    )
    limits: LimitsOptions = Field(
        default_factory=LimitsOptions, description="Caps on size, raised on purpose."
    )
    panels: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_PANELS,
        description="Runs drawn side by side, each the scenario with these overrides (dotted keys as"
        " --set takes them: {algorithm.name: gmm}), synchronized by iteration.",
    )
    panels_layout: Layout = Field(
        "auto",
        description="The panels' grid: auto (cells nearest 4:3, fewest empty), rows (one row, side by"
        " side), columns (one column), or [rows, columns].",
    )
    sweep: SweepOptions | None = Field(
        None,
        description="One panel per value of one key ({key: algorithm.k, values: [2, 3, 4, 5]}), and a"
        " panel of quality measures to choose it by.",
    )

    _origin: Origin = PrivateAttr(default_factory=Origin)
    _given: GivenTrace | None = PrivateAttr(default=None)
    _panels: list[Panel] = PrivateAttr(default_factory=list)
    _label: str = PrivateAttr(default="")

    @field_validator("panels_layout")
    @classmethod
    def _check_layout(cls, layout: Layout) -> Layout:
        if isinstance(layout, list) and min(layout) < 1:
            raise ValueError(f"{layout} has no cells: rows and columns are at least 1")
        return layout

    @model_validator(mode="after")
    def _check_panel_keys(self) -> Scenario:
        if self.panels and self.sweep is not None:
            raise OptionError("sweep", "is set with panels: a sweep makes its own panels; keep one of them")
        check_panels(self.panels)
        return self

    @model_validator(mode="before")
    @classmethod
    def _algorithm_layers(cls, data: Any) -> Any:
        """Without ``style.layers``, the algorithm's own layers (DBSCAN has no centroids)."""
        if not isinstance(data, Mapping):
            return data
        algorithm, style = data.get("algorithm", {}), data.get("style", {})
        if not isinstance(algorithm, Mapping) or not isinstance(style, Mapping) or "layers" in style:
            return data
        name = algorithm.get("name", KMeansOptions.plugin_name())
        options = ALGORITHMS.get(name) if isinstance(name, str) else None
        if options is None or options.layers == AlgorithmOptions.layers:
            return data
        return {**data, "style": {**style, "layers": list(options.layers)}}

    @property
    def drawn_style(self) -> StyleOptions:
        """The style the frames are drawn in: with explain mode's layers when it is on."""
        return self.style.explained() if self.animation.explain else self.style

    def frame_parts(self, toggles: Collection[str] | None = None) -> tuple[Part, ...]:
        """The images each frame is drawn as (see :mod:`clusteranim.scene.parts`): the
        whole frame, unless layers can be switched off (``toggles``, by default the HTML
        player's)."""
        names = self.layer_names()
        if any(panel.scenario.layer_names() != names for panel in self._panels):
            return parts_of(names, ())  # panels of different layers switch none
        return parts_of(names, self.output.toggle_layers if toggles is None else toggles)

    def layer_names(self) -> list[str]:
        """The names of the layers the frames are drawn with, bottom to top."""
        return [layer.plugin_name() for layer in self.drawn_style.layers]

    @model_validator(mode="after")
    def _check_toggles(self) -> Scenario:
        names = [layer.plugin_name() for layer in self.drawn_style.layers]
        for index, name in enumerate(self.output.toggle_layers):
            if name not in names:
                where = "style.layers" + (" (with explain mode's)" if self.animation.explain else "")
                raise OptionError(f"output.toggle_layers.{index}", f"{name!r} is not in {where}")
        return self

    @model_validator(mode="after")
    def _take_trace(self, info: ValidationInfo) -> Scenario:
        """A trace made elsewhere replaces the run: its algorithm must be the scenario's."""
        given: GivenTrace | None = (info.context or {}).get("trace")
        self._given = given
        if given is not None and (self.panels or self.sweep is not None):
            key = "panels" if self.panels else "sweep"
            raise OptionError(key, "draws several runs; a trace file holds one (draw it without them)")
        if given is None or not given.profile.key:
            return self
        key, name = given.profile.key, self.algorithm.plugin_name()
        if key != name:
            raise OptionError("algorithm.name", f"is {name}, but the trace was made by {key}")
        if not self.algorithm.profile().finds_k and given.profile.n_clusters != self.algorithm.k:
            raise OptionError(
                "algorithm.k", f"is {self.algorithm.k}, but the trace has {given.profile.n_clusters} clusters"
            )
        return self

    @model_validator(mode="after")
    def _check_style_fits_algorithm(self) -> Scenario:
        profile = self.profile
        if self.animation.explain and self.algorithm.unexplained:
            raise OptionError("animation.explain", self.algorithm.unexplained)
        try:
            check_palette_size(self.style.palette, profile.n_clusters)
        except ValueError as error:
            raise OptionError("style.palette", str(error)) from None
        if profile.capabilities.objective is None:
            for key, template in self.style.templates().items():
                for field in ("objective", "change"):
                    if "{" + field in template:
                        raise OptionError(key, f"uses {{{field}}}, but {profile.name} has no objective")
        for depth, layer in enumerate(self.style.layers):
            try:
                layer.check_for(profile)
            except OptionError as error:
                key = f"style.layers.{depth}.{layer.plugin_name()}"
                raise OptionError(f"{key}.{error.key}" if error.key else key, error.message) from None
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
        animation = self.animation
        if animation.hold.last is not None and "hold_last" in output.model_fields_set:
            raise OptionError("animation.hold.last", "is also set as output.hold_last; set only one")
        last_key = "output.hold_last" if animation.hold.last is None else "animation.hold.last"
        holds = {
            last_key: self.hold_last,
            "animation.hold.first": animation.hold.first,
            "animation.hold.each": animation.hold.each,
            "animation.hold.converged": animation.hold.converged,
        }
        given = self._given
        n_states = self.algorithm.max_iter + 1 if given is None else given.n_states
        longest, which = longest_frame(animation, n_states, output.fps, self.hold_last)
        blamed = {
            "first": "animation.hold.first",
            "last": max((last_key, "animation.hold.converged"), key=holds.__getitem__),
            "each": "animation.hold.each" if animation.hold.each else "animation.slow_start.factor",
        }[which]
        output_format = output.resolved_format()
        check_settings(output_format, style.width, style.height, output.fps, longest, blamed)
        drawn, seconds = count_frames(animation, n_states, output.tween, output.fps, self.hold_last)
        parts = len(self.frame_parts())
        if drawn * parts > limits.max_frames:
            counted = "max_iter iterations" if given is None else "the trace's iterations"
            raise OptionError(
                "algorithm.max_iter" if given is None else "limits.max_frames",
                f"allows up to {drawn * parts:,} frames ({counted} drawn with tween, explain mode"
                " and slow start, x images per frame for the HTML player's layer switches), more than"
                f" limits.max_frames ({limits.max_frames:,}); lower it or raise limits.max_frames",
            )
        # A video has one frame rate: a hold is the frame repeated, and those count too.
        shown = round(seconds * output.fps)
        if output_format in ("mp4", "webm") and shown > limits.max_frames:
            raise OptionError(
                max(holds, key=holds.__getitem__) if any(holds.values()) else "output.fps",
                f"the video would last up to {seconds:,.6g} s, {shown:,} frames at {output.fps:g} fps"
                f" (holds repeat a frame), more than limits.max_frames ({limits.max_frames:,});"
                " shorten the holds, lower fps, or raise limits.max_frames",
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
    def hold_last(self) -> float:
        """Extra seconds on the final frame: ``animation.hold.last``, else ``output.hold_last``."""
        last = self.animation.hold.last
        return self.output.hold_last if last is None else last

    @property
    def origin(self) -> Origin:
        return self._origin

    @property
    def given_trace(self) -> GivenTrace | None:
        """The trace made elsewhere that the scenario was loaded to draw, if any."""
        return self._given

    @property
    def profile(self) -> AlgorithmProfile:
        """The algorithm drawn: the given trace's, or the scenario's own."""
        if self._given is not None:
            return self._given.profile
        return self.algorithm.profile()

    @property
    def data_seed(self) -> int:
        return self.seed if self.data.seed is None else self.data.seed

    @property
    def algorithm_seed(self) -> int:
        return self.seed if self.algorithm.seed is None else self.algorithm.seed

    @property
    def panel_list(self) -> list[Panel]:
        """The panels drawn side by side (empty: the scenario alone)."""
        return self._panels

    @property
    def n_cells(self) -> int:
        """Cells of the panels' grid: a panel each, and a sweep's quality panel."""
        count = len(self.sweep.values) if self.sweep is not None else len(self.panels)
        return count + (self.sweep is not None)

    @property
    def panel_label(self) -> str:
        """How the panel's title names it (``{panel}``): its overrides; empty alone."""
        return self._label

    def problem(self, key: str, message: str) -> ScenarioError:
        """A :class:`ScenarioError` at ``key``, located in the file or the overrides."""
        return ScenarioError(self._origin.problem(key, message))
