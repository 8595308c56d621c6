"""SIP messages as plain objects: parse bytes into a Request/Response and serialise them back.

Sans-IO (like h11): nothing here touches a socket, so the same code serves UDP, TCP, the fuzzer and the
trace tests. Parsing is strict about structure (start line, header syntax, Content-Length) but lenient
about what real cameras send (bare LF line ends, compact header names, folded lines), because a platform
that rejects a cheap IPC's REGISTER is useless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

SIP_VERSION = "SIP/2.0"
MAX_HEADER_BYTES = 64 * 1024

# RFC 3261 §7.3.3 compact forms (plus a few extension ones devices use).
COMPACT_FORMS = {
    "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length", "c": "Content-Type",
    "f": "From", "s": "Subject", "k": "Supported", "t": "To", "v": "Via", "o": "Event", "u": "Allow-Events",
    "r": "Refer-To", "b": "Referred-By", "x": "Session-Expires",
}
_CANONICAL = {
    "call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate", "content-length": "Content-Length",
    "content-type": "Content-Type", "max-forwards": "Max-Forwards", "user-agent": "User-Agent",
}
# Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1); auth headers are NOT.
_LIST_HEADERS = {"via", "contact", "route", "record-route", "allow", "supported", "require"}
_TOKEN_RE = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")
_STATUS_RE = re.compile(r"^SIP/(\d+\.\d+) (\d{3})(?: (.*))?$")
_REQUEST_RE = re.compile(r"^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP/(\d+\.\d+)$")


class SipParseError(ValueError):
    """Raised for bytes that are not a SIP message; the message says what is wrong and where."""


def canonical_name(name: str) -> str:
    """Map any spelling of a header name (``via``, ``V``, ``call-id``) to one comparison key form."""
    low = name.strip().lower()
    if low in COMPACT_FORMS:
        return COMPACT_FORMS[low]
    if low in _CANONICAL:
        return _CANONICAL[low]
    return "-".join(part.capitalize() for part in low.split("-"))


def split_list(value: str) -> list[str]:
    """Split a comma-separated header value, ignoring commas inside quotes or angle brackets."""
    parts: list[str] = []
    depth_quote = False
    depth_angle = 0
    start = 0
    for i, ch in enumerate(value):
        if ch == '"' and (i == 0 or value[i - 1] != "\\"):
            depth_quote = not depth_quote
        elif not depth_quote and ch == "<":
            depth_angle += 1
        elif not depth_quote and ch == ">":
            depth_angle = max(0, depth_angle - 1)
        elif ch == "," and not depth_quote and depth_angle == 0:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


@dataclass
class Headers:
    """Ordered header list; lookups are case-insensitive and understand compact forms.

    Order and original spelling are kept so a parsed message re-serialises to what was received.
    """

    items: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        """First value of ``name`` (the whole line value, not split on commas)."""
        key = canonical_name(name)
        for k, v in self.items:
            if canonical_name(k) == key:
                return v
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``; list headers such as Via are also split on top-level commas."""
        key = canonical_name(name)
        split = key.lower() in _LIST_HEADERS
        out: list[str] = []
        for k, v in self.items:
            if canonical_name(k) == key:
                out.extend(split_list(v) if split else [v])
        return out

    def set(self, name: str, value: str) -> None:
        """Replace every ``name`` line with one line (kept at the first occurrence's position)."""
        key = canonical_name(name)
        for i, (k, _) in enumerate(self.items):
            if canonical_name(k) == key:
                self.items[i] = (k, value)
                self.items = [it for j, it in enumerate(self.items) if j <= i or canonical_name(it[0]) != key]
                return
        self.items.append((name, value))

    def add(self, name: str, value: str) -> None:
        self.items.append((name, value))

    def remove(self, name: str) -> None:
        key = canonical_name(name)
        self.items = [it for it in self.items if canonical_name(it[0]) != key]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items)

    def normalized(self) -> list[tuple[str, str]]:
        """(canonical name, value) pairs with list headers split: the basis for 'equivalent message' checks."""
        out: list[tuple[str, str]] = []
        for k, v in self.items:
            name = canonical_name(k)
            values = split_list(v) if name.lower() in _LIST_HEADERS else [v.strip()]
            out.extend((name, x) for x in values)
        return out


