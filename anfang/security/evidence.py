"""Signed evidence: sidecar signatures, SM4 encryption at rest, and self-verifying export bundles.

Why a bundle carries its own public key: a court, an insurer or another police unit must be able to check
it *offline*, without our server. The embedded key proves integrity (nothing changed since signing); proof
of *origin* comes from comparing its key id with the platform's published key id (``trusted_key_ids``).

Bundle layout (a directory or the same inside a .zip)::

    manifest.json              format, creation time, caller's meta, [{path, size, sm3}], key id, public key
    manifest.sig.json          SM2 signature over the exact bytes of manifest.json
    media/<name>               the files
    signatures/<name>.sig.json per-file signature (each file stays verifiable if shared alone)
    public_key.pem             the signing key, SubjectPublicKeyInfo PEM (OpenSSL reads it)

Encryption at rest uses SM4-GCM with the key from config or a key file, never from the database: whoever
steals the database (or a backup of it) must not get the media key with it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from anfang.security.audit import canonical_json
from anfang.security.keys import Signer
from anfang.security.problems import Problem
from anfang.security.sm import (
    DEFAULT_USER_ID,
    GCM_NONCE_SIZE,
    GCM_TAG_SIZE,
    SM4_KEY_SIZE,
    DecryptionError,
    SM2PublicKey,
    sm2_verify,
    sm3_file,
    sm3_hex,
    sm4_gcm_open_stream,
    sm4_gcm_seal_stream,
    write_private_file,
)

SIDECAR_SUFFIX = ".sig.json"
BUNDLE_FORMAT = "anfang-evidence-v1"
SIGNATURE_FORMAT = "anfang-signature-v1"
MAGIC = b"ANFSM4G\x01"  # encrypted-file header: format + version
_CHUNK = 1 << 20


# ---------------------------------------------------------------- per-file signatures


def _signature_doc(name: str, size: int, digest: str, signer: Signer) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": SIGNATURE_FORMAT,
        "file": name,
        "size": size,
        "sm3": digest,
        "alg": "SM2-with-SM3",
        "user_id": DEFAULT_USER_ID.decode(),
        "key_id": signer.key_id,
        "public_key": signer.public_key.to_hex(),
        "signed_at": round(time.time(), 3),
    }
    doc["signature"] = signer.sign(canonical_json(doc)).hex()
    return doc


def _check_signature_doc(doc: dict[str, Any]) -> str | None:
    """Why the sidecar's own signature is invalid, or ``None`` when it is valid (uses the embedded key)."""
    try:
        key = SM2PublicKey.from_hex(doc["public_key"])
        sig = bytes.fromhex(doc["signature"])
        user_id = doc.get("user_id", DEFAULT_USER_ID.decode()).encode()
    except (KeyError, ValueError, TypeError) as err:
        return f"malformed signature file ({err})"
    if key.key_id() != doc.get("key_id"):
        return "key_id does not match the embedded public key"
    body = {k: v for k, v in doc.items() if k != "signature"}
    return None if sm2_verify(key, canonical_json(body), sig, user_id) else "SM2 signature is invalid"


def check_signature_doc(doc: dict[str, Any]) -> str | None:
    """Public name of the sidecar self-check (embedded key): why it is invalid, or ``None``."""
    return _check_signature_doc(doc)


def sign_file(path: str | os.PathLike[str], signer: Signer) -> Path:
    """Write ``<path>.sig.json`` (SM3 digest + SM2 signature) next to a snapshot or clip; returns its path."""
    path = Path(path)
    doc = _signature_doc(path.name, path.stat().st_size, sm3_file(path), signer)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    sidecar.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return sidecar


