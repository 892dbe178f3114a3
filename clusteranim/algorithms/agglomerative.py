"""Agglomerative clustering: every point starts alone, and the two nearest clusters merge,
until one cluster is left; the tree of merges is cut where k clusters remain.

The merges and their heights are those of ``scipy.cluster.hierarchy.linkage(X, method)``
on Euclidean distances, computed the way scipy computes them, so that the linkage matrix
is the same, row for row:

- ward, complete and average: the nearest-neighbour chain (Murtagh 1983; Müllner 2011)
  on the square matrix of distances between clusters, updated after each merge by the
  Lance-Williams formula of the method (ward's on distances, not squared distances, as
  scipy writes it). The chain is followed from the lowest-numbered live cluster, each step
  to the nearest cluster (the previous one on a tie, else the lowest-numbered), until two
  clusters are each other's nearest; they merge into the higher-numbered slot.
- single: Prim's minimum spanning tree, grown from point 0, with each point's distance
  to the tree updated from the point last added; it needs no matrix, only the distances
  from one point to all, computed as needed.

Both give the merges in the order found; they are sorted by height (stably) and
renumbered as scipy's ``label`` does: the i-th merge makes cluster n + i, and each row
names the two clusters merged, the lower number first.

The chain is sequential by nature: each step depends on the merge before it, so there
is one Python step per merge (and per link of the chain), with vectorised O(n) work in
each; no loop runs over the points. Time is O(n^2) and memory n^2 * 8 bytes for the
matrix (ward, complete, average), which is why the number of points is bounded
(:data:`MAX_POINTS`); single linkage needs O(n) memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from clusteranim.algorithms.base import Capabilities, DirectOptions, Recording
from clusteranim.arrays import FloatArray, IntArray
from clusteranim.options import LIVE, OptionError
from clusteranim.sums import cluster_counts, cluster_sums

#: Most points ward, complete and average linkage accept: their square matrix of
#: distances takes n^2 * 8 bytes, 3.2 GB at 20,000 points, about 4 GB at peak with its
#: first compaction (scipy's condensed matrix and its working copy take 3.2 GB); such a
#: run takes about 30 s.
MAX_POINTS = 20_000
#: Rows of the distance matrix computed at a time, so that the temporaries stay small.
BLOCK_ROWS = 1_024
#: The distance matrix is not compacted below this many rows: copying it would cost more
#: than it saves.
COMPACT_ROWS = 256
#: States the merges are grouped into by default (``merges_per_state: auto``).
AUTO_STATES = 40
#: Most labels a recording holds (states times points, 256 MB), so that grouping few
#: merges per state on many points does not exhaust memory.
MAX_LABELS = 1 << 25

Method = Literal["ward", "complete", "average", "single"]


def distances_to(X: FloatArray, point: FloatArray) -> FloatArray:
    """Euclidean distances (n,) from each row of ``X`` (n, d) to ``point`` (d,).

    Squared differences summed coordinate by coordinate in order, as scipy's ``pdist``
    sums them, so that the distances (and hence the ties between them) are the same.
    """
    total: FloatArray = np.square(X[:, 0] - point[0])
    for column in range(1, X.shape[1]):
        total += np.square(X[:, column] - point[column])
    return np.sqrt(total, out=total)


def distance_matrix(X: FloatArray) -> FloatArray:
    """The (n, n) Euclidean distances between the rows of ``X``, with ``inf`` on the
    diagonal (a cluster is never its own nearest neighbour)."""
    n_samples = X.shape[0]
    matrix = np.empty((n_samples, n_samples))
    difference = np.empty((min(BLOCK_ROWS, n_samples), n_samples))
    for start in range(0, n_samples, BLOCK_ROWS):
        block = matrix[start : start + BLOCK_ROWS]
        scratch = difference[: block.shape[0]]
        np.subtract.outer(X[start : start + BLOCK_ROWS, 0], X[:, 0], out=block)
        np.square(block, out=block)
        for column in range(1, X.shape[1]):
            np.subtract.outer(X[start : start + BLOCK_ROWS, column], X[:, column], out=scratch)
            np.square(scratch, out=scratch)
            block += scratch
        np.sqrt(block, out=block)
    np.fill_diagonal(matrix, np.inf)
    return matrix


def lance_williams(
    method: Method,
    to_x: FloatArray,
    to_y: FloatArray,
    between: float,
    size_x: int,
    size_y: int,
    sizes: FloatArray,
) -> FloatArray:
    """Distances from every cluster to the union of clusters x and y, from their
    distances ``to_x`` and ``to_y`` to each, the distance ``between`` x and y, and the
    sizes; the arithmetic in scipy's order, so that the results are the same to the bit.
    """
    if method == "complete":
        return np.maximum(to_x, to_y)
    if method == "average":
        merged: FloatArray = (size_x * to_x + size_y * to_y) / (size_x + size_y)
        return merged
    share = 1.0 / (size_x + size_y + sizes)
    merged = (sizes + size_x) * share * to_x * to_x
    merged += (sizes + size_y) * share * to_y * to_y
    merged -= sizes * share * between * between
    return np.sqrt(merged, out=merged)


def nearest_neighbour_chain(X: FloatArray, method: Method) -> FloatArray:
    """Unsorted merges (x, y, height, size) of ward, complete or average linkage, x and
    y being the slots of the two clusters (the union takes slot y), as scipy's
    ``nn_chain`` finds them.

    A merged-away cluster's column is set to ``inf``, which keeps it out of every
    nearest-neighbour search, and the Lance-Williams formulas give ``inf`` again from
    ``inf``, so no mask is needed. When half the rows of the matrix are dead it is
    compacted to the live ones (in order, so that ties still go to the lowest number):
    the work of a merge is then proportional to the clusters left, not to n.
    """
    n_samples = X.shape[0]
    matrix = distance_matrix(X)
    slots = np.arange(n_samples)  # the slot (scipy's cluster number) of each row
    sizes = np.ones(n_samples)
    live = np.ones(n_samples, dtype=bool)
    n_live = n_samples
    merges = np.empty((n_samples - 1, 4))
    chain: list[int] = []  # rows of the matrix
    for merge in range(n_samples - 1):
        if 2 * n_live <= matrix.shape[0] and n_live > COMPACT_ROWS:
            kept = np.flatnonzero(live)
            matrix = matrix[np.ix_(kept, kept)]
            chain = np.searchsorted(kept, chain).tolist()
            slots, sizes, live = slots[kept], sizes[kept], live[kept]
        if not chain:
            chain.append(int(np.argmax(live)))
        while True:
            x = chain[-1]
            row = matrix[x]
            y = int(row.argmin())
            if len(chain) > 1 and not row[y] < row[chain[-2]]:
                y = chain[-2]
                break
            chain.append(y)
        del chain[-2:]
        x, y = min(x, y), max(x, y)
        height = float(matrix[x, y])
        size_x, size_y = int(sizes[x]), int(sizes[y])
        merges[merge] = slots[x], slots[y], height, size_x + size_y
        live[x] = False
        n_live -= 1
        sizes[x] = 0
        updated = lance_williams(method, matrix[x], matrix[y], height, size_x, size_y, sizes)
        updated[y] = np.inf
        sizes[y] = size_x + size_y
        matrix[y] = updated
        matrix[:, y] = updated
        matrix[:, x] = np.inf
    return merges


def minimum_spanning_tree(X: FloatArray) -> FloatArray:
    """Unsorted merges (x, y, height, 0) of single linkage: the edges of Prim's tree in
    the order added, grown from point 0 as scipy's ``mst_single_linkage`` grows it."""
    n_samples = X.shape[0]
    to_tree = np.full(n_samples, np.inf)
    in_tree = np.zeros(n_samples, dtype=bool)
    merges = np.zeros((n_samples - 1, 4))
    x = 0
    for merge in range(n_samples - 1):
        in_tree[x] = True
        np.minimum(to_tree, distances_to(X, X[x]), out=to_tree)
        to_tree[in_tree] = np.inf
        y = int(to_tree.argmin())
        merges[merge, :3] = x, y, to_tree[y]
        x = y
    return merges


