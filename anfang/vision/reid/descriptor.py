"""A hand-crafted person appearance descriptor (LOMO-style), the default when no ReID model is supplied.

No registry package ships ReID weights, so the default must work without any. Following LOMO (Liao et al.,
CVPR 2015) in spirit: the crop is normalised to 128x64 and cut into 8 horizontal stripes (a person's
appearance varies mostly top to bottom and is roughly invariant left to right under viewpoint change);
each stripe gets colour histograms (HSV and 12 colour names) and texture histograms (gradient orientation
and LBP), weighted by a horizontal Gaussian that favours the person over the background at the box edges.
Histograms get a square root (Hellinger kernel: robust to bursty bins) and L2 normalisation per block, then
the whole vector is L2-normalised, so a dot product is a cosine similarity in [0, 1].

Layout (512 float32): 8 stripes x (hue 16 + sat 8 + val 8 + names 12 + gradient 8 + LBP 10 = 62) = 496,
plus a whole-body hue histogram of 16.
"""

from __future__ import annotations

import cv2
import numpy as np

from anfang.vision.attributes.colors import name_pixels

HEIGHT, WIDTH = 128, 64
STRIPES = 8
DIM = 512
_STRIPE_DIM = 62


def _lbp_classes(gray: np.ndarray) -> np.ndarray:
    """Uniform-LBP class per pixel: uniform patterns by number of set bits (0..8), non-uniform = 9."""
    g = gray.astype(np.int16)
    p = np.pad(g, 1, mode="edge")
    h, w = g.shape
    offsets = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]  # clockwise ring
    bits = np.stack([(p[dy : dy + h, dx : dx + w] >= g) for dy, dx in offsets]).astype(np.int8)
    transitions = np.abs(np.diff(np.concatenate([bits, bits[:1]]), axis=0)).sum(axis=0)
    ones = bits.sum(axis=0)
    return np.where(transitions <= 2, ones, 9).astype(np.intp)


def _block(values: np.ndarray, weights: np.ndarray, bins: int) -> np.ndarray:
    hist = np.bincount(values.ravel(), weights=weights.ravel(), minlength=bins)[:bins]
    hist = np.sqrt(hist)
    norm = np.linalg.norm(hist)
    return hist / norm if norm > 0 else hist


class HandcraftedReid:
    """Embeds BGR person crops into 512-d unit vectors (see module docstring). Stateless and thread-safe."""

    name = "lomo"
    dim = DIM

    def __init__(self, sigma: float = 0.35) -> None:
        xs = (np.arange(WIDTH, dtype=np.float32) - (WIDTH - 1) / 2) / WIDTH
        self._wx = np.exp(-(xs**2) / (2 * sigma**2)).astype(np.float32)

    def embed(self, crop: np.ndarray) -> np.ndarray:
        """512-d float32 unit vector for one BGR crop (any size; resized to 128x64)."""
        img = cv2.resize(crop, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
        img = cv2.GaussianBlur(img, (3, 3), 0)  # JPEG blocking and sensor noise otherwise dominate LBP
        hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        sat = hsv[..., 1].astype(np.float32) / 255.0
        hue_bin = (hsv[..., 0].astype(np.intp) * 16) // 180
        sat_bin = (hsv[..., 1].astype(np.intp) * 8) // 256
        val_bin = (hsv[..., 2].astype(np.intp) * 8) // 256
        names = name_pixels(hsv).astype(np.intp)
        gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
        mag = np.sqrt(gx * gx + gy * gy)
        ori = ((np.arctan2(gy, gx) + np.pi) * (8 / (2 * np.pi))).astype(np.intp) % 8
        lbp = _lbp_classes(gray)
        w = np.broadcast_to(self._wx, (HEIGHT, WIDTH))
        hue_w = w * sat  # hue means little on gray pixels: weight it by saturation
        parts: list[np.ndarray] = []
        step = HEIGHT // STRIPES
        for s in range(STRIPES):
            rows = slice(s * step, (s + 1) * step)
            parts += [
                _block(hue_bin[rows], hue_w[rows], 16),
                _block(sat_bin[rows], w[rows], 8),
                _block(val_bin[rows], w[rows], 8),
                _block(names[rows], w[rows], 12),
                _block(ori[rows], w[rows] * mag[rows], 8) * 0.7,  # texture counts a little less than colour
                _block(lbp[rows], w[rows], 10) * 0.7,
            ]
        parts.append(_block(hue_bin, hue_w, 16))
        vec = np.concatenate(parts).astype(np.float32)
        return vec / max(float(np.linalg.norm(vec)), 1e-12)

    def embed_many(self, crops: list[np.ndarray]) -> np.ndarray:
        return np.stack([self.embed(c) for c in crops]) if crops else np.zeros((0, DIM), np.float32)
