"""Face detection: one :class:`FaceDetector` for privacy masking and recognition alike.

BlazeFace here is MediaPipe's 256x256 "back camera" model as shipped by ``@vladmandic/human``: 896 anchors
(16x16 grid x 2 at stride 16, 8x8 grid x 6 at stride 32), each regressing a box centre/size and six
landmarks (right eye, left eye, nose, mouth, right ear, left ear) in input pixels relative to the anchor
centre, as in human's ``src/face/blazeface.ts``. Each window is padded to a square first so faces keep
their shape. Small faces in big frames are found by also running on overlapping square tiles
(``FaceDetectorConfig.tile_size``); the whole image is always run too, for faces bigger than a tile.

OpenCV's Haar cascade is the no-model fallback (no landmarks, so masking only).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from anfang.models.pack import ModelPackError, model_path
from anfang.vision.face.config import FaceDetectorConfig
from anfang.vision.onnx_utils import make_session

log = logging.getLogger(__name__)

TILE_FACE = 0.25  # a tile keeps boxes up to this fraction of its side (measured: 0.5 and 0.33 let more face parts
# and textures of big photos through, at the same recall); bigger faces are the whole image's job
SUPPORT_FLOOR = 0.05  # whole-image scores below this give a tile's box no support


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


def tiles(h: int, w: int, tile_size: int, max_tiles: int) -> list[tuple[int, int, int]]:
    """Square windows ``(x, y, side)``: the whole image first, then overlapping tiles of ``tile_size`` px.

    Tiles overlap by at least a quarter of their side, so a face up to that size is whole in one of them.
    When more than ``max_tiles`` would be needed the tiles grow; no tiles when the image fits in one.
    """
    side = max(h, w)
    out = [(0, 0, side)]
    if tile_size <= 0 or side <= tile_size * 1.25:
        return out
    t = tile_size
    while True:
        nx = 1 if w <= t else math.ceil((w - t) / (0.75 * t)) + 1
        ny = 1 if h <= t else math.ceil((h - t) / (0.75 * t)) + 1
        if nx * ny <= max_tiles:
            break
        t = int(t * 1.25) + 1
    if side <= t * 1.25:
        return out
    xs = np.linspace(0, max(w - t, 0), nx).round().astype(int)
    ys = np.linspace(0, max(h - t, 0), ny).round().astype(int)
    return out + [(int(x), int(y), t) for y in ys for x in xs]


class _Backend(Protocol):
    name: str

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]: ...


class BlazeFaceDetector:
    """BlazeFace on one padded-square window per call: no thresholds besides ``score_threshold``."""

    name = "blazeface"

    def __init__(self, models_dir: Path, score_threshold: float = 0.4, nms_iou: float = 0.3, threads: int = 2) -> None:
        self._session = make_session(model_path(models_dir, "blazeface"), threads)
        self._input = self._session.get_inputs()[0].name
        self.size = int(self._session.get_inputs()[0].shape[1])
        self._anchors = _anchors(self.size)
        self.score_threshold, self.nms_iou = score_threshold, nms_iou

    def raw(self, image_bgr: np.ndarray, threshold: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (N, 4), landmarks (N, 6, 2), scores (N,) above ``threshold`` (default ``score_threshold``),
        before NMS, in image pixels."""
        h, w = image_bgr.shape[:2]
        side = max(h, w)
        square = cv2.copyMakeBorder(image_bgr, 0, side - h, 0, side - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        x = cv2.cvtColor(cv2.resize(square, (self.size, self.size), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        x = (x.astype(np.float32) / 127.5 - 1.0)[None]
        s16, s32, r16, r32 = self._session.run(None, {self._input: x})
        logits = np.concatenate([s16[0, :, 0], s32[0, :, 0]])
        reg = np.concatenate([r16[0], r32[0]])
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
        keep = np.flatnonzero(scores >= (self.score_threshold if threshold is None else threshold))
        anchors, reg, scores = self._anchors[keep], reg[keep], scores[keep]
        scale = side / self.size
        centre, size = reg[:, :2] + anchors, reg[:, 2:4]
        boxes = np.concatenate([centre - size / 2, centre + size / 2], 1) * scale
        marks = (reg[:, 4:16].reshape(-1, 6, 2) + anchors[:, None]) * scale
        return boxes.astype(np.float32), marks.astype(np.float32), scores.astype(np.float32)

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]:
        boxes, marks, scores = self.raw(image_bgr)
        h, w = image_bgr.shape[:2]
        return [
            FaceBox(np.clip(boxes[i], 0, [w, h, w, h]).astype(np.float32), marks[i], float(scores[i]))
            for i in nms(boxes, scores, self.nms_iou)
        ]


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of (N, 4) and (M, 4) xyxy boxes."""
    wh = np.clip(np.minimum(a[:, None, 2:], b[None, :, 2:]) - np.maximum(a[:, None, :2], b[None, :, :2]), 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter + 1e-9)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float, inside: float = 1.0) -> np.ndarray:
    """Indices kept by greedy NMS, best score first.

    A box is also dropped when more than ``inside`` of its own area lies in a better-scoring kept box (a
    face part found in a tile, inside the whole face found in the whole image); 1.0 turns that off.
    """
    if not len(boxes):
        return np.zeros(0, np.int64)
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], 1)
    idx = np.asarray(cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), 0.0, iou), dtype=np.int64).reshape(-1)
    if inside >= 1.0 or len(idx) < 2:
        return idx
    kept: list[int] = []
    area = np.prod(np.maximum(boxes[:, 2:] - boxes[:, :2], 1e-6), axis=1)
    for i in idx:
        if kept:
            k = boxes[kept]
            wh = np.minimum(k[:, 2:], boxes[i, 2:]) - np.maximum(k[:, :2], boxes[i, :2])
            if (np.prod(np.maximum(wh, 0), axis=1) / area[i]).max() > inside:
                continue
        kept.append(int(i))
    return np.asarray(kept, np.int64)


class HaarFaceDetector:
    """OpenCV's frontal-face Haar cascade (ships with opencv-python): the no-model baseline. No landmarks."""

    name = "haar"

    def __init__(self, min_size: int = 24) -> None:
        path = Path(cv2.__file__).parent / "data" / "haarcascade_frontalface_default.xml"  # cv2.data.haarcascades
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise RuntimeError(f"cannot load {path}")
        self.min_size = min_size
        self._lock = threading.Lock()  # a CascadeClassifier is not safe to share between threads

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]:
        grey = cv2.equalizeHist(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY))
        with self._lock:
            found = self._cascade.detectMultiScale(
                grey, scaleFactor=1.1, minNeighbors=5, minSize=(self.min_size, self.min_size)
            )
        nan = np.full((6, 2), np.nan, np.float32)
        return [FaceBox(np.array([x, y, x + w, y + h], np.float32), nan, 1.0) for x, y, w, h in found]


