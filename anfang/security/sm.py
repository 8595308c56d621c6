"""Chinese commercial cryptography (SM2 / SM3 / SM4) behind a small, hard-to-misuse interface.

Why these choices:

* **SM3 and SM4 come from ``cryptography``** (OpenSSL): constant-time C code, tens of times faster than
  pure Python. SM4 is used in **GCM mode** (an AEAD): one primitive gives confidentiality and integrity,
  so a wrong key or a flipped byte fails loudly instead of yielding garbage (no separate CTR + HMAC-SM3
  to get wrong). The layout is ``nonce(12) || ciphertext || tag(16)``.
* **SM2 comes from PyPI ``gmssl``** (pure Python) because ``cryptography`` exposes no SM2 curve. We use
  only its curve arithmetic (``CryptSM2.sign`` / ``verify`` on a precomputed digest) and do the rest
  ourselves, because gmssl (3.2.x) draws the signing nonce from :mod:`random` (not a CSPRNG — a
  predictable nonce leaks the private key), hard-codes the user ID in its Z value, mangles public keys
  with ``lstrip("04")`` and does not range-check ``r``/``s``. Here the nonce comes from :mod:`secrets`,
  Z follows GB/T 32918.2 for any user ID, and bad inputs make ``verify`` return ``False``.
  Pure Python is not constant time; see docs/security.md for what that means for key handling.

Key files are JSON (``{"alg": "SM2", "curve": "sm2p256v1", "private_key": hex, "public_key": "04"+hex}``),
written ``0600``; public keys can also be written as standard SubjectPublicKeyInfo PEM (OpenSSL reads it).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl.sm2 import CryptSM2

DEFAULT_USER_ID = b"1234567812345678"  # GB/T 35276 default distinguishing identifier
SM4_KEY_SIZE = 16
GCM_NONCE_SIZE = 12
GCM_TAG_SIZE = 16


# ---------------------------------------------------------------- SM3


def sm3(data: bytes) -> bytes:
    """SM3 digest (32 bytes) of ``data``."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def sm3_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SM3 of a file, streamed so multi-GB clips do not load into memory."""
    h = hashes.Hash(hashes.SM3())
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.finalize().hex()


# ---------------------------------------------------------------- SM4


def sm4_ecb_block(key: bytes, block: bytes) -> bytes:
    """Encrypt exactly one 16-byte block (only for checking GB/T 32907 test vectors; never use ECB on data)."""
    if len(block) != 16:
        raise ValueError("SM4 block must be 16 bytes")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def new_sm4_key() -> bytes:
    return secrets.token_bytes(SM4_KEY_SIZE)


def sm4_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """SM4-GCM encrypt with a fresh random nonce; returns ``nonce || ciphertext || tag``."""
    nonce = secrets.token_bytes(GCM_NONCE_SIZE)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    ct = enc.update(plaintext) + enc.finalize()
    return nonce + ct + enc.tag


class DecryptionError(ValueError):
    """Wrong key, wrong associated data or tampered ciphertext (GCM cannot tell which, on purpose)."""