@dataclass
class _Message:
    headers: Headers
    body: bytes
    version: str

    @property
    def call_id(self) -> str:
        return self.headers.get("Call-ID") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        """(number, method) from CSeq; raises SipParseError when malformed."""
        raw = self.headers.get("CSeq") or ""
        parts = raw.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise SipParseError(f"bad CSeq header {raw!r}: expected '<number> <METHOD>'")
        return int(parts[0]), parts[1].upper()

    @property
    def vias(self) -> list[str]:
        return self.headers.get_all("Via")

    @property
    def branch(self) -> str:
        """branch parameter of the top Via (transaction key, RFC 3261 §17.2.3)."""
        vias = self.vias
        if not vias:
            return ""
        return header_params(vias[0]).get("branch", "")

    def _head_lines(self) -> list[str]:
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        """Serialise with CRLF line ends and a Content-Length that matches the body."""
        headers = Headers(list(self.headers.items))
        headers.set("Content-Length", str(len(self.body)))
        lines = self._head_lines() + [f"{k}: {v}" for k, v in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


@dataclass
class Request(_Message):
    method: str = ""
    uri: str = ""

    def __init__(self, method: str, uri: str, headers: Headers | Iterable[tuple[str, str]] | None = None,
                 body: bytes = b"", version: str = "2.0") -> None:
        super().__init__(headers if isinstance(headers, Headers) else Headers(list(headers or [])), body, version)
        self.method = method.upper()
        self.uri = uri

    @property
    def start_line(self) -> str:
        return f"{self.method} {self.uri} SIP/{self.version}"

    def _head_lines(self) -> list[str]:
        return [self.start_line]


@dataclass
class Response(_Message):
    status: int = 200
    reason: str = ""

    def __init__(self, status: int, reason: str = "", headers: Headers | Iterable[tuple[str, str]] | None = None,
                 body: bytes = b"", version: str = "2.0") -> None:
        super().__init__(headers if isinstance(headers, Headers) else Headers(list(headers or [])), body, version)
        self.status = status
        self.reason = reason or REASONS.get(status, "")

    @property
    def start_line(self) -> str:
        return f"SIP/{self.version} {self.status} {self.reason}".rstrip()

    def _head_lines(self) -> list[str]:
        return [self.start_line]


REASONS = {
    100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 481: "Call/Transaction Does Not Exist",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error",
}

Message = Request | Response


def header_params(value: str) -> dict[str, str]:
    """``;key=value`` parameters after a header's main part (``Via``, ``From``, ...), keys lower-cased.

    Parameters inside ``<...>`` belong to the URI and are skipped.
    """
    end = value.rfind(">")
    tail = value[end + 1:] if end >= 0 else value
    params: dict[str, str] = {}
    for part in tail.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = val.strip().strip('"')
    return params


def header_uri(value: str) -> str:
    """The URI of a name-addr (``"n" <sip:a@b>;tag=1`` → ``sip:a@b``) or addr-spec header."""
    lt, gt = value.find("<"), value.find(">")
    if 0 <= lt < gt:
        return value[lt + 1:gt].strip()
    return value.split(";")[0].strip()


def uri_user(uri: str) -> str:
    """User part of a sip: URI (``sip:3402...@host`` → ``3402...``); empty if none."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    """Split at the first empty line; accept bare LF line ends as some devices send."""
    idx = data.find(b"\r\n\r\n")
    lf = data.find(b"\n\n")
    if idx < 0 and lf < 0:
        raise SipParseError("no empty line ending the header section")
    if idx >= 0 and (lf < 0 or idx <= lf):
        return data[:idx], data[idx + 4:]
    return data[:lf], data[lf + 2:]


def _decode_head(head: bytes) -> str:
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return head.decode("latin-1")


def parse_headers(lines: list[str]) -> Headers:
    """Header lines (after the start line) → Headers, unfolding continuation lines (RFC 3261 §7.3.1)."""
    headers = Headers()
    for n, line in enumerate(lines, start=2):
        if line[:1] in (" ", "\t"):
            if not headers.items:
                raise SipParseError(f"line {n}: continuation line before any header")
            name, value = headers.items[-1]
            headers.items[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN_RE.match(name):
            raise SipParseError(f"line {n}: not a header line: {line[:60]!r}")
        headers.items.append((name, value.strip()))
    return headers


def parse_start_line(line: str) -> tuple[str, ...]:
    """('request', method, uri, version) or ('response', status, reason, version)."""
    m = _STATUS_RE.match(line)
    if m:
        return ("response", m.group(2), m.group(3) or "", m.group(1))
    m = _REQUEST_RE.match(line)
    if m:
        return ("request", m.group(1), m.group(2), m.group(3))
    raise SipParseError(f"line 1: not a SIP request or status line: {line[:80]!r}")


def parse_message(data: bytes, *, stream: bool = False, lenient: bool = False) -> Message:
    """Parse one complete SIP message (a UDP datagram, or a frame cut by :class:`StreamParser`).

    For datagrams a body longer than Content-Length is truncated and a shorter one is an error
    (RFC 3261 §18.3); without Content-Length the rest of the datagram is the body. ``lenient`` accepts a
    short body (for replaying lossy captures, where re-encoding dropped multi-byte characters).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise SipParseError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data).lstrip(b"\r\n")
    if not data:
        raise SipParseError("empty message")
    head, rest = _split_head(data)
    if len(head) > MAX_HEADER_BYTES:
        raise SipParseError(f"header section of {len(head)} bytes exceeds {MAX_HEADER_BYTES}")
    lines = _decode_head(head).replace("\r\n", "\n").split("\n")
    kind, a, b, version = parse_start_line(lines[0].strip())
    headers = parse_headers(lines[1:])
    length_raw = headers.get("Content-Length")
    if length_raw is not None:
        if not length_raw.strip().isdigit():
            raise SipParseError(f"Content-Length {length_raw!r} is not a number")
        length = int(length_raw)
        if length > len(rest) and not lenient:
            raise SipParseError(f"Content-Length {length} but only {len(rest)} body bytes")
        body = rest[:length]
    else:
        body = b"" if stream else rest
    if kind == "response":
        return Response(int(a), b, headers, body, version)
    return Request(a, b, headers, body, version)
