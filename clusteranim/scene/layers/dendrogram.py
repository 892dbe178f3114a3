"""The dendrogram of agglomerative clustering, in a panel, growing with the merges.

The whole tree is drawn faintly from the start, in the leaf order of scipy's
``dendrogram``; the merges done by the frame's state are drawn over it in the colour of
the cluster they end in, and a dashed line marks the height at which the tree is cut into
k clusters. Above ``leaves`` points, the tree is truncated as scipy's
``truncate_mode="lastp"`` truncates it: its leaves are the clusters left after all but
the last ``leaves - 1`` merges, each drawn as a stem that fills up, from the ground, to
the height of the last merge done inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.agglomerative import cut
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import OptionError
from clusteranim.scene.base import Frame, SceneContext
from clusteranim.scene.panel import PanelLayer, PanelOptions

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

#: Line widths in points: the tree not yet merged, and the merges done.
FAINT_WIDTH = 0.8
DONE_WIDTH = 1.6
#: Opacity of the tree not yet merged.
FAINT_ALPHA = 0.7
#: Gap between the cut's label and the cut line or the plot's edge, in points.
NOTE_GAP = 1.5
#: How near a line of the tree the cut's label may come, in points.
LINE_CLEARANCE = 1.0
Horizontal = Literal["left", "right"]
Vertical = Literal["bottom", "center", "top"]
#: Where the cut's label may go in the plot, in order: above the line or below it, at
#: its right end or its left.
SPOTS: tuple[tuple[Vertical, Horizontal], ...] = (
    ("bottom", "right"),
    ("bottom", "left"),
    ("top", "right"),
    ("top", "left"),
)


@dataclass(frozen=True)
class Dendrogram:
    """The drawn tree, in plot coordinates (x: leaf positions 0 to p - 1; y: heights).

    Parameters
    ----------
    leaf_nodes : ndarray of shape (p,)
        The node (point i, or n + j for the cluster of row j) of each leaf, left to right.
    links : ndarray of shape (p - 1, 4, 2)
        Each of the last p - 1 merges as a line from its first cluster's top up to the
        merge height, across, and down to its second cluster's top.
    link_rows : ndarray of shape (p - 1,)
        The row of the linkage matrix of each link.
    link_clusters, stem_clusters : ndarrays of shape (p - 1,) and (p,)
        The cluster each link and each leaf ends in at the cut (-1 above it).
    stems : ndarray of shape (p, 2, 2)
        Each leaf as a line from the ground to its height (0 for a single point).
    filled : ndarray of shape (T + 1, p)
        The height of the last merge done inside each leaf by each state (0: none).
    cut_height : float or None
        Halfway between the last merge done at the cut and the first one not done; None
        when there is no cut (k = 1).
    top : float
        The root's height.
    """

    leaf_nodes: IntArray
    links: FloatArray
    link_rows: IntArray
    link_clusters: IntArray
    stems: FloatArray
    stem_clusters: IntArray
    filled: FloatArray
    cut_height: float | None
    top: float

    @classmethod
    def of(cls, linkage: FloatArray, merged: IntArray, n_clusters: int, most_leaves: int) -> Dendrogram:
        """The tree of ``linkage`` (scipy's Z), cut at ``n_clusters``, with at most
        ``max(most_leaves, n_clusters)`` leaves, revealed by states that have done
        ``merged`` merges each."""
        n_samples = linkage.shape[0] + 1
        n_leaves = min(n_samples, max(most_leaves, n_clusters))
        nodes = np.arange(2 * n_samples - 1)
        heights = np.concatenate([np.zeros(n_samples), linkage[:, 2]])
        leaf_of = cut(linkage, n_leaves)  # each node's leaf, numbered left to right
        below = leaf_of >= 0
        leaf_nodes = np.zeros(n_leaves, dtype=np.intp)
        np.maximum.at(leaf_nodes, leaf_of[below], nodes[below])  # a subtree's root is its last node
        positions = np.full(nodes.size, np.nan)
        positions[leaf_nodes] = np.arange(n_leaves)
        link_rows = np.arange(n_samples - n_leaves, n_samples - 1)
        children = linkage[link_rows, :2].astype(np.intp)
        for row, (first, second) in zip(link_rows, children, strict=True):  # one step per drawn link
            positions[n_samples + row] = (positions[first] + positions[second]) / 2
        left, right = positions[children[:, 0]], positions[children[:, 1]]
        height = linkage[link_rows, 2]
        links = np.stack(
            [
                np.stack([left, heights[children[:, 0]]], axis=1),
                np.stack([left, height], axis=1),
                np.stack([right, height], axis=1),
                np.stack([right, heights[children[:, 1]]], axis=1),
            ],
            axis=1,
        )
        stems = np.zeros((n_leaves, 2, 2))
        stems[:, :, 0] = np.arange(n_leaves)[:, None]
        stems[:, 1, 1] = heights[leaf_nodes]
        # The merges inside the leaves, by the state that does them: the highest so far.
        inside = np.arange(n_samples - n_leaves)
        filled = np.zeros((merged.size + 1, n_leaves))
        np.maximum.at(
            filled,
            (np.searchsorted(merged, inside, side="right"), leaf_of[n_samples + inside]),
            linkage[inside, 2],
        )
        filled = np.maximum.accumulate(filled, axis=0)[: merged.size]
        clusters = cut(linkage, n_clusters)
        done = n_samples - n_clusters
        cut_height = None
        if n_clusters > 1:
            cut_height = (linkage[done, 2] + (linkage[done - 1, 2] if done > 0 else 0.0)) / 2
        return cls(
            leaf_nodes=leaf_nodes,
            links=links,
            link_rows=link_rows,
            link_clusters=clusters[n_samples + link_rows],
            stems=stems,
            stem_clusters=clusters[leaf_nodes],
            filled=filled,
            cut_height=cut_height,
            top=float(heights[-1]),
        )


def _sqrt(heights: FloatArray) -> FloatArray:
    root: FloatArray = np.sqrt(np.maximum(heights, 0.0))
    return root


class DendrogramOptions(PanelOptions):
    """The merge tree, growing merge by merge, cut at k."""

    summary = "a panel drawing the dendrogram, merges done in their cluster's colour, the cut at k marked"
    display_name = "dendrogram"
    needs = ("merge_tree",)

    name: Literal["dendrogram"] = "dendrogram"
    width: float = Field(
        0.45, gt=0.05, le=1, description="Panel width, with its tick labels, as a fraction of the axes."
    )
    height: float = Field(
        0.36,
        gt=0.05,
        le=1,
        description="Panel height, with its tick labels and title, as a fraction of the axes.",
    )
    leaves: int = Field(
        30,
        ge=2,
        le=200,
        description="Most leaves drawn (raised to k when k is larger): above that many points the"
        " tree shows the clusters of its last merges, each as a stem that fills up as the merges"
        " inside it are done.",
    )
    cut_line: bool = Field(True, description="Mark the height where the tree is cut into k clusters.")
    scale: Literal["sqrt", "linear"] = Field(
        "sqrt",
        description="The scale of merge heights: sqrt spreads the many low merges that the last few,"
        " much higher ones would flatten on a linear scale.",
    )

    def build(self, context: SceneContext) -> DendrogramLayer:
        from matplotlib.collections import LineCollection

        trace = context.trace
        if "linkage" not in trace.extras or "merged" not in trace.extras:
            raise OptionError("", "needs the trace's merge tree (its linkage and merged arrays)")
        tree = Dendrogram.of(
            np.asarray(trace.extras["linkage"], np.float64),
            np.asarray(trace.extras["merged"], np.intp),
            trace.n_clusters,
            self.leaves,
        )
        n_leaves = tree.stems.shape[0]
        truncated = n_leaves < len(trace.X)
        box, panel = self.panel(
            context, f"dendrogram, top {n_leaves} clusters" if truncated else "dendrogram"
        )
        panel.set_xlim(-0.6, n_leaves - 0.4)
        top = tree.top * 1.05 or 1.0
        if self.scale == "sqrt":
            from matplotlib.ticker import MaxNLocator

            panel.set_yscale("function", functions=(_sqrt, np.square))
            # Ticks evenly spaced as drawn, at heights of one significant digit.
            ticks = np.square(MaxNLocator(nbins=3).tick_values(0.0, float(np.sqrt(top))))
            panel.set_yticks([float(f"{tick:.1g}") for tick in ticks if tick <= top])
        panel.set_ylim(0, top)
        panel.set_xticks([])
        panel.set_ylabel("merge height", fontsize="x-small", labelpad=1)
        faint = LineCollection(
            [*tree.links, *tree.stems[tree.stems[:, 1, 1] > 0]],
            colors=context.theme.muted,
            linewidths=FAINT_WIDTH,
            alpha=FAINT_ALPHA,
        )
        done = LineCollection([], linewidths=DONE_WIDTH, capstyle="butt")
        panel.add_collection(faint)
        panel.add_collection(done)
        cut_label = None
        if self.cut_line and tree.cut_height is not None:
            panel.axhline(
                tree.cut_height, color=context.theme.foreground, linewidth=0.9, linestyle=(0, (4, 2))
            )
            # Placed with the plot, at the first frame: in it where it crosses no line of
            # the tree, else beside it.
            cut_label = panel.text(
                0,
                0,
                f"k = {trace.n_clusters}",
                transform=context.figure.transFigure,
                fontsize="x-small",
                color=context.theme.foreground,
                clip_on=False,
            )
        return DendrogramLayer(self, context, box, panel, tree, done, cut_label)


class DendrogramLayer(PanelLayer):
    """The faint tree, and the merges done by the frame's state over it."""

    def __init__(
        self,
        options: DendrogramOptions,
        context: SceneContext,
        box: Rectangle,
        panel: Axes,
        tree: Dendrogram,
        done: LineCollection,
        cut_label: Text | None = None,
    ) -> None:
        self.tree = tree
        self.done = done
        #: "k = ...", at the right end of the cut line.
        self.cut_label = cut_label
        super().__init__(options, context, box, panel)
        merged = np.asarray(context.trace.extras["merged"], np.intp)
        #: Links done by each state.
        self.n_links = np.searchsorted(tree.link_rows, merged)
        # The lines of the tree, as (x0, y0, x1, y1) in plot coordinates: every one is
        # vertical or horizontal.
        segments = [tree.links[:, :2], tree.links[:, 1:3], tree.links[:, 2:]]
        stems = tree.stems[tree.stems[:, 1, 1] > 0]
        self.lines = np.concatenate([*segments, stems]).reshape(-1, 4)

    def _notes(self) -> list[Text]:
        return [] if self.cut_label is None else [self.cut_label]

    def _place_notes(self, plot: Bbox, beside: bool, renderer: RendererBase) -> bool:
        """The cut's label: at either end of the cut line, above it or below, where it
        crosses no line of the tree; else (``beside``) right of the plot, level with it."""
        label, cut_height = self.cut_label, self.tree.cut_height
        if label is None or cut_height is None:
            return True
        pixels = self.context.figure.dpi / 72
        gap = NOTE_GAP * pixels
        cut = float(self.panel.transData.transform((0.0, cut_height))[1])
        if beside:
            self._put(label, plot.x1 + gap, cut, "left", "center")
            height = label.get_window_extent(renderer).height
            middle = min(max(cut, plot.y0 + height / 2), plot.y1 - height / 2)
            self._put(label, plot.x1 + gap, middle, "left", "center")
            return True
        ends = self.panel.transData.transform(self.lines.reshape(-1, 2)).reshape(-1, 4)
        low, high = np.minimum(ends[:, :2], ends[:, 2:]), np.maximum(ends[:, :2], ends[:, 2:])
        reach = LINE_CLEARANCE * pixels
        for vertical, horizontal in SPOTS:
            x = plot.x1 - gap if horizontal == "right" else plot.x0 + gap
            y = cut + gap if vertical == "bottom" else cut - gap
            self._put(label, x, y, horizontal, vertical)
            box = label.get_window_extent(renderer)
            if box.x0 < plot.x0 or box.x1 > plot.x1 or box.y0 < plot.y0 or box.y1 > plot.y1:
                continue
            crossed = (
                (low[:, 0] <= box.x1 + reach)
                & (high[:, 0] >= box.x0 - reach)
                & (low[:, 1] <= box.y1 + reach)
                & (high[:, 1] >= box.y0 - reach)
            )
            if not crossed.any():
                return True
        return False

    def _put(self, label: Text, x: float, y: float, horizontal: Horizontal, vertical: Vertical) -> None:
        """Put ``label`` at (x, y) pixels, aligned there as told."""
        label.set_position(tuple(self.context.figure.transFigure.inverted().transform((x, y))))
        label.set_horizontalalignment(horizontal)
        label.set_verticalalignment(vertical)

    def update(self, frame: Frame) -> Sequence[Artist]:
        if not self.placed:
            self.place()
        tree, state = self.tree, frame.iteration
        stems = tree.stems.copy()
        stems[:, 1, 1] = tree.filled[state]
        growing = stems[:, 1, 1] > 0
        n_links = int(self.n_links[state])
        clusters = np.concatenate([tree.link_clusters[:n_links], tree.stem_clusters[growing]])
        self.done.set_segments([*tree.links[:n_links], *stems[growing]])
        self.done.set_color(self.context.label_colors(clusters))  # type: ignore[arg-type]
        return self.artists