def relabel(merges: FloatArray) -> FloatArray:
    """The linkage matrix from merges (x, y, height, ...) in order of height: each row's
    two clusters renamed to the clusters they belong to by then (the i-th merge makes
    cluster n + i), the lower number first, and the size of the union; as scipy's
    ``label`` does with a union-find."""
    n_samples = merges.shape[0] + 1
    parent = list(range(2 * n_samples - 1))
    sizes = [1] * (2 * n_samples - 1)

    def root(node: int) -> int:
        top = node
        while parent[top] != top:
            top = parent[top]
        while parent[node] != top:
            parent[node], node = top, parent[node]
        return top

    linkage: FloatArray = merges.copy()
    for merge, (x, y) in enumerate(merges[:, :2].astype(np.intp).tolist()):
        first, second = sorted((root(x), root(y)))
        union = n_samples + merge
        parent[first] = parent[second] = union
        sizes[union] = sizes[first] + sizes[second]
        linkage[merge] = first, second, merges[merge, 2], sizes[union]
    return linkage


def linkage(X: FloatArray, method: Method) -> FloatArray:
    """The linkage matrix of shape (n - 1, 4) of agglomerative clustering of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        At least 2 points.
    method : {"ward", "complete", "average", "single"}

    Returns
    -------
    ndarray of shape (n - 1, 4)
        As ``scipy.cluster.hierarchy.linkage(X, method)``: row i merges clusters
        ``Z[i, 0] < Z[i, 1]`` (numbers below n are points, n + j is the cluster that row
        j made) at height ``Z[i, 2]`` into a cluster of ``Z[i, 3]`` points.
    """
    merges = minimum_spanning_tree(X) if method == "single" else nearest_neighbour_chain(X, method)
    return relabel(merges[np.argsort(merges[:, 2], kind="stable")])


