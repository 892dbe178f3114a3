"""Registering a plug-in: a data source, an algorithm, a layer or an output format.

The scenario's sections pick their plug-in by name from the registries
(``GENERATORS``, ``ALGORITHMS``, ``LAYERS``, ``FORMATS``); registering adds one and
rebuilds the scenario models, so that YAML, ``validate``, messages and the JSON schema
know it at once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Field
from pydantic.fields import FieldInfo

from clusteranim.algorithms import ALGORITHMS, AlgorithmOptions
from clusteranim.data import GENERATORS, DataOptions
from clusteranim.errors import did_you_mean
from clusteranim.options import NamedOptions, tagged_union
from clusteranim.scenario.model import Scenario
from clusteranim.scene.base import NEEDS, LayerOptions
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.style import StyleOptions
from clusteranim.trace import CUSTOM
from clusteranim.writers import FORMATS
from clusteranim.writers.base import WriterFactory


def register(plugin: type[NamedOptions] | WriterFactory, name: str | None = None) -> None:
    """Make ``plugin`` selectable by name in scenarios.

    Parameters
    ----------
    plugin : options class or writer class
        A subclass of ``DataOptions`` (chosen by ``data.generator``), ``AlgorithmOptions``
        (``algorithm.name``) or ``LayerOptions`` (an entry of ``style.layers``), whose
        name field's default is its name; or a writer class (``output.format``).
    name : str, optional
        The format's name, for a writer class.

    Raises
    ------
    ValueError
        When the name is taken, or ``plugin`` is none of these.
    """
    if isinstance(plugin, type) and issubclass(plugin, NamedOptions):
        if plugin.plugin_name() == CUSTOM:
            raise ValueError(f"{CUSTOM!r} names traces made outside clusteranim; choose another name")
        registry: dict[str, Any]
        if issubclass(plugin, AlgorithmOptions):
            registry = ALGORITHMS
            _check_algorithm(plugin)
        elif issubclass(plugin, DataOptions):
            registry = GENERATORS
        elif issubclass(plugin, LayerOptions):
            registry = LAYERS
            _check_layer(plugin)
        else:
            raise ValueError(f"{plugin.__name__} is not a data source, an algorithm or a layer")
        _add(registry, plugin.plugin_name(), plugin)
        _rebuild()
        return
    if not isinstance(plugin, type):
        raise ValueError(f"{plugin!r} is not a plug-in class (options or a writer)")
    if not isinstance(name, str) or not name:
        raise ValueError("a writer is registered under a format name: register(Writer, name='...')")
    _check_writer(plugin, name)
    _add(FORMATS, name, plugin)


def _add(registry: dict[str, Any], name: str, plugin: Any) -> None:
    """Add ``plugin``; a class of the same module and name replaces the one registered
    (a notebook cell run again), any other is refused."""
    held = registry.get(name)
    if held is not None and held is not plugin and _identity(held) != _identity(plugin):
        raise ValueError(f"{name!r} is taken by {_identity(held)}")
    registry[name] = plugin


def _identity(plugin: Any) -> str:
    return f"{getattr(plugin, '__module__', '?')}.{getattr(plugin, '__qualname__', plugin)}"


def _check_algorithm(plugin: type[AlgorithmOptions]) -> None:
    """Its options and the algorithm they build must declare the same capabilities (the
    layers are checked against the options, the frames drawn from the algorithm's)."""
    try:
        built = plugin().build(0)
    except Exception:  # options without defaults: checked when rendered
        return
    if getattr(built, "capabilities", None) != plugin.capabilities:
        raise ValueError(
            f"{plugin.__name__}.capabilities and those of the {type(built).__name__} it builds differ;"
            f" set capabilities = {type(built).__name__}.capabilities"
        )


def _check_layer(plugin: type[LayerOptions]) -> None:
    unknown = [need for need in plugin.needs if need not in NEEDS]
    if unknown:
        raise ValueError(
            f"{plugin.__name__}.needs: unknown capability {unknown[0]!r}{did_you_mean(unknown[0], NEEDS)}"
        )


def _check_writer(plugin: Any, name: str) -> None:
    extensions = getattr(plugin, "extensions", None)
    if not callable(plugin) or not isinstance(getattr(plugin, "writes_folder", None), bool):
        raise ValueError(
            f"{name}: a writer class has extensions, writes_folder, and opens with (path, movie)"
        )
    if not isinstance(extensions, tuple) or not all(
        isinstance(extension, str) and re.fullmatch(r"\.[a-z0-9]+", extension) for extension in extensions
    ):
        raise ValueError(
            f"{name}: extensions must be a tuple of lower-case '.ext' strings, got {extensions!r}"
        )
    for other, factory in FORMATS.items():
        claimed = set(extensions) & set(factory.extensions)
        if other != name and claimed:
            raise ValueError(f"{name}: {sorted(claimed)[0]} already selects the format {other!r}")


def _rebuild() -> None:
    """Rebuild the models whose fields choose among the registered plug-ins."""
    _retype(StyleOptions, "layers", list[tagged_union(LAYERS, "name", None)])  # type: ignore[misc]
    _retype(Scenario, "data", tagged_union(GENERATORS, "generator", "blobs"))
    _retype(Scenario, "algorithm", tagged_union(ALGORITHMS, "name", "kmeans"))


def _retype(model: type[BaseModel], field: str, annotation: Any) -> None:
    old = model.__pydantic_fields__[field]
    keep: dict[str, Any] = {"description": old.description}
    if old.default_factory is not None:
        keep["default_factory"] = old.default_factory
    # Constraints (a list's min_length) stay; the old union's discriminator goes.
    constraints = [item for item in old.metadata if not isinstance(item, Discriminator)]
    if constraints:
        annotation = Annotated.__class_getitem__((annotation, *constraints))  # type: ignore[attr-defined]
    model.__pydantic_fields__[field] = FieldInfo.from_annotated_attribute(annotation, Field(**keep))
    model.model_rebuild(force=True)
