"""What a layer is given and what it gives back.

A layer is declared by an options model (a subclass of :class:`LayerOptions`) whose
``build`` creates its matplotlib artists on the scene's axes once. For every frame the
scene calls the layer's ``update`` with that frame, and the layer returns the artists it
changed, which the scene draws over the static background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.algorithms.state import State
from clusteranim.arrays import BoolArray, FloatArray, IntArray
from clusteranim.options import NamedOptions, OptionError
from clusteranim.scene.animation import Assignment, Phase, Shot
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.overlay import Pixels
from clusteranim.scene.projection import Projection
from clusteranim.scene.theme import Theme
from clusteranim.trace import Trace

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class RunFacts:
    """What the scenario says of the run, beyond the trace (for captions).

    Parameters
    ----------
    init : str
        How the starting state was chosen, in words ("k-means++", "given").
    tol : float
        The convergence tolerance.
    max_iter : int
        The most updates allowed.
    given : bool
        Whether the trace was made elsewhere (``render --trace``): then the scenario's
        start, tolerance and limit need not be the run's.
    panel : str
        How a panel's title names it (its overrides), or "" for a scenario alone.
    """

    init: str = "given"
    tol: float = 0.0
    max_iter: int = 0
    given: bool = False
    panel: str = ""


@dataclass(frozen=True, eq=False)
class SceneContext:
    """Everything a layer may need when it builds its artists.

    Parameters
    ----------
    figure, axes : matplotlib Figure and Axes
    title : str
        The title template (``style.title``).
    trace : Trace
    points : ndarray of shape (n, 2)
        The data as drawn (projected to the view).
    true_labels : ndarray of shape (n,) or None
    colors : ndarray of shape (k, 4)
        RGBA colour of each cluster identity.
    algorithm_name : str
    projection : Projection
        The map from data coordinates to the 2-D view.
    theme : Theme
        Colours of the background and of text.
    tweened : bool
        Whether frames are drawn between iterations, so that what depends only on the
        iteration is worth drawing once and reusing.
    facts : RunFacts
        What the scenario says of the run (for captions).
    """

    figure: Figure
    axes: Axes
    title: str
    trace: Trace
    points: FloatArray
    true_labels: IntArray | None
    colors: FloatArray
    algorithm_name: str
    projection: Projection
    theme: Theme
    tweened: bool = False
    facts: RunFacts = RunFacts()

    def class_colors(self, n_classes: int) -> FloatArray:
        """RGBA of ``n_classes`` classes: the cluster colours, or the distinct palette when
        there are more classes than clusters."""
        from clusteranim.scene.palette import cluster_colors

        if n_classes <= len(self.colors):
            return self.colors[:n_classes]
        return cluster_colors("distinct", n_classes)

    @cached_property
    def colors_with_noise(self) -> FloatArray:
        """The cluster colours and, last, the colour of noise: indexed by signed labels,
        label -1 picks the noise colour."""
        return np.vstack([self.colors, self.theme.noise_rgba()])

    def label_colors(self, labels: IntArray) -> FloatArray:
        """RGBA of each label (-1, noise, in the theme's noise colour)."""
        colors: FloatArray = self.colors_with_noise[labels]
        return colors

    def grid(self) -> PixelGrid:
        """The axes' pixel grid, made once; valid once the layout is fixed (in ``update``)."""
        return self._grid

    @cached_property
    def _grid(self) -> PixelGrid:
        return PixelGrid.of(self.axes, self.projection)


@dataclass(frozen=True, eq=False)
class Frame:
    """One displayed frame of the animation: a state of the trace, or a point between two.

    Parameters
    ----------
    trace : Trace
    step : int
        The trace index the frame starts from.
    fraction : float
        0 shows the state at ``step`` exactly; a value in (0, 1) is that far on the way
        to ``step + 1`` (centres, covariances and weights move linearly, assignments
        and which clusters exist switch halfway).
    phase : Phase
        What the frame's step shows: the start, an iteration, an assignment or an
        update (explain mode), the end.
    assignment : Assignment or None
        In explain mode, the assignment shown, which changes apart from the parameters;
        None: the assignment of the frame's own state (switching halfway).
    """

    trace: Trace
    step: int
    fraction: float = 0.0
    phase: Phase = "iteration"
    assignment: Assignment | None = None

    @classmethod
    def of(cls, trace: Trace, shot: Shot) -> Frame:
        """The frame a shot of the plan shows."""
        return cls(trace, shot.step, shot.fraction, shot.phase, shot.assignment)

    @property
    def iteration(self) -> int:
        """The iteration the frame counts as (the nearer of the two states)."""
        return self.step + 1 if self.fraction >= 0.5 else self.step

    @property
    def key(self) -> tuple[int, Assignment | None]:
        """What layers that change only from one iteration to the next depend on: equal
        keys, equal pictures."""
        return self.iteration, self.assignment

    @property
    def assigned(self) -> int:
        """The state whose hard labels the frame shows."""
        return self.iteration if self.assignment is None else self.assignment.settled

    @property
    def membership_mix(self) -> tuple[int, int, float]:
        """The soft assignments shown, as (state a, state b, fraction): a mix of those of
        two states (the same state twice when no mix)."""
        shown = self.assignment
        if shown is None:
            return self.step, self.step + 1 if self.fraction else self.step, self.fraction
        if shown.before is None or shown.fraction >= 1.0:
            return shown.after, shown.after, 0.0
        return shown.before, shown.after, shown.fraction

    @cached_property
    def state(self) -> State:
        """The state shown, in data coordinates (NaN centres: clusters that do not exist)."""
        start = self.trace.state(self.step)
        if self.fraction == 0.0:
            return start
        end = self.trace.state(self.step + 1)
        centers = _mix(start.centers, end.centers, self.fraction)
        if self.trace.active is not None:
            # A cluster that exists at one end only stays where it is, until it goes.
            only_start = np.isnan(end.centers).any(axis=1)
            only_end = np.isnan(start.centers).any(axis=1)
            centers[only_start] = start.centers[only_start]
            centers[only_end] = end.centers[only_end]
            centers[~self.active] = np.nan
        return State(
            centers=centers,
            weights=None if start.weights is None else _mix(start.weights, end.weights, self.fraction),
            covariances=None
            if start.covariances is None
            else _mix(start.covariances, end.covariances, self.fraction),
        )

    @property
    def active(self) -> BoolArray:
        """Which clusters exist in this frame, shape (k,)."""
        return self.trace.is_active(self.iteration)

    @cached_property
    def labels(self) -> IntArray:
        return self.trace.labels(self.assigned)

    @cached_property
    def memberships(self) -> FloatArray:
        """Soft assignments, blended between two states for a smooth change of colour."""
        first, second, fraction = self.membership_mix
        start = self.trace.memberships(first)
        if fraction == 0.0:
            return start
        return _mix(start, self.trace.memberships(second), fraction)

    @cached_property
    def changed(self) -> IntArray:
        """Indices of the points whose cluster changed into this frame's assignment: those
        of a state (fraction 0) in a plain animation, of an assignment step in explain mode
        (none at the first, when every point is assigned for the first time)."""
        shown = self.assignment
        if shown is None:
            if self.fraction:
                return np.zeros(0, dtype=np.intp)
            return self.trace.events(self.step).changed
        if self.phase != "assign" or shown.before is None:
            return np.zeros(0, dtype=np.intp)
        return self.trace.events(shown.after).changed

    @property
    def objective(self) -> float:
        return float(self.trace.objective[self.iteration])

    @property
    def objective_history(self) -> FloatArray:
        """Objective values up to and including this frame's iteration."""
        return np.asarray(self.trace.objective[: self.iteration + 1])

    @property
    def center_history(self) -> FloatArray:
        """Centres (data coordinates) of every state so far, and of this frame, shape (m, k, d)."""
        past = self.trace.centers[: self.step + 1]
        if self.fraction == 0.0:
            return past
        return np.concatenate([past, self.state.centers[None]])


#: What each capability a layer may need is, in words.
NEEDS = {
    "centers": "cluster centres",
    "covariances": "covariances",
    "weights": "mixture weights",
    "objective": "an objective",
    "soft": "soft assignments",
    "assigns_any_point": "a rule that assigns any point (or centres)",
    "merge_tree": "a merge tree",
}


def _mix(start: Any, end: Any, fraction: float) -> FloatArray:
    mixed: FloatArray = (1.0 - fraction) * np.asarray(start) + fraction * np.asarray(end)
    return mixed


class Layer(Protocol):
    """The artists of one layer, built once, updated per frame."""

    #: Whether the layer looks the same in every frame (it is then drawn once, into
    #: the static background, when no moving layer lies beneath it).
    static: bool
    #: Whether the layer's pixels depend only on the frame's (whole) iteration, so that
    #: tweened frames between two iterations can reuse them.
    per_iteration: bool
    #: Every matplotlib artist the layer created.
    artists: list[Artist]

    def update(self, frame: Frame) -> Sequence[Artist | Pixels]:
        """Bring the artists to ``frame`` and return what to draw: artists, or pixels
        composited by numpy (overlays drawn earlier, per-pixel layers)."""
        ...


class LayerOptions(NamedOptions):
    """Options every layer has; subclasses add their own and implement ``build``."""

    kind_key: ClassVar[str] = "name"
    #: How the HTML player names the layer when it can be switched off.
    display_name: ClassVar[str] = ""
    #: What the algorithm must have for the layer to draw anything (e.g. "centers").
    needs: ClassVar[tuple[str, ...]] = ()

    def check_for(self, profile: AlgorithmProfile) -> None:
        """Raise :class:`OptionError` if the layer cannot draw what the algorithm gives.

        Called when the scenario loads (and again when a trace file is read), so that
        ``validate`` reports it. By default, checks ``needs`` against the algorithm's
        capabilities; layers with options that need more extend it.
        """
        for capability in self.needs:
            if not getattr(profile.capabilities, capability):
                raise OptionError(
                    "", f"{self.plugin_name()} needs {NEEDS[capability]}: {profile.name} has none"
                )

    def text_templates(self) -> dict[str, str]:
        """The text templates the layer fills in per frame, by option name (checked against
        what the algorithm gives when the scenario loads)."""
        return {}

    def build(self, context: SceneContext) -> Layer:
        """Create the layer's artists on ``context.axes``."""
        raise NotImplementedError
