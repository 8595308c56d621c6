"""RTP receive, sans-IO: header parsing, a small reordering jitter buffer with loss counting, RFC 4571 framing.

GB/T 28181 media arrives as RTP (PT 96, PS payload) over UDP — reordered or lost — or over TCP with a
2-byte length prefix per packet (RFC 4571). Everything here is bytes in, packets out, so it is tested
without sockets.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


class RtpError(ValueError):
    """Bytes that are not an RTP packet; the message says which check failed."""


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes
    csrcs: tuple[int, ...] = ()

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < 12:
            raise RtpError(f"RTP packet of {len(data)} bytes is shorter than the 12-byte header")
        b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", data)
        if b0 >> 6 != 2:
            raise RtpError(f"RTP version {b0 >> 6}, expected 2")
        pos = 12 + 4 * (b0 & 0x0F)
        if pos > len(data):
            raise RtpError("CSRC list runs past the packet end")
        csrcs = struct.unpack_from(f"!{b0 & 0x0F}I", data, 12)
        if b0 & 0x10:
            if pos + 4 > len(data):
                raise RtpError("header extension runs past the packet end")
            pos += 4 + 4 * struct.unpack_from("!H", data, pos + 2)[0]
        end = len(data)
        if b0 & 0x20:
            pad = data[-1]
            if pad == 0 or pad > end - pos:
                raise RtpError(f"bad padding length {pad}")
            end -= pad
        if pos > end:
            raise RtpError("header extension runs past the packet end")
        return cls(b1 & 0x7F, seq, ts, ssrc, bool(b1 & 0x80), bytes(data[pos:end]), tuple(csrcs))

    def to_bytes(self) -> bytes:
        b1 = (0x80 if self.marker else 0) | (self.payload_type & 0x7F)
        return struct.pack("!BBHII", 0x80 | len(self.csrcs), b1, self.sequence & 0xFFFF, self.timestamp & 0xFFFFFFFF,
                           self.ssrc) + b"".join(struct.pack("!I", c) for c in self.csrcs) + self.payload


class JitterBuffer:
    """Releases packets in sequence order; waits for at most ``depth`` packets before declaring a gap lost.

    Why count-based, not time-based: the caller decides pacing; this stays deterministic for tests.
    Late packets (already skipped) and duplicates are dropped and counted. The start sequence is the
    earliest of the first ``prime`` packets, so a stream whose very first packets arrive reordered does not
    lose them as "late" (a fraction of a frame of start-up latency).
    """

    def __init__(self, depth: int = 32, prime: int = 3) -> None:
        self.depth = depth
        self.prime = max(1, prime)
        self._next: int | None = None
        self._priming: list[RtpPacket] = []
        self._held: dict[int, RtpPacket] = {}
        self.lost = 0
        self.late = 0
        self.duplicates = 0

    def push(self, pkt: RtpPacket) -> list[RtpPacket]:
        if self._next is None:
            if any(p.sequence == pkt.sequence for p in self._priming):
                self.duplicates += 1
                return []
            self._priming.append(pkt)
            if len(self._priming) < self.prime:
                return []
            return self._start()
        ahead = (pkt.sequence - self._next) & 0xFFFF
        if ahead >= 0x8000:
            self.late += 1
            return []
        if pkt.sequence in self._held:
            self.duplicates += 1
            return []
        self._held[pkt.sequence] = pkt
        out = self._drain()
        while len(self._held) > self.depth:
            nearest = min(self._held, key=lambda s: (s - self._next) & 0xFFFF)  # type: ignore[operator]
            self.lost += (nearest - self._next) & 0xFFFF
            self._next = nearest
            out += self._drain()
        return out

    def _start(self) -> list[RtpPacket]:
        """Begin at the earliest primed packet (serial-number order: 65535 comes before 0)."""
        first = self._priming[0].sequence
        self._next = min((p.sequence for p in self._priming), key=lambda s: (s - first + 0x8000) & 0xFFFF)
        out: list[RtpPacket] = []
        for p in self._priming:
            out += self.push(p)
        self._priming = []
        return out

    def flush(self) -> list[RtpPacket]:
        """Release everything held (end of stream), counting the remaining gaps as lost."""
        out: list[RtpPacket] = self._start() if self._next is None and self._priming else []
        while self._held:
            nearest = min(self._held, key=lambda s: (s - self._next) & 0xFFFF)  # type: ignore[operator]
            self.lost += (nearest - self._next) & 0xFFFF  # type: ignore[operator]
            self._next = nearest
            out += self._drain()
        return out

    def _drain(self) -> list[RtpPacket]:
        out = []
        while self._next in self._held:
            out.append(self._held.pop(self._next))
            self._next = (self._next + 1) & 0xFFFF
        return out


class Rfc4571Framer:
    """RTP over TCP: each packet prefixed with a 16-bit big-endian length (RFC 4571)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out = []
        while len(self._buf) >= 2:
            n = int.from_bytes(self._buf[:2], "big")
            if len(self._buf) < 2 + n:
                break
            out.append(bytes(self._buf[2:2 + n]))
            del self._buf[:2 + n]
        return out

    @staticmethod
    def frame(packet: bytes) -> bytes:
        if len(packet) > 0xFFFF:
            raise RtpError(f"packet of {len(packet)} bytes does not fit a 16-bit length")
        return len(packet).to_bytes(2, "big") + packet


def packetize(payload: bytes, timestamp: int, ssrc: int, first_seq: int, payload_type: int = 96,
              mtu: int = 1400) -> list[RtpPacket]:
    """Split one frame's PS bytes into RTP packets; the marker bit flags the frame's last packet."""
    chunks = [payload[i:i + mtu] for i in range(0, len(payload), mtu)] or [b""]
    return [RtpPacket(payload_type, (first_seq + i) & 0xFFFF, timestamp, ssrc, i == len(chunks) - 1, c)
            for i, c in enumerate(chunks)]
