"""Digest auth: our challenge/verify round trip for MD5 and SHA-256, with and without qop."""

from __future__ import annotations

import pytest

from anfang.protocols.sip import DigestAuthenticator, DigestError, digest_response, parse_auth_params


def _answer(challenge: str, algorithm: str, password: str, qop: str | None) -> str:
    _, p = parse_auth_params(challenge)
    uri = "sip:34020000002000000001@3402000000"
    extra = {"qop": qop, "nc": "00000001", "cnonce": "0a4f113b"} if qop else {}
    resp = digest_response(algorithm, "34020000001320000001", p["realm"], password, "REGISTER", uri, p["nonce"],
                           extra.get("qop"), extra.get("nc"), extra.get("cnonce"))
    parts = ['username="34020000001320000001"', f'realm="{p["realm"]}"', f'nonce="{p["nonce"]}"',
             f'uri="{uri}"', f'response="{resp}"', f"algorithm={algorithm}"]
    if qop:
        parts += [f"qop={qop}", "nc=00000001", 'cnonce="0a4f113b"']
    return "Digest " + ", ".join(parts)


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
@pytest.mark.parametrize("qop", [None, "auth"])
def test_challenge_verify(algorithm: str, qop: str | None) -> None:
    auth = DigestAuthenticator(realm="3402000000", algorithm=algorithm, qop=qop)
    challenge = auth.challenge(now=0.0)
    assert f"algorithm={algorithm}" in challenge
    answer = _answer(challenge, algorithm, "12345678", qop)
    assert auth.verify(answer, "REGISTER", "12345678", now=1.0)
    assert not auth.verify(answer, "REGISTER", "wrong", now=1.0)
    assert not auth.verify(answer, "REGISTER", "12345678", now=1000.0), "expired nonce must fail"


def test_rfc2617_example() -> None:
    # RFC 2617 §3.5 worked example.
    got = digest_response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                          "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b")
    assert got == "6629fae49393a05397450978507c4ef1"


def test_rfc7616_sha256_example() -> None:
    # RFC 7616 §3.9.1 worked example (SHA-256).
    got = digest_response("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                          "/dir/index.html", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "auth", "00000001",
                          "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
    assert got == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"


def test_unknown_nonce_and_malformed() -> None:
    auth = DigestAuthenticator(realm="r")
    answer = _answer('Digest realm="r", nonce="forged"', "MD5", "pw", None)
    assert not auth.verify(answer, "REGISTER", "pw", now=0.0)
    with pytest.raises(DigestError, match="lacks"):
        auth.verify('Digest username="a"', "REGISTER", "pw", now=0.0)
    with pytest.raises(DigestError, match="not Digest"):
        auth.verify("Basic abc", "REGISTER", "pw", now=0.0)
    with pytest.raises(DigestError, match="unterminated"):
        parse_auth_params('Digest realm="abc')
