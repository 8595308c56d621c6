"""Sockets of one media session (thin asyncio around :class:`~anfang.protocols.rtp.receiver.MediaReceiver`).

UDP: we bind a port from the configured range and the device sends RTP there. TCP passive (``a=setup:passive``
in our offer): we listen and the device connects. TCP active: the device listens (port in its answer) and we
connect. Access units go into a bounded thread-safe queue the source's thread reads; when the reader falls
behind, units are dropped and counted rather than growing memory without bound.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections.abc import Coroutine
from typing import Any

from anfang.protocols.rtp.ps import AccessUnit
from anfang.protocols.rtp.receiver import MediaReceiver

log = logging.getLogger(__name__)


class PortPool:
    """Hands out media ports round-robin; a port someone else holds is skipped at bind time."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self._next = low
        self.in_use: set[int] = set()

    def candidates(self) -> list[int]:
        span = self.high - self.low + 1
        ports = [self.low + (self._next - self.low + i) % span for i in range(span)]
        return [p for p in ports if p not in self.in_use]

    def take(self, port: int) -> None:
        self.in_use.add(port)
        self._next = port + 1 if port < self.high else self.low

    def give_back(self, port: int) -> None:
        self.in_use.discard(port)


class MediaChannel:
    """Receives one session's RTP and queues its video access units."""

    def __init__(self, receiver: MediaReceiver, maxsize: int = 512) -> None:
        self.receiver = receiver
        self.units: queue.Queue[AccessUnit] = queue.Queue(maxsize=maxsize)
        self.dropped = 0
        self.last_packet = time.monotonic()
        self.port = 0
        self.connected = asyncio.Event()
        self._udp: asyncio.DatagramTransport | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    def _push(self, units: list[AccessUnit]) -> None:
        self.last_packet = time.monotonic()
        for unit in units:
            try:
                self.units.put_nowait(unit)
            except queue.Full:
                self.dropped += 1

    async def listen(self, host: str, pool: PortPool, tcp: bool) -> int:
        """Bind the first free port of the pool (UDP socket or TCP listener); returns it."""
        loop = asyncio.get_running_loop()
        last: OSError | None = None
        for port in pool.candidates():
            try:
                if tcp:
                    self._server = await asyncio.start_server(self._tcp_client, host, port)
                else:
                    self._udp, _ = await loop.create_datagram_endpoint(lambda: _UdpMedia(self), local_addr=(host, port))
            except OSError as exc:
                last = exc
                continue
            pool.take(port)
            self.port = port
            return port
        raise OSError(f"no free media port in {pool.low}-{pool.high}: {last}")

    async def connect(self, host: str, port: int, timeout: float = 5.0) -> None:
        """TCP active: we connect to the port the device put in its SDP answer."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        self._spawn(self._read_stream(reader, writer))

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.connected.is_set():  # GB devices open exactly one connection per session
            writer.close()
            return
        await self._read_stream(reader, writer)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        self._writers.append(writer)
        try:
            while data := await reader.read(65536):
                self._push(self.receiver.feed_stream(data))
        except (ConnectionError, OSError) as exc:
            log.info("media connection closed: %s", exc)
        finally:
            writer.close()

    def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._tasks):
            task.cancel()


class _UdpMedia(asyncio.DatagramProtocol):
    def __init__(self, channel: MediaChannel) -> None:
        self.channel = channel

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.channel.connected.set()
        self.channel._push(self.channel.receiver.feed_datagram(data))
