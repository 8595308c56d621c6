"""Cut an H.264/H.265 Annex B byte stream into access units (ISO/IEC 14496-10 §7.4.1.2.3, H.265 §7.4.2.4.4).

Needed when the container does not align PES packets with frames. A new unit starts at an AUD, at
parameter sets/SEI that precede a picture, or at a slice whose first_mb_in_slice / first_slice_segment flag
says "first slice of a picture" once the current unit already has a picture.
"""

from __future__ import annotations


def _nal_info(codec: str, nal: bytes) -> tuple[bool, bool]:
    """(is_vcl_first_slice_of_picture, starts_new_unit_if_unit_has_picture) for one NAL without start code."""
    if not nal:
        return False, False
    if codec == "h264":
        t = nal[0] & 0x1F
        if t in (1, 5):
            first = len(nal) > 1 and bool(nal[1] & 0x80)  # ue(v) first_mb_in_slice == 0 ⇔ first bit 1
            return first, first
        return False, t in (6, 7, 8, 9)
    t = (nal[0] >> 1) & 0x3F
    if t < 32:
        first = len(nal) > 2 and bool(nal[2] & 0x80)
        return first, first
    return False, t in (32, 33, 34, 35, 39)


class AccessUnitSplitter:
    """Streaming: feed ES bytes, get complete access units (each with its Annex B start codes)."""

    def __init__(self, codec: str) -> None:
        if codec not in ("h264", "h265"):
            raise ValueError(f"codec must be h264 or h265, not {codec!r}")
        self.codec = codec
        self._buf = bytearray()
        self._unit: list[bytes] = []
        self._has_picture = False

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        starts = self._start_codes()
        # every NAL but the last is complete (the last may still grow)
        for (s, hdr), (nxt, _) in zip(starts, starts[1:], strict=False):
            self._nal(bytes(self._buf[s:nxt]), hdr - s, out)
        if starts:
            del self._buf[:starts[-1][0]]
        return out

    def flush(self) -> list[bytes]:
        out: list[bytes] = []
        starts = self._start_codes()
        if starts:
            self._nal(bytes(self._buf[starts[0][0]:]), starts[0][1] - starts[0][0], out)
        self._buf.clear()
        if self._unit:
            out.append(b"".join(self._unit))
            self._unit, self._has_picture = [], False
        return out

    def _start_codes(self) -> list[tuple[int, int]]:
        """(offset of start code incl. leading zero, offset of NAL header) for each start code in the buffer."""
        res = []
        pos = 0
        buf = self._buf
        while (i := buf.find(b"\x00\x00\x01", pos)) >= 0:
            begin = i - 1 if i > 0 and buf[i - 1] == 0 else i
            res.append((begin, i + 3))
            pos = i + 3
        return res

    def _nal(self, chunk: bytes, header_at: int, out: list[bytes]) -> None:
        """``chunk`` = start code + NAL; ``header_at`` = offset of the NAL header inside it."""
        nal = chunk[header_at:]
        first_slice, boundary = _nal_info(self.codec, nal)
        if boundary and self._has_picture and self._unit:
            out.append(b"".join(self._unit))
            self._unit, self._has_picture = [], False
        self._unit.append(chunk)
        if nal and (nal[0] & 0x1F in (1, 5) if self.codec == "h264" else (nal[0] >> 1) & 0x3F < 32):
            self._has_picture = True
