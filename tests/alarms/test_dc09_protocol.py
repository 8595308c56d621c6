"""DC-09 frame codec: CRC, framing, AES, bad input (sans-IO, no sockets)."""

from __future__ import annotations

import time

import pytest

from anfang.alarms.dc09 import protocol as p

KEY = bytes.fromhex("000102030405060708090A0B0C0D0E0F")


def test_crc16_arc_check_value() -> None:
    # The catalogued check value of CRC-16/ARC over "123456789".
    assert p.crc16_arc(b"123456789") == 0xBB3D


def test_contact_id_round_trip() -> None:
    frame = p.build_message("ADM-CID", "0042", "1234", "#1234|1130 01 015", receiver="1", line="1")
    assert frame.startswith(b"\n") and frame.endswith(b"\r")
    msg = p.parse(frame, {"1234": None})
    assert (msg.kind, msg.account, msg.seq, msg.encrypted) == ("ADM-CID", "1234", "0042", False)
    assert msg.events == [{"qualifier": "1", "code": "130", "partition": "01", "zone": "015"}]


def test_sia_dcs_events() -> None:
    msg = p.parse(p.build_message("SIA-DCS", "0001", "777", "#777|Nri2/BA05/CL1"), {"777": None})
    assert [(e["code"], e["partition"], e["zone"]) for e in msg.events] == [("BA", "2", "05"), ("CL", "2", "1")]


def test_aes_round_trip_and_ack_encrypted() -> None:
    now = time.time()
    frame = p.build_message("ADM-CID", "0007", "999", "#999|1401 01 003", key=KEY, t=now)
    assert b"1401" not in frame  # the payload is not in clear
    msg = p.parse(frame, {"999": KEY}, now=now, window_s=60)
    assert msg.encrypted and msg.events[0]["code"] == "401"
    reply = p.ack(msg, KEY, now=now)
    assert reply.startswith(b"\n") and b'"*ACK"0007' in reply


@pytest.mark.parametrize("mangle, reason", [
    (lambda f: f[:6] + (b"0" if f[6:7] != b"0" else b"1") + f[7:], "length"),
    (lambda f: f[:1] + (b"0000" if f[1:5] != b"0000" else b"FFFF") + f[5:], "crc"),
    (lambda f: b"garbage\r", "format"),
])  # fmt: skip
def test_bad_frames_are_refused(mangle, reason) -> None:  # type: ignore[no-untyped-def]
    frame = p.build_message("ADM-CID", "0001", "1234", "#1234|1130 01 015")
    with pytest.raises(p.Dc09Error) as err:
        p.parse(mangle(frame), {"1234": None})
    assert err.value.reason == reason


def test_unknown_account_stale_timestamp_and_wrong_key_kind() -> None:
    now = time.time()
    with pytest.raises(p.Dc09Error, match="account"):
        p.parse(p.build_message("ADM-CID", "0001", "5555", "#5555|1130 01 015"), {"1234": None})
    stale = p.build_message("ADM-CID", "0001", "999", "#999|1130 01 015", key=KEY, t=now - 3600)
    with pytest.raises(p.Dc09Error) as err:
        p.parse(stale, {"999": KEY}, now=now, window_s=20)
    assert err.value.reason == "timestamp"
    with pytest.raises(p.Dc09Error) as err:  # plain text for an account that must encrypt
        p.parse(p.build_message("ADM-CID", "0001", "999", "#999|1130 01 015"), {"999": KEY})
    assert err.value.reason == "key"


def test_nak_carries_the_receiver_time() -> None:
    reply = p.nak(p.Dc09Error("crc", "x"), now=0)
    assert b'"NAK"0000' in reply and b"_00:00:00,01-01-1970" in reply


def test_contact_id_codes_classify_alarms_openings_and_restores() -> None:
    from anfang.alarms.codes import classify_cid, classify_sia

    burglary = p.parse(p.build_message("ADM-CID", "0001", "1234", "#1234|1130 01 015"), {"1234": None}).events[0]
    assert classify_cid(burglary)[0] == "burglary" and classify_cid(burglary)[2] is None
    assert classify_cid({**burglary, "qualifier": "3"})[2] == "restore"
    opening = {"qualifier": "1", "code": "401", "partition": "01", "zone": "003"}
    assert classify_cid(opening)[2] == "disarm" and classify_cid({**opening, "qualifier": "3"})[2] == "arm"
    assert classify_sia({"code": "RP"})[2] == "test"
    assert classify_cid({"qualifier": "1", "code": "999"})[0] == "cid_999"  # unknown codes are kept, not dropped
