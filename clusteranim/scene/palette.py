"""Cluster colours from a matplotlib colormap name, evenly spaced hues, a generated set of
distinct colours, or a list.

The ``distinct`` palette is made the way Glasbey et al. (2007) made theirs: colours are
picked one at a time from a grid of sRGB colours, each the candidate farthest in CIELAB
(Euclidean distance, CIE76 Delta E) from every colour picked before it and from the
backgrounds and noise greys of both themes. Candidates too dark or too light to stand out
on both backgrounds, and greys (which noise points use), are left out. Picking is greedy,
so the first n colours are the same whatever number is asked for: a cluster keeps its
colour when k grows. Thirty colours lie at least 30 Delta E apart (a test keeps it so).
"""

from __future__ import annotations

import functools
import re
from typing import Annotated

import numpy as np
from pydantic import AfterValidator

from clusteranim.arrays import FloatArray
from clusteranim.errors import did_you_mean
from clusteranim.scene.names import COLORMAPS, CSS4_COLORS, GENERATED_PALETTES, MARKERS, QUALITATIVE_SIZES
from clusteranim.scene.text import check_text

#: ``auto`` takes tab10 up to this many clusters, ``distinct`` beyond.
AUTO_TAB10 = 10


def cluster_colors(palette: str | list[str], n_colors: int) -> FloatArray:
    """RGBA colours of shape (n_colors, 4), one per cluster.

    Parameters
    ----------
    palette : str or list of str
        ``auto`` for tab10 up to 10 colours and ``distinct`` beyond; ``distinct`` for
        colours generated far apart (see the module's docstring); ``hsv`` for evenly
        spaced hues; the name of a qualitative colormap (``tab10``), whose colours are
        taken in order (it must have enough); any other colormap, sampled evenly; or a
        list of matplotlib colours, which must name at least ``n_colors``.
    n_colors : int
    """
    from matplotlib import colormaps, colors

    check_palette_size(palette, n_colors)
    if isinstance(palette, list):
        return colors.to_rgba_array(palette[:n_colors])
    if palette == "auto":
        return cluster_colors("tab10" if n_colors <= AUTO_TAB10 else "distinct", n_colors)
    if palette == "distinct":
        return np.column_stack([distinct_colors(n_colors), np.ones(n_colors)])
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
    if palette in GENERATED_PALETTES:
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
        " use auto or distinct (colours generated to stay apart), or a continuous colormap such as viridis"
    )


#: sRGB levels per channel of the candidates for ``distinct`` (32**3 colours).
DISTINCT_LEVELS = 32
#: CIELAB lightness and chroma a ``distinct`` colour must have: visible on white and on
#: the dark theme's background, and unlike the noise grey.
DISTINCT_LIGHTNESS = (35.0, 80.0)
DISTINCT_MIN_CHROMA = 25.0
#: The colours ``distinct`` colours keep away from: white, black, and each theme's
#: background and noise grey.
DISTINCT_AVOID = ("#ffffff", "#000000", "#9a9a9a", "#16191d", "#5c636b")


@functools.cache
def distinct_colors(n_colors: int) -> FloatArray:
    """``n_colors`` sRGB colours of shape (n_colors, 3), each the candidate farthest in
    CIELAB from those before it (see the module's docstring)."""
    from matplotlib import colors

    levels = np.linspace(0.0, 1.0, DISTINCT_LEVELS)
    candidates = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lab = srgb_to_lab(candidates)
    lightness, chroma = lab[:, 0], np.hypot(lab[:, 1], lab[:, 2])
    low, high = DISTINCT_LIGHTNESS
    usable = (lightness >= low) & (lightness <= high) & (chroma >= DISTINCT_MIN_CHROMA)
    candidates, lab = candidates[usable], lab[usable]
    avoided = srgb_to_lab(colors.to_rgba_array(DISTINCT_AVOID)[:, :3])
    distance = np.linalg.norm(lab[:, None, :] - avoided[None, :, :], axis=2).min(axis=1)
    picks = []
    for _ in range(n_colors):
        pick = int(np.argmax(distance))
        picks.append(pick)
        distance = np.minimum(distance, np.linalg.norm(lab - lab[pick], axis=1))
    chosen: FloatArray = candidates[picks]
    chosen.flags.writeable = False  # cached: shared by every caller
    return chosen


def srgb_to_lab(rgb: FloatArray) -> FloatArray:
    """CIELAB (D65 white) of sRGB colours in [0, 1], shape (n, 3) to (n, 3)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    srgb_to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = linear @ srgb_to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    delta = 6.0 / 29.0
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4.0 / 29.0)
    lab: FloatArray = np.stack(
        [116.0 * f[:, 1] - 16.0, 500.0 * (f[:, 0] - f[:, 1]), 200.0 * (f[:, 1] - f[:, 2])], axis=1
    )
    return lab


COLOR_PATTERN = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|C[0-9]|tab:[a-z]+|[bgrcmykw]"
)


def is_palette_name(name: str) -> bool:
    """Whether ``name`` is one of :data:`GENERATED_PALETTES` or a matplotlib colormap
    (optionally reversed, "_r")."""
    if name in GENERATED_PALETTES or name.removesuffix("_r") in COLORMAPS:
        return True
    from matplotlib import colormaps

    return name in colormaps


def check_palette(palette: str | list[str]) -> str | list[str]:
    """Raise ValueError unless ``palette`` names a colormap or lists valid colours."""
    if isinstance(palette, str):
        if not is_palette_name(palette):
            hint = did_you_mean(palette, [*COLORMAPS, *GENERATED_PALETTES], listing=None)
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
