"""The recorder: a per-camera :class:`~anfang.pipeline.observer.FrameObserver` feeding a SegmentWriter.

It runs in the camera thread, so it only hands references over. With an H.264/H.265 source it takes the
compressed packets the source's ``packet_tap`` delivered (from the demux thread) and maps their stream
time to epoch time with one anchor per input stream: the first frame of a stream gives
``offset = frame.timestamp - stream_time`` (a file's loop pass or an RTSP reconnect opens a new stream and
gets a new anchor). With any other codec it passes decoded images to the writer's encoder.

A paused writer (quota or free-space limit) turns into one ``recording_paused`` health event, returned
from ``on_frame`` so it goes through the platform sink like any rule event; ``recording_resumed``
follows when space is back. Analytics never stop for either.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.recording.index import SegmentIndex
from anfang.recording.writer import REMUX_CODECS, SegmentWriter

log = logging.getLogger(__name__)

MAX_TAPPED = 2000  # packets waiting for the camera thread; beyond this the oldest go (a stuck pipeline)


class Recorder:
    """Records one camera according to its ``recording`` config (see the module docstring)."""

    def __init__(self, camera: CameraConfig, root: Path, index: SegmentIndex) -> None:
        self.camera_id = camera.id
        self.cfg = camera.recording
        self.root = root
        self.index = index
        self.writer: SegmentWriter | None = None
        self.remux: bool | None = None  # decided on the first frame
        self._source: Any = None
        self._packets: deque[Any] = deque()
        self._anchors: dict[int, tuple[Any, float]] = {}
        self._paused = False

    # ------------------------------------------------------------ source tap

    def attach_source(self, source: Any) -> None:
        """Called by the pipeline with each new source, before it opens: subscribe to its packets."""
        self._source = source
        self._anchors.clear()
        self._packets.clear()
        if self.remux is not False and hasattr(source, "packet_tap"):
            source.packet_tap = self._tap

    def _tap(self, packet: Any) -> None:
        """Demux thread: keep a reference, nothing else (deque append is atomic)."""
        if self.remux is False or packet.pts is None or not packet.size:
            return
        if len(self._packets) >= MAX_TAPPED:
            self._packets.popleft()
        self._packets.append(packet)

    # ------------------------------------------------------------ camera thread

    def _writer(self) -> SegmentWriter:
        if self.writer is None:
            fps = float(getattr(self._source, "fps", 0.0) or 10.0)
            self.writer = SegmentWriter(self.camera_id, self.root, self.index, self.cfg, fps=fps)
        return self.writer

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        writer = self._writer()
        if self.remux is None:
            first = self._packets[0] if self._packets else None
            self.remux = first is not None and first.stream.codec_context.name in REMUX_CODECS
            if not self.remux:
                self._packets.clear()
            log.info("camera %s: recording by %s", self.camera_id, "remux" if self.remux else "encoding")
        if self.remux:
            self._drain(frame, writer)
        else:
            writer.add_frame(frame.image, frame.timestamp)
        return self._health(frame, writer)

    def _drain(self, frame: Frame, writer: SegmentWriter) -> None:
        anchor = getattr(self._source, "stream_time", None)
        if anchor is not None and id(anchor[0]) not in self._anchors:
            self._anchors[id(anchor[0])] = (anchor[0], frame.timestamp - anchor[1])
            while len(self._anchors) > 4:
                self._anchors.pop(next(iter(self._anchors)))
        while self._packets:
            packet = self._packets[0]
            known = self._anchors.get(id(packet.stream))
            if known is None or known[0] is not packet.stream:
                break  # a new stream's packets wait for its first frame (its anchor)
            stream_pts = float(packet.pts * packet.time_base)
            if anchor is not None and packet.stream is anchor[0] and stream_pts > anchor[1] + 1e-6:
                break  # demuxed ahead of the analysed frame: recorded with its own frame
            self._packets.popleft()
            offset = known[1]
            pts = stream_pts + offset
            dts = float(packet.dts * packet.time_base) + offset if packet.dts is not None else pts
            writer.add_packet(packet, pts, dts, packet.stream)

    def _health(self, frame: Frame, writer: SegmentWriter) -> list[Event] | None:
        if writer.paused == self._paused:
            return None
        self._paused = writer.paused
        kind = "recording_paused" if writer.paused else "recording_resumed"
        attrs = {"reason": writer.pause_reason} if writer.paused else {}
        return [Event(camera_id=self.camera_id, rule="recording", type=kind, start_time=frame.timestamp,
                      attributes=attrs)]

    def on_event(self, event: Event) -> None:
        """Events mode: keep the recording around this event (bus listener, camera thread)."""
        if self.cfg.mode != "events" or event.type.startswith("recording_") or self.writer is None:
            return
        end = event.end_time if event.end_time is not None else event.start_time
        self.writer.mark(event.start_time - self.cfg.pre_roll_s, end + self.cfg.post_roll_s)

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        if self._source is not None and getattr(self._source, "packet_tap", None) == self._tap:
            self._source.packet_tap = None
        if self.writer is not None:
            self.writer.close()
