"""CSRF protection for cookie sessions, on top of ``SameSite=Strict``.

SameSite already keeps other sites from sending the session cookie in modern browsers; the token covers
older browsers, same-site sub-domains and any future relaxation of the cookie. At login the server sets a
second, script-readable cookie ``anfang_csrf`` whose value is derived from the session token
(HMAC-SM3 keyed by it: one-way, so the readable cookie reveals nothing about the HttpOnly session) and
the console echoes it in ``X-CSRF-Token`` on every unsafe request. Because the expected value is computed
from the session cookie itself, a token planted by another (sub-)site for another session does not match.
Requests authenticated by a Bearer header or ``?token=`` carry no ambient credential and are exempt.
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

CSRF_COOKIE = "anfang_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token(session_token: str) -> str:
    """The CSRF value for a session: HMAC-SM3(session token, label), hex."""
    mac = crypto_hmac.HMAC(session_token.encode(), hashes.SM3())
    mac.update(b"anfang-csrf-v1")
    return mac.finalize().hex()


def csrf_ok(session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_token), presented or "")
