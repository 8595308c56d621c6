"""Face alignment: a similarity transform (rotation, scale, shift) that puts the eyes and mouth where the
embedding model expects them.

Recognition models are trained on aligned crops; a tilted or off-centre face costs more accuracy than any
threshold tuning wins back. We fit the least-squares similarity (``cv2.estimateAffinePartial2D``) from
BlazeFace's eye/nose/mouth landmarks to a canonical template (in units of the output size).
"""

from __future__ import annotations

import cv2
import numpy as np

# right eye, left eye, nose tip, mouth centre as fractions of the output square (ArcFace-style layout
# scaled for a crop that keeps the whole face with a little forehead and chin)
TEMPLATE = np.array([[0.34, 0.40], [0.66, 0.40], [0.50, 0.56], [0.50, 0.72]], dtype=np.float32)


def similarity_matrix(landmarks: np.ndarray, size: int, template: np.ndarray = TEMPLATE) -> np.ndarray:
    """2x3 matrix mapping image points to the aligned ``size`` x ``size`` crop."""
    src = np.asarray(landmarks[:4], dtype=np.float32)
    dst = template * size
    matrix, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    if matrix is None:  # degenerate landmarks: fall back to the eyes only
        matrix = cv2.getAffineTransform(src[:3], dst[:3])
    return matrix


def align_face(image_bgr: np.ndarray, landmarks: np.ndarray, size: int) -> np.ndarray:
    """The aligned face crop (``size`` x ``size``, BGR)."""
    matrix = similarity_matrix(landmarks, size)
    return cv2.warpAffine(image_bgr, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def square_crop(image_bgr: np.ndarray, box: np.ndarray, size: int, margin: float = 0.0) -> np.ndarray:
    """The box grown by ``margin`` on each side, squared, resized (for models trained on unaligned crops)."""
    x1, y1, x2, y2 = (float(v) for v in box)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    half = max(x2 - x1, y2 - y1) * (0.5 + margin)
    src = np.array([[cx - half, cy - half], [cx + half, cy - half], [cx - half, cy + half]], np.float32)
    dst = np.array([[0, 0], [size, 0], [0, size]], np.float32)
    matrix = cv2.getAffineTransform(src, dst)
    return cv2.warpAffine(image_bgr, matrix, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def frontalness(landmarks: np.ndarray) -> float:
    """0..1: how frontal the face is, from the nose's offset between the eyes (1 = nose midway)."""
    if not np.isfinite(landmarks).all():
        return 0.0
    right, left, nose = landmarks[0], landmarks[1], landmarks[2]
    eye_dist = float(np.linalg.norm(left - right))
    if eye_dist < 1e-6:
        return 0.0
    axis = (left - right) / eye_dist
    offset = abs(float(np.dot(nose - (left + right) / 2, axis))) / (eye_dist / 2)
    return float(np.clip(1.0 - offset, 0.0, 1.0))
