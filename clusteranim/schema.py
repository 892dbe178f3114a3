"""The JSON Schema of the scenario format, for editors and other checkers.

Pydantic writes the schema of every field from its type and ``Field`` constraints. This
module adds what the loader checks in Python and pydantic cannot export:

* a plug-in section is chosen by its name key (``generator``, ``name``), with the
  loader's default when the key is left out: one ``if``/``then`` per plug-in;
* a layer may be written as ``points``, ``{points: {size: 3}}`` or
  ``{name: points, size: 3}``;
* the checks of single fields made by validators (a colour, a marker, a palette name, a
  title template, counts >= 1, ...) as JSON Schema keywords;
* every number is finite, as the option models require.

What needs two keys at once (``k`` against the number of points, a matrix against the
dimension, the limits) or the data file is left to ``clusteranim validate``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from clusteranim.algorithms import ALGORITHMS
from clusteranim.algorithms.base import DirectOptions
from clusteranim.algorithms.gmm import GaussianMixtureOptions
from clusteranim.algorithms.kmeans import KMeansOptions
from clusteranim.data import GENERATORS
from clusteranim.data.blobs import BlobsLikeOptions
from clusteranim.data.file import FileOptions
from clusteranim.data.gaussian_mixture import GaussianMixtureDataOptions
from clusteranim.data.uniform_clusters import UniformClustersOptions
from clusteranim.options import NamedOptions
from clusteranim.scenario import Scenario
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.layers.title import TitleOptions
from clusteranim.scene.names import COLORMAPS, GENERATED_PALETTES
from clusteranim.scene.palette import check_color, check_marker
from clusteranim.scene.style import StyleOptions
from clusteranim.scene.text import TEMPLATE_FIELDS
from clusteranim.writers import FORMATS
from clusteranim.writers.options import OutputOptions

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: A string with something other than spaces in it.
NOT_BLANK = r"\S"
#: A colour: whatever does not start with "#" (names are left to the loader), or a hex code.
COLOR = {
    "type": "string",
    "pattern": r"^(?:[^#][\s\S]*|#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}))$",
}
#: A title template: text with {{ and }} for braces, and known fields with an optional format.
TEMPLATE = r"^(?:[^{}]|\{\{|\}\}|\{(?:" + "|".join(TEMPLATE_FIELDS) + r")(?::[^{}]*)?\})*$"


JsonSchemaEdit = Callable[[JsonSchemaValue], JsonSchemaValue]


def _also(**keywords: Any) -> JsonSchemaEdit:
    """An edit adding ``keywords`` to a schema."""
    return lambda json_schema: {**json_schema, **keywords}


def _marker(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    from matplotlib.markers import MarkerStyle

    codes = sorted(code for code in MarkerStyle.markers if isinstance(code, str))
    return {**json_schema, "anyOf": [{"enum": codes}, {"pattern": r"^\$[\s\S]+\$$"}]}


def _palette(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    """A colormap name (every name ``is_palette_name`` accepts) or a list of colours."""
    from matplotlib import colormaps

    names = sorted({*GENERATED_PALETTES, *COLORMAPS, *(f"{name}_r" for name in COLORMAPS), *colormaps})
    return {**json_schema, "anyOf": [{"enum": names}, {"type": "array", "minItems": 1, "items": COLOR}]}


def _layer_shorthand(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    """Layers as ``StyleOptions`` reads them: ``points``, ``{points: {...}}`` or ``{name: points, ...}``."""
    named = json_schema["items"]
    layers = {branch["if"]["properties"]["name"]["const"]: branch["then"] for branch in named["allOf"]}
    entry = {
        "anyOf": [
            {"type": "string", "enum": list(layers)},
            named,
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "propertyNames": {"enum": list(layers)},
                "properties": {name: {"anyOf": [{"type": "null"}, ref]} for name, ref in layers.items()},
            },
        ]
    }
    return {**json_schema, "items": entry}


#: What validators check in Python, by check function (the annotated types Color, Marker).
CHECKED_TYPES: dict[Callable[..., Any], JsonSchemaEdit] = {
    check_color: _also(**COLOR),
    check_marker: _marker,
}

#: What validators check on one field, by (model, field); a model's subclasses share it.
#: Keywords of one JSON type (``minimum``, ``items``, ``pattern``) leave values of other
#: types alone, so they apply to their branch of an ``int | list[int]`` field.
CHECKED_FIELDS: dict[tuple[type[BaseModel], str], JsonSchemaEdit] = {
    (StyleOptions, "palette"): _palette,
    (StyleOptions, "layers"): _layer_shorthand,
    (StyleOptions, "title"): _also(pattern=TEMPLATE),
    (TitleOptions, "corner_label"): _also(pattern=TEMPLATE),
    (OutputOptions, "path"): _also(pattern=NOT_BLANK),
    # The registries as they are when the schema is made (plug-ins may have joined them).
    (OutputOptions, "format"): lambda json_schema: {**json_schema, "enum": [*FORMATS, None]},
    (OutputOptions, "toggle_layers"): lambda json_schema: {**json_schema, "items": {"enum": list(LAYERS)}},
    (BlobsLikeOptions, "n_samples"): _also(minimum=1, minItems=1, items={"minimum": 0}),
    (BlobsLikeOptions, "centers"): _also(minimum=1, minItems=1, items={"minItems": 1}),
    (BlobsLikeOptions, "cluster_std"): _also(minimum=0, items={"minimum": 0}),
    (UniformClustersOptions, "bounds"): _also(minItems=1),
    (GaussianMixtureDataOptions, "means"): _also(minItems=1, items={"minItems": 1}),
    (GaussianMixtureDataOptions, "weights"): _also(items={"minimum": 0}),
    (FileOptions, "path"): _also(pattern=NOT_BLANK),
    (FileOptions, "delimiter"): _also(minLength=1, maxLength=1),
    (FileOptions, "columns"): _also(minItems=1, items={"minimum": 0}),
    (KMeansOptions, "init"): _also(minItems=1, items={"minItems": 1}),
    (GaussianMixtureOptions, "means"): _also(minItems=1, items={"minItems": 1}),
    (GaussianMixtureOptions, "weights"): _also(items={"minimum": 0}),
}

REGISTRIES: tuple[Mapping[str, type[NamedOptions]], ...] = (GENERATORS, ALGORITHMS, LAYERS)


class ScenarioSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema generator, told what the scenario loader accepts."""

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        # Options forbid inf and nan; a bound rejects .inf (nothing in JSON can be NaN).
        json_schema = super().float_schema(schema)
        if "maximum" not in json_schema and "exclusiveMaximum" not in json_schema:
            json_schema["maximum"] = sys.float_info.max
        if "minimum" not in json_schema and "exclusiveMinimum" not in json_schema:
            json_schema["minimum"] = -sys.float_info.max
        return json_schema

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        edit = CHECKED_TYPES.get(schema["function"]["function"])
        return edit(json_schema) if edit else json_schema

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        properties = json_schema.get("properties", {})
        options = schema["cls"]
        if issubclass(options, DirectOptions):
            for name in options.unused:  # keys every algorithm has, which this one refuses
                properties.pop(name, None)
        for (model, name), edit in CHECKED_FIELDS.items():
            if issubclass(schema["cls"], model) and name in properties:
                properties[name] = edit(properties[name])
        return json_schema

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        """A plug-in chosen by its name key: one ``if``/``then`` per plug-in."""
        registry = next((names for names in REGISTRIES if set(names) == set(schema["choices"])), None)
        discriminator = schema["discriminator"]
        if registry is None or not callable(discriminator):
            return super().tagged_union_schema(schema)
        key = next(iter(registry.values())).kind_key
        default = discriminator({})  # the plug-in a mapping without the key selects
        branches = []
        for name, choice in schema["choices"].items():
            condition: JsonSchemaValue = {"properties": {key: {"const": name}}}
            if name != default:
                condition["required"] = [key]
            branches.append({"if": condition, "then": self.generate_inner(choice)})
        json_schema: JsonSchemaValue = {
            "type": "object",
            "properties": {key: {"enum": list(registry)}},
            "allOf": branches,
        }
        if default is None:
            json_schema["required"] = [key]
        return json_schema


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as YAML reads it.

    Returns
    -------
    schema : dict
        Accepts what the loader accepts, except what needs two keys at once or the data
        file; ``{}`` is the scenario of all defaults.
    """
    schema = Scenario.model_json_schema(schema_generator=ScenarioSchema)
    return {"$schema": DIALECT, **schema, "title": "clusteranim scenario"}


__all__ = ["scenario_json_schema"]
