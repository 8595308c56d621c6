"""HTTP Digest authentication for SIP (RFC 2617, RFC 7616 SHA-256, RFC 8760), server side.

GB/T 28181 devices authenticate REGISTER with Digest; most use MD5 without qop, newer ones SHA-256 with
qop=auth. Nonces are remembered with their issue time so a stale or forged nonce is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

ALGORITHMS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


class DigestError(ValueError):
    """A malformed Authorization header; the message names the problem."""


def parse_auth_params(value: str) -> tuple[str, dict[str, str]]:
    """``Digest a="x", b=y`` → ("Digest", {"a": "x", "b": "y"}); keys lower-cased, quotes removed."""
    scheme, _, rest = value.strip().partition(" ")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,\t":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        if i < n and rest[i] == '"':
            end = i + 1
            while end < n and rest[end] != '"':
                end += 2 if rest[end] == "\\" else 1
            if end >= n:
                raise DigestError(f"unterminated quoted value for {key!r}")
            params[key] = rest[i + 1:end].replace('\\"', '"')
            i = end + 1
        else:
            end = rest.find(",", i)
            end = n if end < 0 else end
            params[key] = rest[i:end].strip()
            i = end
    return scheme, params


def digest_response(algorithm: str, username: str, realm: str, password: str, method: str, uri: str,
                    nonce: str, qop: str | None = None, nc: str | None = None, cnonce: str | None = None) -> str:
    """The ``response`` value a client computes (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1)."""
    algo = algorithm.upper() or "MD5"
    if algo not in ALGORITHMS:
        raise DigestError(f"unsupported algorithm {algorithm!r}; expected one of {sorted(ALGORITHMS)}")

    def h(text: str) -> str:
        return ALGORITHMS[algo](text.encode("utf-8")).hexdigest()

    ha1 = h(f"{username}:{realm}:{password}")
    ha2 = h(f"{method}:{uri}")
    if qop:
        return h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return h(f"{ha1}:{nonce}:{ha2}")


@dataclass
class DigestAuthenticator:
    """Issues challenges and verifies answers for one realm.

    ``nonce_ttl`` bounds how long a challenge may be answered (replay window); ``qop`` = "auth" asks
    clients for cnonce/nc, None keeps the plain RFC 2069 form many GB28181 cameras expect.
    """

    realm: str
    algorithm: str = "MD5"
    qop: str | None = None
    nonce_ttl: float = 300.0
    _nonces: dict[str, float] = field(default_factory=dict)

    def challenge(self, now: float, stale: bool = False) -> str:
        """A fresh ``WWW-Authenticate`` value."""
        self._expire(now)
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = now
        parts = [f'Digest realm="{self.realm}"', f'nonce="{nonce}"', f"algorithm={self.algorithm}"]
        if self.qop:
            parts.append(f'qop="{self.qop}"')
        if stale:
            parts.append("stale=true")
        return ",".join(parts)

    def _expire(self, now: float) -> None:
        for nonce, issued in list(self._nonces.items()):
            if now - issued > self.nonce_ttl:
                del self._nonces[nonce]

    def known_nonce(self, nonce: str, now: float) -> bool:
        issued = self._nonces.get(nonce)
        return issued is not None and now - issued <= self.nonce_ttl

    def verify(self, authorization: str, method: str, password: str, now: float,
               check_nonce: bool = True) -> bool:
        """True if ``authorization`` answers one of our nonces with ``password``.

        Raises DigestError for a header that is not a Digest answer at all (→ 400, not 403).
        """
        scheme, p = parse_auth_params(authorization)
        if scheme.lower() != "digest":
            raise DigestError(f"authorization scheme {scheme!r} is not Digest")
        missing = [k for k in ("username", "realm", "nonce", "uri", "response") if k not in p]
        if missing:
            raise DigestError(f"Digest authorization lacks {', '.join(missing)}")
        if check_nonce and not self.known_nonce(p["nonce"], now):
            return False
        if p["realm"] != self.realm:
            return False
        qop = p.get("qop")
        if qop and ("nc" not in p or "cnonce" not in p):
            raise DigestError("qop given without nc/cnonce")
        expected = digest_response(p.get("algorithm", "MD5"), p["username"], p["realm"], password, method,
                                   p["uri"], p["nonce"], qop, p.get("nc"), p.get("cnonce"))
        return hmac.compare_digest(expected, p["response"].lower())
