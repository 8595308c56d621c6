"""OpenCV's HOG + linear SVM people detector.

Weak next to the CNN detectors, but it ships inside opencv-python itself, so it works before (or
without) ``anfang models build`` — handy on a bare install and as a baseline in benchmarks.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import ObjectClass


class HogDetector:
    name = "hog"

    def __init__(self, score_threshold: float = 0.5, max_side: int = 640) -> None:
        self.score_threshold = score_threshold
        self.max_side = max_side
        self._local = threading.local()  # HOGDescriptor is not documented as thread-safe

    def _hog(self) -> cv2.HOGDescriptor:
        hog = getattr(self._local, "hog", None)
        if hog is None:
            hog = cv2.HOGDescriptor()
            hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), np.float32))
            self._local.hog = hog
        return hog

    def detect(self, image: np.ndarray) -> Detections:
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        small = cv2.resize(image, (round(w * scale), round(h * scale))) if scale < 1 else image
        rects, weights = self._hog().detectMultiScale(small, winStride=(8, 8), padding=(8, 8), scale=1.05)
        if len(rects) == 0:
            return Detections.empty()
        boxes = np.asarray(rects, dtype=np.float32)
        boxes[:, 2:] += boxes[:, :2]
        # SVM margins are unbounded; squash to (0, 1) so thresholds read like the CNN detectors'.
        score = 1.0 / (1.0 + np.exp(-np.asarray(weights, dtype=np.float32).reshape(-1)))
        keep = score >= self.score_threshold
        dets = Detections(boxes[keep], score[keep], np.full(int(keep.sum()), ObjectClass.PERSON))
        return dets.scaled(1 / scale, 1 / scale) if scale < 1 else dets