def verify_file(path: str | os.PathLike[str], trusted_key_ids: Iterable[str] | None = None) -> list[Problem]:
    """Check a file against its sidecar; every problem names the file."""
    path = Path(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    name = path.name
    if not path.is_file():
        return [Problem("missing_file", "file is missing", file=name)]
    if not sidecar.is_file():
        return [Problem("signature", f"no signature file {sidecar.name}", file=name)]
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    problems = []
    why = _check_signature_doc(doc)
    if why:
        problems.append(Problem("signature", why, file=name))
    if path.stat().st_size != doc.get("size") or sm3_file(path) != doc.get("sm3"):
        problems.append(Problem("digest", "content differs from the signed SM3 digest (file modified)", file=name))
    if trusted_key_ids is not None and doc.get("key_id") not in set(trusted_key_ids):
        problems.append(Problem("signature", f"signed by untrusted key {doc.get('key_id')}", file=name))
    return problems


# ---------------------------------------------------------------- SM4 at rest


def load_sm4_key(value: str | None = None, key_file: str | os.PathLike[str] | None = None) -> bytes:
    """Key from a config value (32 hex digits) or a key file (hex text or 16 raw bytes)."""
    if value:
        raw = bytes.fromhex(value.strip())
    elif key_file:
        data = Path(key_file).read_bytes()
        raw = data if len(data) == SM4_KEY_SIZE else bytes.fromhex(data.decode().strip())
    else:
        raise ValueError("no SM4 key: set a hex key in the config or point to a key file")
    if len(raw) != SM4_KEY_SIZE:
        raise ValueError(f"SM4 key must be {SM4_KEY_SIZE} bytes ({2 * SM4_KEY_SIZE} hex digits), got {len(raw)}")
    return raw


def generate_sm4_key_file(path: str | os.PathLike[str]) -> bytes:
    """New random SM4 key written as hex, mode 0600."""
    key = secrets.token_bytes(SM4_KEY_SIZE)
    write_private_file(Path(path), key.hex() + "\n")
    return key


def encrypt_bytes(data: bytes, key: bytes) -> bytes:
    """In-memory twin of :func:`encrypt_file` (same layout), so a snapshot is never on disk in clear."""
    nonce = secrets.token_bytes(GCM_NONCE_SIZE)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(MAGIC + nonce)
    return MAGIC + nonce + enc.update(data) + enc.finalize() + enc.tag


def decrypt_bytes(blob: bytes, key: bytes) -> bytes:
    """Inverse of :func:`encrypt_bytes` / :func:`encrypt_file` for small files (snapshots, crops)."""
    head = len(MAGIC) + GCM_NONCE_SIZE
    if len(blob) < head + GCM_TAG_SIZE or not blob.startswith(MAGIC):
        raise DecryptionError("not an anfang SM4-GCM blob")
    dec = Cipher(algorithms.SM4(key), modes.GCM(blob[len(MAGIC) : head], blob[-GCM_TAG_SIZE:])).decryptor()
    dec.authenticate_additional_data(blob[:head])
    try:
        return dec.update(blob[head:-GCM_TAG_SIZE]) + dec.finalize()
    except Exception as err:  # InvalidTag
        raise DecryptionError("wrong key or data modified") from err


def sign_bytes(path: str | os.PathLike[str], data: bytes, signer: Signer) -> Path:
    """Write the sidecar for ``path`` over ``data`` (its clear content, when the file is stored encrypted)."""
    path = Path(path)
    doc = _signature_doc(path.name, len(data), sm3_hex(data), signer)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    sidecar.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return sidecar


def verify_content(path: str | os.PathLike[str], data: bytes) -> list[Problem]:
    """Check clear ``data`` (e.g. a decrypted snapshot) against ``path``'s sidecar."""
    path = Path(path)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return [Problem("signature", f"no signature file {sidecar.name}", file=path.name)]
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    problems = []
    why = _check_signature_doc(doc)
    if why:
        problems.append(Problem("signature", why, file=path.name))
    if len(data) != doc.get("size") or sm3_hex(data) != doc.get("sm3"):
        problems.append(Problem("digest", "content differs from the signed SM3 digest (file modified)", file=path.name))
    return problems


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def encrypt_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], key: bytes) -> None:
    """Stream ``src`` into ``dst`` as ``MAGIC || nonce || SM4-GCM ciphertext || tag``."""
    nonce = secrets.token_bytes(GCM_NONCE_SIZE)
    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".part")
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        sm4_gcm_seal_stream(fin, fout, key, nonce, MAGIC + nonce)
    os.replace(tmp, dst)


