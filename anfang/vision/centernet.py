"""CenterNet (MobileNetV3) COCO-80 detector from the model pack: our one source of vehicle boxes.

Pre/post-processing follows the model's reference use in ``@vladmandic/human`` (src/object/centernet.ts):
RGB 0..255, stretched (not letterboxed) to 512x512 with TF's bilinear grid; the graph itself decodes the
heatmap and returns its top 100 peaks as ``x1, y1, x2, y2, score, class`` in input pixels.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.models.pack import model_path
from anfang.vision.onnx_utils import COCO_LUT, make_session, nms_per_class, resize_tf_bilinear


class CenterNetDetector:
    name = "centernet"

    def __init__(self, models_dir: Path, score_threshold: float = 0.3, nms_iou: float = 0.5, threads: int = 2) -> None:
        self.score_threshold = score_threshold
        self.nms_iou = nms_iou
        self._session = make_session(model_path(models_dir, "centernet"), threads)
        inp = self._session.get_inputs()[0]
        self._input = inp.name
        self.size = int(inp.shape[1])  # 512

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        small = resize_tf_bilinear(image, self.size, self.size)
        return cv2.cvtColor(small, cv2.COLOR_BGR2RGB).astype(np.float32)[None]

    def detect(self, image: np.ndarray) -> Detections:
        h, w = image.shape[:2]
        out = self._session.run(None, {self._input: self.preprocess(image)})[0][0]  # (100, 6)
        cls = out[:, 5].astype(np.int64)
        valid = (out[:, 4] >= self.score_threshold) & (cls >= 0) & (cls < len(COCO_LUT))
        out, cls = out[valid], cls[valid]
        ours = COCO_LUT[cls]
        keep = ours >= 0
        scale = np.array([w, h, w, h], dtype=np.float32) / self.size
        dets = Detections(out[keep, :4] * scale, out[keep, 4], ours[keep])
        return nms_per_class(dets, self.nms_iou).clipped(w, h)
