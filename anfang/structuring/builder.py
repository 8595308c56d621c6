"""Per-camera observer: follows tracks, keeps each track's best view, writes a record when the track ends.

"Best" = what an investigator would pick: sharp (variance of the Laplacian), large, confidently detected and
not cut off by the frame edge. Only frames where the detector ran are scored (between detections the boxes
are stale). The best frame is kept by reference (sources hand out a new array per frame), so a track costs
one frame of memory, not one per frame seen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import cv2
import numpy as np

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.core.taxonomy import class_name
from anfang.events.model import Event
from anfang.structuring.service import Observation, RecordService

log = logging.getLogger(__name__)

EDGE_MARGIN_PX = 3
FULL_SIZE_PX = 160.0  # box height at which size stops improving the score
SHARP_HALF = 60.0  # Laplacian variance that gives half the sharpness credit


def quality_scores(image: np.ndarray, dets: Detections) -> np.ndarray:
    """Quality in [0, 1] per detection: confidence × size × sharpness × (0.4 when touching the frame edge)."""
    h, w = image.shape[:2]
    xyxy = dets.xyxy
    heights = np.clip(xyxy[:, 3] - xyxy[:, 1], 0, None)
    size = np.minimum(1.0, heights / FULL_SIZE_PX)
    touching = (xyxy[:, 0] <= EDGE_MARGIN_PX) | (xyxy[:, 1] <= EDGE_MARGIN_PX)
    touching |= (xyxy[:, 2] >= w - EDGE_MARGIN_PX) | (xyxy[:, 3] >= h - EDGE_MARGIN_PX)
    sharp = np.zeros(len(dets), np.float32)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if len(dets) else None
    for i, (x1, y1, x2, y2) in enumerate(xyxy.astype(int)):
        patch = grey[max(0, y1) : max(0, y2), max(0, x1) : max(0, x2)]  # type: ignore[index]
        if patch.size >= 16:
            # Resize to a fixed height first: raw variance grows with resolution, not with focus.
            scale = 64.0 / patch.shape[0]
            small = cv2.resize(patch, (max(4, int(patch.shape[1] * scale)), 64), interpolation=cv2.INTER_AREA)
            var = float(cv2.Laplacian(small, cv2.CV_32F).var())
            sharp[i] = var / (var + SHARP_HALF)
    return dets.confidence * size * sharp * np.where(touching, 0.4, 1.0)


@dataclass
class _Track:
    object_class: str
    first_seen: float
    last_seen: float
    detections: int = 0
    best_quality: float = -1.0
    best_image: np.ndarray | None = None
    best_box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    best_confidence: float = 0.0
    best_time: float = 0.0


class RecordBuilder:
    """The :class:`~anfang.pipeline.observer.FrameObserver` that produces records (emits no events)."""

    def __init__(self, camera: CameraConfig, service: RecordService) -> None:
        self.camera_id = camera.id
        self.service = service
        self.cfg = service.cfg
        self.classes = set(self.cfg.classes)
        self.tracks: dict[int, _Track] = {}
        self.written = 0
        self._last_ts: float | None = None

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        ts = frame.timestamp
        if self._last_ts is not None and ts < self._last_ts:  # source restarted (file loop): close old tracks
            self.flush()
        self._last_ts = ts
        if detected and len(tracked) and tracked.track_id is not None:
            dets = tracked[tracked.track_id >= 0]
            scores = quality_scores(frame.image, dets)
            for i in range(len(dets)):
                tid = int(dets.track_id[i])  # type: ignore[index]
                name = class_name(int(dets.class_id[i]))
                if name not in self.classes:
                    continue
                tr = self.tracks.get(tid)
                if tr is None:
                    tr = self.tracks[tid] = _Track(name, ts, ts)
                tr.last_seen = ts
                tr.detections += 1
                if scores[i] > tr.best_quality:
                    tr.best_quality = float(scores[i])
                    tr.best_image = frame.image
                    tr.best_box = tuple(float(v) for v in dets.xyxy[i])  # type: ignore[assignment]
                    tr.best_confidence = float(dets.confidence[i])
                    tr.best_time = ts
        ended = [tid for tid, tr in self.tracks.items() if ts - tr.last_seen > self.cfg.track_end_s]
        for tid in ended:
            self._finish(tid)
        return None

    def _finish(self, tid: int) -> None:
        tr = self.tracks.pop(tid)
        if tr.detections < self.cfg.min_detections or tr.best_image is None:
            return
        obs = Observation(
            camera_id=self.camera_id,
            track_id=tid,
            object_class=tr.object_class,
            image=tr.best_image,
            box=tr.best_box,
            confidence=tr.best_confidence,
            quality=tr.best_quality,
            shot_time=tr.best_time,
            appear_time=tr.first_seen,
            disappear_time=tr.last_seen,
            detections=tr.detections,
        )
        started = time.perf_counter()
        try:
            self.service.record(obs)
            self.written += 1
        except Exception:  # one bad record must not stop the camera
            log.exception("camera %s: record for track %d not written", self.camera_id, tid)
        log.debug("camera %s: track %d recorded in %.1f ms", self.camera_id, tid, (time.perf_counter() - started) * 1e3)

    def flush(self) -> None:
        """Write every open track (camera stopping, or its source restarting)."""
        for tid in list(self.tracks):
            self._finish(tid)

    def close(self) -> None:
        self.flush()
        self.service.maybe_save(force=True)
