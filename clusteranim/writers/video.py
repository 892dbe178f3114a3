"""MP4 (H.264) and WebM (VP9) through the ffmpeg that imageio-ffmpeg ships.

Raw RGBA frames are piped to ffmpeg as they are drawn, so memory does not grow with the
animation. Odd frame sizes are padded by one row or column (repeating the edge), never
resampled. Output is bit-exact: no timestamps, no encoder strings that vary, a fixed
number of encoder threads.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import numpy as np

from clusteranim.errors import RenderError
from clusteranim.writers.base import Movie

STDERR_LINES = 12


class VideoWriter:
    """Pipes frames to ffmpeg; subclasses name the codec and container."""

    extensions: ClassVar[tuple[str, ...]] = ()
    writes_folder = False
    container: ClassVar[str] = ""
    default_quality: ClassVar[int] = 0

    def __init__(self, path: Path, movie: Movie) -> None:
        import imageio_ffmpeg

        self.path = path
        self.movie = movie
        self.width = movie.width + movie.width % 2
        self.height = movie.height + movie.height % 2
        self.repeats = movie.repeats()
        self.last: np.ndarray | None = None
        self.held = 0
        self.written = 0
        rate = Fraction(movie.fps).limit_denominator(1001)
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgba",
            "-s",
            f"{self.width}x{self.height}",
            "-r",
            f"{rate.numerator}/{rate.denominator}",
            "-i",
            "-",
            "-an",
            *self.codec_arguments(movie.quality if movie.quality is not None else self.default_quality),
            "-pix_fmt",
            "yuv420p",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            "-f",
            self.container,
            str(path),
        ]
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the writer)
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self.errors)
        except OSError as error:
            self.errors.close()
            raise RenderError(f"cannot start ffmpeg ({error})") from error

    def codec_arguments(self, quality: int) -> list[str]:
        raise NotImplementedError

    def write(self, frame: np.ndarray) -> None:
        if frame.shape[:2] != (self.height, self.width):
            frame = np.pad(
                frame,
                ((0, self.height - frame.shape[0]), (0, self.width - frame.shape[1]), (0, 0)),
                mode="edge",
            )
        index, self.written = self.written, self.written + 1
        copies = self.repeats[index] if index < len(self.repeats) else 1
        if index == len(self.repeats) - 1:
            # The final frame's hold is written by finish, once the drawing is over.
            self.last, self.held, copies = frame, copies - 1, 1
        self._send(frame, copies)

    def _send(self, frame: np.ndarray, copies: int) -> None:
        assert self.process.stdin is not None
        try:
            data = np.ascontiguousarray(frame).data
            for _ in range(copies):
                self.process.stdin.write(data)
        except BrokenPipeError:  # ffmpeg stopped: its message says why
            self.process.wait()
            raise self._failure() from None

    def finish(self) -> None:
        if self.last is not None:
            self._send(self.last, self.held)
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        if self.process.wait() != 0:
            raise self._failure()
        self.errors.close()

    def abort(self) -> None:
        self.process.kill()
        self.process.wait()
        self.errors.close()

    def _failure(self) -> RenderError:
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()[-STDERR_LINES:]
        self.errors.close()
        detail = "\n".join(f"  {line}" for line in lines) or "  (no message)"
        return RenderError(f"ffmpeg failed (exit status {self.process.returncode}):\n{detail}")


#: Pixels of a 1920 x 1080 frame (and a little over, for padded odd sizes).
FULL_HD_PIXELS = 1920 * 1088


class Mp4Writer(VideoWriter):
    """H.264 in MP4, yuv420p, moov atom first (faststart) so it plays while loading."""

    extensions = (".mp4", ".m4v")
    container = "mp4"
    default_quality = 20

    def codec_arguments(self, quality: int) -> list[str]:
        # x264's time grows a little faster than the pixels: above full HD a faster
        # preset keeps a 4K frame at about four times the cost of a 1080p one (larger
        # files at the same quality, CRF, instead of a longer wait).
        preset = "veryfast" if self.width * self.height <= FULL_HD_PIXELS else "superfast"
        return [
            "-c:v", "libx264", "-preset", preset, "-tune", "animation", "-crf", str(quality),
            "-threads", "2", "-movflags", "+faststart",
        ]  # fmt: skip


class WebmWriter(VideoWriter):
    """VP9 in WebM."""

    extensions = (".webm",)
    container = "webm"
    default_quality = 24

    def codec_arguments(self, quality: int) -> list[str]:
        return [
            "-c:v", "libvpx-vp9", "-crf", str(quality), "-b:v", "0", "-deadline", "good",
            "-cpu-used", "4", "-row-mt", "0", "-threads", "2",
        ]  # fmt: skip
