"""Live mode's controls come from the option models' LIVE marks, and every value they
offer is one the loader takes (or refuses with its usual line)."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field

import clusteranim
from clusteranim.algorithms import ALGORITHMS
from clusteranim.controls import Control, controls_of, live_controls
from clusteranim.errors import ScenarioError
from clusteranim.options import LIVE, Options

#: The keys the issue asks live mode to offer, as every algorithm that uses k has them.
ASKED = [
    "algorithm.name",
    "seed",
    "data.seed",
    "data.n_samples",
    "algorithm.k",
    "algorithm.init",
    "algorithm.normalize",
]


def keys(algorithm: str, generator: str = "blobs") -> list[str]:
    scenario = clusteranim.load_scenario({"data": {"generator": generator}, "algorithm": {"name": algorithm}})
    return [control.key for control in live_controls(scenario)]


def test_the_keys_people_change_most_are_offered() -> None:
    for algorithm in ("kmeans", "gmm", "fuzzy_cmeans", "minibatch_kmeans", "kmedoids"):
        assert sorted(keys(algorithm)) == sorted(ASKED), algorithm
    # Algorithms that find k, or have no start to choose, offer only what they use, and
    # the keys of their own that decide the clusters.
    dbscan_own = {"algorithm.eps", "algorithm.min_samples"}
    assert sorted(keys("dbscan")) == sorted((set(ASKED) - {"algorithm.k", "algorithm.init"}) | dbscan_own)
    assert "algorithm.k" in keys("agglomerative") and "algorithm.k" not in keys("mean_shift")
    assert "algorithm.linkage" in keys("agglomerative")
    for generator in ("moons", "circles", "gaussian_mixture"):
        assert "data.n_samples" in keys("kmeans", generator)


def test_kinds_choices_and_bounds_come_from_the_types() -> None:
    scenario = clusteranim.load_scenario({"seed": 4, "algorithm": {"name": "gmm", "k": 5}})
    controls = {control.key: control for control in live_controls(scenario)}
    assert controls["algorithm.name"] == Control(
        "algorithm.name", "choice", "gmm", tuple(ALGORITHMS), description="The clustering algorithm."
    )
    k = controls["algorithm.k"]
    assert (k.kind, k.value, k.minimum, k.maximum, k.optional) == ("integer", 5, 1.0, None, False)
    assert controls["algorithm.init"].choices == ("random", "kmeans", "explicit")
    assert controls["algorithm.normalize"].choices == ("none", "minmax", "standard")
    assert (controls["seed"].value, controls["seed"].minimum) == (4, 0.0)
    data_seed = controls["data.seed"]
    assert data_seed.optional and data_seed.value is None and data_seed.kind == "integer"


def test_every_offered_value_loads_through_set() -> None:
    """What the page sends is an override, checked as --set checks it."""
    scenario = clusteranim.load_scenario({"algorithm": {"name": "kmedoids"}})
    for control in live_controls(scenario):
        values = list(control.choices) if control.kind == "choice" else [control.minimum or 1]
        for value in values:
            if control.key == "algorithm.name" or value is None:
                continue
            loaded = clusteranim.load_scenario({"algorithm": {"name": "kmedoids"}}, {control.key: value})
            section, _, name = control.key.rpartition(".")
            assert getattr(getattr(loaded, section) if section else loaded, name) == value


def test_a_value_beyond_the_limits_is_the_loaders_message() -> None:
    with pytest.raises(ScenarioError, match=r"algorithm\.k: must be at most the number of points"):
        from clusteranim.pipeline import checked_run

        checked_run(clusteranim.load_scenario({}, {"algorithm.k": 10**9}))
    with pytest.raises(ScenarioError, match=r"algorithm.normalize"):
        clusteranim.load_scenario({}, {"algorithm.normalize": "log"})


def test_a_new_marked_option_becomes_a_control_without_page_code() -> None:
    class Plugin(Options):
        fast: Literal["yes", "no"] = Field("no", json_schema_extra=LIVE, description="Go fast.")
        ratio: float = Field(0.5, ge=0, le=1, json_schema_extra=LIVE)
        hidden: int = 3

    assert controls_of(Plugin(), "algorithm.") == [
        Control("algorithm.fast", "choice", "no", ("yes", "no"), description="Go fast."),
        Control("algorithm.ratio", "number", 0.5, (), 0.0, 1.0),
    ]

    class Bad(Options):
        name: str = Field("x", json_schema_extra=LIVE)

    with pytest.raises(TypeError, match="a choice or a number"):
        controls_of(Bad())
