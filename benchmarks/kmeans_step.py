"""Time one k-means update at n = 1,000,000, d = 2, k = 8 against scikit-learn's Lloyd.

Both run on the same data in the same process. scikit-learn's time per iteration is its
whole ``fit`` (from the same starting centroids, a fixed number of iterations) divided
by the iterations it performed; ours is one ``evaluate`` + ``step`` of the recorder loop,
the best of several repeats. Target: at most 3x scikit-learn's time per iteration.

Run with ``make bench`` or ``python benchmarks/kmeans_step.py``.
"""

from __future__ import annotations

import json
import os
import time
import warnings

import numpy as np

from clusteranim.algorithms.kmeans import KMeans

N_SAMPLES, N_FEATURES, N_CLUSTERS, N_ITERATIONS, REPEATS = 1_000_000, 2, 8, 10, 5


def main() -> dict[str, float]:
    from sklearn.cluster import KMeans as ReferenceKMeans

    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, size=(N_CLUSTERS, N_FEATURES))
    X = centers[rng.integers(N_CLUSTERS, size=N_SAMPLES)] + rng.normal(size=(N_SAMPLES, N_FEATURES))
    start = X[rng.choice(N_SAMPLES, N_CLUSTERS, replace=False)]

    ours = KMeans(N_CLUSTERS, start, tol=0.0, seed=0)
    from clusteranim.algorithms.base import State

    state = State(start.copy())
    timings = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        evaluation = ours.evaluate(X, state)
        ours.step(X, state, evaluation)
        timings.append(time.perf_counter() - began)
    ours_seconds = min(timings)

    reference_timings = []
    for _ in range(REPEATS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            began = time.perf_counter()
            fitted = ReferenceKMeans(
                N_CLUSTERS, init=start, n_init=1, algorithm="lloyd", tol=0.0, max_iter=N_ITERATIONS
            ).fit(X)
            reference_timings.append((time.perf_counter() - began) / fitted.n_iter_)
    reference_seconds = min(reference_timings)
    result = {
        "n_samples": N_SAMPLES,
        "cores": os.cpu_count() or 1,
        "clusteranim_ms_per_iteration": round(1000 * ours_seconds, 2),
        "scikit_learn_ms_per_iteration": round(1000 * reference_seconds, 2),
        "ratio": round(ours_seconds / reference_seconds, 2),
        "target_ratio": 3.0,
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
