"""Quality measures of a clustering, to choose the number of clusters k.

Each agrees with its scikit-learn namesake (numpy only here; the tests check the match).

Internal measures, from the data and the labels alone; run the algorithm for several k
and compare:

- :func:`inertia`: sum of squared distances to the assigned centres. It always falls as
  k grows; the k at the *elbow*, past which it falls slowly, is the usual choice.
- :func:`silhouette`: mean over points of (b - a) / max(a, b), a the mean distance to
  the point's own cluster, b to the nearest other cluster; in [-1, 1], higher is better.
- :func:`calinski_harabasz`: between-cluster over within-cluster dispersion, each per
  degree of freedom; higher is better.
- :func:`davies_bouldin`: mean over clusters of the worst ratio of summed spreads to
  centre distance; 0 at best, lower is better.
- :func:`bic` and :func:`aic` (with :func:`gmm_parameter_count`): a Gaussian mixture's
  fit penalised by its number of parameters; lower is better, BIC penalising more (n > 7).

External measures, against known true labels (synthetic data): :func:`adjusted_rand` and
:func:`normalized_mutual_info`, 1 for a perfect match (up to the names of clusters), near
0 for labels unrelated to the truth (ARI can fall below 0).

Labels are integers in [0, k); -1 marks noise (DBSCAN). The internal measures leave
noise points out; the external ones count the noise points as one more cluster, as
scikit-learn does. Where scikit-learn raises because the labels are not 2 to n - 1
clusters (one cluster, or every point alone), the internal measures return NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Literal, NamedTuple

import numpy as np

from clusteranim.arrays import FloatArray, IntArray

CovarianceType = Literal["full", "tied", "diag", "spherical"]

#: Above this many (non-noise) points, :func:`silhouette` uses a random sample of them.
SILHOUETTE_SAMPLE = 2000
# Distances are computed this many at a time (8 MB), whatever the number of points.
_BLOCK_ELEMENTS = 1 << 20
# np.isclose(value, 0): scikit-learn's test for Davies-Bouldin's degenerate cases.
_NEAR_ZERO = 1e-8


def _checked(X: FloatArray, labels: IntArray) -> tuple[FloatArray, IntArray]:
    """``X`` as a float (n, d) array and ``labels`` as an int (n,) array, or ValueError."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    if X.ndim != 2 or labels.shape != (len(X),) or labels.dtype.kind not in "iu":
        raise ValueError(f"need X of shape (n, d) and n integer labels, not {X.shape} and {labels.shape}")
    return X, labels.astype(np.intp, copy=False)


