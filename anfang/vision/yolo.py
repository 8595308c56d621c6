"""User-supplied YOLOv8 / YOLO11 ONNX export (Ultralytics ``format=onnx``), e.g. a model trained on site.

We ship no YOLO weights (the licence is AGPL and no registry package carries them); users point the
config at their own export. Output ``1 x (4 + C) x N``: ``cx, cy, w, h`` in letterboxed input pixels, then
C class scores (no objectness). Input: RGB 0..1 float, NCHW, letterboxed with grey (114) padding.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import class_id
from anfang.vision.onnx_utils import COCO_LUT, make_session, nms_per_class


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """Fit ``image`` into ``size x size`` keeping its aspect ratio; returns (canvas, scale, pad_x, pad_y)."""
    h, w = image.shape[:2]
    r = min(size / h, size / w)
    nw, nh = round(w * r), round(h * r)
    px, py = (size - nw) // 2, (size - nh) // 2
    canvas = np.full((size, size, 3), 114, dtype=np.uint8)
    canvas[py : py + nh, px : px + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas, r, float(px), float(py)


class YoloDetector:
    name = "yolo"

    def __init__(
        self,
        path: Path,
        score_threshold: float = 0.3,
        iou_threshold: float = 0.45,
        input_size: int = 640,
        class_map: Mapping[int, str] | None = None,
        threads: int = 2,
    ) -> None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"YOLO model {path} not found (export yours with `yolo export format=onnx`)")
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold
        self._session = make_session(path, threads)
        inp = self._session.get_inputs()[0]
        self._input = inp.name
        static = inp.shape[2] if len(inp.shape) == 4 and isinstance(inp.shape[2], int) else None
        self.size = int(static or input_size)
        if class_map is None:
            self._lut = COCO_LUT
        else:  # model class index → anfang id; unlisted indices are dropped
            self._lut = np.full(max(class_map) + 1, -1, dtype=np.int32)
            for idx, name in class_map.items():
                self._lut[int(idx)] = class_id(name)

    def detect(self, image: np.ndarray) -> Detections:
        h, w = image.shape[:2]
        canvas, r, px, py = letterbox(image, self.size)
        blob = cv2.dnn.blobFromImage(canvas, 1 / 255.0, swapRB=True)  # NCHW float32 RGB
        pred = self._session.run(None, {self._input: blob})[0][0].T  # (N, 4 + C)
        scores = pred[:, 4:]
        cls = scores.argmax(axis=1)
        conf = scores[np.arange(len(scores)), cls]
        keep = conf >= self.score_threshold
        pred, cls, conf = pred[keep], cls[keep], conf[keep]
        ours = np.where(cls < len(self._lut), self._lut[np.minimum(cls, len(self._lut) - 1)], -1)
        mapped = ours >= 0
        pred, conf, ours = pred[mapped], conf[mapped], ours[mapped]
        cx, cy, bw, bh = pred[:, 0], pred[:, 1], pred[:, 2], pred[:, 3]
        xyxy = np.stack([cx - bw / 2 - px, cy - bh / 2 - py, cx + bw / 2 - px, cy + bh / 2 - py], axis=1) / r
        dets = Detections(xyxy, conf, ours)
        return nms_per_class(dets, self.iou_threshold).clipped(w, h)
