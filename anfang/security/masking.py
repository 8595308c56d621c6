"""Privacy masking: blur faces and plates for users without see_identities.

Face finding uses BlazeFace (back-camera model, 256x256) from the offline model pack; when the pack is
missing it falls back to OpenCV's Haar cascade, which ships inside opencv-python. Masking errs on the side of
privacy: boxes are grown by a margin and the threshold is low, because an unblurred face is a leak while an
extra blurred patch costs nothing. Pictures in which nothing is found are returned byte-for-byte unchanged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

Locator = Callable[[np.ndarray], np.ndarray]  # BGR image -> (N, 4) float xyxy pixel boxes

_plate_locator: Locator | None = None


def register_plate_locator(locator: Locator | None) -> None:
    """Hook for the plate module (``anfang/vision/plate*.py``): boxes returned by it are masked too."""
    global _plate_locator
    _plate_locator = locator


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _blazeface_anchors() -> np.ndarray:
    """Centres of the 896 anchors (16x16 grid x 2, 8x8 grid x 6), in 0..1 units, in model output order."""
    out = []
    for grid, per_cell in ((16, 2), (8, 6)):
        ys, xs = np.mgrid[0:grid, 0:grid]
        centres = np.stack([(xs + 0.5) / grid, (ys + 0.5) / grid], axis=-1).reshape(-1, 1, 2)
        out.append(np.repeat(centres, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


class BlazeFaceLocator:
    """BlazeFace via onnxruntime: letterbox to a square, 256x256, decode anchors, greedy NMS."""

    SIZE = 256

    def __init__(self, model: Path, threshold: float = 0.5) -> None:
        from anfang.vision.onnx_utils import make_session

        self.session = make_session(model, threads=1)
        self.input = self.session.get_inputs()[0].name
        self.threshold = threshold
        self.anchors = _blazeface_anchors()
        self._lock = threading.Lock()  # one session shared by API threads

    def __call__(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)
        square[:h, :w] = image
        rgb = cv2.cvtColor(cv2.resize(square, (self.SIZE, self.SIZE)), cv2.COLOR_BGR2RGB)
        blob = (rgb.astype(np.float32) / 127.5 - 1.0)[None]
        with self._lock:
            s16, s8, r16, r8 = self.session.run(None, {self.input: blob})
        scores = _sigmoid(np.concatenate([s16[0, :, 0], s8[0, :, 0]]))
        reg = np.concatenate([r16[0], r8[0]])
        keep = scores >= self.threshold
        if not keep.any():
            return np.zeros((0, 4), np.float32)
        centre = reg[keep, :2] / self.SIZE + self.anchors[keep]
        size = reg[keep, 2:4] / self.SIZE
        boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1) * side
        idx = cv2.dnn.NMSBoxes(
            [[float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for b in boxes],
            scores[keep].tolist(),
            self.threshold,
            0.3,
        )
        return boxes[np.asarray(idx, dtype=int).reshape(-1)].astype(np.float32)


class HaarFaceLocator:
    """OpenCV's frontal-face Haar cascade: no model pack needed, weaker on small or turned faces."""

    def __init__(self) -> None:
        path = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
        self.cascade = cv2.CascadeClassifier(str(path))
        if self.cascade.empty():
            raise RuntimeError(f"cannot load {path}")
        self._lock = threading.Lock()

    def __call__(self, image: np.ndarray) -> np.ndarray:
        grey = cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        with self._lock:
            found = self.cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=4, minSize=(16, 16))
        if len(found) == 0:
            return np.zeros((0, 4), np.float32)
        xywh = np.asarray(found, np.float32)
        return np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)


def make_face_locator(kind: str = "auto", models_dir: Path | None = None) -> Locator:
    """BlazeFace from the pack when asked or available ("auto"), else the Haar cascade."""
    if kind in ("auto", "blazeface"):
        from anfang.models.paths import default_models_dir

        model = (models_dir or default_models_dir()) / "blazeface.onnx"
        if model.is_file():
            return BlazeFaceLocator(model)
        if kind == "blazeface":
            raise FileNotFoundError(f"{model} missing: run `anfang models build`")
        log.info("blazeface not in the model pack; masking faces with the Haar cascade")
    return HaarFaceLocator()


def blur_boxes(image: np.ndarray, boxes: np.ndarray, margin: float = 0.25) -> np.ndarray:
    """Copy of ``image`` with each box (grown by ``margin``) pixelated beyond recognition."""
    out = image.copy()
    h, w = image.shape[:2]
    for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        a, b = int(max(0, x1 - mx)), int(max(0, y1 - my))
        c, d = int(min(w, x2 + mx)), int(min(h, y2 + my))
        if c - a < 2 or d - b < 2:
            continue
        # A fixed 6-block mosaic whatever the face size: fine mosaics of big faces stay recognisable.
        blocks = (6, max(1, round(6 * (d - b) / (c - a))))
        small = cv2.resize(out[b:d, a:c], blocks, interpolation=cv2.INTER_AREA)
        out[b:d, a:c] = cv2.resize(small, (c - a, d - b), interpolation=cv2.INTER_NEAREST)
    return out


class Masker:
    """Finds identities (faces; plates through the registered PP-OCR locator) and blurs them."""

    def __init__(self, kind: str = "auto", models_dir: Path | None = None, locator: Locator | None = None) -> None:
        self.kind = kind
        self.models_dir = models_dir
        self._faces = locator
        self._lock = threading.Lock()

    def face_boxes(self, image: np.ndarray) -> np.ndarray:
        if self._faces is None:
            with self._lock:
                if self._faces is None:
                    self._faces = make_face_locator(self.kind, self.models_dir)
        return self._faces(image)

    def boxes(self, image: np.ndarray) -> np.ndarray:
        found = [self.face_boxes(image)]
        if _plate_locator is not None:
            found.append(np.asarray(_plate_locator(image), np.float32).reshape(-1, 4))
        return np.concatenate(found) if found else np.zeros((0, 4), np.float32)

    def mask(self, image: np.ndarray) -> np.ndarray:
        boxes = self.boxes(image)
        return blur_boxes(image, boxes) if len(boxes) else image

    def mask_jpeg(self, data: bytes, quality: int = 90) -> bytes:
        """Masked JPEG; the original bytes when nothing is found or the data is not an image."""
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return data
        boxes = self.boxes(image)
        if not len(boxes):
            return data
        ok, buf = cv2.imencode(".jpg", blur_boxes(image, boxes), [cv2.IMWRITE_JPEG_QUALITY, quality])
        return buf.tobytes() if ok else b""
