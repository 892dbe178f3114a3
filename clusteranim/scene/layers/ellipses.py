"""Covariance ellipses at chosen n-sigma levels (intervals on a strip, for 1-D data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal, cast

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import AlgorithmProfile
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, LayerOptions, SceneContext
from clusteranim.sums import cluster_counts, cluster_sums

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.patches import Ellipse, Patch, PathPatch

#: Half the height of an interval's end caps on a strip, as a share of the band's.
BRACKET_CAP = 0.35


def ellipse_axes(covariances: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Semi-axis lengths (major, minor) at one sigma and the angle in degrees of each 2x2 matrix."""
    eigenvalues, eigenvectors = np.linalg.eigh(covariances)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    major = np.sqrt(eigenvalues[..., 1])
    minor = np.sqrt(eigenvalues[..., 0])
    angle = np.degrees(np.arctan2(eigenvectors[..., 1, 1], eigenvectors[..., 0, 1]))
    return major, minor, angle


def contains_box(
    corners: FloatArray, centers: FloatArray, major: FloatArray, minor: FloatArray, angle: FloatArray
) -> np.ndarray:
    """Whether each ellipse (centre, semi-axes, angle in degrees) holds every corner (m, 2),
    and so, being convex, the box they span."""
    radians = np.radians(angle)
    along = np.stack([np.cos(radians), np.sin(radians)], axis=-1)
    across = np.stack([-np.sin(radians), np.cos(radians)], axis=-1)
    offsets = corners[None, :, :] - centers[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat ellipse holds no box
        u = np.einsum("kmd,kd->km", offsets, along) / major[:, None]
        v = np.einsum("kmd,kd->km", offsets, across) / minor[:, None]
        inside: np.ndarray = np.all(u * u + v * v < 1.0, axis=1)
    return inside


def cluster_covariances(
    points: FloatArray, labels: IntArray, n_clusters: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Mean, covariance (2x2) and size of each cluster's points in the view (noise, label
    -1, left out)."""
    members = labels >= 0
    if not members.all():
        points, labels = points[members], labels[members]
    counts = cluster_counts(labels, n_clusters)
    safe = np.maximum(counts, 1)[:, None]
    means = cluster_sums(labels, points, n_clusters) / safe
    centred = points - means[labels]
    products = np.einsum("ni,nj->nij", centred, centred).reshape(len(points), 4)
    sums = cluster_sums(labels, products, n_clusters)
    return means, (sums / safe).reshape(n_clusters, 2, 2), counts


class EllipsesOptions(LayerOptions):
    """For a mixture, each component's covariance; for k-means, each cluster's own points."""

    summary = "covariance ellipses at chosen n-sigma levels"
    display_name = "covariance ellipses"

    name: Literal["ellipses"] = "ellipses"
    levels: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: [2.0],
        min_length=1,
        description="Mahalanobis radii to draw: 2 is the 2-sigma ellipse.",
    )
    source: Literal["auto", "model", "points"] = Field(
        "auto",
        description="model: the mixture's covariances; points: the covariance of each"
        " cluster's assigned points; auto: model for mixtures, points for k-means.",
    )
    linewidth: float = Field(2.0, gt=0, le=20, description="Outline width in points.")
    alpha: float = Field(0.9, ge=0, le=1, description="Outline opacity.")
    fill: float = Field(0.0, ge=0, le=1, description="Opacity of the ellipse's face (0: outline only).")

    def check_for(self, profile: AlgorithmProfile) -> None:
        super().check_for(profile)
        if self.source == "model" and not profile.capabilities.covariances:
            raise OptionError(
                "source",
                f"model needs a mixture: {profile.name} has no covariances (use points)",
            )

    def build(self, context: SceneContext) -> EllipsesLayer:
        from matplotlib.colors import to_rgba

        uses_model = self.source == "model" or (
            self.source == "auto" and context.trace.capabilities.covariances
        )
        strip = context.projection.strip is not None
        patches: list[list[Patch]] = []
        for color in context.colors:
            row: list[Patch] = []
            for level in sorted(self.levels):
                patch = _blank_patch(strip)
                patch.set_edgecolor(to_rgba(color, self.alpha))
                # An interval's bracket (on a strip) has no face.
                patch.set_facecolor("none" if strip else to_rgba(color, self.fill / len(self.levels)))
                patch.set_linewidth(self.linewidth)
                patch.level = level  # type: ignore[attr-defined]
                context.axes.add_patch(patch)
                row.append(patch)
            patches.append(row)
        return (IntervalsLayer if strip else EllipsesLayer)(context, patches, uses_model)


def _blank_patch(strip: bool) -> Patch:
    """An ellipse, or on a strip an interval's bracket, shaped by the layer per frame."""
    from matplotlib.patches import Ellipse, PathPatch
    from matplotlib.path import Path

    return PathPatch(Path(np.zeros((1, 2)))) if strip else Ellipse((0.0, 0.0), 0.0, 0.0)


class EllipsesLayer:
    """k x levels ellipse patches, reshaped per frame."""

    static = False
    per_iteration = False

    def __init__(self, context: SceneContext, patches: list[list[Patch]], uses_model: bool) -> None:
        self.context = context
        self.patches = patches
        self.uses_model = uses_model
        self.artists: list[Artist] = [patch for row in patches for patch in row]
        self.view: tuple[FloatArray, FloatArray] | None = None

    def _view(self) -> tuple[FloatArray, FloatArray]:
        """Centre and half-size of the axes in view units, grown by an outline's width,
        so that an outline outside it cannot show; valid once the layout is fixed."""
        axes = self.context.axes
        (left, right), (bottom, top) = axes.get_xlim(), axes.get_ylim()
        box = axes.get_window_extent()
        reach = self.patches[0][0].get_linewidth() * self.context.figure.dpi / 72 + 1
        half = np.array([(right - left) / 2, (top - bottom) / 2])
        grown = half * (1 + 2 * reach / np.array([box.width, box.height]))
        return np.array([(left + right) / 2, (bottom + top) / 2]), grown

    def update(self, frame: Frame) -> Sequence[Artist]:
        projection = self.context.projection
        n_clusters = len(self.patches)
        if self.uses_model:
            assert frame.state.covariances is not None
            centers = projection.points(frame.state.centers)
            covariances = projection.covariances(frame.state.covariances)
            visible = frame.active.copy()
            centers[~visible] = 0.0  # absent clusters: hidden, and not decomposed as NaN
            covariances[~visible] = 0.0
        else:
            centers, covariances, counts = cluster_covariances(self.context.points, frame.labels, n_clusters)
            visible = counts >= 2
        self._reshape(centers, covariances)
        for row, shown in zip(self.patches, visible, strict=True):
            for patch in row:
                patch.set_visible(bool(shown))
        return self.artists

    def _reshape(self, centers: FloatArray, covariances: FloatArray) -> None:
        """Each patch at its level around the view's centres (k, 2) and covariances (k, 2, 2)."""
        major, minor, angle = ellipse_axes(covariances)
        if self.view is None:
            self.view = self._view()
        middle, half = self.view
        corners = middle + half * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
        levels = [patch.level for patch in self.patches[0]]  # type: ignore[attr-defined]
        for column, level in enumerate(levels):
            covering = contains_box(corners, centers, level * major, level * minor, angle)
            for cluster, row in enumerate(self.patches):
                patch = cast("Ellipse", row[column])
                if covering[cluster]:
                    # The whole view is inside: only the face shows, flat. Agg's time for a
                    # curve grows with its size in pixels (billions when reg_covar dwarfs the
                    # data's spread), so draw one twice the view's size instead.
                    patch.set_center(tuple(middle))
                    patch.set_width(4 * half[0])
                    patch.set_height(4 * half[1])
                    patch.set_angle(0.0)
                else:
                    patch.set_center(tuple(centers[cluster]))
                    patch.set_width(2 * level * major[cluster])
                    patch.set_height(2 * level * minor[cluster])
                    patch.set_angle(float(angle[cluster]))


class IntervalsLayer(EllipsesLayer):
    """On a strip (1-D data), where heights are jitter: each level's interval ``centre
    +- level x standard deviation`` along x, drawn as a bracket |--| on the centre line
    (taller for wider levels, so that nested brackets stay apart)."""

    def _reshape(self, centers: FloatArray, covariances: FloatArray) -> None:
        from matplotlib.path import Path

        strip = self.context.projection.strip
        assert strip is not None
        deviations = np.sqrt(np.clip(covariances[:, 0, 0], 0.0, None))
        codes = [Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO]
        for cluster, row in enumerate(self.patches):
            for column, patch in enumerate(row):
                level: float = patch.level  # type: ignore[attr-defined]
                start = centers[cluster, 0] - level * deviations[cluster]
                end = centers[cluster, 0] + level * deviations[cluster]
                cap = BRACKET_CAP * strip.half_height * (1 + column / len(row))
                corners = [(start, -cap), (start, cap), (start, 0), (end, 0), (end, -cap), (end, cap)]
                cast("PathPatch", patch).set_path(Path(corners, codes))
