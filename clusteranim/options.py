"""The base of every scenario section and plug-in option model.

Every data source, algorithm and layer declares its keys as a subclass of
:class:`Options`: one typed, documented field per key. Values are checked strictly
(YAML already gives them their types, so ``k: "3"`` is a mistake worth reporting),
every number is finite (``.nan``, ``.inf`` and ``1e999`` are errors) and unknown keys
are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

#: The mark of a key that live mode offers as a control (``Field(..., json_schema_extra=LIVE)``):
#: the page builds its controls from the marks, so a marked option needs no page code.
LIVE: dict[str, Any] = {"live": True}

#: Two numbers, as YAML writes them: ``[low, high]``.
FloatPair = Annotated[list[float], Field(min_length=2, max_length=2)]
#: Two integers, as YAML writes them: ``[i, j]``.
IntPair = Annotated[list[int], Field(min_length=2, max_length=2)]


class Options(BaseModel):
    """A frozen, strictly validated group of scenario keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class NamedOptions(Options):
    """Options of a plug-in chosen by name (a generator, an algorithm, a layer).

    Subclasses set ``kind_key`` (the field that names them, e.g. ``generator``) and
    declare that field as a ``Literal`` of their own name with that name as default.
    """

    kind_key: ClassVar[str] = "name"
    summary: ClassVar[str] = ""

    @classmethod
    def plugin_name(cls) -> str:
        """The name this plug-in is registered and selected under."""
        default = cls.model_fields[cls.kind_key].default
        assert isinstance(default, str), f"{cls.__name__}.{cls.kind_key} needs a default"
        return default

    @classmethod
    def parameters(cls) -> dict[str, Any]:
        """Each option (other than the name) with its default, for ``clusteranim list``."""
        return {
            name: None if field.is_required() else field.get_default(call_default_factory=True)
            for name, field in cls.model_fields.items()
            if name != cls.kind_key
        }


class OptionError(ValueError):
    """A cross-field check failed on one key of an options model.

    Raised from a model validator; the scenario loader reports it at ``key`` (a dotted
    path relative to the model) instead of at the model as a whole.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message

    def __reduce__(self) -> tuple[type[OptionError], tuple[str, str]]:
        """Pickle by key and message, so that one raised in a worker reads the same here."""
        return (type(self), (self.key, self.message))


def tagged_union(registry: Mapping[str, type[NamedOptions]], key: str, default: str | None) -> Any:
    """A union of the registered option models, chosen by the value of ``key``."""

    def choose(value: Any) -> Any:
        if isinstance(value, Mapping):
            return value.get(key, default)
        return getattr(value, key, None)

    choose.__name__ = key
    members = tuple(Annotated[model, Tag(name)] for name, model in registry.items())
    return Annotated[Union[members], Discriminator(choose)]  # noqa: UP007