class FaceDetector:
    """The face detector: BlazeFace over the whole image and tiles, merged, thresholded by one config.

    ``detect(image_bgr) -> list[FaceBox]`` (best score first); ``boxes(image_bgr) -> (N, 4)`` for masking.
    Thread-safe: one instance serves every API and camera thread.
    """

    def __init__(self, backend: BlazeFaceDetector | HaarFaceDetector, config: FaceDetectorConfig | None = None) -> None:
        self.backend = backend
        self.config = config or FaceDetectorConfig()
        if isinstance(backend, BlazeFaceDetector):
            backend.score_threshold, backend.nms_iou = self.config.score_threshold, self.config.nms_iou

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def has_landmarks(self) -> bool:
        return isinstance(self.backend, BlazeFaceDetector)

    @classmethod
    def load(cls, models_dir: Path | None, config: FaceDetectorConfig | None = None, threads: int = 1) -> FaceDetector:
        """BlazeFace from the pack (``backend`` auto/blazeface), else the Haar cascade (auto/haar).

        ``auto`` without BlazeFace in the pack logs one warning and falls back; ``blazeface`` raises.
        """
        config = config or FaceDetectorConfig()
        if config.backend in ("auto", "blazeface"):
            from anfang.models.paths import default_models_dir

            directory = Path(models_dir or default_models_dir())
            try:
                return cls(BlazeFaceDetector(directory, config.score_threshold, config.nms_iou, threads), config)
            except ModelPackError:
                if config.backend == "blazeface":
                    raise
                log.warning("blazeface not in the model pack at %s; detecting faces with the Haar cascade", directory)
        return cls(HaarFaceDetector(max(config.min_size, 16)), config)

    def detect(self, image_bgr: np.ndarray) -> list[FaceBox]:
        cfg = self.config
        if not isinstance(self.backend, BlazeFaceDetector):
            found = self.backend.detect(image_bgr)
        else:
            found = self._blazeface(self.backend, image_bgr)
        found = [f for f in found if min(f.box[2] - f.box[0], f.box[3] - f.box[1]) >= cfg.min_size]
        return sorted(found, key=lambda f: -f.score)

    def boxes(self, image_bgr: np.ndarray) -> np.ndarray:
        found = self.detect(image_bgr)
        return np.stack([f.box for f in found]).astype(np.float32) if found else np.zeros((0, 4), np.float32)

    __call__ = boxes

    def _blazeface(self, model: BlazeFaceDetector, image_bgr: np.ndarray) -> list[FaceBox]:
        h, w = image_bgr.shape[:2]
        thr = self.config.score_threshold
        windows = tiles(h, w, self.config.tile_size, self.config.max_tiles)
        # the whole image, with weak boxes kept as support for what the tiles find
        boxes, marks, scores = model.raw(image_bgr, min(SUPPORT_FLOOR, thr))
        weak_boxes, weak_scores = boxes, scores
        strong = scores >= thr
        all_boxes, all_marks, all_scores = [boxes[strong]], [marks[strong]], [scores[strong]]
        for x, y, side in windows[1:]:
            window = image_bgr[y : y + side, x : x + side]
            boxes, marks, scores = model.raw(window)
            # a box touching a tile edge inside the image is a cut face: a neighbouring tile (or the whole
            # image) holds it whole; and tiles are for small faces: a big box in a tile is a face part
            wh, ww = window.shape[:2]
            keep = (
                ((boxes[:, 0] > 2) | (x == 0))
                & ((boxes[:, 1] > 2) | (y == 0))
                & ((boxes[:, 2] < ww - 2) | (x + ww >= w))
                & ((boxes[:, 3] < wh - 2) | (y + wh >= h))
                & ((boxes[:, 2:] - boxes[:, :2]).max(axis=1) <= TILE_FACE * side)
            )
            offset = np.array([x, y], np.float32)
            boxes, marks, scores = boxes[keep] + np.tile(offset, 2), marks[keep] + offset, scores[keep]
            # a tile's face scores the mean of its tile score and the whole image's score there: hands,
            # hair and textures that only a zoomed-in tile mistakes for a face fall below the threshold
            support = np.zeros(len(boxes), np.float32)
            if len(boxes) and len(weak_boxes):
                overlap = _iou(boxes, weak_boxes)
                support = np.where(overlap >= 0.3, weak_scores[None, :], 0.0).max(axis=1)
            scores = (scores + support) / 2
            ok = scores >= thr
            all_boxes.append(boxes[ok])
            all_marks.append(marks[ok])
            all_scores.append(scores[ok])
        boxes, marks, scores = np.concatenate(all_boxes), np.concatenate(all_marks), np.concatenate(all_scores)
        return [
            FaceBox(np.clip(boxes[i], 0, [w, h, w, h]).astype(np.float32), marks[i], float(scores[i]))
            for i in nms(boxes, scores, self.config.nms_iou, self.config.nms_inside)
        ]
