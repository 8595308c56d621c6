"""ByteTrack-class multi-object tracker, fully vectorised.

Why ByteTrack: it recovers occluded people by matching *low-confidence* detections to existing tracks in a
second pass (instead of throwing them away), which is exactly the partly-hidden person a security camera
sees behind a car or a pillar. Why our own: reference implementations keep one Python object per track and
loop over them; here every track lives in a row of a few numpy arrays, so a frame costs a fixed number of
numpy calls and three small assignment problems.

Association per update call (one "frame" = one call, at ``frame_rate`` calls per second):

1. confirmed tracks (tracked + lost) ↔ high-score detections, cost ``1 - IoU·score``, ``match_thresh``;
2. still-unmatched *tracked* tracks ↔ low-score detections (0.1 < score < ``track_thresh``), IoU ≥ 0.5;
3. unconfirmed tracks (born last frame) ↔ remaining high-score detections, cost ≤ 0.7;
4. remaining detections with score ≥ ``track_thresh + 0.1`` start unconfirmed tracks (confirmed at once on
   the very first frame), which get an id only when a second frame confirms them — so ids count real
   objects, not one-frame false positives.

Tracks only ever match detections of their own ``class_id``: a person never inherits a car's id.
"""

from __future__ import annotations

import numpy as np

from anfang.config.models import TrackerConfig
from anfang.core.detections import Detections
from anfang.tracking import kalman
from anfang.tracking.matching import assign, iou

_LOW_SCORE = 0.1  # detections below this are noise, not occluded objects
_SECOND_MATCH_THRESH = 0.5  # IoU distance for the low-score pass (no score fusion: scores are low by design)
_UNCONFIRMED_MATCH_THRESH = 0.7
_NEW_TRACK_MARGIN = 0.1  # a track starts only from a detection this much above track_thresh
_DUPLICATE_IOU_DIST = 0.15
_MISMATCH = 1e5  # cost of pairing different classes: never below any threshold


