"""Shared pieces of the ONNX detector plug-ins: sessions, resizes, class mapping, NMS.

Everything here is vectorised: a frame's boxes are filtered, mapped and suppressed as arrays.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import COCO_TO_ANFANG

# COCO-80 index → anfang class id, -1 for classes we drop. A lookup table beats a dict per box.
COCO_LUT = np.full(80, -1, dtype=np.int32)
for _coco, _ours in COCO_TO_ANFANG.items():
    COCO_LUT[_coco] = int(_ours)


def make_session(path: Path, threads: int = 2):  # noqa: ANN201 - onnxruntime is imported lazily
    """An onnxruntime CPU session with a small, fixed thread count.

    Several cameras share one process; letting every session spin up one thread per core makes them fight.
    ``InferenceSession.run`` is thread-safe, so one session serves all camera threads.
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, threads)
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    # No busy-waiting between runs: several sessions (combo = two models, plus face/pose/plates) and the
    # camera threads share two cores, and a pool spinning after its run steals them from the next model.
    # Measured on the combo detector (two sessions alternating), TUD-Campus frames: 83 → 50 ms/frame.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


_MAPS: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}


def resize_tf_bilinear(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bilinear resize with TensorFlow's legacy sampling (``half_pixel_centers=False``).

    TF samples output pixel ``i`` at source ``i * in / out``; ``cv2.resize`` samples at
    ``(i + 0.5) * in / out - 0.5``. The TF.js models were trained/evaluated with TF's grid, so we reproduce
    it with ``cv2.remap`` (C speed); maps are cached per size pair. Upper neighbours clamp at the edge like TF.
    """
    h, w = image.shape[:2]
    key = (h, w, height, width)
    maps = _MAPS.get(key)
    if maps is None:
        xs = np.arange(width, dtype=np.float32) * np.float32(w / width)
        ys = np.arange(height, dtype=np.float32) * np.float32(h / height)
        maps = (np.broadcast_to(xs, (height, width)).copy(), np.broadcast_to(ys[:, None], (height, width)).copy())
        _MAPS[key] = maps
    return cv2.remap(image, maps[0], maps[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def nms_per_class(dets: Detections, iou: float) -> Detections:
    """Class-wise non-maximum suppression (a person box never suppresses the car it stands by)."""
    if len(dets) < 2:
        return dets
    xywh = dets.xyxy.copy()
    xywh[:, 2:] -= xywh[:, :2]
    keep = cv2.dnn.NMSBoxesBatched(xywh.tolist(), dets.confidence.tolist(), dets.class_id.tolist(), 0.0, iou)
    return dets[np.sort(np.asarray(keep, dtype=np.int64).reshape(-1))]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of two xyxy arrays."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)
