"""Minimal GB28181-style PS muxer (sans-IO) for the test device: one frame → pack [+ sys hdr + PSM] + PES.

Mirrors what cameras send, so the demuxer and the RTP path can be tested end to end with real H.264.
"""

from __future__ import annotations


def _ts(value: int, marker: int) -> bytes:
    v = value & ((1 << 33) - 1)
    return bytes([(marker << 4) | ((v >> 29) & 0x0E) | 1, (v >> 22) & 0xFF, ((v >> 14) & 0xFE) | 1,
                  (v >> 7) & 0xFF, ((v << 1) & 0xFE) | 1])


def pack_header(scr: int, mux_rate: int = 50000) -> bytes:
    s = scr & ((1 << 33) - 1)
    b = bytes([0x44 | ((s >> 27) & 0x38) | ((s >> 28) & 0x03), (s >> 20) & 0xFF, ((s >> 12) & 0xF8) | 0x04 |
               ((s >> 13) & 0x03), (s >> 5) & 0xFF, ((s << 3) & 0xF8) | 0x04, 0x01])
    return b"\x00\x00\x01\xba" + b + bytes([(mux_rate >> 14) & 0xFF, (mux_rate >> 6) & 0xFF,
                                           ((mux_rate << 2) & 0xFC) | 0x03, 0xF8])


def system_header(streams: dict[int, int]) -> bytes:
    body = bytes([0x80, 0x00, 0x01, 0x04, 0xE1, 0xFF])
    for sid in streams:
        body += bytes([sid, 0xE0 if sid >= 0xE0 else 0xC0, 0x00])
    return b"\x00\x00\x01\xbb" + len(body).to_bytes(2, "big") + body


def program_stream_map(streams: dict[int, int]) -> bytes:
    """PSM listing ``{stream_id: stream_type}`` with a correct CRC-32/MPEG-2."""
    es_map = b"".join(bytes([stype, sid, 0, 0]) for sid, stype in streams.items())
    body = bytes([0xE0, 0xFF, 0x00, 0x00]) + len(es_map).to_bytes(2, "big") + es_map
    length = len(body) + 4
    head = b"\x00\x00\x01\xbc" + length.to_bytes(2, "big") + body
    crc = _crc32_mpeg(head)
    return head + crc.to_bytes(4, "big")


def _crc32_mpeg(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def pes_packets(stream_id: int, payload: bytes, pts: int, max_payload: int = 65000) -> bytes:
    """PES packets for one frame; only the first carries the PTS (the demuxer's frame boundary)."""
    out = []
    for i in range(0, max(len(payload), 1), max_payload):
        chunk = payload[i:i + max_payload]
        header = bytes([0x80, 0x80, 5]) + _ts(pts, 2) if i == 0 else bytes([0x80, 0x00, 0])
        size = (len(header) + len(chunk)).to_bytes(2, "big")
        out.append(b"\x00\x00\x01" + bytes([stream_id]) + size + header + chunk)
    return b"".join(out)


def mux_frame(payload: bytes, pts: int, stream_type: int = 0x1B, stream_id: int = 0xE0, key: bool = False) -> bytes:
    """One frame as a camera would send it; key frames repeat the system header and PSM."""
    streams = {stream_id: stream_type}
    head = pack_header(pts)
    if key:
        head += system_header(streams) + program_stream_map(streams)
    return head + pes_packets(stream_id, payload, pts)

