"""The segment writer: one background thread per recorded camera that owns every file it writes.

The analytics thread only hands over references (a decoded image, or a compressed packet with its epoch
time) through a bounded queue and never waits: when the disk or the encoder falls behind, items are
dropped and counted rather than slowing detection down.

Files are fragmented MP4 (``frag_keyframe+empty_moov+default_base_moof``): every keyframe starts a
self-contained fragment, so a crash or power cut loses at most the last fragment and what was written
stays playable, and browsers play a segment directly. Segments are cut only on keyframes; a new segment
starts exactly where the previous one ended (``end`` of one == ``start`` of the next), so the index has
neither gaps nor overlaps while the stream is continuous.

Two inputs:

* **remux** (H.264/H.265 sources): compressed packets tapped from the demuxer are copied, no decoding
  or encoding; timestamps are rebased to the segment's start.
* **encode** (anything else): frames are encoded with libx264 ``ultrafast``/``zerolatency``, one encoder
  per segment (so a segment starts with an IDR frame) and a keyframe every second for quick seeking.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from anfang.recording.config import RecordingConfig
from anfang.recording.index import Segment, SegmentIndex
from anfang.recording.retention import enforce_retention
from anfang.security.media import MediaPolicy
from anfang.store.space import DiskGuard, Writer

log = logging.getLogger(__name__)

MOVFLAGS = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
ENCODE_TB = Fraction(1, 90_000)
REMUX_CODECS = frozenset({"h264", "hevc"})
BUDGET_CHECK_S = 1.0  # media seconds between disk-budget checks
GB = 1024**3


def segment_relpath(camera_id: str, start: float) -> str:
    """``<camera>/<YYYY-MM-DD>/<start-epoch-ms>.mp4`` (UTC date: no DST folders that repeat an hour)."""
    day = datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%d")
    return f"{camera_id}/{day}/{round(start * 1000)}.mp4"


@dataclass
class _Open:
    """The segment being written."""

    start: float
    rel: str
    path: Path
    container: Any
    stream: Any
    codec: str
    last_end: float  # epoch end of the newest frame written (start + its pts + duration)
    frames: int = 0
    encoding: bool = False  # our own libx264 encoder (flushed on close) rather than copied packets
    template: Any = None  # remux: the feed Template of the stream the segment started with


class SegmentWriter:
    """Background writer of one camera's segments; see the module docstring.

    ``segment_s`` is the cut length; in ``events`` mode short chunks are written continuously and only those
    overlapping an event window (``mark``) are kept, so the pre-roll needs no frame buffer in memory.
    """

    def __init__(self, camera_id: str, root: Path, index: SegmentIndex, cfg: RecordingConfig,
                 fps: float = 10.0, depth: int = 120, clock: Callable[[], float] = time.time,
                 space: DiskGuard | None = None, media: MediaPolicy | None = None) -> None:
        self.camera_id = camera_id
        # Signs each closed segment (at-rest sidecar, like pictures) in this writer's own thread.
        self.media = media if media is not None else MediaPolicy()
        self.space = space  # the platform's free-space policy: recordings are the first writer it stops
        self.root = root
        self.index = index
        self.cfg = cfg
        self.fps = fps if fps > 0 else 10.0
        self.clock = clock
        self.events_mode = cfg.mode == "events"
        self.segment_s = min(cfg.segment_s, max(2.0, cfg.pre_roll_s)) if self.events_mode else cfg.segment_s
        self.dropped = 0
        self.written = 0
        self.paused = False
        self.pause_reason: str | None = None
        self.error: str | None = None
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=depth)
        self._cur: _Open | None = None
        self._closed_bytes = 0  # read by the writer thread at start: no database query on the camera thread
        self._next_budget_check = -math.inf
        self._windows: list[tuple[float, float]] = []
        self._pending: list[Segment] = []  # events mode: closed chunks not yet known to be wanted
        self._thread = threading.Thread(target=self._run, name=f"anfang-rec-{camera_id}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ analytics-thread side (never blocks)

    def _offer(self, item: tuple[Any, ...]) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def add_frame(self, image: np.ndarray, ts: float) -> bool:
        return self._offer(("frame", image, ts))

    def add_packets(self, batch: list[tuple[Any, float, float, Any]]) -> bool:
        """``(packet, epoch pts, epoch dts, feed Template)`` items from the packet feed: one queue item, one wake-up."""
        return self._offer(("packets", batch))

    def mark(self, start: float, end: float) -> None:
        """Events mode: keep whatever overlaps ``[start, end]`` (an event with its pre- and post-roll)."""
        self._queue.put(("mark", start, end))  # rare and tiny: worth waiting for rather than losing

    def close(self, timeout: float = 30.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything queued so far is written (tests, benchmarks)."""
        done = threading.Event()
        self._queue.put(("sync", done))
        done.wait(timeout)

    # ------------------------------------------------------------ worker

    def _run(self) -> None:
        try:
            self._closed_bytes = self.index.total_bytes(self.camera_id)
        except Exception:  # the quota check then counts only what this run writes
            log.exception("camera %s: cannot read the recordings' size", self.camera_id)
        while True:
            item = self._queue.get()
            if item is None:
                break
            try:
                self._handle(item)
            except Exception as exc:  # a broken file must not kill the writer: drop it, start afresh
                log.exception("camera %s: recording error", self.camera_id)
                self.error = str(exc) or type(exc).__name__
                self._abort_current()
        with contextlib.suppress(Exception):
            self._finish(None)
        for seg in self._pending:
            self._decide(seg, math.inf)

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "frame":
            self._frame(item[1], item[2])
        elif kind == "packets":
            for packet, pts, dts, template in item[1]:
                self._packet(packet, pts, dts, template)
        elif kind == "mark":
            self._windows.append((item[1], item[2]))
        elif kind == "sync":
            item[1].set()

    def _frame(self, image: np.ndarray, ts: float) -> None:
        if self._budget(ts):
            return
        cur = self._cur
        if cur is not None and (ts >= cur.start + self.segment_s or not cur.encoding):
            self._finish(ts)
            cur = None
        if cur is None:
            cur = self._cur = self._open_encoder(ts, image.shape[1], image.shape[0])
        if image.shape[1] != cur.stream.width or image.shape[0] != cur.stream.height:
            self._finish(ts)  # resolution change: a new encoder
            cur = self._cur = self._open_encoder(ts, image.shape[1], image.shape[0])
        even = image[: image.shape[0] & ~1, : image.shape[1] & ~1]
        yuv = np.asarray(cv2.cvtColor(even, cv2.COLOR_BGR2YUV_I420), np.uint8)
        vframe = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        vframe.pts = round((ts - cur.start) / ENCODE_TB)
        vframe.time_base = ENCODE_TB
        for pkt in cur.stream.encode(vframe):
            cur.container.mux(pkt)
        cur.frames += 1
        cur.last_end = ts + 1.0 / self.fps

    def _open_encoder(self, start: float, width: int, height: int) -> _Open:
        cur = self._open_file(start, "h264")
        stream = cur.container.add_stream("libx264", rate=Fraction(self.fps).limit_denominator(1001),
                                          options={"preset": "ultrafast", "tune": "zerolatency"})
        stream.width, stream.height, stream.pix_fmt = width & ~1, height & ~1, "yuv420p"
        stream.codec_context.time_base = ENCODE_TB
        stream.codec_context.gop_size = max(1, round(self.fps))
        cur.stream = stream
        cur.encoding = True
        return cur

    def _packet(self, packet: Any, pts: float, dts: float, template: Any) -> None:
        key = bool(packet.is_keyframe)
        cur = self._cur
        if key and self._budget(pts):
            return
        if self.paused:
            return
        if cur is not None and key and pts >= cur.start + self.segment_s:
            self._finish(pts)
            cur = None
        if cur is None:
            if not key:
                return  # a segment must start on a keyframe
            cur = self._cur = self._open_file(pts, template.codec)
            cur.stream = cur.container.add_stream_from_template(template.stream)
            cur.template = template
        tb = template.tb
        packet.pts = round((pts - cur.start) / tb)
        packet.dts = round((dts - cur.start) / tb)
        duration = packet.duration * tb if packet.duration else 1.0 / self.fps
        packet.stream = cur.stream
        cur.container.mux(packet)
        cur.frames += 1
        cur.last_end = max(cur.last_end, pts + duration)

    def _open_file(self, start: float, codec: str) -> _Open:
        rel = segment_relpath(self.camera_id, start)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(path), mode="w", format="mp4", options=MOVFLAGS)
        return _Open(start, rel, path, container, None, codec, start)

    def _finish(self, end: float | None) -> None:
        """Close the open segment; ``end`` is where the next one starts (None: the stream stops here)."""
        cur, self._cur = self._cur, None
        if cur is None:
            return
        if cur.encoding:
            for pkt in cur.stream.encode(None):
                cur.container.mux(pkt)
        cur.container.close()
        if cur.frames == 0:
            cur.path.unlink(missing_ok=True)
            return
        self.media.sign_file(cur.path)
        seg = Segment(self.camera_id, cur.start, end if end is not None else cur.last_end, cur.rel,
                      cur.path.stat().st_size, cur.codec, cur.frames)
        self.written += 1
        if self.events_mode:
            self._pending.append(seg)
            self._settle(seg.end)
        else:
            self._keep(seg)

    def _abort_current(self) -> None:
        cur, self._cur = self._cur, None
        if cur is not None:
            with contextlib.suppress(Exception):
                cur.container.close()
            cur.path.unlink(missing_ok=True)

    def _keep(self, seg: Segment) -> None:
        self.index.add(seg)
        self._closed_bytes += seg.bytes

    def _settle(self, now: float) -> None:
        """Events mode: keep chunks that overlap an event window, delete those no future event can want."""
        still: list[Segment] = []
        for seg in self._pending:
            if not self._decide(seg, now):
                still.append(seg)
        self._pending = still
        horizon = now - self.cfg.pre_roll_s - self.segment_s
        self._windows = [w for w in self._windows if w[1] >= horizon]

    def _decide(self, seg: Segment, now: float) -> bool:
        if any(a < seg.end and b > seg.start for a, b in self._windows):
            self._keep(seg)
            return True
        if now > seg.end + self.cfg.pre_roll_s:  # an event starting later cannot reach back this far
            MediaPolicy.remove(self.root / seg.path)
            return True
        return False

    # ------------------------------------------------------------ disk budget

    def _budget(self, ts: float) -> bool:
        """Check quota and free space about once a second of media; ``True`` while recording is paused."""
        if ts < self._next_budget_check:
            return self.paused
        self._next_budget_check = ts + (BUDGET_CHECK_S if not self.paused else 5 * BUDGET_CHECK_S)
        if self.events_mode:
            self._settle(ts)
        reason = self._over_budget()
        if reason is not None and not self.paused:
            # Oldest first: make room before giving up (the NVR ring-buffer behaviour).
            freed = enforce_retention(self.index, self.root, self.camera_id, self.cfg, now=self.clock(),
                                      keep_bytes=self._keep_bytes())
            self._closed_bytes = max(0, self._closed_bytes - freed)
            reason = self._over_budget()
        if reason is not None and not self.paused:
            log.warning("camera %s: recording paused: %s", self.camera_id, reason)
            self._finish(None)
            self.paused, self.pause_reason = True, reason
        elif reason is None and self.paused:
            log.info("camera %s: recording resumed", self.camera_id)
            self.paused, self.pause_reason = False, None
        return self.paused

    def _keep_bytes(self) -> int | None:
        if self.cfg.max_disk_gb is None:
            return None
        return int(self.cfg.max_disk_gb * GB * 0.9)  # low-water mark: do not delete one segment per check

    def _over_budget(self) -> str | None:
        """Why recording must pause now (quota, the free-space policy, this camera's ``min_free_gb``), or None."""
        current = self._cur.path.stat().st_size if self._cur is not None and self._cur.path.exists() else 0
        if self.cfg.max_disk_gb is not None and self._closed_bytes + current >= self.cfg.max_disk_gb * GB:
            return f"quota of {self.cfg.max_disk_gb:g} GB reached"
        if self.space is not None and not self.space.allows(Writer.RECORDINGS):
            return self.space.why(Writer.RECORDINGS)
        self.root.mkdir(parents=True, exist_ok=True)
        free = self.space.free_bytes() if self.space is not None else shutil.disk_usage(self.root).free
        if free < self.cfg.min_free_gb * GB:
            return f"disk almost full ({free / GB:.2f} GB free, minimum {self.cfg.min_free_gb:g} GB)"
        return None
