"""A camera that is one channel of a GB/T 28181 device registered to our SIP server.

``open()`` asks the running :class:`~anfang.gb28181.service.GbService` to INVITE the channel; ``read()``
decodes the access units the media session queues (PS over RTP → H.264/H.265 → PyAV). Like the RTSP
source it never raises for network trouble: no media for ``stream_timeout_s`` ends the session with BYE
and INVITEs again after an exponential back-off, so a rebooting camera comes back on its own.
"""

from __future__ import annotations

import collections
import logging
import queue
import time
from typing import TYPE_CHECKING, Any

import av
import av.error

from anfang.core.frame import Frame
from anfang.gb28181.config import Gb28181SourceConfig
from anfang.gb28181.service import GbService, Stream, StreamError
from anfang.protocols.rtp.ps import AccessUnit
from anfang.sources.base import Source, SourceError, register
from anfang.video.decode import to_bgr

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)
CODECS = {0x1B: "h264", 0x24: "hevc"}


@register("gb28181", Gb28181SourceConfig, title={"en": "GB/T 28181 channel", "zh": "GB/T 28181 通道"}, order=2)
class Gb28181Source(Source):
    """Frames of one GB/T 28181 channel; ``cfg`` is a :class:`~anfang.gb28181.config.Gb28181SourceConfig`."""

    def __init__(self, camera_id: str, cfg: Any, components: Components | None = None) -> None:
        super().__init__(camera_id, cfg, components)
        self.device_id: str = cfg.device_id
        self.channel_id: str = cfg.channel_id or cfg.device_id
        self.timeout_s = float(cfg.stream_timeout_s)
        self._backoff = float(cfg.reconnect_initial_s)
        self._stream: Stream | None = None
        self._codec: Any = None
        self._codec_type = 0
        self._pending: collections.deque[Any] = collections.deque()
        self._last_unit = time.monotonic()
        self._seq = 0
        self._t0 = time.monotonic()
        self.invites = 0  # INVITEs sent (1 + retries)
        self.timeouts = 0

    @property
    def fps(self) -> float:
        return 0.0  # GB devices do not announce a rate; the pipeline paces by timestamps

    def open(self) -> None:
        """Start the session once; failure is not an error here (``read()`` retries with back-off)."""
        self.state = "starting"
        self._connect()

    def _service(self) -> GbService:
        """The platform's GB/T 28181 service; SourceError when there is none (gb28181.enabled is off)."""
        from anfang.gb28181.component import Gb28181

        component = self.components.find(Gb28181) if self.components is not None else None
        if component is None:
            raise SourceError(
                self.camera_id, "the GB/T 28181 service is not running (set gb28181.enabled in the config)"
            )
        return component.service

    def _connect(self) -> bool:
        self._end_stream()
        service = self._service()
        self.invites += 1
        try:
            self._stream = service.open_stream(self.device_id, self.channel_id, self.cfg.transport,
                                               self.cfg.invite_timeout_s)
        except (StreamError, OSError, TimeoutError, RuntimeError) as exc:
            self.mark_offline(str(exc) or type(exc).__name__)
            return False
        self._last_unit = time.monotonic()
        log.info("camera %s: media session %s with %s/%s (%s)", self.camera_id, self._stream.ssrc,
                 self.device_id, self.channel_id, self.cfg.transport)
        return True

    def read(self) -> Frame | None:
        while not self._stop.is_set():
            if self._pending:
                return self._frame(self._pending.popleft())
            if self._stream is None:
                if not self._connect():
                    if self._stop.wait(self._backoff):
                        break
                    self._backoff = min(self._backoff * 2, float(self.cfg.reconnect_max_s))
                continue
            try:
                unit = self._stream.media.units.get(timeout=min(0.25, self.timeout_s))
            except queue.Empty:
                if time.monotonic() - self._last_unit > self.timeout_s:
                    self.timeouts += 1
                    self.mark_offline(f"no media from {self.channel_id} for {self.timeout_s:g} s")
                    self._end_stream()  # BYE; the next loop INVITEs again after the back-off
                    if self._stop.wait(self._backoff):
                        break
                    self._backoff = min(self._backoff * 2, float(self.cfg.reconnect_max_s))
                continue
            self._last_unit = time.monotonic()
            self._decode(unit)
        return None

    def _decode(self, unit: AccessUnit) -> None:
        if self._codec is None or self._codec_type != unit.stream_type:
            self._codec = av.CodecContext.create(CODECS.get(unit.stream_type, "h264"), "r")
            self._codec_type = unit.stream_type
        try:
            self._pending.extend(self._codec.decode(av.Packet(unit.data)))
        except av.error.FFmpegError as exc:  # a damaged unit (lost packets): skip it, the next key frame heals
            log.debug("camera %s: undecodable unit: %s", self.camera_id, exc)

    def _frame(self, vframe: Any) -> Frame:
        if self.state != "online":
            self.state = "online"
            self._backoff = float(self.cfg.reconnect_initial_s)
        frame = Frame(camera_id=self.camera_id, seq=self._seq, pts=time.monotonic() - self._t0,
                      timestamp=time.time(), image=to_bgr(vframe))
        self._seq += 1
        return frame

    def _end_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            self._service().close_stream(stream)

    def _release(self) -> None:
        self._end_stream()
        self._codec = None
        self._pending.clear()
