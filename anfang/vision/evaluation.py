"""Detector accuracy against MOTChallenge ground truth (recall / precision at an IoU threshold).

Used by the detector tests, the benchmark and docs/models.md, so the numbers quoted there are reproducible
with one function call rather than a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from anfang.core.detections import Detections
from anfang.core.taxonomy import ObjectClass
from anfang.vision.base import Detector
from anfang.vision.onnx_utils import box_iou


def load_mot_gt(path: Path) -> dict[int, np.ndarray]:
    """``gt.txt`` → {frame (1-based): (N, 4) xyxy}; rows with confidence flag 0 are ignored."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    rows = rows[rows[:, 6] != 0]
    out: dict[int, np.ndarray] = {}
    for frame in np.unique(rows[:, 0]).astype(int):
        r = rows[rows[:, 0] == frame]
        out[int(frame)] = np.column_stack([r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5]]).astype(np.float32)
    return out


def match_frame(pred: np.ndarray, scores: np.ndarray, gt: np.ndarray, iou: float = 0.5) -> int:
    """True positives of one frame: greedy one-to-one matching in descending score order."""
    if len(pred) == 0 or len(gt) == 0:
        return 0
    ious = box_iou(pred[np.argsort(-scores)], gt)
    taken = np.zeros(len(gt), dtype=bool)
    tp = 0
    for row in ious:  # loop over a frame's few predictions: evaluation code, not the frame path
        cand = np.where(~taken & (row >= iou), row, -1.0)
        j = int(np.argmax(cand))
        if cand[j] >= 0:
            taken[j] = True
            tp += 1
    return tp


@dataclass
class PRResult:
    tp: int
    n_pred: int
    n_gt: int

    @property
    def recall(self) -> float:
        return self.tp / max(self.n_gt, 1)

    @property
    def precision(self) -> float:
        return self.tp / max(self.n_pred, 1)


def read_frames(video: Path, frames: list[int]) -> dict[int, np.ndarray]:
    """Decode the given 1-based frame numbers of a video (sequentially; seeking is unreliable in mp4)."""
    cap = cv2.VideoCapture(str(video))
    wanted, idx = set(frames), 0
    out: dict[int, np.ndarray] = {}
    while len(out) < len(wanted):
        ok, img = cap.read()
        if not ok:
            break
        idx += 1
        if idx in wanted:
            out[idx] = img
    cap.release()
    return out


def evaluate_person(
    detector: Detector,
    images: dict[int, np.ndarray],
    gt: dict[int, np.ndarray],
    iou: float = 0.5,
    min_height: float = 0.0,
) -> PRResult:
    """Person recall/precision over ``images``; predictions shorter than ``min_height`` px are ignored
    (TUD-Campus leaves people seated behind glass out of its ground truth)."""
    tp = n_pred = n_gt = 0
    for frame, img in images.items():
        dets: Detections = detector.detect(img)
        dets = dets[dets.class_id == int(ObjectClass.PERSON)]
        dets = dets[(dets.xyxy[:, 3] - dets.xyxy[:, 1]) >= min_height]
        g = gt.get(frame, np.zeros((0, 4), np.float32))
        tp += match_frame(dets.xyxy, dets.confidence, g, iou)
        n_pred += len(dets)
        n_gt += len(g)
    return PRResult(tp, n_pred, n_gt)
