"""The recorder: a per-camera :class:`~anfang.pipeline.observer.FrameObserver` feeding a SegmentWriter.

It runs in the camera thread, so it only hands references over. With an H.264/H.265 source the
compressed packets go source tap → :class:`~anfang.recording.feed.PacketFeed` (its own thread maps them
to epoch time and batches them) → writer; the camera thread only notes which frame it analysed. With any
other codec it passes decoded images to the writer's encoder.

A paused writer (quota, the platform's free-space policy, or the camera's ``min_free_gb``) turns into
one ``recording_paused`` health event, returned from ``on_frame`` so it goes through the platform sink
like any rule event; ``recording_resumed`` follows when space is back. Analytics never stop for either.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.recording.feed import Batch, PacketFeed
from anfang.recording.hls import HlsMuxer
from anfang.recording.index import SegmentIndex
from anfang.recording.writer import REMUX_CODECS, SegmentWriter
from anfang.security.media import MediaPolicy
from anfang.store.space import DiskGuard

log = logging.getLogger(__name__)


class Recorder:
    """Records one camera according to its ``recording`` config (see the module docstring).

    With ``mode: off`` it records nothing but still owns the camera's packet feed, so live HLS works for
    every H.264/H.265 camera; the tap costs nothing while nobody subscribes.
    """

    def __init__(self, camera: CameraConfig, root: Path, index: SegmentIndex, space: DiskGuard | None = None,
                 media: MediaPolicy | None = None) -> None:
        self.media = media
        self.camera_id = camera.id
        self.space = space  # the platform's free-space policy, handed to the writer
        self.cfg = camera.recording
        self.root = root
        self.index = index
        self.writer: SegmentWriter | None = None
        self.remux: bool | None = None  # decided on the first frame
        self.feed = PacketFeed(camera.id)
        self._source: Any = None
        self._paused = False
        self._hls: HlsMuxer | None = None
        if self.cfg.mode != "off":
            self.feed.subscribers["record"] = self._deliver  # collect from the first packet on

    # ------------------------------------------------------------ source tap

    def attach_source(self, source: Any) -> None:
        """Called by the pipeline with each new source, before it opens: subscribe to its packets."""
        self._source = source
        self.feed.reset()
        if self.remux is not False and hasattr(source, "packet_tap"):
            source.packet_tap = self.feed.tap

    def _deliver(self, batch: Batch) -> None:
        if self.writer is not None:
            self.writer.add_packets(batch)

    # ------------------------------------------------------------ camera thread

    def _writer(self) -> SegmentWriter:
        if self.writer is None:
            fps = float(getattr(self._source, "fps", 0.0) or 10.0)
            self.writer = SegmentWriter(self.camera_id, self.root, self.index, self.cfg, fps=fps, space=self.space,
                                         media=self.media)
        return self.writer

    def on_frame(self, frame: Frame, tracked: Detections, detected: bool) -> list[Event] | None:
        if self.remux is None:
            stream = self.feed.current_stream()
            self.remux = stream is not None and stream.codec_context.name in REMUX_CODECS
            if self.cfg.mode != "off":
                log.info("camera %s: recording by %s", self.camera_id, "remux" if self.remux else "encoding")
            if self.remux and "record" in self.feed.subscribers:
                self.feed.subscribe("record", self._deliver)  # starts the feed thread
            elif not self.remux:
                self.feed.subscribers.clear()
                self.feed.reset()
        if self.remux:
            anchor = getattr(self._source, "stream_time", None)
            if anchor is not None:
                self.feed.frame(anchor, frame.timestamp)
        if self.cfg.mode == "off":
            return None
        writer = self._writer()
        if not self.remux:
            writer.add_frame(frame.image, frame.timestamp)
        return self._health(frame, writer)

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

    def hls(self, directory: Path) -> HlsMuxer | None:
        """The camera's live HLS muxer, started on first use; ``None`` when the source is not H.264/H.265."""
        if not self.remux:
            return None
        mux = self._hls
        if mux is None or mux.closed:
            mux = self._hls = HlsMuxer(self.camera_id, directory, on_idle=lambda: self.feed.unsubscribe("hls"))
            self.feed.subscribe("hls", mux)
        return mux

    def flush(self) -> None:
        """Deliver every released packet and wait until it is written (tests, benchmarks)."""
        self.feed.pump()
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        if self._source is not None and getattr(self._source, "packet_tap", None) == self.feed.tap:
            self._source.packet_tap = None
        self.feed.close()
        if self._hls is not None:
            self._hls.close()
        if self.writer is not None:
            self.writer.close()
