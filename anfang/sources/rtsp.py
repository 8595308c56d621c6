"""An RTSP camera through PyAV/FFmpeg, riding out network faults.

Cameras reboot, Wi-Fi drops, NVRs restart: none of that may stop a pipeline. ``read()`` therefore never
raises for network trouble; it marks the source offline, records the cause, waits with exponential
back-off (``reconnect_initial_s`` doubling up to ``reconnect_max_s``) and reconnects. Socket timeouts make
a silent server look like a dead one instead of blocking forever.

A full open (DESCRIBE, SETUP, PLAY, probing the stream) is what the back-off spaces out; between opens the
source probes the camera's RTSP port with a bare TCP connect every ``probe_interval_s`` (0.5 s, a SYN and
a FIN: nothing a camera notices). When the port was closed and opens again, the camera is back: the full
open happens at once instead of up to ``reconnect_max_s`` later. That makes recovery ~0.5 s after the camera
returns while a dead camera still sees only one full open per back-off step. A port that answers all along
(the server is up but the stream fails) does not cut the back-off short, so a broken path is not hammered.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import av
import av.error
from pydantic import Field, field_validator

from anfang.core.frame import Frame
from anfang.plugins import PluginConfig
from anfang.sources.base import Source, register, url_without_credentials
from anfang.video.decode import ReadAhead, to_bgr

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)


def socket_timeout_option() -> str:
    """Name of FFmpeg's RTSP socket-timeout option: ``stimeout`` before libavformat 59 (FFmpeg 5), then ``timeout``.

    Both take microseconds. (In FFmpeg < 5 ``timeout`` meant "listen as a server", a classic trap.)
    """
    return "timeout" if av.library_versions["libavformat"][0] >= 59 else "stimeout"


def _describe(exc: BaseException) -> str:
    """The cause without the file name FFmpeg appends (that is the URL, credentials included)."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:297] + "..."


class RtspSourceConfig(PluginConfig):
    type: Literal["rtsp"] = "rtsp"
    url: str
    transport: Literal["tcp", "udp"] = "tcp"
    timeout_s: float = Field(default=5.0, gt=0)
    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    probe_interval_s: float = Field(default=0.5, gt=0, le=60)  # TCP probe of the port between full opens

    @field_validator("url")
    @classmethod
    def _rtsp_url(cls, v: str) -> str:
        if not v.startswith(("rtsp://", "rtsps://")):
            raise ValueError("must start with rtsp:// or rtsps://")
        return v


