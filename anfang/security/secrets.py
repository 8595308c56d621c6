"""Device secrets (passwords in source URLs, ``password`` fields): SM4-GCM at rest, masked everywhere else.

Why inline ciphertext instead of a separate secrets table: a camera config stays one JSON document the
store validates as a whole, and a secret stays at the place it belongs (the URL's userinfo, the field),
so nothing has to keep two structures in step. Each secret is replaced by ``sm4.<urlsafe base64>``
(``MAGIC || nonce || ciphertext || tag`` of :func:`~anfang.security.evidence.encrypt_bytes`), which is also
valid inside a URL's userinfo. The key is ``<data_dir>/keys/secrets.sm4`` (mode 0600, created on first use):
never in the database, so a stolen database or a plain copy of it holds no device password.

What the API, the audit log and logs get instead is :func:`mask`: ``rtsp://admin:***@host`` and
``"password": "***"``. A client sending a masked value back (the usual read-modify-write of a form) keeps
the stored secret: :func:`keep_masked` puts the previous secret in its place, so secrets are write-only.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anfang.security.evidence import decrypt_bytes, encrypt_bytes, generate_sm4_key_file, load_sm4_key

MASK = "***"
PREFIX = "sm4."
_SECRET_KEY = re.compile(r"(pass(word|wd|phrase)?|secret|pwd)$", re.IGNORECASE)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_IN_TEXT = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)([^\s@/'\"]+)(@)")


def is_secret_key(name: str) -> bool:
    """A field whose value is a secret by its name (``password``, ``passwd``, ``secret``, ...)."""
    return bool(_SECRET_KEY.search(name))


def _split(url: str) -> urllib.parse.SplitResult | None:
    if not _URL.match(url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    return parts if parts.password is not None else None


def _with_password(url: str, password: str) -> str:
    """``url`` with its userinfo password replaced by ``password`` (already URL-safe)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:{password}{at}{host}"


def _url_password(url: str) -> str | None:
    if _split(url) is None:
        return None
    userinfo = url.partition("://")[2].rpartition("@")[0]
    return userinfo.split(":", 1)[1] if ":" in userinfo else None


def mask_text(text: str) -> str:
    """Any ``scheme://user:password@`` inside free text (log lines, error messages) with the password masked."""
    return _URL_IN_TEXT.sub(lambda m: m.group(1) + MASK + m.group(3), text)


def _walk(value: Any, on_str: Callable[[str, bool], str]) -> Any:
    """A copy of a JSON-like value; ``on_str(text, named_secret)`` rewrites every string."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, str) and is_secret_key(str(k)):
                out[k] = on_str(v, True)
            else:
                out[k] = _walk(v, on_str)
        return out
    if isinstance(value, list):
        return [_walk(v, on_str) for v in value]
    if isinstance(value, str):
        return on_str(value, False)
    return value


def mask(value: Any) -> Any:
    """A copy with every secret (named field, URL password) replaced by ``***``: for the API, audit and logs."""

    def one(text: str, named: bool) -> str:
        if named:
            return MASK if text else text
        return _with_password(text, MASK) if _url_password(text) else text

    return _walk(value, one)


def keep_masked(new: Any, old: Any) -> Any:
    """``new`` with every ``***`` put back to the secret at the same place in ``old`` (write-only secrets).

    A URL whose password is ``***`` takes the old URL's password; a named field equal to ``***`` takes the old
    field's value. Where ``old`` has nothing at that place, the masked value stays (and fails as a wrong
    password at the device, rather than silently storing something else).
    """
    if isinstance(new, dict):
        old_d = old if isinstance(old, dict) else {}
        out = {}
        for k, v in new.items():
            prev = old_d.get(k)
            if isinstance(v, str) and v == MASK and is_secret_key(str(k)) and isinstance(prev, str):
                out[k] = prev
            else:
                out[k] = keep_masked(v, prev)
        return out
    if isinstance(new, list):
        old_l = old if isinstance(old, list) else []
        return [keep_masked(v, old_l[i] if i < len(old_l) else None) for i, v in enumerate(new)]
    if isinstance(new, str) and isinstance(old, str) and _url_password(new) == MASK:
        prev = _url_password(old)
        if prev is not None:
            return _with_password(new, prev)
    return new


class SecretBox:
    """Seal and open device secrets with the SM4 key in ``<key_dir>/secrets.sm4`` (created on first use)."""

    def __init__(self, key_dir: str | Path) -> None:
        self.path = Path(key_dir) / "secrets.sm4"
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            if self.path.is_file():
                self._key = load_sm4_key(key_file=self.path)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._key = generate_sm4_key_file(self.path)
        return self._key

    def seal_text(self, text: str) -> str:
        if text.startswith(PREFIX):
            return text
        blob = encrypt_bytes(text.encode(), self.key)
        return PREFIX + base64.urlsafe_b64encode(blob).decode().rstrip("=")

    def open_text(self, text: str) -> str:
        """The clear secret; text without the ``sm4.`` prefix is returned as is (stored before encryption)."""
        if not text.startswith(PREFIX):
            return text
        b64 = text[len(PREFIX) :]
        return decrypt_bytes(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)), self.key).decode()

    def seal(self, value: Any) -> Any:
        """A copy of a config with every secret encrypted in place (URL passwords and named fields)."""

        def one(text: str, named: bool) -> str:
            if named:
                return self.seal_text(text) if text else text
            pw = _url_password(text)
            return _with_password(text, self.seal_text(pw)) if pw else text  # kept verbatim (percent-escapes too)

        return _walk(value, one)

    def open(self, value: Any) -> Any:
        """Inverse of :meth:`seal` (raises ``DecryptionError`` under a wrong key)."""

        def one(text: str, named: bool) -> str:
            if named:
                return self.open_text(text)
            pw = _url_password(text)
            if pw and pw.startswith(PREFIX):
                return _with_password(text, self.open_text(pw))
            return text

        return _walk(value, one)
