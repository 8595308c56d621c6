"""One media session's receive path, sans-IO: RTP datagrams or an RFC 4571 TCP stream in, access units out.

RTP → jitter buffer → PS demux (payload type 96) or raw H.264/H.265 (98/99, RFC 6184 single NAL and FU-A is
out of scope: GB devices send PS) → :class:`AccessUnit`. Counters say what went wrong without raising, so
one bad packet never ends a session.
"""

from __future__ import annotations

from dataclasses import dataclass

from anfang.protocols.rtp.ps import AccessUnit, PsDemuxer
from anfang.protocols.rtp.rtp import JitterBuffer, Rfc4571Framer, RtpError, RtpPacket


@dataclass
class ReceiverStats:
    packets: int = 0
    bytes: int = 0
    bad_packets: int = 0
    foreign_ssrc: int = 0  # packets whose SSRC differs from the y= we asked for (counted, still used)
    units: int = 0


class MediaReceiver:
    """Feed what the socket gives; get complete access units of the video stream."""

    def __init__(self, expected_ssrc: int | None = None, depth: int = 64) -> None:
        self.expected_ssrc = expected_ssrc
        self.jitter = JitterBuffer(depth=depth)
        self.demux = PsDemuxer(split="pts")
        self.framer = Rfc4571Framer()
        self.stats = ReceiverStats()

    def feed_datagram(self, data: bytes) -> list[AccessUnit]:
        """One UDP datagram = one RTP packet."""
        try:
            pkt = RtpPacket.parse(data)
        except RtpError:
            self.stats.bad_packets += 1
            return []
        self.stats.packets += 1
        self.stats.bytes += len(data)
        if self.expected_ssrc is not None and pkt.ssrc != self.expected_ssrc:
            self.stats.foreign_ssrc += 1
        return self._units(self.jitter.push(pkt))

    def feed_stream(self, data: bytes) -> list[AccessUnit]:
        """TCP bytes in any chunking (RFC 4571 2-byte length prefix per packet)."""
        out: list[AccessUnit] = []
        for packet in self.framer.feed(data):
            out += self.feed_datagram(packet)
        return out

    def flush(self) -> list[AccessUnit]:
        return self._units(self.jitter.flush()) + self._video(self.demux.flush())

    def _units(self, packets: list[RtpPacket]) -> list[AccessUnit]:
        out: list[AccessUnit] = []
        for pkt in packets:
            out += self.demux.feed(pkt.payload)
        return self._video(out)

    def _video(self, units: list[AccessUnit]) -> list[AccessUnit]:
        video = [u for u in units if u.stream_type in (0x1B, 0x24)]
        self.stats.units += len(video)
        return video
