"""Commented starter scenarios for ``clusteranim init``."""

from __future__ import annotations

from pathlib import Path

from clusteranim.errors import Problem, ScenarioError
from clusteranim.writers import atomic_path
from clusteranim.writers.targets import Target, target_problems

COMMON_HEAD = """\
# A clustering animation. Render it with:  clusteranim render {name}
# Every key is optional; `clusteranim schema` and the README list them all.
version: 1
seed: 7                      # change it to draw other data and another start

data:
  generator: {generator}{data}
"""

KMEANS = """
algorithm:
  name: kmeans
  k: 4                       # number of clusters
  init: random               # random | kmeans++ | a list of k starting centroids
  max_iter: 30

style:
  width: 640                 # pixels
  height: 480
  palette: auto              # tab10, or distinct colours beyond 10; a colormap, hsv, or a list
  layers:                    # bottom to top
    - regions: {{alpha: 0.25}}   # each pixel in the colour of its nearest centroid
    - points                 # coloured by assignment
    - trails                 # where each centroid has been
    - centroids
    - title
  title: "k-means, iteration {{iteration}}"
"""

GMM = """
algorithm:
  name: gmm
  k: 3                       # number of mixture components
  covariance_type: full      # full | tied | diag | spherical
  init: random               # random | kmeans | explicit (with means: [...])
  max_iter: 40

style:
  width: 600
  height: 600
  layers:
    - points: {{color_by: responsibility}}   # colours blend where components share a point
    - ellipses: {{levels: [2]}}             # 2-sigma covariance ellipses
    - centroids: {{marker: x, linewidth: 3, numbers: true}}   # outlined x, numbered as in the legend
    - legend
    - title
  title: "GMM fitting with EM: iteration {{iteration}}"
"""

FUZZY_CMEANS = """
algorithm:
  name: fuzzy_cmeans
  k: 4                       # number of clusters
  m: 2                       # fuzzifier > 1: near 1 almost k-means, larger shares points more evenly
  init: kmeans++             # random | kmeans++ | a list of k starting centres
  max_iter: 40

style:
  width: 640
  height: 480
  layers:
    - points: {{color_by: responsibility}}   # colours blend by each point's memberships
    - trails
    - centroids
    - legend
    - title
  title: "fuzzy c-means, iteration {{iteration}}"
"""

KMEDOIDS = """
algorithm:
  name: kmedoids
  k: 4                       # number of clusters
  method: pam                # pam (best swap each step, up to 5,000 points) | alternate (fast)
  init: build                # build (PAM's greedy start) | kmeans++ | random
  max_iter: 30

style:
  width: 640
  height: 480
  layers:
    - regions: {{alpha: 0.2}}    # each pixel in the colour of its nearest medoid
    - points
    - medoids                # each medoid ringed: medoids are data points
    - legend
    - title
  title: "k-medoids, step {{iteration}}: total distance {{objective:.1f}}"
"""

MINIBATCH_KMEANS = """
algorithm:
  name: minibatch_kmeans
  k: 4                       # number of clusters
  batch_size: 50             # points drawn for each step
  init: kmeans++             # random | kmeans++ | a list of k starting centroids
  max_iter: 40               # mini-batch steps

style:
  width: 640
  height: 480
  layers:
    - points
    - batch                  # the current batch outlined, the other points faded
    - trails
    - centroids
    - title
  title: "mini-batch k-means, step {{iteration}}"
"""

MEAN_SHIFT = """
algorithm:
  name: mean_shift           # finds the number of clusters itself: no k
  kernel: flat               # flat (scikit-learn's MeanShift) | gaussian
  bandwidth: 3.0             # the windows' radius; auto: estimated from the data
  bin_seeding: true          # a window per occupied grid cell; false: one on every point
  cluster_all: true          # false: points farther than bandwidth from every mode are noise

style:
  width: 640
  height: 480
  layers:
    - points                 # grey until their window stops, then its mode's colour
    - windows                # each window a circle of radius bandwidth
    - centroids              # the modes
    - title
  title: "mean-shift, round {{iteration}}: {{k}} modes"
"""

