"""Animated GIF: one global palette, unchanged pixels left transparent, exact timing.

Frames are spooled to a temporary file (the first compressed, then the pixels that
changed) while they are drawn, so memory does not grow with the animation. When the
last frame is in, one palette is chosen for the whole animation: every colour exactly
when there are at most 255 of them, otherwise the frequent colours (the flat fills)
exactly and the rest by median cut. Flat colours and edges are never dithered; a smooth
area whose colours fall between palette entries (a density cloud, a blend) gets an
ordered (Bayer) dither between the two entries that best mix to each colour, fixed to
the pixel grid so that it neither shimmers nor costs bytes in later frames. Each frame
after the first stores only the rectangle that changed, with unchanged pixels in it
transparent; a pixel whose colour moved by at most ``STILL_TOLERANCE`` levels per
channel since its entry was chosen keeps that entry (a colour that drifts slowly, like a
responsibility blend, would otherwise flicker between neighbouring entries and cost
bytes in every frame); in smooth areas the tolerance is ``SMOOTH_STILL_TOLERANCE``, as
the border between pixels kept and pixels updated would show there as a contour.
Pillow compresses each rectangle (LZW); the file structure
around them is written here.
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
# Colours kept exactly when there are too many (the flat fills): few enough that median
# cut has most entries for the smooth areas, whose colours fill a surface (a blend of
# hues with the background), not a line; with 160 of 255 the clouds' averaged colour
# stepped up to 5 levels away between entries (rings).
EXACT_COLORS = 64
# Of those, the most common colours of the last frame come first: it is held and looked
# at, and a colour that came late (the points of a cluster found at the end) would lose
# its entry to the many passing shades of moving outlines, counted each time they change.
LAST_FRAME_COLORS = 32
SAMPLE_STRIDE = 5  # every n-th pixel of the first frame counts towards the palette
STILL_TOLERANCE = 8  # of 255, per channel
# In smooth areas (a moving density cloud), where kept and updated pixels meet along a
# contour of the change: 8 drew rings, 4 does not (+6% bytes on a moving 2-D cloud).
SMOOTH_STILL_TOLERANCE = 4
VISIBLE_ERROR = 2  # of 255: a colour nearer than this to its entry is not dithered
SMOOTH_CONTRAST = 6  # of 255: a pixel is dithered only if no 4-neighbour differs by more
PAIR_PENALTY = 0.03  # cost of mixing far-apart entries (grain), per squared level of their distance
PAIR_CANDIDATES = 12  # entries nearest to a colour that are tried as its dither partner


def bayer(size: int) -> NDArray[np.int64]:
    """The ``size`` x ``size`` Bayer threshold matrix (``size`` a power of two), values
    0 to size^2 - 1."""
    matrix = np.zeros((1, 1), dtype=np.int64)
    while matrix.shape[0] < size:
        matrix = np.block([[4 * matrix, 4 * matrix + 2], [4 * matrix + 3, 4 * matrix + 1]])
    return matrix


THRESHOLDS = bayer(8)  # dither levels are 0 (never the partner) to 64 (always)


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


def centiseconds(seconds: list[float]) -> list[int]:
    """GIF delays (hundredths of a second) of frames lasting ``seconds`` each, whose
    running total tracks the exact time: rounding the cumulative end times, rather than
    each delay, keeps the total right."""
    ends = np.cumsum(np.asarray(seconds, dtype=np.float64))
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

    def palette(self, first: NDArray[np.uint32] | None = None) -> NDArray[np.uint8]:
        """Up to 255 RGB colours for the whole animation, shape (m, 3); among the exact
        ones, ``first`` (colours seen) before the most counted."""
        if len(self.colors) <= MAX_COLORS:
            return unpack(self.colors)
        order = np.argsort(-self.counts, kind="stable")
        if first is not None:
            chosen = np.flatnonzero(np.isin(self.colors, first))
            order = np.concatenate([chosen, order[~np.isin(order, chosen)]])
        exact = self.colors[order[:EXACT_COLORS]]
        rest, weights = self.colors[order[EXACT_COLORS:]], self.counts[order[EXACT_COLORS:]]
        return np.concatenate([unpack(exact), median_cut(unpack(rest), weights, MAX_COLORS - EXACT_COLORS)])


def most_common(packed: NDArray[np.uint32], n_colors: int) -> NDArray[np.uint32]:
    """The ``n_colors`` colours most pixels of ``packed`` have."""
    colors, counts = np.unique(packed, return_counts=True)
    common: NDArray[np.uint32] = colors[np.argsort(-counts, kind="stable")[:n_colors]]
    return common


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
    """Maps the pixels of a frame to palette entries.

    Each colour is given its nearest entry and, when a mix of that entry with another
    comes closer to it, that partner and the share of pixels that take it (as a Bayer
    threshold level). A pixel takes its partner only where its threshold is below that
    level and its neighbourhood is smooth. What is learned of each colour is kept in a
    table over all 2^24 colours, which costs only the pages touched (``np.zeros``
    allocates lazily).
    """

    KNOWN = np.uint32(1 << 31)

    def __init__(self, palette: NDArray[np.uint8], width: int) -> None:
        self.palette = palette.astype(np.float32)
        self.norms = (self.palette**2).sum(axis=1)
        self.width = width
        self.table = np.zeros(1 << 24, dtype=np.uint32)  # KNOWN | nearest | partner << 8 | level << 16

    def nearest(self, colors: NDArray[np.uint8]) -> NDArray[np.intp]:
        """Index of the palette entry nearest (squared RGB distance) to each colour.

        |c - p|^2 ranks as |p|^2 - 2 c.p, one matrix product; with integer channels
        every term is an integer far below 2^24, so float32 holds it exactly and ties
        go to the first entry, as with the direct sum.
        """
        return self._scores(colors).argmin(axis=1)  # type: ignore[no-any-return]

    def _scores(self, colors: NDArray[np.uint8]) -> NDArray[np.float32]:
        scores: NDArray[np.float32] = self.norms[None, :] - 2 * (colors.astype(np.float32) @ self.palette.T)
        return scores

    def pairs(self, colors: NDArray[np.uint8]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """For each colour: its nearest entry, its dither partner and the partner's level.

        A colour farther than ``VISIBLE_ERROR`` from its nearest entry p is given the entry
        q among the nearest few whose mix p + t (q - p) comes closest to it, counting
        ``PAIR_PENALTY`` |q - p|^2 against the mix, if that beats p alone; otherwise its
        partner is p itself, at level 0.
        """
        scores = self._scores(colors)
        first = scores.argmin(axis=1)
        partner, level = first.copy(), np.zeros(len(colors), dtype=np.intp)
        error = colors.astype(np.float32) - self.palette[first]
        alone = (error**2).sum(axis=1)
        far = np.flatnonzero(alone > VISIBLE_ERROR**2)
        count = min(PAIR_CANDIDATES, scores.shape[1])
        if far.size == 0 or count < 2:
            return first, partner, level
        candidates = np.argpartition(scores[far], count - 1, axis=1)[:, :count]
        error = error[far]
        steps = self.palette[candidates] - self.palette[first[far]][:, None, :]
        lengths = (steps**2).sum(axis=2)
        shares = np.clip(np.einsum("nkc,nc->nk", steps, error) / np.maximum(lengths, 1), 0, 1)
        costs = ((error[:, None, :] - shares[:, :, None] * steps) ** 2).sum(axis=2) + PAIR_PENALTY * lengths
        best = costs.argmin(axis=1)
        rows = np.arange(len(far))
        mixed = costs[rows, best] < alone[far]
        partner[far[mixed]] = candidates[rows, best][mixed]
        level[far[mixed]] = np.rint(shares[rows, best][mixed] * THRESHOLDS.size)
        return first, partner, level

    def indices(
        self, packed: NDArray[np.uint32], positions: NDArray[np.intp], frame: NDArray[np.uint32]
    ) -> NDArray[np.uint8]:
        """Palette index of each packed colour, at its flat ``positions`` in ``frame``
        (the whole picture, packed, whose neighbourhoods decide where to dither)."""
        entries = self.table[packed]
        missing = entries == 0
        if missing.any():
            new = np.unique(packed[missing])
            first, partner, level = (part.astype(np.uint32) for part in self.pairs(unpack(new)))
            self.table[new] = self.KNOWN | first | (partner << 8) | (level << 16)
            entries = self.table[packed]
        result = (entries & 0xFF).astype(np.uint8)
        mixed = np.flatnonzero(entries >> 16 & 0xFF)
        if mixed.size:
            where = positions[mixed]
            rows, columns = np.divmod(where, self.width)
            take = (
                THRESHOLDS[rows % THRESHOLDS.shape[0], columns % THRESHOLDS.shape[1]]
                < (entries[mixed] >> 16 & 0xFF)
            ) & _smooth(frame, where, self.width)
            result[mixed[take]] = entries[mixed[take]] >> 8 & 0xFF
        return result


def _smooth(frame: NDArray[np.uint32], positions: NDArray[np.intp], width: int) -> NDArray[np.bool_]:
    """Whether each pixel's 4-neighbours all lie within ``SMOOTH_CONTRAST`` of it, per
    channel (beyond the picture's edge the pixel counts as its own neighbour)."""
    center = unpack(frame[positions]).astype(np.int16)
    smooth = np.ones(len(positions), dtype=bool)
    columns = positions % width
    for step, inside in (
        (1, columns < width - 1),
        (-1, columns > 0),
        (width, positions + width < frame.size),
        (-width, positions >= width),
    ):
        neighbours = unpack(frame[np.where(inside, positions + step, positions)]).astype(np.int16)
        smooth &= np.abs(neighbours - center).max(axis=1) <= SMOOTH_CONTRAST
    return smooth


class GifWriter:
    """Writes a looping GIF; see the module docstring."""

    extensions = (".gif",)
    writes_folder = False

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
        palette = self.counter.palette(
            None if self.last is None else most_common(self.last, LAST_FRAME_COLORS)
        )
        mapper = PaletteMapper(palette, self.movie.width)
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(palette)] = palette
        delays = centiseconds(self.movie.seconds(len(self.records)))
        width = self.movie.width
        self.spool.seek(0)
        with self.path.open("wb") as output:
            output.write(b"GIF89a" + struct.pack("<HHBBB", width, self.movie.height, 0xF7, 0, 0))
            output.write(table.tobytes())
            if self.movie.loop != 1:
                repeats = 0 if self.movie.loop == 0 else self.movie.loop - 1
                output.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", repeats) + b"\x00")
            picture = np.frombuffer(zlib.decompress(self.spool.read(self.records[0])), dtype=np.uint32).copy()
            indices = mapper.indices(picture, np.arange(picture.size), picture).reshape(
                self.movie.height, width
            )
            output.write(_frame_block(indices, 0, 0, delays[0], table, first=True))
            mapped = picture.copy()  # the colour each pixel's entry was chosen for
            for count, delay in zip(self.records[1:], delays[1:], strict=True):
                positions = np.frombuffer(self.spool.read(4 * count), dtype=np.uint32).astype(np.intp)
                colors = np.frombuffer(self.spool.read(4 * count), dtype=np.uint32)
                picture[positions] = colors
                output.write(_changes(positions, colors, picture, indices, mapper, mapped, delay, table))
            output.write(b"\x3b")


