"""The packet feed: compressed packets from a source's demuxer, timed on the event clock, in batches.

Why a separate thread: the remux path used to map every packet's stream time to epoch time and queue it
to the writer from the camera (analytics) thread. Each ``Queue.put`` woke the writer, and each wake-up
traded the GIL between three threads; unpaced, that cost the pipeline ~40 % of its frame rate. Now:

* the **tap** (demux thread) only appends the packet to a deque (atomic, no lock, no allocation beyond
  the deque slot) — and does nothing at all while nobody subscribes;
* the **camera thread** only notes its newest analysed frame (``frame(stream_time, timestamp)``: one
  attribute store);
* the **feed thread** wakes every ``PERIOD_S``, maps the packets released so far (up to the analysed
  frame, so recording and analytics agree) with one anchor per input stream
  (``epoch = frame.timestamp − stream_time``, taken from the first frame seen of that stream: a file
  loop or an RTSP reconnect opens a new stream and gets a new anchor) and hands each subscriber one batch.

Subscribers are the live HLS muxer (muxes in the feed thread) and then the segment writer (one queue item
per batch): they set packet timestamps in turn, never at once.

**Stream lifetime**: a source frees its input streams when it closes or loops, while packets of that
stream may still wait here. So nothing downstream may touch an input stream: the camera thread, which
reads the frames and so knows the stream is open, copies its parameters once per stream into a
:class:`Template` (an output stream of a small in-memory container that we own) — the muxers' template.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import av

log = logging.getLogger(__name__)

MAX_TAPPED = 4000  # packets waiting for the feed thread; beyond this the oldest go (a stuck pipeline)
PERIOD_S = 0.1  # batching interval: latency added to recording/HLS, never to analytics


class Template:
    """Codec parameters of one input stream that outlive it (see the module docstring)."""

    __slots__ = ("codec", "height", "stream", "tb", "width", "_holder")

    def __init__(self, stream: Any) -> None:
        ctx = stream.codec_context
        self.codec: str = ctx.name
        self.width: int = ctx.width
        self.height: int = ctx.height
        self.tb = float(stream.time_base)
        self._holder = av.open(io.BytesIO(), mode="w", format="mp4")  # never written; kept for its stream
        self.stream: Any = self._holder.add_stream_from_template(stream)


Batch = list[tuple[Any, float, float, Template]]  # (packet, epoch pts, epoch dts, its stream's template)
Subscriber = Callable[[Batch], None]


class PacketFeed:
    """Tap → anchor mapping → batches for subscribers; see the module docstring."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.subscribers: dict[str, Subscriber] = {}
        self.last_stream: Any = None  # the newest packet's input stream (codec decision, HLS template)
        self._packets: deque[Any] = deque()
        self._latest: tuple[Any, float] | None = None  # (stream, stream time) of the analysed frame
        self._anchors: dict[int, tuple[Any, float, Template]] = {}  # id → (stream, epoch offset, template)
        self._stream_now: Any = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ producer side (hot path)

    def tap(self, packet: Any) -> None:
        """Demux thread: keep a reference, nothing else."""
        if not self.subscribers:
            self.last_stream = packet.stream if self.last_stream is None else self.last_stream
            return
        packets = self._packets
        if len(packets) >= MAX_TAPPED:
            packets.popleft()
        packets.append(packet)

    def frame(self, stream_time: Any, timestamp: float) -> None:
        """Camera thread: the analysed frame's (stream, stream time) and its epoch timestamp.

        The first frame of a stream anchors it (``epoch = timestamp − stream time``) and copies its
        parameters; every other frame costs one identity check and one attribute store.
        """
        stream = stream_time[0]
        if stream is not self._stream_now:
            self._stream_now = stream
            anchors = self._anchors
            if id(stream) not in anchors or anchors[id(stream)][0] is not stream:
                anchors[id(stream)] = (stream, timestamp - stream_time[1], Template(stream))
                while len(anchors) > 4:
                    anchors.pop(next(iter(anchors)))
        self._latest = stream_time

    def current_stream(self) -> Any:
        """The input stream packets come from (None before the first packet)."""
        packets = self._packets
        return self.last_stream if self.last_stream is not None or not packets else packets[0].stream

    def reset(self) -> None:
        """A new source: its packets and anchors start afresh."""
        with self._lock:
            self._packets.clear()
            self._anchors.clear()
            self._latest = None
            self._stream_now = None
            self.last_stream = None

    # ------------------------------------------------------------ subscribers

    def subscribe(self, key: str, fn: Subscriber) -> None:
        self.subscribers[key] = fn
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"anfang-feed-{self.name}", daemon=True)
            self._thread.start()

    def unsubscribe(self, key: str) -> None:
        self.subscribers.pop(key, None)

    # ------------------------------------------------------------ feed thread

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(PERIOD_S)
            self._wake.clear()
            try:
                self.pump()
            except Exception:  # a subscriber's bug must not stop the others
                log.exception("feed %s: pump failed", self.name)

    def pump(self) -> int:
        """Map what is releasable and deliver it; returns the packets delivered (also used by flush)."""
        with self._lock:
            batch = self._collect()
            if batch:
                subscribers = list(self.subscribers.items())
                for key, fn in subscribers:  # in-thread muxers first, the queued writer last
                    if key != "record":
                        fn(batch)
                for key, fn in subscribers:
                    if key == "record":
                        fn(batch)
            return len(batch)

    def _collect(self) -> Batch:
        latest = self._latest
        if latest is None:
            return []
        stream_now, t_now = latest
        anchors = self._anchors
        out: Batch = []
        packets = self._packets
        while packets:
            packet = packets[0]
            stream = packet.stream
            known = anchors.get(id(stream))
            if known is None or known[0] is not stream:
                break  # a new stream's packets wait for its first analysed frame (its anchor)
            raw_pts = packet.pts
            if raw_pts is None or not packet.size:
                packets.popleft()
                continue
            _, offset, template = known
            tb = template.tb
            stream_pts = raw_pts * tb
            if stream is stream_now and stream_pts > t_now + 1e-6:
                break  # demuxed ahead of the analysed frame: released with its own frame
            packets.popleft()
            raw_dts = packet.dts
            pts = stream_pts + offset
            out.append((packet, pts, raw_dts * tb + offset if raw_dts is not None else pts, template))
        return out

    def close(self) -> None:
        """Deliver what is left (up to the last analysed frame) and stop the thread."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5.0)
        self.pump()
