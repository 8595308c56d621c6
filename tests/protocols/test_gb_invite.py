"""INVITE/SDP with bytes: the offer we send, answers devices send, the dialog's ACK/BYE, the jitter start."""

from __future__ import annotations

import pytest

from anfang.gb28181.protocol.core import GbCore, GbCoreConfig
from anfang.gb28181.protocol.sdp import Offer, SdpError, build_offer, make_ssrc, parse_sdp
from anfang.gb28181.protocol.session import InviteSession
from anfang.protocols.rtp import JitterBuffer, RtpPacket
from anfang.protocols.sip import Response, parse_message

DEV, CH = "34020000001320000001", "34020000001310000001"

# A Hikvision-style answer: LF line ends, a media-level c= line, y= echoed, unknown attributes.
HIK_ANSWER = (b"v=0\no=34020000001320000001 0 0 IN IP4 192.168.1.64\ns=Play\nc=IN IP4 0.0.0.0\nt=0 0\n"
              b"m=video 15060 TCP/RTP/AVP 96\nc=IN IP4 192.168.1.64\na=sendonly\na=rtpmap:96 PS/90000\n"
              b"a=setup:active\na=connection:new\na=filesize:0\ny=0000100001\nf=v/2/4///a/1/8/1\n")


def test_ssrc_layout() -> None:
    assert make_ssrc("3402000000", 1) == "0200000001"  # live, domain digits 4-8, seq
    assert make_ssrc("3402000000", 12345, playback=True) == "1200002345"
    with pytest.raises(ValueError, match="digits"):
        make_ssrc("34", 1)


def test_live_offer_bytes_udp_and_tcp() -> None:
    udp = build_offer(Offer(CH, "10.0.0.5", 30000, "0020000001"), "34020000002000000001")
    assert udp == (b"v=0\r\no=34020000002000000001 0 0 IN IP4 10.0.0.5\r\ns=Play\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
                   b"m=video 30000 RTP/AVP 96 97 98 99\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\n"
                   b"a=rtpmap:97 MPEG4/90000\r\na=rtpmap:98 H264/90000\r\na=rtpmap:99 H265/90000\r\n"
                   b"y=0020000001\r\nf=\r\n")
    tcp = build_offer(Offer(CH, "10.0.0.5", 30002, "0020000002", "tcp_passive"), "34020000002000000001")
    assert b"m=video 30002 TCP/RTP/AVP 96 97 98 99\r\n" in tcp
    assert b"a=setup:passive\r\na=connection:new\r\n" in tcp
    parsed = parse_sdp(tcp)
    assert parsed.tcp and parsed.setup == "passive" and parsed.direction == "recvonly"
    assert parsed.rtpmap[96] == "PS/90000" and parsed.ssrc_int == 20000002


def test_playback_offer_has_uri_and_times() -> None:
    body = build_offer(Offer(CH, "10.0.0.5", 30000, "1020000003", start=1700000000, end=1700000600), "x")
    sd = parse_sdp(body)
    assert sd.session_name == "Playback" and sd.uri == f"{CH}:0" and sd.time == (1700000000, 1700000600)


def test_device_answer_media_level_connection_wins() -> None:
    sd = parse_sdp(HIK_ANSWER)
    assert (sd.host, sd.port, sd.setup, sd.ssrc, sd.direction) == ("192.168.1.64", 15060, "active", "0000100001",
                                                                  "sendonly")
    assert sd.attributes["filesize"] == "0"
    with pytest.raises(SdpError, match="m=video"):
        parse_sdp(b"v=0\r\nc=IN IP4 1.2.3.4\r\n")
    with pytest.raises(SdpError, match="port"):
        parse_sdp(b"v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 99999 RTP/AVP 96\r\n")


def _session() -> InviteSession:
    platform = GbCore(GbCoreConfig(local_host="10.0.0.5", local_port=5060))
    platform.devices[DEV] = type("D", (), {"addr": ("10.0.0.9", 5060), "transport": "UDP"})()  # type: ignore[assignment]
    return InviteSession(platform, DEV, Offer(CH, "10.0.0.5", 30000, "0020000001"))


def _answer(session: InviteSession, status: int, body: bytes = b"") -> Response:
    req = session.request
    resp = Response(status)
    resp.headers.add("Via", req.headers.get("Via") or "")
    resp.headers.add("From", req.headers.get("From") or "")
    resp.headers.add("To", f"{req.headers.get('To')};tag=devtag")
    resp.headers.add("Call-ID", req.call_id)
    resp.headers.add("CSeq", req.headers.get("CSeq") or "")
    if status == 200:
        resp.headers.add("Contact", f"<sip:{CH}@10.0.0.9:5060>")
    resp.body = body
    return parse_message(resp.to_bytes())  # type: ignore[return-value]


def test_invite_request_on_the_wire() -> None:
    s = _session()
    wire = parse_message(s.request.to_bytes())
    assert wire.start_line == f"INVITE sip:{CH}@3402000000 SIP/2.0"  # type: ignore[union-attr]
    assert wire.headers.get("Subject") == f"{CH}:0020000001,34020000002000000001:0"
    assert wire.headers.get("Content-Type") == "APPLICATION/SDP"
    assert wire.headers.get("Contact") == "<sip:34020000002000000001@10.0.0.5:5060>"
    assert parse_sdp(wire.body).port == 30000 and s.addr == ("10.0.0.9", 5060)


def test_dialog_200_ack_bye() -> None:
    s = _session()
    assert s.on_response(_answer(s, 100)) is None and s.state == "proceeding"
    ack = s.on_response(_answer(s, 200, HIK_ANSWER))
    assert ack is not None and s.state == "confirmed" and s.answer is not None and s.answer.port == 15060
    assert ack.method == "ACK" and ack.uri == f"sip:{CH}@10.0.0.9:5060"  # remote target from Contact
    assert ack.headers.get("CSeq") == f"{s.cseq} ACK" and "tag=devtag" in (ack.headers.get("To") or "")
    assert ack.branch != s.request.branch  # a 2xx ACK is its own transaction
    assert s.on_response(_answer(s, 200, HIK_ANSWER)) is ack  # 200 retransmitted → same ACK again
    bye = s.bye()
    assert bye is not None and bye.method == "BYE" and bye.call_id == s.call_id
    assert bye.headers.get("CSeq") == f"{s.cseq + 1} BYE" and "tag=devtag" in (bye.headers.get("To") or "")
    assert bye.headers.get("From") == s.request.headers.get("From") and s.state == "terminated"
    assert s.bye() is None


def test_dialog_rejected_and_bad_answer() -> None:
    s = _session()
    ack = s.on_response(_answer(s, 486))
    assert s.state == "failed" and s.error == "486 Busy Here" and ack is not None
    assert ack.branch == s.request.branch  # non-2xx ACK belongs to the INVITE transaction
    assert s.bye() is None
    s2 = _session()
    s2.on_response(_answer(s2, 200, b"v=0\r\n"))
    assert s2.state == "failed" and "SDP" in (s2.error or "")


def test_jitter_buffer_first_packets_reordered_are_not_late() -> None:
    jb = JitterBuffer(depth=8)
    out = []
    for s in [12, 10, 11, 13, 14]:
        out += [p.sequence for p in jb.push(RtpPacket(96, s, 0, 1, False, b""))]
    assert out == [10, 11, 12, 13, 14] and jb.late == 0 and jb.lost == 0
    short = JitterBuffer()
    short.push(RtpPacket(96, 7, 0, 1, False, b""))
    assert [p.sequence for p in short.flush()] == [7]  # a one-packet stream still comes out
