"""Plate candidates in a vehicle crop or a whole image, from PP-OCRv4's text detector (DBNet).

A plate is a short, wide text line. DBNet gives a text-probability map; each connected region becomes a
rotated rectangle, grown by DB's unclip offset (area * ratio / perimeter, the rule DB was trained with), and
kept when its aspect ratio is plate-like. The crop is rectified with a perspective warp so the recogniser
sees a horizontal line.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.vision.plate.ocr import DET_FILE, ocr_model_path, shared_session

Box = tuple[float, float, float, float]


class PlateLocator:
    def __init__(
        self,
        models_dir: Path | None = None,
        threads: int = 2,
        max_side: int = 960,
        thresh: float = 0.3,
        box_thresh: float = 0.5,
        unclip_ratio: float = 1.6,
    ) -> None:
        self._session = shared_session(str(ocr_model_path(DET_FILE, models_dir)), threads)
        self._input = self._session.get_inputs()[0].name
        self.max_side, self.thresh, self.box_thresh, self.unclip_ratio = max_side, thresh, box_thresh, unclip_ratio

    def probability_map(self, image_bgr: np.ndarray) -> np.ndarray:
        """DBNet text probability at input resolution (sides rounded to multiples of 32)."""
        h, w = image_bgr.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        # tiny crops are upscaled so plate characters reach the ~10 px the detector was trained on
        if max(h, w) * scale < 320:
            scale = 320 / max(h, w)
        nh, nw = max(32, int(round(h * scale / 32)) * 32), max(32, int(round(w * scale / 32)) * 32)
        x = cv2.resize(image_bgr, (nw, nh)).astype(np.float32) / 127.5 - 1.0
        prob = self._session.run(None, {self._input: x.transpose(2, 0, 1)[None]})[0][0, 0]
        return cv2.resize(prob, (w, h))

    def locate(self, image_bgr: np.ndarray) -> list[tuple[np.ndarray, Box]]:
        """``[(rectified crop, axis-aligned box)]``, most plate-like (highest DB score) first."""
        prob = self.probability_map(image_bgr)
        mask = cv2.dilate((prob > self.thresh).astype(np.uint8), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        out: list[tuple[float, np.ndarray, Box]] = []
        h, w = image_bgr.shape[:2]
        for contour in contours:
            if len(contour) < 4:
                continue
            (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
            if min(rw, rh) < 6:
                continue
            region = np.zeros_like(mask)
            cv2.drawContours(region, [contour], -1, 1, -1)
            score = float(prob[region.astype(bool)].mean())
            if score < self.box_thresh:
                continue
            offset = rw * rh * self.unclip_ratio / (2 * (rw + rh))
            rw, rh = rw + 2 * offset, rh + 2 * offset
            long_side, short_side = max(rw, rh), min(rw, rh)
            if not 1.5 <= long_side / short_side <= 8.0:
                continue
            quad = cv2.boxPoints(((cx, cy), (rw, rh), angle))
            crop = _rectify(image_bgr, quad)
            x1, y1 = np.clip(quad.min(0), 0, [w, h])
            x2, y2 = np.clip(quad.max(0), 0, [w, h])
            out.append((score, crop, (float(x1), float(y1), float(x2), float(y2))))
        out.sort(key=lambda item: -item[0])
        return [(crop, box) for _, crop, box in out]


def _rectify(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp a rotated rectangle to an upright crop (long side horizontal)."""
    s = quad.sum(1)
    d = np.diff(quad, axis=1).ravel()
    tl, br, tr, bl = quad[s.argmin()], quad[s.argmax()], quad[d.argmin()], quad[d.argmax()]
    src = np.array([tl, tr, br, bl], dtype=np.float32)
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    width, height = max(width, 8), max(height, 8)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    crop = cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (width, height), borderMode=1)
    return cv2.rotate(crop, cv2.ROTATE_90_COUNTERCLOCKWISE) if height > width * 1.5 else crop
