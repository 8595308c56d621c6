"""MPEG-2 Program Stream (ISO/IEC 13818-1 §2.5) demux, sans-IO: PS bytes in, elementary access units out.

GB/T 28181 cameras wrap each frame as pack header [+ system header + PSM on key frames] + PES packets;
the PSM's stream types say what the payloads are (0x1B H.264, 0x24 H.265, 0x90 G.711A ...). Streams
without a PSM (e.g. ffmpeg's ``-f vob``) fall back to 0xE0→H.264, 0xC0→MPEG audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anfang.protocols.rtp.h26x import AccessUnitSplitter

STREAM_TYPES = {0x1B: "h264", 0x24: "h265", 0x10: "mpeg4", 0x90: "g711a", 0x91: "g711u", 0x0F: "aac",
                0x03: "mp2", 0x04: "mp2", 0x80: "svac", 0x92: "g722", 0x93: "g723", 0x99: "g729"}
VIDEO_TYPES = {0x1B, 0x24, 0x10, 0x80}


class PsError(ValueError):
    """A PS structure that cannot be parsed (the demuxer resynchronises; this is for strict callers)."""


@dataclass
class AccessUnit:
    stream_id: int
    stream_type: int
    pts: int | None  # 90 kHz
    data: bytes

    @property
    def codec(self) -> str:
        return STREAM_TYPES.get(self.stream_type, f"0x{self.stream_type:02x}")


def parse_pts(b: bytes) -> int:
    return ((b[0] >> 1) & 0x07) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


@dataclass
class _Stream:
    stream_type: int
    pts: int | None = None
    parts: list[bytes] = field(default_factory=list)
    splitter: AccessUnitSplitter | None = None


class PsDemuxer:
    """Feed PS bytes in any chunking; get AccessUnits.

    ``split``: "pts" cuts units at each PES carrying a PTS (how GB28181 devices packetise: one frame per
    PES group); "nal" re-cuts H.264/H.265 on NAL unit boundaries (needed when a muxer, like ffmpeg's, lets
    PES packets straddle frames).
    """

    def __init__(self, split: str = "pts") -> None:
        if split not in ("pts", "nal"):
            raise ValueError(f"split must be 'pts' or 'nal', not {split!r}")
        self.split = split
        self._buf = bytearray()
        self.stream_types: dict[int, int] = {}
        self._streams: dict[int, _Stream] = {}
        self.skipped = 0  # bytes dropped while resynchronising
        self.packs = 0

    def feed(self, data: bytes) -> list[AccessUnit]:
        self._buf += data
        out: list[AccessUnit] = []
        pos = 0
        buf = self._buf
        while True:
            start = buf.find(b"\x00\x00\x01", pos)
            if start < 0:
                keep = max(pos, len(buf) - 2)
                self.skipped += keep - pos
                pos = keep
                break
            self.skipped += start - pos
            pos = start
            if len(buf) < pos + 6:
                break
            code = buf[pos + 3]
            if code == 0xBA:
                if len(buf) < pos + 14:
                    break
                size = 14 + (buf[pos + 13] & 0x07) if buf[pos + 4] >> 6 == 1 else 12  # MPEG-2 / MPEG-1
                if len(buf) < pos + size:
                    break
                self.packs += 1
                pos += size
            elif code == 0xB9:
                pos += 4
            elif code >= 0xBB:
                size = 6 + int.from_bytes(buf[pos + 4:pos + 6], "big")
                if len(buf) < pos + size:
                    break
                self._packet(code, bytes(buf[pos:pos + size]), out)
                pos += size
            else:
                pos += 3  # a start code that is not a system one (e.g. inside garbage): resync
                self.skipped += 3
        del self._buf[:pos]
        return out

    def flush(self) -> list[AccessUnit]:
        """Emit the last, unterminated access unit of every stream."""
        out: list[AccessUnit] = []
        for sid, st in self._streams.items():
            self._emit(sid, st, out)
            if st.splitter is not None:
                out += [AccessUnit(sid, st.stream_type, None, au) for au in st.splitter.flush()]
        return out

    def _packet(self, code: int, pkt: bytes, out: list[AccessUnit]) -> None:
        if code == 0xBC:
            self._psm(pkt)
        elif code in (0xBB, 0xBE, 0xBF):
            return  # system header, padding, private 2
        elif 0xC0 <= code <= 0xEF or code == 0xBD:
            self._pes(code, pkt, out)

    def _psm(self, pkt: bytes) -> None:
        if len(pkt) < 12:
            return
        info_len = int.from_bytes(pkt[8:10], "big")
        pos = 10 + info_len
        if pos + 2 > len(pkt):
            return
        pos += 2
        # Walk to the CRC rather than trusting elementary_stream_map_length: some cameras write it wrong
        # (the trace's G.711 sample says 8 for a 14-byte map, which would hide the audio stream).
        end = len(pkt) - 4
        while pos + 4 <= end:
            stype, sid = pkt[pos], pkt[pos + 1]
            self.stream_types[sid] = stype
            pos += 4 + int.from_bytes(pkt[pos + 2:pos + 4], "big")

    def _pes(self, sid: int, pkt: bytes, out: list[AccessUnit]) -> None:
        pts: int | None = None
        if len(pkt) >= 9 and pkt[6] >> 6 == 2:  # MPEG-2 PES header
            flags, hlen = pkt[7], pkt[8]
            if flags & 0x80 and hlen >= 5:
                pts = parse_pts(pkt[9:14])
            payload = pkt[9 + hlen:]
        else:  # MPEG-1 PES header
            pos = 6
            while pos < len(pkt) and pkt[pos] == 0xFF:
                pos += 1
            if pos < len(pkt) and pkt[pos] >> 6 == 1:
                pos += 2
            if pos < len(pkt) and pkt[pos] >> 4 in (2, 3):
                pts = parse_pts(pkt[pos:pos + 5])
                pos += 5 if pkt[pos] >> 4 == 2 else 10
            else:
                pos += 1
            payload = pkt[pos:]
        default = 0x1B if 0xE0 <= sid <= 0xEF else 0x03
        stype = self.stream_types.get(sid, default)
        st = self._streams.get(sid)
        if st is None or st.stream_type != stype:
            st = self._streams[sid] = _Stream(stype)
            if self.split == "nal" and stype in (0x1B, 0x24):
                st.splitter = AccessUnitSplitter("h264" if stype == 0x1B else "h265")
        if st.splitter is not None:
            out += [AccessUnit(sid, stype, None, au) for au in st.splitter.feed(payload)]
            return
        if pts is not None:
            self._emit(sid, st, out)
            st.pts = pts
        st.parts.append(payload)

    @staticmethod
    def _emit(sid: int, st: _Stream, out: list[AccessUnit]) -> None:
        if st.parts:
            out.append(AccessUnit(sid, st.stream_type, st.pts, b"".join(st.parts)))
            st.parts = []
