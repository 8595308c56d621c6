"""Known degradations of real frames, at known strengths: what the ROC of each check is measured with.

Each function takes a clean BGR uint8 frame and a strength and returns a new frame; randomness comes from
a seeded generator so the evaluation is repeatable. The strengths are physical where they can be (blur
sigma in pixels, gain, noise sigma in grey levels, occluded share of the frame, shift as a share of the
width, rotation in degrees, stripe amplitude in grey levels).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from anfang.quality.config import Defect


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)


def gain(img: np.ndarray, g: float, rng: np.random.Generator) -> np.ndarray:
    return _clip(img.astype(np.float32) * g)


def gamma(img: np.ndarray, gm: float, rng: np.random.Generator) -> np.ndarray:
    lut = _clip(255.0 * (np.arange(256) / 255.0) ** gm)
    return cv2.LUT(img, lut)


def colour_gain(img: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Scale one random channel up by ``strength`` and another down by it (a white-balance fault)."""
    up, down = rng.choice(3, size=2, replace=False)
    out = img.astype(np.float32)
    out[..., up] *= strength
    out[..., down] /= strength
    return _clip(out)


def gaussian_noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return _clip(img.astype(np.float32) + rng.normal(0.0, sigma, img.shape))


def salt_pepper(img: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    out = img.copy()
    mask = rng.random(img.shape[:2])
    out[mask < share / 2] = 0
    out[mask > 1 - share / 2] = 255
    return out


def uniform(img: np.ndarray, colour: float, rng: np.random.Generator) -> np.ndarray:
    """A "no signal" frame: 0 = black, 1 = blue (the usual DVR screen), 2 = mid grey; faint noise on top."""
    bgr = {0: (0, 0, 0), 1: (255, 0, 0), 2: (128, 128, 128)}[int(colour)]
    out = np.empty_like(img)
    out[:] = bgr
    return gaussian_noise(out, 1.0, rng)


def occluder(img: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Paste a flat, dark-ish patch (tape, cloth, a hand near the lens) covering ``share`` of the frame."""
    h, w = img.shape[:2]
    aspect = rng.uniform(0.6, 1.6)
    ph = int(min(h, round(np.sqrt(share * h * w / aspect))))
    pw = int(min(w, round(share * h * w / max(ph, 1))))
    y0 = int(rng.integers(0, h - ph + 1))
    x0 = int(rng.integers(0, w - pw + 1))
    out = img.copy()
    out[y0 : y0 + ph, x0 : x0 + pw] = rng.integers(10, 90, size=3)
    return gaussian_noise(out, 1.5, rng)


def shift(img: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Move the view by ``share`` of the width in a random direction (camera knocked), borders replicated."""
    h, w = img.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    m = np.array([[1, 0, share * w * np.cos(angle)], [0, 1, share * w * np.sin(angle)]], dtype=np.float32)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def rotate(img: np.ndarray, degrees: float, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    sign = 1.0 if rng.random() < 0.5 else -1.0
    m = cv2.getRotationMatrix2D((w / 2, h / 2), sign * degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def stripes(img: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Add a sinusoidal interference pattern: period 8-40 px, random orientation (rolling bars are mostly
    horizontal, but a beat with the pixel clock can tilt them)."""
    h, w = img.shape[:2]
    period = rng.uniform(8, 40)
    theta = rng.choice([0.0, np.pi / 2, rng.uniform(0, np.pi)])
    yy, xx = np.indices((h, w), dtype=np.float32)
    wave = amplitude * np.sin(2 * np.pi * (xx * np.cos(theta) + yy * np.sin(theta)) / period + rng.uniform(0, 6.3))
    return _clip(img.astype(np.float32) + wave[..., None])


Degradation = Callable[[np.ndarray, float, np.random.Generator], np.ndarray]

# defect -> list of (label, function, strengths); "frozen" is not a picture change (see evaluation).
PLAN: dict[Defect, list[tuple[str, Degradation, tuple[float, ...]]]] = {
    "blur": [("gaussian blur sigma px", blur, (0.5, 1.0, 1.5, 2.0, 3.0, 5.0))],
    "dark": [("gain", gain, (0.6, 0.4, 0.25, 0.15)), ("gamma", gamma, (2.0, 3.0, 4.0))],
    "bright": [("gain", gain, (1.5, 2.0, 3.0)), ("gamma", gamma, (0.5, 0.3, 0.2))],
    "colour_cast": [("channel gain", colour_gain, (1.1, 1.2, 1.4, 1.7))],
    "noise": [
        ("gaussian sigma", gaussian_noise, (2.0, 5.0, 10.0, 20.0)),
        ("salt share", salt_pepper, (0.005, 0.01, 0.02, 0.05)),
    ],
    "signal_loss": [("uniform 0=black 1=blue 2=grey", uniform, (0.0, 1.0, 2.0))],
    "occlusion": [("occluded share", occluder, (0.1, 0.2, 0.3, 0.5))],
    "scene_change": [
        ("shift share of width", shift, (0.01, 0.02, 0.05, 0.1)),
        ("rotation deg", rotate, (2.0, 5.0, 10.0)),
    ],
    "stripes": [("sine amplitude", stripes, (3.0, 6.0, 12.0, 24.0))],
}
