"""The GB/T 28181 service: :class:`GbServer` on its own asyncio thread inside the platform.

Why a thread with its own loop: the pipelines, the store and the API are synchronous threads; the SIP server
and media sockets are asyncio. Everything crosses over through :meth:`GbService.call` (a future the caller
waits on with a timeout), so no lock guards the sans-IO state: only the loop thread touches it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from anfang.events.model import Event
from anfang.gb28181.channel import MediaChannel, PortPool
from anfang.gb28181.config import Gb28181Config
from anfang.gb28181.protocol.ids import parse_device_id
from anfang.gb28181.protocol.manscdp import Channel
from anfang.gb28181.protocol.ptz import PtzMove
from anfang.gb28181.protocol.sdp import Offer, Transport, make_ssrc
from anfang.gb28181.protocol.server import GbServer, ServerConfig
from anfang.gb28181.protocol.session import InviteSession
from anfang.protocols.rtp.receiver import MediaReceiver

log = logging.getLogger(__name__)
T = TypeVar("T")
VIDEO_CHANNEL_TYPES = {131, 132}
PTZ_COMMANDS = {"stop": (0, 0, 0), "left": (-1, 0, 0), "right": (1, 0, 0), "up": (0, 1, 0), "down": (0, -1, 0),
                "zoom_in": (0, 0, 1), "zoom_out": (0, 0, -1)}

class StreamError(Exception):
    """A media session could not be set up; the message says what the device answered."""


@dataclass
class Stream:
    """A live media session: the dialog and the queue of access units the source reads."""

    session: InviteSession
    media: MediaChannel

    @property
    def ssrc(self) -> str:
        return self.session.offer.ssrc


class GbService:
    """Start/stop with the platform; ``open_stream``/``close_stream`` are what sources call."""

    def __init__(self, config: Gb28181Config, sink: Callable[[Event], None],
                 on_channels: Callable[[str, list[Channel]], None] | None = None) -> None:
        self.config = config
        self.sink = sink
        self.on_channels = on_channels
        self.server = GbServer(ServerConfig(
            host=config.host, port=config.port, transport=config.transport, platform_id=config.platform_id,
            domain=config.domain, password=config.resolved_password(), advertised_host=config.advertised_host,
            keepalive_interval=config.keepalive_interval), on_event=self._on_event)
        self.server.on_remote_bye = self._on_remote_bye
        self.ports = PortPool(*config.media_port_range)
        self.streams: dict[str, Stream] = {}  # Call-ID → stream
        self._ssrc_seq = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ----- lifecycle ----------------------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            return
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="anfang-gb28181", daemon=True)
        self._thread.start()
        self.call(self.server.start(), timeout)
        log.info("GB/T 28181 server %s listening on %s:%d/%s", self.config.platform_id, self.config.host,
                 self.server.config.port, self.config.transport)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None or self._loop is None:
            return
        try:
            self.call(self._shutdown(), timeout)
        except Exception:
            log.exception("GB/T 28181 shutdown was not clean")
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()
        self._thread = self._loop = None

    async def _shutdown(self) -> None:
        for stream in list(self.streams.values()):
            self._end(stream)
        for task in list(self._tasks):
            task.cancel()
        await self.server.stop()

    @property
    def port(self) -> int:
        return self.server.config.port

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
        """Run ``coro`` on the service loop from any other thread and wait for its result."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("GB/T 28181 service is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # ----- device events ------------------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        try:
            self.sink(event)
        except Exception:
            log.exception("GB/T 28181 event sink failed for %s", event.type)
        if event.type == "device_online":
            self._spawn(self._query_catalog(event.camera_id))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _query_catalog(self, device_id: str) -> list[Channel]:
        try:
            result = await self.server.query(device_id, "Catalog", timeout=10.0)
        except (TimeoutError, KeyError, ConnectionError) as exc:
            log.warning("device %s: Catalog query failed: %s", device_id, exc or "timeout")
            return []
        channels: list[Channel] = result.payload
        if self.on_channels is not None:
            video = [c for c in channels if _is_video(c.device_id)]
            # add_camera writes the database and starts threads: keep that off the event loop
            await asyncio.get_running_loop().run_in_executor(None, self.on_channels, device_id, video)
        return channels

    def _on_remote_bye(self, session: InviteSession) -> None:
        stream = self.streams.pop(session.call_id, None)
        if stream is not None:
            log.info("device %s ended the session of %s", session.device_id, session.offer.channel_id)
            self._release(stream)

    # ----- what the API and sources call (any thread) -------------------------------------------------------
    def devices(self) -> list[dict[str, Any]]:
        return self.call(self._devices())

    async def _devices(self) -> list[dict[str, Any]]:
        out = []
        for d in self.server.platform.devices.values():
            out.append({"device_id": d.device_id, "online": d.online, "transport": d.transport,
                        "address": f"{d.addr[0]}:{d.addr[1]}", "registered_at": d.registered_at,
                        "last_keepalive": d.last_seen, "info": dict(d.info),
                        "channels": [{"channel_id": c.device_id, "name": c.name, "parent_id": c.parent_id,
                                      "status": c.status, "video": _is_video(c.device_id)} for c in d.channels]})
        return out

    def catalog(self, device_id: str) -> list[Channel]:
        """Re-query a device's Catalog (KeyError if it is not registered)."""
        async def run() -> list[Channel]:
            if device_id not in self.server.platform.devices:
                raise KeyError(device_id)
            return await self._query_catalog(device_id)
        return self.call(run())

    def ptz(self, device_id: str, channel_id: str, command: str, speed: int) -> None:
        """DeviceControl PTZCmd; ``command`` is one of :data:`PTZ_COMMANDS`, ``speed`` 0-255."""
        pan, tilt, zoom = PTZ_COMMANDS[command]
        move = PtzMove(pan=pan, tilt=tilt, zoom=zoom, pan_speed=speed, tilt_speed=speed, zoom_speed=min(speed >> 4, 15))

        async def run() -> None:
            req, addr = self.server.platform.ptz(device_id, channel_id, move)
            self.server.send(req, addr)
        self.call(run())

    def open_stream(self, device_id: str, channel_id: str, transport: Transport = "udp",
                    invite_timeout: float = 10.0, start: int | None = None, end: int | None = None) -> Stream:
        """INVITE a channel (live, or playback with ``start``/``end``); raises :class:`StreamError`."""
        return self.call(self._open(device_id, channel_id, transport, invite_timeout, start, end),
                         invite_timeout + 10.0)

    async def _open(self, device_id: str, channel_id: str, transport: Transport, invite_timeout: float,
                    start: int | None, end: int | None) -> Stream:
        if device_id not in self.server.platform.devices:
            raise StreamError(f"device {device_id} is not registered")
        self._ssrc_seq += 1
        ssrc = make_ssrc(self.config.domain, self._ssrc_seq, playback=start is not None)
        media = MediaChannel(MediaReceiver(expected_ssrc=int(ssrc)))
        host = self.config.advertised_host
        port = 0 if transport == "tcp_active" else await media.listen(self.config.host, self.ports,
                                                                        tcp=transport == "tcp_passive")
        offer = Offer(channel_id, host, port or 9, ssrc, transport, start, end)
        session = await self.server.invite(device_id, offer, invite_timeout)
        stream = Stream(session, media)
        if session.state != "confirmed" or session.answer is None:
            self._release(stream)
            self.server.bye(session)
            raise StreamError(f"INVITE of {channel_id} failed: {session.error}")
        self.streams[session.call_id] = stream
        if transport == "tcp_active":
            try:
                await media.connect(session.answer.host, session.answer.port)
            except (TimeoutError, OSError) as exc:
                self._end(stream)
                raise StreamError(f"cannot connect to {session.answer.host}:{session.answer.port}: {exc}") from exc
        return stream

    def close_stream(self, stream: Stream) -> None:
        """BYE and free the ports (safe to call twice, and after the device hung up)."""
        if self._loop is None:
            return

        async def run() -> None:
            self._end(stream)
        try:
            self.call(run(), 5.0)
        except Exception:
            log.exception("closing media session %s failed", stream.session.call_id)

    def _end(self, stream: Stream) -> None:
        self.streams.pop(stream.session.call_id, None)
        self.server.bye(stream.session)
        self._release(stream)

    def _release(self, stream: Stream) -> None:
        stream.media.close()
        if stream.media.port:
            self.ports.give_back(stream.media.port)


def _is_video(channel_id: str) -> bool:
    try:
        return parse_device_id(channel_id, strict_type=False).type_code in VIDEO_CHANNEL_TYPES
    except ValueError:
        return False


def wait_for(cond: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``cond`` until true or ``timeout`` (for callers outside the loop, e.g. the CLI and tests)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