def _grouped(X: FloatArray, labels: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    """The non-noise points sorted by cluster, each cluster's first row among them, and
    each cluster's size; only the labels present count as clusters."""
    kept = labels >= 0
    order = np.argsort(labels[kept], kind="stable")
    counts = np.unique(labels[kept], return_counts=True)[1]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    return X[kept][order], starts, counts


def _distances(A: FloatArray, B: FloatArray) -> FloatArray:
    """Euclidean distances between the rows of ``A`` and ``B``, shape (len(A), len(B)).

    Summed coordinate by coordinate, not with scikit-learn's ``|a|² - 2a·b + |b|²``: as
    exact for near points as for far ones, and 0 between equal points.
    """
    squared = np.zeros((len(A), len(B)))
    difference = np.empty_like(squared)
    for a, b in zip(A.T, B.T, strict=True):
        np.subtract.outer(a, b, out=difference)
        difference *= difference
        squared += difference
    distances: FloatArray = np.sqrt(squared, out=squared)
    return distances


def _distance_blocks(A: FloatArray, B: FloatArray) -> Iterator[tuple[slice, FloatArray]]:
    """The distances from ``A`` to ``B`` by blocks of rows of ``A``: (rows, distances)."""
    step = max(1, _BLOCK_ELEMENTS // max(1, len(B)))
    for start in range(0, len(A), step):
        rows = slice(start, min(start + step, len(A)))
        yield rows, _distances(A[rows], B)


def inertia(X: FloatArray, labels: IntArray, centers: FloatArray) -> float:
    """Sum of squared distances from the points to their clusters' ``centers`` (k, d),
    noise left out (KMeans's ``inertia_`` for its labels and centres)."""
    X, labels = _checked(X, labels)
    kept = labels >= 0
    difference = X[kept] - np.asarray(centers, dtype=np.float64)[labels[kept]]
    return float(np.einsum("ij,ij->", difference, difference))


def silhouette_sample(n: int, sample_size: int | None, seed: int) -> IntArray | None:
    """The sorted indices of the ``sample_size`` of ``n`` points :func:`silhouette` uses,
    drawn without replacement by ``np.random.default_rng(seed)`` (not the sample
    ``silhouette_score(random_state=seed)`` draws); None for all of them (``sample_size``
    None or at least ``n``)."""
    if sample_size is None or n <= sample_size:
        return None
    if sample_size < 1:
        raise ValueError(f"sample_size must be at least 1, not {sample_size}")
    indices: IntArray = np.sort(np.random.default_rng(seed).choice(n, size=sample_size, replace=False))
    return indices


def silhouette(
    X: FloatArray, labels: IntArray, sample_size: int | None = SILHOUETTE_SAMPLE, seed: int = 0
) -> float:
    """Mean silhouette coefficient, Euclidean (``sklearn.metrics.silhouette_score``).

    Noise points are left out. Of more than ``sample_size`` remaining points, only the
    sample :func:`silhouette_sample` draws from them (with ``seed``) counts, so the cost is
    bounded (``sample_size`` None: every point). A point alone in its cluster scores 0.
    NaN for fewer than 2 clusters or as many clusters as points. Distances are computed by
    blocks of rows, never the full n x n matrix.
    """
    X, labels = _checked(X, labels)
    kept = np.flatnonzero(labels >= 0)
    sample = silhouette_sample(len(kept), sample_size, seed)
    if sample is not None:
        kept = kept[sample]
    points, starts, counts = _grouped(X[kept], labels[kept])
    if not 1 < len(counts) < len(points):
        return math.nan
    cluster = np.repeat(np.arange(len(counts)), counts)
    scores = np.zeros(len(points))
    for rows, distances in _distance_blocks(points, points):
        sums = np.add.reduceat(distances, starts, axis=1)
        own = cluster[rows]
        block = np.arange(len(own))
        inside = sums[block, own] / np.maximum(counts[own] - 1, 1)
        sums[block, own] = np.inf
        nearest = (sums / counts).min(axis=1)
        largest = np.maximum(inside, nearest)
        np.divide(nearest - inside, largest, out=scores[rows], where=(counts[own] > 1) & (largest > 0))
    return float(np.mean(scores))


def _means(points: FloatArray, starts: IntArray, counts: IntArray) -> FloatArray:
    """Each cluster's mean, of points sorted by cluster."""
    means: FloatArray = np.add.reduceat(points, starts, axis=0) / counts[:, None]
    return means


def calinski_harabasz(X: FloatArray, labels: IntArray) -> float:
    """Calinski-Harabasz index (``sklearn.metrics.calinski_harabasz_score``), noise left
    out: NaN for fewer than 2 clusters or as many clusters as points, 1 when each cluster
    is a single point repeated."""
    X, labels = _checked(X, labels)
    points, starts, counts = _grouped(X, labels)
    n, k = len(points), len(counts)
    if not 1 < k < n:
        return math.nan
    means = _means(points, starts, counts)
    between = float(counts @ ((means - points.mean(axis=0)) ** 2).sum(axis=1))
    within = float(((points - np.repeat(means, counts, axis=0)) ** 2).sum())
    return 1.0 if within == 0.0 else between * (n - k) / (within * (k - 1.0))


def davies_bouldin(X: FloatArray, labels: IntArray) -> float:
    """Davies-Bouldin index (``sklearn.metrics.davies_bouldin_score``), noise left out.

    NaN for fewer than 2 clusters or as many clusters as points; 0 when every cluster's
    mean distance to its centre, or every distance between centres, is at most 1e-8.
    Equal centres do not compare with each other.
    """
    X, labels = _checked(X, labels)
    points, starts, counts = _grouped(X, labels)
    k = len(counts)
    if not 1 < k < len(points):
        return math.nan
    means = _means(points, starts, counts)
    reach = np.linalg.norm(points - np.repeat(means, counts, axis=0), axis=1)
    spread = np.add.reduceat(reach, starts) / counts
    worst = np.empty(k)
    farthest = 0.0
    for rows, distances in _distance_blocks(means, means):
        farthest = max(farthest, float(distances.max()))
        distances[distances == 0] = np.inf
        worst[rows] = ((spread[rows, None] + spread) / distances).max(axis=1)
    if spread.max() <= _NEAR_ZERO or farthest <= _NEAR_ZERO:
        return 0.0
    return float(np.mean(worst))


class _Contingency(NamedTuple):
    """The contingency table of two labelings, as its non-zero cells (at most n, however
    many classes and clusters), row by row."""

    counts: IntArray
    rows: IntArray
    columns: IntArray
    #: Points in each row's class and in each column's cluster.
    class_sizes: IntArray
    cluster_sizes: IntArray


def _contingency(truth: IntArray, labels: IntArray) -> _Contingency:
    truth, labels = np.asarray(truth), np.asarray(labels)
    if truth.ndim != 1 or truth.shape != labels.shape:
        raise ValueError(f"need two labelings of the same n points, not {truth.shape} and {labels.shape}")
    row = np.unique(truth, return_inverse=True)[1]
    column = np.unique(labels, return_inverse=True)[1]
    width = int(column.max(initial=0)) + 1
    cells, counts = np.unique(row.astype(np.int64) * width + column, return_counts=True)
    return _Contingency(counts, cells // width, cells % width, np.bincount(row), np.bincount(column))


def adjusted_rand(truth: IntArray, labels: IntArray) -> float:
    """Adjusted Rand index of ``labels`` against ``truth`` (``adjusted_rand_score``):
    1 for the same partition, about 0 for a random one; 1 for no points."""
    counts, _, _, classes, clusters = _contingency(truth, labels)
    n = int(counts.sum())
    # Ordered pairs of points together in both, in labels only, in truth only, in neither
    # (scikit-learn's pair_confusion_matrix), exact in Python integers.
    squares = int((counts.astype(np.int64) ** 2).sum())
    tp = squares - n
    fp = int((clusters.astype(np.int64) ** 2).sum()) - squares
    fn = int((classes.astype(np.int64) ** 2).sum()) - squares
    tn = n * n - fp - fn - squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(sizes: IntArray) -> float:
    """Entropy (nats) of a labeling with clusters of these sizes."""
    if len(sizes) == 1:
        return 0.0
    p = sizes.astype(np.float64)
    total = p.sum()
    return float(-np.sum((p / total) * (np.log(p) - math.log(total))))


def normalized_mutual_info(truth: IntArray, labels: IntArray) -> float:
    """Normalised mutual information of ``labels`` and ``truth``, over the arithmetic mean
    of their entropies (``normalized_mutual_info_score``): 1 for the same partition (also
    when both are one cluster, or no points), near 0 for unrelated ones."""
    counts, rows, columns, classes, clusters = _contingency(truth, labels)
    if len(classes) == len(clusters) <= 1:
        return 1.0
    if len(classes) == 1 or len(clusters) == 1:
        return 0.0
    n = int(counts.sum())
    share = counts / n
    log_outer = -np.log(classes[rows].astype(np.int64) * clusters[columns]) + math.log(n) + math.log(n)
    terms = share * (np.log(counts) - math.log(n)) + share * log_outer
    terms[np.abs(terms) < np.finfo(np.float64).eps] = 0.0
    mutual = max(float(terms.sum()), 0.0)
    if mutual == 0.0:
        return 0.0
    return mutual / float(np.mean([_entropy(classes), _entropy(clusters)]))


def gmm_parameter_count(n_components: int, n_features: int, covariance_type: CovarianceType) -> int:
    """Free parameters of a Gaussian mixture (``GaussianMixture._n_parameters``): the
    means, the covariances of ``covariance_type`` and the k - 1 free weights."""
    k, d = n_components, n_features
    covariances = {"full": k * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": k * d, "spherical": k}
    if covariance_type not in covariances:
        raise ValueError(f"covariance_type must be one of {', '.join(covariances)}, not {covariance_type!r}")
    return covariances[covariance_type] + k * d + k - 1


def bic(total_log_likelihood: float, n_samples: int, n_parameters: int) -> float:
    """Bayesian information criterion, -2 LL + p ln n (``GaussianMixture.bic``; LL is
    ``score(X) * n``, the log-likelihood summed over the points)."""
    return -2 * total_log_likelihood + n_parameters * math.log(n_samples)


def aic(total_log_likelihood: float, n_parameters: int) -> float:
    """Akaike information criterion, -2 LL + 2 p (``GaussianMixture.aic``)."""
    return -2 * total_log_likelihood + 2 * n_parameters
