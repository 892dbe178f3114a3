"""Light and dark looks: figure, axes and text colours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Theme:
    """Colours that layers need to know (others go through matplotlib's rc settings).

    Parameters
    ----------
    background : str
        The axes' face colour, which faint layers fade to.
    figure : str
        The colour around the axes.
    foreground : str
        Text, ticks and spines.
    muted : str
        Secondary lines (grid, trails' outline, panel frames), and points that belong
        to no cluster (noise).
    outline : str
        The line around a marker that must stand out over points of its own colour.
    """

    background: str
    figure: str
    foreground: str
    muted: str
    outline: str

    def noise_rgba(self) -> tuple[float, float, float, float]:
        """The colour of points that belong to no cluster."""
        from matplotlib.colors import to_rgba

        return to_rgba(self.muted)

    def label_box(self, alpha: float) -> dict[str, Any]:
        """The rounded, borderless box behind a label drawn over the data (matplotlib's
        ``bbox`` of a text)."""
        return {"boxstyle": "round,pad=0.3", "facecolor": self.background, "alpha": alpha, "linewidth": 0}

    def rc(self, font_size: float) -> dict[str, Any]:
        """matplotlib rc settings for this theme."""
        return {
            "figure.facecolor": self.figure,
            "axes.facecolor": self.background,
            "axes.edgecolor": self.muted,
            "axes.labelcolor": self.foreground,
            "axes.titlecolor": self.foreground,
            "text.color": self.foreground,
            "xtick.color": self.foreground,
            "ytick.color": self.foreground,
            "legend.facecolor": self.background,
            "legend.edgecolor": self.muted,
            "legend.labelcolor": self.foreground,
            "font.size": font_size,
            "axes.titlesize": "large",
        }


THEMES: dict[str, Theme] = {
    "light": Theme(
        background="#ffffff", figure="#ffffff", foreground="#222222", muted="#9a9a9a", outline="black"
    ),
    "dark": Theme(
        background="#16191d", figure="#0f1113", foreground="#e6e6e6", muted="#5c636b", outline="#e6e6e6"
    ),
}
