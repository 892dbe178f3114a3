"""Cluster colours from a matplotlib colormap name, evenly spaced hues, or a list."""

from __future__ import annotations

import numpy as np

from clusteranim.algorithms.base import FloatArray


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

    if isinstance(palette, list):
        if len(palette) < n_colors:
            raise ValueError(f"lists {len(palette)} colours but {n_colors} are needed")
        return colors.to_rgba_array(palette[:n_colors])
    if palette == "hsv":
        hues = np.arange(n_colors) / n_colors
        rgb = colors.hsv_to_rgb(np.stack([hues, np.full(n_colors, 0.85), np.full(n_colors, 0.9)], axis=1))
        return np.column_stack([rgb, np.ones(n_colors)])
    colormap = colormaps[palette]
    if isinstance(colormap, colors.ListedColormap) and colormap.N <= 20:
        if n_colors > colormap.N:
            raise ValueError(
                f"{palette} has {colormap.N} colours but {n_colors} are needed;"
                " use hsv or a continuous colormap such as viridis"
            )
        return np.asarray(colormap(np.arange(n_colors)), dtype=np.float64)
    return np.asarray(colormap(np.linspace(0.0, 1.0, n_colors)), dtype=np.float64)


def is_palette_name(name: str) -> bool:
    """Whether ``name`` is ``hsv`` or a registered matplotlib colormap."""
    from matplotlib import colormaps

    return name == "hsv" or name in colormaps


def check_palette(palette: str | list[str]) -> None:
    """Raise ValueError unless ``palette`` names a colormap or lists valid colours."""
    from matplotlib import colors

    if isinstance(palette, str):
        if not is_palette_name(palette):
            from difflib import get_close_matches

            from matplotlib import colormaps

            close = get_close_matches(palette, [*colormaps, "hsv"], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown palette {palette!r}{hint}")
        return
    if not palette:
        raise ValueError("must list at least one colour")
    for color in palette:
        if not colors.is_color_like(color):
            raise ValueError(f"{color!r} is not a colour")