def sm4_decrypt(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    """Inverse of :func:`sm4_encrypt`; raises :class:`DecryptionError` rather than return unauthenticated bytes."""
    if len(blob) < GCM_NONCE_SIZE + GCM_TAG_SIZE:
        raise DecryptionError("ciphertext too short")
    nonce, ct, tag = blob[:GCM_NONCE_SIZE], blob[GCM_NONCE_SIZE:-GCM_TAG_SIZE], blob[-GCM_TAG_SIZE:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    try:
        return dec.update(ct) + dec.finalize()
    except Exception as err:  # cryptography raises InvalidTag
        raise DecryptionError("SM4-GCM authentication failed: wrong key or modified data") from err


def sm4_gcm_seal_stream(fin: BinaryIO, fout: BinaryIO, key: bytes, nonce: bytes, header: bytes,
                        chunk: int = 1 << 20) -> None:  # fmt: skip
    """Write ``header || SM4-GCM(fin) || tag`` to ``fout``; ``header`` (which holds the nonce) is authenticated."""
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(header)
    fout.write(header)
    while block := fin.read(chunk):
        fout.write(enc.update(block))
    fout.write(enc.finalize() + enc.tag)


def sm4_gcm_open_stream(fin: BinaryIO, fout: BinaryIO, key: bytes, nonce: bytes, header: bytes, size: int,
                        chunk: int = 1 << 20) -> None:  # fmt: skip
    """Inverse of :func:`sm4_gcm_seal_stream` for a file of ``size`` bytes whose ``header`` was already read.

    Plaintext reaches ``fout`` before the tag is checked (it is at the end), so callers write to a temporary
    file and keep it only when this returns; :class:`DecryptionError` otherwise.
    """
    fin.seek(size - GCM_TAG_SIZE)
    tag = fin.read(GCM_TAG_SIZE)
    fin.seek(len(header))
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(header)
    left = size - len(header) - GCM_TAG_SIZE
    while left > 0:
        block = fin.read(min(chunk, left))
        left -= len(block)
        fout.write(dec.update(block))
    try:
        fout.write(dec.finalize())
    except Exception as err:  # cryptography raises InvalidTag
        raise DecryptionError("SM4-GCM authentication failed: wrong key or modified data") from err


# ---------------------------------------------------------------- SM2


@dataclass(frozen=True)
class Curve:
    """Short Weierstrass curve parameters as 64-digit hex (the recommended curve, or a standard's test curve)."""

    p: str
    a: str
    b: str
    gx: str
    gy: str
    n: str

    def table(self) -> dict[str, str]:
        """The parameter dict gmssl expects."""
        return {"n": self.n, "p": self.p, "g": self.gx + self.gy, "a": self.a, "b": self.b}


SM2P256V1 = Curve(
    p="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF",
    a="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    b="28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    gx="32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    gy="BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
    n="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
)


@dataclass(frozen=True)
class SM2PublicKey:
    """Uncompressed point ``x || y`` (64 bytes, no 04 prefix)."""

    xy: bytes
    curve: Curve = SM2P256V1

    def __post_init__(self) -> None:
        if len(self.xy) != 64:
            raise ValueError("SM2 public key must be 64 bytes (x || y)")
        p, a, b = (int(v, 16) for v in (self.curve.p, self.curve.a, self.curve.b))
        x, y = int.from_bytes(self.xy[:32], "big"), int.from_bytes(self.xy[32:], "big")
        if not (x < p and y < p and (y * y - (x * x * x + a * x + b)) % p == 0):
            raise ValueError("SM2 public key is not a point on the curve")

    @classmethod
    def from_hex(cls, text: str, curve: Curve = SM2P256V1) -> SM2PublicKey:
        raw = bytes.fromhex(text)
        if len(raw) == 65 and raw[0] == 4:
            raw = raw[1:]
        return cls(raw, curve)

    def to_hex(self) -> str:
        """``04 || x || y`` hex, the usual uncompressed encoding."""
        return "04" + self.xy.hex()

    def key_id(self) -> str:
        """First 8 bytes of SM3(04 || x || y), hex: short, stable name for this key."""
        return sm3(b"\x04" + self.xy)[:8].hex()

    def to_pem(self) -> str:
        """SubjectPublicKeyInfo PEM (id-ecPublicKey, named curve SM2 1.2.156.10197.1.301)."""
        prefix = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
        body = base64.encodebytes(prefix + b"\x04" + self.xy).decode().replace("\n", "")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"

    @classmethod
    def from_pem(cls, text: str) -> SM2PublicKey:
        body = "".join(line for line in text.strip().splitlines() if not line.startswith("-----"))
        der = base64.b64decode(body)
        prefix = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
        if len(der) != 91 or not der.startswith(prefix) or der[26] != 4:
            raise ValueError("not an SM2 SubjectPublicKeyInfo")
        return cls(der[27:])


@dataclass(frozen=True)
class SM2PrivateKey:
    d: int
    public_key: SM2PublicKey

    def __repr__(self) -> str:  # keep private scalars out of logs and tracebacks
        return f"SM2PrivateKey(key_id={self.public_key.key_id()})"


def _crypt(curve: Curve, private_hex: str = "", public_xy: bytes = b"") -> CryptSM2:
    c = CryptSM2(private_key=private_hex, public_key="", ecc_table=curve.table())
    c.public_key = public_xy.hex()  # set directly: gmssl's lstrip("04") corrupts keys whose x starts with 0 or 4
    return c


def sm2_private_from_int(d: int, curve: Curve = SM2P256V1) -> SM2PrivateKey:
    n = int(curve.n, 16)
    if not 1 <= d <= n - 2:
        raise ValueError("SM2 private key out of range [1, n-2]")
    point = _crypt(curve)._kg(d, curve.gx + curve.gy)
    return SM2PrivateKey(d, SM2PublicKey(bytes.fromhex(point), curve))


def generate_sm2_keypair(curve: Curve = SM2P256V1) -> SM2PrivateKey:
    """New key pair with d uniform in [1, n-2] from the OS CSPRNG."""
    n = int(curve.n, 16)
    return sm2_private_from_int(secrets.randbelow(n - 2) + 1, curve)


def sm2_z(public_key: SM2PublicKey, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA) per GB/T 32918.2 §5.5."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    c = public_key.curve
    params = bytes.fromhex(c.a + c.b + c.gx + c.gy)
    return sm3(entl + user_id + params + public_key.xy)


def sm2_digest(public_key: SM2PublicKey, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """e = SM3(Z_A || M), the value SM2 actually signs."""
    return sm3(sm2_z(public_key, user_id) + message)


def sm2_sign(key: SM2PrivateKey, message: bytes, user_id: bytes = DEFAULT_USER_ID, *, _k: int | None = None) -> bytes:
    """SM2 signature ``r || s`` (64 bytes). ``_k`` exists only to reproduce published test vectors."""
    curve = key.public_key.curve
    n = int(curve.n, 16)
    e = sm2_digest(key.public_key, message, user_id)
    crypt = _crypt(curve, f"{key.d:064x}", key.public_key.xy)
    while True:
        k = _k if _k is not None else secrets.randbelow(n - 1) + 1
        sig = crypt.sign(e, f"{k:064x}")
        if sig is not None:
            return bytes.fromhex(sig)
        if _k is not None:
            raise ValueError("the given k yields no valid signature")


def sm2_verify(public_key: SM2PublicKey, message: bytes, signature: bytes, user_id: bytes = DEFAULT_USER_ID) -> bool:
    """True only for a valid ``r || s`` over ``message``; malformed input is ``False``, never an exception."""
    if len(signature) != 64:
        return False
    n = int(public_key.curve.n, 16)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < n and 1 <= s < n):
        return False
    e = sm2_digest(public_key, message, user_id)
    try:
        return bool(_crypt(public_key.curve, "", public_key.xy).verify(signature.hex(), e))
    except (TypeError, ValueError):  # point at infinity inside gmssl surfaces as None arithmetic
        return False


# ---------------------------------------------------------------- key files


def write_private_file(path: Path, text: str) -> None:
    """Create the file with mode 0600 from the start (no window where it is world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)  # umask can only remove bits; make it exact anyway
    os.replace(tmp, path)


def save_private_key(path: str | os.PathLike[str], key: SM2PrivateKey) -> None:
    if key.public_key.curve != SM2P256V1:
        raise ValueError("only keys on the recommended curve sm2p256v1 are stored")
    doc = {
        "alg": "SM2",
        "curve": "sm2p256v1",
        "key_id": key.public_key.key_id(),
        "private_key": f"{key.d:064x}",
        "public_key": key.public_key.to_hex(),
    }
    write_private_file(Path(path), json.dumps(doc, indent=2) + "\n")


def load_private_key(path: str | os.PathLike[str]) -> SM2PrivateKey:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("alg") != "SM2" or doc.get("curve") != "sm2p256v1":
        raise ValueError(f"{path}: not an SM2 sm2p256v1 key file")
    key = sm2_private_from_int(int(doc["private_key"], 16))
    if key.public_key.to_hex() != doc["public_key"].lower():
        raise ValueError(f"{path}: public key does not match the private key")
    return key


def save_public_key(path: str | os.PathLike[str], key: SM2PublicKey) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(key.to_pem(), encoding="utf-8")


def load_public_key(path: str | os.PathLike[str]) -> SM2PublicKey:
    text = Path(path).read_text(encoding="utf-8")
    return SM2PublicKey.from_pem(text) if "BEGIN PUBLIC KEY" in text else SM2PublicKey.from_hex(text.strip())
