"""Fixtures for protocol tests: the real GB28181 SIP trace, cut into messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

_MSG_RE = re.compile(rb'<message\s+from="([^"]*)"\s+to="([^"]*)".*?firstLine="([^"]*)"\s*>\s*<!\[CDATA\[(.*?)\]\]>',
                     re.S)


def load_trace(path: Path) -> list[tuple[str, str, bytes]]:
    """(from, to, message bytes with CRLF line ends) for every captured message.

    The JAIN-SIP trace stores messages with bare LF; the wire had CRLF, so Content-Length counts CRLF.
    """
    out = []
    for m in _MSG_RE.finditer(path.read_bytes()):
        raw = m.group(4).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        out.append((m.group(1).decode(), m.group(2).decode(), raw))
    return out


@pytest.fixture(scope="session")
def trace_messages(shared_data: Path) -> list[tuple[str, str, bytes]]:
    msgs = load_trace(shared_data / "gb28181" / "mss-jsip-messages.xml")
    assert len(msgs) == 3046, "every <message> of the trace must be extracted"
    return msgs
