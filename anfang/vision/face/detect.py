"""Face detection: BlazeFace (model pack) with six landmarks; OpenCV's Haar cascade as the baseline.

BlazeFace here is MediaPipe's 256x256 "back camera" model as shipped by ``@vladmandic/human``: 896 anchors
(16x16 grid x 2 at stride 16, 8x8 grid x 6 at stride 32), each regressing a box centre/size and six
landmarks (right eye, left eye, nose, mouth, right ear, left ear) in input pixels relative to the anchor
centre, as in human's ``src/face/blazeface.ts``. The image is padded to a square first so faces keep
their shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from anfang.models.pack import model_path
from anfang.vision.onnx_utils import make_session


@dataclass
class FaceBox:
    """One detected face: ``box`` x1, y1, x2, y2 and ``landmarks`` (6, 2) in image pixels (NaN if none)."""

    box: np.ndarray
    landmarks: np.ndarray
    score: float


def _anchors(size: int = 256) -> np.ndarray:
    """Anchor centres in input pixels, in the model's output order (row, column, anchor)."""
    parts = []
    for stride, per_cell in ((16, 2), (32, 6)):
        n = size // stride
        ys, xs = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        centres = np.stack([(xs + 0.5) * stride, (ys + 0.5) * stride], -1).reshape(-1, 1, 2)
        parts.append(np.repeat(centres, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(parts).astype(np.float32)


class BlazeFaceDetector:
    name = "blazeface"

    def __init__(self, models_dir: Path, score_threshold: float = 0.5, nms_iou: float = 0.3, threads: int = 2) -> None:
        self._session = make_session(model_path(models_dir, "blazeface"), threads)
        self._input = self._session.get_inputs()[0].name
        self.size = int(self._session.get_inputs()[0].shape[1])
        self._anchors = _anchors(self.size)
        self.score_threshold, self.nms_iou = score_threshold, nms_iou

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]:
        h, w = image_bgr.shape[:2]
        side = max(h, w)
        square = cv2.copyMakeBorder(image_bgr, 0, side - h, 0, side - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        x = cv2.cvtColor(cv2.resize(square, (self.size, self.size), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        x = (x.astype(np.float32) / 127.5 - 1.0)[None]
        s16, s32, r16, r32 = self._session.run(None, {self._input: x})
        logits = np.concatenate([s16[0, :, 0], s32[0, :, 0]])
        reg = np.concatenate([r16[0], r32[0]])
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
        keep = np.flatnonzero(scores >= self.score_threshold)
        if not len(keep):
            return []
        anchors, reg, scores = self._anchors[keep], reg[keep], scores[keep]
        scale = side / self.size
        centre, size = reg[:, :2] + anchors, reg[:, 2:4]
        boxes = np.concatenate([centre - size / 2, centre + size / 2], 1) * scale
        marks = (reg[:, 4:16].reshape(-1, 6, 2) + anchors[:, None]) * scale
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], 1)
        idx = np.asarray(cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), 0.0, self.nms_iou), dtype=np.int64)
        out = []
        for i in idx.reshape(-1):
            box = np.clip(boxes[i], 0, [w, h, w, h]).astype(np.float32)
            out.append(FaceBox(box, marks[i].astype(np.float32), float(scores[i])))
        return out


class HaarFaceDetector:
    """OpenCV's frontal-face Haar cascade (ships with opencv-python): the no-model baseline. No landmarks."""

    name = "haar"

    def __init__(self) -> None:
        self._cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]:
        grey = cv2.equalizeHist(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY))
        found = self._cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        nan = np.full((6, 2), np.nan, np.float32)
        return [FaceBox(np.array([x, y, x + w, y + h], np.float32), nan, 1.0) for x, y, w, h in found]
