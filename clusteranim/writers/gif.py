"""Animated GIF: one global palette, unchanged pixels left transparent, exact timing.

Frames are spooled to a temporary file (the first compressed, then the pixels that
changed) while they are drawn, so memory does not grow with the animation. When the
last frame is in, one palette is chosen for the whole animation: every colour exactly
when there are at most 255 of them, otherwise the most frequent colours (the flat fills)
exactly and the rest by median cut. No dithering. Each frame after the first stores
only the rectangle that changed, with unchanged pixels in it transparent; a pixel whose
colour moved by at most ``STILL_TOLERANCE`` levels per channel keeps its previous
palette entry (a colour that drifts slowly, like a responsibility blend, would
otherwise flicker between neighbouring entries and cost bytes in every frame). Pillow
compresses each rectangle (LZW); the file structure around them is written here.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from clusteranim.writers.base import Movie

MAX_COLORS = 255  # palette entries for colours; index 255 is the transparent one
TRANSPARENT = 255
EXACT_COLORS = 160  # colours kept exactly when there are too many (the flat fills)
SAMPLE_STRIDE = 5  # every n-th pixel of the first frame counts towards the palette
STILL_TOLERANCE = 8  # of 255, per channel


def pack(pixels: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """RGB (or RGBA, alpha ignored) pixels as one 24-bit integer each: R + G << 8 + B << 16."""
    if pixels.shape[-1] == 4 and pixels.flags.c_contiguous:
        rgba: NDArray[np.uint32] = pixels.view("<u4")[..., 0] & np.uint32(0xFFFFFF)
        return rgba
    wide = pixels.astype(np.uint32)
    packed: NDArray[np.uint32] = (
        wide[..., 0] | (wide[..., 1] << np.uint32(8)) | (wide[..., 2] << np.uint32(16))
    )
    return packed


def unpack(packed: NDArray[np.uint32]) -> NDArray[np.uint8]:
    return np.stack([packed & 255, (packed >> 8) & 255, (packed >> 16) & 255], axis=-1).astype(np.uint8)


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
    """Counts of the colours seen (a sample of the first frame, then every pixel that
    changes), merged frame by frame."""

    def __init__(self) -> None:
        self.colors = np.empty(0, dtype=np.uint32)
        self.counts = np.empty(0, dtype=np.int64)

    def add(self, packed: NDArray[np.uint32]) -> None:
        if packed.size == 0:
            return
        colors, counts = np.unique(packed, return_counts=True)
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
    """Maps packed colours to the nearest palette entry, remembering every colour it has seen.

    The tables cover all 2^24 colours but cost only the pages touched (``np.zeros``
    allocates lazily).
    """

    def __init__(self, palette: NDArray[np.uint8]) -> None:
        self.palette = palette.astype(np.float32)
        self.norms = (self.palette**2).sum(axis=1)
        self.known = np.zeros(1 << 24, dtype=bool)
        self.entries = np.zeros(1 << 24, dtype=np.uint8)

    def indices(self, packed: NDArray[np.uint32]) -> NDArray[np.uint8]:
        """Palette index of each packed colour."""
        missing = ~self.known[packed]
        if missing.any():
            new = np.unique(packed[missing])
            self.entries[new] = self.nearest(unpack(new))
            self.known[new] = True
        result: NDArray[np.uint8] = self.entries[packed]
        return result

    def nearest(self, colors: NDArray[np.uint8]) -> NDArray[np.intp]:
        """Index of the palette entry nearest (squared RGB distance) to each colour.

        |c - p|^2 ranks as |p|^2 - 2 c.p, one matrix product; with integer channels
        every term is an integer far below 2^24, so float32 holds it exactly and ties
        go to the first entry, as with the direct sum.
        """
        scores = self.norms[None, :] - 2 * (colors.astype(np.float32) @ self.palette.T)
        return scores.argmin(axis=1)  # type: ignore[no-any-return]


class GifWriter:
    """Writes a looping GIF; see the module docstring."""

    extensions = (".gif",)

    def __init__(self, path: Path, movie: Movie) -> None:
        self.path = path
        self.movie = movie
        self.spool = tempfile.TemporaryFile(dir=path.parent, prefix=".clusteranim-gif-")  # noqa: SIM115
        self.records: list[int] = []  # bytes of the first frame, then pixels changed per frame
        self.counter = ColorCounter()
        self.last: NDArray[np.uint32] | None = None

    def write(self, frame: np.ndarray) -> None:
        # The spool keeps the first frame whole (compressed), then for each frame the
        # positions and colours of the pixels that changed; colours are counted where
        # they appear.
        packed = pack(frame).ravel()
        if self.last is None:
            self.counter.add(packed[::SAMPLE_STRIDE])
            data = zlib.compress(packed.tobytes(), 1)
            self.spool.write(data)
            self.records.append(len(data))
        else:
            positions = np.flatnonzero(packed != self.last).astype(np.uint32)
            colors = packed[positions]
            self.counter.add(colors)
            self.spool.write(positions.tobytes() + colors.tobytes())
            self.records.append(len(positions))
        self.last = packed

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
        delays = centiseconds(len(self.records), self.movie.fps, self.movie.hold_last)
        width = self.movie.width
        self.spool.seek(0)
        with self.path.open("wb") as output:
            output.write(b"GIF89a" + struct.pack("<HHBBB", width, self.movie.height, 0xF7, 0, 0))
            output.write(table.tobytes())
            if self.movie.loop != 1:
                repeats = 0 if self.movie.loop == 0 else self.movie.loop - 1
                output.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", repeats) + b"\x00")
            first = np.frombuffer(zlib.decompress(self.spool.read(self.records[0])), dtype=np.uint32)
            indices = mapper.indices(first).reshape(self.movie.height, width)
            output.write(_frame_block(indices, 0, 0, delays[0], table, first=True))
            shown = table.astype(np.int16)
            for count, delay in zip(self.records[1:], delays[1:], strict=True):
                positions = np.frombuffer(self.spool.read(4 * count), dtype=np.uint32).astype(np.intp)
                colors = np.frombuffer(self.spool.read(4 * count), dtype=np.uint32)
                output.write(_changes(positions, colors, indices, mapper, shown, delay, table))
            output.write(b"\x3b")


def _changes(
    positions: NDArray[np.intp],
    colors: NDArray[np.uint32],
    indices: NDArray[np.uint8],
    mapper: PaletteMapper,
    shown: NDArray[np.int16],
    delay: int,
    table: NDArray[np.uint8],
) -> bytes:
    """A frame as the rectangle of pixels whose palette entry changed; updates ``indices``.

    Only the pixels whose colour changed since the previous frame are given; of those, a
    pixel still within ``STILL_TOLERANCE`` of the entry it shows keeps it. Inside the
    rectangle, pixels that keep their entry are transparent (the previous frame shows).
    """
    unchanged = _frame_block(np.full((1, 1), TRANSPARENT, dtype=np.uint8), 0, 0, delay, table)
    if positions.size == 0:
        return unchanged
    flat = indices.reshape(-1)
    old = flat[positions]
    difference = np.abs(shown[old] - unpack(colors))
    still = np.maximum(np.maximum(difference[:, 0], difference[:, 1]), difference[:, 2]) <= STILL_TOLERANCE
    new = np.where(still, old, mapper.indices(colors))
    changed = new != old
    positions, new = positions[changed], new[changed]
    if positions.size == 0:
        return unchanged
    flat[positions] = new
    rows, columns = np.divmod(positions, indices.shape[1])
    top, left = int(rows.min()), int(columns.min())
    patch = np.full((int(rows.max()) - top + 1, int(columns.max()) - left + 1), TRANSPARENT, dtype=np.uint8)
    patch[rows - top, columns - left] = new
    return _frame_block(patch, top, left, delay, table)


def _frame_block(
    patch: NDArray[np.uint8], top: int, left: int, delay: int, table: NDArray[np.uint8], first: bool = False
) -> bytes:
    """Graphic control extension, image descriptor and data of one frame."""
    flags = (1 << 2) | (0 if first else 1)  # keep the previous frame; transparency after the first
    height, width = patch.shape
    return (
        b"\x21\xf9\x04"
        + struct.pack("<BHBB", flags, delay, TRANSPARENT, 0)
        + b"\x2c"
        + struct.pack("<HHHHB", left, top, width, height, 0)
        + _lzw_data(patch, table)
    )


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
