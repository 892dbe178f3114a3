"""clusteranim.register: plug-ins checked as they join, a redefined one replaces itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from clusteranim.algorithms import ALGORITHMS
from clusteranim.algorithms.base import DirectOptions

# Registering changes the registries of the process: each check runs in its own.
SCRIPT = textwrap.dedent(
    """
    from typing import Literal

    import clusteranim
    from clusteranim.algorithms.kmeans import KMeansOptions
    from clusteranim.scene.base import LayerOptions
    from clusteranim.scenario import load_scenario
    from clusteranim.writers import FORMATS


    def refused(plugin, **keywords):
        try:
            clusteranim.register(plugin, **keywords)
        except ValueError as error:
            print(error)
        else:
            print("accepted")


    def make_layer(needs):
        class Sizes(LayerOptions):
            name: Literal["sizes"] = "sizes"

        Sizes.needs = needs
        return Sizes


    refused(make_layer(("centers",)))
    refused(make_layer(("centers",)))  # the same cell run again: replaces
    print(len([name for name in clusteranim.scene.layers.LAYERS if name == "sizes"]))
    load_scenario({"style": {"layers": ["points", "sizes"]}})
    refused(make_layer(("centres",)))


    class Other(LayerOptions):
        name: Literal["sizes"] = "sizes"


    refused(Other)


    class Writer:
        writes_folder = False
        extensions = (".GIF",)

        def __init__(self, path, movie): ...


    refused(Writer, name="shouty")
    Writer.extensions = (".gif",)
    refused(Writer, name="second_gif")
    Writer.extensions = (".apng",)
    refused(Writer, name="apng")
    print(sorted(FORMATS)[0])


    class Liar(KMeansOptions):
        name: Literal["liar"] = "liar"
        capabilities = clusteranim.algorithms.Capabilities(covariances=True)


    refused(Liar)


    class Custom(KMeansOptions):
        name: Literal["custom"] = "custom"


    refused(Custom)
    refused(42)
    """
)


def test_plugins_are_checked_as_they_join() -> None:
    process = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, timeout=60
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == [
        "accepted",
        "accepted",
        "1",
        "Sizes.needs: unknown capability 'centres'; did you mean 'centers'?",
        "'sizes' is taken by __main__.make_layer.<locals>.Sizes",
        "shouty: extensions must be a tuple of lower-case '.ext' strings, got ('.GIF',)",
        "second_gif: .gif already selects the format 'gif'",
        "accepted",
        "apng",
        "Liar.capabilities and those of the KMeans it builds differ; set capabilities = KMeans.capabilities",
        "'custom' names traces made outside clusteranim; choose another name",
        "42 is not a plug-in class (options or a writer)",
    ]


def test_built_in_algorithms_declare_what_they_build() -> None:
    for options in ALGORITHMS.values():
        made = options().recorder(0) if issubclass(options, DirectOptions) else options().build(0)
        assert options.capabilities == made.capabilities
