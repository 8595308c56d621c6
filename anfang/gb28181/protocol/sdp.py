"""GB/T 28181 SDP (§C.2 / Annex F), sans-IO: the platform's offer and the device's answer.

GB devices speak a dialect of RFC 4566: ``s=Play|Playback|Download``, ``u=<channel>:0`` for recordings,
``y=`` a 10-digit SSRC (live/playback flag + 5 domain digits + 4-digit sequence) that the device must put in
its RTP header, ``f=`` media format hints, and RFC 4145 ``a=setup`` for RTP over TCP. Cameras copy lines
they do not understand badly, so the parser accepts LF line ends, missing lines and unknown attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Transport = Literal["udp", "tcp_passive", "tcp_active"]
RTPMAP = {96: "PS/90000", 97: "MPEG4/90000", 98: "H264/90000", 99: "H265/90000"}


class SdpError(ValueError):
    """An answer that cannot carry media (no c=/m= line, bad port); the message says which."""


def make_ssrc(domain: str, sequence: int, playback: bool = False) -> str:
    """The 10-digit ``y=`` value: 0 live / 1 history, domain id digits 4-8, then a 4-digit sequence."""
    if len(domain) < 8 or not domain.isdigit():
        raise ValueError(f"domain {domain!r} must be at least 8 digits")
    return f"{1 if playback else 0}{domain[3:8]}{sequence % 10000:04d}"


@dataclass
class Offer:
    """What we ask a channel for; ``start``/``end`` (Unix seconds) make it a Playback."""

    channel_id: str
    host: str
    port: int
    ssrc: str
    transport: Transport = "udp"
    start: int | None = None
    end: int | None = None

    @property
    def playback(self) -> bool:
        return self.start is not None


def build_offer(offer: Offer, origin_id: str) -> bytes:
    """The INVITE body: receive-only PS (with raw H.264/H.265 as fallbacks) on ``host:port``."""
    name = "Playback" if offer.playback else "Play"
    proto = "RTP/AVP" if offer.transport == "udp" else "TCP/RTP/AVP"
    lines = ["v=0", f"o={origin_id} 0 0 IN IP4 {offer.host}", f"s={name}"]
    if offer.playback:
        lines.append(f"u={offer.channel_id}:0")
    lines += [f"c=IN IP4 {offer.host}", f"t={offer.start or 0} {offer.end or 0}",
              f"m=video {offer.port} {proto} {' '.join(str(pt) for pt in RTPMAP)}", "a=recvonly"]
    lines += [f"a=rtpmap:{pt} {name_}" for pt, name_ in RTPMAP.items()]
    if offer.transport != "udp":
        lines += [f"a=setup:{'passive' if offer.transport == 'tcp_passive' else 'active'}", "a=connection:new"]
    lines += [f"y={offer.ssrc}", "f="]
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass
class SessionDescription:
    """The parts of an SDP that decide where media flows."""

    session_name: str = ""
    origin: str = ""
    host: str = ""
    port: int = 0
    proto: str = ""
    payload_types: list[int] = field(default_factory=list)
    rtpmap: dict[int, str] = field(default_factory=dict)
    direction: str = ""
    setup: str | None = None
    ssrc: str | None = None
    uri: str | None = None
    time: tuple[int, int] = (0, 0)
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def tcp(self) -> bool:
        return self.proto.upper().startswith("TCP")

    @property
    def ssrc_int(self) -> int | None:
        return int(self.ssrc) if self.ssrc and self.ssrc.isdigit() else None


def parse_sdp(body: bytes | str) -> SessionDescription:
    """Parse an offer or answer; raises :class:`SdpError` when it has no usable video media line."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    sd = SessionDescription()
    media_host = ""
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        key, value = line[0], line[2:].strip()
        if key == "s":
            sd.session_name = value
        elif key == "o":
            sd.origin = value
        elif key == "c":
            parts = value.split()
            if len(parts) == 3:
                if sd.port:
                    media_host = parts[2].split("/")[0]
                else:
                    sd.host = parts[2].split("/")[0]
        elif key == "t":
            parts = value.split()
            if len(parts) == 2 and all(p.isdigit() for p in parts):
                sd.time = (int(parts[0]), int(parts[1]))
        elif key == "u":
            sd.uri = value
        elif key == "y":
            sd.ssrc = value
        elif key == "m" and not sd.port:
            _media_line(sd, value)
        elif key == "a":
            _attribute(sd, value)
    sd.host = media_host or sd.host
    if not sd.port:
        raise SdpError("no m=video line with a port")
    if not sd.host:
        raise SdpError("no c= connection address")
    return sd


def _media_line(sd: SessionDescription, value: str) -> None:
    parts = value.split()
    if len(parts) < 3 or parts[0] != "video":
        return
    if not parts[1].isdigit() or not 0 < int(parts[1]) < 65536:
        raise SdpError(f"bad media port {parts[1]!r}")
    sd.port, sd.proto = int(parts[1]), parts[2]
    sd.payload_types = [int(p) for p in parts[3:] if p.isdigit()]


def _attribute(sd: SessionDescription, value: str) -> None:
    name, _, rest = value.partition(":")
    if name in ("recvonly", "sendonly", "sendrecv", "inactive"):
        sd.direction = name
    elif name == "rtpmap":
        pt, _, enc = rest.partition(" ")
        if pt.isdigit():
            sd.rtpmap[int(pt)] = enc.strip()
    elif name == "setup":
        sd.setup = rest.strip()
    else:
        sd.attributes[name] = rest