def decrypt_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], key: bytes) -> None:
    """Inverse of :func:`encrypt_file`. ``dst`` appears only if the tag checks (no unauthenticated output)."""
    src, dst = Path(src), Path(dst)
    size = src.stat().st_size
    head = len(MAGIC) + GCM_NONCE_SIZE
    if size < head + GCM_TAG_SIZE:
        raise DecryptionError(f"{src}: too short to be an encrypted file")
    tmp = dst.with_name(dst.name + ".part")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            header = fin.read(head)
            if not header.startswith(MAGIC):
                raise DecryptionError(f"{src}: not an anfang SM4-GCM file")
            try:
                sm4_gcm_open_stream(fin, fout, key, header[len(MAGIC) :], header, size)
            except DecryptionError as err:
                raise DecryptionError(f"{src}: wrong key or file modified") from err
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- bundles


def _media_names(files: list[Path]) -> list[str]:
    names: list[str] = []
    for i, f in enumerate(files):
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", f.name) or f"file{i}"
        names.append(base if base not in names else f"{i}_{base}")
    return names


def export_bundle(
    files: Iterable[str | os.PathLike[str]],
    meta: dict[str, Any],
    out: str | os.PathLike[str],
    signer: Signer,
) -> Path:
    """Write a bundle to ``out``: a ``.zip`` file if the name ends in .zip, else a new directory."""
    paths = [Path(f) for f in files]
    names = _media_names(paths)
    entries: list[dict[str, Any]] = []
    sidecars: dict[str, Any] = {}
    for path, name in zip(paths, names, strict=True):
        digest, size = sm3_file(path), path.stat().st_size
        entries.append({"path": f"media/{name}", "size": size, "sm3": digest})
        sidecars[f"signatures/{name}{SIDECAR_SUFFIX}"] = _signature_doc(name, size, digest, signer)
    manifest = {
        "format": BUNDLE_FORMAT,
        "created": round(time.time(), 3),
        "meta": json.loads(canonical_json(meta)),
        "files": entries,
        "alg": "SM2-with-SM3",
        "user_id": DEFAULT_USER_ID.decode(),
        "key_id": signer.key_id,
        "public_key": signer.public_key.to_hex(),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    texts: dict[str, bytes] = {
        "manifest.json": manifest_bytes,
        "manifest.sig.json": json.dumps(
            {"key_id": signer.key_id, "signature": signer.sign(manifest_bytes).hex()}, indent=2
        ).encode(),
        "public_key.pem": signer.public_key.to_pem().encode(),
    }
    texts.update({k: (json.dumps(v, indent=2) + "\n").encode() for k, v in sidecars.items()})
    out = Path(out)
    if out.suffix.lower() == ".zip":
        tmp = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in texts.items():
                zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
            for path, entry in zip(paths, entries, strict=True):
                zf.write(path, entry["path"], compress_type=zipfile.ZIP_STORED)  # media is already compressed
        os.replace(tmp, out)
        return out
    out.mkdir(parents=True, exist_ok=False)
    for name, data in texts.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    for path, entry in zip(paths, entries, strict=True):
        (out / entry["path"]).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "rb") as fin, open(out / entry["path"], "wb") as fout:
            while block := fin.read(_CHUNK):
                fout.write(block)
    return out