def merges_by_state(n_samples: int, n_clusters: int, merges_per_state: int | Literal["auto"]) -> IntArray:
    """The number of merges done by each state, from 0 to ``n_samples - n_clusters``.

    ``auto``: about :data:`AUTO_STATES` states, the number of clusters left falling
    geometrically from n to k: many merges of single points per state at first, one
    merge of large clusters per state at the end, where they change the picture most.
    """
    n_merges = n_samples - n_clusters
    if merges_per_state != "auto":
        return np.append(np.arange(0, n_merges, merges_per_state), n_merges)
    left = n_clusters * (n_samples / n_clusters) ** np.linspace(1.0, 0.0, AUTO_STATES + 1)
    done: IntArray = np.unique(n_samples - np.rint(left).astype(np.intp))
    done[0], done[-1] = 0, n_merges
    return done


def parents(linkage: FloatArray) -> IntArray:
    """The parent of every node of the tree (2n - 1,): point i is node i, row j's cluster
    node n + j; the root's parent is itself."""
    n_samples = linkage.shape[0] + 1
    parent = np.arange(2 * n_samples - 1)
    parent[linkage[:, :2].astype(np.intp)] = n_samples + np.arange(n_samples - 1)[:, None]
    return parent


def leaf_offsets(linkage: FloatArray) -> IntArray:
    """Where each node's points start in the dendrogram's leaf order (2n - 1,): the
    order of scipy's ``dendrogram``, each row's first cluster left of its second.

    A node starts where its parent does, plus the size of its left sibling if it is the
    right child: summed up the tree by pointer jumping, in O(n log n) vectorised steps.
    """
    n_samples = linkage.shape[0] + 1
    children = linkage[:, :2].astype(np.intp)
    sizes = np.ones(2 * n_samples - 1)
    sizes[n_samples:] = linkage[:, 3]
    shift = np.zeros(2 * n_samples - 1)
    shift[children[:, 1]] = sizes[children[:, 0]]
    # Invariant: shift[v] sums the shifts from v up to, not including, ancestor[v]; the
    # root's shift is 0, so that adding it changes nothing.
    ancestor = parents(linkage)
    while (ancestor != ancestor[ancestor]).any():
        shift += shift[ancestor]
        ancestor = ancestor[ancestor]
    shift += shift[ancestor]
    return shift.astype(np.intp)


def cut(linkage: FloatArray, n_clusters: int) -> IntArray:
    """The cluster of every node of the tree (2n - 1,) when it is cut where
    ``n_clusters`` remain (after n - k merges), -1 for the nodes above the cut.

    Clusters are numbered from left to right in the dendrogram's leaf order, so that
    colours run across it in the palette's order.
    """
    n_samples = linkage.shape[0] + 1
    nodes = np.arange(2 * n_samples - 1)
    parent = parents(linkage)
    below = nodes < 2 * n_samples - n_clusters  # points, and the clusters of the first n - k merges
    top = below & ((parent >= 2 * n_samples - n_clusters) | (parent == nodes))
    roots = np.flatnonzero(top)
    rank = np.zeros(nodes.size, dtype=np.intp)
    rank[roots[np.argsort(leaf_offsets(linkage)[roots], kind="stable")]] = np.arange(roots.size)
    ancestor = np.where(top | ~below, nodes, parent)
    while (ancestor != ancestor[ancestor]).any():
        ancestor = ancestor[ancestor]
    clusters: IntArray = np.where(below, rank[ancestor], -1)
    return clusters


