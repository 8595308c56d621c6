"""SIP parser/serialiser: structure, leniency real devices need, and clear errors on garbage."""

from __future__ import annotations

import pytest

from anfang.protocols.sip import Request, Response, SipParseError, StreamParser, parse_message

REGISTER = (
    b"REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK1\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0, SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKx\r\n"
    b"f: <sip:34020000001320000001@3402000000>;tag=abc\r\n"
    b"t: <sip:34020000001320000001@3402000000>\r\n"
    b"i: 42@10.0.0.5\r\n"
    b"CSeq: 1 REGISTER\r\n"
    b"Subject: folded\r\n  continuation\r\n"
    b"l: 0\r\n\r\n"
)


def test_parse_request_compact_forms_and_case_insensitive() -> None:
    msg = parse_message(REGISTER)
    assert isinstance(msg, Request)
    assert msg.method == "REGISTER" and msg.uri == "sip:34020000002000000001@3402000000"
    assert msg.headers.get("call-id") == "42@10.0.0.5"
    assert msg.headers.get("FROM").endswith("tag=abc")
    assert msg.cseq == (1, "REGISTER")
    assert len(msg.vias) == 3
    assert msg.branch == "z9hG4bK1"
    assert msg.headers.get("Subject") == "folded continuation"


def test_roundtrip_keeps_start_line_headers_body() -> None:
    body = b"<?xml version=\"1.0\"?>\r\n<Notify/>"
    raw = b"MESSAGE sip:a@b SIP/2.0\r\nCall-ID: 1\r\nCSeq: 2 MESSAGE\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    msg = parse_message(raw)
    again = parse_message(msg.to_bytes())
    assert again.start_line == msg.start_line
    assert again.headers.normalized() == msg.headers.normalized()
    assert again.body == body


def test_response_and_reason() -> None:
    msg = parse_message(b"SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\n\r\n")
    assert isinstance(msg, Response) and msg.status == 401 and msg.reason == "Unauthorized"
    assert Response(200).to_bytes().startswith(b"SIP/2.0 200 OK\r\n")


def test_datagram_body_truncated_to_content_length() -> None:
    msg = parse_message(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabcdef")
    assert msg.body == b"abc"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"hello world", "empty line"),
        (b"HELLO\r\n\r\n", "not a SIP request"),
        (b"INVITE sip:a SIP/2.0\r\nno colon here\r\n\r\n", "not a header line"),
        (b"INVITE sip:a SIP/2.0\r\n folded first\r\n\r\n", "continuation"),
        (b"INVITE sip:a SIP/2.0\r\nContent-Length: x\r\n\r\n", "not a number"),
        (b"INVITE sip:a SIP/2.0\r\nContent-Length: 10\r\n\r\nabc", "only 3 body bytes"),
    ],
)
def test_garbage_raises_clear_error(data: bytes, words: str) -> None:
    with pytest.raises(SipParseError, match=words):
        parse_message(data)


def test_bad_cseq_is_a_parse_error() -> None:
    msg = parse_message(b"OPTIONS sip:a SIP/2.0\r\nCSeq: x\r\n\r\n")
    with pytest.raises(SipParseError, match="CSeq"):
        _ = msg.cseq


def test_stream_parser_splits_and_joins() -> None:
    body = b"0123456789"
    one = b"MESSAGE sip:a@b SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 10\r\n\r\n" + body
    two = b"SIP/2.0 200 OK\r\nCall-ID: 2\r\nl: 0\r\n\r\n"
    data = b"\r\n\r\n" + one + two + one
    parser = StreamParser()
    got = []
    for i in range(0, len(data), 7):
        got += parser.feed(data[i:i + 7])
    assert [m.call_id for m in got] == ["1", "2", "1"]
    assert got[0].body == body and got[2].body == body
    assert parser.buffered == 0


def test_stream_parser_rejects_huge_length() -> None:
    with pytest.raises(SipParseError, match="exceeds"):
        StreamParser().feed(b"MESSAGE sip:a SIP/2.0\r\nContent-Length: 99999999\r\n\r\n")