class _Bundle:
    """Read access to a bundle directory or zip, refusing paths that would leave it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None
        if self.zip is not None:
            self._names = {n for n in self.zip.namelist() if not n.endswith("/")}
        else:
            self._names = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}

    def names(self) -> set[str]:
        return self._names

    def read(self, name: str) -> bytes | None:
        if name not in self.names():
            return None
        return self.zip.read(name) if self.zip is not None else (self.path / name).read_bytes()

    def digest(self, name: str) -> tuple[int, str]:
        if self.zip is None:
            return (self.path / name).stat().st_size, sm3_file(self.path / name)
        with tempfile.TemporaryDirectory() as tmp:  # stream large clips through a temp file
            target = Path(self.zip.extract(name, tmp))
            return target.stat().st_size, sm3_file(target)


def _safe(name: Any) -> bool:
    p = PurePosixPath(str(name))
    return isinstance(name, str) and not p.is_absolute() and ".." not in p.parts and name.startswith("media/")


def verify_bundle(path: str | os.PathLike[str], trusted_key_ids: Iterable[str] | None = None) -> list[Problem]:
    """Check a bundle offline; each problem names the file. Empty list = intact (and trusted, if asked)."""
    path = Path(path)
    if not path.exists():
        return [Problem("missing_file", f"bundle {path} does not exist")]
    try:
        bundle = _Bundle(path)
    except zipfile.BadZipFile:
        return [Problem("manifest", "not a directory or a readable zip file", file=path.name)]
    raw = bundle.read("manifest.json")
    sig_raw = bundle.read("manifest.sig.json")
    if raw is None:
        return [Problem("missing_file", "manifest.json is missing", file="manifest.json")]
    try:
        manifest = json.loads(raw)
        key = SM2PublicKey.from_hex(manifest["public_key"])
        files = list(manifest["files"])
    except (ValueError, KeyError, TypeError) as err:
        return [Problem("manifest", f"unreadable manifest ({err})", file="manifest.json")]
    problems: list[Problem] = []
    if key.key_id() != manifest.get("key_id"):
        problems.append(Problem("manifest", "key_id does not match the embedded public key", file="manifest.json"))
    try:
        sig = bytes.fromhex(json.loads(sig_raw or b"{}").get("signature", ""))
    except ValueError:
        sig = b""
    if not sm2_verify(key, raw, sig):
        what = "manifest.sig.json is missing" if sig_raw is None else "SM2 signature over manifest.json is invalid"
        problems.append(Problem("signature", what, file="manifest.json"))
    if trusted_key_ids is not None and manifest.get("key_id") not in set(trusted_key_ids):
        problems.append(Problem("signature", f"signed by untrusted key {manifest.get('key_id')}", file="manifest.json"))
    present = bundle.names()
    listed = set()
    for entry in files:
        name = entry.get("path") if isinstance(entry, dict) else None
        if not _safe(name):
            problems.append(Problem("manifest", f"unsafe or invalid path {name!r}", file="manifest.json"))
            continue
        listed.add(name)
        if name not in present:
            problems.append(Problem("missing_file", "listed in the manifest but missing", file=name))
            continue
        size, digest = bundle.digest(name)
        if size != entry.get("size") or digest != entry.get("sm3"):
            problems.append(Problem("digest", "content differs from the signed SM3 digest (file modified)", file=name))
        side_name = f"signatures/{PurePosixPath(name).name}{SIDECAR_SUFFIX}"
        side_raw = bundle.read(side_name)
        if side_raw is None:
            problems.append(Problem("signature", f"{side_name} is missing", file=name))
            continue
        side = json.loads(side_raw)
        why = _check_signature_doc(side)
        if why is None and side.get("sm3") != entry.get("sm3"):
            why = "per-file signature is for different content than the manifest lists"
        if why:
            problems.append(Problem("signature", f"{side_name}: {why}", file=name))
    for extra in sorted(n for n in present if n.startswith("media/") and n not in listed):
        problems.append(Problem("unlisted_file", "in the bundle but not in the signed manifest", file=extra))
    return problems
