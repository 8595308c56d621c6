"""Server transactions absorb retransmissions and expire after Timer J."""

from __future__ import annotations

from anfang.protocols.sip import Response, ServerTransactions, parse_message

REQ = (b"REGISTER sip:a@b SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bK77\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n")


def test_retransmission_gets_same_response() -> None:
    tx = ServerTransactions()
    req = parse_message(REQ)
    assert tx.lookup(req, now=0.0) == (False, None)
    assert tx.lookup(req, now=0.1) == (True, None), "still pending: absorb silently"
    resp = Response(200)
    tx.record(req, resp, now=0.2)
    again, cached = tx.lookup(parse_message(REQ), now=1.0)
    assert again and cached is resp
    assert tx.absorbed == 2


def test_new_branch_or_expiry_is_new_transaction() -> None:
    tx = ServerTransactions(linger=32.0)
    req = parse_message(REQ)
    tx.lookup(req, now=0.0)
    tx.record(req, Response(200), now=0.0)
    other = parse_message(REQ.replace(b"z9hG4bK77", b"z9hG4bK78"))
    assert tx.lookup(other, now=1.0) == (False, None)
    assert tx.lookup(req, now=100.0) == (False, None)
