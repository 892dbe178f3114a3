"""The README documents every command, option and scenario key."""

from __future__ import annotations

import click

from clusteranim.algorithms import ALGORITHMS
from clusteranim.cli import main
from clusteranim.data import GENERATORS
from clusteranim.scenario import Scenario
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.style import StyleOptions
from clusteranim.writers import FORMATS
from clusteranim.writers.options import OutputOptions
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_are_at_the_top() -> None:
    head = README.split("\n## ", 1)[0]
    assert "make render" in head and "make test" in head


def test_every_scenario_key_is_documented() -> None:
    models = [
        Scenario,
        StyleOptions,
        OutputOptions,
        *GENERATORS.values(),
        *ALGORITHMS.values(),
        *LAYERS.values(),
    ]
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if f"`{name}`" not in README
    ]
    assert missing == []
    for name in [*GENERATORS, *ALGORITHMS, *LAYERS, *FORMATS]:
        assert f"`{name}`" in README


def test_every_command_and_option_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert f"clusteranim {name}" in README
        for parameter in command.params:
            if isinstance(parameter, click.Option):
                assert any(f"`{opt}" in README or f"{opt} " in README for opt in parameter.opts), (
                    name,
                    parameter.opts,
                )
