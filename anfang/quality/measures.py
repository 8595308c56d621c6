"""Picture measures of video quality diagnosis: pure functions of one (downscaled) frame, no state.

Why these measures (each is a textbook one, chosen for being cheap on a 320-pixel-wide grey frame):

- sharpness: variance of the Laplacian *divided by the grey variance* (so a darker or flatter picture is
  not mistaken for a blurred one) and the share of spectral energy above a quarter of Nyquist; both are
  compared with the camera's own baseline, because "sharp" depends on the scene.
- exposure: the share of pixels in the bottom / top of the luma histogram.
- colour cast: the mean and spread of the Lab a/b channels (the "equivalent circle" test of Xu et al.: a
  cast is a chroma mean far from neutral relative to the chroma spread).
- noise: Immerkær's Laplacian-difference mask, its median absolute value turned into a Gaussian sigma
  (a median, so edges do not count as noise), plus the share of impulse (salt / pepper) pixels, which
  a median-based sigma is blind to by design.
- uniformity (signal loss): the grey standard deviation, and the frame's mean colour to name it.
- texture blocks (occlusion): the grey standard deviation of each cell of a grid.
- stripes: the largest peak of the whitened 2-D spectrum (magnitude over its radial mean), i.e. a sharp
  periodic pattern that natural scenes, whose spectra fall smoothly with frequency, do not have.

OpenCV does the filtering and the FFT; numpy the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ANALYSIS_WIDTH = 320
GRID = (16, 12)  # texture cells across x down
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)


@dataclass(frozen=True)
class Prepared:
    """One frame reduced to what the measures read: small BGR and grey (analysis size), full-res grey crop."""

    small: np.ndarray  # uint8 BGR, ANALYSIS_WIDTH wide
    grey: np.ndarray  # uint8, same size
    noise_grey: np.ndarray  # uint8, full resolution centre crop (downscaling would average noise away)


def prepare(image: np.ndarray, width: int = ANALYSIS_WIDTH) -> Prepared:
    """Downscale once (area interpolation) and convert; every measure works on this."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an H x W x 3 uint8 BGR image, got shape {image.shape} dtype {image.dtype}")
    h, w = image.shape[:2]
    scale = min(1.0, width / float(w))
    size = (max(16, round(w * scale)), max(16, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else image
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ch, cw = min(h, 256), min(w, 256)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    noise_grey = cv2.cvtColor(image[y0 : y0 + ch, x0 : x0 + cw], cv2.COLOR_BGR2GRAY)
    return Prepared(small=small, grey=grey, noise_grey=noise_grey)


def laplacian_sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian over the grey variance (contrast-invariant focus measure)."""
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    var = float(grey.astype(np.float32).var())
    return float(lap.var()) / max(var, 1.0)


def high_frequency_share(grey: np.ndarray) -> float:
    """Share of (windowed, mean-removed) spectral energy beyond a quarter of Nyquist."""
    g = grey.astype(np.float32)
    g -= g.mean()
    h, w = g.shape
    win = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    power = np.abs(np.fft.rfft2(g * win)) ** 2
    fy = np.abs(np.fft.fftfreq(h))[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    radius = np.sqrt(fx * fx + fy * fy)  # cycles per pixel, Nyquist = 0.5
    total = float(power.sum())
    return float(power[radius > 0.125].sum()) / max(total, 1e-9)


def exposure(grey: np.ndarray, dark_level: int = 40, bright_level: int = 230) -> tuple[float, float, float]:
    """(share of pixels at or below ``dark_level``, share at or above ``bright_level``, mean luma)."""
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    n = float(hist.sum())
    mean = float((hist * np.arange(256)).sum()) / n
    return float(hist[: dark_level + 1].sum()) / n, float(hist[bright_level:].sum()) / n, mean


def colour_cast(small: np.ndarray) -> tuple[float, float, float, float]:
    """(cast factor K = D / M, chroma distance D, mean a*, mean b*) in Lab (a*, b* centred on 0)."""
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    a = lab[..., 1] - 128.0
    b = lab[..., 2] - 128.0
    da, db = float(a.mean()), float(b.mean())
    d = float(np.hypot(da, db))
    m = float(np.hypot(np.abs(a - da).mean(), np.abs(b - db).mean()))
    return d / max(m, 1.0), d, da, db


def noise_sigma(grey: np.ndarray) -> float:
    """Gaussian noise sigma (grey levels) from the median |Immerkær mask response| (robust to edges)."""
    resp = cv2.filter2D(grey.astype(np.float32), -1, _IMMERKAER, borderType=cv2.BORDER_REFLECT)[1:-1, 1:-1]
    # For white noise the mask's response has sigma 6 * noise sigma; MAD -> sigma is 1.4826.
    return 1.4826 * float(np.median(np.abs(resp))) / 6.0


def impulse_share(grey: np.ndarray, level: int = 60) -> float:
    """Share of pixels that differ from their 3x3 median by more than ``level`` (salt / pepper)."""
    med = cv2.medianBlur(grey, 3)
    return float(np.count_nonzero(cv2.absdiff(grey, med) > level)) / float(grey.size)


def uniformity(small: np.ndarray, grey: np.ndarray) -> tuple[float, tuple[float, float, float]]:
    """(grey standard deviation, mean B, G, R)."""
    mean_bgr = tuple(float(v) for v in small.reshape(-1, 3).mean(axis=0))
    return float(grey.std()), (mean_bgr[0], mean_bgr[1], mean_bgr[2])


def colour_name(mean_bgr: tuple[float, float, float]) -> str:
    """black / blue / green / grey / white: what a "no signal" frame looks like, for the operator."""
    b, g, r = mean_bgr
    if max(b, g, r) < 40:
        return "black"
    if b > 1.5 * max(g, r, 1.0):
        return "blue"
    if g > 1.5 * max(b, r, 1.0):
        return "green"
    if min(b, g, r) > 215:
        return "white"
    return "grey"


def block_texture(grey: np.ndarray, grid: tuple[int, int] = GRID) -> np.ndarray:
    """Grey standard deviation of each grid cell (rows x cols)."""
    h, w = grey.shape
    gx, gy = grid
    g = grey[: h - h % gy, : w - w % gx].astype(np.float32)
    cells = g.reshape(gy, g.shape[0] // gy, gx, g.shape[1] // gx)
    return np.asarray(cells.std(axis=(1, 3)), dtype=np.float32)


def whitened_spectrum(grey: np.ndarray) -> np.ndarray:
    """|F| of the windowed grey over the mean |F| at that radius (64 rings), zero outside the stripe band
    (periods from 2 px up to ~50 px of a 320 px frame): natural spectra fall smoothly with frequency, a
    periodic interference is an isolated peak here."""
    g = grey.astype(np.float32)
    g -= g.mean()
    h, w = g.shape
    win = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    mag = np.abs(np.fft.fftshift(np.fft.fft2(g * win)))
    yy, xx = np.indices(mag.shape)
    ry = (yy - h // 2) / h
    rx = (xx - w // 2) / w
    radius = np.sqrt(rx * rx + ry * ry)
    bins = np.minimum((radius * 2 * 64).astype(np.int32), 63)
    sums = np.bincount(bins.ravel(), weights=mag.ravel(), minlength=64)
    counts = np.bincount(bins.ravel(), minlength=64)
    white = mag / np.maximum((sums / np.maximum(counts, 1))[bins], 1e-6)
    white[(radius <= 0.02) | (radius >= 0.5)] = 0.0
    return np.asarray(white, dtype=np.float32)


def stripe_score(white: np.ndarray, baseline: np.ndarray | None) -> float:
    """Largest new spectral peak: whitened |F| over the baseline's (floored at 2, so that a scene's own
    fence or tiles, present in the baseline, do not count, and a flat baseline is not divided by ~0)."""
    if baseline is None or baseline.shape != white.shape:
        return float(white.max()) / 2.0
    return float((white / np.maximum(baseline, 2.0)).max())


def frame_difference(grey: np.ndarray, previous: np.ndarray) -> float:
    """Mean absolute grey difference between two frames of the same size (0 for a repeated frame)."""
    if grey.shape != previous.shape:
        return 255.0
    return float(cv2.absdiff(grey, previous).mean())


@dataclass(frozen=True)
class Features:
    """ORB key points and descriptors of a reference or current view."""

    points: np.ndarray  # N x 2 float32
    descriptors: np.ndarray | None
    size: tuple[int, int]  # (w, h) of the grey they came from


_ORB = cv2.ORB.create(nfeatures=400, fastThreshold=12)
_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)


def features(grey: np.ndarray) -> Features:
    """ORB features (OpenCV) of one grey frame."""
    kps, desc = _ORB.detectAndCompute(grey, None)
    pts = np.array([k.pt for k in kps], dtype=np.float32).reshape(-1, 2)
    return Features(points=pts, descriptors=desc, size=(grey.shape[1], grey.shape[0]))


def view_shift(reference: Features, current: Features, min_inliers: int = 12) -> tuple[float, int]:
    """How far the view moved: mean displacement of the frame's corners under the similarity transform
    fitted (RANSAC) to ORB matches, as a share of the frame diagonal; 1.0 when the views do not match.
    Returns (shift, inlier count)."""
    if (
        reference.descriptors is None
        or current.descriptors is None
        or len(reference.points) < min_inliers
        or len(current.points) < min_inliers
        or reference.size != current.size
    ):
        return 1.0, 0
    matches = _MATCHER.match(reference.descriptors, current.descriptors)
    if len(matches) < min_inliers:
        return 1.0, len(matches)
    src = reference.points[[m.queryIdx for m in matches]]
    dst = current.points[[m.trainIdx for m in matches]]
    model, inliers = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    count = int(inliers.sum()) if inliers is not None else 0
    if model is None or count < min_inliers:
        return 1.0, count
    w, h = reference.size
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], dtype=np.float32)
    moved = corners @ model[:, :2].T + model[:, 2]
    shift = float(np.linalg.norm(moved - corners, axis=1).mean()) / float(np.hypot(w, h))
    return min(shift, 1.0), count
