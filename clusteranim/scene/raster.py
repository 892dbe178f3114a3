"""Per-pixel layers composited into the frame with numpy, not through matplotlib images.

A raster layer's ``update`` returns one of these; the scene calls ``blend`` with the
frame buffer (RGBA, rows top down) and, when nothing has been drawn yet over the axes'
plain background in this frame, that background's colour: the layer's colours are then
mixed with it once (a palette of k entries, or a coarse image) and written opaque, which
is several times cheaper than blending every pixel with what lies beneath.

Arrays follow the pixel grid (:class:`~clusteranim.scene.grid.PixelGrid`): row 0 at the
bottom, as the axes count; ``blend`` flips them into the buffer's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clusteranim.arrays import FloatArray, IntArray
from clusteranim.scene.grid import PixelGrid
from clusteranim.scene.overlay import Plain


def _blend_uint8(block: np.ndarray, premultiplied: np.ndarray, weight: np.ndarray | int) -> None:
    """``block = premultiplied + block * weight / 256`` in place, for uint8 RGB ``block``;
    ``premultiplied`` is colour x alpha x 256 (uint16/uint32), ``weight`` is (1 - alpha) x 256."""
    mixed = block.astype(np.uint32)
    mixed *= weight
    mixed += premultiplied
    mixed += 128
    mixed >>= 8
    np.minimum(mixed, 255, out=mixed)  # colour and alpha rounded apart can overshoot by one
    block[...] = mixed


@dataclass(frozen=True, eq=False)
class IndexedRaster:
    """One colour of a palette per pixel, at one opacity (decision regions).

    Parameters
    ----------
    grid : PixelGrid
    labels : ndarray of shape (rows, columns)
        Index into ``palette`` of each pixel (-1: the palette's last colour).
    palette : ndarray of shape (m, 3)
        RGB in [0, 1].
    alpha : float
    """

    grid: PixelGrid
    labels: IntArray
    palette: FloatArray
    alpha: float

    def blend(self, buffer: np.ndarray, plain: Plain | None = None) -> None:
        block = self.grid.block(buffer)[:, :, :3]
        labels = self.labels[::-1]
        if plain is not None:
            mixed = np.asarray(plain, np.float64) * (1 - self.alpha) + self.palette * 255 * self.alpha
            block[...] = np.rint(mixed).astype(np.uint8).take(labels, axis=0)
            return
        weight = round((1 - self.alpha) * 256)
        lut = np.rint(self.palette * 255 * (256 - weight)).astype(np.uint32)
        _blend_uint8(block, lut.take(labels, axis=0), weight)


@dataclass(frozen=True, eq=False)
class ImageRaster:
    """Colours and opacities on a coarse grid, upsampled smoothly to the pixel grid
    (density clouds).

    Parameters
    ----------
    grid : PixelGrid
    rgb : ndarray of shape (coarse rows, coarse columns, 3)
        Colour in [0, 1] of each coarse cell (float32).
    alpha : ndarray of shape (coarse rows, coarse columns)
        Opacity in [0, 1] (float32).
    factor : int
        Pixels per coarse cell along each axis; cell (i, j) covers pixels
        ``factor * i`` to ``factor * (i + 1) - 1``.
    """

    grid: PixelGrid
    rgb: np.ndarray
    alpha: np.ndarray
    factor: int

    def _upsampled(self, image: np.ndarray, mode: str) -> np.ndarray:
        """A coarse uint8 image, resized bilinearly to the pixel grid (rows top down)."""
        from PIL import Image

        rows, columns = self.grid.shape
        coarse_rows, coarse_columns = image.shape[:2]
        size = (coarse_columns * self.factor, coarse_rows * self.factor)
        # "RGBa": colours already multiplied by alpha, resampled as they are (Pillow would
        # premultiply "RGBA" itself and divide again, in steps that show at faint alphas).
        flipped = np.ascontiguousarray(image[::-1])
        picture = Image.frombytes(mode, (coarse_columns, coarse_rows), flipped.tobytes())
        fine = np.asarray(picture.resize(size, Image.Resampling.BILINEAR))
        top = fine.shape[0] - rows  # the coarse grid's extra rows lie at its top
        return fine[top:, :columns]

    def blend(self, buffer: np.ndarray, plain: Plain | None = None) -> None:
        block = self.grid.block(buffer)[:, :, :3]
        alpha = self.alpha[:, :, None]
        if plain is not None:
            background = np.asarray(plain, np.float32) / 255
            opaque = background + (self.rgb - background) * alpha
            block[...] = self._upsampled(_to_uint8(opaque), "RGB")
            return
        premultiplied = np.concatenate([self.rgb * alpha, alpha], axis=2)
        fine = self._upsampled(_to_uint8(premultiplied), "RGBa").astype(np.uint32)
        weight = 256 - fine[:, :, 3:] - (fine[:, :, 3:] >> 7)  # (1 - alpha) x 256
        _blend_uint8(block, fine[:, :, :3] * 256, weight)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as uint8, rounded. (A dither here would be magnified into visible
    squares by the upsampling; steps of one level are not visible, and the GIF writer
    dithers smooth areas itself.)"""
    rounded: np.ndarray = np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    return rounded


@dataclass(frozen=True, eq=False)
class SparseRaster:
    """A colour and an opacity for some pixels of the frame (points drawn as pixels).

    Parameters
    ----------
    pixels : ndarray of int
        The pixels, as indices into the frame buffer's rows of pixels (row x width +
        column, rows top down).
    rgb : ndarray of shape (m, 3)
        RGB in [0, 1].
    opacity : ndarray of shape (m, 1)
        Opacity x 256, as integers (uint32).
    """

    pixels: IntArray
    rgb: FloatArray
    opacity: np.ndarray

    def blend(self, buffer: np.ndarray, plain: Plain | None = None) -> None:
        # One 32-bit word per RGBA pixel: gathering and scattering words is several times
        # faster than rows of three bytes.
        words = buffer.reshape(-1).view(np.uint32)
        beneath = words.take(self.pixels).view(np.uint8).reshape(-1, 4)
        premultiplied = np.rint(self.rgb * 255).astype(np.uint32) * self.opacity
        _blend_uint8(beneath[:, :3], premultiplied, 256 - self.opacity)
        words[self.pixels] = beneath.reshape(-1).view(np.uint32)
