"""MOTChallenge scoring with motmetrics, shared by the tracking tests and benchmarks.

motmetrics 1.4.0's ``compare_to_groundtruth`` calls ``np.asfarray`` (gone in NumPy 2), so the IoU
distance matrix is computed here and fed to its ``MOTAccumulator``, which is unaffected.
"""

from __future__ import annotations

from pathlib import Path

import motmetrics as mm
import numpy as np


def load_mot(path: Path, min_confidence: float | None = None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Frame → (ids, xywh boxes) from a MOTChallenge text file."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    if min_confidence is not None and len(rows):
        rows = rows[rows[:, 6] >= min_confidence]
    frames: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for f in np.unique(rows[:, 0]).astype(int) if len(rows) else []:
        sel = rows[rows[:, 0] == f]
        frames[int(f)] = (sel[:, 1].astype(int), sel[:, 2:6])
    return frames


def iou_distance(a: np.ndarray, b: np.ndarray, max_dist: float = 0.5) -> np.ndarray:
    """1 − IoU between xywh boxes; NaN (= may not match) where IoU < 1 − max_dist."""
    if len(a) == 0 or len(b) == 0:
        return np.empty((len(a), len(b)))
    a1, a2 = a[:, None, :2], a[:, None, :2] + a[:, None, 2:]
    b1, b2 = b[None, :, :2], b[None, :, :2] + b[None, :, 2:]
    wh = np.clip(np.minimum(a2, b2) - np.maximum(a1, b1), 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = (a[:, None, 2] * a[:, None, 3]) + (b[None, :, 2] * b[None, :, 3]) - inter
    dist = 1.0 - inter / np.maximum(union, 1e-9)
    dist[dist > max_dist] = np.nan
    return dist


def score(gt_path: Path, result_path: Path) -> dict[str, float]:
    """MOTA, IDF1 and friends of a MOTChallenge result file against ground truth (IoU ≥ 0.5)."""
    gt = load_mot(gt_path, min_confidence=1)
    ts = load_mot(result_path)
    acc = mm.MOTAccumulator(auto_id=False)
    empty = (np.zeros(0, int), np.zeros((0, 4)))
    for f in sorted(set(gt) | set(ts)):
        gids, gboxes = gt.get(f, empty)
        tids, tboxes = ts.get(f, empty)
        acc.update(gids, tids, iou_distance(gboxes, tboxes), frameid=f)
    mh = mm.metrics.create()
    summary = mh.compute(acc, metrics=["mota", "idf1", "num_switches", "recall", "precision"], name="seq")
    return {k: float(summary[k].iloc[0]) for k in summary.columns}
