"""Read-ahead decoding: demux + decode on a helper thread, colour conversion on the caller's.

FFmpeg releases the GIL while it decodes, so decoding the next frames on a second thread overlaps with the
caller's YUV→BGR conversion and processing; on vtest that is what brings our decode rate up to plain
``ffmpeg -f null``. The queue is short, so memory stays bounded and a slow consumer slows decoding down
instead of buffering the whole file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import av.error
import cv2
import numpy as np

_END = object()


class ReadAhead:
    """Iterate decoded ``av.VideoFrame`` objects produced by a background thread.

    Corrupt packets are skipped (counted in ``corrupt_packets``); an error from the demuxer ends the
    stream and is kept in ``error`` (``raise_errors`` re-raises it in the consumer instead, which live
    sources want so they can reconnect).
    """

    def __init__(self, container: Any, stream: Any, depth: int = 4, raise_errors: bool = False,
                 on_corrupt: Callable[[BaseException], None] | None = None,
                 on_packet: Callable[[Any], None] | None = None) -> None:
        self.corrupt_packets = 0
        self.error: BaseException | None = None
        self._container = container
        self._stream = stream
        self._raise = raise_errors
        self._on_corrupt = on_corrupt
        self._on_packet = on_packet  # e.g. the recorder's remux tap; sees packets before decoding
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="anfang-decode", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for packet in self._container.demux(self._stream):
                if self._on_packet is not None:
                    self._on_packet(packet)
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError as exc:
                    self.corrupt_packets += 1
                    if self._on_corrupt is not None:
                        self._on_corrupt(exc)
                    continue
                for frame in frames:
                    if not self._put(frame):
                        return
        except (av.error.FFmpegError, OSError) as exc:
            self.error = exc
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, never lost in a thread
            self.error = exc
        self._put(_END)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set() or not self._thread.is_alive() and self._queue.empty():
                    raise StopIteration from None
                continue
            if item is _END:
                self._stop.set()
                if self._raise and self.error is not None:
                    raise self.error
                raise StopIteration
            return item

    def close(self, timeout: float = 10.0) -> bool:
        """Stop the helper thread; call before closing the container.

        Returns ``False`` if the thread is still inside FFmpeg after ``timeout`` (a network read that
        ignores its socket timeout): then the caller must leave the container open rather than free memory
        FFmpeg is still using.
        """
        self._stop.set()
        self._thread.join(timeout=timeout)
        return not self._thread.is_alive()


def to_bgr(frame: Any) -> np.ndarray:
    """BGR ``uint8`` H x W x 3 array of an ``av.VideoFrame``.

    For planar 4:2:0 (nearly every camera stream) OpenCV's SIMD, multi-threaded, GIL-free converter is
    about twice as fast as swscale via ``to_ndarray(format="bgr24")``; other formats go through swscale.
    Both use BT.601 limited-range coefficients for these streams, so the pictures match.
    """
    if frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        return cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)
    return frame.to_ndarray(format="bgr24")
