"""Backup and restore of a data dir: database (SQLite online backup), keys, media, with a sha256 manifest.

Why the SQLite backup API rather than copying ``anfang.db``: the platform keeps writing while it runs (WAL
mode), and a plain copy can catch a half-applied transaction; ``sqlite3.Connection.backup`` takes a
consistent snapshot without stopping anything. The manifest lists every file's sha256 so a restore proves
that what came back is what went in.

The archive holds the platform's private key, the SM4 media key and the secrets key, so it is never written
in clear: the tar.gz is encrypted with SM4-GCM under a key derived from the operator's passphrase with
argon2id (argon2-cffi; memory-hard, so a stolen backup resists guessing). File layout::

    MAGIC(8) | salt(16) | time_cost, memory_cost_kib, parallelism (3 x uint32 BE) | nonce(12) | ciphertext | tag(16)

Everything before the ciphertext is authenticated as GCM associated data, so a changed parameter, salt or
byte of ciphertext fails the tag: a restore with the wrong passphrase or of a modified archive is refused
before anything is unpacked (the decrypted archive is only opened after the tag checked).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import sqlite3
import struct
import tarfile
import tempfile
import time
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from anfang.security.problems import Problem
from anfang.security.sm import (
    GCM_NONCE_SIZE,
    GCM_TAG_SIZE,
    SM4_KEY_SIZE,
    DecryptionError,
    sm4_gcm_open_stream,
    sm4_gcm_seal_stream,
)

DB_NAME = "anfang.db"
MANIFEST = "backup-manifest.json"
FORMAT = "anfang-backup-v1"
_SKIP_SUFFIXES = (".tmp", ".part", "-wal", "-shm")
MAGIC = b"ANFBAK\x00\x01"  # encrypted backup, version 1
SALT_SIZE = 16
ARGON2 = (3, 64 * 1024, 2)  # time cost, memory (KiB), lanes: ~0.2 s and 64 MiB per guess
_PARAMS = struct.Struct(">III")
PASSPHRASE_ENV = "ANFANG_BACKUP_PASSPHRASE"


class BackupAuthError(Exception):
    """The archive does not authenticate: wrong passphrase, or the file was modified or truncated."""


def _derive(passphrase: str, salt: bytes, params: tuple[int, int, int]) -> bytes:
    if not passphrase:
        raise ValueError("an empty passphrase cannot protect a backup")
    t, m, p = params
    return hash_secret_raw(passphrase.encode(), salt, time_cost=t, memory_cost=m, parallelism=p,
                           hash_len=SM4_KEY_SIZE, type=Type.ID)  # fmt: skip


def encrypt_archive(src: Path, dst: Path, passphrase: str, params: tuple[int, int, int] = ARGON2) -> None:
    """``dst`` = SM4-GCM of ``src`` under argon2id(passphrase) (layout in the module docstring)."""
    salt, nonce = secrets.token_bytes(SALT_SIZE), secrets.token_bytes(GCM_NONCE_SIZE)
    header = MAGIC + salt + _PARAMS.pack(*params) + nonce
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        sm4_gcm_seal_stream(fin, fout, _derive(passphrase, salt, params), nonce, header)


def decrypt_archive(src: Path, dst: Path, passphrase: str) -> None:
    """Inverse of :func:`encrypt_archive`; :class:`BackupAuthError` unless the GCM tag checks."""
    size = src.stat().st_size
    head = len(MAGIC) + SALT_SIZE + _PARAMS.size + GCM_NONCE_SIZE
    with open(src, "rb") as fin:
        header = fin.read(head)
        if not header.startswith(MAGIC):
            raise BackupAuthError(f"{src} is not an encrypted anfang backup")
        if size < head + GCM_TAG_SIZE:
            raise BackupAuthError(f"{src} is truncated")
        salt = header[len(MAGIC) : len(MAGIC) + SALT_SIZE]
        params = _PARAMS.unpack(header[len(MAGIC) + SALT_SIZE : len(MAGIC) + SALT_SIZE + _PARAMS.size])
        if not (1 <= params[0] <= 64 and 8 <= params[1] <= 4 * 1024 * 1024 and 1 <= params[2] <= 64):
            raise BackupAuthError(f"{src}: implausible key-derivation parameters (file modified)")
        nonce = header[-GCM_NONCE_SIZE:]
        with open(dst, "wb") as fout:
            try:
                sm4_gcm_open_stream(fin, fout, _derive(passphrase, salt, params), nonce, header, size)
            except DecryptionError as err:
                raise BackupAuthError("the backup does not authenticate: wrong passphrase, or the file was "
                                      "modified") from err  # fmt: skip


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _files(root: Path, sub: str) -> list[Path]:
    base = root / sub
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and not p.name.endswith(_SKIP_SUFFIXES))


def backup(data_dir: str | os.PathLike[str], out: str | os.PathLike[str], passphrase: str) -> dict:
    """Write ``out`` (an encrypted .tar.gz) from a (possibly running) data dir; returns the manifest."""
    data_dir, out = Path(data_dir), Path(out)
    db = data_dir / DB_NAME
    if not db.is_file():
        raise FileNotFoundError(f"no database at {db}")
    with tempfile.TemporaryDirectory(prefix="anfang-backup-") as tmp:
        snapshot = Path(tmp) / DB_NAME
        src, dst = sqlite3.connect(db), sqlite3.connect(snapshot)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        members: list[tuple[Path, str]] = [(snapshot, DB_NAME)]
        members += [(p, p.relative_to(data_dir).as_posix()) for sub in ("keys", "media") for p in _files(data_dir, sub)]
        manifest = {
            "format": FORMAT,
            "created": round(time.time(), 3),
            "files": [{"path": name, "size": p.stat().st_size, "sha256": _sha256(p)} for p, name in members],
        }
        tmp_out = out.with_name(out.name + ".part")
        clear = Path(tmp) / "backup.tar.gz"  # in the private temp dir only, deleted below
        with tarfile.open(clear, "w:gz") as tar:
            raw = (json.dumps(manifest, indent=2) + "\n").encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(raw))
            for path, name in members:
                tar.add(path, arcname=name, recursive=False)
        encrypt_archive(clear, tmp_out, passphrase)
        os.chmod(tmp_out, 0o600)
        os.replace(tmp_out, out)
    return manifest


def restore(archive: str | os.PathLike[str], data_dir: str | os.PathLike[str], passphrase: str) -> list[Problem]:
    """Unpack into a new (or empty) data dir and check every file against the manifest; [] = complete.

    Raises :class:`BackupAuthError` (nothing written to ``data_dir``) for a wrong passphrase or a modified file.
    """
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty; restore into a new data dir")
    with tempfile.TemporaryDirectory(prefix="anfang-restore-") as tmp:
        clear = Path(tmp) / "backup.tar.gz"
        decrypt_archive(Path(archive), clear, passphrase)
        data_dir.mkdir(parents=True, exist_ok=True)
        return _unpack(clear, data_dir)


def _unpack(archive: Path, data_dir: Path) -> list[Problem]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            return [Problem("manifest", "backup-manifest.json is missing", file=MANIFEST)]
        manifest = json.loads(member.read())
        if manifest.get("format") != FORMAT:
            return [Problem("manifest", f"unknown backup format {manifest.get('format')!r}", file=MANIFEST)]
        tar.extractall(data_dir, filter="data")  # "data" refuses absolute paths, .. and links out of the dir
    (data_dir / MANIFEST).unlink(missing_ok=True)
    for sub in ("keys", "keys/platform", "keys/devices"):
        if (data_dir / sub).is_dir():
            os.chmod(data_dir / sub, 0o700)
    return verify_restored(data_dir, manifest)


def verify_restored(data_dir: Path, manifest: dict) -> list[Problem]:
    problems = []
    for entry in manifest.get("files", []):
        path = data_dir / entry["path"]
        if not path.is_file():
            problems.append(Problem("missing_file", "in the backup manifest but not restored", file=entry["path"]))
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            problems.append(Problem("digest", "sha256 differs from the backup manifest", file=entry["path"]))
    return problems
