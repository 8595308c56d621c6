"""A GB/T 28181 camera in Python for tests: registers with Digest, keepalives, answers Catalog and INVITE,
streams real H.264 as PS over RTP (UDP, TCP active or passive) and stops on BYE.

It uses our own sans-IO pieces for SIP parsing and PS muxing; the platform side is tested against it, and
against SIPp (an independent implementation) for the signalling.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from anfang.gb28181.protocol.sdp import parse_sdp
from anfang.protocols.rtp.h26x import AccessUnitSplitter
from anfang.protocols.rtp.psmux import mux_frame
from anfang.protocols.rtp.rtp import Rfc4571Framer, packetize
from anfang.protocols.sip import Request, Response, digest_response, parse_auth_params, parse_message

PLATFORM = "34020000002000000001"
DOMAIN = "3402000000"


def h264_units(path: Path) -> list[bytes]:
    """Access units of an Annex B H.264 file."""
    splitter = AccessUnitSplitter("h264")
    return splitter.feed(path.read_bytes()) + splitter.flush()


def _is_key(unit: bytes) -> bool:
    return any((unit[m.end()] & 0x1F) in (5, 7) for m in re.finditer(b"\x00\x00\x01", unit) if m.end() < len(unit))


@dataclass
class DeviceStats:
    registered: bool = False
    invites: int = 0
    acks: int = 0
    byes: int = 0
    frames_sent: int = 0
    media_transports: list[str] = field(default_factory=list)


class GbTestDevice(asyncio.DatagramProtocol):
    """SIP over UDP on loopback. ``send_media=False`` answers INVITEs but never streams (timeout tests)."""

    def __init__(self, server_port: int, units: list[bytes], password: str, device_id: str = "34020000001320000001",
                 channels: tuple[str, ...] = ("34020000001310000001",), fps: float = 25.0,
                 send_media: bool = True) -> None:
        self.server = ("127.0.0.1", server_port)
        self.units, self.password, self.device_id, self.channels = units, password, device_id, channels
        self.fps, self.send_media = fps, send_media
        self.stats = DeviceStats()
        self.transport: asyncio.DatagramTransport | None = None
        self._cseq = itertools.count(1)
        self._media: dict[str, asyncio.Task[None]] = {}
        self._registered = asyncio.Event()
        self._call_id = secrets.token_hex(8)

    # ----- SIP plumbing -------------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.port = self.transport.get_extra_info("sockname")[1]
        self._send(self._register())
        await asyncio.wait_for(self._registered.wait(), 10)

    def close(self) -> None:
        for task in self._media.values():
            task.cancel()
        if self.transport is not None:
            self.transport.close()

    def _send(self, msg: Request | Response) -> None:
        assert self.transport is not None
        self.transport.sendto(msg.to_bytes(), self.server)

    def _request(self, method: str, body: bytes = b"", ctype: str = "Application/MANSCDP+xml",
                 call_id: str | None = None) -> Request:
        req = Request(method, f"sip:{PLATFORM}@{DOMAIN}")
        h = req.headers
        h.add("Via", f"SIP/2.0/UDP 127.0.0.1:{self.port};rport;branch=z9hG4bK{secrets.token_hex(6)}")
        h.add("From", f"<sip:{self.device_id}@{DOMAIN}>;tag={secrets.token_hex(4)}")
        h.add("To", f"<sip:{self.device_id}@{DOMAIN}>" if method == "REGISTER" else f"<sip:{PLATFORM}@{DOMAIN}>")
        h.add("Call-ID", call_id or secrets.token_hex(8))
        h.add("CSeq", f"{next(self._cseq)} {method}")
        h.add("Max-Forwards", "70")
        if body:
            h.add("Content-Type", ctype)
        req.body = body
        return req

    def _register(self, authorization: str | None = None) -> Request:
        req = self._request("REGISTER", call_id=self._call_id)
        req.headers.add("Contact", f"<sip:{self.device_id}@127.0.0.1:{self.port}>")
        req.headers.add("Expires", "3600")
        if authorization:
            req.headers.add("Authorization", authorization)
        return req

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        msg = parse_message(data)
        if isinstance(msg, Response):
            self._response(msg)
        else:
            self._incoming(msg)

    def _response(self, resp: Response) -> None:
        if resp.cseq[1] != "REGISTER":
            return
        if resp.status == 401:
            params = parse_auth_params(resp.headers.get("WWW-Authenticate") or "")[1]
            uri = f"sip:{PLATFORM}@{DOMAIN}"
            answer = digest_response("MD5", self.device_id, params["realm"], self.password, "REGISTER", uri,
                                     params["nonce"])
            self._send(self._register(f'Digest username="{self.device_id}", realm="{params["realm"]}", '
                                      f'nonce="{params["nonce"]}", uri="{uri}", response="{answer}", algorithm=MD5'))
        elif resp.status == 200:
            self.stats.registered = True
            self._registered.set()

    def _reply(self, req: Request, status: int, body: bytes = b"", ctype: str = "") -> None:
        resp = Response(status)
        for via in req.headers.get_all("Via"):
            resp.headers.add("Via", via)
        to = req.headers.get("To") or ""
        resp.headers.add("From", req.headers.get("From") or "")
        resp.headers.add("To", to if "tag=" in to else f"{to};tag=dev{self.port}")
        resp.headers.add("Call-ID", req.call_id)
        resp.headers.add("CSeq", req.headers.get("CSeq") or "")
        if body:
            resp.headers.add("Contact", f"<sip:{self.device_id}@127.0.0.1:{self.port}>")
            resp.headers.add("Content-Type", ctype)
            resp.body = body
        self._send(resp)

    def _incoming(self, req: Request) -> None:
        if req.method == "MESSAGE":
            self._reply(req, 200)
            sn = re.search(rb"<SN>(\d+)</SN>", req.body)
            if b"<CmdType>Catalog</CmdType>" in req.body and sn:
                self._send(self._request("MESSAGE", self._catalog(int(sn.group(1)))))
        elif req.method == "INVITE":
            self.stats.invites += 1
            self._reply(req, 100)
            self._invite(req)
        elif req.method == "ACK":
            self.stats.acks += 1
            pending = getattr(self, "_pending", {}).pop(req.call_id, None)
            if pending is not None and self.send_media:
                self._media[req.call_id] = asyncio.ensure_future(self._stream(*pending))
        elif req.method == "BYE":
            self.stats.byes += 1
            task = self._media.pop(req.call_id, None)
            if task is not None:
                task.cancel()
            self._reply(req, 200)

    def _catalog(self, sn: int) -> bytes:
        items = "".join(f"<Item><DeviceID>{c}</DeviceID><Name>Gate {i}</Name><Status>ON</Status>"
                        f"<ParentID>{self.device_id}</ParentID></Item>" for i, c in enumerate(self.channels))
        return (f'<?xml version="1.0" encoding="GB2312"?>\r\n<Response><CmdType>Catalog</CmdType><SN>{sn}</SN>'
                f"<DeviceID>{self.device_id}</DeviceID><SumNum>{len(self.channels)}</SumNum>"
                f'<DeviceList Num="{len(self.channels)}">{items}</DeviceList></Response>\r\n').encode()

    # ----- media --------------------------------------------------------------------------------------------
    def _invite(self, req: Request) -> None:
        offer = parse_sdp(req.body)
        mode = "udp" if not offer.tcp else f"tcp_{offer.setup}"  # the platform's role
        listener: asyncio.Future[asyncio.StreamWriter] | None = None
        port = 15060
        if mode == "tcp_active":  # the platform connects: we listen first, then answer with our port
            asyncio.ensure_future(self._answer_active(req, offer))
            return
        self._answer(req, offer, port, mode, listener)

    async def _answer_active(self, req: Request, offer: object) -> None:
        accepted: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()

        async def on_conn(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            if not accepted.done():
                accepted.set_result(w)

        server = await asyncio.start_server(on_conn, "127.0.0.1", 0)
        self._answer(req, offer, server.sockets[0].getsockname()[1], "tcp_active", accepted)

    def _answer(self, req: Request, offer: object, port: int, mode: str,
                accepted: asyncio.Future[asyncio.StreamWriter] | None) -> None:
        o = parse_sdp(req.body)
        proto = "RTP/AVP" if mode == "udp" else "TCP/RTP/AVP"
        setup = {"tcp_passive": "active", "tcp_active": "passive"}.get(mode)
        lines = ["v=0", f"o={self.device_id} 0 0 IN IP4 127.0.0.1", f"s={o.session_name}", "c=IN IP4 127.0.0.1",
                 "t=0 0", f"m=video {port} {proto} 96", "a=sendonly", "a=rtpmap:96 PS/90000"]
        if setup:
            lines += [f"a=setup:{setup}", "a=connection:new"]
        lines += [f"y={o.ssrc}", "f="]
        if not hasattr(self, "_pending"):
            self._pending: dict[str, tuple[str, str, int, int, object]] = {}
        self._pending[req.call_id] = (mode, o.host, o.port, int(o.ssrc or 0), accepted)
        self._reply(req, 200, ("\r\n".join(lines) + "\r\n").encode(), "APPLICATION/SDP")

    async def _stream(self, mode: str, host: str, port: int, ssrc: int, accepted: object) -> None:
        self.stats.media_transports.append(mode)
        loop = asyncio.get_running_loop()
        writer: asyncio.StreamWriter | None = None
        udp: asyncio.DatagramTransport | None = None
        if mode == "udp":
            udp, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=(host, port))
        elif mode == "tcp_passive":
            _, writer = await asyncio.open_connection(host, port)
        else:
            writer = await asyncio.wait_for(accepted, 10)  # type: ignore[arg-type]
        seq, pts = 0, 0
        step = round(90000 / self.fps)
        try:
            for unit in itertools.cycle(self.units):
                for pkt in packetize(mux_frame(unit, pts, key=_is_key(unit)), pts, ssrc, seq):
                    if udp is not None:
                        udp.sendto(pkt.to_bytes())
                    else:
                        assert writer is not None
                        writer.write(Rfc4571Framer.frame(pkt.to_bytes()))
                    seq += 1
                if writer is not None:
                    await writer.drain()
                self.stats.frames_sent += 1
                pts += step
                await asyncio.sleep(1 / self.fps)
        finally:
            if udp is not None:
                udp.close()
            if writer is not None:
                writer.close()
