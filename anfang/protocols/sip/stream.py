"""Content-Length framing for SIP over TCP (RFC 3261 §18.3): bytes in, complete messages out."""

from __future__ import annotations

from anfang.protocols.sip.message import MAX_HEADER_BYTES, Message, SipParseError, parse_message

MAX_BODY_BYTES = 1024 * 1024


class StreamParser:
    """Accumulates TCP bytes and returns each complete message exactly once.

    Why a class: a TCP read can hold half a message or three of them; the buffer survives between reads.
    CRLF keep-alives between messages (RFC 5626) are skipped. After a framing error the stream is
    unusable (the next message boundary is unknown), so the error is raised and the caller closes.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        """Add bytes; return every message now complete (possibly none)."""
        self._buf += data
        out: list[Message] = []
        while True:
            msg = self._next()
            if msg is None:
                return out
            out.append(msg)

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def _next(self) -> Message | None:
        while self._buf[:2] == b"\r\n":
            del self._buf[:2]
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buf) > MAX_HEADER_BYTES:
                raise SipParseError(f"no end of headers within {MAX_HEADER_BYTES} bytes")
            return None
        head = bytes(self._buf[:end])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() in (b"content-length", b"l"):
                if not value.strip().isdigit():
                    raise SipParseError(f"Content-Length {value.strip()!r} is not a number")
                length = int(value)
        if length > MAX_BODY_BYTES:
            raise SipParseError(f"Content-Length {length} exceeds {MAX_BODY_BYTES}")
        total = end + 4 + length
        if len(self._buf) < total:
            return None
        frame = bytes(self._buf[:total])
        del self._buf[:total]
        return parse_message(frame, stream=True)