@register("rtsp", RtspSourceConfig, title={"en": "RTSP camera", "zh": "RTSP 摄像机"}, order=1)
class RtspSource(Source):
    """Frames of one RTSP stream; ``cfg`` is a :class:`RtspSourceConfig`."""

    def __init__(self, camera_id: str, cfg: Any, components: Components | None = None) -> None:
        super().__init__(camera_id, cfg, components)
        self.url: str = cfg.url
        self.transport: str = getattr(cfg, "transport", "tcp")
        self.timeout_s: float = float(getattr(cfg, "timeout_s", 5.0))
        self.backoff_initial_s: float = float(getattr(cfg, "reconnect_initial_s", 1.0))
        self.backoff_max_s: float = float(getattr(cfg, "reconnect_max_s", 30.0))
        self.probe_interval_s: float = float(getattr(cfg, "probe_interval_s", 0.5))
        self.connects = 0  # successful connections (1 + reconnects)
        self.opens = 0  # full open attempts, successful or not
        self._refused = False  # the last open failed because the port was closed
        self._backoff = self.backoff_initial_s
        self._container: Any = None
        self._frames: ReadAhead | None = None
        self._fps = 0.0
        self._seq = 0
        self._t0 = time.monotonic()

    @property
    def fps(self) -> float:
        return self._fps

    def options(self) -> dict[str, str]:
        """FFmpeg demuxer options for this camera."""
        return {
            "rtsp_transport": self.transport,
            socket_timeout_option(): str(int(self.timeout_s * 1_000_000)),
            "max_delay": "500000",  # µs of reordering buffer for UDP; bounds latency
        }

    def open(self) -> None:
        """Try to connect once; failure is not an error here (``read()`` keeps retrying)."""
        self.state = "starting"
        self._t0 = time.monotonic()
        self._connect()

    def _connect(self) -> bool:
        self._release()
        self.opens += 1
        self._refused = False
        try:
            container = av.open(self.url, mode="r", options=self.options(), timeout=(self.timeout_s, self.timeout_s))
        except (av.error.FFmpegError, OSError) as exc:
            self._refused = isinstance(exc, ConnectionRefusedError)  # the port is closed: nobody listens
            self.mark_offline(f"cannot connect to {self._safe_url()}: {_describe(exc)}")
            return False
        if not container.streams.video:
            container.close()
            self.mark_offline(f"{self._safe_url()} has no video stream")
            return False
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate
        self._fps = float(rate) if rate else self._fps
        self._container = container
        self._frames = ReadAhead(container, stream, raise_errors=True, on_packet=self.packet_tap)
        self.connects += 1
        log.info("camera %s: connected to %s (%s)", self.camera_id, self._safe_url(), self.transport)
        return True

    def _address(self) -> tuple[str, int] | None:
        parts = urlsplit(self.url)
        try:
            port = parts.port
        except ValueError:
            return None
        if not parts.hostname:
            return None
        return parts.hostname, port or (322 if parts.scheme == "rtsps" else 554)

    def port_open(self) -> bool:
        """One cheap TCP connect to the camera's RTSP port (no RTSP spoken)."""
        address = self._address()
        if address is None:
            return False
        try:
            with socket.create_connection(address, timeout=min(self.probe_interval_s, self.timeout_s)):
                return True
        except OSError:
            return False

    def _wait_before_reopen(self, delay: float) -> bool:
        """Wait up to ``delay`` (the back-off), probing the port; True when the source was stopped meanwhile.

        Returns early when the port was seen closed (by the failed open or a probe) and then opens: the camera
        came back.
        """
        deadline = time.monotonic() + delay
        seen_closed = self._refused
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._stop.is_set()
            if self._stop.wait(min(self.probe_interval_s, left)):
                return True
            if self.port_open():
                if seen_closed:
                    log.info("camera %s: %s answers again; reconnecting now", self.camera_id, self._safe_url())
                    return False
            else:
                seen_closed = True

    def _safe_url(self) -> str:
        return url_without_credentials(self.url)

    def read(self) -> Frame | None:
        while not self._stop.is_set():
            if self._frames is None:
                if not self._connect():
                    if self._wait_before_reopen(self._backoff):
                        break
                    self._backoff = min(self._backoff * 2, self.backoff_max_s)
                continue
            stream = self._frames._stream
            try:
                vframe = next(self._frames, None)
            except (av.error.FFmpegError, OSError) as exc:
                self.mark_offline(f"stream from {self._safe_url()} broke: {_describe(exc)}")
                self._release()
                continue
            if vframe is None:
                self.mark_offline(f"{self._safe_url()} ended the stream")
                self._release()
                continue
            if self.state != "online":
                self.state = "online"
                self._backoff = self.backoff_initial_s
            image = to_bgr(vframe)
            if vframe.time is not None:
                self.stream_time = (stream, vframe.time)
            pts = time.monotonic() - self._t0
            frame = Frame(camera_id=self.camera_id, seq=self._seq, pts=pts, timestamp=time.time(), image=image)
            self._seq += 1
            return frame
        return None

    def _release(self) -> None:
        if self._frames is not None:
            stopped = self._frames.close(timeout=self.timeout_s + 5.0)
            self._frames = None
            if not stopped:
                log.error("camera %s: decoder thread stuck in FFmpeg; leaking its connection", self.camera_id)
                self._container = None
        if self._container is not None:
            with contextlib.suppress(av.error.FFmpegError, OSError):
                self._container.close()
            self._container = None
