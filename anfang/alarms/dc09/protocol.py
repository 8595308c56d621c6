"""SIA DC-09 frames, sans-IO: bytes in, a :class:`Message` (or a :class:`Dc09Error`) out, and the reply bytes.

Why our own codec rather than ``pysiaalarm``: that library couples parsing to its own asyncio/threaded
server and callback model (one callback per event, the ACK written by the library after the callback
returns), so a receiver that must commit a *batch* of datagrams in one transaction before acknowledging
them (group commit, the ≥ 2,000 messages/s goal) cannot use its server, and its parser is not a public,
stable sans-IO API. The frame format is small: ``<LF><crc4><len4>"<id>"<seq4>[R..][L..]#<acct>[<data>]
[x..]<timestamp><CR>``, CRC-16/ARC (poly 0xA001 reflected, init 0) over the text from the first quote to
the end of the data, length in hex of the same span. AES (DC-09 §5.5): the part from ``[`` to the end is
AES-CBC with a zero IV, padded at the *front* to 16 bytes, hex-encoded; the id then starts with ``*``.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LF = b"\n"
CR = b"\r"
_FRAME = re.compile(
    rb'^\n(?P<crc>[0-9A-Fa-f]{4})(?P<len>[0-9A-Fa-f]{4})(?P<body>"(?P<id>\*?[A-Z0-9-]+)"(?P<seq>\d{4})'
    rb"(?:R(?P<rcv>[0-9A-Fa-f]{1,6}))?(?:L(?P<line>[0-9A-Fa-f]{1,6}))?#(?P<acct>[0-9A-Fa-f]{3,16})(?P<rest>.*))\r$",
    re.S,
)
_STAMP = re.compile(r"_(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})$")


class Dc09Error(ValueError):
    """A frame that must be refused; ``reason`` is the counter's name (crc, length, format, account, ...)."""

    def __init__(self, reason: str, detail: str, account: str = "", seq: str = "0000", nak: bool = True) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.account = account
        self.seq = seq
        self.nak = nak


