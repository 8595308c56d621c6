"""MOTChallenge ground truth as tracker input, and CLEAR-MOT / IDF1 scoring.

Feeding ground-truth boxes with controlled noise and dropouts isolates the *tracker* from the detector:
the tracker tests and ``bench/bench_tracker.py`` use this to score us and a baseline on identical input.
``motmetrics`` is a test/bench dependency only, so it is imported lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anfang.core.detections import Detections


@dataclass
class GroundTruthFrame:
    """One frame of ground truth: object ids and xyxy boxes."""

    ids: np.ndarray
    xyxy: np.ndarray


def load_mot_gt(path: Path) -> list[GroundTruthFrame]:
    """Read a MOTChallenge ``gt.txt`` (frame, id, x, y, w, h, ...); frames 1..max, empty ones included."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    rows = rows[rows[:, 6] != 0] if rows.shape[1] > 6 else rows  # column 7 = 0 marks "ignore" boxes
    n_frames = int(rows[:, 0].max())
    frames = []
    for f in range(1, n_frames + 1):
        r = rows[rows[:, 0] == f]
        xyxy = np.c_[r[:, 2:4], r[:, 2:4] + r[:, 4:6]]
        frames.append(GroundTruthFrame(r[:, 1].astype(np.int64), xyxy))
    return frames


def noisy_detections(
    gt: Sequence[GroundTruthFrame], seed: int = 0, drop: float = 0.1, jitter: float = 0.03
) -> list[Detections]:
    """Ground truth as a detector would give it: box jitter (fraction of size), ``drop`` of boxes missing,
    confidences uniform in [0.3, 1] (so some fall in ByteTrack's low-score pass)."""
    rng = np.random.default_rng(seed)
    out = []
    for frame in gt:
        keep = rng.random(len(frame.ids)) >= drop
        xyxy = frame.xyxy[keep]
        wh = xyxy[:, 2:] - xyxy[:, :2]
        xyxy = xyxy + rng.normal(0.0, jitter, (len(xyxy), 4)) * np.c_[wh, wh]
        conf = rng.uniform(0.3, 1.0, len(xyxy))
        out.append(Detections(xyxy, conf, np.zeros(len(xyxy), np.int32)))
    return out


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU written out here so the score does not depend on the tracker's own matching code."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    area = lambda x: np.prod(x[:, 2:] - x[:, :2], axis=1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def score_tracks(gt: Sequence[GroundTruthFrame], tracks: Sequence[Detections], min_iou: float = 0.5) -> dict:
    """MOTA, IDF1 and id switches of ``tracks`` (one ``Detections`` with track_id per gt frame)."""
    import motmetrics as mm

    acc = mm.MOTAccumulator(auto_id=True)
    for frame, out in zip(gt, tracks, strict=True):
        dist = 1.0 - _iou(frame.xyxy, np.asarray(out.xyxy, np.float64))
        dist[dist > 1.0 - min_iou] = np.nan
        ids = out.track_id if out.track_id is not None else np.zeros(0, np.int64)
        acc.update(frame.ids, ids, dist)
    summary = mm.metrics.create().compute(acc, metrics=["mota", "idf1", "num_switches"], name="seq")
    return {
        "mota": float(summary["mota"].iloc[0]),
        "idf1": float(summary["idf1"].iloc[0]),
        "id_switches": int(summary["num_switches"].iloc[0]),
    }


def load_mot_tracks(path: Path, n_frames: int) -> list[Detections]:
    """Read a MOTChallenge result file (frame, id, x, y, w, h, conf, ...) as one ``Detections`` per frame."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    out = []
    for f in range(1, n_frames + 1):
        r = rows[rows[:, 0] == f] if len(rows) else rows
        xyxy = np.c_[r[:, 2:4], r[:, 2:4] + r[:, 4:6]] if len(r) else np.zeros((0, 4))
        out.append(Detections(xyxy, np.ones(len(r)), np.zeros(len(r), np.int32), track_id=r[:, 1].astype(np.int64)))
    return out


def score_files(gt_path: Path, result_path: Path, min_iou: float = 0.5) -> dict:
    """Score a MOTChallenge result file against ``gt.txt`` (what ``anfang analyze --tracks-out`` writes)."""
    gt = load_mot_gt(gt_path)
    return score_tracks(gt, load_mot_tracks(result_path, len(gt)), min_iou)