DBSCAN = """
algorithm:
  name: dbscan               # finds the clusters itself: no k
  eps: 0.15                  # radius of a point's neighbourhood (see normalize)
  min_samples: 8             # points within eps, itself included, that make a point core
  max_iter: 60               # most steps, one wave of the expansion each (grouped beyond)

style:
  width: 640
  height: 480
  layers:
    - points                 # small: border points in their cluster's colour, noise grey
    - core                   # core points larger and outlined
    - eps                    # circles of radius eps around the core points each wave reached
    - legend
    - title
    - caption                # what each step does
  title: "DBSCAN, step {{iteration}}"
"""

AGGLOMERATIVE = """
algorithm:
  name: agglomerative
  k: 4                       # clusters left where the tree is cut
  linkage: ward              # ward | complete | average | single
  merges_per_state: auto     # merges from one frame to the next; auto: about 40 frames

style:
  width: 640
  height: 480
  layers:
    - points                 # grey until merged, then in the colour of its cluster at the cut
    - centroids              # the mean of each cluster's points merged so far
    - dendrogram             # the merge tree, growing; a dashed line where it is cut
    - title
  title: "agglomerative clustering (ward): merge height {{objective:.2f}}"
"""

EXPLAIN = """
  explain: false             # true: each iteration as its two half-steps, with captions"""

TAIL = """
animation:{explain}
  easing: ease-in-out        # how tweened frames move (with output.tween > 0)

output:
  path: out/{stem}.gif       # .gif, .mp4, .webm, .html, or a folder for PNG frames
  fps: 3
  hold_last: 1.5             # seconds the final frame stays
"""

BLOBS = ("blobs", "\n  n_samples: 400\n  centers: 4\n  cluster_std: 1.5")
MOONS = ("moons", "           # two interleaved half circles\n  n_samples: 400\n  noise: 0.08")
MIXTURE = ("gaussian_mixture", "       # the classic three-component mixture\n  n_samples: 400")

#: Each starter, by the algorithm it shows: its data (generator and keys) and its body.
STARTERS: dict[str, tuple[tuple[str, str], str]] = {
    "kmeans": (BLOBS, KMEANS),
    "gmm": (MIXTURE, GMM),
    "fuzzy_cmeans": (BLOBS, FUZZY_CMEANS),
    "kmedoids": (BLOBS, KMEDOIDS),
    "minibatch_kmeans": (BLOBS, MINIBATCH_KMEANS),
    "mean_shift": (BLOBS, MEAN_SHIFT),
    "dbscan": (MOONS, DBSCAN),
    "agglomerative": (BLOBS, AGGLOMERATIVE),
}


def starter_text(algorithm: str, name: str) -> str:
    """The starter scenario for ``algorithm`` (a key of :data:`STARTERS`), to be saved as
    ``name``."""
    from clusteranim.algorithms import ALGORITHMS

    (generator, data), body = STARTERS[algorithm]
    # An algorithm that refuses explain mode is not offered it.
    explain = "" if ALGORITHMS[algorithm].unexplained else EXPLAIN
    return (
        COMMON_HEAD.format(name=name, generator=generator, data=data)
        + body.format()
        + TAIL.format(explain=explain, stem=Path(name).stem)
    )


def write_starter(text: str, algorithm: str, force: bool = False) -> None:
    """Write a starter scenario at ``path``; an existing file is kept unless ``force``."""
    target = Target("PATH", text)
    for _, message in target_problems([target], {}):
        raise ScenarioError(Problem(text, None, "", message))
    if target.path.exists() and not force:
        raise ScenarioError(Problem(text, None, "", "already exists; use --force to replace it"))
    with atomic_path(target.path) as temporary:
        temporary.write_text(starter_text(algorithm, Path(text).name), encoding="utf-8")
