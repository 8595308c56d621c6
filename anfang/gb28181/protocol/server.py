"""Thin asyncio SIP server (UDP and TCP) around the sans-IO :class:`GbCore`.

Only sockets, timers and futures live here; parsing, auth and device state are in the sans-IO core, so a
garbage datagram can at worst be counted and dropped — it never reaches a code path that can crash the loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from anfang.events.model import Event
from anfang.gb28181.protocol.core import Addr, GbCore, GbCoreConfig, QueryResult
from anfang.gb28181.protocol.sdp import Offer
from anfang.gb28181.protocol.session import InviteSession
from anfang.protocols.sip import Request, Response, ServerTransactions, SipParseError, StreamParser, parse_message

log = logging.getLogger(__name__)


@dataclass
class ServerConfig:
    """Everything needed to run the platform: where to listen and who we are to devices."""

    host: str = "0.0.0.0"
    port: int = 5060
    transport: Literal["udp", "tcp", "both"] = "udp"
    platform_id: str = "34020000002000000001"
    domain: str = "3402000000"
    password: str = "12345678"
    advertised_host: str = "127.0.0.1"
    keepalive_interval: float = 60.0
    tick_interval: float = 1.0
    passwords: dict[str, str] = field(default_factory=dict)

    def platform_config(self) -> GbCoreConfig:
        return GbCoreConfig(platform_id=self.platform_id, domain=self.domain, password=self.password,
                              passwords=dict(self.passwords), local_host=self.advertised_host, local_port=self.port,
                              transport="TCP" if self.transport == "tcp" else "UDP",
                              keepalive_interval=self.keepalive_interval)


@dataclass
class Stats:
    datagrams: int = 0
    malformed: int = 0
    retransmissions: int = 0
    errors: int = 0  # unexpected exceptions: must stay 0 (the fuzz test checks)


class GbServer:
    """Run with ``await server.start()``; ``await server.query(...)`` asks devices things."""

    def __init__(self, config: ServerConfig, on_event: Callable[[Event], None] | None = None) -> None:
        self.config = config
        self.platform = GbCore(config.platform_config())
        self.transactions = ServerTransactions()
        self.stats = Stats()
        self.on_event = on_event
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.base_events.Server | None = None
        self._tcp_writers: dict[Addr, asyncio.StreamWriter] = {}
        self._waiters: dict[tuple[str, int], asyncio.Future[QueryResult]] = {}
        self._ticker: asyncio.Task[None] | None = None
        self.dialogs: dict[str, InviteSession] = {}  # Call-ID → our INVITE sessions
        self._invite_waiters: dict[str, asyncio.Future[InviteSession]] = {}
        self.on_remote_bye: Callable[[InviteSession], None] | None = None

    # ----- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        c = self.config
        if c.transport in ("udp", "both"):
            self._udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self), local_addr=(c.host, c.port))
            if c.port == 0:
                self.config.port = self._udp.get_extra_info("sockname")[1]
        if c.transport in ("tcp", "both"):
            self._tcp = await asyncio.start_server(self._tcp_client, c.host, c.port)
            if c.port == 0:
                self.config.port = self._tcp.sockets[0].getsockname()[1]
        self.platform.config.local_port = self.config.port
        self._ticker = asyncio.create_task(self._tick_loop())

    async def stop(self) -> None:
        if self._ticker:
            self._ticker.cancel()
        if self._udp:
            self._udp.close()
        if self._tcp:
            self._tcp.close()
            for writer in list(self._tcp_writers.values()):
                writer.close()
            await self._tcp.wait_closed()

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_interval)
            self.platform.tick(time.time())
            self._dispatch()

    # ----- the one entry point for received bytes -------------------------------------------------------------
    def handle_datagram(self, data: bytes, addr: Addr, transport: str = "UDP") -> bytes | None:
        """Process one datagram/frame; return the bytes to send back (if any). Never raises."""
        self.stats.datagrams += 1
        try:
            msg = parse_message(data)
        except SipParseError:
            self.stats.malformed += 1
            return None
        try:
            return self._handle(msg, addr, transport)
        except SipParseError:
            self.stats.malformed += 1
        except Exception:  # noqa: BLE001 - a bug must not take the platform down; it is counted and logged
            self.stats.errors += 1
            log.exception("error handling SIP message from %s", addr)
        return None

    def _handle(self, msg: Request | Response, addr: Addr, transport: str) -> bytes | None:
        if isinstance(msg, Response):
            self._dialog_response(msg)  # MESSAGE/SUBSCRIBE answers are ignored: results arrive as MESSAGEs
            return None
        if msg.method == "BYE" and (session := self.dialogs.pop(msg.call_id, None)) is not None:
            session.on_remote_bye()
            if self.on_remote_bye:
                self.on_remote_bye(session)
        now = time.time()
        again, cached = self.transactions.lookup(msg, now)
        if again:
            self.stats.retransmissions += 1
            return cached.to_bytes() if cached is not None else None
        resp = self.platform.handle_request(msg, addr, now, transport)
        self._dispatch()
        if resp is None:
            return None
        self.transactions.record(msg, resp, now)
        return resp.to_bytes()

    def _dispatch(self) -> None:
        for event in self.platform.pop_events():
            if self.on_event:
                self.on_event(event)
        results, self.platform.results = self.platform.results, []
        for result in results:
            fut = self._waiters.pop((result.device_id, result.sn), None)
            if fut is not None and not fut.done():
                fut.set_result(result)

    def _dialog_response(self, resp: Response) -> None:
        session = self.dialogs.get(resp.call_id)
        if session is None:
            return
        ack = session.on_response(resp)
        if ack is not None:
            self.send(ack, session.addr)
        if resp.status >= 200:
            if session.state == "failed":
                self.dialogs.pop(resp.call_id, None)
            fut = self._invite_waiters.pop(resp.call_id, None)
            if fut is not None and not fut.done():
                fut.set_result(session)

    # ----- TCP ----------------------------------------------------------------------------------------------
    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        addr: Addr = (peer[0], peer[1])
        self._tcp_writers[addr] = writer
        parser = StreamParser()
        try:
            while data := await reader.read(65536):
                try:
                    messages = parser.feed(data)
                except SipParseError:
                    self.stats.malformed += 1
                    break  # framing lost: the only safe thing is to close
                for msg in messages:
                    out = self.handle_datagram(msg.to_bytes(), addr, "TCP")
                    if out:
                        writer.write(out)
                await writer.drain()
        finally:
            self._tcp_writers.pop(addr, None)
            writer.close()

    # ----- outgoing -----------------------------------------------------------------------------------------
    def send(self, req: Request, addr: Addr) -> None:
        data = req.to_bytes()
        writer = self._tcp_writers.get(addr)
        if writer is not None:
            writer.write(data)
        elif self._udp is not None:
            self._udp.sendto(data, addr)
        else:
            raise ConnectionError(f"no connection to {addr}")

    async def query(self, device_id: str, cmd_type: str, timeout: float = 10.0, **extra: str) -> QueryResult:
        """Send a MANSCDP query and wait for its (assembled) answer."""
        req, addr, sn = self.platform.query(device_id, cmd_type, **extra)
        fut: asyncio.Future[QueryResult] = asyncio.get_running_loop().create_future()
        self._waiters[(device_id, sn)] = fut
        self.send(req, addr)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._waiters.pop((device_id, sn), None)


    async def invite(self, device_id: str, offer: Offer, timeout: float = 10.0) -> InviteSession:
        """INVITE a channel and wait for the final answer; check ``session.state`` ("confirmed" or "failed")."""
        session = InviteSession(self.platform, device_id, offer)
        fut: asyncio.Future[InviteSession] = asyncio.get_running_loop().create_future()
        self.dialogs[session.call_id] = session
        self._invite_waiters[session.call_id] = fut
        self.send(session.request, session.addr)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            self.dialogs.pop(session.call_id, None)
            session.state, session.error = "failed", f"no final answer to INVITE within {timeout:g} s"
            return session
        finally:
            self._invite_waiters.pop(session.call_id, None)

    def bye(self, session: InviteSession) -> None:
        """End a session (sends BYE if the dialog was confirmed; a no-op otherwise)."""
        self.dialogs.pop(session.call_id, None)
        req = session.bye()
        if req is not None:
            try:
                self.send(req, session.addr)
            except ConnectionError:
                log.warning("cannot send BYE for %s: device connection gone", session.call_id)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: GbServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        out = self.server.handle_datagram(data, (addr[0], addr[1]))
        if out and self.transport is not None:
            self.transport.sendto(out, addr)
