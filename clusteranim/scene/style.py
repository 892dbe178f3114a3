"""The style section of a scenario: how frames look, and the layers that draw them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from clusteranim.options import IntPair, Options, tagged_union
from clusteranim.scene.base import LayerOptions
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.palette import check_palette
from clusteranim.scene.text import TEMPLATE_FIELDS, check_template

if TYPE_CHECKING:
    LayerSpec = LayerOptions
else:
    LayerSpec = tagged_union(LAYERS, "name", None)


def _default_layers() -> list[LayerOptions]:
    return [LAYERS[name]() for name in ("points", "centroids", "title")]


class StyleOptions(Options):
    """How frames look."""

    width: int = Field(640, ge=32, description="Frame width in pixels (see limits.max_pixels).")
    height: int = Field(480, ge=32, description="Frame height in pixels (see limits.max_pixels).")
    dpi: float = Field(
        100.0, gt=0, le=1000, description="Dots per inch: scales text and markers, not the frame."
    )
    palette: str | list[str] = Field(
        "auto",
        description="auto (tab10 up to 10 clusters, distinct beyond), distinct (colours generated"
        " to stay apart, see the README), a matplotlib colormap name, hsv for evenly spaced hues,"
        " or a list of colours.",
    )
    layers: list[LayerSpec] = Field(
        default_factory=_default_layers,
        min_length=1,
        description="Layers from bottom to top: a name, or {name: {option: value}}; by default"
        " points, centroids and title (for DBSCAN, which has no centroids: points, core and title; for"
        " mean-shift: points, windows, centroids and title).",
    )
    title: str = Field(
        "{algorithm}, iteration {iteration}",
        description="Title template; fields: " + ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS),
    )
    padding: float = Field(0.05, ge=0, le=2, description="Margin around the data, as a fraction of its span.")
    projection: Literal["pca", "first2"] | IntPair | None = Field(
        None,
        description="The 2-D view of d-dimensional data: pca (the default when d > 2), first2,"
        " or a pair of column indices [i, j].",
    )
    aspect: Literal["equal", "auto"] = Field(
        "equal", description="equal keeps circles round; auto fills the frame."
    )
    theme: Literal["light", "dark"] = Field("light", description="Light or dark background.")
    font_size: float = Field(10.0, gt=0, le=72, description="Base font size in points.")
    axes: bool = Field(True, description="Draw the axes frame (false: the data alone).")
    ticks: bool = Field(True, description="Draw tick marks, their labels and axis labels.")

    def templates(self) -> dict[str, str]:
        """Every text template the style fills in per frame, by its key (from the root)."""
        found = {"style.title": self.title}
        for depth, layer in enumerate(self.layers):
            label = getattr(layer, "label_template", None)
            if isinstance(label, str):
                found[f"style.layers.{depth}.{layer.plugin_name()}.corner_label"] = label
            for option, template in layer.text_templates().items():
                found[f"style.layers.{depth}.{layer.plugin_name()}.{option}"] = template
        return found

    def explained(self) -> StyleOptions:
        """This style with what explain mode shows: the changes layer (beneath the
        centroids and everything above them) and the caption (on top), unless it has them."""
        names = [layer.plugin_name() for layer in self.layers]
        layers = list(self.layers)
        if "changes" not in names:
            above = [names.index(name) for name in ("centroids", "trails", "ellipses") if name in names]
            layers.insert(min(above, default=len(layers)), LAYERS["changes"]())
        if "caption" not in names:
            layers.append(LAYERS["caption"]())
        return self.model_copy(update={"layers": layers})

    @field_validator("layers", mode="before")
    @classmethod
    def _name_layers(cls, layers: Any) -> Any:
        """Turn ``points`` and ``{points: {...}}`` into ``{name: points, ...}``."""
        if not isinstance(layers, list):
            return layers
        return [named_entry(entry) for entry in layers]

    @field_validator("palette")
    @classmethod
    def _check_palette(cls, palette: str | list[str]) -> str | list[str]:
        return check_palette(palette)

    @field_validator("title")
    @classmethod
    def _check_title(cls, title: str) -> str:
        return check_template(title)


def named_entry(entry: Any) -> Any:
    """A layer entry as a mapping with its name: ``points`` and ``{points: {...}}`` become
    ``{name: points, ...}``."""
    if isinstance(entry, str):
        return {"name": entry}
    if isinstance(entry, dict) and len(entry) == 1 and "name" not in entry:
        ((name, options),) = entry.items()
        if options is None:
            return {"name": name}
        if isinstance(options, dict):
            return {"name": name, **options}
    return entry
