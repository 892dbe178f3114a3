"""The scenario: its schema (composed of each part's options), YAML loading with line
marks, ``--set`` overrides, and messages that name the file, line and key.

Every key is one typed, documented field of a pydantic model. Loading reports every
problem at once, each as ``FILE:LINE: dotted.key: message``, with the line taken from
the YAML node marks; unknown keys get a "did you mean" hint, duplicate keys are errors.
"""

from __future__ import annotations

from clusteranim.scenario.keys import Origin
from clusteranim.scenario.load import load_scenario
from clusteranim.scenario.model import LimitsOptions, Scenario
from clusteranim.scenario.reading import ScenarioLoader
from clusteranim.scenario.registry import register

__all__ = ["LimitsOptions", "Origin", "Scenario", "ScenarioLoader", "load_scenario", "register"]
