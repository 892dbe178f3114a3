"""Direct algorithms: states recorded in one go (labels stored), through the whole tool.

A toy direct algorithm is registered in a child process (registering changes the
process's registries): it labels points by the sign of their first coordinate, one
cluster appearing per state, with a core mask and windows as its own arrays.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

TOY = textwrap.dedent(
    """
    from typing import ClassVar, Literal

    import numpy as np

    import clusteranim
    from clusteranim.algorithms.base import Capabilities, DirectOptions, Recording


    class Toy:
        capabilities = Capabilities(centers=True, noise=True, varying_k=True, assigns_any_point=False)

        def __init__(self, clusters):
            self.clusters = clusters

        def record(self, X, max_iter):
            n, d = X.shape
            high = (X[:, 0] > np.median(X[:, 0])).astype(int)
            final = np.minimum(high + (X[:, 1] > 0.5), self.clusters - 1)
            labels = np.stack([np.where(final < state, final, -1) for state in range(self.clusters + 1)])
            centers = np.full((self.clusters + 1, self.clusters, d), np.nan)
            for state in range(1, self.clusters + 1):
                for cluster in range(state):
                    centers[state, cluster] = X[final == cluster].mean(axis=0)
            windows = np.stack([X[:2] * (1 + state) for state in range(self.clusters + 1)])
            return Recording(
                labels=labels,
                centers=centers,
                objective=np.full(self.clusters + 1, np.nan),
                converged=True,
                active=~np.isnan(centers).any(axis=2),
                extras={"core": X[:, 0] > 0.5, "windows": windows, "window_radius": np.full(d, 0.25)},
            )


    class ToyOptions(DirectOptions):
        display_name: ClassVar[str] = "toy"
        capabilities: ClassVar[Capabilities] = Toy.capabilities
        unused: ClassVar[dict[str, str]] = {"k": "it finds the clusters itself", "tol": "it never iterates"}
        name: Literal["toy"] = "toy"
        clusters: int = 3

        def recorder(self, seed):
            return Toy(self.clusters)


    clusteranim.register(ToyOptions)
    """
)


def run_toy(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "toy_script.py").write_text(TOY + textwrap.dedent(script))
    return subprocess.run(
        [sys.executable, str(tmp_path / "toy_script.py")],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_direct_algorithm_renders_saves_and_reads_back_its_own_arrays(tmp_path: Path) -> None:
    done = run_toy(
        tmp_path,
        """
        import json
        from clusteranim.pipeline import render, run
        from clusteranim.scenario import load_scenario
        from clusteranim.trace import read_trace
        from pathlib import Path

        document = {
            "seed": 3,
            "data": {"generator": "blobs", "n_samples": 60, "centers": 3},
            "algorithm": {"name": "toy", "normalize": "minmax"},
            "style": {"width": 200, "height": 160, "layers": ["points", "centroids", "title"]},
        }
        scenario = load_scenario(document)
        from clusteranim.catalog import describe

        listing = describe("algorithms").splitlines()
        toy = next(index for index, line in enumerate(listing) if line.startswith("  toy:"))
        listed = "finds the number of clusters" in listing[toy + 1]
        print(json.dumps({"finds_k": scenario.profile.finds_k, "listed": listed}))
        trace = run(scenario)
        trace.save("toy.npz")
        back = read_trace(Path("toy.npz"), "toy.npz", 10**6)
        print(json.dumps({
            "n_clusters": trace.n_clusters,
            "n_states": len(trace),
            "labels0": trace.labels(0).tolist(),
            "windows_data": trace.extras["windows"][1].tolist(),
            "X2": trace.X[:2].tolist(),
            "low": trace.X.min(axis=0).tolist(),
            "radius": trace.extras["window_radius"].tolist(),
            "span": (trace.X.max(axis=0) - trace.X.min(axis=0)).tolist(),
            "back": sorted(back.arrays),
            "back_key": back.profile.key,
            "same_windows": bool((back.arrays["windows"] == trace.extras["windows"]).all()),
        }))
        result = render(document, output="toy.gif", jobs=1)
        again = render(document, output="again.gif", trace="toy.npz", jobs=1)
        same = Path("toy.gif").read_bytes() == Path("again.gif").read_bytes()
        print(json.dumps({"frames": result.frames, "same": same}))
        """,
    )
    assert done.returncode == 0, done.stderr
    first, facts, rendered = (json.loads(line) for line in done.stdout.splitlines())
    assert first == {"finds_k": True, "listed": True}
    assert facts["n_clusters"] == 3 and facts["n_states"] == 4
    assert set(facts["labels0"]) == {-1}
    # Windows at state 1 are twice the first two points in the fitting space, mapped back.
    X2, windows = np.array(facts["X2"]), np.array(facts["windows_data"])
    np.testing.assert_allclose(windows, 2 * X2 - np.array(facts["low"]))
    # The radius is given in the fitting space (min-max): in data units it is 0.25 times each span.
    np.testing.assert_allclose(facts["radius"], 0.25 * np.array(facts["span"]))
    assert {"windows", "window_radius", "core", "fit_offset", "fit_scale"} <= set(facts["back"])
    assert facts["back_key"] == "toy" and facts["same_windows"]
    assert rendered["frames"] >= 4
    assert rendered["same"], "the trace read back from its file draws the same animation"
    assert (tmp_path / "toy.gif").stat().st_size > 0


@pytest.mark.parametrize(
    ("algorithm", "style", "expected"),
    [
        (
            {"name": "toy", "tol": 0.1},
            {},
            "algorithm.tol: is not used by toy: it never iterates",
        ),
        ({"name": "toy", "k": 4}, {}, "algorithm.k: is not used by toy: it finds the clusters itself"),
        (
            {"name": "toy"},
            {"palette": ["red", "blue"]},
            "style.palette: lists 2 colours but 3 are needed (the run found 3)",
        ),
    ],
)
def test_a_direct_algorithm_refuses_in_validate_as_in_render(
    tmp_path: Path, algorithm: dict[str, object], style: dict[str, object], expected: str
) -> None:
    done = run_toy(
        tmp_path,
        f"""
        import sys, yaml
        from clusteranim.cli import main
        data = {{"generator": "blobs", "n_samples": 40}}
        document = {{"data": data, "algorithm": {algorithm!r}, "style": {style!r}}}
        open("s.yaml", "w").write(yaml.safe_dump(document))
        for command in ("validate", "render"):
            try:
                output = ["-o", "out.gif"] if command == "render" else []
                main([command, "s.yaml", *output], standalone_mode=False)
            except SystemExit as exit:
                print(command, exit.code)
        """,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert any(expected in line for line in lines), done.stderr
    assert sum(expected in line for line in lines) == 2, done.stderr
    assert not (tmp_path / "out.gif").exists()


def test_unused_keys_are_not_listed() -> None:
    from clusteranim.algorithms.base import DirectOptions

    class Quiet(DirectOptions):
        unused: ClassVar[dict[str, str]] = {"k": "", "max_iter": ""}

    assert "k" not in Quiet.parameters() and "max_iter" not in Quiet.parameters()
    assert "normalize" in Quiet.parameters()