@dataclass
class Message:
    """One received DC-09 message: ``kind`` is ``ADM-CID``, ``SIA-DCS`` or ``NULL`` (a link test)."""

    kind: str
    account: str
    seq: str
    receiver: str
    line: str
    data: str
    timestamp: float | None
    encrypted: bool
    events: list[dict[str, str]] = field(default_factory=list)


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (the one DC-09 names): reflected poly 0x8005 (0xA001), init 0; check("123456789") = 0xBB3D."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _aes(key: bytes, data: bytes, decrypt: bool) -> bytes:
    c = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16))
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def timestamp_text(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def parse_timestamp(text: str) -> float | None:
    m = _STAMP.search(text)
    if not m:
        return None
    hh, mi, ss, mo, dd, yy = (int(x) for x in m.groups())
    return datetime(yy, mo, dd, hh, mi, ss, tzinfo=UTC).timestamp()


def build_frame(body: str) -> bytes:
    """``body`` from the first quote to the end, framed with CRC and length (panels and tests use this)."""
    raw = body.encode("ascii")
    return LF + f"{crc16_arc(raw):04X}{len(raw):04X}".encode() + raw + CR


def build_message(msg_id: str, seq: str, account: str, data: str, *, key: bytes | None = None,
                  t: float | None = None, receiver: str = "", line: str = "0") -> bytes:  # fmt: skip
    """A panel's frame: ``data`` is what goes inside ``[...]`` (``#acct|Nri1/BA01`` for SIA-DCS)."""
    prefix = f"R{receiver}" if receiver else ""
    prefix += f"L{line}" if line else ""
    rest = f"[{data}]" + (timestamp_text(t) if t is not None else "")
    if key is not None:
        # The '[' stays in clear; what follows it (data, ']' and timestamp) is padded in front and encrypted.
        plain = _pad_front(rest[1:].encode())
        return build_frame(f'"*{msg_id}"{seq}{prefix}#{account}[' + _aes(key, plain, False).hex().upper())
    return build_frame(f'"{msg_id}"{seq}{prefix}#{account}{rest}')


def _pad_front(plain: bytes) -> bytes:
    pad = (16 - len(plain) % 16) % 16
    filler = bytes(b for b in secrets.token_bytes(64) if 0x20 < b < 0x7F and b not in b"[]|#")[:pad]
    while len(filler) < pad:
        filler += b"x"
    return filler + plain


def _unpad(plain: str) -> str:
    """Decrypted text without its front padding: the data starts at ``#acct|`` or at the first ``|``/``]``."""
    bar = min((i for i in (plain.find("|"), plain.find("]")) if i >= 0), default=-1)
    if bar < 0:
        return plain
    hash_at = plain.rfind("#", 0, bar)
    return plain[hash_at if hash_at >= 0 else bar :]


def parse(frame: bytes, keys: dict[str, bytes | None], now: float | None = None, window_s: float = 0.0) -> Message:
    """Check and decode one frame. ``keys``: known accounts → AES key (None: plain text only)."""
    m = _FRAME.match(frame)
    if m is None:
        raise Dc09Error("format", "not a DC-09 frame")
    body, acct, seq = m["body"], m["acct"].decode(), m["seq"].decode()
    if int(m["len"], 16) != len(body):
        raise Dc09Error("length", f"length field {int(m['len'], 16)} != {len(body)}", acct, seq)
    if int(m["crc"], 16) != crc16_arc(body):
        raise Dc09Error("crc", f"crc {m['crc'].decode()} != {crc16_arc(body):04X}", acct, seq)
    if acct not in keys:
        raise Dc09Error("account", f"unknown account {acct}", acct, seq)
    msg_id = m["id"].decode()
    rest = m["rest"].decode("ascii", "replace")
    encrypted = msg_id.startswith("*")
    key = keys[acct]
    if encrypted:
        if key is None:
            raise Dc09Error("key", f"encrypted frame for account {acct} without a key", acct, seq)
        try:
            cipher = bytes.fromhex(rest[1:])
            plain = _aes(key, cipher, True).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            raise Dc09Error("decrypt", "cannot decrypt", acct, seq) from None
        rest = "[" + _unpad(plain)
        msg_id = msg_id[1:]
    elif key is not None:
        raise Dc09Error("key", f"plain-text frame for encrypted account {acct}", acct, seq)
    end = rest.rfind("]")
    if not rest.startswith("[") or end < 0:
        raise Dc09Error("format", "no [data] block", acct, seq)
    data, tail = rest[1:end], rest[end + 1 :]
    stamp = parse_timestamp(tail)
    if encrypted and stamp is None:
        raise Dc09Error("timestamp", "encrypted frame without a timestamp", acct, seq)
    if stamp is not None and window_s > 0:
        now = time.time() if now is None else now
        if abs(stamp - now) > window_s:
            raise Dc09Error("timestamp", f"timestamp {tail} is {stamp - now:+.0f} s off", acct, seq)
    # ACK / NAK / DUH are replies (a panel simulator reads them); the receiver drops them.
    if msg_id not in ("ADM-CID", "SIA-DCS", "NULL", "ACK", "NAK", "DUH"):
        raise Dc09Error("format", f"unsupported message id {msg_id}", acct, seq, nak=False)
    msg = Message(msg_id, acct, seq, (m["rcv"] or b"").decode(), (m["line"] or b"").decode(), data, stamp,
                  encrypted)  # fmt: skip
    msg.events = contact_id_events(data) if msg_id == "ADM-CID" else sia_events(data) if msg_id == "SIA-DCS" else []
    return msg


def _reply(kind: str, msg: Message | Dc09Error, key: bytes | None, account: str, now: float) -> bytes:
    seq = msg.seq
    rcv = f"R{msg.receiver}" if isinstance(msg, Message) and msg.receiver else ""
    lin = f"L{msg.line}" if isinstance(msg, Message) and msg.line else ""
    tail = "[]" + timestamp_text(now)
    if key is not None:
        sealed = _aes(key, _pad_front(tail[1:].encode()), False).hex().upper()
        return build_frame(f'"*{kind}"{seq}{rcv}{lin}#{account}[' + sealed)
    return build_frame(f'"{kind}"{seq}{rcv}{lin}#{account}' + (tail if kind == "NAK" else "[]"))


def ack(msg: Message, key: bytes | None, now: float | None = None) -> bytes:
    return _reply("ACK", msg, key if msg.encrypted else None, msg.account, time.time() if now is None else now)


def nak(err: Dc09Error, now: float | None = None) -> bytes:
    """NAK carries the receiver's time so the panel can correct its clock (DC-09 §5.5.1.9); account 0."""
    return build_frame('"NAK"0000R0L0A0[]' + timestamp_text(time.time() if now is None else now))


def duh(msg: Message, now: float | None = None) -> bytes:
    return _reply("DUH", msg, None, msg.account, time.time() if now is None else now)


def contact_id_events(data: str) -> list[dict[str, str]]:
    """``#acct|QEEE PP ZZZ`` (or ``acct|...``): qualifier 1 new/opening, 3 restore/closing, 6 status."""
    events = []
    for block in data.split("|")[1:] or [data]:
        digits = block.replace(" ", "").strip("#")
        if len(digits) < 9 or not digits[:9].isdigit():
            continue
        q, code, part, zone = digits[0], digits[1:4], digits[4:6], digits[6:9]
        events.append({"qualifier": q, "code": code, "partition": part, "zone": zone})
    return events


def sia_events(data: str) -> list[dict[str, str]]:
    """``#acct|Nri1/BA01`` → events with a two-letter SIA code and the zone/user number after it."""
    events = []
    body = data.split("|", 1)[1] if "|" in data else data
    body = body.split("]")[0].split("[")[0]
    part = ""
    for item in body.lstrip("N").split("/"):
        m = re.match(r"(?:ri(\d+))?([A-Z]{2})?(\d*)$", item)
        if not m:
            continue
        part = m[1] or part
        if m[2] is None:  # a bare ``riN`` modifier: the partition of the codes that follow
            continue
        events.append({"code": m[2], "partition": part or "1", "zone": m[3] or "0"})
    return events