@dataclass(frozen=True)
class Agglomerative:
    """Agglomerative clustering, cut where ``n_clusters`` clusters remain.

    Parameters
    ----------
    n_clusters : int
    method : {"ward", "complete", "average", "single"}
    merges_per_state : int or "auto"
        Merges from one state to the next (see :func:`merges_by_state`).
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        objective="merge height",
        optimized=False,
        centers=True,
        varying_k=True,
        merge_tree=True,
        assigns_any_point=False,
    )

    n_clusters: int
    method: Method
    merges_per_state: int | Literal["auto"]

    def record(self, X: FloatArray, max_iter: int) -> Recording:
        """States from every point alone to the cut: a point is labelled -1 until its
        first merge, then with the cluster it ends in; at the last state every point has
        its cluster (one left alone is a cluster of its own). A cluster's centre is the
        mean of its points labelled so far. ``max_iter`` is not used."""
        n_samples = X.shape[0]
        if self.method != "single" and n_samples > MAX_POINTS:
            raise OptionError(
                "linkage",
                f"{self.method} keeps the distances between all clusters (n\N{SUPERSCRIPT TWO} x 8 bytes,"
                f" {MAX_POINTS**2 * 8 / 1e9:.1f} GB at {MAX_POINTS:,} points), so it takes at most"
                f" {MAX_POINTS:,} points and the data has {n_samples:,}; single linkage needs no such"
                " matrix",
            )
        merged = merges_by_state(n_samples, self.n_clusters, self.merges_per_state)
        n_states = merged.size
        if n_states * n_samples > MAX_LABELS:
            raise OptionError(
                "merges_per_state",
                f"is {self.merges_per_state}: {n_states:,} states of {n_samples:,} labels each are more"
                f" than a recording holds ({MAX_LABELS:,}); group more merges per state, or use auto",
            )
        tree = linkage(X, self.method)
        clusters = cut(tree, self.n_clusters)[:n_samples]
        # The row of each point's first merge (n - 1, never, for a single point).
        first = np.full(n_samples, n_samples - 1)
        rows, sides = np.nonzero(tree[:, :2] < n_samples)
        first[tree[rows, sides].astype(np.intp)] = rows
        joins = np.minimum(np.searchsorted(merged, first, side="right"), n_states - 1)
        labels: IntArray = np.where(np.arange(n_states)[:, None] >= joins, clusters, -1)
        # Sums by the state at which each point joins, accumulated; taken about a point of
        # the data, so that far from the origin the means keep their precision.
        origin = X[0]
        slots = joins * self.n_clusters + clusters
        size = n_states * self.n_clusters
        counts = cluster_counts(slots, size).reshape(n_states, self.n_clusters).cumsum(axis=0)
        sums = cluster_sums(slots, X - origin, size).reshape(n_states, self.n_clusters, -1).cumsum(axis=0)
        active = counts > 0
        centers = np.full(sums.shape, np.nan)
        centers[active] = sums[active] / counts[active][:, None] + origin
        objective = np.concatenate([[0.0], tree[merged[1:] - 1, 2]])
        return Recording(
            labels=labels,
            centers=centers,
            objective=objective,
            converged=True,
            active=active,
            extras={"linkage": tree, "merged": merged},
        )


#: Most merges per state accepted (more than any data set has: all the merges in one state).
MAX_MERGES_PER_STATE = 10**9
MergesPerState = Annotated[int, Field(ge=1, le=MAX_MERGES_PER_STATE)] | Literal["auto"]


class AgglomerativeOptions(DirectOptions):
    """Agglomerative clustering: merges of the two nearest clusters, until k remain."""

    summary = "agglomerative (hierarchical) clustering: ward, complete, average or single linkage"
    display_name = "agglomerative clustering"
    captions: ClassVar[dict[str, str]] = {
        "init": "Start: every point is a cluster of its own",
        "iteration": "Merging the two nearest clusters, again and again: merge height {objective:,.4g}",
        "converged": "The tree cut where k = {k} clusters remain (merge height {objective:,.4g})",
        "stopped": "The tree cut where k = {k} clusters remain (merge height {objective:,.4g})",
    }
    capabilities = Agglomerative.capabilities
    unexplained: ClassVar[str] = (
        "agglomerative clustering has no assignment and update to tell apart: each step is a"
        " group of merges (leave explain off; the dendrogram layer shows the merges)"
    )
    layers: ClassVar[tuple[str, ...]] = ("points", "centroids", "dendrogram", "title")
    unused: ClassVar[dict[str, str]] = {
        "max_iter": "it merges clusters until k remain (merges_per_state sets the steps)",
        "tol": "it merges clusters until k remain",
        "seed": "it draws nothing at random",
    }

    name: Literal["agglomerative"] = "agglomerative"
    linkage: Method = Field(
        "ward",
        json_schema_extra=LIVE,
        description="How far apart two clusters are: ward (how much their merge would add to the"
        " within-cluster sum of squares), complete (their farthest points), average (the mean"
        " distance between their points) or single (their nearest points; any number of points,"
        f" the others at most {MAX_POINTS:,}).",
    )
    merges_per_state: MergesPerState = Field(
        "auto",
        description=f"Merges from one state to the next; auto: about {AUTO_STATES} states, many"
        " merges of single points in each at first, one merge of large clusters in each at the end.",
    )

    def start_description(self) -> str:
        return "every point alone"

    def recorder(self, seed: int) -> Agglomerative:
        return Agglomerative(n_clusters=self.k, method=self.linkage, merges_per_state=self.merges_per_state)
