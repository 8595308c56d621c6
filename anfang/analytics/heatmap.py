"""Where people walk: a coarse per-camera grid of person anchor points (bottom centre of each box).

A :class:`HeatmapObserver` per camera adds the tracked persons of each analysed frame to a float grid
(vectorised: one ``np.add.at`` per frame); :class:`Heatmaps` keeps the grids of all cameras so the API can
render them over the camera's latest frame. Counting only frames where the detector ran keeps a still
person from piling up weight between detections at the display frame rate.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.core.taxonomy import CLASS_NAMES
from anfang.events.model import Event

GRID_COLS = 64  # cells across; rows follow the frame's aspect ratio
PERSON = CLASS_NAMES.index("person")


class Heatmap:
    """One camera's grid; thread-safe (the pipeline adds, the API reads)."""

    def __init__(self, cols: int = GRID_COLS) -> None:
        self.cols = cols
        self.grid: np.ndarray | None = None
        self.frame_size: tuple[int, int] | None = None  # (width, height)
        self.points = 0
        self._lock = threading.Lock()

    def add(self, detections: Detections, width: int, height: int) -> None:
        person = detections.class_id == PERSON
        if detections.track_id is not None:
            person &= detections.track_id >= 0
        with self._lock:
            if self.grid is None or self.frame_size != (width, height):
                rows = max(1, round(self.cols * height / max(1, width)))
                self.grid = np.zeros((rows, self.cols), np.float32)
                self.frame_size = (width, height)
                self.points = 0
            if not person.any():
                return
            boxes = detections.xyxy[person]
            x = (boxes[:, 0] + boxes[:, 2]) * 0.5
            y = boxes[:, 3]
            rows, cols = self.grid.shape
            cx = np.clip((x / width * cols).astype(np.int64), 0, cols - 1)
            cy = np.clip((y / height * rows).astype(np.int64), 0, rows - 1)
            np.add.at(self.grid, (cy, cx), 1.0)
            self.points += int(person.sum())

    def snapshot(self) -> tuple[np.ndarray | None, int]:
        with self._lock:
            return (None if self.grid is None else self.grid.copy()), self.points

    def render(self, background: np.ndarray | None = None, alpha: float = 0.55) -> np.ndarray:
        """A BGR picture: the grid smoothed and colour-mapped, blended over ``background`` when given."""
        grid, _ = self.snapshot()
        if background is not None:
            height, width = background.shape[:2]
        elif self.frame_size is not None:
            width, height = self.frame_size
        else:
            width, height = 640, 360
        if grid is None:
            grid = np.zeros((1, 1), np.float32)
        smooth = cv2.GaussianBlur(grid, (0, 0), 1.2)
        peak = float(smooth.max())
        norm = (np.sqrt(smooth / peak) * 255).astype(np.uint8) if peak > 0 else np.zeros_like(smooth, np.uint8)
        heat = cv2.applyColorMap(cv2.resize(norm, (width, height), interpolation=cv2.INTER_CUBIC), cv2.COLORMAP_JET)
        if background is None:
            return heat
        weight = (cv2.resize(norm, (width, height)).astype(np.float32) / 255.0 * alpha)[..., None]
        return (background.astype(np.float32) * (1 - weight) + heat.astype(np.float32) * weight).astype(np.uint8)


class HeatmapObserver:
    """The per-camera pipeline stage (a :class:`~anfang.pipeline.observer.FrameObserver`)."""

    def __init__(self, heatmap: Heatmap) -> None:
        self.heatmap = heatmap

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        if detected:
            self.heatmap.add(tracked, frame.width, frame.image.shape[0])
        return None

    def close(self) -> None:
        """Nothing to flush: the grid outlives pipeline restarts (a config edit keeps the history)."""


class Heatmaps:
    """All cameras' heatmaps; ``observer`` is the factory the pipeline manager calls per camera start."""

    def __init__(self) -> None:
        self._maps: dict[str, Heatmap] = {}
        self._lock = threading.Lock()

    def get(self, camera_id: str) -> Heatmap:
        with self._lock:
            return self._maps.setdefault(camera_id, Heatmap())

    def observer(self, camera: CameraConfig) -> HeatmapObserver:
        return HeatmapObserver(self.get(camera.id))
