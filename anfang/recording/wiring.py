"""How recording joins the platform: one service object, one observer factory, one bus listener.

``attach(platform)`` is the only call the platform makes; routes reach the service with
:func:`service_of`. Recording is per camera (``recording.mode``), so cameras with ``off`` get no observer
work beyond a no-op.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.recording.export import export_range
from anfang.recording.index import SegmentIndex, timeline
from anfang.recording.recorder import Recorder


class _Off:
    """The observer of a camera that does not record."""

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        return None

    def close(self) -> None:
        return None


class RecordingService:
    """Recorders by camera, the segment index, exports; what the API routes call."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.root = Path(platform.data_dir) / "recordings"
        self.index = SegmentIndex(platform.engine)
        self.recorders: dict[str, Recorder] = {}
        self._lock = threading.Lock()
        platform.bus.add_listener(self._on_event)

    def make_observer(self, camera: CameraConfig) -> Recorder | _Off:
        if camera.recording.mode == "off":
            with self._lock:
                self.recorders.pop(camera.id, None)
            return _Off()
        recorder = Recorder(camera, self.root, self.index)
        with self._lock:
            self.recorders[camera.id] = recorder
        return recorder

    def _on_event(self, event: Event) -> None:
        recorder = self.recorders.get(event.camera_id)
        if recorder is not None:
            recorder.on_event(event)

    # ------------------------------------------------------------ queries

    def listing(self, camera_id: str, since: float | None, until: float | None) -> dict[str, Any]:
        segments = self.index.query(camera_id, since, until)
        recorder = self.recorders.get(camera_id)
        writer = recorder.writer if recorder is not None else None
        try:
            mode = self.platform.camera(camera_id).recording.mode
        except KeyError:
            mode = "off"
        return {
            "camera_id": camera_id,
            "mode": mode,
            "paused": bool(writer and writer.paused),
            "pause_reason": writer.pause_reason if writer else None,
            "segments": [
                {**s.to_dict(), "url": f"/api/recordings/{camera_id}/segments/{s.start_ms}.mp4"} for s in segments
            ],
            "timeline": timeline(segments),
        }

    def segment_path(self, camera_id: str, start_ms: int) -> Path | None:
        seg = self.index.get(camera_id, start_ms)
        if seg is None:
            return None
        path = self.root / seg.path
        return path if path.is_file() else None

    def export(self, camera_id: str, start: float, end: float) -> Path | None:
        """A temporary MP4 of the range (the caller deletes it), or ``None`` if nothing is recorded there."""
        fd, name = tempfile.mkstemp(suffix=".mp4", prefix=f"anfang-{camera_id}-")
        os.close(fd)
        path = Path(name)
        if export_range(self.index, self.root, camera_id, start, end, path) is None:
            path.unlink(missing_ok=True)
            return None
        return path

    def event_clip(self, camera_id: str, start: float, end: float | None) -> Path | None:
        try:
            cfg = self.platform.camera(camera_id).recording
            pre, post = cfg.pre_roll_s, cfg.post_roll_s
        except KeyError:  # camera since removed: its recordings may still be there
            pre, post = 5.0, 10.0
        return self.export(camera_id, start - pre, (end if end is not None else start) + post)

    # ------------------------------------------------------------ live HLS (see live_hls)

    def hls_playlist(self, camera_id: str) -> str | None:
        return None

    def hls_segment(self, camera_id: str, name: str) -> Path | None:
        return None


def attach(platform: Any) -> RecordingService:
    """Give ``platform`` recording: a service at ``platform.recording`` and a per-camera observer."""
    service = RecordingService(platform)
    platform.recording = service
    platform.observer_factories.append(service.make_observer)
    return service


def service_of(platform: Any) -> RecordingService:
    service = getattr(platform, "recording", None)
    if service is None:
        service = attach(platform)
    return service
