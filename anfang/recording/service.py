"""Recording's service: recorders by camera, the segment index, exports and live HLS; what the routes call.

Recording is per camera (``recording.mode``), so cameras with ``off`` get no observer work beyond owning
the packet feed (for live HLS).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from anfang.component import Context
from anfang.config.models import CameraConfig
from anfang.events.model import Event
from anfang.recording.config import RecordingConfig
from anfang.recording.export import export_range
from anfang.recording.hls import HlsMuxer
from anfang.recording.index import SegmentIndex, timeline
from anfang.recording.recorder import Recorder
from anfang.recording.sweep import Sweeper


class RecordingService:
    """Recorders by camera, the segment index, exports; what the API routes call."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.root = ctx.data_dir / "recordings"
        self.live_root = ctx.data_dir / "live"  # HLS segments, deleted when nobody watches
        self.index = SegmentIndex(ctx.engine)
        self.recorders: dict[str, Recorder] = {}
        self._lock = threading.Lock()
        self.sweeper: Sweeper | None = None
        ctx.bus.add_listener(self._on_event)

    def start(self) -> None:
        """Start the sweeper thread: orphan scan (crash recovery), then hourly retention."""
        self.sweeper = Sweeper(self.index, self.root, self._configs).start()

    def stop(self) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()
            self.sweeper = None

    def _configs(self) -> dict[str, RecordingConfig]:
        return {cam.id: cam.recording for cam in self.ctx.config.cameras}

    def make_observer(self, camera: CameraConfig) -> Recorder:
        """Every camera gets one: with ``mode: off`` it only owns the packet feed, for live HLS."""
        recorder = Recorder(camera, self.root, self.index, self.ctx.space, self.ctx.media)
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
            mode = self.ctx.cameras.camera(camera_id).recording.mode
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
        # Verified against its at-rest signature before it is served: raises EvidenceTampered (409 + alarm).
        return self.ctx.media.verify_file(path) if path.is_file() else None

    def export(self, camera_id: str, start: float, end: float) -> Path | None:
        """A temporary MP4 of the range (the caller deletes it), or ``None`` if nothing is recorded there."""
        for seg in self.index.query(camera_id, start, end):  # never cut a tampered segment into a clip
            if (self.root / seg.path).is_file():
                self.ctx.media.verify_file(self.root / seg.path)
        fd, name = tempfile.mkstemp(suffix=".mp4", prefix=f"anfang-{camera_id}-")
        os.close(fd)
        path = Path(name)
        if export_range(self.index, self.root, camera_id, start, end, path) is None:
            path.unlink(missing_ok=True)
            return None
        return path

    def event_clip(self, camera_id: str, start: float, end: float | None) -> Path | None:
        try:
            cfg = self.ctx.cameras.camera(camera_id).recording
            pre, post = cfg.pre_roll_s, cfg.post_roll_s
        except KeyError:  # camera since removed: its recordings may still be there
            pre, post = 5.0, 10.0
        return self.export(camera_id, start - pre, (end if end is not None else start) + post)

    # ------------------------------------------------------------ live HLS (see hls.py)

    def _hls(self, camera_id: str) -> HlsMuxer | None:
        """The camera's muxer (started here); ``None`` while the camera has no frame yet.

        Raises ``LookupError`` when the camera cannot have HLS (not H.264/H.265: the console keeps MJPEG).
        """
        recorder = self.recorders.get(camera_id)
        if recorder is None or recorder.remux is None:
            return None
        mux = recorder.hls(self.live_root / camera_id)
        if mux is None:
            raise LookupError(f"camera {camera_id!r} is not H.264/H.265: live HLS would need re-encoding")
        return mux

    def hls_playlist(self, camera_id: str) -> str | None:
        """Playlist text, or ``None`` until the first segment exists (the route answers 503)."""
        mux = self._hls(camera_id)
        return None if mux is None else mux.playlist()

    def hls_segment(self, camera_id: str, name: str) -> Path | None:
        recorder = self.recorders.get(camera_id)
        mux = recorder._hls if recorder is not None else None
        return None if mux is None or mux.closed else mux.segment(name)
