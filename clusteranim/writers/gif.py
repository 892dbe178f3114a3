"""Animated GIF: one global palette, unchanged pixels left transparent, exact timing.

Frames are spooled to a temporary file (zlib-compressed) while they are drawn, so
memory does not grow with the animation. When the last frame is in, one palette is
chosen for the whole animation: every colour exactly when there are at most 255 of them;
otherwise the most frequent colours (the flat fills) exactly and the rest by median cut.
No dithering. Each frame after the first stores only the rectangle that changed, with
unchanged pixels in it transparent; a pixel whose colour moved by at most
``STILL_TOLERANCE`` levels per channel keeps its previous palette entry (a colour that
drifts slowly, like a responsibility blend, would otherwise flicker between neighbouring
entries and cost bytes in every frame). Pillow compresses each rectangle (LZW); the file
structure around them is written here.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from clusteranim.writers.base import Movie

MAX_COLORS = 255  # palette entries for colours; index 255 is the transparent one
TRANSPARENT = 255
EXACT_COLORS = 160  # colours kept exactly when there are too many (the flat fills)
SAMPLE_STRIDE = 5  # every n-th pixel of every frame counts towards the palette
MISSING = np.uint16(0xFFFF)
STILL_TOLERANCE = 8  # of 255, per channel


def pack(rgb: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """RGB triples as one 24-bit integer each."""
    wide = rgb.astype(np.uint32)
    packed: NDArray[np.uint32] = (
        (wide[..., 0] << np.uint32(16)) | (wide[..., 1] << np.uint32(8)) | wide[..., 2]
    )
    return packed


def unpack(packed: NDArray[np.uint32]) -> NDArray[np.uint8]:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=-1).astype(np.uint8)


def centiseconds(n_frames: int, fps: float, hold_last: float) -> list[int]:
    """GIF delays (hundredths of a second) whose running total tracks the exact time.

    Each frame lasts 1/fps seconds and the last also ``hold_last``; rounding the
    cumulative end times, rather than each delay, keeps the total right.
    """
    ends = np.arange(1, n_frames + 1) / fps
    ends[-1] += hold_last
    rounded = np.round(ends * 100).astype(int)
    return np.diff(rounded, prepend=0).tolist()  # type: ignore[no-any-return]


class ColorCounter:
    """Counts of the colours seen (on a sample of pixels), merged frame by frame."""

    def __init__(self) -> None:
        self.colors = np.empty(0, dtype=np.uint32)
        self.counts = np.empty(0, dtype=np.int64)

    def add(self, packed: NDArray[np.uint32]) -> None:
        colors, counts = np.unique(packed.ravel()[::SAMPLE_STRIDE], return_counts=True)
        merged, inverse = np.unique(np.concatenate([self.colors, colors]), return_inverse=True)
        self.counts = np.bincount(inverse, weights=np.concatenate([self.counts, counts])).astype(np.int64)
        self.colors = merged.astype(np.uint32)

    def palette(self) -> NDArray[np.uint8]:
        """Up to 255 RGB colours for the whole animation, shape (m, 3)."""
        if len(self.colors) <= MAX_COLORS:
            return unpack(self.colors)
        order = np.argsort(-self.counts, kind="stable")
        exact = self.colors[order[:EXACT_COLORS]]
        rest, weights = self.colors[order[EXACT_COLORS:]], self.counts[order[EXACT_COLORS:]]
        return np.concatenate([unpack(exact), median_cut(unpack(rest), weights, MAX_COLORS - EXACT_COLORS)])


def median_cut(colors: NDArray[np.uint8], weights: NDArray[np.int64], n_colors: int) -> NDArray[np.uint8]:
    """``n_colors`` representatives of weighted colours, by Pillow's median cut."""
    from PIL import Image

    repeats = np.minimum(weights, 64)
    samples = np.repeat(colors, repeats, axis=0)
    image = Image.fromarray(samples[None, :, :], "RGB")
    quantized = image.quantize(colors=n_colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = sorted(set(np.asarray(quantized).ravel().tolist()))
    palette = np.asarray(quantized.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)  # type: ignore[index]
    return palette[used]


class PaletteMapper:
    """Maps RGB pixels to the nearest palette entry, remembering every colour it has seen."""

    def __init__(self, palette: NDArray[np.uint8]) -> None:
        self.palette = palette.astype(np.int32)
        self.lookup = np.full(1 << 24, MISSING, dtype=np.uint16)

    def indices(self, rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
        packed = pack(rgb)
        found = self.lookup[packed]
        missing = found == MISSING
        if missing.any():
            new = np.unique(packed[missing])
            distances = ((unpack(new)[:, None, :].astype(np.int32) - self.palette[None]) ** 2).sum(axis=2)
            self.lookup[new] = distances.argmin(axis=1).astype(np.uint16)
            found = self.lookup[packed]
        return found.astype(np.uint8)


class GifWriter:
    """Writes a looping GIF; see the module docstring."""

    extensions = (".gif",)

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.movie = movie
        self.spool = tempfile.TemporaryFile(dir=path.parent, prefix=".clusteranim-gif-")  # noqa: SIM115
        self.sizes: list[int] = []
        self.counter = ColorCounter()

    def write(self, frame: np.ndarray) -> None:
        self.counter.add(pack(frame))
        compressed = zlib.compress(np.ascontiguousarray(frame).tobytes(), 1)
        self.spool.write(compressed)
        self.sizes.append(len(compressed))

    def finish(self) -> None:
        try:
            self._encode()
        finally:
            self.spool.close()

    def abort(self) -> None:
        self.spool.close()

    def _encode(self) -> None:
        palette = self.counter.palette()
        mapper = PaletteMapper(palette)
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(palette)] = palette
        delays = centiseconds(len(self.sizes), self.movie.fps, self.movie.hold_last)
        shape = (self.movie.height, self.movie.width, 3)
        self.spool.seek(0)
        with self.path.open("wb") as output:
            output.write(b"GIF89a" + struct.pack("<HHBBB", self.movie.width, self.movie.height, 0xF7, 0, 0))
            output.write(table.tobytes())
            if self.movie.loop != 1:
                repeats = 0 if self.movie.loop == 0 else self.movie.loop - 1
                output.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", repeats) + b"\x00")
            previous: NDArray[np.uint8] | None = None
            shown = table.astype(np.int16)
            for size, delay in zip(self.sizes, delays, strict=True):
                rgb = np.frombuffer(zlib.decompress(self.spool.read(size)), dtype=np.uint8).reshape(shape)
                indices = mapper.indices(rgb)
                if previous is not None:
                    still = np.abs(shown[previous] - rgb).max(axis=2) <= STILL_TOLERANCE
                    indices = np.where(still, previous, indices)
                _write_frame(output, indices, previous, delay, table)
                previous = indices
            output.write(b"\x3b")


def _write_frame(
    output: BinaryIO,
    indices: NDArray[np.uint8],
    previous: NDArray[np.uint8] | None,
    delay: int,
    table: NDArray[np.uint8],
) -> None:
    """One frame: the rectangle that changed since ``previous``, the rest left as it was."""
    left = top = 0
    patch = indices
    if previous is not None:
        changed = indices != previous
        rows, columns = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
        if rows.size == 0:
            patch = np.full((1, 1), TRANSPARENT, dtype=np.uint8)
        else:
            top, left = int(rows[0]), int(columns[0])
            window = (slice(top, int(rows[-1]) + 1), slice(left, int(columns[-1]) + 1))
            patch = np.where(changed[window], indices[window], np.uint8(TRANSPARENT))
    flags = (1 << 2) | (1 if previous is not None else 0)  # keep the previous frame; transparency
    output.write(b"\x21\xf9\x04" + struct.pack("<BHBB", flags, delay, TRANSPARENT, 0))
    height, width = patch.shape
    output.write(b"\x2c" + struct.pack("<HHHHB", left, top, width, height, 0))
    output.write(_lzw_data(patch, table))


def _lzw_data(indices: NDArray[np.uint8], table: NDArray[np.uint8]) -> bytes:
    """The LZW-compressed image data of ``indices``, as Pillow encodes it."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(indices), "P")
    image.putpalette(table.tobytes())
    buffer = io.BytesIO()
    image.save(buffer, format="GIF", optimize=False, interlace=False)
    data = buffer.getvalue()
    position = 13 + ((3 << ((data[10] & 7) + 1)) if data[10] & 0x80 else 0)
    while data[position] == 0x21:  # skip extension blocks
        position += 2
        while data[position]:
            position += data[position] + 1
        position += 1
    assert data[position] == 0x2C, "Pillow wrote no image descriptor"
    packed = data[position + 9]
    position += 10 + ((3 << ((packed & 7) + 1)) if packed & 0x80 else 0)
    end = position + 1
    while data[end]:
        end += data[end] + 1
    return data[position : end + 1]
