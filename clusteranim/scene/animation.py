"""The animation section of a scenario, and the plan of its frames.

An animation is a sequence of *steps*, each shown over one or more frames. Normally a
step is a state of the trace, and ``output.tween`` frames lead from one to the next. In
explain mode every iteration is shown as its two halves: the assignment (points take
the cluster of their nearest centre, or their new responsibilities) and the update (the
centres, covariances and weights move), after a step showing the initial state and
before one saying why the run stopped.

The plan gives each frame what it shows (which state's parameters, how far on to the
next, whose assignment) and how long it stays: ``1 / fps``, longer during a slow start,
plus the holds of the moments it ends (the first frame, each step, convergence, the
end). Easing reshapes how far a tweened frame is between two states.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from clusteranim.options import Options

#: What a step shows.
Phase = Literal["init", "assign", "update", "iteration", "done"]

Easing = Literal[
    "linear", "ease-in", "ease-out", "ease-in-out", "ease-in-sine", "ease-out-sine", "ease-in-out-sine"
]

#: Each easing as a map of [0, 1] onto itself (the cubic and sine curves of CSS and
#: easings.net): how far a frame is on its way, given how far in time.
EASINGS: dict[str, Callable[[float], float]] = {
    "linear": lambda t: t,
    "ease-in": lambda t: t**3,
    "ease-out": lambda t: 1 - (1 - t) ** 3,
    "ease-in-out": lambda t: 4 * t**3 if t < 0.5 else 1 - (2 - 2 * t) ** 3 / 2,
    "ease-in-sine": lambda t: 1 - math.cos(t * math.pi / 2),
    "ease-out-sine": lambda t: math.sin(t * math.pi / 2),
    "ease-in-out-sine": lambda t: (1 - math.cos(math.pi * t)) / 2,
}

#: How far below full strength a changed point's highlight fades by the end of its step.
GLOW_FADE = 0.6


class HoldOptions(Options):
    """Extra seconds some moments stay on screen."""

    first: float = Field(0.0, ge=0, le=600, description="Extra seconds on the first frame.")
    each: float = Field(
        0.0,
        ge=0,
        le=60,
        description="Extra seconds at the end of every step: each state (each half-step in explain mode).",
    )
    converged: float = Field(
        0.0,
        ge=0,
        le=600,
        description="Extra seconds on the frame that shows the run converged (only when it did).",
    )
    last: float | None = Field(
        None,
        ge=0,
        le=600,
        description="Extra seconds on the final frame; the same as output.hold_last (default 1).",
    )


class SlowStartOptions(Options):
    """The first iterations, where most happens, shown slower."""

    iterations: int = Field(
        0, ge=0, le=100, description="How many of the first iterations are slowed down (0: none)."
    )
    factor: float = Field(
        2.0,
        ge=1,
        le=10,
        description="How many times longer the first iteration lasts; the slowing tapers off"
        " evenly over the slowed iterations.",
    )


class AnimationOptions(Options):
    """What the frames tell and how long each stays."""

    explain: bool = Field(
        False,
        description="Show each iteration as its two half-steps (assignment, update; E-step,"
        " M-step) with a caption; adds the changes and caption layers unless style.layers"
        " has them.",
    )
    easing: Easing = Field(
        "linear",
        description="How tweened frames move between two states: linear, ease-in, ease-out,"
        " ease-in-out (cubic), or their gentler -sine forms.",
    )
    hold: HoldOptions = Field(default_factory=HoldOptions, description="Extra seconds on some moments.")
    slow_start: SlowStartOptions = Field(
        default_factory=SlowStartOptions, description="The first iterations shown slower."
    )


@dataclass(frozen=True)
class Assignment:
    """The assignment an explain-mode frame shows, on its way from one state's to another's.

    Parameters
    ----------
    before : int or None
        The state whose assignment is left (None: no point is assigned yet).
    after : int
        The state whose assignment is reached.
    fraction : float
        How far the colours are from ``before`` to ``after``.
    glow : float
        Strength (0 to 1) of the highlight on points whose cluster changed.
    """

    before: int | None
    after: int
    fraction: float = 1.0
    glow: float = 0.0

    @property
    def settled(self) -> int:
        """The state whose hard labels show: ``after`` from halfway on."""
        return self.after if self.before is None or self.fraction >= 0.5 else self.before


@dataclass(frozen=True)
class Shot:
    """One frame of the plan.

    Parameters
    ----------
    step : int
        The state whose parameters the frame starts from.
    fraction : float
        How far the parameters are on the way to state ``step + 1`` (eased).
    phase : Phase
        What the step shows.
    assignment : Assignment or None
        The assignment shown in explain mode; None: the frame's state's own.
    seconds : float
        How long the frame stays on screen.
    """

    step: int
    fraction: float = 0.0
    phase: Phase = "iteration"
    assignment: Assignment | None = None
    seconds: float = 0.0


def plan(
    animation: AnimationOptions,
    n_states: int,
    converged: bool,
    tween: int,
    fps: float,
    hold_last: float,
) -> list[Shot]:
    """Every frame of the animation of ``n_states`` states (``n_states - 1`` updates).

    Parameters
    ----------
    animation : AnimationOptions
    n_states : int
    converged : bool
        Whether the run stopped by convergence (``hold.converged`` applies).
    tween : int
        Frames drawn between two states (``output.tween``); in explain mode, within each
        half-step.
    fps : float
    hold_last : float
        Extra seconds on the final frame (``hold.last``, else ``output.hold_last``).
    """
    timing = _Timing(animation, tween, fps)
    shots = timing.explained(n_states) if animation.explain else timing.plain(n_states)
    hold = animation.hold
    shots[0] = _longer(shots[0], hold.first)
    shots[-1] = _longer(shots[-1], hold_last + (hold.converged if converged else 0.0))
    return shots


def steps_shown(animation: AnimationOptions, n_states: int) -> int:
    """How many steps the animation of ``n_states`` states shows: its states, or in
    explain mode the start, each assignment and update, and the end."""
    return 2 * n_states + 1 if animation.explain else n_states


def count_frames(
    animation: AnimationOptions, n_states: int, tween: int, fps: float, hold_last: float
) -> tuple[int, float]:
    """(frames drawn, seconds) of the longest animation of ``n_states`` states, without
    planning every frame (``n_states`` may be huge when a limit is being checked)."""
    timing = _Timing(animation, tween, fps)
    updates = n_states - 1
    slowed = min(animation.slow_start.iterations, updates)
    frames, seconds = 0, 0.0
    for iteration in range(1, slowed + 1):
        count, length = timing.stretch(iteration)
        frames += count
        seconds += length
    plain = updates - slowed
    frames += plain * (tween + 1)
    seconds += plain * (tween + 1) / fps
    hold = animation.hold
    if animation.explain:
        # init, the final assignment and the end, beside each update's assignment
        frames = 2 * frames + (tween + 1) + 2
        seconds = 2 * seconds + (tween + 1) / fps + 2 / fps
        held = 2 * n_states + 1
    else:
        frames += 1
        seconds += 1 / fps
        held = n_states
    seconds += held * hold.each + hold.first + hold.converged + hold_last
    return frames, seconds


def longest_frame(
    animation: AnimationOptions, n_states: int, fps: float, hold_last: float
) -> tuple[float, str]:
    """An upper bound on any one frame's seconds (a GIF frame lasts at most 655.35 s), and
    which frame it is: "first", "last" or "each" (any other)."""
    hold = animation.hold
    slowed = animation.slow_start.factor if animation.slow_start.iterations else 1.0
    first = slowed / fps + hold.each + hold.first
    last = 1 / fps + hold.each + hold.converged + hold_last
    if n_states == 1 and not animation.explain:  # one frame, first and last
        return slowed / fps + hold.each + hold.first + hold.converged + hold_last, "last"
    candidates = {"first": first, "last": last, "each": slowed / fps + hold.each}
    which = max(candidates, key=candidates.__getitem__)
    return candidates[which], which


class _Timing:
    """The frames and seconds of each step, from the easing, tween and slow start."""

    def __init__(self, animation: AnimationOptions, tween: int, fps: float) -> None:
        self.ease = EASINGS[animation.easing]
        self.tween = tween
        self.fps = fps
        self.each = animation.hold.each
        self.slow = animation.slow_start

    def stretch(self, iteration: int | None) -> tuple[int, float]:
        """(frames, seconds) of the move that ends ``iteration`` (1-based), slowed at the
        start; None for a move outside the iterations (the final assignment)."""
        base = self.tween + 1
        slowed = self.slow.iterations
        if iteration is None or iteration > slowed:
            return base, base / self.fps
        factor = self.slow.factor - (self.slow.factor - 1) * (iteration - 1) / slowed
        frames = base if self.tween == 0 else max(base, round(base * factor))
        return frames, base * factor / self.fps

    def fractions(self, iteration: int | None) -> tuple[list[float], float]:
        """How far (eased) each frame of a move is, from 0 (exclusive of the end), and the
        seconds each frame stays."""
        frames, seconds = self.stretch(iteration)
        return [self.ease(part / frames) for part in range(frames)], seconds / frames

    def plain(self, n_states: int) -> list[Shot]:
        shots: list[Shot] = []
        for step in range(n_states - 1):
            fractions, seconds = self.fractions(step + 1)
            for part, fraction in enumerate(fractions):
                held = self.each if part == 0 else 0.0
                shots.append(Shot(step, fraction, _phase(step, fraction, n_states), None, seconds + held))
        shots.append(Shot(n_states - 1, 0.0, "done", None, 1 / self.fps + self.each))
        return shots

    def explained(self, n_states: int) -> list[Shot]:
        last = n_states - 1
        shots = [Shot(0, 0.0, "init", Assignment(None, 0, 0.0), 1 / self.fps + self.each)]
        for step in range(n_states):
            # The assignment: colours move from the previous state's assignment to this one's.
            fractions, seconds = self.fractions(step + 1 if step < last else None)
            before = step - 1 if step > 0 else None
            count = len(fractions)
            for part in range(count):
                reached = self.ease((part + 1) / count)
                glow = 1.0 - GLOW_FADE * part / max(count - 1, 1) if before is not None else 0.0
                held = self.each if part == count - 1 else 0.0
                assignment = Assignment(before, step, reached, glow)
                shots.append(Shot(step, 0.0, "assign", assignment, seconds + held))
            if step == last:
                break
            # The update: the parameters move to the next state's, the assignment stays.
            fractions, seconds = self.fractions(step + 1)
            for part in range(len(fractions)):
                reached = self.ease((part + 1) / len(fractions))
                held = self.each if part == len(fractions) - 1 else 0.0
                if reached >= 1.0:
                    shot = Shot(step + 1, 0.0, "update", Assignment(step, step), seconds + held)
                else:
                    shot = Shot(step, reached, "update", Assignment(step, step), seconds + held)
                shots.append(shot)
        shots.append(Shot(last, 0.0, "done", Assignment(last, last), 1 / self.fps + self.each))
        return shots


def _phase(step: int, fraction: float, n_states: int) -> Phase:
    """What a frame of the plain animation counts as: the start, an iteration or the end."""
    iteration = step + 1 if fraction >= 0.5 else step
    if iteration == 0:
        return "init"
    return "done" if iteration == n_states - 1 else "iteration"


def _longer(shot: Shot, seconds: float) -> Shot:
    return Shot(shot.step, shot.fraction, shot.phase, shot.assignment, shot.seconds + seconds)
