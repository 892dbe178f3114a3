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
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

from clusteranim.algorithms.base import FloatArray, IntArray, State
from clusteranim.options import NamedOptions
from clusteranim.scene.projection import Projection

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from clusteranim.scenario import Style
    from clusteranim.trace import Trace


@dataclass(frozen=True, eq=False)
class SceneContext:
    """Everything a layer may need when it builds its artists.

    Parameters
    ----------
    figure, axes : matplotlib Figure and Axes
    style : Style
    trace : Trace
    points : ndarray of shape (n, 2)
        The data as drawn (projected to the view).
    true_labels : ndarray of shape (n,) or None
    colors : ndarray of shape (k, 4)
        RGBA colour of each cluster.
    algorithm_name : str
    projection : Projection
        The map from data coordinates to the 2-D view.
    """

    figure: Figure
    axes: Axes
    style: Style
    trace: Trace
    points: FloatArray
    true_labels: IntArray | None
    colors: FloatArray
    algorithm_name: str
    projection: Projection


@dataclass(frozen=True, eq=False)
class Frame:
    """One displayed step of the animation.

    Parameters
    ----------
    trace : Trace
    iteration : int
        The trace index this frame shows.
    """

    trace: Trace
    iteration: int

    @cached_property
    def state(self) -> State:
        """The state shown, in data coordinates."""
        return self.trace.state(self.iteration)

    @cached_property
    def labels(self) -> IntArray:
        return self.trace.labels(self.iteration)

    @cached_property
    def responsibilities(self) -> FloatArray:
        return self.trace.responsibilities(self.iteration)

    @property
    def objective(self) -> float:
        return float(self.trace.objective[self.iteration])

    @property
    def objective_history(self) -> FloatArray:
        """Objective values up to and including this frame's iteration."""
        return np.asarray(self.trace.objective[: self.iteration + 1])


class Layer(Protocol):
    """The artists of one layer, built once, updated per frame."""

    #: Whether the layer looks the same in every frame (it is then drawn once, into
    #: the static background, when no moving layer lies beneath it).
    static: bool
    #: Every matplotlib artist the layer created.
    artists: list[Artist]

    def update(self, frame: Frame) -> Sequence[Artist]:
        """Bring the artists to ``frame`` and return those to draw."""
        ...


class LayerOptions(NamedOptions):
    """Options every layer has; subclasses add their own and implement ``build``."""

    kind_key: ClassVar[str] = "name"

    def build(self, context: SceneContext) -> Layer:
        """Create the layer's artists on ``context.axes``."""
        raise NotImplementedError
