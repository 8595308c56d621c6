"""Cross-check of the DC-09 codec against pysiaalarm, an independent implementation (MIT, used by Home Assistant).

pysiaalarm reads what our panel-side builder writes (plain Contact ID, SIA-DCS, AES), and our parser reads
pysiaalarm's replies. Its reply to a frame without a receiver number carries ``None`` where the receiver goes
(a bug we do not share), so the reply check sends a receiver number.
"""

from __future__ import annotations

import time

import pytest

from anfang.alarms.dc09 import protocol as p

pysia = pytest.importorskip("pysiaalarm")
from pysiaalarm import SIAAccount  # noqa: E402
from pysiaalarm.event import SIAEvent  # noqa: E402

KEY = "ABCDEFGHIJKLMNOP"  # pysiaalarm takes the AES key as its ASCII bytes


def _theirs(frame: bytes, account: str, key: str | None) -> SIAEvent:
    return SIAEvent.from_line(frame.decode("ascii").strip(), {account: SIAAccount(account, key)})


@pytest.mark.parametrize("msg_id, data, code", [
    ("SIA-DCS", "#1111|Nri1/BA05", "BA"),
    ("ADM-CID", "#1111|1130 01 015", "BA"),  # Contact ID 130 (burglary) -> SIA BA in pysiaalarm's table
])  # fmt: skip
def test_pysiaalarm_reads_our_plain_frames(msg_id: str, data: str, code: str) -> None:
    ev = _theirs(p.build_message(msg_id, "0003", "1111", data, t=time.time()), "1111", None)
    assert ev.valid_message and ev.valid_timestamp and ev.sequence == "0003" and ev.code == code


def test_pysiaalarm_reads_our_aes_frame_and_we_read_its_ack() -> None:
    now = time.time()
    frame = p.build_message("SIA-DCS", "0005", "2222", "#2222|Nri1/BA05", key=KEY.encode(), t=now, receiver="1")
    ev = _theirs(frame, "2222", KEY)
    assert ev.valid_message and ev.encrypted and ev.code == "BA" and ev.ri == "1"
    reply = p.parse(ev.create_response(), {"2222": KEY.encode()}, now=now, window_s=60)
    assert (reply.kind, reply.seq, reply.encrypted) == ("ACK", "0005", True)
