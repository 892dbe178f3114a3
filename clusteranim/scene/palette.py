"""Cluster colours from a matplotlib colormap name, evenly spaced hues, or a list."""

from __future__ import annotations

import re
from typing import Annotated

import numpy as np
from pydantic import AfterValidator

from clusteranim.arrays import FloatArray
from clusteranim.errors import did_you_mean
from clusteranim.scene.names import COLORMAPS, CSS4_COLORS, MARKERS, QUALITATIVE_SIZES
from clusteranim.scene.text import check_text


def cluster_colors(palette: str | list[str], n_colors: int) -> FloatArray:
    """RGBA colours of shape (n_colors, 4), one per cluster.

    Parameters
    ----------
    palette : str or list of str
        ``hsv`` for evenly spaced hues; the name of a qualitative colormap (``tab10``),
        whose colours are taken in order (it must have enough); any other colormap, sampled evenly; or a list
        of matplotlib colours, which must name at least ``n_colors``.
    n_colors : int
    """
    from matplotlib import colormaps, colors

    check_palette_size(palette, n_colors)
    if isinstance(palette, list):
        return colors.to_rgba_array(palette[:n_colors])
    if palette == "hsv":
        hues = np.arange(n_colors) / n_colors
        rgb = colors.hsv_to_rgb(np.stack([hues, np.full(n_colors, 0.85), np.full(n_colors, 0.9)], axis=1))
        return np.column_stack([rgb, np.ones(n_colors)])
    colormap = colormaps[palette]
    if palette_size(palette) is not None:
        return np.asarray(colormap(np.arange(n_colors)), dtype=np.float64)
    return np.asarray(colormap(np.linspace(0.0, 1.0, n_colors)), dtype=np.float64)


def palette_size(palette: str | list[str]) -> int | None:
    """How many colours ``palette`` has, or None for one sampled evenly (any number)."""
    if isinstance(palette, list):
        return len(palette)
    if palette == "hsv":
        return None
    name = palette.removesuffix("_r")
    if name in COLORMAPS:
        return QUALITATIVE_SIZES.get(name)
    from matplotlib import colormaps, colors

    colormap = colormaps[palette]
    return colormap.N if isinstance(colormap, colors.ListedColormap) and colormap.N <= 20 else None


def check_palette_size(palette: str | list[str], n_colors: int) -> None:
    """Raise ValueError unless ``palette`` has at least ``n_colors`` colours."""
    size = palette_size(palette)
    if size is None or size >= n_colors:
        return
    if isinstance(palette, list):
        raise ValueError(f"lists {size} colours but {n_colors} are needed")
    raise ValueError(
        f"{palette} has {size} colours but {n_colors} are needed;"
        " use hsv or a continuous colormap such as viridis"
    )


COLOR_PATTERN = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|C[0-9]|tab:[a-z]+|[bgrcmykw]"
)


def is_palette_name(name: str) -> bool:
    """Whether ``name`` is ``hsv`` or a matplotlib colormap (optionally reversed, "_r")."""
    if name == "hsv" or name.removesuffix("_r") in COLORMAPS:
        return True
    from matplotlib import colormaps

    return name in colormaps


def check_palette(palette: str | list[str]) -> str | list[str]:
    """Raise ValueError unless ``palette`` names a colormap or lists valid colours."""
    if isinstance(palette, str):
        if not is_palette_name(palette):
            hint = did_you_mean(palette, [*COLORMAPS, "hsv"], listing=None)
            raise ValueError(f"unknown palette {palette!r}{hint}")
        return palette
    if not palette:
        raise ValueError("must list at least one colour")
    for color in palette:
        check_color(color)
    return palette


def check_color(color: str) -> str:
    """Raise ValueError unless matplotlib understands ``color``."""
    if color in CSS4_COLORS or COLOR_PATTERN.fullmatch(color):
        return color
    from matplotlib import colors

    if not colors.is_color_like(color):
        raise ValueError(
            f"{color!r} is not a colour (a name like 'navy', a hex code like '#1f77b4', or 'tab:blue')"
        )
    return color


def check_marker(marker: str) -> str:
    """Raise ValueError unless ``marker`` is a matplotlib marker."""
    if marker in MARKERS:
        return marker
    if len(marker) > 2 and marker.startswith("$") and marker.endswith("$"):
        return check_text(marker)
    from matplotlib.markers import MarkerStyle

    try:
        MarkerStyle(marker)
    except ValueError:
        raise ValueError(f"{marker!r} is not a marker; try one of o . x + s ^ v D * P X") from None
    return marker


Color = Annotated[str, AfterValidator(check_color)]
Marker = Annotated[str, AfterValidator(check_marker)]
