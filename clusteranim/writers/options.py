"""The output section of a scenario: where and how the animation is written."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from clusteranim.errors import did_you_mean
from clusteranim.options import OptionError, Options
from clusteranim.writers import FORMATS, format_for_path


class OutputOptions(Options):
    """Where and how the animation is written."""

    path: str = Field(
        "out/animation.gif",
        description="Output file, relative to the current directory; its extension"
        " chooses the format unless format is set.",
    )
    format: str | None = Field(
        None, description="A registered format: gif, mp4, webm, html, frames (see clusteranim list formats)."
    )
    fps: float = Field(2.0, gt=0, le=100, description="Frames per second.")
    hold_last: float = Field(1.0, ge=0, le=600, description="Seconds the final frame stays on screen.")
    loop: int = Field(
        0, ge=0, le=65535, description="0 loops forever; n plays the animation n times (GIF, HTML)."
    )
    quality: int | None = Field(
        None,
        ge=0,
        le=63,
        description="Video quality as a CRF: lower is better and bigger; MP4 (H.264) 0-51,"
        " default 20; WebM (VP9) 0-63, default 24.",
    )
    toggle_layers: list[str] = Field(
        default_factory=list,
        max_length=32,
        description="HTML player: layers the viewer can switch off (each stored apart, as transparent"
        " images of what it draws).",
    )
    poster: str | None = Field(
        None,
        description="Also write the last frame as a PNG at this path (relative to the current directory).",
    )
    tween: int = Field(
        0,
        ge=0,
        le=100,
        description="Interpolated frames between two iterations: centroids, ellipses and"
        " weights move smoothly, assignments switch halfway.",
    )

    @field_validator("format")
    @classmethod
    def _check_format(cls, format: str | None) -> str | None:
        if format is not None and format not in FORMATS:
            raise ValueError(f"unknown format {format!r}{did_you_mean(format, FORMATS)}")
        return format

    @model_validator(mode="after")
    def _check_path(self) -> OutputOptions:
        if not self.path.strip():
            raise OptionError("path", "must not be empty")
        if self.format is None:
            try:
                format_for_path(self.path)
            except ValueError as error:
                raise OptionError("path", str(error)) from None
        output_format = self.resolved_format()
        if output_format == "mp4" and self.quality is not None and self.quality > 51:
            raise OptionError("quality", f"must be <= 51 for MP4 (H.264 CRF), got {self.quality}")
        if self.toggle_layers and output_format != "html":
            raise OptionError("toggle_layers", "only the HTML player can switch layers")
        return self

    def resolved_format(self) -> str:
        """``format``, else the format the extension of ``path`` names."""
        return self.format or format_for_path(self.path)