class ByteTracker:
    """Assigns stable ``track_id`` values to detections across update calls.

    Args:
        config: thresholds; ``track_buffer_s`` is how long a lost track may be recovered.
        frame_rate: update calls per second (the detection rate, not the video's frame rate).
    """

    def __init__(self, config: TrackerConfig | None = None, frame_rate: float = 10.0) -> None:
        self.config = config or TrackerConfig()
        self.frame_rate = float(frame_rate)
        self.max_lost = max(1, int(round(self.config.track_buffer_s * self.frame_rate)))
        self.reset()

    def reset(self) -> None:
        """Forget every track; ids start again at 1."""
        self._frame = 0
        self._next_id = 1
        self._mean = np.zeros((0, 8))
        self._cov = np.zeros((0, 8, 8))
        self._id = np.zeros(0, np.int64)  # 0 = not yet confirmed
        self._cls = np.zeros(0, np.int32)
        self._lost = np.zeros(0, bool)
        self._last = np.zeros(0, np.int64)  # frame of the last match
        self._start = np.zeros(0, np.int64)

    @property
    def track_count(self) -> int:
        """Tracks currently held (tracked, lost or unconfirmed); bounded by the lost-track buffer."""
        return len(self._id)

    def _cost(
        self, t_idx: np.ndarray, t_boxes: np.ndarray, d_idx: np.ndarray, dets: Detections, fuse: bool
    ) -> np.ndarray:
        boxes = dets.xyxy[d_idx]
        sim = iou(t_boxes[t_idx], boxes)
        if fuse:
            sim = sim * dets.confidence[d_idx][None, :]
        cost = 1.0 - sim
        cost[self._cls[t_idx][:, None] != dets.class_id[d_idx][None, :]] = _MISMATCH
        return cost

    def update(self, detections: Detections) -> Detections:
        """Track one frame's detections; return those of active, confirmed tracks with ``track_id`` set.

        Rows keep the input order; boxes, scores, classes and ``data`` extras are the detection's own.
        """
        self._frame += 1
        frame = self._frame
        cfg = self.config
        scores = detections.confidence

        if len(self._id):
            self._mean[self._lost, 6:8] = 0.0  # a hidden object does not keep growing or shrinking
            self._mean, self._cov = kalman.predict(self._mean, self._cov)
        t_boxes = kalman.xywh_to_xyxy(self._mean)
        n_tracks = len(self._id)
        det_of_track = np.full(n_tracks, -1, dtype=np.intp)

        high = np.flatnonzero(scores >= cfg.track_thresh)
        low = np.flatnonzero((scores > _LOW_SCORE) & (scores < cfg.track_thresh))
        confirmed = self._id > 0
        pool = np.flatnonzero(confirmed)

        # 1. confirmed tracks ↔ confident detections
        rows, cols, um_rows, um_cols = assign(self._cost(pool, t_boxes, high, detections, True), cfg.match_thresh)
        det_of_track[pool[rows]] = high[cols]
        high_left = high[um_cols]

        # 2. tracks still visible last frame ↔ weak detections (occluded / blurred objects)
        second = pool[um_rows]
        second = second[~self._lost[second]]
        if len(second) and len(low):
            rows, cols, _, _ = assign(self._cost(second, t_boxes, low, detections, False), _SECOND_MATCH_THRESH)
            det_of_track[second[rows]] = low[cols]

        # 3. tracks born last frame ↔ remaining confident detections
        unconfirmed = np.flatnonzero(~confirmed)
        rows, cols, _, um_cols = assign(
            self._cost(unconfirmed, t_boxes, high_left, detections, True), _UNCONFIRMED_MATCH_THRESH
        )
        det_of_track[unconfirmed[rows]] = high_left[cols]
        fresh = high_left[um_cols]
        fresh = fresh[scores[fresh] >= cfg.track_thresh + _NEW_TRACK_MARGIN]

        # Correct matched tracks with their detections.
        matched = det_of_track >= 0
        if matched.any():
            meas = kalman.xyxy_to_xywh(detections.xyxy[det_of_track[matched]].astype(np.float64))
            self._mean[matched], self._cov[matched] = kalman.update(self._mean[matched], self._cov[matched], meas)
            newly = np.flatnonzero(matched & ~confirmed)
            self._id[newly] = np.arange(self._next_id, self._next_id + len(newly))
            self._next_id += len(newly)
            self._last[matched] = frame
        self._lost = confirmed & ~matched

        # Drop unconfirmed tracks that found no partner and lost tracks past the buffer.
        keep = (confirmed | matched) & ~(self._lost & (frame - self._last > self.max_lost))
        keep &= ~self._duplicates(keep)
        self._compact(keep)
        det_of_track = det_of_track[keep]

        self._birth(fresh, detections, first_frame=frame == 1)
        # Tracks born on the very first frame are confirmed and reported at once; later births wait a frame.
        det_of_track = np.concatenate([det_of_track, fresh if frame == 1 else np.full(len(fresh), -1, np.intp)])

        active = (det_of_track >= 0) & (self._id > 0)
        det_idx = det_of_track[active]
        order = np.argsort(det_idx, kind="stable")
        out = detections[det_idx[order]]
        out.track_id = self._id[active][order].astype(np.int64)
        return out

    def _duplicates(self, keep: np.ndarray) -> np.ndarray:
        """Tracked/lost pairs covering the same object: flag the younger one of each (ByteTrack's rule)."""
        flag = np.zeros(len(self._id), bool)
        tracked = np.flatnonzero(keep & ~self._lost)
        lost = np.flatnonzero(keep & self._lost)
        if len(tracked) == 0 or len(lost) == 0:
            return flag
        boxes = kalman.xywh_to_xyxy(self._mean)
        dist = 1.0 - iou(boxes[tracked], boxes[lost])
        dist[self._cls[tracked][:, None] != self._cls[lost][None, :]] = 1.0
        ti, li = np.nonzero(dist < _DUPLICATE_IOU_DIST)
        if len(ti) == 0:
            return flag
        age_t = self._frame - self._start[tracked[ti]]
        age_l = self._frame - self._start[lost[li]]
        flag[lost[li[age_t > age_l]]] = True
        flag[tracked[ti[age_t <= age_l]]] = True
        return flag

    def _compact(self, keep: np.ndarray) -> None:
        self._mean, self._cov = self._mean[keep], self._cov[keep]
        self._id, self._cls, self._lost = self._id[keep], self._cls[keep], self._lost[keep]
        self._last, self._start = self._last[keep], self._start[keep]

    def _birth(self, det_idx: np.ndarray, detections: Detections, first_frame: bool) -> None:
        """Start tracks for unmatched confident detections (confirmed immediately only on frame 1)."""
        n = len(det_idx)
        if n == 0:
            return
        mean, cov = kalman.initiate(kalman.xyxy_to_xywh(detections.xyxy[det_idx].astype(np.float64)))
        ids = np.zeros(n, np.int64)
        if first_frame:
            ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
            self._next_id += n
        frames = np.full(n, self._frame, np.int64)
        self._mean = np.concatenate([self._mean, mean])
        self._cov = np.concatenate([self._cov, cov])
        self._id = np.concatenate([self._id, ids])
        self._cls = np.concatenate([self._cls, detections.class_id[det_idx]])
        self._lost = np.concatenate([self._lost, np.zeros(n, bool)])
        self._last = np.concatenate([self._last, frames])
        self._start = np.concatenate([self._start, frames])
