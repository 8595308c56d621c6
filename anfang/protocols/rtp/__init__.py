"""Media transport, sans-IO: RTP (+ jitter buffer, RFC 4571), MPEG-PS demux/mux, H.264/H.265 access units."""

from anfang.protocols.rtp.h26x import AccessUnitSplitter
from anfang.protocols.rtp.ps import AccessUnit, PsDemuxer
from anfang.protocols.rtp.rtp import JitterBuffer, Rfc4571Framer, RtpError, RtpPacket, packetize

__all__ = ["AccessUnit", "AccessUnitSplitter", "JitterBuffer", "PsDemuxer", "Rfc4571Framer", "RtpError", "RtpPacket",
           "packetize"]
