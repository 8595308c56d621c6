"""Registrar + device registry as a state machine: REGISTER/401/200/403, unregister, keepalive, offline."""

from __future__ import annotations

import re

from anfang.gb28181.protocol.core import GbCore, GbCoreConfig, gb_date
from anfang.gb28181.protocol.manscdp import build_document, build_keepalive, parse_manscdp
from anfang.gb28181.protocol.ptz import PtzMove
from anfang.protocols.sip import (
    Request,
    Response,
    ServerTransactions,
    digest_response,
    parse_auth_params,
    parse_message,
)

DEV = "34020000001320000001"
ADDR = ("127.0.0.1", 15060)


def register(expires: int = 3600, auth: str | None = None, branch: str = "z9hG4bK1", dev: str = DEV) -> Request:
    lines = ["REGISTER sip:34020000002000000001@3402000000 SIP/2.0",
             f"Via: SIP/2.0/UDP 127.0.0.1:15060;rport;branch={branch}",
             f"From: <sip:{dev}@3402000000>;tag=t1", f"To: <sip:{dev}@3402000000>", "Call-ID: reg1",
             "CSeq: 1 REGISTER", f"Contact: <sip:{dev}@127.0.0.1:15060>", f"Expires: {expires}"]
    if auth:
        lines.append(f"Authorization: {auth}")
    msg = parse_message(("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode())
    assert isinstance(msg, Request)
    return msg


def answer(challenge: Response, password: str, dev: str = DEV) -> str:
    _, p = parse_auth_params(challenge.headers.get("WWW-Authenticate") or "")
    uri = "sip:34020000002000000001@3402000000"
    resp = digest_response("MD5", dev, p["realm"], password, "REGISTER", uri, p["nonce"])
    return f'Digest username="{dev}",realm="{p["realm"]}",nonce="{p["nonce"]}",uri="{uri}",response="{resp}"'


def registered(platform: GbCore, now: float = 1000.0, expires: int = 3600) -> Response:
    challenge = platform.handle_request(register(expires), ADDR, now)
    assert challenge is not None and challenge.status == 401
    ok = platform.handle_request(register(expires, answer(challenge, "12345678"), "z9hG4bK2"), ADDR, now)
    assert ok is not None
    return ok


def test_register_challenge_then_ok_with_date() -> None:
    platform = GbCore(GbCoreConfig())
    ok = registered(platform)
    assert ok.status == 200
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", ok.headers.get("Date") or "")
    assert ok.headers.get("Expires") == "3600"
    assert "tag=" in (ok.headers.get("To") or "") and ok.headers.get("Call-ID") == "reg1"
    assert DEV in platform.devices and platform.devices[DEV].online
    assert [e.type for e in platform.pop_events()] == ["device_online"]


def test_gb_date_format() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123", gb_date(1_700_000_000.123456))


def test_wrong_password_403_and_bad_id_400() -> None:
    platform = GbCore(GbCoreConfig())
    challenge = platform.handle_request(register(), ADDR, 0.0)
    assert challenge is not None
    bad = platform.handle_request(register(auth=answer(challenge, "nope")), ADDR, 0.0)
    assert bad is not None and bad.status == 403 and not platform.devices
    wrong_id = platform.handle_request(register(dev="3402000000132000000"), ADDR, 0.0)
    assert wrong_id is not None and wrong_id.status == 400 and "19 characters" in wrong_id.reason


def test_stale_nonce_rechallenges() -> None:
    platform = GbCore(GbCoreConfig())
    challenge = platform.handle_request(register(), ADDR, 0.0)
    assert challenge is not None
    late = platform.handle_request(register(auth=answer(challenge, "12345678")), ADDR, 10_000.0)
    assert late is not None and late.status == 401 and "stale=true" in (late.headers.get("WWW-Authenticate") or "")


def test_unregister_with_expires_zero() -> None:
    platform = GbCore(GbCoreConfig())
    registered(platform)
    platform.pop_events()
    bye = registered(platform, now=1001.0, expires=0)
    assert bye.status == 200 and DEV not in platform.devices
    assert [e.type for e in platform.pop_events()] == ["device_unregistered"]


def keepalive(sn: int, body: bytes | None = None) -> Request:
    body = body if body is not None else build_keepalive(sn, DEV)
    head = (f"MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:15060;branch=z9hG4bKk{sn}"
            f"\r\nFrom: <sip:{DEV}@3402000000>;tag=k\r\nTo: <sip:34020000002000000001@3402000000>\r\nCall-ID: k{sn}\r\n"
            f"CSeq: {sn} MESSAGE\r\nContent-Type: Application/MANSCDP+xml\r\nContent-Length: {len(body)}\r\n\r\n")
    msg = parse_message(head.encode() + body)
    assert isinstance(msg, Request)
    return msg


def test_keepalive_offline_after_three_missed_and_back_online() -> None:
    platform = GbCore(GbCoreConfig(keepalive_interval=60))
    registered(platform, now=0.0)
    platform.pop_events()
    assert platform.handle_request(keepalive(1), ADDR, 50.0).status == 200  # type: ignore[union-attr]
    platform.tick(50.0 + 180.0)
    assert platform.devices[DEV].online, "exactly 3 intervals is not yet a miss"
    platform.tick(50.0 + 181.0)
    assert not platform.devices[DEV].online
    events = platform.pop_events()
    assert [(e.type, e.attributes["reason"]) for e in events] == [("device_offline", "keepalive timeout")]
    platform.handle_request(keepalive(2), ADDR, 300.0)
    assert platform.devices[DEV].online and [e.type for e in platform.pop_events()] == ["device_online"]


def test_registration_expiry_goes_offline() -> None:
    platform = GbCore(GbCoreConfig())
    registered(platform, now=0.0, expires=100)
    platform.pop_events()
    platform.tick(50.0)
    assert DEV in platform.devices
    platform.tick(101.0)
    assert DEV not in platform.devices
    assert [e.attributes["reason"] for e in platform.pop_events()] == ["registration expired"]


def test_unknown_device_message_and_bad_body() -> None:
    platform = GbCore(GbCoreConfig())
    assert platform.handle_request(keepalive(1), ADDR, 0.0).status == 403  # type: ignore[union-attr]
    registered(platform)
    bad = platform.handle_request(keepalive(2, b"<x"), ADDR, 0.0)
    assert bad is not None and bad.status == 400


def test_alarm_and_query_results_and_outgoing() -> None:
    platform = GbCore(GbCoreConfig())
    registered(platform)
    platform.pop_events()
    alarm = build_document("Notify", "Alarm", 3, DEV, {"AlarmPriority": 2, "AlarmMethod": 2})
    platform.handle_request(keepalive(3, alarm), ADDR, 1.0)
    assert [e.type for e in platform.pop_events()] == ["device_alarm"]
    req, addr, sn = platform.query(DEV, "Catalog")
    assert addr == ADDR and req.method == "MESSAGE" and parse_manscdp(req.body).sn == sn
    assert parse_message(req.to_bytes()).headers.get("Content-Type") == "Application/MANSCDP+xml"
    info = build_document("Response", "DeviceInfo", sn, DEV, {"Manufacturer": "Acme", "Result": "OK"})
    platform.handle_request(keepalive(4, info), ADDR, 2.0)
    assert platform.results[-1].cmd_type == "DeviceInfo" and platform.devices[DEV].info["Manufacturer"] == "Acme"
    ptz, _ = platform.ptz(DEV, DEV, PtzMove(pan=1))
    assert parse_manscdp(ptz.body).fields["PTZCmd"].startswith("A50F01")
    sub, _, _ = platform.subscribe(DEV, "Catalog")
    assert sub.method == "SUBSCRIBE" and (sub.headers.get("Event") or "").startswith("Catalog;id=")


def test_retransmitted_register_gets_identical_response() -> None:
    platform, tx = GbCore(GbCoreConfig()), ServerTransactions()
    req = register()
    assert tx.lookup(req, 0.0) == (False, None)
    first = platform.handle_request(req, ADDR, 0.0)
    assert first is not None
    tx.record(req, first, 0.0)
    again, cached = tx.lookup(register(), 0.5)
    assert again and cached is not None and cached.to_bytes() == first.to_bytes(), "same nonce, same bytes"