def _changes(
    positions: NDArray[np.intp],
    colors: NDArray[np.uint32],
    picture: NDArray[np.uint32],
    indices: NDArray[np.uint8],
    mapper: PaletteMapper,
    mapped: NDArray[np.uint32],
    delay: int,
    table: NDArray[np.uint8],
) -> bytes:
    """A frame as the rectangle of pixels whose palette entry changed; updates ``indices``
    and ``mapped`` (the colour each pixel's entry was chosen for).

    Only the pixels whose colour changed since the previous frame are given (``picture``
    is the whole frame, packed); of those, a pixel still within ``STILL_TOLERANCE``
    (``SMOOTH_STILL_TOLERANCE`` in smooth areas) of the colour its entry was chosen for
    keeps it. Comparing with that colour, not with the entry shown, keeps a dithered
    area from drifting towards one of its two entries. Inside the rectangle, pixels that
    keep their entry are transparent (the previous frame shows).
    """
    unchanged = _frame_block(np.full((1, 1), TRANSPARENT, dtype=np.uint8), 0, 0, delay, table)
    if positions.size == 0:
        return unchanged
    flat = indices.reshape(-1)
    old = flat[positions]
    moved = np.abs(unpack(mapped[positions]).astype(np.int16) - unpack(colors)).max(axis=1)
    tolerance = np.where(
        _smooth(picture, positions, indices.shape[1]), SMOOTH_STILL_TOLERANCE, STILL_TOLERANCE
    )
    still = moved <= tolerance
    new = np.where(still, old, mapper.indices(colors, positions, picture))
    mapped[positions[~still]] = colors[~still]
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
