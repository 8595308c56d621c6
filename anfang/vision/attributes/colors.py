"""Colour naming: pixels → a 12-name palette, and the GA/T 1400 colour codes those names are stored as.

Operators search "red coat, blue trousers", not hue angles, so every region is reduced to one palette name
plus the share of its pixels that carry that name (the confidence). The thresholds work in OpenCV's HSV
(H 0..179, S and V 0..255) and are evaluated as lookup tables, so a crop costs a few numpy passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PALETTE: tuple[str, ...] = (
    "black", "white", "gray", "red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown",
)  # fmt: skip

# GA/T 1400.3 ColorType (颜色类型) codes; the same table serves CoatColor, TrousersColor, VehicleColor and
# PlateColor. 13 = transparent and 99 = other are never produced by the namer.
COLOR_CODES: dict[str, str] = {
    "black": "1", "white": "2", "gray": "3", "red": "4", "blue": "5", "yellow": "6", "orange": "7",
    "brown": "8", "green": "9", "purple": "10", "cyan": "11", "pink": "12", "transparent": "13", "other": "99",
}  # fmt: skip
CODE_COLORS: dict[str, str] = {v: k for k, v in COLOR_CODES.items()}

_IDX = {name: i for i, name in enumerate(PALETTE)}


def _hue_lut() -> np.ndarray:
    """Chromatic name index for each OpenCV hue (0..179)."""
    lut = np.empty(180, np.uint8)
    bounds = [(0, 8, "red"), (8, 20, "orange"), (20, 33, "yellow"), (33, 78, "green"), (78, 96, "cyan"),
              (96, 130, "blue"), (130, 148, "purple"), (148, 170, "pink"), (170, 180, "red")]  # fmt: skip
    for lo, hi, name in bounds:
        lut[lo:hi] = _IDX[name]
    return lut


_HUE_LUT = _hue_lut()


def name_pixels(hsv: np.ndarray) -> np.ndarray:
    """Palette index per pixel of an HSV image (any shape ``(..., 3)``), as uint8.

    Achromatic first: dark → black, unsaturated → white/gray by value. Dark oranges and reds are brown;
    pale, light reds are pink. These are the classic colour-naming splits (van de Weijer's names on a
    budget), tuned by eye on surveillance crops where white balance is poor.
    """
    h = hsv[..., 0].astype(np.intp)
    s = hsv[..., 1].astype(np.int16)
    v = hsv[..., 2].astype(np.int16)
    out = _HUE_LUT[np.clip(h, 0, 179)]
    warm = (out == _IDX["orange"]) | (out == _IDX["red"]) | (out == _IDX["yellow"])
    out = np.where(warm & (v < 140) & (s > 60) & ((out != _IDX["red"]) | (v < 90)), _IDX["brown"], out)
    out = np.where((out == _IDX["red"]) & (s < 110) & (v > 170), _IDX["pink"], out)
    achrom = s < np.where(v > 180, 30, 45)
    out = np.where(achrom, np.where(v > 185, _IDX["white"], _IDX["gray"]), out)
    out = np.where(v < 50, _IDX["black"], out)
    return out.astype(np.uint8)


@dataclass(frozen=True, slots=True)
class ColorName:
    """A region's dominant colour and how sure we are (the share of its pixels with that name)."""

    name: str
    confidence: float

    @property
    def code(self) -> str:
        return COLOR_CODES[self.name]


def color_histogram(bgr: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Normalised 12-bin palette histogram of a BGR region (empty region → zeros)."""
    if bgr.size == 0:
        return np.zeros(len(PALETTE), np.float32)
    names = name_pixels(cv2.cvtColor(np.ascontiguousarray(bgr), cv2.COLOR_BGR2HSV))
    hist = np.bincount(names.ravel(), weights=None if weights is None else weights.ravel(), minlength=len(PALETTE))
    total = hist.sum()
    return (hist / total).astype(np.float32) if total > 0 else hist.astype(np.float32)


def name_colors(bgr: np.ndarray, weights: np.ndarray | None = None) -> ColorName | None:
    """The dominant palette name of a BGR region, or ``None`` for an empty region."""
    hist = color_histogram(bgr, weights)
    if hist.sum() <= 0:
        return None
    i = int(np.argmax(hist))
    return ColorName(PALETTE[i], round(float(hist[i]), 3))
